"""Beyond the basics: batch size and negatives. The loss at chance is ln n (measured on a random
model), and the same budget of training images spent at several batch sizes (accuracy against
measured wall time and against images seen; clip_core.experiments.batch_size_sweep underneath).

The sweep streams like lesson 5's training: it shares lesson 5's training slots, a Stop flag is
checked at every measured point (a few times a second), and what was measured stays on screen.
The sweep's models are thrown away; only their measurements are kept.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import gradio as gr
import numpy as np
import torch

from clip_core import get_preset
from clip_core.data import POSITIONS, SIZES, STYLES, Batch
from clip_core.experiments import batch_size_sweep
from clip_core.loss import clip_loss
from lessons.common import limits, ui
from lessons.common.quiz import Measured, Question, checkpoint
from lessons.common.quiz import strings as quiz_strings
from lessons.common.run import Run, begin, request_stop, stream, waiting
from lessons.common.session import SHARED_RESULTS
from lessons.common.slots import TRAINING_SLOTS
from lessons.common.ui import check_number

from .figures import budget_sweep_figure, chance_loss_figure
from .quiz import CHOICES as QUIZ_CHOICES
from .quiz import STRINGS as QUIZ_STRINGS
from .strings import STRINGS

LESSON_ID = "negatives"
N_MIN, N_MAX = 2, 512  # the chance-level slider
MEASURED_N = tuple(2**k for k in range(1, 10))  # 2 ... 512: the random model's loss is measured at these
PAPER_BATCH = 32_768  # Radford et al. 2021, section 2.5
BATCH_CHOICES = (4, 8, 16, 32, 64, 128, 256)
DEFAULT_BATCHES = [8, 32, 128]
BUDGET_MIN, BUDGET_MAX, BUDGET_STEP = 2_560, 51_200, 256  # a multiple of 256 divides by every batch choice
DEFAULT_BUDGET = 19_200  # 128 x 150: measured on nano at about 20 s of training for 8, 32 and 128
EVALUATIONS = 12  # measured points per batch size
EVAL_BATCH = 64  # in-batch accuracy is measured at this batch size for every run
MODEL_PRESET = "nano"  # small and fast: three runs must fit in a lesson
TEMPLATE = "a photo of a {}."  # the sweep's zero-shot prompt (its default)


@dataclass
class SweepRun(Run):
    """One learner's batch-size sweep: its settings and the points measured so far."""

    settings: dict
    points: list[dict] = field(default_factory=list)


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


# ----- the loss at chance ------------------------------------------------------------------------


def train_scenes(world) -> int:
    """Distinct scenes the training split holds (colour-shape pairs not held out x sizes x positions x styles)."""
    return len(world.classes("seen")) * len(SIZES) * len(POSITIONS) * len(STYLES)


def chance_batch(world, n: int) -> Batch:
    """A real training batch of n pairs for (world, n): always the same. Beyond the training split's
    distinct scenes, the rest is a second draw, so some scenes (and captions) appear twice."""
    rng = np.random.default_rng([world.seed, 31, n])
    first = min(n, train_scenes(world))
    batch = world.sample_batch(first, "train", rng)
    if first == n:
        return batch
    extra = world.sample_batch(n - first, "train", rng)
    return Batch(torch.cat([batch.images, extra.images]), batch.captions + extra.captions, None)


@torch.no_grad()
def random_model_loss(session, n: int) -> float:
    """CLIP's loss of the app's random-init model on `chance_batch(world, n)` (the same for every
    learner: the model and the batch are seeded, so it is computed once per process)."""
    model = session.model("random")
    world = session.world
    key = ("negatives_chance", json.dumps(model.config.to_dict(), sort_keys=True), tuple(model.tokenizer.itos),
           world.seed, n)

    def measure() -> float:
        batch = chance_batch(world, n)
        model.eval()
        return clip_loss(model(batch.images, model.tokenizer(batch.captions))).item()

    return SHARED_RESULTS.get(key, measure)


