"""Beyond the basics: how CLIP scaled, trained live across worker processes (torch.distributed, gloo).

The paper's numbers and their arithmetic; the global logits matrix as worker blocks with what
crosses the wire and what each worker holds; then a live experiment on this server: W real worker
processes (clip_core.launch) train the nano CLIP with gathered negatives, the same W workers with
only their own negatives, and one process on the same pairs. The first gathered matrix is shown
beside the one-process matrix, and the three runs are compared at the same pairs seen.

A run holds W training slots (lessons.common.slots): W busy processes count as W trainings. Stop ends
every worker after the same step; a worker that dies (or is killed) ends the run and frees all.
These models never become the header's model.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr
import numpy as np
import torch

from clip_core import checkpoint, clip_loss, get_preset
from clip_core.launch import DistributedJob, WorkerFailed, WorkerGroup, follow
from clip_core.train import build_model, make_world
from lessons.common import limits, ui
from lessons.common.run import Run, Status, begin, request_stop, waiting
from lessons.common.slots import TRAINING_SLOTS, SlotLoan

from .figures import comparison_figure, gathered_logits_figure, worker_blocks_figure
from .strings import STRINGS

LESSON_ID = "distributed"
MODEL_PRESET = "nano"
DEFAULTS = {"workers": 2, "local_batch": 16, "steps": 300, "seed": 0}
BOUNDS = {"workers": (2, 4), "local_batch": (2, 128), "steps": (10, None), "seed": (0, 2**31 - 1)}
RUNS = ("gathered", "own", "single")  # W workers gathering; W workers on their own pairs; one process
TEMPLATE = "a photo of a {}."
EVAL_BATCH = 64  # in-batch accuracy of every run on the same fixed batches of this size
ZERO_SHOT_PER_PAIR = 4
SLOT_WAIT_SECONDS = 120.0  # how long a run waits for its extra slots before giving up
BYTES_FP32 = 4
# the CLIP paper (Radford et al. 2021): section 2.5 and appendix; d_e of its largest ResNet, RN50x64
PAPER = {"batch": 32768, "gpus": 592, "days": 18, "pairs": 400_000_000, "epochs": 32, "embed_dim": 1024}


@dataclass
class DistributedRun(Run):
    """One learner's experiment: settings, what the workers reported, parity figures, the Stop flag."""

    settings: dict
    current: str = ""  # the run in progress (a key of RUNS)
    pids: list[int] = field(default_factory=list)
    curves: dict = field(default_factory=lambda: {key: {"pairs": [], "loss": []} for key in RUNS})
    reports: dict = field(default_factory=dict)  # run key -> rank 0's final report
    gathered: np.ndarray | None = None  # [W*b, W*b] the workers' first global matrix
    single: np.ndarray | None = None  # [W*b, W*b] one process, same pairs, same weights
    parity: dict = field(default_factory=dict)


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def bounds(name: str) -> tuple[float, float]:
    lo, hi = BOUNDS[name]
    if name == "steps":
        hi = limits.LIMITS.max_steps
    return lo, hi


def validate(lang: str, workers, local_batch, steps, seed) -> dict:
    """The controls as settings, or gr.Error saying what is wrong (slots and operator limits included)."""
    s = labels(lang)
    checked = {}
    for name, value in (("workers", workers), ("local_batch", local_batch), ("steps", steps), ("seed", seed)):
        lo, hi = bounds(name)
        checked[name] = ui.check_number(value, lo, hi, s[f"name_{name}"], lang, integer=True,
                                        limit="max_steps" if name == "steps" else None)
    slots = limits.LIMITS.training_slots
    if checked["workers"] > slots:
        raise gr.Error(s["err_slots"].format(workers=checked["workers"], slots=slots) + " "
                       + limits.over_limit("training_slots", lang))
    global_batch = checked["workers"] * checked["local_batch"]
    if global_batch > limits.LIMITS.max_batch:
        raise gr.Error(s["err_batch"].format(workers=checked["workers"], b=checked["local_batch"], n=global_batch,
                                             max=limits.LIMITS.max_batch) + " " + limits.over_limit("max_batch", lang))
    return checked


