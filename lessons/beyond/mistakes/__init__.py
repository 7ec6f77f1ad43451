"""Beyond the basics - classic mistakes: the correct CLIP and one with a classic mistake train
side by side (same seed, so the same initial weights and batches), streamed into two columns.

The mistakes are clip_core.mistakes' switches (soft targets, no L2 norm, no clamp, one-directional
loss, duplicate captions, temperature fixed at 1); clip_core.experiments.side_by_side builds the pair.
Everything shown is measured from the two trainers: their step metrics, the probe batch scored by
each `scoring_model` (the mistaken one scores pairs the way it was trained), zero-shot accuracy at
a few fixed steps, and a table of every run this session made. As in lesson 5, a Stop flag is
checked between steps, so a stop keeps both models.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import gradio as gr
import numpy as np
import torch

from clip_core import get_preset
from clip_core.data import Batch
from clip_core.experiments import SideBySide, side_by_side
from clip_core.mistakes import MISTAKE_NAMES, Mistakes
from clip_core.train import Trainer, in_batch_accuracy
from clip_core.zeroshot import evaluate_templates
from lessons.common import limits, ui
from lessons.common import prose_values as text_values
from lessons.common.compute import demo_batch, embed_batch, logits_data, thumbnails
from lessons.common.heatmap import heatmap_labels, logits_figure
from lessons.common.run import BUILD_LOCK, Run, begin, request_stop, stream, waiting
from lessons.common.slots import TRAINING_SLOTS

from .figures import side_by_side_curves_figure
from .strings import STRINGS

LESSON_ID = "mistakes"
PRESETS = {  # nano model (1-layer towers) at batch 64; only the starting temperature differs
    "quick": dict(steps=300, init_temperature=0.07),  # the paper's tau = 0.07: exp(t) starts at 14.3
    "hot": dict(steps=300, init_temperature=0.002),  # exp(t) starts at 500: the clamp acts at once
}
VIEWS = ("p_image_to_text", "logits")
BATCH_SIZE = 64
PROBE_N, PROBE_SEED = 8, 2024  # the probe batch of lesson 5: the same 8 pairs at every update
ZERO_SHOT_TEMPLATE = "a photo of a {}."
ZERO_SHOT_POINTS = 5  # evaluations spread evenly over the schedule, plus step 0 and any stop
ZERO_SHOT_PER_PAIR = 2  # test images per colour-shape pair: cheap enough for six evaluations a run
LOSS_WINDOW = 10  # the results table's loss is the mean of the last steps
MAX_SEED = 2**31 - 1


@dataclass
class MistakesRun(Run):
    """One side-by-side run and what its views need."""

    pair: SideBySide
    mistake: str
    preset: str
    seed: int
    probe: Batch
    probe_thumbnails: list[str]
    test: Batch
    test_labels: np.ndarray
    test_held_out: np.ndarray
    classnames: list[str]
    eval_steps: set[int]
    zero_shot: tuple[dict, dict] = field(default_factory=lambda: tuple(
        {"step": [], "seen": [], "held_out": []} for _ in range(2)))

    @property
    def trainers(self) -> tuple[Trainer, Trainer]:
        return self.pair.correct, self.pair.variant


@dataclass
class MistakesLab:
    """What the lesson keeps across this session's runs (session.kept["mistakes"]): the results table
    and the probe heatmaps' view."""

    results: list[dict] = field(default_factory=list)
    view: str = "p_image_to_text"


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def lab_of(session) -> MistakesLab:
    return session.kept.setdefault(LESSON_ID, MistakesLab())


def current_run(session) -> MistakesRun | None:
    run = session.runs.get(LESSON_ID)
    return run if isinstance(run, MistakesRun) else None