def chance_view(session, n):
    """(figure, read-out) of the loss at chance for batch size n."""
    s = labels(session.lang)
    n = ui.check_number(n, N_MIN, N_MAX, s["name_n"], session.lang, integer=True)
    measured = {k: random_model_loss(session, k) for k in sorted({*MEASURED_N, n})}
    figure = chance_loss_figure(n, measured, PAPER_BATCH, {
        "title": s["chance_title"], "x": s["chance_x"], "y": s["chance_y"], "curve": s["chance_curve"],
        "measured": s["chance_measured"], "chosen": s["chance_chosen"], "paper": s["chance_paper"]})
    text = s["chance_readout"].format(n=n, negatives=n - 1, logits=n * n, ln=math.log(n), measured=measured[n],
                                      scale=session.model("random").scale().item(), paper=PAPER_BATCH,
                                      paper_negatives=PAPER_BATCH - 1, paper_logits=PAPER_BATCH**2,
                                      paper_ln=math.log(PAPER_BATCH), paper_gib=PAPER_BATCH**2 * 4 / 2**30)
    if n > train_scenes(session.world):
        text += "\n\n" + s["chance_repeats"].format(n=n, distinct=train_scenes(session.world),
                                                     repeated=n - train_scenes(session.world))
    return figure, text


# ----- the same image budget at several batch sizes -----------------------------------------------


def validate(lang: str, budget, batch_sizes, seed) -> dict:
    """The sweep's controls as settings, or gr.Error saying what is wrong."""
    s = labels(lang)
    budget = ui.check_number(budget, BUDGET_MIN, BUDGET_MAX, s["name_budget"], lang, integer=True)
    if budget % BUDGET_STEP:
        raise gr.Error(s["err_budget_step"].format(budget=budget, step=BUDGET_STEP))
    if isinstance(batch_sizes, (str, int, float)) or not batch_sizes:
        raise gr.Error(s["err_no_batches"].format(choices=", ".join(map(str, BATCH_CHOICES))))
    chosen = []
    for value in batch_sizes:
        size = ui.check_number(value, min(BATCH_CHOICES), max(BATCH_CHOICES), s["name_batches"], lang, integer=True)
        if size not in BATCH_CHOICES:
            raise gr.Error(s["err_no_batches"].format(choices=", ".join(map(str, BATCH_CHOICES))))
        if size > limits.LIMITS.max_batch:
            raise gr.Error(s["err_batch_limit"].format(b=size, max=limits.LIMITS.max_batch) + " "
                           + limits.over_limit("max_batch", lang))
        chosen.append(size)
    chosen = sorted(set(chosen))
    steps = budget // chosen[0]
    if steps > limits.LIMITS.max_steps:
        raise gr.Error(s["err_steps_limit"].format(steps=steps, b=chosen[0], max=limits.LIMITS.max_steps) + " "
                       + limits.over_limit("max_steps", lang))
    seed = ui.check_number(seed, 0, 2**31 - 1, s["name_seed"], lang, integer=True)
    return {"budget": budget, "batch_sizes": chosen, "seed": seed}


def progress_html(run: SweepRun | None, lang: str) -> str:
    s = labels(lang)
    if run is None:
        return f"<div class='train-status'>{s['status_none']}</div>"
    sizes = run.settings["batch_sizes"]
    last = run.points[-1] if run.points else None
    done_images = sum(p["images_seen"] for p in _latest(run).values())
    percent = 100.0 * done_images / (run.settings["budget"] * len(sizes))
    bits = [s[f"state_{run.status}"]]
    if last is not None:
        bits.append(s["progress"].format(k=sizes.index(last["batch_size"]) + 1, runs=len(sizes), b=last["batch_size"],
                                         step=last["step"], steps=last["steps"], seconds=last["elapsed"]))
    bits.append(s["wall"].format(seconds=run.wall_seconds))
    notice = f"<br><span class='train-notice'>{run.notice}</span>" if run.notice else ""
    return (f"<div class='train-status'><div class='train-bar'><div style='width:{percent:.1f}%'></div></div>"
            f"<span>{' · '.join(bits)}</span>{notice}</div>")


