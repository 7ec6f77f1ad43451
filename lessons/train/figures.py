"""Figures of lesson 5 (train it live): the training curves and the embedding map (PCA of a probe batch)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, make_figure


def training_curves_figure(history: dict[str, list[float]], zero_shot: dict[str, list[float]], batch_size: int,
                           max_scale: float, init_scale: float, labels: dict[str, str], height: int = 520) -> go.Figure:
    """Four stacked panels sharing the step axis: loss (with ln n), in-batch accuracy (both
    directions), the learned logit scale (with its start and clamp) and zero-shot accuracy
    (seen and held-out pairs). Built in one pass: it is redrawn while training runs."""
    steps = history["step"]
    span = [steps[0], steps[-1]] if steps else [0, 1]
    chance = float(np.log(batch_size))

    def line(x, y, name, color, axis, **extra):
        return dict(type="scatter", mode="lines", x=x, y=y, name=name, line=dict(color=color, **extra.pop("line", {})),
                    xaxis=f"x{axis}", yaxis=f"y{axis}", **extra)

    traces = [
        line(steps, history["loss"], labels["loss"], COLORS["neutral"], ""),
        line(span, [chance, chance], f"ln {batch_size}", COLORS["chance"], "", line=dict(dash="dash")),
        line(steps, history["acc_image_to_text"], labels["acc_i2t"], COLORS["image"], "2"),
        line(steps, history["acc_text_to_image"], labels["acc_t2i"], COLORS["text"], "2"),
        line(steps, history["logit_scale"], labels["scale"], "#6a3d9a", "3"),
        line(span, [init_scale, init_scale], labels["scale_start"], COLORS["neutral"], "3", showlegend=False,
             hoverinfo="skip", line=dict(dash="dot", width=1)),
        line(span, [max_scale, max_scale], labels["scale_clamp"], COLORS["neutral"], "3", showlegend=False,
             hoverinfo="skip", line=dict(dash="dot", width=1)),
        dict(line(zero_shot["step"], zero_shot["seen"], labels["zs_seen"], "#2ca02c", "4"), mode="lines+markers"),
        dict(line(zero_shot["step"], zero_shot["held_out"], labels["zs_held"], "#9467bd", "4", line=dict(dash="dash")),
             mode="lines+markers"),
    ]
    first_loss = [v for v in history["loss"][:1] if np.isfinite(v)]
    small = dict(font=dict(size=11))
    layout = dict(
        yaxis=dict(domain=[0.77, 1.0], title=dict(text=labels["loss_axis"], **small),
                   range=[0, max([chance * 1.15, *first_loss])]),
        yaxis2=dict(domain=[0.52, 0.72], title=dict(text=labels["acc_axis"], **small), range=[0, 1.02]),
        yaxis3=dict(domain=[0.27, 0.47], title=dict(text=labels["scale_axis"], **small), range=[0, max_scale * 1.08]),
        yaxis4=dict(domain=[0.0, 0.22], title=dict(text=labels["zs_axis"], **small), range=[0, 1.02]),
        xaxis=dict(anchor="y", showticklabels=False),
        xaxis2=dict(anchor="y2", matches="x", showticklabels=False),
        xaxis3=dict(anchor="y3", matches="x", showticklabels=False),
        xaxis4=dict(anchor="y4", matches="x", title=dict(text=labels["step_axis"])),
        legend=dict(orientation="h", y=-0.12, x=0, font=dict(size=11)),
    )
    return make_figure(traces, labels["curves_title"], height, dict(l=60, r=15, t=40, b=70), **layout)


def embedding_map_figure(image_points: np.ndarray, text_points: np.ndarray, captions: list[str],
                         thumbnails: list[str] | None, labels: dict[str, str], height: int = 420) -> go.Figure:
    """A 2-D map (PCA) of image and text embeddings with each matching pair joined by a line."""
    xs, ys = [], []
    for (xi, yi), (xt, yt) in zip(image_points, text_points, strict=True):
        xs += [float(xi), float(xt), None]
        ys += [float(yi), float(yt), None]
    index = list(range(len(captions)))
    traces = [
        dict(type="scatter", x=xs, y=ys, mode="lines", line=dict(color="#bbbbbb", width=1), hoverinfo="skip",
             name=labels["pair_line"]),
        dict(type="scatter", x=image_points[:, 0], y=image_points[:, 1], mode="markers+text", text=index,
             textposition="top center", name=labels["image_points"],
             marker=dict(color=COLORS["image"], size=11, symbol="square"),
             hovertemplate="image %{text}<extra></extra>"),
        dict(type="scatter", x=text_points[:, 0], y=text_points[:, 1], mode="markers+text", text=index,
             textposition="bottom center", name=labels["text_points"],
             marker=dict(color=COLORS["text"], size=11, symbol="circle"), customdata=captions,
             hovertemplate="caption %{text}: %{customdata}<extra></extra>"),
    ]
    return make_figure(traces, labels["map_title"], height, dict(l=55, r=15, t=45, b=70),
                   xaxis=dict(title=dict(text=labels["pc1"]), zeroline=False, scaleanchor="y"),
                   yaxis=dict(title=dict(text=labels["pc2"]), zeroline=False),
                   legend=dict(orientation="h", y=-0.18, x=0, font=dict(size=11)))


def pca_2d(points: np.ndarray) -> np.ndarray:
    """Project rows onto their first two principal components (centred, via SVD)."""
    centred = points - points.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T

