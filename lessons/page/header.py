"""The page's header around the lessons: the model picker, the line under it about the pretrained
CLIP, and each lesson's note on what the picked model means for it.
"""

from __future__ import annotations

import gradio as gr

from lessons.common.models import model_label, pretrained_label, short_name
from lessons.page.strings import all_strings, tr


def picker_update(session, i18n: gr.I18n) -> dict:
    """The header's model picker for a session: the models it has, the one in use."""
    # plain strings in the session's language (gr.I18n labels inside an update do not survive raw HTTP calls)
    choices = [(pretrained_label(session) if name == "pretrained" else model_label(session, name), name)
               for name in session.available_models()]
    return gr.update(choices=choices, value=session.model_name)


def model_status(session, error: str | None = None) -> str:
    """The line under the header: what the pretrained CLIP is, or why it could not be loaded."""
    if error:
        return tr(session.lang, "app.model.failed").format(error=error)
    if not session.is_pretrained:
        return ""
    model = session.model()
    config = model.config
    return tr(session.lang, "app.model.loaded").format(
        name=short_name(config.name), params=f"{model.num_parameters():,}", size=config.image_size,
        dim=config.embed_dim, scale=model.scale().item())


def pretrained_note(session, lesson_id: str) -> str:
    """A lesson's note on what the picked model means for it ("" when there is nothing to say):
    toy-only lessons say so when the pretrained CLIP is picked; the photos tab warns about toy models;
    lessons that show training captions say that the bilingual model's are English or Chinese."""
    if session is None:
        return ""
    if lesson_id == "photos":
        return "" if session.is_pretrained else tr(session.lang, "photos.toy_note")
    if session.model_name == "bilingual":
        key = f"bilingual_note.{lesson_id}"
        return tr(session.lang, key) if key in all_strings()["en"] else ""
    if not session.is_pretrained:
        return ""
    key = f"pretrained_note.{lesson_id}"
    if key not in all_strings()["en"]:
        return ""  # nothing toy-specific to say about this lesson
    return tr(session.lang, key).format(size=session.model().config.image_size)
