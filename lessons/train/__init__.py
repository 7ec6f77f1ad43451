"""Lesson 5 - train it live: a TinyCLIP trains in this browser session while the loss, the
accuracies, the learned temperature, a probe batch's logits and the embedding map update.

Training runs in a streaming generator (clip_core.train.Trainer underneath). Pause sets a flag the
loop checks between steps, so every stop - pause, finish, a closed tab - leaves a usable model,
which becomes this session's "my trained model" for every other lesson.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from dataclasses import dataclass, field

import gradio as gr
import numpy as np
import torch
from safetensors import SafetensorError, safe_open

from clip_core import TinyCLIP, Tokenizer, Trainer, build_model, checkpoint, get_preset
from clip_core.config import ModelConfig, TrainConfig
from clip_core.data import Batch
from clip_core.zeroshot import evaluate_templates
from lessons.common import limits, ui
from lessons.common.compute import demo_batch, embed_batch, logits_data, thumbnails
from lessons.common.heatmap import heatmap_labels, logits_figure
from lessons.common.run import Run, Status, begin, request_stop, stream, waiting
from lessons.common.slots import TRAINING_SLOTS

from .figures import embedding_map_figure, pca_2d, training_curves_figure
from .strings import STRINGS

LESSON_ID = "train"
PROBE_N, PROBE_SEED = 8, 2024  # the fixed probe batch: same images and captions at every update
ZERO_SHOT_TEMPLATE = "a photo of a {}."
MAX_UPLOAD_LAYERS = 32  # blocks per tower in an uploaded config: keeps its meta-device check quick
SNAPSHOT_EVERY = 50  # steps between "last good state" snapshots (restored if the loss diverges)

PRESETS = {  # the "classic preset" menu: values for the controls below
    "shipped": dict(image_encoder="vit", embed_dim=32, batch_size=64, lr=2e-3, steps=2000, learn_temperature=True,
                    init_temperature=0.07, seed=0),
    "quick": dict(image_encoder="vit", embed_dim=32, batch_size=64, lr=2e-3, steps=600, learn_temperature=True,
                  init_temperature=0.07, seed=0),
    "tiny_batch": dict(image_encoder="vit", embed_dim=32, batch_size=4, lr=2e-3, steps=600, learn_temperature=True,
                       init_temperature=0.07, seed=0),
    "fixed_t1": dict(image_encoder="vit", embed_dim=32, batch_size=64, lr=2e-3, steps=600, learn_temperature=False,
                     init_temperature=1.0, seed=0),
    "resnet": dict(image_encoder="resnet", embed_dim=32, batch_size=64, lr=2e-3, steps=600, learn_temperature=True,
                   init_temperature=0.07, seed=0),
}
SETTINGS = ("image_encoder", "embed_dim", "batch_size", "lr", "steps", "learn_temperature", "init_temperature", "seed")
BOUNDS = {"embed_dim": (2, 128), "batch_size": (2, None), "lr": (1e-5, 1.0), "steps": (1, None),
          "init_temperature": (0.01, 2.0), "seed": (0, 2**31 - 1)}  # None: the operator's limit below
OPERATOR_LIMITS = {"batch_size": "max_batch", "steps": "max_steps"}  # setting -> lessons.common.limits.Limits field


def bounds(name: str) -> tuple[float, float]:
    """(lowest, highest) value of a setting; batch size and steps are capped by the operator."""
    lo, hi = BOUNDS[name]
    return lo, getattr(limits.LIMITS, OPERATOR_LIMITS[name]) if name in OPERATOR_LIMITS else hi


@dataclass
class TrainingRun(Run):
    """One learner's training: the trainer and what the views need (Run: status, Pause flag, notice)."""

    trainer: Trainer
    settings: dict
    probe: Batch
    probe_thumbnails: list[str]
    test: Batch
    test_labels: np.ndarray
    test_held_out: np.ndarray
    classnames: list[str]
    zero_shot: dict = field(default_factory=lambda: {"step": [], "seen": [], "held_out": []})
    last_good: dict | None = None  # the trainer's last snapshot, restored if the loss diverges


