"""Reading what the learner gives lesson 6: class lists, templates and images.

Every check raises gr.Error (or shows gr.Warning) with a message that names the offending line or
word, in the session's language; images of any size or mode become the model's [3, H, W] input.
"""

from __future__ import annotations

import os
import re

import gradio as gr
import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from clip_core.data import COLOURS, POSITIONS, SHAPES, SIZES
from clip_core.zeroshot import check_template

from . import ui
from .zeroshot_strings import STRINGS

MAX_CLASSES, MAX_CLASS_CHARS = 100, 40
MAX_TEMPLATES, MAX_TEMPLATE_CHARS = 32, 100
MAX_UPLOAD_BYTES, MAX_UPLOAD_SIDE = 10 * 1024 * 1024, 4096
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


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def normal_name(name: str) -> str:
    return " ".join(name.lower().split())


def parse_classes(text, lang: str = "en") -> list[str]:
    """Class names from comma- or newline-separated text; blank lines and a trailing comma are fine."""
    s = labels(lang)
    names: list[str] = []
    for line_number, line in enumerate(str(text or "").splitlines(), start=1):
        pieces = [piece.strip() for piece in line.split(",")]
        if pieces and not pieces[-1]:
            pieces = pieces[:-1]  # "red, blue," ends with a harmless comma
        if not any(pieces):
            continue
        for piece in pieces:
            if not piece:
                raise gr.Error(s["err_empty_class"].format(line=line_number))
            name = " ".join(piece.split())
            if len(name) > MAX_CLASS_CHARS:
                raise gr.Error(s["err_long_class"].format(name=name[:MAX_CLASS_CHARS] + "…", max=MAX_CLASS_CHARS))
            if not re.search(r"\w", name):
                raise gr.Error(s["err_no_word"].format(name=name))
            if normal_name(name) in {normal_name(n) for n in names}:
                raise gr.Error(s["err_duplicate_class"].format(name=name))
            names.append(name)
            if len(names) > MAX_CLASSES:
                raise gr.Error(s["err_many_classes"].format(max=MAX_CLASSES, n=len(names) + _count_rest(text)))
    if not names:
        raise gr.Error(s["err_no_classes"])
    if len(names) < 2:
        raise gr.Error(s["err_few_classes"].format(n=len(names), names=", ".join(names)))
    return names


def _count_rest(text: str) -> int:
    """Roughly how many names follow the hundred-and-first (for the 'too many' message)."""
    pieces = [p for p in re.split(r"[,\n]", str(text)) if p.strip()]
    return max(0, len(pieces) - MAX_CLASSES - 1)


def parse_templates(text, lang: str = "en") -> list[str]:
    """Templates, one per non-blank line, each with exactly one '{}' (others rejected, line named)."""
    s = labels(lang)
    templates: list[str] = []
    first_line: dict[str, int] = {}
    lines = [(number, line.strip()) for number, line in enumerate(str(text or "").splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    if not lines:
        raise gr.Error(s["err_no_templates"])
    if len(lines) > MAX_TEMPLATES:
        raise gr.Error(s["err_many_templates"].format(max=MAX_TEMPLATES, n=len(lines)))
    for number, template in lines:
        template = " ".join(template.split())
        if len(template) > MAX_TEMPLATE_CHARS:
            raise gr.Error(s["err_long_template"].format(line=number, max=MAX_TEMPLATE_CHARS))
        try:
            check_template(template)
        except ValueError:
            raise gr.Error(s["err_template"].format(line=number, template=template)) from None
        if template in first_line:
            raise gr.Error(s["err_duplicate_template"].format(line=number, template=template,
                                                              first=first_line[template]))
        first_line[template] = number
        templates.append(template)
    return templates


def notes(tokenizer, classnames: list[str], templates: list[str], lang: str) -> list[str]:
    """Warnings about the prompts: unknown words (named) and prompts cut to the context length.
    Each is shown with gr.Warning and returned for the read-out."""
    s = labels(lang)
    prompts = [t.format(c) for t in templates for c in classnames]
    unknown = list(dict.fromkeys(w for p in prompts for w in tokenizer.unknown_words(p)))
    found = []
    if unknown:
        found.append(s["unknown"].format(words=", ".join(unknown)))
    cut = [p for p in prompts if tokenizer.report(p).truncated]
    if cut:
        found.append(s["truncated"].format(n=tokenizer.context_length, prompt=cut[0]))
    for message in found:
        gr.Warning(message.replace("**", "").replace("`", ""))
    return found


def truth_kind(classnames: list[str]) -> str | None:
    """Which attribute the class list names (all pairs, all colours, ...), or None when it is mixed
    or names things the toy world does not have: then no image has a known right answer."""
    normal = {normal_name(name) for name in classnames}
    for kind, vocabulary in VOCAB_OF_KIND.items():
        if normal <= vocabulary:
            return kind
    return None


def truth_index(classnames: list[str], kind: str | None, names: dict[str, str]) -> int | None:
    """Index of a scene's true class in the list (None if unknown or not in the list)."""
    if kind is None:
        return None
    answer = TRUTH_KINDS[kind](names)
    normal = [normal_name(name) for name in classnames]
    return normal.index(answer) if answer in normal else None


class CheckedImage(gr.Image):
    """gr.Image whose uploads are refused with a clear message when they are not images, too
    large on disk or too many pixels (checked from the header, before decoding)."""

    is_template = True

    def preprocess(self, payload):
        path = getattr(payload, "path", None)
        if path:
            size = os.path.getsize(path)
            if size > MAX_UPLOAD_BYTES:
                raise gr.Error(f"The file is {size / 2**20:.1f} MB; at most {MAX_UPLOAD_BYTES // 2**20} MB, please. / "
                               f"文件有 {size / 2**20:.1f} MB，最多 {MAX_UPLOAD_BYTES // 2**20} MB。")
            try:
                with Image.open(path) as header:
                    width, height = header.size
            except (UnidentifiedImageError, OSError, ValueError):
                raise gr.Error("That file is not an image (PNG, JPEG, WebP, GIF or BMP). / "
                               "这个文件不是图片（请用 PNG、JPEG、WebP、GIF 或 BMP）。") from None
            if max(width, height) > MAX_UPLOAD_SIDE:
                raise gr.Error(f"The image is {width} × {height} px; at most {MAX_UPLOAD_SIDE} px per side, please. / "
                               f"图片尺寸为 {width} × {height} 像素，每边最多 {MAX_UPLOAD_SIDE} 像素。")
        try:
            return super().preprocess(payload)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            raise gr.Error("That file could not be read as an image. / 无法把这个文件读成图片。") from None


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
