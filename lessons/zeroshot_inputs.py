"""Reading what the learner gives lesson 6: class lists, templates and images.

Every check raises gr.Error (or shows gr.Warning) with a message that names the offending line or
word, in the session's language; images of any size or mode become the model's [3, H, W] input.
"""

from __future__ import annotations

import os
import re
import unicodedata

import gradio as gr
import numpy as np
import torch
from PIL import Image

from clip_core.data import COLOURS, POSITIONS, SHAPES, SIZES, ZH_WORDS, ShapesWorld
from clip_core.zeroshot import check_template, knows_language

from . import limits, ui
from .images import ImageRejected, read_picture
from .limits import over_limit
from .zeroshot_strings import STRINGS

MAX_NAMED = 20  # unknown words (or groups of look-alike names) named in one warning
BACKGROUND = 0.15  # the toy's dark background (rendered between 0.05 and 0.25)
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
CLASS_SEPARATORS = re.compile(r"[,，、]")  # English comma, Chinese comma, Chinese enumeration comma


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def normal_name(name: str) -> str:
    return " ".join(name.lower().split())


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


def has_word(name: str) -> bool:
    """A letter or digit in any script, or an emoji (a pretrained CLIP reads those): not only punctuation."""
    return any(unicodedata.category(c)[0] in "LN" or unicodedata.category(c) == "So" for c in name)


def parse_classes(text, lang: str = "en") -> list[str]:
    """Class names from comma- or newline-separated text (，and 、 count as commas); blank lines and a
    trailing comma are fine."""
    s = labels(lang)
    limit = limits.LIMITS
    names: list[str] = []
    for line_number, line in enumerate(str(text or "").splitlines(), start=1):
        pieces = [piece.strip() for piece in CLASS_SEPARATORS.split(line)]
        if pieces and not pieces[-1]:
            pieces = pieces[:-1]  # "red, blue," ends with a harmless comma
        if not any(pieces):
            continue
        for piece in pieces:
            if not piece:
                raise gr.Error(s["err_empty_class"].format(line=line_number))
            name = " ".join(piece.split())
            if len(name) > limit.max_class_chars:
                raise gr.Error(s["err_long_class"].format(name=name[:limit.max_class_chars] + "…",
                                                          max=limit.max_class_chars)
                               + " " + over_limit("max_class_chars", lang))
            if not has_word(name):
                raise gr.Error(s["err_no_word"].format(name=name))
            if normal_name(name) in {normal_name(n) for n in names}:
                raise gr.Error(s["err_duplicate_class"].format(name=name))
            names.append(name)
            if len(names) > limit.max_classes:
                raise gr.Error(s["err_many_classes"].format(max=limit.max_classes, n=len(names) + _count_rest(text))
                               + " " + over_limit("max_classes", lang))
    if not names:
        raise gr.Error(s["err_no_classes"])
    if len(names) < 2:
        raise gr.Error(s["err_few_classes"].format(n=len(names), names=", ".join(names)))
    return names


def _count_rest(text: str) -> int:
    """Roughly how many names follow the first one over the limit (for the 'too many' message)."""
    pieces = [p for p in re.split(r"[,，、\n]", str(text)) if p.strip()]
    return max(0, len(pieces) - limits.LIMITS.max_classes - 1)


def parse_templates(text, lang: str = "en") -> list[str]:
    """Templates, one per non-blank line, each with exactly one '{}' (others rejected, line named)."""
    s = labels(lang)
    limit = limits.LIMITS
    templates: list[str] = []
    first_line: dict[str, int] = {}
    lines = [(number, line.strip()) for number, line in enumerate(str(text or "").splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    if not lines:
        raise gr.Error(s["err_no_templates"])
    if len(lines) > limit.max_templates:
        raise gr.Error(s["err_many_templates"].format(max=limit.max_templates, n=len(lines))
                       + " " + over_limit("max_templates", lang))
    for number, template in lines:
        template = " ".join(template.split())
        if len(template) > limit.max_template_chars:
            raise gr.Error(s["err_long_template"].format(line=number, max=limit.max_template_chars)
                           + " " + over_limit("max_template_chars", lang))
        try:
            check_template(template)
        except ValueError:
            message = s["err_template"].format(line=number, template=template)
            other = re.search(r"%s|\{[^{}]+\}", template)  # another language's placeholder: {0}, {label}, %s
            if other:
                message += " " + s["err_placeholder"].format(found=other.group(0))
            raise gr.Error(message) from None
        if template in first_line:
            raise gr.Error(s["err_duplicate_template"].format(line=number, template=template,
                                                              first=first_line[template]))
        first_line[template] = number
        templates.append(template)
    return templates


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
    with `uploaded_picture` (lessons.images), which checks size and pixels before decoding and
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


def to_model_input(picture: Image.Image, size: int) -> torch.Tensor:
    """Any picture as the model's input [3, size, size] in [0, 1]: transparent parts over the toy's
    dark background, padded to a square with it (shapes keep their proportions), then shrunk with
    area averaging (Image.BOX), which is how the toy's own renderer anti-aliases."""
    dark = (round(255 * BACKGROUND),) * 3
    picture = picture.convert("RGBA")
    canvas = Image.new("RGBA", picture.size, dark + (255,))
    picture = Image.alpha_composite(canvas, picture).convert("RGB")
    side = max(picture.size)
    square = Image.new("RGB", (side, side), dark)
    square.paste(picture, ((side - picture.width) // 2, (side - picture.height) // 2))
    pixels = np.asarray(square.resize((size, size), Image.BOX), dtype=np.float32) / 255.0  # [H, W, 3]
    return torch.from_numpy(pixels.transpose(2, 0, 1).copy())  # [3, H, W]


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
