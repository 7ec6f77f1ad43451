"""Reading what the learner gives lesson 6: class lists, templates and images.

Every check raises gr.Error (or shows gr.Warning) with a message that names the offending line or
word, in the session's language; images of any size or mode become the model's [3, H, W] input.
"""

from __future__ import annotations

import os

import gradio as gr
from PIL import Image

from clip_core.data import COLOURS, POSITIONS, SHAPES, SIZES, ZH_WORDS, ShapesWorld
from clip_core.zeroshot import knows_language
from lessons.common import ui
from lessons.common.classes import BACKGROUND, normal_name
from lessons.common.images import ImageRejected, read_picture

from .strings import STRINGS

MAX_NAMED = 20  # unknown words (or groups of look-alike names) named in one warning
CANVAS = 256  # sketchpad side in pixels, drawn at 8x the model's 32 x 32 input
PALETTE = ["#" + "".join(f"{round(255 * c):02x}" for c in rgb) for rgb in COLOURS.values()]
TRUTH_KINDS = {  # kind of class list -> the attribute words of a scene that name its class
    "pair": lambda names: f"{names['colour']} {names['shape']}",
    "colour": lambda names: names["colour"],
    "shape": lambda names: names["shape"],
    "size": lambda names: names["size"],
    "position": lambda names: names["position"],
}
VOCAB_OF_KIND = {"pair": {f"{c} {s}" for c in COLOURS for s in SHAPES}, "colour": set(COLOURS), "shape": set(SHAPES),
                 "size": set(SIZES), "position": set(POSITIONS)}
# Chinese class names and the English ones they stand for ("红色圆形" -> "red circle", "左上角" -> "top left")
ENGLISH_OF_CHINESE = {
    **{ZH_WORDS["colour"][c] + ZH_WORDS["shape"][s]: f"{c} {s}" for c in COLOURS for s in SHAPES},
    **{zh: en for words in ZH_WORDS.values() for en, zh in words.items()},
}
CHINESE_OF_ENGLISH = {en: zh for zh, en in ENGLISH_OF_CHINESE.items()}


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def english_name(name: str) -> str:
    """The toy world's English name for a class name in either language ("红色 圆形" -> "red circle");
    other names come back lower-cased with single spaces."""
    normal = normal_name(name)
    return ENGLISH_OF_CHINESE.get(normal.replace(" ", ""), normal)


def display_name(english: str, chinese: bool) -> str:
    """A toy-world class name as the learner's list writes it: Chinese when the list is Chinese."""
    return CHINESE_OF_ENGLISH.get(english, english) if chinese else english


def is_chinese(names: list[str]) -> bool:
    """Whether a class list is written in Chinese (any name outside ASCII)."""
    return any(not name.isascii() for name in names)


def notes(tokenizer, classnames: list[str], templates: list[str], lang: str) -> list[str]:
    """Warnings about the prompts: unknown words (named), Chinese prompts given to a model that never
    read Chinese, class names the model reads as the same tokens (e.g. two emoji, both `<unk>`),
    prompts cut to the context length. Each is shown with gr.Warning and returned for the read-out."""
    s = labels(lang)
    prompts = [t.format(c) for t in templates for c in classnames]
    unknown = list(dict.fromkeys(w for p in prompts for w in tokenizer.unknown_words(p)))
    found = []
    if unknown:
        shown = ", ".join(unknown[:MAX_NAMED]) + (", …" if len(unknown) > MAX_NAMED else "")
        found.append(s["unknown"].format(words=shown))
        if any(not word.isascii() for word in unknown) and not knows_language(tokenizer, ShapesWorld(0), "zh"):
            found.append(s["no_chinese"])
    readings: dict[tuple, list[str]] = {}
    for name, tokens in zip(classnames, tokenizer(classnames).tolist(), strict=True):
        readings.setdefault(tuple(tokens), []).append(name)
    same = [names for names in readings.values() if len(names) > 1]
    if same:
        found.append(s["same_tokens"].format(names="; ".join(" = ".join(names) for names in same[:MAX_NAMED])))
    cut = [p for p in prompts if tokenizer.report(p).truncated]
    if cut:
        found.append(s["truncated"].format(n=tokenizer.context_length, prompt=cut[0]))
    for message in found:
        gr.Warning(message.replace("**", "").replace("`", ""))
    return found


