"""Beyond the basics - CLIP as an art director: the pixels of one picture climb the gradient of
its cosine with a typed caption, while the toy CLIP stays frozen (clip_core.artdirector).

The picture streams every few steps beside the similarity curve, with real pictures of the caption
(drawn by the toy world) as the yardstick: the optimised picture usually outscores them while
looking unlike them. Runs use the session's toy model (the shipped one when the pretrained CLIP is
picked: on a 2-core CPU a ViT-B/32 needs ~0.5 s per step with 4 copies against ~5 ms here). A Stop
flag is checked between steps; a run is never written back to any model.
"""

from __future__ import annotations

import functools
import html
import math
from dataclasses import dataclass, field

import gradio as gr
import numpy as np
import torch

from clip_core.artdirector import ArtDirector, ArtDirectorConfig, caption_words, real_pictures
from clip_core.data import ZH_WORDS
from clip_core.zeroshot import classify
from lessons.common import limits, ui
from lessons.common.run import Run, begin, request_stop, stream, waiting
from lessons.common.slots import TRAINING_SLOTS

from .figures import picture_uri, pictures_html, similarity_figure
from .strings import STRINGS

LESSON_ID = "artdirector"
RECIPES = {  # the recipe menu: values for the controls
    "dream": dict(start="noise", steps=300, lr=0.05, jitter=2, blur=0.5, copies=4, tv_weight=0.0),
    "bare": dict(start="noise", steps=300, lr=0.05, jitter=0, blur=0.0, copies=1, tv_weight=0.0),
    "smooth": dict(start="noise", steps=600, lr=0.05, jitter=4, blur=1.0, copies=8, tv_weight=0.3),
    "nudge": dict(start="picture", steps=200, lr=0.01, jitter=0, blur=0.0, copies=1, tv_weight=0.0),
}
RECIPE_CONTROLS = ("start", "steps", "lr", "jitter", "blur", "copies", "tv_weight")
STARTS = ("noise", "picture")
BOUNDS = {"steps": (1, None), "lr": (1e-4, 1.0), "jitter": (0, 8), "blur": (0.0, 3.0), "copies": (1, 16),
          "tv_weight": (0.0, 2.0), "seed": (0, 2**31 - 1)}  # None: the operator's limit
OPERATOR_LIMITS = {"steps": "max_steps"}  # setting -> lessons.common.limits.Limits field
INTEGERS = ("steps", "jitter", "copies", "seed")
DEFAULT_CAPTION = {"en": "a red circle", "zh": "红色圆形"}
TEST_PER_PAIR = 1  # the start pictures: one test picture per colour-shape pair (48)
START_PICTURE = 31  # a blue square: unlike the default caption in colour and shape
REAL_PICTURES = 8  # real pictures of the caption drawn for comparison
FRAMES = 60  # about this many pictures stream per run (one every ceil(steps / FRAMES) steps)
ZERO_SHOT_TEMPLATE = "a photo of a {}."


@dataclass
class ArtRun(Run):
    """One optimisation (or, before Run, its start: status "ready") and what the views need."""

    caption: str
    settings: dict
    start_image: np.ndarray  # [3, H, W] the start picture as the model sees it (blur included)
    image: np.ndarray  # [3, H, W] the latest streamed picture
    image_step: int
    real_images: np.ndarray  # [n, 3, H, W] real pictures of the caption (n = 0: none can be drawn)
    real_similarity: np.ndarray  # [n]
    named: dict  # the toy-world attributes the caption names, one value per kind
    clash: list[str]  # kinds the caption names twice or more ("a red blue circle": no real picture fits)
    unknown: list[str]
    truncated: bool
    steps: list[int] = field(default_factory=list)
    similarity: list[float] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    zero_shot: dict | None = None  # the final picture and a real one, read by zero-shot classification


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def bounds(name: str) -> tuple[float, float]:
    lo, hi = BOUNDS[name]
    return lo, getattr(limits.LIMITS, OPERATOR_LIMITS[name]) if name in OPERATOR_LIMITS else hi


def default_caption(session) -> str:
    """English, or Chinese when the interface is Chinese and the picked toy model knows the words."""
    if session is not None and session.lang == "zh" and not session.toy_model().tokenizer.unknown_words("红色圆形"):
        return DEFAULT_CAPTION["zh"]
    return DEFAULT_CAPTION["en"]


