"""Classic mistakes against the correct CLIP (issue 8): each switch of clip_core.mistakes trained
side by side with the correct model from the same seed on the same batches, then measured.

Per mistake: the final training loss (mean of the last 10 steps; not the same quantity under soft
targets or the one-directional loss), in-batch accuracy of both directions on 8 fresh batches of
64 with distinct captions, the logit scale the model multiplies by, zero-shot accuracy on seen and
held-out colour-shape pairs (best single template of clip_core.zeroshot's sets, 8 test images per
pair, the model scored as it was trained) and the wall time of the side-by-side run. The correct
model is trained once per preset (every pair starts from the same seed, so its numbers repeat).
Not a test: it prints a table.

    .venv/bin/python bench/mistakes.py [--preset nano] [--steps 300] [--seed 0] [--init-temperature 0.07]
                                       [--mistakes soft_targets,no_clamp] [--json out.json]
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
from clip_core.experiments import side_by_side  # noqa: E402
from clip_core.mistakes import MISTAKE_NAMES, Mistakes  # noqa: E402
from clip_core.train import Trainer, in_batch_accuracy  # noqa: E402
from clip_core.zeroshot import zero_shot_report  # noqa: E402

THREADS = 2
LOSS_WINDOW = 10


def measure(trainer: Trainer, seconds: float) -> dict:
    """The numbers of one trained model (accuracies 0..1)."""
    model = trainer.scoring_model
    losses = [m.loss for m in trainer.history[-LOSS_WINDOW:]]
    accuracy = in_batch_accuracy(model, trainer.world, 64, batches=8)
    best = zero_shot_report(model, trainer.world, n_per_pair=8)["best_template"]
    return {"loss": float(np.mean(losses)), "in_batch_i2t": accuracy["image_to_text"],
            "in_batch_t2i": accuracy["text_to_image"], "scale": model.scale().item(),
            "zero_shot_seen": best["seen"], "zero_shot_held_out": best["held_out"], "template": best["template"],
            "finite": all(m.finite for m in trainer.history), "seconds": seconds}


def run_pair(model_config, train_config, mistake: str) -> tuple[dict, dict]:
    pair = side_by_side(model_config, train_config, Mistakes(**{mistake: True}))
    started = time.perf_counter()
    for _ in pair.run():
        pass
    seconds = time.perf_counter() - started
    return measure(pair.correct, seconds), measure(pair.variant, seconds)


def row(name: str, numbers: dict, reference: dict | None) -> tuple[str, ...]:
    def cell(key: str, percent: bool) -> str:
        value = numbers[key]
        text = f"{100 * value:.0f}" if percent else f"{value:.2f}"
        if reference is None:
            return text
        delta = value - reference[key]
        return f"{text} ({100 * delta:+.0f})" if percent else f"{text} ({delta:+.2f})"

    return (name, cell("loss", False), cell("in_batch_i2t", True), cell("in_batch_t2i", True), cell("scale", False),
            cell("zero_shot_seen", True), cell("zero_shot_held_out", True), numbers["template"],
            "" if numbers["finite"] else "NaN seen", f"{numbers['seconds']:.1f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Each classic mistake against the correct CLIP, side by side.")
    parser.add_argument("--preset", default="nano", help="clip_core preset (default nano, as the app's lesson)")
    parser.add_argument("--steps", type=int, default=300, help="training steps (default 300, the lesson's quick run)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init-temperature", type=float, default=None,
                        help="initial tau (default the preset's 0.07; 0.002 is the lesson's hot start)")
    parser.add_argument("--mistakes", default=",".join(MISTAKE_NAMES), help="comma-separated switches")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    mistakes = [name.strip() for name in args.mistakes.split(",") if name.strip()]
    unknown = set(mistakes) - set(MISTAKE_NAMES)
    if unknown:
        parser.error(f"unknown mistakes {sorted(unknown)}; known: {', '.join(MISTAKE_NAMES)}")

    torch.set_num_threads(THREADS)
    load = warn_if_loaded(THREADS)
    preset = get_preset(args.preset)
    model_config = preset.model
    if args.init_temperature is not None:
        model_config = dataclasses.replace(model_config, init_temperature=args.init_temperature)
    train_config = dataclasses.replace(preset.train, steps=args.steps, seed=args.seed,
                                       warmup_steps=min(preset.train.warmup_steps, args.steps // 4 + 1))
    log(f"preset {args.preset}, {args.steps} steps of batch {train_config.batch_size}, seed {args.seed}, "
        f"tau0 {model_config.init_temperature}, {THREADS} threads")

    results: dict = {"preset": args.preset, "steps": args.steps, "seed": args.seed,
                     "init_temperature": model_config.init_temperature, "load_before": load, "mistakes": {}}
    for mistake in mistakes:
        correct, variant = run_pair(model_config, train_config, mistake)
        results.setdefault("correct", correct)
        results["mistakes"][mistake] = variant
        log(f"  {mistake}: loss {variant['loss']:.3f}, in-batch {variant['in_batch_i2t']:.2f}, "
            f"zero-shot {variant['zero_shot_seen']:.2f} / {variant['zero_shot_held_out']:.2f} "
            f"({variant['seconds']:.1f} s for both models)")

    correct = results["correct"]
    header = ("model", "loss", "in-batch i->t %", "in-batch t->i %", "exp(t)", "zero-shot seen %",
              "zero-shot held-out %", "best template", "", "pair wall s")
    rows = [row("correct CLIP", correct, None)]
    rows += [row(name, numbers, correct) for name, numbers in results["mistakes"].items()]
    print_table("Each mistake against the correct CLIP (same seed, same batches); (+/-) = difference from correct",
                rows, header)
    if args.json:
        write_json(args.json, results)


if __name__ == "__main__":
    main()