def _latest(run: SweepRun) -> dict[int, dict]:
    """The last measured point of each batch size so far."""
    return {p["batch_size"]: p for p in run.points}


def readout(run: SweepRun | None, lang: str) -> str:
    """A table of the last point of every batch size, and which one came out ahead so far."""
    s = labels(lang)
    if run is None or not run.points:
        return s["readout_none"]
    latest = _latest(run)
    rows = [s["table_head"], "|" + "---:|" * 9]
    for batch, p in sorted(latest.items()):
        rate = p["images_seen"] / max(p["elapsed"], 1e-9)
        rows.append(f"| **{batch}** | {p['step']}/{p['steps']} | {batch - 1} | {batch * batch:,} | "
                    f"{p['images_seen'] * batch:,} | {p['elapsed']:.1f} | {rate:,.0f} | "
                    f"{p['in_batch_image_to_text']:.0%} | {p['zero_shot_seen']:.0%} / {p['zero_shot_held_out']:.0%} |")
    text = s["table_intro"].format(budget=run.settings["budget"], eval_batch=EVAL_BATCH) + "\n\n" + "\n".join(rows)
    finished = {b: p for b, p in latest.items() if p["step"] == p["steps"]}
    if len(finished) >= 2:
        fastest = min(finished.values(), key=lambda p: p["elapsed"])
        slowest = max(finished.values(), key=lambda p: p["elapsed"])
        best = max(finished.values(), key=lambda p: (p["zero_shot_held_out"] + p["zero_shot_seen"],
                                                     p["in_batch_image_to_text"]))
        text += "\n\n" + s["verdict"].format(fast=fastest["batch_size"], fast_s=fastest["elapsed"],
                                             slow=slowest["batch_size"], slow_s=slowest["elapsed"],
                                             best=best["batch_size"], seen=best["zero_shot_seen"],
                                             held=best["zero_shot_held_out"], inbatch=best["in_batch_image_to_text"])
    return text


def sweep_figure(run: SweepRun | None, lang: str):
    s = labels(lang)
    sizes = run.settings["batch_sizes"] if run else DEFAULT_BATCHES
    budget = run.settings["budget"] if run else DEFAULT_BUDGET
    return budget_sweep_figure(run.points if run else [], sizes, budget, EVAL_BATCH, 48, {
        "title": s["sweep_title"].format(budget=budget),
        "time": s["sweep_time"], "images": s["sweep_images"], "in_batch": s["sweep_in_batch"].format(n=EVAL_BATCH),
        "zero_shot": s["sweep_zero_shot"], "batch": s["sweep_batch"], "seen": s["sweep_seen"],
        "held_out": s["sweep_held_out"], "chance": s["sweep_chance"], "empty": s["sweep_empty"],
        "panel_time": s["sweep_panel_time"], "panel_images": s["sweep_panel_images"]})


def sweep_views(session, run: SweepRun | None):
    return progress_html(run, session.lang), sweep_figure(run, session.lang), readout(run, session.lang)


def start(session, budget, batch_sizes, seed):
    """Run the sweep, streaming (session, progress, figure, read-out) as the points are measured."""
    s = labels(session.lang)
    settings = validate(session.lang, budget, batch_sizes, seed)
    run = begin(session, LESSON_ID, lambda: SweepRun(settings=settings), s)
    preset = get_preset(MODEL_PRESET)
    preset.train.seed, preset.train.world_seed = settings["seed"], session.world_seed
    sweep = batch_size_sweep(preset.model, preset.train, settings["budget"], tuple(settings["batch_sizes"]),
                             EVALUATIONS, EVAL_BATCH, TEMPLATE, world=session.world)
    points = (run.points.append(point.to_dict()) for point in sweep)
    yield from stream(session, run, points, lambda: sweep_views(session, run), s, done=lambda: False,
                      keep=sweep.close)


def stop(session):
    request_stop(session, LESSON_ID)
    return session


