"""Figures of lesson 6's "What is a prompt worth?" section: zero-shot accuracy per template and
picture style, the two senses of "orange", and k-shot linear probes against zero-shot.

Pure functions like lessons/common/plotting.py and drawn the same way: accuracies on the perceptually
uniform cividis scale, the matched cells (a template on its own style) outlined in green like the
correct pairs of the logits matrix.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, HELD_OUT_COLOR, OTHER_CAPTIONS, PROBABILITY_SCALE, SEEN_COLOR, make_figure

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
    return make_figure([trace], labels["title"], height, dict(l=10, r=10, t=48, b=60), shapes=shapes,
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
    return make_figure(traces, labels["title"], height, dict(l=10, r=10, t=90, b=50), **layout)


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
    return make_figure(traces, labels["title"], height, dict(l=10, r=10, t=48, b=50), annotations=annotations,
                   xaxis=dict(type="log", tickvals=ks, ticktext=[str(k) for k in ks], title=dict(text=labels["x"]),
                              fixedrange=True),
                   yaxis=dict(range=[0, 100], title=dict(text=labels["y"]), ticksuffix=" %", automargin=True,
                              fixedrange=True),
                   legend=dict(x=0.99, xanchor="right", y=0.03, yanchor="bottom", bgcolor="rgba(255,255,255,0.85)"))


def zeroshot_bars_figure(classnames: list[str], probs: np.ndarray, truth: int | None, labels: dict[str, str],
                         height: int = 380) -> go.Figure:
    """Horizontal probability bars of the top classes, the most likely on top.

    Args:
        classnames: the k classes shown, most likely first.
        probs: [k] their probabilities.
        truth: position of the true class among them (drawn green), or None.
        labels: title, x, truth, others.
    """
    k = len(classnames)
    colors = [COLORS["diagonal"] if j == truth else OTHER_CAPTIONS for j in range(k)]
    data = [dict(type="bar", orientation="h", x=np.asarray(probs, dtype=float), y=list(range(k)),
                 marker=dict(color=colors, line=dict(color="#3a3a3a", width=0.5)), customdata=classnames,
                 text=[f"{p:.3f}" for p in probs], textposition="outside", cliponaxis=False, showlegend=False,
                 hovertemplate="%{customdata}: p = %{x:.4f}<extra></extra>")]
    legend = [dict(type="bar", x=[None], y=[None], orientation="h", marker=dict(color=color), name=labels[key])
              for key, color in (("truth", COLORS["diagonal"]), ("others", OTHER_CAPTIONS))
              if key != "truth" or truth is not None]
    return make_figure(data + legend, labels["title"], height, dict(l=10, r=50, t=48, b=50),
                   xaxis=dict(range=[0, 1.12], title=dict(text=labels["x"]), tickvals=[0, 0.25, 0.5, 0.75, 1],
                              fixedrange=True),
                   yaxis=dict(tickvals=list(range(k)), ticktext=classnames, autorange="reversed", automargin=True,
                              fixedrange=True),
                   bargap=0.25, legend=dict(orientation="h", x=1.0, xanchor="right", y=1.0, yanchor="bottom"))


def template_accuracy_figure(names: list[str], groups: dict[str, list[float]], overall: list[float], chance: float,
                             labels: dict[str, str], height: int | None = None) -> go.Figure:
    """Accuracy (%) of every template and ensemble: one bar per group (seen, held-out), a black
    tick for all images, and the chance level as a dashed line. When every accuracy is high the
    axis starts near the lowest one (and says so), so that differences of a point stay visible.

    Args:
        names: row names (templates, then the ensembles), drawn top to bottom.
        groups: {"seen": [...], "held_out": [...]} accuracies in [0, 1] (NaN: group empty).
        overall: accuracy over all images, per row.
        chance: 1 / number of classes.
        labels: title, x, x_zoomed (with {start}), seen, held_out, all, chance.
    """
    rows = list(range(len(names)))
    every = np.concatenate([np.asarray(v, dtype=float) for v in [*groups.values(), overall]])
    lowest = 100 * float(np.nanmin(every)) if np.isfinite(every).any() else 0.0
    start = 5 * np.floor((lowest - 5) / 5) if lowest > 40 else 0.0
    x_title = labels["x_zoomed"].format(start=f"{start:.0f}") if start > 0 else labels["x"]
    colors = {"seen": SEEN_COLOR, "held_out": HELD_OUT_COLOR}
    data = []
    for group, values in groups.items():
        values = np.asarray(values, dtype=float)
        if np.isnan(values).all():
            continue
        data.append(dict(type="bar", orientation="h", x=100 * values, y=rows, name=labels[group], customdata=names,
                         marker=dict(color=colors.get(group, COLORS["neutral"])),
                         hovertemplate=f"%{{customdata}}<br>{labels[group]}: %{{x:.1f}} %<extra></extra>"))
    data.append(dict(type="scatter", mode="markers", x=100 * np.asarray(overall, dtype=float), y=rows,
                     name=labels["all"], customdata=names,
                     marker=dict(symbol="line-ns", size=16, line=dict(color="#000000", width=2.5)),
                     hovertemplate=f"%{{customdata}}<br>{labels['all']}: %{{x:.1f}} %<extra></extra>"))
    ticks = [f"<b>{name}</b>" if name.startswith("ensemble") else name for name in names]
    shapes, annotations = [], []
    if 100 * chance >= start:
        shapes.append(dict(type="line", x0=100 * chance, x1=100 * chance, y0=-0.5, y1=len(names) - 0.5, xref="x",
                           yref="y", line=dict(color=COLORS["chance"], dash="dash", width=2)))
        annotations.append(dict(text=labels["chance"], x=100 * chance, y=-0.5, xref="x", yref="y", showarrow=False,
                                xanchor="left", yanchor="bottom", font=dict(size=11, color=COLORS["chance"])))
    return make_figure(data, labels["title"], height or 120 + 30 * len(names), dict(l=10, r=20, t=48, b=50),
                   xaxis=dict(range=[start, 100.5], title=dict(text=x_title), fixedrange=True),
                   yaxis=dict(tickvals=rows, ticktext=ticks, autorange="reversed", automargin=True, fixedrange=True),
                   barmode="group", bargap=0.2, shapes=shapes, annotations=annotations,
                   legend=dict(orientation="h", x=1.0, xanchor="right", y=1.0, yanchor="bottom"))


def greedy_path_figure(path: list[dict], names: list[str], all_templates: dict[str, float], labels: dict[str, str],
                       height: int = 360) -> go.Figure:
    """Accuracy (%) of the greedy ensemble after each added template, with the ensemble of all
    templates as a dashed reference.

    Args:
        path: greedy_template_selection's steps (accuracy and optional seen / held_out entries).
        names: the template added at each step (annotations).
        all_templates: {"accuracy": ..., "seen": ..., "held_out": ...} of the ensemble of all.
        labels: title, x, y, all, seen, held_out, everything.
    """
    steps = [row["step"] for row in path]
    data = []
    for key, color, dash in (("accuracy", "#000000", "solid"), ("seen", SEEN_COLOR, "dot"),
                             ("held_out", HELD_OUT_COLOR, "dot")):
        values = np.array([row.get(key, np.nan) for row in path], dtype=float)
        if np.isnan(values).all():
            continue
        data.append(dict(type="scatter", mode="lines+markers", x=steps, y=100 * values,
                         name=labels["all" if key == "accuracy" else key], customdata=names,
                         line=dict(color=color, dash=dash, width=3 if key == "accuracy" else 2),
                         hovertemplate="+ %{customdata}<br>%{y:.1f} %<extra></extra>"))
    reference = all_templates.get("accuracy")
    shapes, annotations = [], []
    if reference is not None:
        shapes.append(dict(type="line", x0=0.5, x1=max(steps) + 0.5, y0=100 * reference, y1=100 * reference,
                           xref="x", yref="y", line=dict(color=COLORS["neutral"], dash="dash", width=2)))
        annotations.append(dict(text=labels["everything"], x=max(steps) + 0.5, y=100 * reference, xref="x", yref="y",
                                showarrow=False, xanchor="right", yanchor="top",
                                font=dict(size=11, color=COLORS["neutral"])))
    for row, name in zip(path, names, strict=True):
        annotations.append(dict(text=("" if row["step"] == 1 else "+ ") + name, x=row["step"], y=100 * row["accuracy"],
                                xref="x", yref="y", showarrow=False, yanchor="bottom", yshift=8,
                                font=dict(size=11)))
    values = [100 * row.get(key, np.nan) for row in path for key in ("accuracy", "seen", "held_out")]
    values = [v for v in values + ([100 * reference] if reference is not None else []) if np.isfinite(v)]
    low = max(0.0, 5 * np.floor((min(values) - 3) / 5))
    return make_figure(data, labels["title"], height, dict(l=60, r=20, t=48, b=50),
                   xaxis=dict(range=[0.5, max(steps) + 0.5], tickvals=steps, title=dict(text=labels["x"]),
                              fixedrange=True),
                   yaxis=dict(range=[low, 101], title=dict(text=labels["y"]), fixedrange=True),
                   shapes=shapes, annotations=annotations,
                   legend=dict(orientation="h", x=1.0, xanchor="right", y=1.0, yanchor="bottom"))

