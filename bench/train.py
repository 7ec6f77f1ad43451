"""Training benchmark for a preset on this machine (docs/ARCHITECTURE.md section 4). Not a test: it prints.

Three measurements, all in one run and with torch limited to the machine's 2 threads:

1. Trainer throughput (steps/s, samples/s) and the share of each step spent making data
   (StepMetrics.data_seconds / step_seconds), taken from the timed run below.
2. A timed run from scratch. A ~30-step warm-up on a throwaway model estimates steps/s; a fresh
   model with the same seed then gets `train.steps = int(budget * steps_per_s)` so the cosine
   schedule fills the budget. Reported: the training time (StepMetrics.elapsed, which leaves out
   evaluation pauses) at which the running mean of the last 20 in-batch image->text accuracies
   first reaches 95 %, and at 15 / 30 / 60 s of training time zero-shot accuracy (best single
   template, seen and held-out colour-shape pairs) and in-batch accuracy on fresh batches.
3. Trainer overhead: a bare loop (forward, clip_loss, zero_grad, backward, AdamW step) and the
   Trainer both run on the same pre-generated batches, each from a fresh model with the same
   seed; their throughput ratio is the Trainer's cost over the bare minimum.

Then every target is printed as PASS or MISS with its measured value.

    .venv/bin/python bench/train.py [--preset default] [--seconds 60] [--seed 0] [--captions mixed] [--json out.json]

With --captions zh or mixed, every evaluation also measures zero-shot accuracy with Chinese prompts
(best single Chinese template, seen and held-out pairs).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from common import log, print_table

from clip_core.config import Preset, TrainConfig, get_preset
from clip_core.data import Batch, ShapesWorld
from clip_core.loss import clip_loss
from clip_core.model import TinyCLIP
from clip_core.tokenizer import Tokenizer
from clip_core.train import StepMetrics, Trainer, build_model, in_batch_accuracy
from clip_core.zeroshot import zero_shot_report

THREADS = 2
TARGET_SECONDS = 60.0  # docs/ARCHITECTURE.md section 4: every training target is "within 60 s"
TARGET_IN_BATCH = 0.95
TARGET_SEEN = 0.95
TARGET_HELD_OUT = 0.80
TARGET_DATA_SHARE = 0.20
MARKS = (15.0, 30.0, 60.0)  # training seconds at which to pause and evaluate
RUNNING_WINDOW = 20  # steps in the running mean of in-batch accuracy
WARMUP_STEPS = 30  # steps of the throwaway run that estimates throughput
WARMUP_SKIP = 5  # first steps of any timed run are left out (allocator and cache warm-up)
REPLAY_BATCHES = 200  # pre-generated batches for the bare-loop comparison
REPLAY_ROUNDS = 2  # bare and Trainer alternate this many times; the fastest round of each counts
CONTENDED_CORES = 0.2  # other processes using more than this (in cores) invalidate the timings


class OtherCpu:
    """CPU time that other processes used while a section ran, in cores (Linux /proc/stat).

    The benchmark owns both cores; anything else running makes every number below it low, so
    each section says how busy the rest of the machine was.
    """

    def __init__(self) -> None:
        self.ticks_per_s = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.start = self._sample()

    def _sample(self) -> tuple[float, float, float] | None:
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / self.ticks_per_s  # all but idle and iowait
        own = os.times()
        return busy, own.user + own.system, time.perf_counter()

    def cores(self) -> float | None:
        """Average cores used by other processes since construction (None when unknown)."""
        end = self._sample()
        if self.start is None or end is None or end[2] <= self.start[2]:
            return None
        other = (end[0] - self.start[0]) - (end[1] - self.start[1])
        return max(0.0, other / (end[2] - self.start[2]))


def idle_check(seconds: float = 2.0) -> float | None:
    """Cores used by other processes over a short quiet look before starting."""
    monitor = OtherCpu()
    time.sleep(seconds)
    return monitor.cores()


def contention_note(label: str, cores: float | None) -> str:
    if cores is None:
        return f"{label}: other processes' CPU use unknown"
    flag = "  <-- CONTENDED: numbers are low" if cores > CONTENDED_CORES else ""
    return f"{label}: other processes used {cores:.2f} of {os.cpu_count()} cores on average{flag}"


# ----- setup ------------------------------------------------------------------------------------


def load_preset(name: str, seed: int | None, captions: str | None = None) -> Preset:
    preset = get_preset(name)
    if seed is not None:
        preset.train.seed = seed
    if captions is not None:
        preset.train.caption_language = captions
    return preset


def make_world(preset: Preset) -> ShapesWorld:
    return ShapesWorld(seed=preset.train.world_seed, image_size=preset.model.image_size,
                       caption_language=preset.train.caption_language)


def fresh_trainer(preset: Preset, world: ShapesWorld, steps: int | None = None) -> Trainer:
    """A Trainer on a freshly initialised model (same seed every time)."""
    config = TrainConfig.from_dict(preset.train.to_dict())
    if steps is not None:
        config.steps = steps
    model = build_model(preset.model, world, seed=config.seed)
    return Trainer(model, world, config)


def steps_per_second(history: list[StepMetrics], skip: int = WARMUP_SKIP) -> float:
    timed = history[skip:] if len(history) > skip else history
    return len(timed) / sum(m.step_seconds for m in timed)


def data_share(history: list[StepMetrics], skip: int = WARMUP_SKIP) -> float:
    timed = history[skip:] if len(history) > skip else history
    return sum(m.data_seconds for m in timed) / sum(m.step_seconds for m in timed)


# ----- 2. timed run -----------------------------------------------------------------------------


def estimate_throughput(preset: Preset, world: ShapesWorld) -> float:
    """Steps/s of the Trainer on a throwaway model, from a short warm-up run."""
    trainer = fresh_trainer(preset, world)
    for _ in trainer.run(WARMUP_STEPS):
        pass
    return steps_per_second(trainer.history)


@dataclass
class MarkResult:
    """One evaluation pause during the timed run."""

    mark: float  # the training time asked for
    elapsed: float  # the training time actually reached (the step that crossed the mark)
    step: int
    template: str  # best single template of zero_shot_report
    seen: float
    held_out: float
    in_batch_image_to_text: float
    in_batch_text_to_image: float
    eval_seconds: float  # wall time of this pause (not training time)
    zh_seen: float | None = None  # best Chinese template, when the captions include Chinese
    zh_held_out: float | None = None


@dataclass
class TimedRun:
    budget: float
    estimated_steps_per_s: float
    scheduled_steps: int
    steps_done: int = 0
    elapsed: float = 0.0
    time_to_in_batch: float | None = None  # training s at which the running mean reached the target
    step_to_in_batch: int | None = None
    final_running_in_batch: float = float("nan")
    marks: list[MarkResult] = field(default_factory=list)
    history: list[StepMetrics] = field(default_factory=list)
    other_cores: float | None = None  # CPU use of other processes during the run


def evaluate(trainer: Trainer, world: ShapesWorld, mark: float) -> MarkResult:
    """Zero-shot and in-batch accuracy now; the Trainer's clock does not run meanwhile."""
    start = time.perf_counter()
    report = zero_shot_report(trainer.model, world, n_per_pair=8)
    in_batch = in_batch_accuracy(trainer.model, world, trainer.config.batch_size, 8)
    best = report["best_template"]
    chinese = zero_shot_report(trainer.model, world, n_per_pair=8, lang="zh")["best_template"] \
        if world.caption_language != "en" else {}
    return MarkResult(
        mark=mark, elapsed=trainer.elapsed, step=trainer.steps_done, template=best["template"],
        seen=best["seen"], held_out=best["held_out"], in_batch_image_to_text=in_batch["image_to_text"],
        in_batch_text_to_image=in_batch["text_to_image"], eval_seconds=time.perf_counter() - start,
        zh_seen=chinese.get("seen"), zh_held_out=chinese.get("held_out"),
    )


