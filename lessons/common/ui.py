"""Small helpers the lesson modules share: input checks with clear messages, and strings."""

from __future__ import annotations

import functools
import math

import gradio as gr

from lessons.common import limits

STRINGS = {
    "en": {
        "common.export_png": "Export PNG",
        "common.png_file": "PNG file",
    },
    "zh": {
        "common.export_png": "导出 PNG",
        "common.png_file": "PNG 文件",
    },
}

_MESSAGES = {
    "en": {
        "range": "{name} must be a number from {lo} to {hi} (got {value}).",
        "integer": "{name} must be a whole number (got {value}).",
    },
    "zh": {
        "range": "{name} 必须是 {lo} 到 {hi} 之间的数（收到的是 {value}）。",
        "integer": "{name} 必须是整数（收到的是 {value}）。",
    },
}


def check_number(value, lo: float, hi: float, name: str, lang: str = "en", integer: bool = False,
                 limit: str | None = None) -> float:
    """Return value as a number in [lo, hi], or raise gr.Error with a clear message.

    Sliders keep values in range in the browser, but the API accepts anything: NaN, infinity,
    strings, numbers far out of range. None of those may crash a session.

    Args:
        limit: the operator limit (a `lessons.common.limits.Limits` field) that sets `hi`, named in the
            message when the value is above it.
    """
    messages = _MESSAGES.get(lang, _MESSAGES["en"])
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise gr.Error(messages["range"].format(name=name, lo=lo, hi=hi, value=repr(value))) from None
    if not math.isfinite(number) or number < lo or number > hi:
        message = messages["range"].format(name=name, lo=lo, hi=hi, value=value)
        if limit and number > hi:
            message += " " + limits.over_limit(limit, lang)
        raise gr.Error(message)
    if integer:
        if number != int(number):
            raise gr.Error(messages["integer"].format(name=name, value=value))
        return int(number)
    return number


def lesson_strings(strings: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    """A lesson's STRINGS in one language, keys without the lesson prefix ("logits.n" -> "n")."""
    table = strings.get(lang, strings["en"])
    return {key.split(".", 1)[1]: value for key, value in table.items()}


class Slider(gr.Slider):
    """gr.Slider whose API input is checked by `_checked` (gr.Slider must stay the first base:
    the front end renders a template component as its first base class)."""

    is_template = True  # rendered by the front end exactly like gr.Slider
    operator_limit: str | None = None  # the lessons.common.limits.Limits field that sets the maximum, if any

    def limited_by(self, name: str) -> Slider:
        """Mark this control's maximum as the operator limit `name` (e.g. "max_gallery")."""
        self.operator_limit = name
        return self

    def preprocess(self, payload):
        return _checked(self, payload, super().preprocess)


class Number(gr.Number):
    """gr.Number with the same checks as Slider."""

    is_template = True
    operator_limit: str | None = None

    def limited_by(self, name: str) -> Number:
        self.operator_limit = name
        return self

    def preprocess(self, payload):
        return None if payload is None else _checked(self, payload, super().preprocess)


def _checked(component, payload, preprocess):
    """The API input of a Slider or Number: it must be a number (the stock components fail with a
    TypeError that reaches the learner as a generic error). NaN passes every bound check, and an
    infinity passes a missing bound: those go on to the handler, whose check names the control
    (rounding them to an integer here would crash). A value above a maximum set by an operator
    limit says which variable raises it."""
    payload = _number_or_error(payload)
    bound = component.maximum if payload > 0 else component.minimum
    if math.isnan(payload) or (math.isinf(payload) and bound is None):
        return payload
    try:
        return preprocess(payload)
    except gr.Error as error:
        name = component.operator_limit
        if name and component.maximum is not None and payload > component.maximum:
            hint = f"{limits.over_limit(name, 'en')} / {limits.over_limit(name, 'zh')}"
            raise gr.Error(f"{error.message} {hint}") from None
        raise


def _number_or_error(payload):
    if isinstance(payload, bool) or not isinstance(payload, (int, float)):
        try:
            payload = float(payload)
        except (TypeError, ValueError, OverflowError):
            raise gr.Error(f"Expected a number, got {payload!r}. / 这里需要一个数字，收到的是 {payload!r}。") from None
    return payload


def check_choice(value, choices, name: str) -> str:
    if value not in choices:
        raise gr.Error(f"{name} must be one of {list(choices)} (got {value!r}).")
    return value


def keep_session(fn):
    """`fn(session, ...)` as an event handler that also returns the session as its first output,
    so that API clients (which have no page load) keep their session and its caches too."""

    @functools.wraps(fn)
    def returning_session(session, *values):
        result = fn(session, *values)
        return (session, *(result if isinstance(result, tuple) else (result,)))

    from .session import with_session  # lessons.common.session imports clip_core; keep this module light

    return with_session(returning_session)
