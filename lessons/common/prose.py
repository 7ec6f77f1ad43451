"""Lesson prose: markdown files beside each lesson, lessons/<id>/<lang>.md (lessons/beyond/<id>/ for
the "Beyond the basics" ones).

Each file is `# Title`, a one-paragraph lead (what to do first), a line `<!-- more -->`, and the
longer explanation. Files are read on demand (they are small) so edits show without a restart.

Counts and lists that depend on the model, the world or the server are never written into the
prose: it writes a placeholder such as `{{vocab_size}}` (double braces, so LaTeX and the `{}` of
prompt templates stay as they are), filled from `lessons.text_values` when the text is shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

LESSONS_DIR = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "zh")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass
class LessonText:
    title: str
    lead: str
    body: str


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace every `{{name}}` by values[name]; a name without a value is a bug in the prose."""
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"the lesson prose uses {{{{{name}}}}}, which has no value")
        return values[name]

    return PLACEHOLDER.sub(value, text)


def placeholders(lesson_id: str, lang: str | None = None) -> set[str]:
    """The placeholder names a lesson's prose uses in a language (default: in any language)."""
    langs = LANGUAGES if lang is None else (lang,)
    return {name for code in langs for name in PLACEHOLDER.findall(_path(lesson_id, code).read_text(encoding="utf-8"))}


def lesson_folder(lesson_id: str) -> Path:
    """The package folder of a lesson: lessons/<id> or lessons/beyond/<id>."""
    for folder in (LESSONS_DIR / lesson_id, LESSONS_DIR / "beyond" / lesson_id):
        if (folder / "en.md").exists():
            return folder
    raise FileNotFoundError(f"no prose for lesson {lesson_id!r} (lessons/{lesson_id}/en.md)")


def _path(lesson_id: str, lang: str) -> Path:
    path = lesson_folder(lesson_id) / f"{lang if lang in LANGUAGES else 'en'}.md"
    return path if path.exists() else path.with_name("en.md")


def lesson_text(lesson_id: str, lang: str = "en", values: Mapping[str, str] | None = None) -> LessonText:
    """The prose of a lesson in a language (English when that language has no file).

    Args:
        values: fill the `{{name}}` placeholders (see lessons.text_values); None leaves them as they are.
    """
    raw = _path(lesson_id, lang).read_text(encoding="utf-8").strip()
    if values is not None:
        raw = fill(raw, values)
    head, _, body = raw.partition("<!-- more -->")
    lines = head.strip().splitlines()
    title = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("#") else lesson_id
    lead = "\n".join(lines[1:]).strip() if lines and lines[0].startswith("#") else head.strip()
    return LessonText(title, lead, body.strip())
