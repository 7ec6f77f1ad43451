"""The lessons (tabs) of CLIP Lab, in order, and what they share.

Each lesson module exposes `LESSON_ID`, `STRINGS` ({"en": {...}, "zh": {...}} UI strings) and
`build(ctx)`, which creates the tab's components inside the surrounding gr.Blocks and wires its
events. `ctx` gives it the session state, the model picker and hooks to refresh on page load or
when the learner picks another model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import gradio as gr

from . import logit, logits, overview, search, temperature, toy_world, train_live, zeroshot
from .text import lesson_text

LESSONS = [overview, toy_world, logits, temperature, train_live, zeroshot, search, logit]

COMMON_STRINGS = {
    "en": {
        "app.title": "CLIP Lab",
        "app.model": "Model used by every lesson",
        "app.model.shipped": "toy CLIP (shipped)",
        "app.model.trained": "my trained model (this session)",
        "app.model.random": "random init",
        "app.language": "Language",
        "common.export_png": "Export PNG",
        "common.png_file": "PNG file",
    },
    "zh": {
        "app.title": "CLIP 实验室",
        "app.model": "所有课程使用的模型",
        "app.model.shipped": "玩具 CLIP（随附）",
        "app.model.trained": "我训练的模型（本次会话）",
        "app.model.random": "随机初始化",
        "app.language": "语言",
        "common.export_png": "导出 PNG",
        "common.png_file": "PNG 文件",
    },
}


def all_strings() -> dict[str, dict[str, str]]:
    """UI strings of the shell and every lesson, per language (for gr.I18n)."""
    merged: dict[str, dict[str, str]] = {lang: dict(COMMON_STRINGS[lang]) for lang in ("en", "zh")}
    for lesson in LESSONS:
        for lang in merged:
            merged[lang].update(lesson.STRINGS.get(lang, lesson.STRINGS["en"]))
    return merged


def tr(lang: str, key: str) -> str:
    """A UI string on the server side (figure titles, messages), in the session's language."""
    table = all_strings()
    return table.get(lang, table["en"]).get(key) or table["en"].get(key, key)


def picker_update(session, i18n: gr.I18n) -> dict:
    """The header's model picker for a session: the models it has, the one in use."""
    return gr.update(choices=[(i18n(f"app.model.{name}"), name) for name in session.available_models()],
                     value=session.model_name)


@dataclass
class Hook:
    fn: Callable
    inputs: list
    outputs: list
    api_name: str | None


@dataclass
class LessonContext:
    """What `build(ctx)` receives. Hooks run after the session exists (page load) and again
    whenever the learner picks another model in the header."""

    session: gr.State
    model_picker: gr.Dropdown
    i18n: gr.I18n
    on_load: list[Hook] = field(default_factory=list)
    on_model_change: list[Hook] = field(default_factory=list)
    model_change_events: list = field(default_factory=list)

    def picker_update(self, session) -> dict:
        return picker_update(session, self.i18n)

    def model_changed_by(self, event) -> None:
        """Refresh every lesson after `event` (e.g. training finished and picked the new model)."""
        self.model_change_events.append(event)

    def refresh(self, fn: Callable, inputs: list, outputs: list, api_name: str | None = None,
                on_model_change: bool = True) -> None:
        """Run `fn(session, *inputs) -> outputs` on page load (and on model change)."""
        self.on_load.append(Hook(fn, inputs, outputs, api_name))
        if on_model_change:
            self.on_model_change.append(Hook(fn, inputs, outputs, None))

    def prose(self, lesson_id: str) -> tuple[gr.Markdown, gr.Markdown]:
        """The lesson's lead (rendered here, above the controls) and its body (created unrendered:
        the lesson calls `body.render()` where the longer prose belongs), in the session's language."""
        text = lesson_text(lesson_id, "en")
        lead = gr.Markdown(text.lead, elem_classes=["lesson-lead"], latex_delimiters=LATEX)
        body = gr.Markdown(text.body, elem_classes=["lesson-body"], latex_delimiters=LATEX, render=False)

        def fill(session):
            localized = lesson_text(lesson_id, session.lang if session else "en")
            return localized.lead, localized.body

        self.refresh(fill, [], [lead, body], on_model_change=False)
        return lead, body


LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]