def log_mark(result: MarkResult) -> None:
    chinese = "" if result.zh_seen is None else \
        f"; Chinese prompts seen {result.zh_seen:.3f}, held-out {result.zh_held_out:.3f}"
    log(f"  [{result.elapsed:5.1f} s, step {result.step}] zero-shot {result.template!r}: "
        f"seen {result.seen:.3f}, held-out {result.held_out:.3f}{chinese}; in-batch i->t "
        f"{result.in_batch_image_to_text:.3f} (eval took {result.eval_seconds:.1f} s)")


def timed_run(preset: Preset, world: ShapesWorld, budget: float) -> TimedRun:
    """Train from scratch with a schedule sized to the budget; evaluate at each mark.

    Training stops when the schedule ends or the training clock passes the budget, whichever
    comes first; the last evaluation happens there.
    """
    log(f"warm-up: {WARMUP_STEPS} steps on a throwaway model to size the schedule ...")
    estimate = estimate_throughput(preset, world)
    steps = max(1, int(budget * estimate))
    log(f"  {estimate:.1f} steps/s -> train.steps = {steps} for a {budget:g} s budget")
    run = TimedRun(budget=budget, estimated_steps_per_s=estimate, scheduled_steps=steps)

    monitor = OtherCpu()
    trainer = fresh_trainer(preset, world, steps=steps)
    marks = [m for m in MARKS if m < budget] + [budget]
    window: deque[float] = deque(maxlen=RUNNING_WINDOW)
    log(f"timed run: {trainer.model.num_parameters():,} parameters, batch {trainer.config.batch_size}, "
        f"evaluating at {', '.join(f'{m:g}' for m in marks)} s of training time")
    next_progress = 5.0
    for metrics in trainer.run():
        window.append(metrics.acc_image_to_text)
        running = sum(window) / len(window)
        if (run.time_to_in_batch is None and len(window) == RUNNING_WINDOW
                and running >= TARGET_IN_BATCH):
            run.time_to_in_batch, run.step_to_in_batch = metrics.elapsed, metrics.step
            log(f"  [{metrics.elapsed:5.1f} s, step {metrics.step}] running in-batch accuracy "
                f"{running:.3f} >= {TARGET_IN_BATCH:.0%}")
        if metrics.elapsed >= next_progress:
            log(f"  [{metrics.elapsed:5.1f} s, step {metrics.step}] loss {metrics.loss:.3f}, running "
                f"in-batch {running:.3f}, scale {metrics.logit_scale:.1f}, lr {metrics.lr:.2e}")
            next_progress += 5.0
        while marks and metrics.elapsed >= marks[0]:
            run.marks.append(evaluate(trainer, world, marks.pop(0)))
            log_mark(run.marks[-1])
        if metrics.step >= steps or metrics.elapsed >= budget:
            break
    if marks:  # the schedule ended before the budget: the last evaluation is at its end
        run.marks.append(evaluate(trainer, world, marks[-1]))
        log_mark(run.marks[-1])
    run.steps_done, run.elapsed = trainer.steps_done, trainer.elapsed
    run.final_running_in_batch = sum(window) / len(window)
    run.history = trainer.history
    run.other_cores = monitor.cores()
    log("  " + contention_note("timed run", run.other_cores))
    return run