def validate(lang: str, start, picture, steps, lr, jitter, blur, copies, tv_weight, seed) -> dict:
    """The controls as a settings dict, or gr.Error naming what is out of range."""
    s = labels(lang)
    if start not in STARTS:
        raise gr.Error(s["err_start"].format(value=repr(start)[:40]))
    checked = {"start": start}
    values = {"steps": steps, "lr": lr, "jitter": jitter, "blur": blur, "copies": copies, "tv_weight": tv_weight,
              "seed": seed}
    for name, value in values.items():
        lo, hi = bounds(name)
        checked[name] = ui.check_number(value, lo, hi, s[f"name_{name}"], lang, integer=name in INTEGERS,
                                        limit=OPERATOR_LIMITS.get(name))
    checked["picture"] = ui.check_number(picture, 0, picture_count() - 1, s["name_picture"], lang, integer=True)
    return checked


def check_caption(lang: str, caption) -> str:
    s = labels(lang)
    if not isinstance(caption, str):
        raise gr.Error(s["err_caption_text"].format(value=repr(caption)[:60]))
    caption = " ".join(caption.split())
    if not caption:
        raise gr.Error(s["err_empty"])
    if len(caption) > limits.LIMITS.max_text_chars:
        raise gr.Error(s["err_long"].format(n=len(caption), max=limits.LIMITS.max_text_chars) + " "
                       + limits.over_limit("max_text_chars", lang))
    return caption


def picture_count() -> int:
    from clip_core.data import COLOURS, SHAPES

    return len(COLOURS) * len(SHAPES) * TEST_PER_PAIR


def test_pictures(session):
    world = session.world
    return session.memo(("artdirector_test", world.seed), lambda: world.test_set(TEST_PER_PAIR, "all"))


def config_of(settings: dict) -> ArtDirectorConfig:
    return ArtDirectorConfig(steps=settings["steps"], lr=settings["lr"], jitter=settings["jitter"],
                             copies=settings["copies"], blur=settings["blur"], tv_weight=settings["tv_weight"],
                             image_every=max(1, math.ceil(settings["steps"] / FRAMES)), seed=settings["seed"])


def new_run(session, caption: str, settings: dict) -> tuple[ArtRun, ArtDirector]:
    """The director for these settings and the run record at its start (step 0)."""
    model = session.toy_model()
    start = test_pictures(session).images[settings["picture"]] if settings["start"] == "picture" else None
    director = ArtDirector(model, caption, config_of(settings), start=start)
    report = model.tokenizer.report(caption)
    # the attributes the model can read: a word it does not know names nothing to it
    found = caption_words(" ".join(w for w in model.tokenizer.split(caption) if w not in report.unknown))
    clash = [kind for kind, names in found.items() if len(names) > 1]  # e.g. "a red blue circle"
    named = {} if clash else {kind: names[0] for kind, names in found.items()}
    if set(named) <= {"style"}:  # "a photo of a cat": a style alone says nothing of what to draw
        named = {}
    if named:
        images, _ = real_pictures(session.world, named, REAL_PICTURES, seed=0)
        real_similarity = director.similarity(images).numpy()
        real_images = images.numpy()
    else:
        real_images, real_similarity = np.zeros((0, 3, 1, 1), np.float32), np.zeros(0, np.float32)
    first = next(director.run())
    run = ArtRun(caption, settings, first.image, first.image, 0, real_images, real_similarity, named, clash,
                 list(report.unknown), report.truncated, steps=[0], similarity=[first.similarity],
                 objective=[first.objective])
    return run, director


# ----- views ------------------------------------------------------------------------------------


def progress_html(run: ArtRun, lang: str) -> str:
    s = labels(lang)
    done, total = run.steps[-1], run.settings["steps"]
    if run.status == "ready":
        return f"<div class='train-status'>{s['status_ready']}</div>"
    bits = [s[f"state_{run.status}"], s["step"].format(done=done, total=total),
            s["cos_now"].format(cos=run.similarity[-1])]
    if run.wall_seconds > 0:
        bits.append(s["rate"].format(rate=done / run.wall_seconds))
    notice = f"<br><span class='train-notice'>{run.notice}</span>" if run.notice else ""
    percent = 100.0 * done / max(1, total)
    return (f"<div class='train-status'><div class='train-bar'><div style='width:{percent:.1f}%'></div></div>"
            f"<span>{' · '.join(bits)}</span>{notice}</div>")


