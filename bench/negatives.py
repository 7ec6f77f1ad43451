"""Batch size and negatives, and SigLIP beside CLIP (issue 8): the measurements behind the two
"Beyond the basics" tabs, with the settings the app uses. Not a test: it prints tables.

1. The batch-size sweep (clip_core.experiments.batch_size_sweep): the same budget of training images at
   each batch size from the same seed and peak learning rate; per batch size the steps, the
   training wall time (StepMetrics.elapsed: evaluations left out), images/s, and at the end of the
   budget in-batch accuracy at one fixed batch size and zero-shot accuracy on seen and held-out
   colour-shape pairs (one template, "a photo of a {}.").
2. CLIP (softmax) and SigLIP (sigmoid) side by side (clip_core.experiments.side_by_side): same seed, same
   batches, one learning rate for both; per model the final loss (mean of the last 10 steps; not
   the same quantity), in-batch accuracy on 8 fresh batches of 64, the learned scale, SigLIP's bias,
   zero-shot accuracy, and the wall time of each model's steps. Optionally at several learning rates.

    .venv/bin/python bench/negatives.py [--preset nano] [--budget 19200] [--batches 8,32,128]
                                        [--steps 600] [--lrs 0.001,0.002] [--batch 64] [--seed 0]
                                        [--skip-sweep] [--skip-siglip] [--json out.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import torch
from common import log, print_table, warn_if_loaded, write_json

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clip_core.config import get_preset  # noqa: E402
from clip_core.data import ShapesWorld  # noqa: E402
from clip_core.experiments import batch_size_sweep, side_by_side  # noqa: E402
from clip_core.train import in_batch_accuracy  # noqa: E402
from clip_core.zeroshot import zero_shot_report  # noqa: E402

THREADS = 2
EVAL_BATCH = 64  # as the app's sweep (lessons/negatives.py)
TEMPLATE = "a photo of a {}."
LOSS_WINDOW = 10


def sweep(preset_name: str, budget: int, batch_sizes: tuple[int, ...], seed: int) -> list[dict]:
    preset = get_preset(preset_name)
    preset.train.seed = seed
    world = ShapesWorld(preset.train.world_seed, image_size=preset.model.image_size)
    started = time.perf_counter()
    finals = {}
    for point in batch_size_sweep(preset.model, preset.train, budget, batch_sizes, evaluations=4,
                                  eval_batch_size=EVAL_BATCH, template=TEMPLATE, world=world):
        finals[point.batch_size] = point.to_dict()  # the last point of each run is the end of its budget
        log(f"  batch {point.batch_size}: step {point.step}/{point.steps}, {point.elapsed:.1f} s, in-batch "
            f"{point.in_batch_image_to_text:.2f}, zero-shot {point.zero_shot_seen:.2f}/{point.zero_shot_held_out:.2f}")
    log(f"sweep done in {time.perf_counter() - started:.1f} s of wall time (evaluations included)")
    rows = []
    for batch, p in sorted(finals.items()):
        rows.append((str(batch), str(p["steps"]), str(batch - 1), f"{p['elapsed']:.1f}",
                     f"{p['images_seen'] / p['elapsed']:.0f}", f"{p['in_batch_image_to_text']:.3f}",
                     f"{p['in_batch_text_to_image']:.3f}", f"{p['zero_shot_seen']:.3f}",
                     f"{p['zero_shot_held_out']:.3f}"))
    print_table(f"Same budget of {budget:,} images per run ({preset_name}, seed {seed}, lr {preset.train.lr:g}; "
                f"in-batch at batch {EVAL_BATCH})", rows,
                ("batch", "steps", "negatives", "train s", "images/s", "in-batch i->t", "in-batch t->i",
                 "zero-shot seen", "zero-shot held-out"))
    return list(finals.values())


def measure(trainer, seconds: float) -> dict:
    history = trainer.history
    accuracy = in_batch_accuracy(trainer.model, trainer.world, EVAL_BATCH, batches=8)
    zero_shot = zero_shot_report(trainer.model, trainer.world, 8, [TEMPLATE])["best_template"]
    return {"loss": float(np.mean([m.loss for m in history[-LOSS_WINDOW:]])), "in_batch": accuracy["image_to_text"],
            "scale": history[-1].logit_scale, "bias": history[-1].logit_bias, "zero_shot_seen": zero_shot["seen"],
            "zero_shot_held_out": zero_shot["held_out"], "train_seconds": seconds}


def siglip_beside_clip(preset_name: str, steps: int, lr: float, batch: int, seed: int) -> list[dict]:
    preset = get_preset(preset_name)
    config = dataclasses.replace(preset.train, batch_size=batch, steps=steps, lr=lr, seed=seed,
                                 warmup_steps=min(preset.train.warmup_steps, steps // 4 + 1))  # as lessons/siglip.py
    pair = side_by_side(preset.model, config, loss="siglip")
    for _ in pair.run():
        pass
    results = []
    for name, trainer in (("CLIP (softmax)", pair.correct), ("SigLIP (sigmoid)", pair.variant)):
        seconds = sum(m.step_seconds for m in trainer.history)
        results.append({"model": name, "lr": lr, "steps": steps, "batch": batch, **measure(trainer, seconds)})
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="nano")
    parser.add_argument("--budget", type=int, default=19_200, help="training images per run of the sweep")
    parser.add_argument("--batches", default="8,32,128", help="batch sizes of the sweep, comma-separated")
    parser.add_argument("--steps", type=int, default=600, help="steps of the side-by-side run")
    parser.add_argument("--lrs", default="0.001,0.002", help="learning rates of the side-by-side run (one run each)")
    parser.add_argument("--batch", type=int, default=64, help="batch size of the side-by-side run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--skip-siglip", action="store_true")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)

    torch.set_num_threads(THREADS)
    warn_if_loaded(THREADS)
    results: dict = {"preset": args.preset, "seed": args.seed}
    if not args.skip_sweep:
        batches = tuple(int(b) for b in args.batches.split(","))
        results["sweep"] = sweep(args.preset, args.budget, batches, args.seed)
    if not args.skip_siglip:
        rows, runs = [], []
        for lr in (float(v) for v in args.lrs.split(",")):
            for r in siglip_beside_clip(args.preset, args.steps, lr, args.batch, args.seed):
                runs.append(r)
                rows.append((r["model"], f"{lr:g}", f"{r['loss']:.3f}", f"{r['in_batch']:.3f}", f"{r['scale']:.2f}",
                             "-" if r["bias"] is None else f"{r['bias']:.3f}", f"{r['zero_shot_seen']:.3f}",
                             f"{r['zero_shot_held_out']:.3f}", f"{r['train_seconds']:.1f}"))
        print_table(f"CLIP and SigLIP side by side ({args.preset}, batch {args.batch}, {args.steps} steps, "
                    f"seed {args.seed}; the two losses are different quantities)", rows,
                    ("model", "lr", "final loss", "in-batch i->t", "scale", "bias b", "zero-shot seen",
                     "zero-shot held-out", "train s"))
        results["siglip"] = runs
    if args.json:
        write_json(args.json, results)


if __name__ == "__main__":
    main()