# ----- 3. bare loop vs Trainer on the same batches ----------------------------------------------


@dataclass
class ReplayBatches:
    """Pre-generated batches (images, captions, tokens) from the Trainer's own data stream."""

    batches: list[Batch]
    tokens: list[torch.Tensor]
    seconds: float  # wall time to generate and tokenise them all


def pregenerate(preset: Preset, world: ShapesWorld, tokenizer: Tokenizer, n: int) -> ReplayBatches:
    rng = np.random.default_rng([world.seed, preset.train.seed])  # what Trainer.__init__ uses
    start = time.perf_counter()
    batches = [world.sample_batch(preset.train.batch_size, "train", rng) for _ in range(n)]
    tokens = [tokenizer(b.captions) for b in batches]
    return ReplayBatches(batches, tokens, time.perf_counter() - start)


class ReplayWorld:
    """Stands in for a ShapesWorld inside a Trainer: hands out pre-generated batches in order."""

    def __init__(self, world: ShapesWorld, replay: ReplayBatches):
        self.seed = world.seed
        self._batches = iter(replay.batches)

    def sample_batch(self, n: int, split: str = "train", rng=None, allow_ambiguous: bool = False) -> Batch:
        return next(self._batches)


def adamw_like_trainer(model: TinyCLIP, config: TrainConfig) -> torch.optim.AdamW:
    """The Trainer's optimiser (same groups and hyper-parameters), at a constant lr."""
    decay = [p for p in model.parameters() if p.ndim >= 2 and p.requires_grad]
    no_decay = [p for p in model.parameters() if p.ndim < 2 and p.requires_grad]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=config.lr, betas=(0.9, 0.98), eps=1e-6,
    )


