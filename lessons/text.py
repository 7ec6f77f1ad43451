"""Lesson prose: markdown files in lessons/text/<lang>/<lesson>.md.

Each file is `# Title`, a one-paragraph lead (what to do first), a line `<!-- more -->`, and the
longer explanation. Files are read on demand (they are small) so edits show without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TEXT_DIR = Path(__file__).resolve().parent / "text"
LANGUAGES = ("en", "zh")


@dataclass
class LessonText:
    title: str
    lead: str
    body: str


def lesson_text(lesson_id: str, lang: str = "en") -> LessonText:
    """The prose of a lesson in a language (English when that language has no file)."""
    path = TEXT_DIR / (lang if lang in LANGUAGES else "en") / f"{lesson_id}.md"
    if not path.exists():
        path = TEXT_DIR / "en" / f"{lesson_id}.md"
    raw = path.read_text(encoding="utf-8").strip()
    head, _, body = raw.partition("<!-- more -->")
    lines = head.strip().splitlines()
    title = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("#") else lesson_id
    lead = "\n".join(lines[1:]).strip() if lines and lines[0].startswith("#") else head.strip()
    return LessonText(title, lead, body.strip())