def truth_kind(classnames: list[str]) -> str | None:
    """Which attribute the class list names (all pairs, all colours, ...), or None when it is mixed
    or names things the toy world does not have: then no image has a known right answer."""
    normal = {english_name(name) for name in classnames}
    for kind, vocabulary in VOCAB_OF_KIND.items():
        if normal <= vocabulary:
            return kind
    return None


def truth_index(classnames: list[str], kind: str | None, names: dict[str, str]) -> int | None:
    """Index of a scene's true class in the list (None if unknown or not in the list)."""
    if kind is None:
        return None
    answer = TRUTH_KINDS[kind](names)
    normal = [english_name(name) for name in classnames]
    return normal.index(answer) if answer in normal else None


class CheckedImage(gr.Image):
    """gr.Image that hands the handler the uploaded file's path, undecoded: the handler reads it
    with `uploaded_picture` (lessons.common.images), which checks size and pixels before decoding and
    answers in the learner's language. The stock component decodes first, and fails on a file
    that is not an image with an error the learner cannot read."""

    is_template = True

    def preprocess(self, payload):
        if payload is None:
            return None
        if not getattr(payload, "path", None):  # a data: URL; the page and gradio_client upload files
            raise gr.Error("Upload the picture as a file. / 请把图片作为文件上传。")
        return str(payload.path)


def uploaded_picture(path: str, lang: str) -> Image.Image:
    """The uploaded picture as RGB, or gr.Error saying (by file name) why it cannot be used."""
    try:
        dark = (round(255 * BACKGROUND),) * 3  # transparent parts become the toy world's background
        return read_picture(path, lang, name=os.path.basename(path), background=dark)
    except ImageRejected as error:
        raise gr.Error(str(error)) from None


class CheckedSketchpad(gr.Sketchpad):
    """gr.Sketchpad whose images (the drawing's background, layers and composite: files through
    the API, bytes from the page) pass the upload checks before Gradio decodes them, so a crafted
    "drawing" of 8000 x 8000 px or a file that is not an image gets a message, not a crash."""

    is_template = True

    def get_block_name(self) -> str:
        return "imageeditor"  # the front end draws a Sketchpad as an ImageEditor

    def preprocess(self, payload):
        if payload is not None:
            for source in _drawing_sources(self, payload):
                _check_picture(source)
        return super().preprocess(payload)


def _drawing_sources(editor, payload) -> list:
    """The paths (or bytes) of every image in an ImageEditor payload."""
    if payload.id is not None:
        cached = editor.blob_storage.get(payload.id)
        images = [cached.background, *cached.layers, cached.composite] if cached else []
        return [image for image in images if image]
    images = [payload.background, *(payload.layers or []), payload.composite]
    return [image.path for image in images if image is not None and getattr(image, "path", None)]


def _check_picture(source) -> None:
    """gr.Error in both languages (a component does not know the session's) unless it is a picture."""
    try:
        read_picture(source, "en", name="drawing")
    except ImageRejected as english:
        try:
            read_picture(source, "zh", name="画")
        except ImageRejected as chinese:
            raise gr.Error(f"{english} / {chinese}") from None


def sketch_picture(value) -> Image.Image | None:
    """The drawing of a gr.Sketchpad value ({'background', 'layers', 'composite'}) composited on
    the dark background, or None if nothing has been drawn."""
    if not value:
        return None
    layers = [layer for layer in (value.get("layers") or []) if layer is not None]
    strokes = [layer.convert("RGBA") for layer in layers if layer.convert("RGBA").getchannel("A").getextrema()[1] > 0]
    if not strokes:
        return None
    size = strokes[0].size
    picture = Image.new("RGBA", size, (round(255 * BACKGROUND),) * 3 + (255,))
    for layer in strokes:
        picture = Image.alpha_composite(picture, layer.resize(size) if layer.size != size else layer)
    return picture


def blank_canvas() -> dict:
    dark = (round(255 * BACKGROUND),) * 3
    return {"background": Image.new("RGB", (CANVAS, CANVAS), dark), "layers": [], "composite": None}