def time_bare_loop(preset: Preset, world: ShapesWorld, replay: ReplayBatches) -> float:
    """Steps/s of forward, clip_loss, zero_grad, backward, AdamW step, and nothing else."""
    model = build_model(preset.model, world, seed=preset.train.seed)
    model.train()
    optimizer = adamw_like_trainer(model, preset.train)
    start = 0.0
    for i, (batch, tokens) in enumerate(zip(replay.batches, replay.tokens, strict=True)):
        if i == WARMUP_SKIP:
            start = time.perf_counter()
        loss = clip_loss(model(batch.images, tokens))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return (len(replay.batches) - WARMUP_SKIP) / (time.perf_counter() - start)


@dataclass
class TrainerReplay:
    steps_per_s: float  # wall time per step (includes tokenising, which Trainer.step counts as data)
    steps_per_s_no_data: float  # step_seconds - data_seconds


def time_trainer_replay(preset: Preset, world: ShapesWorld, replay: ReplayBatches) -> TrainerReplay:
    """The Trainer on the same batches (fresh model, same seed, a schedule as long as the run)."""
    config = TrainConfig.from_dict(preset.train.to_dict())
    config.steps = len(replay.batches)
    model = build_model(preset.model, world, seed=config.seed)
    trainer = Trainer(model, ReplayWorld(world, replay), config)  # type: ignore[arg-type]
    for _ in trainer.run(len(replay.batches)):
        pass
    timed = trainer.history[WARMUP_SKIP:]
    return TrainerReplay(
        steps_per_s=len(timed) / sum(m.step_seconds for m in timed),
        steps_per_s_no_data=len(timed) / sum(m.step_seconds - m.data_seconds for m in timed),
    )


@dataclass
class OverheadResult:
    batches: int
    generate_seconds_per_batch: float
    bare_steps_per_s: list[float]
    trainer_steps_per_s: list[float]
    trainer_steps_per_s_no_data: list[float]
    other_cores: float | None = None

    @property
    def bare(self) -> float:
        return max(self.bare_steps_per_s)

    @property
    def trainer(self) -> float:
        return max(self.trainer_steps_per_s)

    @property
    def trainer_no_data(self) -> float:
        return max(self.trainer_steps_per_s_no_data)


def measure_overhead(preset: Preset, world: ShapesWorld, tokenizer: Tokenizer) -> OverheadResult:
    log(f"pre-generating {REPLAY_BATCHES} batches with the Trainer's data stream ...")
    replay = pregenerate(preset, world, tokenizer, REPLAY_BATCHES)
    log(f"  {replay.seconds:.1f} s ({1000 * replay.seconds / REPLAY_BATCHES:.1f} ms per batch)")
    result = OverheadResult(REPLAY_BATCHES, replay.seconds / REPLAY_BATCHES, [], [], [])
    monitor = OtherCpu()
    for round_ in range(1, REPLAY_ROUNDS + 1):
        bare = time_bare_loop(preset, world, replay)
        result.bare_steps_per_s.append(bare)
        log(f"  round {round_}: bare loop {bare:.1f} steps/s")
        replayed = time_trainer_replay(preset, world, replay)
        result.trainer_steps_per_s.append(replayed.steps_per_s)
        result.trainer_steps_per_s_no_data.append(replayed.steps_per_s_no_data)
        log(f"  round {round_}: Trainer   {replayed.steps_per_s:.1f} steps/s "
            f"({replayed.steps_per_s_no_data:.1f} without its tokenising time)")
    result.other_cores = monitor.cores()
    log("  " + contention_note("overhead comparison", result.other_cores))
    return result


# ----- report -----------------------------------------------------------------------------------