def recipe(settings: dict, world_seed: int):
    """(model config, train config) of every run: nano, global batch W * b, the learner's steps and seed."""
    preset = get_preset(MODEL_PRESET)
    train = dataclasses.replace(preset.train, batch_size=settings["workers"] * settings["local_batch"],
                                steps=settings["steps"], seed=settings["seed"], world_seed=world_seed,
                                caption_language="en", warmup_steps=min(preset.train.warmup_steps,
                                                                        settings["steps"] // 4 + 1))
    return preset.model, train


# ----- the arithmetic: the paper's step, and the learner's W and b ---------------------------------


def paper_text(lang: str) -> str:
    """The paper's figures with their arithmetic worked out."""
    s = labels(lang)
    p = PAPER
    logits = p["batch"] ** 2
    largest_share = math.ceil(p["batch"] / p["gpus"])  # the largest share when the batch does not split evenly
    return s["paper"].format(
        ceil=largest_share, batch=p["batch"], gpus=p["gpus"], days=p["days"], gpu_days=p["gpus"] * p["days"],
        gpu_hours=p["gpus"] * p["days"] * 24, pairs=p["pairs"] / 1e6, epochs=p["epochs"],
        seen=p["pairs"] * p["epochs"] / 1e9, steps=p["pairs"] * p["epochs"] / p["batch"], logits=logits,
        bytes=logits * BYTES_FP32, gib=logits * BYTES_FP32 / 2**30, per_gpu=p["batch"] / p["gpus"],
        row_mb=largest_share * p["batch"] * BYTES_FP32 / 2**20, d=p["embed_dim"],
        send_kb=2 * largest_share * p["embed_dim"] * BYTES_FP32 / 2**10,
        gather_mib=2 * p["batch"] * p["embed_dim"] * BYTES_FP32 / 2**20)


def memory_text(lang: str, workers: int, local_batch: int, embed_dim: int) -> str:
    """What each of W workers holds and sends for one step of the toy, in bytes of fp32."""
    s = labels(lang)
    n = workers * local_batch
    return s["memory"].format(
        workers=workers, b=local_batch, n=n, d=embed_dim, send=2 * local_batch * embed_dim * BYTES_FP32,
        receive=2 * (workers - 1) * local_batch * embed_dim * BYTES_FP32, global_logits=n * n * BYTES_FP32,
        local_logits=2 * local_batch * n * BYTES_FP32, own_negatives=local_batch - 1, gathered_negatives=n - 1)


def plan_view(session, workers, local_batch):
    """(blocks figure, memory read-out) for the controls' W and b."""
    s = labels(session.lang)
    workers = ui.check_number(workers, *bounds("workers"), s["name_workers"], session.lang, integer=True)
    local_batch = ui.check_number(local_batch, *bounds("local_batch"), s["name_local_batch"], session.lang,
                                  integer=True)
    figure = worker_blocks_figure(workers, local_batch, {
        "title": s["blocks_title"].format(n=workers * local_batch), "x": s["axis_text"], "y": s["axis_image"],
        "worker": s["blocks_worker"], "diagonal": s["blocks_diagonal"]})
    embed_dim = get_preset(MODEL_PRESET).model.embed_dim
    return session, figure, memory_text(session.lang, workers, local_batch, embed_dim)


# ----- the live experiment ------------------------------------------------------------------------


def run_name(s: dict, key: str, settings: dict) -> str:
    return s[f"run_{key}"].format(w=settings["workers"], b=settings["local_batch"],
                                  n=settings["workers"] * settings["local_batch"])


def progress_html(run: DistributedRun | None, lang: str) -> str:
    s = labels(lang)
    if run is None:
        return f"<div class='train-status'>{s['status_none']}</div>"
    steps = run.settings["steps"]
    done = sum(len(run.curves[k]["loss"]) for k in RUNS)
    percent = 100.0 * done / (steps * len(RUNS))
    bits = [s[f"state_{run.status}"]]
    if run.status == "running" and run.current:
        done_steps = len(run.curves[run.current]["loss"])
        bits.append(s["now"].format(run=run_name(s, run.current, run.settings), done=done_steps, steps=steps))
        if run.pids:
            bits.append(s["pids"].format(pids=", ".join(map(str, run.pids))))
    notice = f"<br><span class='train-notice'>{run.notice}</span>" if run.notice else ""
    return (f"<div class='train-status'><div class='train-bar'><div style='width:{percent:.1f}%'></div></div>"
            f"<span>{' · '.join(bits)}</span>{notice}</div>")


def parity_views(run: DistributedRun | None, lang: str):
    """(gathered vs one-process figure, read-out)."""
    s = labels(lang)
    if run is None or run.gathered is None:
        return None, s["parity_none"]
    figure = gathered_logits_figure(run.gathered, run.single, run.settings["workers"], {
        "title": s["parity_title"].format(w=run.settings["workers"], n=run.gathered.shape[0]),
        "left": s["parity_left"], "right": s["parity_right"], "image": s["axis_image"], "text": s["axis_text"],
        "logit": s["parity_logit"], "difference": s["parity_difference"]})
    p = run.parity
    lines = [s["parity_logits"].format(n=run.gathered.shape[0], diff=p["logits"])]
    if "loss_workers" in p:
        lines.append(s["parity_loss"].format(workers=p["loss_workers"], single=p["loss_single"],
                                             diff=abs(p["loss_workers"] - p["loss_single"])))
    if "curve" in p:
        lines.append(s["parity_curve"].format(steps=p["curve_steps"], diff=p["curve"]))
    if "weights" in p:
        lines.append(s["parity_weights"].format(steps=p["weights_steps"], diff=p["weights"]))
    return figure, "\n\n".join(lines)


def comparison_views(run: DistributedRun | None, lang: str):
    """(comparison figure, measured table and what it says)."""
    s = labels(lang)
    settings = run.settings if run else DEFAULTS
    w, b = settings["workers"], settings["local_batch"]
    runs = {}
    for key in RUNS:
        curve = run.curves[key] if run else {"pairs": [], "loss": []}
        chance = math.log(b if key == "own" else w * b)
        entry = {"name": run_name(s, key, settings), "pairs": curve["pairs"], "loss": curve["loss"], "chance": chance}
        report = run.reports.get(key) if run else None
        if report:
            best = report["zero_shot"]["best_template"]
            entry.update(in_batch=report["in_batch_accuracy"]["image_to_text"], seen=best["seen"],
                         held_out=best["held_out"], pairs_per_second=pairs_per_second(report))
        runs[key] = entry
    figure = comparison_figure(runs, {
        "title": s["compare_title"].format(pairs=w * b * settings["steps"]), "pairs": s["compare_pairs"],
        "loss": s["compare_loss"], "accuracy": s["compare_accuracy"].format(n=EVAL_BATCH),
        "throughput": s["compare_throughput"], "in_batch": s["compare_in_batch"], "seen": s["compare_seen"],
        "held_out": s["compare_held_out"], "empty": s["compare_empty"]})
    return figure, comparison_text(run, lang)


def pairs_per_second(report: dict) -> float:
    return report["steps"] * report["train_config"]["batch_size"] / max(report["train_seconds"], 1e-9)


def comparison_text(run: DistributedRun | None, lang: str) -> str:
    s = labels(lang)
    if run is None or not run.reports:
        return s["table_none"]
    w, b = run.settings["workers"], run.settings["local_batch"]
    rows = [s["table_head"], "|---|" + "---:|" * 8]
    for key in RUNS:
        report = run.reports.get(key)
        if report is None:
            continue
        negatives = b - 1 if key == "own" else w * b - 1
        chance = math.log(negatives + 1)
        last = [h["loss"] for h in report["history"][-10:]]
        best = report["zero_shot"]["best_template"]
        threads = report.get("threads", "")
        rows.append(f"| {run_name(s, key, run.settings)} | {report['workers']} × {threads} | {negatives} | "
                    f"{report['steps'] * w * b:,} | {np.mean(last):.3f} ({chance:.2f}) | "
                    f"{report['in_batch_accuracy']['image_to_text']:.0%} | "
                    f"{best['seen']:.0%} / {best['held_out']:.0%} | "
                    f"{report['train_seconds']:.1f} | {pairs_per_second(report):,.0f} |")
    text = s["table_intro"].format(n=EVAL_BATCH, template=TEMPLATE) + "\n\n" + "\n".join(rows)
    done = run.reports
    if "gathered" in done and "own" in done:
        g, o = done["gathered"], done["own"]
        text += "\n\n" + s["verdict_negatives"].format(
            own=o["in_batch_accuracy"]["image_to_text"], gathered=g["in_batch_accuracy"]["image_to_text"],
            own_seen=o["zero_shot"]["best_template"]["seen"], gathered_seen=g["zero_shot"]["best_template"]["seen"],
            own_held=o["zero_shot"]["best_template"]["held_out"],
            gathered_held=g["zero_shot"]["best_template"]["held_out"], b=b, n=w * b)
    if "gathered" in done and "single" in done:
        ratio = pairs_per_second(done["gathered"]) / pairs_per_second(done["single"])
        text += "\n\n" + s["verdict_speed"].format(w=w, ratio=ratio, gathered=pairs_per_second(done["gathered"]),
                                                   single=pairs_per_second(done["single"]),
                                                   own=pairs_per_second(done["own"]) if "own" in done else 0.0)
    return text


@torch.no_grad()
def one_process_reference(run: DistributedRun, world_seed: int) -> None:
    """The first global batch scored by one process with the same initial weights: the matrix the
    workers must have gathered, and its loss."""
    model_config, train_config = recipe(run.settings, world_seed)
    world = make_world(model_config, train_config)
    model = build_model(model_config, world, train_config.seed).eval()
    rng = np.random.default_rng([world.seed, train_config.seed])  # the trainers' data stream
    batch = world.sample_batch(train_config.batch_size, "train", rng)
    logits = model(batch.images, model.tokenizer(batch.captions))  # [W*b, W*b]
    run.single = logits.numpy()
    run.parity["logits"] = float(np.abs(run.gathered - run.single).max())
    run.parity["loss_single"] = clip_loss(logits).item()


def compare_runs(run: DistributedRun, folder: Path) -> None:
    """Parity of the gathered run with the one-process run: their loss curves and final weights."""
    gathered, single = run.curves["gathered"]["loss"], run.curves["single"]["loss"]
    steps = min(len(gathered), len(single), 10)
    if steps:
        run.parity["curve"] = float(np.max(np.abs(np.array(gathered[:steps]) - np.array(single[:steps]))))
        run.parity["curve_steps"] = steps
    if (folder / "gathered").exists() and (folder / "single").exists() and len(gathered) == len(single):
        a, b = checkpoint.load(folder / "gathered").state_dict(), checkpoint.load(folder / "single").state_dict()
        run.parity["weights"] = max((a[k] - b[k]).abs().max().item() for k in a)
        run.parity["weights_steps"] = len(gathered)


def views(session, run: DistributedRun | None):
    return (progress_html(run, session.lang), *parity_views(run, session.lang),
            *comparison_views(run, session.lang))


def wait_for_slots(session, run: DistributedRun, loan: SlotLoan):
    """Yield views while the extra slots are busy; raise gr.Error after SLOT_WAIT_SECONDS."""
    s = labels(session.lang)
    started = time.perf_counter()
    while not loan.try_take():
        if run.stop_requested or time.perf_counter() - started > SLOT_WAIT_SECONDS:
            run.status = Status.STOPPED
            raise gr.Error(s["err_slot_wait"].format(extra=loan.extra, seconds=SLOT_WAIT_SECONDS))
        busy = loan.busy()
        run.heartbeat = time.monotonic()
        run.status, run.notice = Status.WAITING, s["waiting_extra"].format(
            extra=loan.extra, busy=busy[0] if busy else "?", slots=busy[1] if busy else "?")
        yield session, *views(session, run)
        time.sleep(0.5)
    run.notice = ""


def train_one(session, run: DistributedRun, key: str, folder: Path, time_left: float):
    """Run one of the three trainings on worker processes, yielding views as rank 0 reports."""
    s = labels(session.lang)
    model_config, train_config = recipe(run.settings, session.world_seed)
    workers = 1 if key == "single" else run.settings["workers"]
    job = DistributedJob(model_config.to_dict(), train_config.to_dict(), gather=key != "own",
                         logits_file=str(folder / "logits.npy") if key == "gathered" else None,
                         out=str(folder / key), eval_batch_size=EVAL_BATCH, zero_shot_per_pair=ZERO_SHOT_PER_PAIR,
                         zero_shot_templates=[TEMPLATE])
    curve, started, last_view = run.curves[key], time.perf_counter(), 0.0
    with WorkerGroup(job, workers) as group:
        run.current, run.pids = key, group.pids
        stopping = False
        for event in follow(group):
            run.heartbeat = time.monotonic()
            if not stopping and (run.stop_requested or time.perf_counter() - started > time_left):
                if not run.stop_requested:
                    run.notice = (s["time_limit"].format(limit=limits.LIMITS.max_train_seconds) + " "
                                  + limits.over_limit("max_train_seconds", session.lang))
                    run.stop_requested = True
                group.stop()
                stopping = True
            if event["event"] == "step":
                curve["pairs"].append(event["pairs_seen"])
                curve["loss"].append(event["loss"])
                if key == "gathered" and event["step"] == 1:
                    run.parity["loss_workers"] = event["loss"]
            elif event["event"] == "done":
                run.reports[key] = event["report"]
            if key == "gathered" and run.gathered is None and Path(job.logits_file).exists():
                try:
                    run.gathered = np.load(job.logits_file)
                    one_process_reference(run, session.world_seed)
                except (ValueError, OSError, EOFError):  # still being written: read it next time
                    run.gathered = None
            if time.perf_counter() - last_view >= 0.3:
                last_view = time.perf_counter()
                yield session, *views(session, run)
    run.pids = []


def start(session, workers, local_batch, steps, seed, blocks=None):
    """The three runs one after the other, streaming (session, progress, parity, comparison)."""
    s = labels(session.lang)
    settings = validate(session.lang, workers, local_batch, steps, seed)
    run = begin(session, LESSON_ID, lambda: DistributedRun(settings=settings, status=Status.WAITING,
                                                           heartbeat=time.monotonic()), s)
    loan = SlotLoan(blocks, settings["workers"] - 1)
    folder = Path(tempfile.mkdtemp(prefix="clip-lab-distributed-"))
    started = time.perf_counter()
    try:
        yield from wait_for_slots(session, run, loan)
        run.status = Status.RUNNING
        yield session, *views(session, run)
        for key in RUNS:
            time_left = limits.LIMITS.max_train_seconds - (time.perf_counter() - started)
            yield from train_one(session, run, key, folder, time_left)
            if run.stop_requested:
                break
        compare_runs(run, folder)
        run.status = Status.STOPPED if run.stop_requested else Status.FINISHED
    except WorkerFailed as failure:
        run.status = Status.FAILED
        run.notice = s["worker_failed"].format(reason=str(failure)[:300])
    finally:
        loan.give_back()
        shutil.rmtree(folder, ignore_errors=True)
        run.pids = []
        if run.status in (Status.RUNNING, Status.WAITING):  # the generator was closed (tab closed, cancelled)
            run.status = Status.STOPPED
    if run.notice:
        gr.Warning(run.notice)
    yield session, *views(session, run)


def stop(session):
    request_stop(session, LESSON_ID)
    return session


def refresh(session, workers, local_batch):
    """Page load: the plan for the controls' W and b, the paper's arithmetic, the experiment as left."""
    try:
        _, figure, memory = plan_view(session, workers, local_batch)
    except gr.Error as error:
        figure, memory = None, f"⚠ {error.message}"
    return paper_text(session.lang), figure, memory, *views(session, session.runs.get(LESSON_ID))


def build(ctx) -> None:
    t = ctx.i18n
    blocks = gr.context.Context.root_block  # its queue holds the training slots (lessons.common.slots)
    lead, body = ctx.prose(LESSON_ID)
    paper = gr.Markdown(elem_id="distributed-paper")
    gr.Markdown(t("distributed.plan_heading"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=260):
            workers = ui.Slider(*bounds("workers"), value=DEFAULTS["workers"], step=1, label=t("distributed.workers"),
                                elem_id="distributed-workers")
            local_batch = ui.Slider(*bounds("local_batch"), value=DEFAULTS["local_batch"], step=1,
                                    label=t("distributed.local_batch"), elem_id="distributed-local-batch")
            memory = gr.Markdown(elem_id="distributed-memory")
        with gr.Column(scale=2):
            blocks_plot = gr.Plot(show_label=False, elem_id="distributed-blocks")

    gr.Markdown(t("distributed.live_heading"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=260):
            with gr.Row():
                start_button = gr.Button(t("distributed.start"), variant="primary", size="sm",
                                         elem_id="distributed-start")
                stop_button = gr.Button(t("distributed.stop"), variant="stop", size="sm", elem_id="distributed-stop")
            status = gr.HTML(elem_id="distributed-progress")
            steps = ui.Number(value=DEFAULTS["steps"], precision=0, minimum=bounds("steps")[0],
                              maximum=bounds("steps")[1], label=t("distributed.steps"),
                              elem_id="distributed-steps").limited_by("max_steps")
            seed = ui.Number(value=DEFAULTS["seed"], precision=0, minimum=0, label=t("distributed.seed"),
                             elem_classes=["advanced"])
            parity_text = gr.Markdown(elem_id="distributed-parity-readout")
        with gr.Column(scale=2):
            parity_plot = gr.Plot(show_label=False, elem_id="distributed-parity")
    compare_plot = gr.Plot(show_label=False, elem_id="distributed-compare")
    compare_text = gr.Markdown(elem_id="distributed-readout")
    body.render()

    ctx.on(functools.partial(gr.on, [workers.release, local_batch.release]), plan_view, [workers, local_batch],
           [ctx.session, blocks_plot, memory], api_name="distributed_plan", trigger_mode="always_last")

    def run_experiment(session, workers, local_batch, steps, seed):
        yield from start(session, workers, local_batch, steps, seed, blocks)

    outputs = [ctx.session, status, parity_plot, parity_text, compare_plot, compare_text]
    show_waiting = waiting(LESSON_ID, labels, TRAINING_SLOTS)
    ctx.on(start_button.click(show_waiting, [ctx.session], [status], queue=False, api_visibility="private").then,
           run_experiment, [workers, local_batch, steps, seed], outputs, api_name="distributed_start",
           concurrency_limit=TRAINING_SLOTS, concurrency_id="training")
    ctx.on(stop_button.click, stop, [], [ctx.session], api_name="distributed_stop", queue=False)
    ctx.refresh(refresh, [workers, local_batch], [paper, blocks_plot, memory, *outputs[1:]],
                api_name="distributed_refresh", on_model_change=False)
