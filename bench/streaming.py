"""What streaming the training lesson costs (docs/ARCHITECTURE.md section 4: <= 10 % of throughput).

Runs the same model, seed and batches two ways, alternating, on this machine's 2 threads:

* bare: `Trainer.step()` in a plain loop (the loop bench/train.py times);
* streaming: lesson 5's generator (`lessons.train.train_loop`), which also draws the views
  (curves, probe heatmap, embedding map, zero-shot evaluation) a few times a second; every yielded
  figure is serialised to JSON as Gradio would before sending it to the browser.

The ratio streaming / bare steps per second is the price of watching.

    .venv/bin/python bench/streaming.py [--steps 400] [--rounds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import log, print_table, write_json  # noqa: E402

from lessons import train as train_live  # noqa: E402
from lessons.common.session import Session  # noqa: E402

TARGET_RATIO = 0.90


def settings(steps: int) -> dict:
    return {**train_live.PRESETS["shipped"], "steps": steps}


def bare(session: Session, steps: int) -> float:
    """Steps per second of Trainer.step() alone (same model and data as the streaming run)."""
    run = train_live.new_run(session, settings(steps))
    trainer = run.trainer
    start = time.perf_counter()
    for _ in range(steps):
        trainer.step()
    return steps / (time.perf_counter() - start)


def streaming(session: Session, steps: int) -> tuple[float, int]:
    """Steps per second through the lesson's generator, views and JSON included; and the number
    of view updates it sent."""
    run = train_live.new_run(session, settings(steps))
    updates = 0
    start = time.perf_counter()
    for output in train_live.train_loop(session, run, lambda s: None):
        for value in output[2:5]:
            if value is not None:
                value.to_json()  # what Gradio does with a plotly figure before sending it
        updates += 1
    return steps / (time.perf_counter() - start), updates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400, help="steps per measured run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating bare/streaming rounds")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    session = Session()
    session.model()  # load the shipped checkpoint (the world's seed comes from it)
    log(f"warming up, then {args.rounds} rounds of {args.steps} steps each way ...")
    bare(session, 30)
    bare_rates, stream_rates, updates = [], [], []
    for round_index in range(args.rounds):
        bare_rates.append(bare(session, args.steps))
        rate, count = streaming(session, args.steps)
        stream_rates.append(rate)
        updates.append(count)
        log(f"  round {round_index + 1}: bare {bare_rates[-1]:.1f} steps/s, streaming {rate:.1f} steps/s "
            f"({count} view updates)")
    bare_median, stream_median = statistics.median(bare_rates), statistics.median(stream_rates)
    ratio = stream_median / bare_median
    seconds = args.steps / stream_median
    rows = [
        ("bare Trainer.step()", f"{bare_median:.1f}", "1.00", "-"),
        ("lesson 5 streaming", f"{stream_median:.1f}", f"{ratio:.2f}",
         f"{statistics.median(updates) / seconds:.1f} per s"),
    ]
    print_table("Streaming cost (median of rounds)", rows, ("loop", "steps/s", "ratio", "view updates"))
    verdict = "PASS" if ratio >= TARGET_RATIO else "MISS"
    log(f"\n{verdict}: streaming keeps {ratio:.0%} of bare throughput (target >= {TARGET_RATIO:.0%})")
    if args.json:
        write_json(args.json, {"bare_steps_per_s": bare_rates, "streaming_steps_per_s": stream_rates,
                               "view_updates": updates, "ratio": ratio, "target": TARGET_RATIO})
    return 0


if __name__ == "__main__":
    sys.exit(main())
