"""Beyond the basics: SigLIP's pairwise sigmoid loss (Zhai et al. 2023) trained beside CLIP's
softmax loss, and what each model's probabilities mean for one picture and a list of classes.

Both models start from the same seed and see the same batches (clip_core.experiments.side_by_side);
only the loss differs, plus SigLIP's learnable bias b and its scale initialisation (t' = log 10,
b = -10). Training streams like lesson 5's and shares its training slots; Stop keeps both models,
and the probability view keeps using them. These models never become the header's model.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

import gradio as gr
import numpy as np
import torch

from clip_core import get_preset
from clip_core.data import COLOURS, SHAPES
from clip_core.experiments import SideBySide, side_by_side
from clip_core.zeroshot import zero_shot_report
from lessons.common import limits, ui
from lessons.common.classes import normal_name, parse_classes
from lessons.common.plotting import to_pil
from lessons.common.run import Run, begin, request_stop, stream, waiting
from lessons.common.slots import TRAINING_SLOTS

from .figures import class_probabilities_figure, side_by_side_figure
from .strings import STRINGS

LESSON_ID = "siglip"
MODEL_PRESET = "nano"
# lr 1e-3 for both: at lesson 5's 2e-3 the sigmoid run lagged far behind in the toy (in-batch 0.36
# against 0.86 after 300 steps, measured); at 1e-3 both learn (0.88 against 0.95 after 600 steps)
DEFAULTS = {"batch_size": 64, "steps": 600, "lr": 1e-3, "seed": 0}
BOUNDS = {"batch_size": (2, None), "steps": (1, None), "lr": (1e-5, 0.1), "seed": (0, 2**31 - 1)}
OPERATOR_LIMITS = {"batch_size": "max_batch", "steps": "max_steps"}  # setting -> lessons.common.limits.Limits field
TEMPLATE = "a photo of a {}."
TEST_PER_PAIR = 1  # the probability view's pictures: one per colour-shape pair (48, held-out pairs included)
AUTO_CLASSES = 6  # the true class, two of its colour, two of its shape, one unrelated
MAX_CLASSES = 12  # bars per panel that stay legible
ZERO_SHOT_SECONDS = 2.0  # zero-shot accuracy of both models is re-measured this often while training


@dataclass
class Selection:
    """What the probability view shows: a test picture and its list of classes."""

    image: int = 0
    leave_out_truth: bool = False
    classes: str = ""  # the learner's own list; empty: an automatic list around the true class


@dataclass
class SigLIPRun(Run):
    """One learner's side-by-side run: both trainers and their zero-shot measurements."""

    pair: SideBySide
    settings: dict
    zero_shot: dict = field(default_factory=lambda: {k: [] for k in ("step", "clip_seen", "clip_held_out",
                                                                      "siglip_seen", "siglip_held_out")})
    selection: Selection = field(default_factory=Selection)


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def bounds(name: str) -> tuple[float, float]:
    lo, hi = BOUNDS[name]
    return lo, getattr(limits.LIMITS, OPERATOR_LIMITS[name]) if name in OPERATOR_LIMITS else hi


def validate(lang: str, batch_size, steps, lr, seed) -> dict:
    s = labels(lang)
    checked = {}
    for name, value in (("batch_size", batch_size), ("steps", steps), ("lr", lr), ("seed", seed)):
        lo, hi = bounds(name)
        checked[name] = ui.check_number(value, lo, hi, s[f"name_{name}"], lang, integer=name != "lr",
                                        limit=OPERATOR_LIMITS.get(name))
    return checked


