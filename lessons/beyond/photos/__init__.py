"""Lesson 9: your own pictures. The logits matrix of uploaded pictures and typed captions, zero-shot
classification of the pictures with prompt templates, and search over them by description.

Meant for the pretrained CLIP (pick it in the header); it runs with the toy models too, which is
the point of the tab's note: a model that has only seen 32-pixel shapes guesses on photos. All
three views embed the pictures once per model (memoised per session) and reuse that embedding.
"""

from __future__ import annotations

import base64
import functools
import io
import tempfile
from pathlib import Path

import gradio as gr
import numpy as np
import torch

from clip_core import ShapesWorld
from clip_core.data import CAPTION_PATTERNS, caption_for
from clip_core.zeroshot import class_embeddings
from lessons.common import limits, live, ui
from lessons.common.classes import parse_classes, parse_templates, to_model_input
from lessons.common.compute import LOG_TAU_MAX, LOG_TAU_MIN, Embedded, logits_data, scale_to_log10_tau, tau_to_scale
from lessons.common.heatmap import VIEWS, heatmap_labels, logits_figure
from lessons.common.images import ImageRejected, read_picture
from lessons.common.models import model_label, short_name

from .figures import photo_probs_figure
from .strings import STRINGS

LESSON_ID = "photos"
KEEP_SIDE = 448  # pictures are kept at most this large (the pretrained CLIP looks at 224 px)
THUMB_SIDE = 48  # row thumbnails of the logits heatmap
EXAMPLE_SIDE = 192
EXAMPLE_SCENES = [  # distinct colour-shape pairs, so that each caption fits one picture only
    {"colour": "red", "shape": "circle", "size": "large", "position": "center"},
    {"colour": "blue", "shape": "square", "size": "large", "position": "top left"},
    {"colour": "green", "shape": "triangle", "size": "small", "position": "bottom right"},
    {"colour": "yellow", "shape": "diamond", "size": "large", "position": "center"},
    {"colour": "purple", "shape": "cross", "size": "large", "position": "top right"},
    {"colour": "white", "shape": "ring", "size": "small", "position": "center"},
]


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


# ---------------------------------------------------------------------------------------------
# reading and embedding the pictures


def _paths(files) -> list[str]:
    """File paths from a gr.File value (a path, a list of paths, or file dicts from the API)."""
    if not files:
        return []
    files = files if isinstance(files, list | tuple) else [files]
    return [str(f.get("path") if isinstance(f, dict) else getattr(f, "path", f)) for f in files]


def read_pictures(session, files) -> tuple[list[str], list, list[str]]:
    """(names, RGB pictures, messages): every file read and checked; bad ones skipped with a reason."""
    s = labels(session.lang)
    paths = _paths(files)
    messages = []
    if len(paths) > limits.LIMITS.max_photos:
        messages.append(s["too_many"].format(n=len(paths), max=limits.LIMITS.max_photos))
        paths = paths[: limits.LIMITS.max_photos]

    def read():
        names, pictures, rejected = [], [], []
        for path in paths:
            name = Path(path).name
            try:
                picture = read_picture(path, session.lang, name)
            except ImageRejected as error:
                rejected.append(str(error))
                continue
            picture.thumbnail((KEEP_SIDE, KEEP_SIDE))
            names.append(name)
            pictures.append(picture)
        return names, pictures, rejected

    names, pictures, rejected = session.memo(("photos", tuple(paths)), read)
    if rejected:
        messages.append(s["rejected"].format(reasons=" · ".join(rejected)))
    return names, pictures, messages


def model_input(model, pictures: list):
    """What the model's image tower takes: the pictures themselves for the pretrained CLIP (its
    processor resizes them), a [n, 3, S, S] tensor in the toy's format for a toy model."""
    if hasattr(model, "image_processor"):
        return pictures
    size = model.config.image_size
    return torch.stack([to_model_input(picture, size) for picture in pictures])


def embed_pictures(session, model, files) -> tuple[list[str], list, torch.Tensor, list[str]]:
    """(names, pictures, unit image embeddings [n, d_e], messages), memoised per model and files."""
    names, pictures, messages = read_pictures(session, files)
    if not pictures:
        return names, pictures, torch.zeros(0, model.config.embed_dim), messages
    key = ("photo_embeddings", id(model), tuple(_paths(files)))
    with torch.no_grad():
        I_e = session.memo(key, lambda: model.eval().encode_image(model_input(model, pictures)))
    return names, pictures, I_e, messages


