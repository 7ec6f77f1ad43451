"""Training throughput on 1 process against W worker processes (torch.distributed, gloo, loopback).

Runs the same recipe (a preset, the same global batch and steps, the same pairs) as: one process;
W workers gathering embeddings (the global loss); W workers with only their own negatives; and
prints a table of measured pairs per second and the accuracy each reached. Process start-up is
left out of the rate (rank 0 times its steps); it is printed separately.

    python -m bench.distributed --preset nano --steps 200 --workers 2
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from clip_core import get_preset
from clip_core.launch import DistributedJob, WorkerGroup, follow


def measure(preset: str, steps: int, workers: int, gather: bool, batch: int | None) -> dict:
    recipe = get_preset(preset)
    train = dataclasses.replace(recipe.train, steps=steps, batch_size=batch or recipe.train.batch_size)
    job = DistributedJob(recipe.model.to_dict(), train.to_dict(), gather=gather, zero_shot_per_pair=4,
                         zero_shot_templates=["a photo of a {}."])
    started = time.perf_counter()
    first_step = None
    with WorkerGroup(job, workers) as group:
        for event in follow(group):
            if event["event"] == "step" and first_step is None:
                first_step = time.perf_counter() - started
            if event["event"] == "done":
                report = event["report"]
    return {**report, "start_seconds": first_step, "wall_seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="nano")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=None, help="global batch (default: the preset's)")
    args = parser.parse_args()
    runs = [("1 process", 1, True), (f"{args.workers} workers, gathered", args.workers, True),
            (f"{args.workers} workers, own negatives", args.workers, False)]
    batch = args.batch or get_preset(args.preset).train.batch_size
    print(f"preset {args.preset}, {args.steps} steps, global batch {batch}")
    print("| run | threads each | train s | pairs/s | x 1 process | start-up s | in-batch "
          "| zero-shot seen / held-out |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    base = None
    for name, workers, gather in runs:
        r = measure(args.preset, args.steps, workers, gather, args.batch)
        rate = r["steps"] * r["train_config"]["batch_size"] / r["train_seconds"]
        base = base or rate
        best = r["zero_shot"]["best_template"]
        print(f"| {name} | {r['threads']} | {r['train_seconds']:.1f} | {rate:,.0f} | {rate / base:.2f} | "
              f"{r['start_seconds']:.1f} | {r['in_batch_accuracy']['image_to_text']:.3f} | "
              f"{best['seen']:.3f} / {best['held_out']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
