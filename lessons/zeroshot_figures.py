"""Figures of lesson 6's "What is a prompt worth?" section: zero-shot accuracy per template and
picture style, the two senses of "orange", and k-shot linear probes against zero-shot.

Pure functions like lessons/figures.py and drawn the same way: accuracies on the perceptually
uniform cividis scale, the matched cells (a template on its own style) outlined in green like the
correct pairs of the logits matrix.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .figures import COLORS, PROBABILITY_SCALE, _figure

BARE_COLOR = "#9ca3af"  # the bare label: grey, no context
CONTEXT_COLOR = "#1d4ed8"  # a template with context
PROBE_COLOR = "#7c3aed"


def style_table_figure(table: dict, row_names: list[str], column_names: list[str], matched: list[tuple[int, int]],
                       labels: dict[str, str], height: int = 330) -> go.Figure:
    """Heatmap of zero-shot accuracy (%): templates down, picture styles across, the value in each cell.

    Args:
        table: clip_core.prompts.style_table output.
        row_names, column_names: display names of table["rows"] and table["columns"].
        matched: (row, column) cells where a template names the style of the pictures: outlined.
        labels: title, x, y, accuracy.
    """
    z = np.array([[100 * table["accuracy"][row][column] for column in table["columns"]] for row in table["rows"]])
    text = [[f"{value:.1f}" for value in line] for line in z]
    hover = (f"%{{y}}<br>%{{x}}<br>{labels['accuracy']}: %{{z:.1f}} %<extra></extra>")
    trace = dict(type="heatmap", z=z, x=column_names, y=row_names, text=text, texttemplate="%{text}",
                 textfont=dict(size=13), colorscale=PROBABILITY_SCALE, zmin=float(min(50, z.min())), zmax=100,
                 hovertemplate=hover, xgap=2, ygap=2,
                 colorbar=dict(title=dict(text=labels["accuracy"], side="right"), thickness=12, len=0.9))
    shapes = [dict(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, xref="x", yref="y",
                   line=dict(color=COLORS["diagonal"], width=3)) for r, c in matched]
    return _figure([trace], labels["title"], height, dict(l=10, r=10, t=48, b=60), shapes=shapes,
                   xaxis=dict(title=dict(text=labels["x"]), side="bottom", fixedrange=True),
                   yaxis=dict(autorange="reversed", automargin=True, fixedrange=True, title=dict(text=labels["y"])))


def ambiguity_figure(ambiguity: dict, display: dict[str, dict[str, str]], labels: dict[str, str],
                     height: int = 400) -> go.Figure:
    """What the contested pictures were called, with the bare label and with context, in two panels:
    orange-coloured objects asked for their colour, oranges (the fruit) asked for their shape.

    Args:
        ambiguity: clip_core.prompts.ambiguity output.
        display: per task, class name -> display name.
        labels: title, colour_panel, shape_panel, bare, context, count.
    """
    panels = (("colour", "orange-coloured", "x", "y"), ("shape", "fruit", "x2", "y2"))
    traces = []
    for task, group, xaxis, yaxis in panels:
        result = ambiguity["tasks"][task]
        classes = result["classes"]
        names = [display[task].get(c, c) for c in classes]
        for template, color, key in ((next(iter(result["templates"])), BARE_COLOR, "bare"),
                                     (result["context"], CONTEXT_COLOR, "context")):
            counts = [result["templates"][template]["called"][group][c] for c in classes]
            traces.append(dict(type="bar", orientation="h", x=counts, y=names, xaxis=xaxis, yaxis=yaxis,
                               name=labels[key], legendgroup=key, showlegend=task == "colour",
                               marker=dict(color=color), customdata=[template] * len(classes),
                               hovertemplate=f"%{{customdata}}<br>%{{y}}: %{{x}} {labels['count']}<extra></extra>"))
    layout = dict(
        barmode="group", bargap=0.25,
        xaxis=dict(domain=[0, 0.44], title=dict(text=labels["count"]), fixedrange=True),
        xaxis2=dict(domain=[0.56, 1], title=dict(text=labels["count"]), fixedrange=True),
        yaxis=dict(autorange="reversed", automargin=True, fixedrange=True),
        yaxis2=dict(autorange="reversed", automargin=True, fixedrange=True, anchor="x2"),
        legend=dict(orientation="h", x=1.0, xanchor="right", y=1.12, yanchor="bottom"),
        annotations=[dict(text=f"<b>{labels['colour_panel']}</b>", x=0.22, y=1.0, xref="paper", yref="paper",
                          xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=12)),
                     dict(text=f"<b>{labels['shape_panel']}</b>", x=0.78, y=1.0, xref="paper", yref="paper",
                          xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=12))])
    return _figure(traces, labels["title"], height, dict(l=10, r=10, t=90, b=50), **layout)


def probe_figure(probe: dict, labels: dict[str, str], height: int = 360) -> go.Figure:
    """k-shot linear-probe accuracy (%) against k on a log axis, one faint dot per random draw, the
    mean joined, the spread shaded, and zero-shot as a dashed line (CLIP paper figure 7).

    Args:
        probe: clip_core.prompts.probe_vs_zero_shot output.
        labels: title, x, y, probe, draws, zero_shot, crossing (with {k}).
    """
    curve = probe["curve"]
    ks = [row["k"] for row in curve]
    mean = [100 * row["mean"] for row in curve]
    low = [100 * row["min"] for row in curve]
    high = [100 * row["max"] for row in curve]
    dots_x = [row["k"] for row in curve for _ in row["accuracies"]]
    dots_y = [100 * a for row in curve for a in row["accuracies"]]
    traces = [
        dict(type="scatter", x=ks + ks[::-1], y=high + low[::-1], fill="toself", fillcolor="rgba(124,58,237,0.15)",
             line=dict(width=0), hoverinfo="skip", showlegend=False),
        dict(type="scatter", mode="markers", x=dots_x, y=dots_y, name=labels["draws"],
             marker=dict(color=PROBE_COLOR, opacity=0.35, size=6),
             hovertemplate=f"k = %{{x}}<br>%{{y:.1f}} %<extra>{labels['draws']}</extra>"),
        dict(type="scatter", mode="lines+markers", x=ks, y=mean, name=labels["probe"],
             line=dict(color=PROBE_COLOR, width=3), marker=dict(size=8),
             hovertemplate=f"k = %{{x}}<br>{labels['probe']}: %{{y:.1f}} %<extra></extra>"),
        dict(type="scatter", mode="lines", x=[ks[0], ks[-1]], y=[100 * probe["zero_shot"]] * 2,
             name=labels["zero_shot"], line=dict(color=COLORS["text"], width=3, dash="dash"),
             hovertemplate=f"{labels['zero_shot']}: %{{y:.1f}} %<extra></extra>"),
    ]
    annotations = []
    if probe["crossing"] is not None:
        k = probe["crossing"]
        traces.append(dict(type="scatter", mode="lines", x=[k, k], y=[0, 100 * probe["zero_shot"]], showlegend=False,
                           line=dict(color=COLORS["neutral"], width=1.5, dash="dot"), hoverinfo="skip"))
        annotations.append(dict(text=labels["crossing"].format(k=f"{k:.1f}"), x=float(np.log10(k)),
                                y=100 * probe["zero_shot"], xref="x", yref="y", showarrow=True, arrowhead=2,
                                ax=-70, ay=-35, font=dict(size=12)))  # a log axis places annotations by log10
    return _figure(traces, labels["title"], height, dict(l=10, r=10, t=48, b=50), annotations=annotations,
                   xaxis=dict(type="log", tickvals=ks, ticktext=[str(k) for k in ks], title=dict(text=labels["x"]),
                              fixedrange=True),
                   yaxis=dict(range=[0, 100], title=dict(text=labels["y"]), ticksuffix=" %", automargin=True,
                              fixedrange=True),
                   legend=dict(x=0.99, xanchor="right", y=0.03, yanchor="bottom", bgcolor="rgba(255,255,255,0.85)"))
