"""Small helpers the lesson modules share: input checks with clear messages, and strings."""

from __future__ import annotations

import math

import gradio as gr

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


def check_number(value, lo: float, hi: float, name: str, lang: str = "en", integer: bool = False) -> float:
    """Return value as a number in [lo, hi], or raise gr.Error with a clear message.

    Sliders keep values in range in the browser, but the API accepts anything: NaN, infinity,
    strings, numbers far out of range. None of those may crash a session.
    """
    messages = _MESSAGES.get(lang, _MESSAGES["en"])
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise gr.Error(messages["range"].format(name=name, lo=lo, hi=hi, value=repr(value))) from None
    if not math.isfinite(number) or number < lo or number > hi:
        raise gr.Error(messages["range"].format(name=name, lo=lo, hi=hi, value=value))
    if integer:
        if number != int(number):
            raise gr.Error(messages["integer"].format(name=name, value=value))
        return int(number)
    return number

from gradio.events import Dependency

class Slider(gr.Slider):
    """gr.Slider whose API input is checked by `_checked` (gr.Slider must stay the first base:
    the front end renders a template component as its first base class)."""

    is_template = True  # rendered by the front end exactly like gr.Slider
    operator_limit: str | None = None  # the lessons.limits.Limits field that sets the maximum, if any

    def limited_by(self, name: str) -> Slider:
        """Mark this control's maximum as the operator limit `name` (e.g. "max_gallery")."""
        self.operator_limit = name
        return self

    def preprocess(self, payload):
        return _checked(self, payload, super().preprocess)
    from typing import Callable, Literal, Sequence, Any, TYPE_CHECKING
    from gradio.blocks import Block
    if TYPE_CHECKING:
        from gradio.components import Timer
        from gradio.components.base import Component


class Number(gr.Number):
    """gr.Number with the same checks as Slider."""

    is_template = True
    operator_limit: str | None = None

    def limited_by(self, name: str) -> Number:
        self.operator_limit = name
        return self

    def preprocess(self, payload):
        return None if payload is None else _checked(self, payload, super().preprocess)
    from typing import Callable, Literal, Sequence, Any, TYPE_CHECKING
    from gradio.blocks import Block
    if TYPE_CHECKING:
        from gradio.components import Timer
        from gradio.components.base import Component


def _number_or_error(payload):
    if isinstance(payload, bool) or not isinstance(payload, (int, float)):
        try:
            payload = float(payload)
        except (TypeError, ValueError):
            raise gr.Error(f"Expected a number, got {payload!r}. / 这里需要一个数字，收到的是 {payload!r}。") from None
    return payload


def check_choice(value, choices, name: str) -> str:
    if value not in choices:
        raise gr.Error(f"{name} must be one of {list(choices)} (got {value!r}).")
    return value