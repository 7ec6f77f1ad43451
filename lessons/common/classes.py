"""Class lists and prompt templates typed by a learner, and any picture as the toy model's input.

Shared by the lessons that classify (zero-shot, your photos, SigLIP): every check raises gr.Error with
a message that names the offending line or name, in the session's language.
"""

from __future__ import annotations

import re
import unicodedata

import gradio as gr
import numpy as np
import torch
from PIL import Image

from clip_core.zeroshot import check_template
from lessons.common import limits, ui
from lessons.common.limits import over_limit

STRINGS = {
    "en": {
        "classes.err_no_classes": "Type at least two class names, separated by commas or new lines.",
        "classes.err_few_classes": "A classifier needs at least 2 classes (got {n}: {names}).",
        "classes.err_many_classes": "At most {max} classes, please (got {n}).",
        "classes.err_empty_class": "Line {line} has an empty class name between two commas.",
        "classes.err_long_class": "Class name “{name}” is longer than {max} characters.",
        "classes.err_no_word": "Class name “{name}” contains no word.",
        "classes.err_duplicate_class": "“{name}” is in the class list twice: each class needs a different name.",
        "classes.err_no_templates": "Type at least one template, such as: a photo of a {}.",
        "classes.err_many_templates": "At most {max} templates, please (got {n}).",
        "classes.err_long_template": "Template on line {line} is longer than {max} characters.",
        "classes.err_template": ("Template on line {line} (“{template}”) must contain {{}} exactly once, and no other "
                                  "braces: that is where the class name goes."),
        "classes.err_duplicate_template": "Template on line {line} (“{template}”) repeats line {first}.",
        "classes.err_placeholder": "Write the place for the name as an empty {{}}, not {found}.",
    },
    "zh": {
        "classes.err_no_classes": "请至少输入两个类别名，用逗号或换行分隔。",
        "classes.err_few_classes": "分类器至少需要 2 个类别（现在是 {n} 个：{names}）。",
        "classes.err_many_classes": "类别最多 {max} 个（现在是 {n} 个）。",
        "classes.err_empty_class": "第 {line} 行两个逗号之间的类别名是空的。",
        "classes.err_long_class": "类别名“{name}”超过了 {max} 个字符。",
        "classes.err_no_word": "类别名“{name}”里没有词。",
        "classes.err_duplicate_class": "“{name}”在类别清单里出现了两次：每个类别要有不同的名字。",
        "classes.err_no_templates": "请至少输入一个模板，例如：一张{}的照片",
        "classes.err_many_templates": "模板最多 {max} 个（现在是 {n} 个）。",
        "classes.err_long_template": "第 {line} 行的模板超过了 {max} 个字符。",
        "classes.err_template": "第 {line} 行的模板（“{template}”）必须恰好包含一个 {{}}，且不能有其他花括号：类别名就填在那里。",
        "classes.err_duplicate_template": "第 {line} 行的模板（“{template}”）和第 {first} 行重复。",
        "classes.err_placeholder": "类别名的位置请写成空的 {{}}，而不是 {found}。",
    },
}


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


BACKGROUND = 0.15  # the toy's dark background (rendered between 0.05 and 0.25)
CLASS_SEPARATORS = re.compile(r"[,，、]")  # English comma, Chinese comma, Chinese enumeration comma


def normal_name(name: str) -> str:
    return " ".join(name.lower().split())


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

