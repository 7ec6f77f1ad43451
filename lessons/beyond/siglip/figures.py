"""Figures of the "SigLIP" lesson: arrays in, plotly figures out. The softmax (CLIP) and sigmoid
(SigLIP) runs side by side over training, and one picture's class probabilities under each loss."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, empty_note, make_figure, panel_title

LOSS_COLORS = {"clip": "#3949ab", "siglip": "#00897b"}  # softmax (CLIP) and sigmoid (SigLIP), in both figures


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
        annotations.append(panel_title(labels[key], middle, rows[row][1] + 0.01))

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
        annotations.append(empty_note(labels["empty"]))
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
        annotations=[panel_title(labels["softmax_title"].format(total=float(np.sum(softmax))), 0.23, 1.0),
                     panel_title(labels["sigmoid_title"].format(total=float(np.sum(sigmoid))), 0.77, 1.0),
                     dict(text=labels["half"], x=1, y=0.5, xref="x2 domain", yref="y2", xanchor="right",
                          yanchor="bottom", showarrow=False, font=dict(size=10, color=COLORS["neutral"]))],
        shapes=[dict(type="line", xref="x2 domain", yref="y2", x0=0, x1=1, y0=0.5, y1=0.5,
                     line=dict(color=COLORS["neutral"], dash="dot", width=1))],
        bargap=0.3, legend=dict(orientation="h", x=1, xanchor="right", y=-0.2, yanchor="top", font=dict(size=12)),
    )
    return make_figure(data, labels["title"], height, dict(l=60, r=20, t=80, b=70), **layout)
