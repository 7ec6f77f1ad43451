"""Figures of the "Your photos" lesson: zero-shot probabilities of each uploaded picture."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, PROBABILITY_SCALE, make_figure, short_label


def photo_probs_figure(probs: np.ndarray, picture_names: list[str], classnames: list[str], labels: dict[str, str],
                       height: int | None = None) -> go.Figure:
    """Zero-shot probabilities of uploaded pictures: a [pictures, classes] heatmap, each row a softmax
    (sums to 1), with the percentages written in the cells and each row's most likely class boxed.

    Args:
        probs: [n, C] probabilities.
        picture_names: n row labels; classnames: C column labels.
        labels: title, x, y.
    """
    probs = np.asarray(probs, dtype=float)
    n, c = probs.shape
    rows = [f"{i} · {short_label(name, 18)}" for i, name in enumerate(picture_names)]
    columns = [short_label(name, 18) for name in classnames]
    text = [[f"{100 * p:.0f}%" if c <= 12 and n <= 24 else "" for p in row] for row in probs]
    best = probs.argmax(axis=1)
    boxes = "".join(f"M{j - 0.5},{i - 0.5}H{j + 0.5}V{i + 0.5}H{j - 0.5}Z" for i, j in enumerate(best))
    data = [dict(type="heatmap", z=probs, x=list(range(c)), y=list(range(n)), zmin=0, zmax=1,
                 colorscale=PROBABILITY_SCALE, text=text, texttemplate="%{text}", textfont=dict(size=11),
                 customdata=[[classnames[j] for j in range(c)] for _ in range(n)],
                 hovertemplate=f"{labels['y']} %{{y}} · {labels['x']} %{{customdata}}<br>p = %{{z:.4f}}<extra></extra>",
                 colorbar=dict(title=dict(text="p"), thickness=12, len=0.8))]
    height = height or min(640, 150 + 34 * n)
    return make_figure(data, labels["title"], height, dict(l=10, r=10, t=48, b=40),
                   xaxis=dict(tickvals=list(range(c)), ticktext=columns, side="top", title=dict(text=labels["x"]),
                              fixedrange=True, tickangle=-30 if c > 6 else 0, automargin=True),
                   yaxis=dict(tickvals=list(range(n)), ticktext=rows, autorange="reversed", automargin=True,
                              title=dict(text=labels["y"]), fixedrange=True),
                   shapes=[dict(type="path", path=boxes, line=dict(color=COLORS["diagonal"], width=2.5),
                                fillcolor="rgba(0,0,0,0)")] if n else [])