def current_run(session) -> TrainingRun | None:
    """This session's lesson-5 run (None before the first Start or Step, and after Reset)."""
    run = session.runs.get(LESSON_ID)
    return run if isinstance(run, TrainingRun) else None


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def validate(lang: str, image_encoder, embed_dim, batch_size, lr, steps, learn_temperature, init_temperature,
             seed) -> dict:
    """The controls as a settings dict, or gr.Error naming what is out of range."""
    if image_encoder not in ("vit", "resnet"):
        raise gr.Error(labels(lang)["bad_encoder"].format(value=image_encoder))
    values = {"embed_dim": embed_dim, "batch_size": batch_size, "lr": lr, "steps": steps,
              "init_temperature": init_temperature, "seed": seed}
    checked = {}
    for name, value in values.items():
        lo, hi = bounds(name)
        integer = name in ("embed_dim", "batch_size", "steps", "seed")
        checked[name] = ui.check_number(value, lo, hi, labels(lang)[f"name_{name}"], lang, integer=integer,
                                        limit=OPERATOR_LIMITS.get(name))
    return {"image_encoder": image_encoder, **checked, "learn_temperature": bool(learn_temperature)}


def new_run(session, settings: dict) -> TrainingRun:
    """A fresh model and trainer from the settings (seeded: same settings, same curve)."""
    preset = get_preset("default")
    config = preset.model
    config.image_encoder = settings["image_encoder"]
    config.embed_dim = settings["embed_dim"]
    config.learn_temperature = settings["learn_temperature"]
    config.init_temperature = settings["init_temperature"]
    if config.image_encoder == "resnet":
        config.vision_layers = 1  # one residual block per stage keeps a step as fast as the ViT's
    world = session.world
    model = build_model(config, world, seed=settings["seed"])
    train_config = TrainConfig.from_dict({**preset.train.to_dict(), "batch_size": settings["batch_size"],
                                          "lr": settings["lr"], "steps": settings["steps"], "seed": settings["seed"],
                                          "warmup_steps": min(preset.train.warmup_steps, settings["steps"] // 4 + 1)})
    probe = demo_batch(world, PROBE_N, PROBE_SEED)
    test = world.test_set(2, "all")
    classnames = world.classes("colour_shape")
    return TrainingRun(
        trainer=Trainer(model, world, train_config), settings=settings, probe=probe, probe_thumbnails=thumbnails(probe),
        test=test, test_labels=np.array([classnames.index(p) for p in test.attributes.pair_names()]),
        test_held_out=world.is_held_out(test.attributes), classnames=classnames,
    )


@torch.no_grad()
def evaluate_zero_shot(run: TrainingRun) -> tuple[float, float]:
    """Zero-shot accuracy on seen and held-out colour-shape pairs (one template, all 48 classes)."""
    model = run.trainer.model
    row = evaluate_templates(model, model.tokenizer, run.test.images, run.test_labels, run.classnames,
                             [ZERO_SHOT_TEMPLATE], groups={"seen": ~run.test_held_out, "held_out": run.test_held_out},
                             ensembles=False)[0]
    run.zero_shot["step"].append(run.trainer.steps_done)
    run.zero_shot["seen"].append(row["seen"])
    run.zero_shot["held_out"].append(row["held_out"])
    return row["seen"], row["held_out"]


def _history(run: TrainingRun | None) -> dict[str, list[float]]:
    keys = ("step", "loss", "acc_image_to_text", "acc_text_to_image", "logit_scale")
    if run is None:
        return {k: [] for k in keys}
    return {k: [getattr(m, k) for m in run.trainer.history] for k in keys}


def progress_html(run: TrainingRun | None, lang: str) -> str:
    text = labels(lang)
    if run is None:
        return f"<div class='train-status'>{text['status_none']}</div>"
    trainer = run.trainer
    done, total = trainer.steps_done, trainer.config.steps
    rate = done / run.wall_seconds if run.wall_seconds > 0 else 0.0
    left = (total - done) / rate if rate > 0 else float("nan")
    last = trainer.history[-1] if trainer.history else None
    bits = [text[f"state_{run.status}"], f"{text['step_word']} {done}/{total}"]
    if rate:
        bits.append(f"{rate:.1f} {text['steps_per_s']}")
    if math.isfinite(left) and run.status == "running":
        bits.append(f"{text['time_left']} {left:.0f} s")
    if last is not None:
        bits.append(f"{text['loss']} {last.loss:.3f}")
        bits.append(f"exp(t) {last.logit_scale:.1f}")
    if run.zero_shot["step"]:
        bits.append(f"{text['zs_short']} {run.zero_shot['seen'][-1]:.0%} / {run.zero_shot['held_out'][-1]:.0%}")
    if trainer.world.caption_language == "mixed":
        bits.append(text["captions_mixed"])
    percent = 100.0 * done / max(1, total)
    notice = f"<br><span class='train-notice'>{run.notice}</span>" if run.notice else ""
    return (f"<div class='train-status'><div class='train-bar'><div style='width:{percent:.1f}%'></div></div>"
            f"<span>{' · '.join(bits)}</span>{notice}</div>")


def views(session, run: TrainingRun | None):
    """(progress, curves, probe heatmap, embedding map) for the current state of the run."""
    text = labels(session.lang)
    if run is None:
        empty = training_curves_figure(_history(None), {"step": [], "seen": [], "held_out": []}, 64, 100.0,
                                       1 / 0.07, text)
        return progress_html(None, session.lang), empty, None, None
    model = run.trainer.model
    was_training = model.training
    embedded = embed_batch(model, run.probe)  # eval mode: the probe never changes batch-norm statistics
    model.train(was_training)
    probe = logits_figure(logits_data(embedded, embedded.learned_scale, run.probe_thumbnails), "p_image_to_text",
                          heatmap_labels(session.lang), height=430,
                          title=text["probe_title"].format(step=run.trainer.steps_done))
    points = pca_2d(torch.cat([embedded.I_e, embedded.T_e]).numpy())
    emap = embedding_map_figure(points[:PROBE_N], points[PROBE_N:], embedded.captions, None, text)
    curves = training_curves_figure(_history(run), run.zero_shot, run.trainer.config.batch_size,
                                    model.config.max_logit_scale, 1 / model.config.init_temperature, text)
    return progress_html(run, session.lang), curves, probe, emap



def _finish(session, run: TrainingRun) -> None:
    """Make the run's model this session's model (a copy: training may continue later)."""
    history = [{"step": m.step, "loss": m.loss, "logit_scale": m.logit_scale,
                "acc_image_to_text": m.acc_image_to_text, "acc_text_to_image": m.acc_text_to_image}
               for m in run.trainer.history]
    session.set_trained(run.trainer.model, history)
    session.model_name = "trained"


def steps(run: TrainingRun):
    """The run's training steps, one per item, a snapshot to go back to every SNAPSHOT_EVERY steps."""
    trainer = run.trainer
    while True:
        if trainer.steps_done % SNAPSHOT_EVERY == 0:
            run.last_good = trainer.snapshot()
        yield trainer.step()


def train_loop(session, run: TrainingRun, picker_update):
    """Step until the schedule ends, Pause is pressed or the job has run for the operator's
    max_train_seconds (then it pauses, keeping its model, and frees its training slot), streaming
    the views (lessons.common.run.stream); however it ends, the model becomes the session's."""
    text = labels(session.lang)
    trainer = run.trainer

    def diverged(metrics) -> str | None:
        if metrics.finite and math.isfinite(metrics.loss):
            return None
        if run.last_good is not None:
            trainer.restore(run.last_good)
        return text["diverged"]

    def finish() -> None:
        if not run.zero_shot["step"] or run.zero_shot["step"][-1] != trainer.steps_done:
            evaluate_zero_shot(run)

    yield from stream(session, run, steps(run), lambda: (*views(session, run), gr.update()), text,
                      done=lambda: trainer.steps_done >= trainer.config.steps, diverged=diverged,
                      evaluate=lambda: evaluate_zero_shot(run), stopped=Status.PAUSED,
                      keep=lambda: _finish(session, run), finish=finish,
                      last_views=lambda: (*views(session, run), picker_update(session)))


def start(session, picker_update, *controls):
    settings = validate(session.lang, *controls)

    def make() -> TrainingRun:
        run = new_run(session, settings)
        evaluate_zero_shot(run)
        return run

    run = begin(session, LESSON_ID, make, labels(session.lang))
    yield from train_loop(session, run, picker_update)


def resume(session, picker_update):
    text = labels(session.lang)
    previous = session.runs.get(LESSON_ID)
    if previous is None or not isinstance(previous, TrainingRun):
        raise gr.Error(text["nothing_to_resume"])
    if previous.trainer.steps_done >= previous.trainer.config.steps:
        raise gr.Error(text["already_finished"])
    run = begin(session, LESSON_ID, lambda: previous, text)
    yield from train_loop(session, run, picker_update)


def pause(session):
    request_stop(session, LESSON_ID)
    return session


def single_step(session, picker_update, *controls):
    run = session.runs.get(LESSON_ID)
    if run is not None and run.running:
        raise gr.Error(labels(session.lang)["pause_first"])
    if not isinstance(run, TrainingRun):
        run = session.runs[LESSON_ID] = new_run(session, validate(session.lang, *controls))
    started = time.perf_counter()
    metrics = run.trainer.step()
    run.wall_seconds += time.perf_counter() - started
    if not metrics.finite:
        gr.Warning(labels(session.lang)["diverged"])
    run.status = Status.PAUSED if run.trainer.steps_done < run.trainer.config.steps else Status.FINISHED
    evaluate_zero_shot(run)
    _finish(session, run)
    return session, *views(session, run), picker_update(session)


def reset(session):
    request_stop(session, LESSON_ID)
    session.runs.pop(LESSON_ID, None)
    return session, *views(session, None)


def apply_preset(name: str):
    """The preset's settings, batch size and steps lowered to the operator's limits if need be."""
    if name not in PRESETS:
        raise gr.Error(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    values = {key: PRESETS[name][key] for key in SETTINGS}
    for key in OPERATOR_LIMITS:
        values[key] = min(values[key], bounds(key)[1])
    return tuple(values[key] for key in SETTINGS)


def download(session):
    if "trained" not in session.models:
        raise gr.Error(labels(session.lang)["nothing_to_download"])
    folder = tempfile.mkdtemp(prefix="clip-lab-")
    path = checkpoint.save(session.models["trained"], folder)
    named = os.path.join(folder, "clip-lab-my-model.safetensors")
    os.replace(path, named)
    return gr.update(value=named, visible=True)


def upload(session, path, picker_update):
    """Load an uploaded .safetensors checkpoint as this session's model (never unpickled)."""
    text = labels(session.lang)
    if not path:
        raise gr.Error(text["upload_empty"])
    size, limit = os.path.getsize(path), limits.LIMITS.max_checkpoint_mb
    if size > limit * 2**20:
        raise gr.Error(text["upload_too_big"].format(mb=size / 2**20, limit=limit) + " "
                       + limits.over_limit("max_checkpoint_mb", session.lang))
    check_header(path, session.world.image_size, text)
    try:
        model = checkpoint.load(path)
    except checkpoint.CheckpointError as error:
        raise gr.Error(text["upload_refused"].format(reason=error)) from None
    if model.tokenizer is None or model.config.image_size != session.world.image_size:
        raise gr.Error(text["upload_refused"].format(reason=text["upload_mismatch"]))
    session.set_trained(model, [])
    session.model_name = "trained"
    return session, picker_update(session), text["upload_ok"].format(params=model.num_parameters())


def check_header(path: str, image_size: int, text: dict[str, str]) -> None:
    """Refuse, before any weights are allocated, a checkpoint whose config asks for another image
    size or for a model other than the weights the file holds. (A config may ask for any size;
    the file's own tensors are bounded by the upload limit.) The model the config describes is
    built on the meta device, which allocates nothing; files that are not ours pass on to
    checkpoint.load, which says why it refuses them."""
    try:
        with safe_open(path, framework="pt") as weights:
            metadata = weights.metadata() or {}
            shapes = {key: tuple(weights.get_slice(key).get_shape()) for key in weights.keys()}
        config = json.loads(metadata["clip_lab"])
        model_config = ModelConfig.from_dict(config["model"])
        vocabulary = config.get("vocabulary")
    except (SafetensorError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return
    if model_config.image_size != image_size or not vocabulary:
        raise gr.Error(text["upload_refused"].format(reason=text["upload_mismatch"]))
    layers = (model_config.vision_layers, model_config.text_layers, len(model_config.resnet_widths))
    try:
        if max(layers) > MAX_UPLOAD_LAYERS:
            raise ValueError(f"{max(layers)} layers in one tower")
        with torch.device("meta"):
            described = TinyCLIP(model_config, Tokenizer(vocabulary, model_config.context_length))
        expected = {key: tuple(value.shape) for key, value in described.state_dict().items()}
    except (ValueError, TypeError, KeyError, AttributeError, RuntimeError) as error:
        raise gr.Error(text["upload_refused"].format(reason=text["upload_shapes"].format(reason=error))) from None
    if expected != shapes:
        wrong = sorted(set(expected) ^ set(shapes)) or sorted(k for k in expected if expected[k] != shapes[k])
        key = wrong[0]
        reason = f"{key}: {shapes.get(key, 'missing')} in the file, {expected.get(key, 'none')} in the config"
        raise gr.Error(text["upload_refused"].format(reason=text["upload_shapes"].format(reason=reason)))


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)

    picker_update = ctx.picker_update
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            preset = gr.Dropdown([(t(f"train.preset.{k}"), k) for k in PRESETS], value="shipped",
                                 label=t("train.preset"))
            with gr.Row():
                start_button = gr.Button(t("train.start"), variant="primary", size="sm", elem_id="train-start")
                pause_button = gr.Button(t("train.pause"), size="sm", elem_id="train-pause")
                resume_button = gr.Button(t("train.resume"), size="sm", elem_id="train-resume")
            with gr.Row():
                step_button = gr.Button(t("train.step"), size="sm", elem_id="train-step")
                reset_button = gr.Button(t("train.reset"), variant="stop", size="sm", elem_id="train-reset")
            image_encoder = gr.Radio([("ViT", "vit"), ("ResNet", "resnet")], value="vit", label=t("train.encoder"))
            with gr.Row():
                embed_dim = ui.Slider(*BOUNDS["embed_dim"], value=32, step=1, label=t("train.embed_dim"))
                batch_size = ui.Slider(*bounds("batch_size"), value=min(64, bounds("batch_size")[1]), step=1,
                                       label=t("train.batch_size")).limited_by("max_batch")
            with gr.Row():
                lr = ui.Number(value=2e-3, minimum=1e-5, maximum=1.0, label=t("train.lr"))
                steps = ui.Number(value=min(2000, bounds("steps")[1]), precision=0, minimum=1,
                                  maximum=bounds("steps")[1], label=t("train.steps")).limited_by("max_steps")
            with gr.Row(elem_id="train-temperature-row"):
                learn_temperature = gr.Checkbox(value=True, label=t("train.learn_temperature"))
                init_temperature = ui.Number(value=0.07, minimum=0.01, maximum=2.0, label=t("train.init_temperature"))
            seed = ui.Number(value=0, precision=0, minimum=0, label=t("train.seed"), elem_classes=["advanced"])
        with gr.Column(scale=3):
            status = gr.HTML(elem_id="train-progress")
            curves = gr.Plot(show_label=False, elem_id="train-curves")
    with gr.Row():
        probe = gr.Plot(show_label=False, elem_id="train-probe")
        emap = gr.Plot(show_label=False, elem_id="train-map")
    with gr.Accordion(t("train.files"), open=False, elem_classes=["advanced"]):
        with gr.Row():
            download_button = gr.Button(t("train.download"), size="sm")
            model_file = gr.File(label=t("train.model_file"), visible=False)
            upload_file = gr.File(label=t("train.upload"), file_types=[".safetensors"], type="filepath")
        upload_message = gr.Markdown()
    body.render()

    controls = [image_encoder, embed_dim, batch_size, lr, steps, learn_temperature, init_temperature, seed]
    outputs = [ctx.session, status, curves, probe, emap, ctx.model_picker]
    preset.input(apply_preset, preset, controls, api_name="train_preset")

    def start_handler(session, *values):
        yield from start(session, picker_update, *values)

    def resume_handler(session):
        yield from resume(session, picker_update)

    show_waiting = waiting(LESSON_ID, labels, TRAINING_SLOTS)
    slots = dict(concurrency_limit=TRAINING_SLOTS, concurrency_id="training")
    started = ctx.on(start_button.click(show_waiting, [ctx.session], [status], queue=False,
                                        api_visibility="private").then,
                     start_handler, controls, outputs, api_name="train_start", **slots)
    resumed = ctx.on(resume_button.click(show_waiting, [ctx.session], [status], queue=False,
                                         api_visibility="private").then,
                     resume_handler, [], outputs, api_name="train_resume", **slots)
    ctx.on(pause_button.click, pause, [], [ctx.session], api_name="train_pause", queue=False)
    stepped = ctx.on(step_button.click, lambda session, *values: single_step(session, picker_update, *values),
                     controls, outputs, api_name="train_step")
    ctx.on(reset_button.click, reset, [], outputs[:-1], api_name="train_reset", queue=False)
    ctx.on(download_button.click, download, [], [model_file], api_name="train_download")
    uploaded = ctx.on(upload_file.upload, lambda session, path: upload(session, path, picker_update), [upload_file],
                      [ctx.session, ctx.model_picker, upload_message], api_name="train_upload")
    for event in (started, resumed, stepped, uploaded):
        ctx.model_changed_by(event)
    ctx.refresh(lambda session: views(session, current_run(session))[:4], [], [status, curves, probe, emap],
                on_model_change=False)
    ctx.shareable(LESSON_ID, {"preset": preset, "encoder": image_encoder, "embed_dim": embed_dim, "batch": batch_size,
                              "lr": lr, "steps": steps, "learn_t": learn_temperature, "init_t": init_temperature,
                              "seed": seed})
