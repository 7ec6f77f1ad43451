"""What every lesson's `build(ctx)` receives: the session state, the model picker and the hooks
that refresh a lesson on page load, on a model change and from a shareable link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import gradio as gr

from lessons.common.prose import lesson_text, placeholders
from lessons.common.prose_values import prose_values, server_values
from lessons.common.session import with_session
from lessons.page.header import picker_update
from lessons.page.share import Shared


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
    shared: dict[str, Shared] = field(default_factory=dict)  # lesson id -> its settings in shareable links

    def on(self, trigger, fn: Callable, inputs: list, outputs: list, **kwargs):
        """Wire an event: `trigger(fn, ...)` (e.g. `button.click`) with the session state put first
        in the inputs, so `fn(session, *inputs)` always receives a Session (lessons.common.session.
        with_session). Outputs are as given (put ctx.session first where the handler returns it)."""
        return trigger(with_session(fn), [self.session, *inputs], outputs, **kwargs)

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

    def shareable(self, lesson_id: str, fields: dict, redraw: tuple | None = None, fit=None) -> None:
        """Put a lesson's key settings in shareable links (lessons.page.share): URL key -> control. A link
        puts its values into the controls on page load, then runs `redraw = (fn, inputs, outputs)`
        (usually the lesson's own render event) with them. `fit(values) -> {key: gr.update}` sets
        controls whose range depends on other values (see lessons.page.share.Shared)."""
        self.shared[lesson_id] = Shared(lesson_id, fields, redraw, fit)

    def prose(self, lesson_id: str, values: Callable | None = None) -> tuple[gr.Markdown, gr.Markdown]:
        """The lesson's lead (rendered here, above the controls) and its body (created unrendered:
        the lesson calls `body.render()` where the longer prose belongs), in the session's language.

        Placeholders such as `{{vocab_size}}` are filled from the session's model, world and server
        (lessons.text_values), plus `values(session) -> dict` for the lesson's own numbers; prose
        with placeholders is filled again when the learner picks another model."""
        text = lesson_text(lesson_id, "en", {**prose_values(None), **(values(None) if values else {})})
        lead = gr.Markdown(text.lead, elem_classes=["lesson-lead"], latex_delimiters=LATEX)
        body = gr.Markdown(text.body, elem_classes=["lesson-body"], latex_delimiters=LATEX, render=False)

        def fill(session):
            localized = prose_for(lesson_id, session, values)
            return localized.lead, localized.body

        # only prose that states something about the model needs refilling when another one is picked
        self.refresh(fill, [], [lead, body], on_model_change=bool(placeholders(lesson_id) - set(server_values())))
        return lead, body


def prose_for(lesson_id: str, session, values: Callable | None = None):
    """A lesson's prose for a session, its placeholders filled (see LessonContext.prose)."""
    lang = session.lang if session else "en"
    if not placeholders(lesson_id, lang):
        return lesson_text(lesson_id, lang)
    return lesson_text(lesson_id, lang, {**prose_values(session), **(values(session) if values else {})})


LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]
