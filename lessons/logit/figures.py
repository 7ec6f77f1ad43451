"""Figures of lesson 8 (what is a logit?): probability, odds and log-odds with the sigmoid, and a
softmax over a vector of logits."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, PROBABILITY_SCALE, SIGNED_SCALE, make_figure


def _subscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def logit_sigmoid_figure(p: float, labels: dict[str, str], height: int = 360) -> go.Figure:
    """Left: the logit p -> ln(p / (1 - p)). Right: its inverse, the sigmoid z -> 1 / (1 + e^-z).
    The current p and z = logit(p) are marked on both, with guides to the axes.

    Args:
        labels: title, logit_title, sigmoid_title, p, z, point.
    """
    p_grid = np.linspace(0.0005, 0.9995, 400)
    z_limit = 8.0
    z_grid = np.linspace(-z_limit, z_limit, 400)
    z = float(np.log(p / (1 - p)))
    guide = dict(color=COLORS["neutral"], dash="dot", width=1)
    point_hover = f"p = {p:.3f}<br>z = {z:.3f}<extra></extra>"
    data = [
        dict(type="scatter", mode="lines", x=p_grid, y=np.log(p_grid / (1 - p_grid)), xaxis="x", yaxis="y",
             line=dict(color=COLORS["image"], width=2.5), name=labels["logit_title"],
             hovertemplate="p = %{x:.3f}<br>logit(p) = %{y:.3f}<extra></extra>"),
        dict(type="scatter", mode="lines", x=z_grid, y=1 / (1 + np.exp(-z_grid)), xaxis="x2", yaxis="y2",
             line=dict(color=COLORS["text"], width=2.5), name=labels["sigmoid_title"],
             hovertemplate="z = %{x:.3f}<br>σ(z) = %{y:.3f}<extra></extra>"),
        dict(type="scatter", mode="lines", x=[p, p, 0], y=[-z_limit, z, z], xaxis="x", yaxis="y", line=guide,
             showlegend=False, hoverinfo="skip"),
        dict(type="scatter", mode="lines", x=[-z_limit, z, z], y=[p, p, 0], xaxis="x2", yaxis="y2", line=guide,
             showlegend=False, hoverinfo="skip"),
        dict(type="scatter", mode="markers", x=[p], y=[z], xaxis="x", yaxis="y", name=labels["point"],
             marker=dict(color="#000000", size=11, symbol="circle"), legendgroup="point", hovertemplate=point_hover),
        dict(type="scatter", mode="markers", x=[z], y=[p], xaxis="x2", yaxis="y2", name=labels["point"],
             marker=dict(color="#000000", size=11, symbol="circle"), legendgroup="point", showlegend=False,
             hovertemplate=point_hover),
    ]
    layout = dict(
        xaxis=dict(domain=[0, 0.44], range=[0, 1], title=dict(text=labels["p"]), anchor="y", zeroline=False),
        yaxis=dict(range=[-z_limit, z_limit], title=dict(text=labels["z"]), anchor="x", zeroline=True),
        xaxis2=dict(domain=[0.56, 1.0], range=[-z_limit, z_limit], title=dict(text=labels["z"]), anchor="y2"),
        yaxis2=dict(range=[0, 1], title=dict(text=labels["p"]), anchor="x2", zeroline=False),
        annotations=[dict(text=labels[key], x=x, y=1.0, xref="paper", yref="paper", xanchor="center",
                          yanchor="bottom", showarrow=False, font=dict(size=13))
                     for key, x in (("logit_title", 0.22), ("sigmoid_title", 0.78))],
        showlegend=False,
    )
    return make_figure(data, labels["title"], height, dict(l=60, r=20, t=70, b=50), **layout)


def softmax_bars_figure(logits: np.ndarray, probs: np.ndarray, reference_probs: np.ndarray,
                        labels: dict[str, str], height: int = 360) -> go.Figure:
    """Left: a vector of logits as bars. Right: its softmax, with ticks at a reference softmax
    (the unshifted logits) so that an unchanged distribution is visibly unchanged.

    Args:
        logits: [n] the logits fed to the softmax.
        probs: [n] softmax(logits).
        reference_probs: [n] the softmax to compare with (drawn as black ticks).
        labels: title, logits_title, probs_title, index, logit, p, reference.
    """
    n = len(logits)
    names = [f"z{_subscript(j + 1)}" for j in range(n)]
    bound = max(1.0, float(np.max(np.abs(logits)))) * 1.15
    data = [
        dict(type="bar", x=names, y=logits, xaxis="x", yaxis="y", name=labels["logit"],
             marker=dict(color=logits, colorscale=SIGNED_SCALE, cmin=-bound, cmax=bound,
                         line=dict(color="#3a3a3a", width=0.5)),
             text=[f"{v:.2f}" for v in logits], textposition="outside", cliponaxis=False, showlegend=False,
             hovertemplate="%{x} = %{y:.3f}<extra></extra>"),
        dict(type="bar", x=names, y=probs, xaxis="x2", yaxis="y2", name=labels["p"],
             marker=dict(color=probs, colorscale=PROBABILITY_SCALE, cmin=0, cmax=1,
                         line=dict(color="#3a3a3a", width=0.5)),
             text=[f"{v:.3f}" for v in probs], textposition="outside", cliponaxis=False, showlegend=False,
             hovertemplate="%{x}: p = %{y:.4f}<extra></extra>"),
        dict(type="scatter", mode="markers", x=names, y=reference_probs, xaxis="x2", yaxis="y2",
             name=labels["reference"], marker=dict(symbol="line-ew", size=22, line=dict(color="#000000", width=2.5)),
             hovertemplate="%{x}: " + labels["reference"] + " %{y:.4f}<extra></extra>"),
    ]
    layout = dict(
        xaxis=dict(domain=[0, 0.44], anchor="y", title=dict(text=labels["index"]), fixedrange=True),
        yaxis=dict(range=[-bound, bound], anchor="x", title=dict(text=labels["logit"]), zeroline=True,
                   zerolinecolor="#555555", fixedrange=True),
        xaxis2=dict(domain=[0.56, 1.0], anchor="y2", title=dict(text=labels["index"]), fixedrange=True),
        yaxis2=dict(range=[0, 1.12], anchor="x2", title=dict(text=labels["p"]), fixedrange=True),
        annotations=[dict(text=labels[key], x=x, y=1.0, xref="paper", yref="paper", xanchor="center",
                          yanchor="bottom", showarrow=False, font=dict(size=13))
                     for key, x in (("logits_title", 0.22), ("probs_title", 0.78))],
        bargap=0.25, uniformtext=dict(minsize=8, mode="hide"),
        showlegend=True, legend=dict(orientation="h", x=1.0, xanchor="right", y=-0.18, yanchor="top"),
    )
    return make_figure(data, labels["title"], height, dict(l=60, r=20, t=70, b=50), **layout)

