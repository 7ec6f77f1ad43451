"""Figures of lesson 7 (search): the ranked scores of a query."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, make_figure


def search_scores_figure(scores: np.ndarray, k: int, labels: dict[str, str], height: int = 260) -> go.Figure:
    """Cosine of the query with every gallery image, best first; the top k highlighted.

    Args:
        scores: [N] cosines sorted in descending order.
        labels: title, x, y, top, rest.
    """
    scores = np.asarray(scores, dtype=float)
    ranks = np.arange(1, len(scores) + 1)
    data = [dict(type="bar", x=ranks[:k], y=scores[:k], name=labels["top"], marker=dict(color=COLORS["image"]),
                 hovertemplate="#%{x}: cos %{y:.3f}<extra></extra>"),
            dict(type="bar", x=ranks[k:], y=scores[k:], name=labels["rest"], marker=dict(color="#b0b0b0"),
                 hovertemplate="#%{x}: cos %{y:.3f}<extra></extra>")]
    low = min(0.0, float(scores.min()) - 0.05) if len(scores) else 0.0
    return make_figure(data, labels["title"], height, dict(l=60, r=20, t=48, b=45),
                   xaxis=dict(title=dict(text=labels["x"]), range=[0.5, len(scores) + 0.5], fixedrange=True),
                   yaxis=dict(title=dict(text=labels["y"]), range=[low, 1.02], fixedrange=True),
                   bargap=0.05, legend=dict(orientation="h", x=1.0, xanchor="right", y=1.0, yanchor="bottom"))

