"""Figures of the "Batch size & negatives" and "SigLIP" lessons: arrays in, plotly figures out.

Pure functions like lessons/figures.py (whose look, colours and one-pass builder they reuse):
the chance-level loss ln n, accuracy for the same image budget at several batch sizes, the
softmax (CLIP) and sigmoid (SigLIP) runs side by side, and one picture's class probabilities
under each loss.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, make_figure

BATCH_COLORS = {4: "#0d0887", 8: "#6a00a8", 16: "#8f2d9c", 32: "#c13f77", 64: "#e1634a", 128: "#f08a1c",
                256: "#c9a100"}  # plasma, light end darkened: one colour per batch size, ordered by size
LOSS_COLORS = {"clip": "#3949ab", "siglip": "#00897b"}  # softmax (CLIP) and sigmoid (SigLIP), in both figures
GUIDE = dict(color=COLORS["neutral"], dash="dot", width=1)
POWERS_OF_TWO = [2, 8, 32, 128, 512, 2048, 8192, 32768]


def _panel_title(text: str, x: float, y: float) -> dict:
    return dict(text=text, x=x, y=y, xref="paper", yref="paper", xanchor="center", yanchor="bottom",
                showarrow=False, font=dict(size=13))


def _empty_note(text: str) -> dict:
    return dict(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                font=dict(size=14, color=COLORS["neutral"]), bgcolor="rgba(255,255,255,0.85)")


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
        annotations=[_panel_title(labels["panel_time"], 0.235, 0.93), _panel_title(labels["panel_images"], 0.765, 0.93)]
        + ([] if points else [_empty_note(labels["empty"])]),
        legend=dict(orientation="h", x=0, y=-0.13, yanchor="top", font=dict(size=12)),
        hovermode="closest",
    )
    return make_figure(data, labels["title"], height, dict(l=70, r=20, t=50, b=90), **layout)


# ----- CLIP (softmax) and SigLIP (sigmoid) side by side ---------------------------------------


def side_by_side_figure(clip: dict[str, list[float]], siglip: dict[str, list[float]], zero_shot: dict[str, list],
                        batch_size: int, init_scales: tuple[float, float], init_bias: float, labels: dict[str, str],
                        height: int = 540) -> go.Figure:
    """Six panels over training steps: each loss on its own axis (they are different quantities),
    in-batch accuracy of both, the learned scale of both, SigLIP's bias, zero-shot accuracy of both.

    Args:
        clip, siglip: histories with keys step, loss, acc (image -> text), scale; siglip also bias.
        zero_shot: step, clip_seen, clip_held_out, siglip_seen, siglip_held_out.
        batch_size: n; ln n is drawn on the softmax loss panel.
        init_scales: the (CLIP, SigLIP) scales at initialisation; init_bias: SigLIP's b at init.
        labels: title, step, clip, siglip, softmax_loss, sigmoid_loss, accuracy, scale, bias, zero_shot,
            chance, init, seen, held_out, empty.
    """
    columns = [[0, 0.29], [0.355, 0.645], [0.71, 1.0]]
    rows = [[0.58, 0.92], [0.0, 0.34]]
    steps = clip["step"]
    last = max(steps[-1] if steps else 1, 1)
    data, layout, annotations, shapes = [], {}, [], []
    panels = [("softmax_loss", 0, 0), ("sigmoid_loss", 0, 1), ("accuracy", 0, 2), ("scale", 1, 0), ("bias", 1, 1),
              ("zero_shot", 1, 2)]
    for index, (key, row, column) in enumerate(panels, start=1):
        axis = "" if index == 1 else str(index)
        layout[f"xaxis{axis}"] = dict(domain=columns[column], anchor=f"y{axis}", range=[0, last],
                                      title=dict(text=labels["step"], font=dict(size=11)) if row == 1 else None,
                                      showticklabels=True, tickfont=dict(size=10))
        layout[f"yaxis{axis}"] = dict(domain=rows[row], anchor=f"x{axis}", tickfont=dict(size=10))
        middle = (columns[column][0] + columns[column][1]) / 2
        annotations.append(_panel_title(labels[key], middle, rows[row][1] + 0.01))

    def line(x, y, name, color, axis, **extra):
        return dict(type="scatter", mode="lines", x=x, y=y, name=name, xaxis=f"x{axis}", yaxis=f"y{axis}",
                    line=dict(color=color, width=2, **extra.pop("line", {})), **extra)

    chance = float(np.log(batch_size))
    data += [
        line(steps, clip["loss"], labels["clip"], LOSS_COLORS["clip"], "", legendgroup="clip"),
        line(siglip["step"], siglip["loss"], labels["siglip"], LOSS_COLORS["siglip"], "2", legendgroup="siglip"),
        line(steps, clip["acc"], labels["clip"], LOSS_COLORS["clip"], "3", legendgroup="clip", showlegend=False),
        line(siglip["step"], siglip["acc"], labels["siglip"], LOSS_COLORS["siglip"], "3", legendgroup="siglip",
             showlegend=False),
        line(steps, clip["scale"], labels["clip"], LOSS_COLORS["clip"], "4", legendgroup="clip", showlegend=False),
        line(siglip["step"], siglip["scale"], labels["siglip"], LOSS_COLORS["siglip"], "4", legendgroup="siglip",
             showlegend=False),
        line(siglip["step"], siglip["bias"], labels["siglip"], LOSS_COLORS["siglip"], "5", legendgroup="siglip",
             showlegend=False),
    ]
    for model in ("clip", "siglip"):
        for part, dash in (("seen", "solid"), ("held_out", "dash")):
            data.append(dict(line(zero_shot["step"], zero_shot[f"{model}_{part}"], labels["clip" if model == "clip"
                                  else "siglip"], LOSS_COLORS[model], "6", line=dict(dash=dash),
                                  legendgroup=model, showlegend=False), mode="lines+markers", marker=dict(size=4)))
    for key, dash in (("seen", "solid"), ("held_out", "dash")):
        data.append(line([None], [None], labels[key], COLORS["neutral"], "6", line=dict(dash=dash)))
    # guides: ln n (softmax at chance), the scales and the bias at initialisation
    guides = [("", chance, f"{labels['chance']} ln {batch_size}", COLORS["chance"]),
              ("4", init_scales[0], labels["init"], LOSS_COLORS["clip"]),
              ("4", init_scales[1], labels["init"], LOSS_COLORS["siglip"]),
              ("5", init_bias, labels["init"], LOSS_COLORS["siglip"])]
    for axis, value, text, color in guides:
        shapes.append(dict(type="line", xref=f"x{axis} domain", yref=f"y{axis}", x0=0, x1=1, y0=value, y1=value,
                           line=dict(color=color, dash="dot", width=1)))
        annotations.append(dict(text=text, x=1, y=value, xref=f"x{axis} domain", yref=f"y{axis}", xanchor="right",
                                yanchor="bottom", showarrow=False, font=dict(size=10, color=color)))
    first = [v for v in clip["loss"][:1] if np.isfinite(v)]
    layout["yaxis"]["range"] = [0, max([chance * 1.2, *first])]
    sigmoid_losses = [v for v in siglip["loss"] if np.isfinite(v)]
    layout["yaxis2"]["range"] = [0, max(sigmoid_losses[:1] + [1.0]) * 1.1]
    for axis in ("3", "6"):
        layout[f"yaxis{axis}"].update(range=[0, 1.02], tickformat=".0%")
    scales = [v for v in clip["scale"] + siglip["scale"] if np.isfinite(v)] + list(init_scales)
    layout["yaxis4"]["range"] = [0, max(scales) * 1.15]
    biases = [v for v in siglip["bias"] if np.isfinite(v)] + [init_bias]
    spread = max(max(biases) - min(biases), 0.5)
    layout["yaxis5"]["range"] = [min(biases) - spread * 0.6, max(biases) + spread * 0.6]
    if not steps:
        annotations.append(_empty_note(labels["empty"]))
    return make_figure(data, labels["title"], height, dict(l=50, r=15, t=60, b=80), annotations=annotations,
                   shapes=shapes, hovermode="x unified",
                   legend=dict(orientation="h", x=0, y=-0.16, yanchor="top", font=dict(size=12)), **layout)


def class_probabilities_figure(classnames: list[str], softmax: np.ndarray, sigmoid: np.ndarray, truth: int | None,
                               labels: dict[str, str], height: int = 380) -> go.Figure:
    """One picture against a list of classes: the softmax over the list (CLIP) beside independent
    sigmoids (SigLIP), the true class in the diagonal's green, each panel's sum in its title.

    Args:
        softmax: [C] softmax(scale * cos) of the CLIP model (sums to 1).
        sigmoid: [C] sigmoid(t * cos + b) of the SigLIP model, one per class (any sum).
        truth: index of the picture's class in the list, or None when it is not in the list.
        labels: title, softmax_title, sigmoid_title (with {total}), y, truth, other_clip, other_siglip, half.
    """
    ticks = [name.replace(" ", "<br>", 1) for name in classnames]
    data = []
    for axis, key, values in (("", "clip", softmax), ("2", "siglip", sigmoid)):
        colors = [COLORS["diagonal"] if k == truth else LOSS_COLORS[key] for k in range(len(classnames))]
        data.append(dict(type="bar", x=ticks, y=values, xaxis=f"x{axis}", yaxis=f"y{axis}", marker=dict(color=colors),
                         text=[f"{v:.2f}" for v in values], textposition="outside", cliponaxis=False,
                         name=labels[f"other_{key}"], customdata=classnames, showlegend=False,
                         hovertemplate="%{customdata}: p = %{y:.4f}<extra></extra>"))
    for key in ("clip", "siglip"):  # legend: what the colours mean
        data.append(dict(type="bar", x=[None], y=[None], name=labels[f"other_{key}"],
                         marker=dict(color=LOSS_COLORS[key])))
    if truth is not None:
        data.append(dict(type="bar", x=[None], y=[None], name=labels["truth"], marker=dict(color=COLORS["diagonal"])))
    axis = dict(range=[0, 1.15], tickvals=[0, 0.25, 0.5, 0.75, 1], fixedrange=True)
    layout = dict(
        xaxis=dict(domain=[0, 0.46], anchor="y", fixedrange=True, tickfont=dict(size=11)),
        xaxis2=dict(domain=[0.54, 1.0], anchor="y2", fixedrange=True, tickfont=dict(size=11)),
        yaxis=dict(axis, anchor="x", title=dict(text=labels["y"])),
        yaxis2=dict(axis, anchor="x2"),
        annotations=[_panel_title(labels["softmax_title"].format(total=float(np.sum(softmax))), 0.23, 1.0),
                     _panel_title(labels["sigmoid_title"].format(total=float(np.sum(sigmoid))), 0.77, 1.0),
                     dict(text=labels["half"], x=1, y=0.5, xref="x2 domain", yref="y2", xanchor="right",
                          yanchor="bottom", showarrow=False, font=dict(size=10, color=COLORS["neutral"]))],
        shapes=[dict(type="line", xref="x2 domain", yref="y2", x0=0, x1=1, y0=0.5, y1=0.5, line=GUIDE)],
        bargap=0.3, legend=dict(orientation="h", x=1, xanchor="right", y=-0.2, yanchor="top", font=dict(size=12)),
    )
    return make_figure(data, labels["title"], height, dict(l=60, r=20, t=80, b=70), **layout)