def _choice(value, choices, key: str, lang: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise gr.Error(labels(lang)[key].format(value=value, choices=", ".join(choices)))
    return value


def validate(lang: str, mistake, preset, steps, seed) -> dict:
    """The controls as settings, or gr.Error saying what is wrong."""
    text = labels(lang)
    return {
        "mistake": _choice(mistake, MISTAKE_NAMES, "unknown_mistake", lang),
        "preset": _choice(preset, tuple(PRESETS), "unknown_preset", lang),
        "steps": ui.check_number(steps, 1, limits.LIMITS.max_steps, text["name_steps"], lang, integer=True,
                                 limit="max_steps"),
        "seed": ui.check_number(seed, 0, MAX_SEED, text["name_seed"], lang, integer=True),
    }


def new_run(session, settings: dict) -> MistakesRun:
    """Both trainers from the preset and seed (the same seed: same weights, same batches)."""
    nano = get_preset("nano")
    world = session.world
    model_config = replace(nano.model, init_temperature=PRESETS[settings["preset"]]["init_temperature"],
                           image_size=world.image_size)
    steps = settings["steps"]
    train_config = replace(nano.train, steps=steps, seed=settings["seed"], world_seed=world.seed,
                           batch_size=min(BATCH_SIZE, limits.LIMITS.max_batch),
                           warmup_steps=min(nano.train.warmup_steps, steps // 4 + 1))
    with BUILD_LOCK:  # build_model seeds torch's global generator: build one pair at a time
        pair = side_by_side(model_config, train_config, Mistakes(**{settings["mistake"]: True}), world=world)
    probe = demo_batch(world, PROBE_N, PROBE_SEED)
    test = world.test_set(ZERO_SHOT_PER_PAIR, "all")
    classnames = world.classes("colour_shape")
    marks = {0, steps} | {max(1, round(steps * k / ZERO_SHOT_POINTS)) for k in range(1, ZERO_SHOT_POINTS)}
    return MistakesRun(
        pair=pair, mistake=settings["mistake"], preset=settings["preset"], seed=settings["seed"], probe=probe,
        probe_thumbnails=thumbnails(probe), test=test,
        test_labels=np.array([classnames.index(p) for p in test.attributes.pair_names()]),
        test_held_out=world.is_held_out(test.attributes), classnames=classnames, eval_steps=marks,
    )


@torch.no_grad()
def zero_shot(run: MistakesRun, trainer: Trainer) -> tuple[float, float]:
    """(seen, held-out) zero-shot accuracy of a run's model, scored as it was trained."""
    model = trainer.scoring_model
    row = evaluate_templates(model, model.tokenizer, run.test.images, run.test_labels, run.classnames,
                             [ZERO_SHOT_TEMPLATE], groups={"seen": ~run.test_held_out, "held_out": run.test_held_out},
                             ensembles=False)[0]
    return row["seen"], row["held_out"]


def evaluate_zero_shot(run: MistakesRun) -> None:
    for trainer, record in zip(run.trainers, run.zero_shot, strict=True):
        seen, held_out = zero_shot(run, trainer)
        record["step"].append(trainer.steps_done)
        record["seen"].append(seen)
        record["held_out"].append(held_out)


def _history(trainer: Trainer) -> dict[str, list[float]]:
    keys = ("step", "loss", "acc_image_to_text", "acc_text_to_image", "logit_scale")
    return {k: [getattr(m, k) for m in trainer.history] for k in keys}


def summary(run: MistakesRun, trainer: Trainer, record: dict) -> dict:
    """One model's numbers for the results table (accuracies 0..1)."""
    losses = [m.loss for m in trainer.history[-LOSS_WINDOW:]]
    accuracy = in_batch_accuracy(trainer.scoring_model, trainer.world, trainer.config.batch_size, batches=4)
    return {"loss": float(np.mean(losses)) if losses else float("nan"),
            "in_batch": (accuracy["image_to_text"] + accuracy["text_to_image"]) / 2,
            "scale": trainer.scoring_model.scale().item(),
            "seen": record["seen"][-1], "held_out": record["held_out"][-1]}


def record_result(lab: MistakesLab, run: MistakesRun) -> dict:
    correct, variant = run.trainers
    row = {"mistake": run.mistake, "preset": run.preset, "seed": run.seed, "steps": correct.steps_done,
           "total": correct.config.steps, "status": run.status, "seconds": run.wall_seconds,
           "correct": summary(run, correct, run.zero_shot[0]), "variant": summary(run, variant, run.zero_shot[1])}
    lab.results.append(row)
    return row


# ----- views -------------------------------------------------------------------------------------


def progress_html(run: MistakesRun | None, lang: str) -> str:
    text = labels(lang)
    if run is None:
        return f"<div class='train-status'>{text['status_none']}</div>"
    correct, variant = run.trainers
    done, total = correct.steps_done, correct.config.steps
    rate = done / run.wall_seconds if run.wall_seconds > 0 else 0.0
    bits = [text.get(f"state_{run.status}", run.status), f"{text['step_word']} {done}/{total}"]
    if rate:
        bits.append(f"{rate:.1f} {text['steps_per_s']}")
    if rate and run.status == "running":
        bits.append(f"{text['time_left']} {(total - done) / rate:.0f} s")
    if correct.history:
        bits.append(f"{text['loss_word']} {correct.history[-1].loss:.3f} / {variant.history[-1].loss:.3f}")
    notice = f"<br><span class='train-notice'>{run.notice}</span>" if run.notice else ""
    return (f"<div class='train-status'><div class='train-bar'><div style='width:{100 * done / max(1, total):.1f}%'>"
            f"</div></div><span>{' · '.join(bits)}</span>{notice}</div>")


def column_titles(lang: str, mistake: str | None) -> tuple[str, str]:
    text = labels(lang)
    name = text[f"short.{mistake}"] if mistake else "…"
    return text["correct"], text["mistaken"].format(name=name)


def curves_figure(run: MistakesRun | None, lang: str):
    text = labels(lang)
    if run is None:
        empty = {k: [] for k in ("step", "loss", "acc_image_to_text", "acc_text_to_image", "logit_scale")}
        nothing = {"step": [], "seen": [], "held_out": []}
        start = 1 / PRESETS["quick"]["init_temperature"]
        return side_by_side_curves_figure((empty, empty), (nothing, nothing), BATCH_SIZE, (start, start),
                                          (True, True), column_titles(lang, None), text)
    correct, variant = run.trainers
    mistakes = variant.mistakes
    init_scale = 1 / correct.model.config.init_temperature
    return side_by_side_curves_figure(
        (_history(correct), _history(variant)), run.zero_shot, correct.config.batch_size,
        (init_scale, 1.0 if mistakes.fixed_temperature_one else init_scale), (True, not mistakes.no_clamp),
        column_titles(lang, run.mistake), text, max_scale=correct.model.config.max_logit_scale)


def probe_figures(run: MistakesRun | None, lang: str, view: str):
    """The probe batch's heatmaps under both models (None, None before any run)."""
    if run is None:
        return None, None

    text = labels(lang)
    figures = []
    titles = (text["correct"], text["mistaken_short"].format(name=text[f"short.{run.mistake}"]))
    for trainer, title in zip(run.trainers, titles, strict=True):
        embedded = embed_batch(trainer.scoring_model, run.probe)  # eval mode, as the model scores pairs
        data = logits_data(embedded, embedded.learned_scale, run.probe_thumbnails)
        heading = text["probe_title"].format(model=title, step=trainer.steps_done, loss=data.total, n=PROBE_N,
                                             chance=math.log(PROBE_N))
        figure = logits_figure(data, view, heatmap_labels(lang), height=470, title=heading)
        figures.append(figure.update_layout(margin_l=68))  # room for the column-loss axis title at half width
    return tuple(figures)


def _percent(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{100 * value:.0f} %"


def results_markdown(lab: MistakesLab, lang: str) -> str:
    text = labels(lang)
    if not lab.results:
        return f"{text['results_heading']}\n\n{text['results_empty']}"
    header = [text[f"col_{k}"] for k in ("run", "mistake", "setup", "loss", "acc", "scale", "seen", "held")]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for number, row in enumerate(lab.results, start=1):
        mistaken, correct = row["variant"], row["correct"]
        setup = f"{text['preset_short.' + row['preset']]} · {row['total']} · {row['seed']}"
        if row["steps"] < row["total"]:
            setup += f" ({text['stopped_at'].format(step=row['steps'])})"
        setup += f" · {row['seconds']:.0f} s"
        cells = [str(number), text[f"short.{row['mistake']}"], setup,
                 f"**{mistaken['loss']:.2f}** / {correct['loss']:.2f}",
                 f"**{_percent(mistaken['in_batch'])}** / {_percent(correct['in_batch'])}",
                 f"**{mistaken['scale']:.1f}** / {correct['scale']:.1f}",
                 f"**{_percent(mistaken['seen'])}** / {_percent(correct['seen'])}",
                 f"**{_percent(mistaken['held_out'])}** / {_percent(correct['held_out'])}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([text["results_heading"], "", *lines, "", f"<small>{text['results_notes']}</small>"])


def views(session):
    """(progress, curves, correct probe, mistaken probe, results table) of this session's lab."""
    lab, run = lab_of(session), current_run(session)
    return (progress_html(run, session.lang), curves_figure(run, session.lang),
            *probe_figures(run, session.lang, lab.view), results_markdown(lab, session.lang))


# ----- handlers ----------------------------------------------------------------------------------


def start(session, mistake, preset, steps, seed):
    """Train the correct CLIP and the chosen mistake side by side (same seed, so the same initial
    weights and batches), streaming the views; the result joins the table when the run ends."""
    text = labels(session.lang)
    settings = validate(session.lang, mistake, preset, steps, seed)

    def make() -> MistakesRun:
        run = new_run(session, settings)
        evaluate_zero_shot(run)  # step 0: both start from the same weights
        return run

    run = begin(session, LESSON_ID, make, text)
    correct = run.pair.correct

    def diverged(metrics) -> str | None:
        bad = [name for name, m in zip(("correct", "variant"), metrics, strict=True)
               if not (m.finite and math.isfinite(m.loss))]
        return text["diverged"].format(which=text[f"which_{bad[0]}"], step=correct.steps_done) if bad else None

    def measured(metrics):
        if correct.steps_done in run.eval_steps:
            evaluate_zero_shot(run)
        return metrics

    def finish() -> None:
        if run.zero_shot[0]["step"][-1] != correct.steps_done:
            evaluate_zero_shot(run)
        record_result(lab_of(session), run)

    steps_taken = (measured(metrics) for metrics in iter(run.pair.step, None))
    yield from stream(session, run, steps_taken, lambda: views(session), text,
                      done=lambda: correct.steps_done >= correct.config.steps, diverged=diverged, finish=finish)


def stop(session):
    """Ask the running side-by-side training to stop after its current step (both models are kept)."""
    request_stop(session, LESSON_ID)
    return session


def set_view(session, view):
    """Redraw both probe heatmaps as probabilities or as logits."""
    lab = lab_of(session)
    lab.view = _choice(view, VIEWS, "unknown_view", session.lang)
    return session, *probe_figures(current_run(session), session.lang, lab.view)


def apply_preset(session, name):
    """(steps, the preset menu with this preset's note under it); steps lowered to the operator's
    limit if need be."""
    lang = session.lang if session is not None else "en"
    name = _choice(name, tuple(PRESETS), "unknown_preset", lang)
    return min(PRESETS[name]["steps"], limits.LIMITS.max_steps), gr.update(info=labels(lang)[f"preset_note.{name}"])


def prose_values(session) -> dict[str, str]:
    """The zero-shot test set's size for the prose, and how far one image moves each accuracy."""
    world = text_values.prose_values(session)  # the world's counts, memoised per session
    n_pairs, n_held = int(world["n_pairs"]), int(world["n_held_out"])
    held_images = n_held * ZERO_SHOT_PER_PAIR
    return {"zs_per_pair": str(ZERO_SHOT_PER_PAIR), "zs_test_images": str(n_pairs * ZERO_SHOT_PER_PAIR),
            "zs_held_images": str(held_images), "zs_held_step": f"{100 / held_images:.3g}"}


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID, prose_values)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            mistake = gr.Radio([(t(f"mistakes.mistake.{name}"), name) for name in MISTAKE_NAMES],
                               value="soft_targets", label=t("mistakes.mistake"), elem_id="mistakes-choice")
            preset = gr.Dropdown([(t(f"mistakes.preset.{name}"), name) for name in PRESETS], value="quick",
                                 label=t("mistakes.preset"), info=t("mistakes.preset_note.quick"),
                                 elem_id="mistakes-preset")
            with gr.Row():
                steps = ui.Number(value=min(PRESETS["quick"]["steps"], limits.LIMITS.max_steps), precision=0,
                                  minimum=1, maximum=limits.LIMITS.max_steps, label=t("mistakes.steps"),
                                  min_width=100).limited_by("max_steps")
                seed = ui.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label=t("mistakes.seed"),
                                 min_width=100, elem_classes=["advanced"])
            with gr.Row():
                start_button = gr.Button(t("mistakes.start"), variant="primary", min_width=100,
                                         elem_id="mistakes-start")
                stop_button = gr.Button(t("mistakes.stop"), variant="stop", min_width=80, elem_id="mistakes-stop")
            view = gr.Radio([(t(f"mistakes.view.{v}"), v) for v in VIEWS], value="p_image_to_text",
                            label=t("mistakes.view"), elem_id="mistakes-view")
        with gr.Column(scale=3):
            status = gr.HTML(elem_id="mistakes-progress")
            curves = gr.Plot(show_label=False, elem_id="mistakes-curves")
    with gr.Row():
        probe_correct = gr.Plot(show_label=False, elem_id="mistakes-probe-correct")
        probe_variant = gr.Plot(show_label=False, elem_id="mistakes-probe-mistaken")
    results = gr.Markdown(elem_id="mistakes-results")
    body.render()

    outputs = [ctx.session, status, curves, probe_correct, probe_variant, results]
    ctx.on(preset.input, apply_preset, [preset], [steps, preset], api_name="mistakes_preset")
    # two listeners, not a chain: a second click while a run goes on must reach `start`, which refuses it
    start_button.click(waiting(LESSON_ID, labels, TRAINING_SLOTS), [ctx.session], [status], queue=False,
                       api_visibility="private")
    ctx.on(start_button.click, start, [mistake, preset, steps, seed], outputs, api_name="mistakes_start",
           concurrency_limit=TRAINING_SLOTS, concurrency_id="training", trigger_mode="multiple")
    ctx.on(stop_button.click, stop, [], [ctx.session], api_name="mistakes_stop", queue=False)
    ctx.on(view.input, set_view, [view], [ctx.session, probe_correct, probe_variant], api_name="mistakes_view")
    ctx.refresh(views, [], outputs[1:], api_name="mistakes_refresh", on_model_change=False)
