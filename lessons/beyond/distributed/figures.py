"""Figures of the "Scaling out" lesson: arrays in, plotly figures out.

The global logits matrix drawn as worker blocks (what each worker scores under the local loss),
the live gathered matrix beside its difference to the one-process matrix, and the measured
comparison of "own negatives" against "gathered negatives" (loss over pairs seen, final accuracy,
throughput). Colours, fonts and the diagonal's green follow lessons/common/plotting.py.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, SIGNED_SCALE, make_figure, panel_domains, panel_title

WORKER_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]  # Dark2
RUN_COLORS = {"gathered": "#3949ab", "own": "#c2185b", "single": "#5d4037"}  # the three measured runs
RUN_DASH = {"gathered": "solid", "own": "solid", "single": "dot"}


def worker_blocks_figure(workers: int, local_batch: int, labels: dict[str, str], height: int = 420) -> go.Figure:
    """The [W*b, W*b] global matrix: worker r's row band (its images against every text) in its
    colour, its column band (its texts against every image) outlined, the diagonal in green.

    Args:
        workers: W (at most len(WORKER_COLORS) are drawn one by one).
        local_batch: b, pairs per worker.
        labels: title, x, y, worker ("worker {r}: {b} x {n} logits").
    """
    n = workers * local_batch
    shapes, annotations = [], []
    for r in range(workers):
        color = WORKER_COLORS[r % len(WORKER_COLORS)]
        lo, hi = r * local_batch - 0.5, (r + 1) * local_batch - 0.5
        shapes.append(dict(type="rect", x0=-0.5, x1=n - 0.5, y0=lo, y1=hi, line=dict(width=0), fillcolor=color,
                           opacity=0.35, layer="below"))
        shapes.append(dict(type="rect", x0=lo, x1=hi, y0=-0.5, y1=n - 0.5, line=dict(color=color, width=2, dash="dot"),
                           fillcolor="rgba(0,0,0,0)"))
        shapes.append(dict(type="rect", x0=lo, x1=hi, y0=lo, y1=hi, line=dict(color=COLORS["diagonal"], width=3),
                           fillcolor="rgba(0,0,0,0)"))
        annotations.append(dict(x=n - 0.5, y=(lo + hi) / 2, xref="x", yref="y", xanchor="left", showarrow=False,
                                text=labels["worker"].format(r=r, b=local_batch, n=n), font=dict(color=color, size=12)))
    diagonal = dict(type="scatter", mode="lines", x=[-0.5, n - 0.5], y=[-0.5, n - 0.5], hoverinfo="skip",
                    line=dict(color=COLORS["diagonal"], width=2), name=labels["diagonal"])
    return make_figure([diagonal], labels["title"], height, dict(l=60, r=190, t=50, b=50), shapes=shapes,
                   annotations=annotations, showlegend=True,
                   legend=dict(x=0, y=-0.12, orientation="h", yanchor="top"),
                   xaxis=dict(title=dict(text=labels["x"]), range=[-0.5, n - 0.5], constrain="domain", showgrid=False),
                   yaxis=dict(title=dict(text=labels["y"]), range=[n - 0.5, -0.5], scaleanchor="x", showgrid=False))


def gathered_logits_figure(gathered: np.ndarray, single: np.ndarray, workers: int, labels: dict[str, str],
                           height: int = 440) -> go.Figure:
    """The live gathered logits next to |gathered - one process|, worker blocks outlined.

    Args:
        gathered: [W*b, W*b] logits the workers computed from all-gathered embeddings.
        single: [W*b, W*b] logits of one process on the same pairs with the same weights.
        labels: title, left, right, image, text, logit, difference.
    """
    n = gathered.shape[0]
    local = n // workers
    domains = panel_domains(2, gap=0.12)
    bound = float(np.abs(gathered).max()) or 1.0
    difference = np.abs(gathered - single)
    data = [
        dict(type="heatmap", z=gathered, zmin=-bound, zmax=bound, colorscale=SIGNED_SCALE, xaxis="x", yaxis="y",
             colorbar=dict(x=domains[0][1] + 0.01, len=0.8, thickness=10, title=dict(text=labels["logit"])),
             hovertemplate=labels["image"] + " %{y}, " + labels["text"] + " %{x}: %{z:.4f}<extra></extra>"),
        dict(type="heatmap", z=difference, zmin=0, zmax=max(float(difference.max()), 1e-6),  # all zero: 0..1e-6
             colorscale="Cividis", xaxis="x2", yaxis="y2",
             colorbar=dict(x=1.01, len=0.8, thickness=10, exponentformat="e", title=dict(text=labels["difference"])),
             hovertemplate=labels["image"] + " %{y}, " + labels["text"] + " %{x}: %{z:.2e}<extra></extra>"),
    ]
    shapes = []
    for axis in ("", "2"):
        for r in range(workers):
            lo, hi = r * local - 0.5, (r + 1) * local - 0.5
            color = WORKER_COLORS[r % len(WORKER_COLORS)]
            shapes.append(dict(type="rect", xref=f"x{axis}", yref=f"y{axis}", x0=-0.5, x1=n - 0.5, y0=lo, y1=hi,
                               line=dict(color=color, width=2)))
        path = "".join(f"M{i - 0.5},{i - 0.5}H{i + 0.5}V{i + 0.5}H{i - 0.5}Z" for i in range(n))
        shapes.append(dict(type="path", path=path, xref=f"x{axis}", yref=f"y{axis}",
                           line=dict(color=COLORS["diagonal"], width=1)))
    layout = {}
    for k, axis in enumerate(("", "2")):
        layout[f"xaxis{axis}"] = dict(domain=domains[k], anchor=f"y{axis}", title=dict(text=labels["text"]),
                                      showgrid=False, range=[-0.5, n - 0.5])
        layout[f"yaxis{axis}"] = dict(domain=[0, 0.88], anchor=f"x{axis}", autorange="reversed", showgrid=False,
                                      title=dict(text=labels["image"]) if k == 0 else None, scaleanchor=f"x{axis}")
    annotations = [panel_title(labels["left"], sum(domains[0]) / 2, 0.9),
                   panel_title(labels["right"], sum(domains[1]) / 2, 0.9)]
    return make_figure(data, labels["title"], height, dict(l=60, r=70, t=60, b=50), shapes=shapes,
                   annotations=annotations, **layout)


def comparison_figure(runs: dict[str, dict], labels: dict[str, str], height: int = 460) -> go.Figure:
    """Three panels: training loss against pairs seen (with each run's chance ln n), the final
    accuracies of each run side by side, and measured throughput in pairs per second.

    Args:
        runs: run key ("gathered", "own", "single") -> {"pairs": [...], "loss": [...], "chance": ln n,
            "name": legend, and once finished "in_batch", "seen", "held_out", "pairs_per_second"}.
        labels: title, pairs, loss, accuracy, throughput, in_batch, seen, held_out, chance, empty.
    """
    domains = panel_domains(3, gap=0.08)
    data, shapes = [], []
    for key, run in runs.items():
        color = RUN_COLORS[key]
        data.append(dict(type="scatter", mode="lines", x=run["pairs"], y=run["loss"], name=run["name"],
                         legendgroup=key, line=dict(color=color, width=2, dash=RUN_DASH[key]), xaxis="x", yaxis="y"))
        shapes.append(dict(type="line", xref="x domain", yref="y", x0=0, x1=1, y0=run["chance"], y1=run["chance"],
                           line=dict(color=color, width=1, dash="dash")))
    finished = {k: r for k, r in runs.items() if "in_batch" in r}
    metrics = ("in_batch", "seen", "held_out")
    for key, run in finished.items():
        data.append(dict(type="bar", x=[labels[m] for m in metrics], y=[run[m] for m in metrics], name=run["name"],
                         legendgroup=key, showlegend=False, marker=dict(color=RUN_COLORS[key]), xaxis="x2", yaxis="y2",
                         text=[f"{run[m]:.0%}" for m in metrics], textposition="outside",
                         hovertemplate=run["name"] + "<br>%{x}: %{y:.1%}<extra></extra>"))
        data.append(dict(type="bar", x=[run["name"]], y=[run["pairs_per_second"]], showlegend=False,
                         marker=dict(color=RUN_COLORS[key]), xaxis="x3", yaxis="y3",
                         text=[f"{run['pairs_per_second']:,.0f}"], textposition="outside",
                         hovertemplate=run["name"] + "<br>%{y:,.0f}<extra></extra>"))
    layout = dict(
        xaxis=dict(domain=domains[0], anchor="y", title=dict(text=labels["pairs"])),
        yaxis=dict(domain=[0, 0.86], anchor="x", rangemode="tozero"),
        xaxis2=dict(domain=domains[1], anchor="y2", tickfont=dict(size=10)),
        yaxis2=dict(domain=[0, 0.86], anchor="x2", range=[0, 1.12], tickformat=".0%"),
        xaxis3=dict(domain=domains[2], anchor="y3", showticklabels=False),
        yaxis3=dict(domain=[0, 0.86], anchor="x3", rangemode="tozero"),
        barmode="group", legend=dict(x=0, y=-0.18, orientation="h", yanchor="top"),
    )
    annotations = [panel_title(labels[key], sum(d) / 2, 0.88)
                   for key, d in zip(("loss", "accuracy", "throughput"), domains, strict=True)]
    if not any(run["pairs"] for run in runs.values()):
        annotations.append(dict(text=labels["empty"], x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                                font=dict(size=14, color=COLORS["neutral"]), bgcolor="rgba(255,255,255,0.85)"))
    return make_figure(data, labels["title"], height, dict(l=50, r=20, t=60, b=90), shapes=shapes,
                   annotations=annotations, **layout)