def _thumbnail_uri(picture) -> str:
    small = picture.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE))
    buffer = io.BytesIO()
    small.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _model_label(session) -> str:
    if session.is_pretrained:
        return short_name(session.model().config.name)
    return model_label(session)


# ---------------------------------------------------------------------------------------------
# the three views


def unknown_words(model, texts: list[str], lang: str) -> list[str]:
    """A note naming the words a toy tokenizer reads as <unk> (CLIP's BPE tokenizer has none)."""
    unknown = list(dict.fromkeys(word for text in texts for word in model.tokenizer.unknown_words(text)))
    if not unknown:
        return []
    return [labels(lang)["unknown"].format(words=", ".join(unknown[:12]) + (" …" if len(unknown) > 12 else ""))]


def parse_captions(text, n_pictures: int, lang: str) -> list[str]:
    """One caption per picture, in order; gr.Error naming the problem otherwise."""
    s = labels(lang)
    captions = [" ".join(line.split()) for line in str(text or "").splitlines() if line.strip()]
    for line, caption in enumerate(captions, start=1):
        if len(caption) > limits.LIMITS.max_text_chars:
            raise gr.Error(s["caption_long"].format(line=line, max=limits.LIMITS.max_text_chars) + " "
                           + limits.over_limit("max_text_chars", lang))
    if len(captions) != n_pictures or n_pictures > limits.LIMITS.max_captions:
        raise gr.Error(s["caption_count"].format(images=n_pictures, captions=len(captions),
                                                 max=limits.LIMITS.max_captions))
    return captions


def logits_view(session, files, captions_text, view, log10_tau, learned):
    """(figure, summary) of the logits matrix: picture i against caption j."""

    s = labels(session.lang)
    view = ui.check_choice(view, VIEWS, "view")
    log10_tau = ui.check_number(log10_tau, LOG_TAU_MIN, LOG_TAU_MAX, s["log_tau"], session.lang)
    model = session.model()
    names, pictures, I_e, messages = embed_pictures(session, model, files)
    if not pictures:
        return None, " ".join([*messages, s["none"]])
    if len(pictures) < 2:
        return None, " ".join([*messages, s["need_two"]])
    captions = parse_captions(captions_text, len(pictures), session.lang)
    messages += unknown_words(model, captions, session.lang)
    with torch.no_grad():  # memoised too: a slider move only rescales
        T_e = session.memo(("photo_captions", id(model), tuple(captions)),
                           lambda: model.encode_text(model.tokenizer(captions)))  # [n, d_e]
    scale = model.scale().item() if learned else tau_to_scale(log10_tau)
    data = logits_data(Embedded(I_e, T_e, captions, model.scale().item()), scale,
                       [_thumbnail_uri(p) for p in pictures])
    n = len(captions)
    right = int((data.logits.argmax(axis=1) == np.arange(n)).sum())
    summary = s["logits_summary"].format(n=n, scale=scale, loss=data.total, chance=float(np.log(n)), right=right)
    figure = logits_figure(data, view, heatmap_labels(session.lang), height=min(640, 400 + 16 * n))
    live.attach_logits(figure, data, view, heatmap_labels(session.lang), summary=s["logits_summary"], messages=messages)
    return figure, "\n\n".join([summary, *messages])


def zero_shot_view(session, files, classes_text, templates_text):
    """(figure, summary) of zero-shot probabilities: each picture against every class."""
    s = labels(session.lang)
    classnames = parse_classes(classes_text, session.lang)
    templates = parse_templates(templates_text, session.lang)
    model = session.model()
    names, pictures, I_e, messages = embed_pictures(session, model, files)
    if not pictures:
        return None, " ".join([*messages, s["none"]])
    messages += unknown_words(model, [t.format(c) for t in templates for c in classnames], session.lang)
    with torch.no_grad():
        weights = session.memo(("photo_classes", id(model), tuple(classnames), tuple(templates)),
                               lambda: class_embeddings(model, model.tokenizer, classnames, templates))  # [C, d_e]
        scale = model.scale().item()
        probs = (scale * I_e @ weights.T).softmax(dim=-1).numpy()  # [n, C]
    best = ", ".join(f"{i} → {classnames[j]} ({probs[i, j]:.0%})" for i, j in enumerate(probs.argmax(axis=1)))
    figure = photo_probs_figure(probs, names, classnames, {"title": s["zs_title"], "x": s["zs_x"], "y": s["zs_y"]})
    summary = s["zs_summary"].format(n=len(pictures), c=len(classnames), t=len(templates), scale=scale, best=best)
    return figure, "\n\n".join([summary, *messages])