def train_config(settings: dict, world_seed: int):
    """The nano preset's schedule with the learner's settings (shared by both runs)."""
    train = get_preset(MODEL_PRESET).train
    return dataclasses.replace(train, batch_size=settings["batch_size"], steps=settings["steps"], lr=settings["lr"],
                               seed=settings["seed"], world_seed=world_seed,
                               warmup_steps=min(train.warmup_steps, settings["steps"] // 4 + 1))


def new_run(session, settings: dict) -> SigLIPRun:
    config = train_config(settings, session.world_seed)
    pair = side_by_side(get_preset(MODEL_PRESET).model, config, loss="siglip", world=session.world)
    return SigLIPRun(pair, settings)


def current_run(session) -> SigLIPRun:
    """The session's run; an untrained pair with the default settings until the learner starts one."""
    run = session.runs.get(LESSON_ID)
    if not isinstance(run, SigLIPRun):
        run = session.runs[LESSON_ID] = new_run(session, DEFAULTS)
    return run


def evaluate_zero_shot(run: SigLIPRun) -> None:
    record = run.zero_shot
    record["step"].append(run.pair.correct.steps_done)
    for key, trainer in (("clip", run.pair.correct), ("siglip", run.pair.variant)):
        best = zero_shot_report(trainer.model, trainer.world, 4, [TEMPLATE])["best_template"]
        record[f"{key}_seen"].append(best["seen"])
        record[f"{key}_held_out"].append(best["held_out"])


# ----- the probability view ------------------------------------------------------------------------


def test_pictures(session):
    world = session.world
    return session.memo(("siglip_test", world.seed), lambda: world.test_set(TEST_PER_PAIR, "all"))


def auto_classes(truth: str, index: int) -> list[str]:
    """The true class with two classes of its colour, two of its shape and one unrelated, shuffled (seeded)."""
    colour, shape = truth.split(" ", 1)
    rng = np.random.default_rng([index, 5])
    same_colour = [f"{colour} {other}" for other in SHAPES if other != shape]
    same_shape = [f"{other} {shape}" for other in COLOURS if other != colour]
    unrelated = [f"{c} {s}" for c in COLOURS for s in SHAPES if c != colour and s != shape]
    names = [truth, *rng.choice(same_colour, 2, replace=False), *rng.choice(same_shape, 2, replace=False),
             rng.choice(unrelated)]
    return [str(names[k]) for k in rng.permutation(len(names))]


def check_selection(session, image, leave_out_truth, classes) -> Selection:
    s = labels(session.lang)
    count = len(test_pictures(session).captions)
    index = ui.check_number(image, 0, count - 1, s["name_image"], session.lang, integer=True)
    if not isinstance(leave_out_truth, bool):
        raise gr.Error(s["err_checkbox"].format(value=repr(leave_out_truth)))
    if classes is not None and not isinstance(classes, str):
        raise gr.Error(s["err_classes_text"].format(value=repr(classes)[:60]))
    return Selection(index, leave_out_truth, classes or "")


@torch.no_grad()
def class_probabilities(session, run: SigLIPRun, selection: Selection) -> dict:
    """Both models on one test picture against a list of classes ("a photo of a {}." each):
    softmax(scale * cos) of CLIP, sigmoid(t * cos + b) of SigLIP, from each model's own parameters."""
    s = labels(session.lang)
    test = test_pictures(session)
    truth = test.attributes.pair_names()[selection.image]
    names = parse_classes(selection.classes, session.lang) if selection.classes.strip() else \
        auto_classes(truth, selection.image)
    if selection.leave_out_truth:
        names = [name for name in names if normal_name(name) != truth]
    if len(names) > MAX_CLASSES:
        raise gr.Error(s["err_many_classes"].format(n=len(names), max=MAX_CLASSES))
    found = [k for k, name in enumerate(names) if normal_name(name) == truth]
    image = test.images[selection.image:selection.image + 1]  # [1, 3, H, W]
    result = {"classnames": names, "truth_name": truth, "truth": found[0] if found else None,
              "held_out": bool(session.world.is_held_out(test.attributes)[selection.image]),
              "image": image[0].numpy(), "step": run.pair.correct.steps_done}
    for key, model in (("clip", run.pair.correct.model), ("siglip", run.pair.variant.model)):
        model.eval()
        I_e = model.encode_image(image)  # [1, d_e]
        T_e = model.encode_text(model.tokenizer([TEMPLATE.format(name) for name in names]))  # [C, d_e]
        result[f"{key}_cos"] = (I_e @ T_e.T)[0]  # [C]
        result[f"{key}_scale"] = model.scale().item()
        result["unknown"] = list(dict.fromkeys(w for name in names for w in model.tokenizer.unknown_words(name)))
    result["bias"] = run.pair.variant.model.logit_bias.item()
    result["softmax"] = (result["clip_scale"] * result["clip_cos"]).softmax(dim=-1).numpy()  # sums to 1
    result["sigmoid"] = torch.sigmoid(result["siglip_scale"] * result["siglip_cos"] + result["bias"]).numpy()
    return result


def probability_views(session, run: SigLIPRun):
    """(picture, bars figure, read-out) for the run's selection."""
    s = labels(session.lang)
    r = class_probabilities(session, run, run.selection)
    figure = class_probabilities_figure(r["classnames"], r["softmax"], r["sigmoid"], r["truth"], {
        "title": s["bars_title"].format(truth=r["truth_name"], step=r["step"]),
        "softmax_title": s["bars_softmax"], "sigmoid_title": s["bars_sigmoid"], "y": s["bars_y"],
        "truth": s["bars_truth"], "other_clip": s["bars_clip"], "other_siglip": s["bars_siglip"],
        "half": s["bars_half"]})
    top = int(np.argmax(r["softmax"]))
    yes = [f"{name} ({p:.0%})" for name, p in zip(r["classnames"], r["sigmoid"], strict=True) if p > 0.5]
    lines = [
        s["read_picture"].format(index=run.selection.image, truth=r["truth_name"],
                                 held=s["read_held_out"] if r["held_out"] else "", step=r["step"]),
        s["read_softmax"].format(scale=r["clip_scale"], total=float(r["softmax"].sum()),
                                 top=r["classnames"][top], p=float(r["softmax"][top])),
        s["read_sigmoid"].format(scale=r["siglip_scale"], bias=r["bias"], total=float(r["sigmoid"].sum()),
                                 yes=", ".join(yes) if yes else s["read_none"]),
    ]
    if r["truth"] is None:
        biggest = int(np.argmax(r["sigmoid"]))
        key = "read_missing_no" if r["sigmoid"][biggest] < 0.5 else "read_missing_yes"
        lines.append(s[key].format(top=r["classnames"][top], p=float(r["softmax"][top]),
                                   name=r["classnames"][biggest], q=float(r["sigmoid"][biggest])))
    if r["step"] == 0:
        lines.append(s["read_untrained"])
    if r["unknown"]:
        lines.append(s["read_unknown"].format(words=", ".join(r["unknown"][:12])))
    return to_pil(r["image"], 128), figure, "\n\n".join(lines)


def compare(session, image, leave_out_truth, classes):
    """The probability view for a new picture or class list (drawn by the training loop while it runs)."""
    run = current_run(session)
    selection = check_selection(session, image, leave_out_truth, classes)
    if run.status == "running":
        class_probabilities_check(session, run, selection)
        run.selection = selection
        return session, gr.update(), gr.update(), gr.update()
    run.selection = selection
    return session, *probability_views(session, run)


def class_probabilities_check(session, run, selection) -> None:
    """Refuse a bad class list at once, before the running loop would meet it."""
    s = labels(session.lang)
    if selection.classes.strip():
        names = parse_classes(selection.classes, session.lang)
        if len(names) > MAX_CLASSES:
            raise gr.Error(s["err_many_classes"].format(n=len(names), max=MAX_CLASSES))


# ----- training --------------------------------------------------------------------------------


def _history(trainer) -> dict[str, list[float]]:
    h = trainer.history
    out = {"step": [m.step for m in h], "loss": [m.loss for m in h], "acc": [m.acc_image_to_text for m in h],
           "scale": [m.logit_scale for m in h]}
    if trainer.model.logit_bias is not None:
        out["bias"] = [m.logit_bias for m in h]
    return out


def curves(run: SigLIPRun, lang: str):
    s = labels(lang)
    clip_model, siglip_model = run.pair.correct.model, run.pair.variant.model
    return side_by_side_figure(
        _history(run.pair.correct), _history(run.pair.variant), run.zero_shot, run.settings["batch_size"],
        (1 / clip_model.config.init_temperature, 1 / siglip_model.config.init_temperature),
        siglip_model.config.init_logit_bias,
        {key: s[f"curves_{key}"] for key in ("title", "step", "clip", "siglip", "softmax_loss", "sigmoid_loss",
                                             "accuracy", "scale", "bias", "zero_shot", "chance", "init", "seen",
                                             "held_out", "empty")})


def progress_html(run: SigLIPRun, lang: str) -> str:
    s = labels(lang)
    correct, variant = run.pair.correct, run.pair.variant
    done, total = correct.steps_done, correct.config.steps
    if done == 0 and run.status == "ready":
        return f"<div class='train-status'>{s['status_none']}</div>"
    bits = [s[f"state_{run.status}"], s["step"].format(done=done, total=total)]
    if run.wall_seconds > 0:
        bits.append(s["rate"].format(rate=done / run.wall_seconds))
    if correct.history:
        c, v = correct.history[-1], variant.history[-1]
        bits.append(s["losses"].format(clip=c.loss, siglip=v.loss))
        bits.append(s["accuracies"].format(clip=c.acc_image_to_text, siglip=v.acc_image_to_text))
        bits.append(f"b {v.logit_bias:.2f}")
    notice = f"<br><span class='train-notice'>{run.notice}</span>" if run.notice else ""
    percent = 100.0 * done / max(1, total)
    return (f"<div class='train-status'><div class='train-bar'><div style='width:{percent:.1f}%'></div></div>"
            f"<span>{' · '.join(bits)}</span>{notice}</div>")


def views(session, run: SigLIPRun):
    """(progress, curves, picture, bars, read-out); a bad class list shows its message in the read-out."""
    try:
        probability = probability_views(session, run)
    except gr.Error as error:
        probability = (gr.update(), None, f"⚠ {error.message}")
    return progress_html(run, session.lang), curves(run, session.lang), *probability


def start(session, batch_size, steps, lr, seed):
    """Train CLIP and SigLIP side by side, streaming the views a few times a second."""
    s = labels(session.lang)
    settings = validate(session.lang, batch_size, steps, lr, seed)
    previous = session.runs.get(LESSON_ID)

    def make() -> SigLIPRun:
        run = new_run(session, settings)
        if isinstance(previous, SigLIPRun):
            run.selection = previous.selection
        evaluate_zero_shot(run)
        return run

    run = begin(session, LESSON_ID, make, s)
    pair = run.pair

    def diverged(metrics) -> str | None:
        clip_metrics, siglip_metrics = metrics
        return None if clip_metrics.finite and siglip_metrics.finite else s["diverged"]

    def finish() -> None:
        if run.zero_shot["step"][-1] != pair.correct.steps_done:
            evaluate_zero_shot(run)

    yield from stream(session, run, iter(pair.step, None), lambda: views(session, run), s,
                      done=lambda: pair.correct.steps_done >= pair.correct.config.steps, diverged=diverged,
                      evaluate=lambda: evaluate_zero_shot(run), evaluate_every=ZERO_SHOT_SECONDS, finish=finish)


def stop(session):
    request_stop(session, LESSON_ID)
    return session


def refresh(session, image, leave_out_truth, classes):
    """Page load: the run as this session left it (an untrained pair before the first Start)."""
    run = current_run(session)
    if run.status != "running":
        try:
            run.selection = check_selection(session, image, leave_out_truth, classes)
        except gr.Error:
            pass
    return views(session, run)


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=260):
            with gr.Row():
                start_button = gr.Button(t("siglip.start"), variant="primary", size="sm", elem_id="siglip-start")
                stop_button = gr.Button(t("siglip.stop"), variant="stop", size="sm", elem_id="siglip-stop")
            status = gr.HTML(elem_id="siglip-progress")
            batch_size = ui.Slider(*bounds("batch_size"), value=min(DEFAULTS["batch_size"], bounds("batch_size")[1]),
                                   step=1, label=t("siglip.batch_size")).limited_by("max_batch")
            with gr.Row():
                steps = ui.Number(value=min(DEFAULTS["steps"], bounds("steps")[1]), precision=0, minimum=1,
                                  maximum=bounds("steps")[1], label=t("siglip.steps"),
                                  min_width=100).limited_by("max_steps")
                lr = ui.Number(value=DEFAULTS["lr"], minimum=BOUNDS["lr"][0], maximum=BOUNDS["lr"][1],
                               label=t("siglip.lr"), min_width=100)
            seed = ui.Number(value=DEFAULTS["seed"], precision=0, minimum=0, label=t("siglip.seed"),
                             elem_classes=["advanced"])
        with gr.Column(scale=3):
            curves_plot = gr.Plot(show_label=False, elem_id="siglip-curves")

    gr.Markdown(t("siglip.bars_heading"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=260):
            picture = gr.Image(type="pil", format="png", height=128, width=128, show_label=False, interactive=False,
                               buttons=[], elem_classes=["pixelated"], elem_id="siglip-picture")
            image = ui.Slider(0, len(COLOURS) * len(SHAPES) * TEST_PER_PAIR - 1, value=0, step=1,
                              label=t("siglip.image"), elem_id="siglip-image")
            leave_out = gr.Checkbox(value=False, label=t("siglip.leave_out"), elem_id="siglip-leave-out")
            classes = gr.Textbox(label=t("siglip.classes"), placeholder=t("siglip.classes_placeholder"), lines=2,
                                 elem_id="siglip-classes")
            compare_button = gr.Button(t("siglip.compare"), size="sm")
        with gr.Column(scale=3):
            bars = gr.Plot(show_label=False, elem_id="siglip-bars")
            readout = gr.Markdown(elem_id="siglip-readout")
    body.render()

    outputs = [ctx.session, status, curves_plot, picture, bars, readout]
    show_waiting = waiting(LESSON_ID, labels, TRAINING_SLOTS)
    ctx.on(start_button.click(show_waiting, [ctx.session], [status], queue=False, api_visibility="private").then,
           start, [batch_size, steps, lr, seed], outputs, api_name="siglip_start",
           concurrency_limit=TRAINING_SLOTS, concurrency_id="training")
    ctx.on(stop_button.click, stop, [], [ctx.session], api_name="siglip_stop", queue=False)
    ctx.on(functools.partial(gr.on, [compare_button.click, image.release, leave_out.input, classes.submit]), compare,
           [image, leave_out, classes], [ctx.session, picture, bars, readout], api_name="siglip_compare",
           trigger_mode="always_last")
    ctx.refresh(refresh, [image, leave_out, classes], outputs[1:], api_name="siglip_refresh", on_model_change=False)
