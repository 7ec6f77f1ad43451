"""Figures of the "Batch size & negatives" lesson: arrays in, plotly figures out.

Pure functions built with lessons/common/plotting.py (its look, colours and one-pass builder): the
chance-level loss ln n, and accuracy for the same image budget at several batch sizes.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, empty_note, make_figure, panel_title

BATCH_COLORS = {4: "#0d0887", 8: "#6a00a8", 16: "#8f2d9c", 32: "#c13f77", 64: "#e1634a", 128: "#f08a1c",
                256: "#c9a100"}  # plasma, light end darkened: one colour per batch size, ordered by size
GUIDE = dict(color=COLORS["neutral"], dash="dot", width=1)
POWERS_OF_TWO = [2, 8, 32, 128, 512, 2048, 8192, 32768]


# ----- the loss at chance ----------------------------------------------------------------------


def chance_loss_figure(n: int, measured: dict[int, float], paper_n: int, labels: dict[str, str],
                       height: int = 380) -> go.Figure:
    """ln n against the batch size n (log axis), with a random-init model's measured loss.

    Args:
        n: the learner's batch size, marked on the curve.
        measured: batch size -> the symmetric CLIP loss of a random-init model on a real batch of
            that size (must include n).
        paper_n: the CLIP paper's batch size, marked on the curve (not measured).
        labels: title, x, y, curve, measured, chosen, paper.
    """
    grid = np.geomspace(2, paper_n * 2, 200)
    sizes = sorted(measured)
    ln_n = float(np.log(n))
    data = [
        dict(type="scatter", mode="lines", x=grid, y=np.log(grid), name=labels["curve"],
             line=dict(color=COLORS["chance"], width=2.5),
             hovertemplate="n = %{x:.0f}<br>ln n = %{y:.3f}<extra></extra>"),
        dict(type="scatter", mode="markers", x=sizes, y=[measured[k] for k in sizes], name=labels["measured"],
             marker=dict(color="#000000", size=8, symbol="circle-open", line=dict(width=2)),
             hovertemplate="n = %{x}<br>" + labels["measured"] + ": %{y:.3f}<extra></extra>"),
        dict(type="scatter", mode="markers", x=[n], y=[ln_n], name=labels["chosen"].format(n=n, ln=ln_n),
             marker=dict(color=COLORS["chance"], size=15, line=dict(color="white", width=2)),
             hovertemplate=f"n = {n}<br>ln n = {ln_n:.3f}<extra></extra>"),
        dict(type="scatter", mode="markers", x=[n], y=[measured[n]], showlegend=False,
             marker=dict(color="#000000", size=10, symbol="circle"),
             hovertemplate=f"n = {n}<br>{labels['measured']}: {measured[n]:.3f}<extra></extra>"),
        dict(type="scatter", mode="markers+text", x=[paper_n], y=[np.log(paper_n)], name=labels["paper"],
             text=[f"ln {paper_n:,} = {np.log(paper_n):.2f}"], textposition="top left",
             marker=dict(color="#6a1b9a", size=14, symbol="star"),
             hovertemplate=f"n = {paper_n:,}<br>ln n = {np.log(paper_n):.3f}<extra></extra>"),
    ]
    shapes = [dict(type="line", xref="x", yref="paper", x0=n, x1=n, y0=0, y1=1, line=GUIDE)]
    return make_figure(data, labels["title"], height, dict(l=60, r=20, t=50, b=50), shapes=shapes,
                   xaxis=dict(type="log", title=dict(text=labels["x"]), tickvals=POWERS_OF_TWO,
                              ticktext=[f"{v:,}" for v in POWERS_OF_TWO], range=[np.log10(1.6), np.log10(paper_n * 2)]),
                   yaxis=dict(title=dict(text=labels["y"]), range=[0, np.log(paper_n * 2) * 1.08]),
                   legend=dict(x=0.01, xanchor="left", y=0.99, yanchor="top", bgcolor="rgba(255,255,255,0.85)"))


# ----- the same image budget at several batch sizes -------------------------------------------


def budget_sweep_figure(points: list[dict], batch_sizes: list[int], budget: int, eval_batch: int, n_classes: int,
                        labels: dict[str, str], height: int = 540) -> go.Figure:
    """Accuracy against wall time (left) and images seen (right): in-batch retrieval on top,
    zero-shot below (seen pairs solid, held-out pairs dashed), one colour per batch size.

    Args:
        points: BudgetPoint dicts in the order measured.
        batch_sizes: every batch size of the sweep (the legend lists them all from the start).
        budget: training images per run (the right-hand panels' range).
        eval_batch, n_classes: chance is 1/eval_batch in-batch and 1/n_classes zero-shot.
        labels: title, time, images, in_batch, zero_shot, batch, seen, held_out, chance, empty,
            panel_time, panel_images.
    """
    data = []
    for batch in batch_sizes:
        run = [p for p in points if p["batch_size"] == batch]
        color = BATCH_COLORS.get(batch, COLORS["neutral"])
        name = labels["batch"].format(b=batch)
        time = [p["elapsed"] for p in run] or [None]  # [None]: a run not started yet keeps its legend entry
        images = [p["images_seen"] for p in run] or [None]
        for column, x in (("", time), ("2", images)):
            common = dict(type="scatter", mode="lines+markers", x=x, legendgroup=str(batch), name=name,
                          customdata=[[p["step"], p["steps"], p["elapsed"], p["images_seen"]] for p in run],
                          marker=dict(size=6, color=color))
            hover = ("%{customdata[0]}/%{customdata[1]} · %{customdata[2]:.1f} s · %{customdata[3]:,} img<br>")
            data.append(dict(common, y=[p["in_batch_image_to_text"] for p in run], xaxis=f"x{column}",
                             yaxis=f"y{column}", line=dict(color=color, width=2.5),
                             showlegend=column == "", hovertemplate=f"{name}<br>{hover}"
                             f"{labels['in_batch']}: %{{y:.2f}}<extra></extra>"))
            lower = "3" if column == "" else "4"
            data.append(dict(common, y=[p["zero_shot_seen"] for p in run], xaxis=f"x{lower}", yaxis=f"y{lower}",
                             line=dict(color=color, width=2.5), showlegend=False,
                             hovertemplate=f"{name}<br>{hover}{labels['seen']}: %{{y:.2f}}<extra></extra>"))
            data.append(dict(common, y=[p["zero_shot_held_out"] for p in run], xaxis=f"x{lower}",
                             yaxis=f"y{lower}", line=dict(color=color, width=2, dash="dash"), showlegend=False,
                             marker=dict(size=5, color=color, symbol="diamond"),
                             hovertemplate=f"{name}<br>{hover}{labels['held_out']}: %{{y:.2f}}<extra></extra>"))
    for key, dash in (("seen", "solid"), ("held_out", "dash")):  # legend entries for the two line styles
        data.append(dict(type="scatter", mode="lines", x=[None], y=[None], name=labels[key], xaxis="x3", yaxis="y3",
                         line=dict(color=COLORS["neutral"], dash=dash, width=2)))
    time_max = max([p["elapsed"] for p in points] or [1.0]) * 1.05
    images_max = budget * 1.04
    shapes = []
    for axis, chance in (("", 1 / eval_batch), ("2", 1 / eval_batch), ("3", 1 / n_classes), ("4", 1 / n_classes)):
        shapes.append(dict(type="line", xref=f"x{axis} domain", yref=f"y{axis}", x0=0, x1=1, y0=chance, y1=chance,
                           line=GUIDE))
    accuracy = dict(range=[0, 1.02], tickformat=".0%", fixedrange=True)
    layout = dict(
        xaxis=dict(domain=[0, 0.47], anchor="y", range=[0, time_max], showticklabels=False),
        xaxis2=dict(domain=[0.53, 1.0], anchor="y2", range=[0, images_max], showticklabels=False),
        xaxis3=dict(domain=[0, 0.47], anchor="y3", matches="x", title=dict(text=labels["time"])),
        xaxis4=dict(domain=[0.53, 1.0], anchor="y4", matches="x2", title=dict(text=labels["images"])),
        yaxis=dict(accuracy, domain=[0.54, 0.92], anchor="x", title=dict(text=labels["in_batch"], font=dict(size=12))),
        yaxis2=dict(accuracy, domain=[0.54, 0.92], anchor="x2"),
        yaxis3=dict(accuracy, domain=[0.0, 0.4], anchor="x3", title=dict(text=labels["zero_shot"], font=dict(size=12))),
        yaxis4=dict(accuracy, domain=[0.0, 0.4], anchor="x4"),
        shapes=shapes,
        annotations=[panel_title(labels["panel_time"], 0.235, 0.93), panel_title(labels["panel_images"], 0.765, 0.93)]
        + ([] if points else [empty_note(labels["empty"])]),
        legend=dict(orientation="h", x=0, y=-0.13, yanchor="top", font=dict(size=12)),
        hovermode="closest",
    )
    return make_figure(data, labels["title"], height, dict(l=70, r=20, t=50, b=90), **layout)