def fmt_pct(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{100 * value:.1f} %"


def target_mark(run: TimedRun) -> MarkResult | None:
    """The last evaluation made within TARGET_SECONDS of training time."""
    within = [m for m in run.marks if m.mark <= TARGET_SECONDS]
    return within[-1] if within else None


def check_targets(run: TimedRun, batch_size: int) -> list[dict]:
    mark = target_mark(run)
    share = data_share(run.history)
    reached = run.time_to_in_batch is not None and run.time_to_in_batch <= TARGET_SECONDS
    at = f" at {mark.elapsed:.1f} s" if mark else ""
    return [
        {"target": f"in-batch retrieval >= {TARGET_IN_BATCH:.0%} (batch {batch_size}) within {TARGET_SECONDS:g} s",
         "measured": (f"reached at {run.time_to_in_batch:.1f} s (step {run.step_to_in_batch})" if run.time_to_in_batch
                      is not None else f"not reached; running mean {fmt_pct(run.final_running_in_batch)} at end"),
         "pass": reached},
        {"target": f"zero-shot seen pairs >= {TARGET_SEEN:.0%} within {TARGET_SECONDS:g} s",
         "measured": (f"{fmt_pct(mark.seen)}{at} ({mark.template!r})" if mark else "not evaluated"),
         "pass": bool(mark and mark.seen >= TARGET_SEEN)},
        {"target": f"zero-shot held-out pairs >= {TARGET_HELD_OUT:.0%} within {TARGET_SECONDS:g} s",
         "measured": (f"{fmt_pct(mark.held_out)}{at} ({mark.template!r})" if mark else "not evaluated"),
         "pass": bool(mark and mark.held_out >= TARGET_HELD_OUT)},
        {"target": f"data <= {TARGET_DATA_SHARE:.0%} of a step",
         "measured": fmt_pct(share), "pass": share <= TARGET_DATA_SHARE},
    ]


def report(preset_name: str, run: TimedRun, overhead: OverheadResult, batch_size: int) -> dict:
    sps = steps_per_second(run.history)
    share = data_share(run.history)
    step_ms = 1000 / sps
    print_table("1. Trainer throughput (timed run, first steps skipped)", [
        ("steps/s", f"{sps:.1f}"),
        ("samples/s", f"{sps * batch_size:.0f}"),
        ("ms per step", f"{step_ms:.1f}"),
        ("data share of a step", fmt_pct(share)),
        ("ms per step making data", f"{step_ms * share:.1f}"),
    ], ("measure", "value"))

    print_table(f"2. Timed run: {run.scheduled_steps} scheduled steps for {run.budget:g} s "
                f"(warm-up estimate {run.estimated_steps_per_s:.1f} steps/s); "
                f"{run.steps_done} steps done in {run.elapsed:.1f} s of training time", [
        (f"{m.mark:g} s", f"{m.elapsed:.1f} s", str(m.step), fmt_pct(m.seen), fmt_pct(m.held_out), repr(m.template),
         fmt_pct(m.in_batch_image_to_text), fmt_pct(m.in_batch_text_to_image)) for m in run.marks
    ], ("mark", "trained", "step", "zs seen", "zs held-out", "best template", "in-batch i->t", "t->i"))
    log(f"running mean of in-batch i->t over {RUNNING_WINDOW} steps reached {TARGET_IN_BATCH:.0%}: "
        + (f"at {run.time_to_in_batch:.1f} s (step {run.step_to_in_batch})" if run.time_to_in_batch is not None
           else "never") + f"; at the end {fmt_pct(run.final_running_in_batch)}")

    ratio, ratio_no_data = overhead.trainer / overhead.bare, overhead.trainer_no_data / overhead.bare
    print_table(f"3. Bare loop vs Trainer on the same {overhead.batches} pre-generated batches "
                f"(fastest of {REPLAY_ROUNDS} alternating rounds)", [
        ("bare loop (fwd, loss, zero_grad, bwd, AdamW)", f"{overhead.bare:.1f}", "1.00"),
        ("Trainer, replayed batches (tokenising included)", f"{overhead.trainer:.1f}", f"{ratio:.2f}"),
        ("Trainer, replayed batches, step - data time", f"{overhead.trainer_no_data:.1f}", f"{ratio_no_data:.2f}"),
        ("Trainer, live data (timed run)", f"{sps:.1f}", f"{sps / overhead.bare:.2f}"),
    ], ("loop", "steps/s", "vs bare"))
    log(f"Trainer overhead over the bare loop (same batches, data time excluded): "
        f"{100 * (1 - ratio_no_data):.1f} % of throughput; generating a batch outside the Trainer took "
        f"{1000 * overhead.generate_seconds_per_batch:.1f} ms")

    targets = check_targets(run, batch_size)
    print_table("4. Targets (docs/ARCHITECTURE.md section 4)",
                [("PASS" if t["pass"] else "MISS", t["target"], t["measured"]) for t in targets],
                ("result", "target", "measured"))
    log(contention_note("machine during the timed run", run.other_cores))
    log(contention_note("machine during the overhead comparison", overhead.other_cores))

    return {
        "preset": preset_name,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "throughput": {"steps_per_s": sps, "samples_per_s": sps * batch_size, "data_share": share},
        "timed_run": {
            "budget_seconds": run.budget, "estimated_steps_per_s": run.estimated_steps_per_s,
            "scheduled_steps": run.scheduled_steps, "steps_done": run.steps_done, "train_seconds": run.elapsed,
            "time_to_in_batch_95": run.time_to_in_batch, "step_to_in_batch_95": run.step_to_in_batch,
            "final_running_in_batch": run.final_running_in_batch,
            "marks": [asdict(m) for m in run.marks],
            "curve": [{"step": m.step, "elapsed": round(m.elapsed, 3), "loss": round(m.loss, 4),
                       "acc_image_to_text": m.acc_image_to_text} for m in run.history],
        },
        "overhead": {
            "batches": overhead.batches, "bare_steps_per_s": overhead.bare_steps_per_s,
            "trainer_steps_per_s": overhead.trainer_steps_per_s,
            "trainer_steps_per_s_no_data": overhead.trainer_steps_per_s_no_data,
            "ratio_trainer_to_bare": ratio, "ratio_trainer_no_data_to_bare": ratio_no_data,
            "generate_seconds_per_batch": overhead.generate_seconds_per_batch,
        },
        "targets": targets,
        "other_processes_cores": {"timed_run": run.other_cores, "overhead": overhead.other_cores},
    }


# ----- main -------------------------------------------------------------------------------------


def timed(label: str, fn: Callable[[], object]) -> object:
    start = time.perf_counter()
    result = fn()
    log(f"{label} took {time.perf_counter() - start:.1f} s of wall time")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="default", help="named preset (clip_core.config.PRESETS)")
    parser.add_argument("--seconds", type=float, default=60.0, help="training-time budget of the timed run")
    parser.add_argument("--seed", type=int, default=None, help="training seed (default: the preset's)")
    parser.add_argument("--captions", choices=("en", "zh", "mixed"), default=None,
                        help="caption language of the training data (default: the preset's, English)")
    parser.add_argument("--json", default=None, metavar="PATH", help="also write the results as JSON here")
    args = parser.parse_args(argv)

    torch.set_num_threads(THREADS)
    wall = time.perf_counter()
    preset = load_preset(args.preset, args.seed, args.captions)
    world = make_world(preset)
    log(f"bench/train.py: preset {args.preset!r}, seed {preset.train.seed}, captions "
        f"{preset.train.caption_language}, {torch.get_num_threads()} threads, "
        f"torch {torch.__version__}, python {platform.python_version()}")
    before = idle_check()
    log(contention_note("before starting", before))

    run: TimedRun = timed("timed run", lambda: timed_run(preset, world, args.seconds))  # type: ignore[assignment]
    tokenizer = Tokenizer(world.vocabulary(), preset.model.context_length)  # as build_model makes it
    overhead: OverheadResult = timed("overhead comparison",  # type: ignore[assignment]
                                     lambda: measure_overhead(preset, world, tokenizer))
    results = report(args.preset, run, overhead, preset.train.batch_size)
    results["captions"] = preset.train.caption_language
    results["wall_seconds"] = time.perf_counter() - wall
    results["other_processes_cores"]["before"] = before
    log(f"\ntotal wall time {results['wall_seconds']:.1f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=float)
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