def search_view(session, files, query, k):
    """(gallery items, summary): the pictures ranked by cosine with the query, best first."""
    s = labels(session.lang)
    k = ui.check_number(k, 1, limits.LIMITS.max_photos, s["k"], session.lang, integer=True)
    query = " ".join(str(query or "").split())
    if not query:
        raise gr.Error(s["query_empty"])
    if len(query) > limits.LIMITS.max_text_chars:
        raise gr.Error(s["query_long"].format(max=limits.LIMITS.max_text_chars) + " "
                       + limits.over_limit("max_text_chars", session.lang))
    model = session.model()
    names, pictures, I_e, messages = embed_pictures(session, model, files)
    if not pictures:
        return [], " ".join([*messages, s["none"]])
    messages += unknown_words(model, [query], session.lang)
    with torch.no_grad():
        scores = I_e @ model.encode_text(model.tokenizer([query]))[0]  # [n]
    top = scores.topk(min(k, len(pictures)))
    items = [(pictures[i], f"{rank}. {names[i]} · cos {score:.3f}")
             for rank, (i, score) in enumerate(zip(top.indices.tolist(), top.values.tolist(), strict=True), start=1)]
    ranking = ", ".join(f"{names[i]} {score:.3f}" for i, score in zip(top.indices.tolist(), top.values.tolist(),
                                                                        strict=True))
    return items, "\n\n".join([s["search_summary"].format(n=len(pictures), query=query, ranking=ranking), *messages])


def example_files(session=None) -> tuple[list[str], str, str, str]:
    """(paths of example pictures, their captions, class names, a query): toy scenes drawn large,
    written once per process to a temporary folder (the same files for everyone; nothing is read
    from a path a user chose)."""
    return _example_files()


@functools.lru_cache(maxsize=1)
def _example_files() -> tuple[list[str], str, str, str]:
    world = ShapesWorld(0, image_size=EXAMPLE_SIDE, noise=0.0)
    images = world.render(EXAMPLE_SCENES, rng=np.random.default_rng(0))  # [6, 3, S, S]
    folder = Path(tempfile.mkdtemp(prefix="clip-lab-examples-"))
    paths = []
    for scene, image in zip(EXAMPLE_SCENES, images, strict=True):
        from PIL import Image

        pixels = (image.numpy().transpose(1, 2, 0) * 255).round().astype(np.uint8)
        path = folder / f"{scene['colour']}-{scene['shape']}.png"
        Image.fromarray(pixels).save(path)
        paths.append(str(path))
    pattern = CAPTION_PATTERNS[0][0]  # "a {size} {colour} {shape} {where}"
    captions = "\n".join(caption_for(scene, pattern) for scene in EXAMPLE_SCENES)
    classes = ", ".join(f"{scene['colour']} {scene['shape']}" for scene in EXAMPLE_SCENES)
    return paths, captions, classes, "a red circle"


# ---------------------------------------------------------------------------------------------
# handlers


def _safe(view, *args):
    """A view whose input error is shown in its summary (for automatic refreshes: no pop-up storm)."""
    try:
        return view(*args)
    except gr.Error as error:
        return (None if view is not search_view else []), f"⚠ {error.message}"


def refresh_all(session, files, captions, view, log_tau, learned, classes, templates, query, k):
    """Everything the tab shows, for new pictures or a new model."""
    names, pictures, messages = read_pictures(session, files)
    preview = [(picture, f"{i} · {name}") for i, (name, picture) in enumerate(zip(names, pictures, strict=True))]
    status = labels(session.lang)["loaded"].format(n=len(pictures), model=_model_label(session)) if pictures else ""
    if messages:
        for message in messages:
            gr.Warning(message)
    return (session, preview, "\n\n".join([status, *messages]).strip(),
            *_safe(logits_view, session, files, captions, view, log_tau, learned),
            *_safe(zero_shot_view, session, files, classes, templates),
            *_safe(search_view, session, files, query, k))


