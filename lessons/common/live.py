"""In-page sliders (issue 16): a slider that only rescales model output (a temperature, a
probability, a shift) redraws its figure in the browser, from data the server put in the figure
once, instead of waiting for a server round trip (~300 ms on an idle 2-core machine, ~1 s with a
class on it). The page's side is assets/live.js; this module is the Python side:

* `attach(figure, kind, **data)` puts what the page needs into `figure.layout.meta["live"]` (the
  cosines, the localised templates of the read-outs); the figure and its data travel together,
  so the page never mixes one batch's numbers with another's figure;
* `wire(slider, kind, ...)` connects the slider's `input` event to `window.clipLive.move(...)` with
  no server function (`fn=None`, `js=`): the page updates the figure with Plotly.update/react and
  returns the new read-outs as the event's outputs.

The server keeps the same computation: the lesson's render stays the API endpoint (same api_name),
makes the PNG export and restores shared links, and runs when the slider is released
(`slider.release`), so Gradio's own copy of the figure catches up with the page.
"""

from __future__ import annotations

import json

import gradio as gr
import plotly.graph_objects as go

from .session import ASSETS

SCRIPT = ASSETS / "live.js"  # the repository's assets/, or the installed wheel's clip_lab_assets/


def head() -> str:
    """The <script> for `launch(head=...)` that defines window.clipLive."""
    return f"<script>{SCRIPT.read_text(encoding='utf-8')}</script>"


def attach(figure: go.Figure, kind: str, **data) -> go.Figure:
    """Put `data` (plain JSON: lists, floats, strings) where assets/live.js's handler `kind` reads it."""
    figure.layout.meta = {"live": {"kind": kind, **data}}
    return figure


def move_js(kind: str, plots: list[str], controls: int) -> str:
    """The `js=` of an in-page slider event.

    Args:
        kind: a handler of assets/live.js (logits, photos, temperature, logit_p, logit_softmax, class_bars).
        plots: CSS selectors of the figures it redraws (a gr.Plot's `#elem_id`), in the handler's order.
        controls: how many of the event's inputs are controls; the rest are the current values of its
            outputs, given back unchanged when the figure is not on the page (yet).
    """
    fallback = f"values.slice({controls})"
    call = f"window.clipLive.move({json.dumps(kind)}, {json.dumps(plots)}, {controls}, values)"
    return f"(...values) => (window.clipLive ? {call} : {fallback})"


def wire(slider: gr.components.Component, kind: str, plots: list[str], controls: list, outputs: list) -> None:
    """The slider's `input` redraws in the page: no server call, no queue, no api_name.

    Args:
        controls: the components the page's handler reads (the slider first).
        outputs: the read-outs it returns; they are passed in too, for the fallback.
    """
    slider.input(None, [*controls, *outputs], outputs, js=move_js(kind, plots, len(controls)),
                 api_visibility="private", show_progress="hidden", queue=False)


def attach_logits(figure: go.Figure, data, view: str, labels: dict[str, str], title_prefix: str = "",
                  **extra) -> go.Figure:
    """The logits heatmap's payload: the cosine matrix (float64 lists: the page computes the
    softmaxes and losses from it at any temperature), the view and the title's template.

    Args:
        data: the figure's `LogitsData`.
        labels: the logits lesson's strings (for the title).
        extra: the read-out's template and what else the page's handler needs.
    """
    from .heatmap import logits_title_template

    return attach(figure, "logits", cosine=data.cosine.astype(float).tolist(), view=view,
                  title=title_prefix + logits_title_template(view, labels), **extra)