def pictures_view(run: ArtRun, lang: str) -> str:
    s = labels(lang)
    start_title = s["card_start_picture"] if run.settings["start"] == "picture" else s["card_start_noise"]
    cards = [("artdirector-start-card", picture_uri(run.start_image), start_title,
              s["card_cos"].format(cos=run.similarity[0])),
             ("artdirector-now-card", picture_uri(run.image), s["card_now"].format(step=run.image_step),
              s["card_cos"].format(cos=run.similarity[run.image_step]))]
    if len(run.real_images):
        best = int(np.argmax(run.real_similarity))
        cards.append(("artdirector-real-card", picture_uri(run.real_images[best]), s["card_real"],
                      s["card_real_cos"].format(cos=float(run.real_similarity[best]), n=len(run.real_images))))
    return pictures_html(cards)


def curve(run: ArtRun, lang: str):
    s = labels(lang)
    return similarity_figure(run.steps, run.similarity, run.objective, run.real_similarity, run.settings["steps"], {
        "title": s["curve_title"].format(caption=html.escape(run.caption)), "x": s["curve_x"], "y": s["curve_y"],
        "picture": s["curve_picture"], "objective": s["curve_objective"], "real_range": s["curve_real_range"],
        "real_mean": s["curve_real_mean"]})


def readout(run: ArtRun, lang: str) -> str:
    s = labels(lang)
    lines = []
    real = run.real_similarity
    if run.status == "ready":
        lines.append(s["read_ready"].format(caption=run.caption, cos=run.similarity[0]))
    else:
        lines.append(s["read_result"].format(step=run.steps[-1], caption=run.caption, cos=run.similarity[-1],
                                             start=run.similarity[0]))
    if len(real):
        lines.append(s["read_real"].format(n=len(real), what=describe(run.named, lang), low=float(real.min()),
                                           high=float(real.max()), mean=float(real.mean())))
        if run.status != "ready":
            final = run.similarity[-1]
            key = "read_beats_all" if final > real.max() else "read_beats_mean" if final > real.mean() else \
                "read_below"
            lines.append(s[key])
    elif run.clash:
        lines.append(s["read_clash"].format(kinds=s["and"].join(s[f"kind_{kind}"] for kind in run.clash)))
    else:
        lines.append(s["read_nothing_named"])
    if run.zero_shot:
        z = run.zero_shot
        lines.append(s["read_zero_shot"].format(top=z["top"], p=z["p"], real_top=z["real_top"], real_p=z["real_p"],
                                                n=z["classes"]))
    if run.status != "ready" and run.settings["start"] == "picture":
        change = np.abs(run.image - run.start_image)
        lines.append(s["read_change"].format(mean=float(change.mean()), max=float(change.max())))
    if run.unknown:
        lines.append(s["read_unknown"].format(words=", ".join(run.unknown[:12])))
    if run.truncated:
        lines.append(s["read_truncated"])
    return "\n\n".join(lines)


def describe(named: dict, lang: str) -> str:
    """"colour red, shape circle; size and position at random" in the learner's language."""
    s = labels(lang)
    kinds = ("colour", "shape", "size", "position")
    def word(kind: str) -> str:
        return ZH_WORDS[kind][named[kind]] if lang == "zh" else named[kind]

    fixed = s["list"].join(f"{s[f'kind_{k}']} {word(k)}" for k in kinds if k in named)
    free = [s[f"kind_{k}"] for k in kinds if k not in named]
    return fixed + (s["free"].format(kinds=s["and"].join(free)) if free else "")


def views(run: ArtRun, lang: str):
    """(progress, pictures, curve, read-out)."""
    return progress_html(run, lang), pictures_view(run, lang), curve(run, lang), readout(run, lang)