def on_load(session, files, captions, view, log_tau, learned, classes, templates, query, k):
    """Page load and model change: examples when the tab has no pictures yet, then every view."""
    s = labels(session.lang)
    if not _paths(files):
        files, captions, classes, query = example_files(session)
        templates = templates or s["default_templates"]
    tau = scale_to_log10_tau(session.model().scale().item())
    tau = min(max(tau, LOG_TAU_MIN), LOG_TAU_MAX)
    return (files, captions, classes, templates, query, tau,
            *refresh_all(session, files, captions, view, tau, learned, classes, templates, query, k)[1:])


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    with gr.Row():
        with gr.Column(scale=3):
            files = gr.File(label=t("photos.files"), file_count="multiple", file_types=["image"], type="filepath",
                            height=120, elem_id="photos-files")
            examples = gr.Button(t("photos.examples"), size="sm")
            preview = gr.Gallery(label=t("photos.preview"), columns=8, rows=1, height=120, object_fit="contain",
                                 format="png", allow_preview=False, buttons=[], elem_id="photos-preview")
            status = gr.Markdown(elem_id="photos-status")
        with gr.Column(scale=2):
            captions = gr.Textbox(label=t("photos.captions"), lines=6, max_lines=16, elem_id="photos-captions")
            view = gr.Radio([(t(f"logits.view.{v}"), v) for v in VIEWS], value="p_image_to_text",
                            label=t("photos.view"))
            log_tau = ui.Slider(LOG_TAU_MIN, LOG_TAU_MAX, value=-1.15, step=0.01, label=t("photos.log_tau"))
            learned = gr.Checkbox(value=True, label=t("photos.learned"))
            run_logits = gr.Button(t("photos.run_logits"), variant="primary", size="sm")
    logits_summary = gr.Markdown(elem_id="photos-logits-summary")
    logits_plot = gr.Plot(show_label=False, elem_id="photos-logits")

    gr.Markdown(t("photos.zs_heading"))
    with gr.Row(equal_height=True):
        classes = gr.Textbox(label=t("photos.classes"), lines=2, scale=3, elem_id="photos-classes")
        templates = gr.Textbox(label=t("photos.templates"), lines=3, scale=3, elem_id="photos-templates")
        classify = gr.Button(t("photos.classify"), variant="primary", scale=1)
    zs_summary = gr.Markdown(elem_id="photos-zs-summary")
    zs_plot = gr.Plot(show_label=False, elem_id="photos-zeroshot")

    gr.Markdown(t("photos.search_heading"))
    with gr.Row(equal_height=True):
        query = gr.Textbox(label=t("photos.query"), scale=4, elem_id="photos-query")
        k = ui.Slider(1, limits.LIMITS.max_photos, value=6, step=1, label=t("photos.k"), scale=2)
        search = gr.Button(t("photos.search"), variant="primary", scale=1)
    search_summary = gr.Markdown(elem_id="photos-search-summary")
    results = gr.Gallery(label=t("photos.results"), columns=6, height="auto", object_fit="contain", format="png",
                         elem_id="photos-results")
    body.render()

    view_inputs = [captions, view, log_tau, learned, classes, templates, query, k]
    outputs = [ctx.session, preview, status, logits_plot, logits_summary, zs_plot, zs_summary, results,
               search_summary]
    ctx.on(functools.partial(gr.on, [files.upload, files.delete, files.clear]), refresh_all, [files, *view_inputs],
           outputs, api_name="photos_refresh", trigger_mode="always_last")
    ctx.on(ctx.on(examples.click, example_files, [], [files, captions, classes, query],
                  api_name="photos_examples").then,
           refresh_all, [files, *view_inputs], outputs, api_visibility="private")
    logits_inputs = [files, captions, view, log_tau, learned]
    # the page redraws while the slider moves (assets/live.js) and unticks the learned τ; the server on release
    live.wire(log_tau, "photos", ["#photos-logits"], [log_tau], [logits_summary, learned])
    ctx.on(functools.partial(gr.on, [run_logits.click, view.input, log_tau.release, learned.input, captions.submit]),
           ui.keep_session(logits_view), logits_inputs, [ctx.session, logits_plot, logits_summary],
           api_name="photos_logits", trigger_mode="always_last")
    ctx.on(functools.partial(gr.on, [classify.click, classes.submit]), ui.keep_session(zero_shot_view),
           [files, classes, templates], [ctx.session, zs_plot, zs_summary], api_name="photos_classify")
    ctx.on(functools.partial(gr.on, [search.click, query.submit, k.release]), ui.keep_session(search_view),
           [files, query, k], [ctx.session, results, search_summary], api_name="photos_search")
    ctx.refresh(on_load, [files, *view_inputs],
                [files, captions, classes, templates, query, log_tau, *outputs[1:]], api_name="photos_on_load")
