"""Figures of the "Art director" lesson: arrays in, a plotly figure or an HTML strip out.

Pure functions like lessons/common/plotting.py, with its colours: the optimised picture in the image blue,
real pictures of the caption (true matches) in the diagonal's green.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, make_figure, thumbnail_uri

PICTURE_PIXELS = 160  # side of each picture on the page; a 32-px picture is enlarged 5x, nearest-neighbour


def similarity_figure(steps: list[int], similarity: list[float], objective: list[float], real: np.ndarray,
                      total_steps: int, labels: dict[str, str], height: int = 360) -> go.Figure:
    """cos(picture, caption) against the step, with the band of real pictures of the caption.

    Args:
        steps, similarity: the picture's own cosine with the caption after each step (step 0: the start).
        objective: the mean cosine of the jittered copies each step maximised (nan at step 0).
        real: cosines of real pictures of the caption (empty: the caption names nothing to draw).
        total_steps: the run's length (the x axis spans it, so the curve grows into place).
        labels: title, x, y, picture, objective, real_range, real_mean.
    """
    x_end = max(total_steps, steps[-1] if steps else 0, 1)
    data = []
    if len(real):
        low, high, mean = float(np.min(real)), float(np.max(real)), float(np.mean(real))
        data += [
            dict(type="scatter", mode="lines", x=[0, x_end, x_end, 0, 0], y=[low, low, high, high, low],
                 fill="toself", fillcolor="rgba(0, 200, 83, 0.15)", line=dict(width=0), hoverinfo="skip",
                 name=labels["real_range"].format(n=len(real), low=low, high=high)),
            dict(type="scatter", mode="lines", x=[0, x_end], y=[mean, mean],
                 line=dict(color=COLORS["diagonal"], dash="dash", width=2), name=labels["real_mean"].format(mean=mean),
                 hovertemplate=labels["real_mean"].format(mean=mean) + "<extra></extra>"),
        ]
    data += [
        dict(type="scatter", mode="lines", x=steps[1:], y=objective[1:], name=labels["objective"],
             line=dict(color=COLORS["neutral"], dash="dot", width=1.5),
             hovertemplate=labels["x"] + " %{x}<br>cos %{y:.3f}<extra></extra>"),
        dict(type="scatter", mode="lines+markers" if len(steps) == 1 else "lines", x=steps, y=similarity,
             name=labels["picture"], line=dict(color=COLORS["image"], width=2.5), marker=dict(size=8),
             hovertemplate=labels["x"] + " %{x}<br>cos %{y:.3f}<extra></extra>"),
    ]
    return make_figure(data, labels["title"], height, dict(l=60, r=20, t=50, b=50),
                   xaxis=dict(title=dict(text=labels["x"]), range=[0, x_end]),
                   yaxis=dict(title=dict(text=labels["y"]), range=[-1.05, 1.05], zeroline=True),
                   legend=dict(yanchor="bottom", y=0.02, xanchor="right", x=0.99, bgcolor="rgba(255,255,255,0.8)"))


def picture_uri(image: np.ndarray) -> str:
    """A [3, H, W] picture as a PNG data URI, enlarged to about PICTURE_PIXELS with nearest-neighbour."""
    return thumbnail_uri(image, scale=max(1, round(PICTURE_PIXELS / image.shape[-1])))


def pictures_html(cards: list[tuple[str, str, str, str]]) -> str:
    """A row of captioned pictures: (element id, data URI, title, line under it) each."""
    items = []
    for card_id, uri, title, note in cards:
        items.append(
            f'<figure class="art-card" id="{card_id}" '
            f'style="margin:0;text-align:center;max-width:{PICTURE_PIXELS + 20}px">'
            f'<div class="art-title" style="font-weight:600">{html.escape(title)}</div>'
            f'<img src="{uri}" width="{PICTURE_PIXELS}" height="{PICTURE_PIXELS}" alt="{html.escape(title)}" '
            f'style="image-rendering:pixelated;border-radius:4px">'
            f'<figcaption style="font-size:0.9rem">{html.escape(note)}</figcaption></figure>')
    return ('<div class="art-pictures" style="display:flex;gap:14px;flex-wrap:wrap;align-items:flex-start">'
            + "".join(items) + "</div>")