@torch.no_grad()
def read_zero_shot(session, run: ArtRun) -> dict | None:
    """Zero-shot among the colour-shape classes: what the model calls the final picture and a real one."""
    if not len(run.real_images):
        return None
    model = session.toy_model()
    classnames = session.world.classes("colour_shape")
    best = int(np.argmax(run.real_similarity))
    images = torch.from_numpy(np.stack([run.image, run.real_images[best]]))  # [2, 3, H, W]
    probs = classify(model, model.tokenizer, images, classnames, [ZERO_SHOT_TEMPLATE])  # [2, C]
    top = probs.argmax(dim=-1).tolist()
    return {"top": classnames[top[0]], "p": probs[0, top[0]].item(), "real_top": classnames[top[1]],
            "real_p": probs[1, top[1]].item(), "classes": len(classnames)}


# ----- events -----------------------------------------------------------------------------------


def preview(session, caption, start, picture, steps, lr, jitter, blur, copies, tv_weight, seed):
    """The start picture, the real pictures and their cosines with the caption, before any step."""
    current = session.runs.get(LESSON_ID)
    if current is not None and current.running:
        return session, *(gr.update() for _ in range(4))  # the run's stream owns the views
    settings = validate(session.lang, start, picture, steps, lr, jitter, blur, copies, tv_weight, seed)
    run, _ = new_run(session, check_caption(session.lang, caption), settings)
    session.runs[LESSON_ID] = run
    return session, *views(run, session.lang)


def run_director(session, caption, start, picture, steps, lr, jitter, blur, copies, tv_weight, seed):
    """Optimise the picture, streaming it with the similarity curve every few steps."""
    s = labels(session.lang)
    settings = validate(session.lang, start, picture, steps, lr, jitter, blur, copies, tv_weight, seed)
    caption = check_caption(session.lang, caption)
    made = {}

    def make() -> ArtRun:
        run, made["director"] = new_run(session, caption, settings)
        return run

    run = begin(session, LESSON_ID, make, s)
    director = made["director"]
    if run.unknown:
        gr.Warning(s["read_unknown"].format(words=", ".join(run.unknown[:12])).replace("**", "").replace("`", ""))

    def record(item) -> bool:
        """Keep one optimisation step's numbers; True when it brings a picture to show."""
        run.steps.append(item.step)
        run.similarity.append(item.similarity)
        run.objective.append(item.objective)
        if item.image is not None:
            run.image, run.image_step = item.image, item.step
        return item.image is not None

    def finish() -> None:
        if run.steps and run.image_step != run.steps[-1]:  # stopped between two streamed pictures
            run.image, run.image_step = director.picture().detach()[0].numpy().copy(), run.steps[-1]
        run.zero_shot = read_zero_shot(session, run)

    records = (item for item in director.run() if item.step > 0)
    yield from stream(session, run, records, lambda: views(run, session.lang), s,
                      done=lambda: bool(run.steps) and run.steps[-1] >= run.settings["steps"], show=record,
                      finish=finish)


def stop(session):
    """Ask the running optimisation to stop after its current step."""
    request_stop(session, LESSON_ID)
    return session


def apply_recipe(session, name):
    """The recipe's values for the controls (steps lowered to the operator's limit if need be)."""
    lang = session.lang if session is not None else "en"
    if name not in RECIPES:
        raise gr.Error(labels(lang)["err_recipe"].format(value=repr(name)[:40], choices=", ".join(RECIPES)))
    recipe = {**RECIPES[name], "steps": min(RECIPES[name]["steps"], limits.LIMITS.max_steps)}
    return (*(recipe[key] for key in RECIPE_CONTROLS), gr.update(info=labels(lang)[f"recipe_note.{name}"]))