def refresh(session, n):
    """Page load: the chance view for the slider's n, and the sweep as this session left it."""
    try:
        figure, text = chance_view(session, n)
    except gr.Error as error:
        figure, text = None, f"⚠ {error.message}"
    return figure, text, *sweep_views(session, session.runs.get(LESSON_ID))


def double_n_measured(session, n) -> Measured:
    """Negatives lesson: the random model's loss on a real batch of n pairs and of 2n, against ln n."""
    s = quiz_strings(QUIZ_STRINGS, session.lang)
    n = check_number(n, N_MIN, N_MAX, "n", session.lang, integer=True)
    n = min(n, N_MAX // 2)  # 2n must be a batch the lesson can measure
    small, large = random_model_loss(session, n), random_model_loss(session, 2 * n)
    predictions = {"doubles": 2 * small, "plus_ln2": small + math.log(2), "same": small, "halves": small / 2}
    right = min(predictions, key=lambda k: abs(predictions[k] - large))
    numbers = s["double_n.numbers"].format(n=n, n2=2 * n, small=small, large=large, diff=large - small,
                                           ln2=math.log(2), ln_n=math.log(n), ln_2n=math.log(2 * n))
    return Measured((right,), numbers)


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    gr.Markdown(t("negatives.chance_heading"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            n = ui.Slider(N_MIN, N_MAX, value=32, step=1, label=t("negatives.n"), elem_id="negatives-n")
            chance_text = gr.Markdown(elem_id="negatives-chance-readout")
        with gr.Column(scale=2):
            chance_plot = gr.Plot(show_label=False, elem_id="negatives-chance")
    checkpoint(ctx, Question("double_n", QUIZ_CHOICES, double_n_measured, QUIZ_STRINGS), [n])

    gr.Markdown(t("negatives.sweep_heading"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            with gr.Row():
                start_button = gr.Button(t("negatives.start"), variant="primary", size="sm", elem_id="negatives-start")
                stop_button = gr.Button(t("negatives.stop"), variant="stop", size="sm", elem_id="negatives-stop")
            status = gr.HTML(elem_id="negatives-progress")
            sizes = [b for b in BATCH_CHOICES if b <= limits.LIMITS.max_batch]
            batch_sizes = gr.CheckboxGroup(sizes, value=[b for b in DEFAULT_BATCHES if b in sizes],
                                           label=t("negatives.batches"), elem_id="negatives-batches")
            budget = ui.Slider(BUDGET_MIN, BUDGET_MAX, value=DEFAULT_BUDGET, step=BUDGET_STEP,
                               label=t("negatives.budget"), elem_id="negatives-budget")
            seed = ui.Number(value=0, precision=0, minimum=0, label=t("negatives.seed"), elem_classes=["advanced"])
        with gr.Column(scale=3):
            sweep_plot = gr.Plot(show_label=False, elem_id="negatives-sweep")
    sweep_text = gr.Markdown(elem_id="negatives-readout")
    body.render()

    ctx.on(n.input, ui.keep_session(chance_view), [n], [ctx.session, chance_plot, chance_text],
           api_name="negatives_chance", show_progress="hidden", trigger_mode="always_last")

    show_waiting = waiting(LESSON_ID, labels, TRAINING_SLOTS)
    ctx.on(start_button.click(show_waiting, [ctx.session], [status], queue=False, api_visibility="private").then,
           start, [budget, batch_sizes, seed], [ctx.session, status, sweep_plot, sweep_text],
           api_name="negatives_start", concurrency_limit=TRAINING_SLOTS, concurrency_id="training")
    ctx.on(stop_button.click, stop, [], [ctx.session], api_name="negatives_stop", queue=False)
    ctx.refresh(refresh, [n], [chance_plot, chance_text, status, sweep_plot, sweep_text], api_name="negatives_refresh",
                on_model_change=False)
    ctx.shareable(LESSON_ID, {"n": n, "budget": budget, "batches": batch_sizes, "seed": seed},
                  redraw=(ui.keep_session(chance_view), [ctx.session, n], [ctx.session, chance_plot, chance_text]))