def refresh(session, caption, start, picture, steps, lr, jitter, blur, copies, tv_weight, seed):
    """Page load and model change: the caption box in the session's language, then the start views."""
    current = session.runs.get(LESSON_ID)
    if current is not None and current.running:
        return gr.update(), *(gr.update() for _ in range(4))
    if caption in DEFAULT_CAPTION.values():
        caption = default_caption(session)
    try:
        _, *out = preview(session, caption, start, picture, steps, lr, jitter, blur, copies, tv_weight, seed)
    except gr.Error:  # controls left in a bad state: start over from the defaults
        recipe = RECIPES["dream"]
        _, *out = preview(session, caption, recipe["start"], START_PICTURE, recipe["steps"], recipe["lr"],
                          recipe["jitter"], recipe["blur"], recipe["copies"], recipe["tv_weight"], 0)
    return caption, *out


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    recipe = RECIPES["dream"]
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=290):
            caption = gr.Textbox(value=DEFAULT_CAPTION["en"], label=t("artdirector.caption"), max_lines=1,
                                 placeholder=t("artdirector.caption_placeholder"), elem_id="artdirector-caption")
            with gr.Row():
                run_button = gr.Button(t("artdirector.run"), variant="primary", min_width=90,
                                       elem_id="artdirector-run")
                stop_button = gr.Button(t("artdirector.stop"), variant="stop", min_width=80,
                                        elem_id="artdirector-stop")
            recipes = gr.Dropdown([(t(f"artdirector.recipe.{name}"), name) for name in RECIPES], value="dream",
                                  label=t("artdirector.recipe"), info=t("artdirector.recipe_note.dream"),
                                  elem_id="artdirector-recipe")
            start = gr.Radio([(t(f"artdirector.start.{name}"), name) for name in STARTS], value=recipe["start"],
                             label=t("artdirector.start"), elem_id="artdirector-start")
            picture = ui.Slider(0, picture_count() - 1, value=START_PICTURE, step=1, label=t("artdirector.picture"),
                                elem_id="artdirector-picture")
            with gr.Row():
                steps = ui.Number(value=min(recipe["steps"], bounds("steps")[1]), precision=0, minimum=1,
                                  maximum=bounds("steps")[1], label=t("artdirector.steps"),
                                  min_width=90, elem_id="artdirector-steps").limited_by("max_steps")
                lr = ui.Number(value=recipe["lr"], minimum=BOUNDS["lr"][0], maximum=BOUNDS["lr"][1],
                               label=t("artdirector.lr"), min_width=90, elem_id="artdirector-lr")
                seed = ui.Number(value=0, precision=0, minimum=0, maximum=BOUNDS["seed"][1],
                                 label=t("artdirector.seed"), min_width=80, elem_id="artdirector-seed",
                                 elem_classes=["advanced"])
            jitter = ui.Slider(*BOUNDS["jitter"], value=recipe["jitter"], step=1, label=t("artdirector.jitter"),
                               elem_id="artdirector-jitter")
            copies = ui.Slider(*BOUNDS["copies"], value=recipe["copies"], step=1, label=t("artdirector.copies"),
                               elem_id="artdirector-copies")
            blur = ui.Slider(*BOUNDS["blur"], value=recipe["blur"], step=0.1, label=t("artdirector.blur"),
                             elem_id="artdirector-blur")
            tv_weight = ui.Slider(*BOUNDS["tv_weight"], value=recipe["tv_weight"], step=0.05,
                                  label=t("artdirector.tv_weight"), elem_id="artdirector-tv")
        with gr.Column(scale=2):
            status = gr.HTML(elem_id="artdirector-progress")
            pictures = gr.HTML(elem_id="artdirector-pictures")
            curve_plot = gr.Plot(show_label=False, elem_id="artdirector-curve")
            read = gr.Markdown(elem_id="artdirector-readout")
    body.render()

    controls = [caption, start, picture, steps, lr, jitter, blur, copies, tv_weight, seed]
    outputs = [ctx.session, status, pictures, curve_plot, read]
    # two listeners, not a chain: a second click while a run goes on must reach run_director, which refuses it
    run_button.click(waiting(LESSON_ID, labels, TRAINING_SLOTS), [ctx.session], [status], queue=False,
                     api_visibility="private")
    ctx.on(run_button.click, run_director, controls, outputs, api_name="artdirector_run",
           concurrency_limit=TRAINING_SLOTS, concurrency_id="artdirector", trigger_mode="multiple")
    ctx.on(stop_button.click, stop, [], [ctx.session], api_name="artdirector_stop", queue=False)
    ctx.on(recipes.input(apply_recipe, [ctx.session, recipes], [start, steps, lr, jitter, blur, copies, tv_weight,
                                                                recipes], api_name="artdirector_recipe").then,
           preview, controls, outputs, api_visibility="private")
    ctx.on(functools.partial(gr.on, [caption.submit, start.input, picture.release, blur.release, seed.submit]),
           preview, controls, outputs, api_name="artdirector_preview", trigger_mode="always_last")
    ctx.refresh(refresh, controls, [caption, *outputs[1:]], api_name="artdirector_refresh")
