"""Figures of lesson 4 (temperature): one row's softmax at several scales, the curves of entropy,
loss and gradient against the scale, and the learned scale's path."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, OTHER_CAPTIONS, make_figure, panel_domains

LOG_TICKS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200]


def temperature_bars_figure(probs: np.ndarray, scales: list[float], titles: list[str], correct: int,
                            captions: list[str], highlight: int, labels: dict[str, str],
                            height: int = 330) -> go.Figure:
    """One softmax row at several logit scales, one small bar chart per scale, side by side.

    Args:
        probs: [k, n] softmax of the same row of cosines times each of the k scales.
        scales: the k scales (for hover text).
        titles: k panel titles (scale, tau, entropy), already localised.
        correct: index of the correct caption (drawn in COLORS["diagonal"]).
        captions: the n captions (hover).
        highlight: index of the panel that follows the learner's slider (framed).
        labels: title, y, x, correct, others, hover_p.
    """
    k, n = probs.shape
    domains = panel_domains(k)
    columns = list(range(n))
    others = [j for j in columns if j != correct]
    hover = f"%{{customdata}}<br>{labels['hover_p']} %{{y:.3f}}<extra>×%{{meta:.3g}}</extra>"
    data, layout = [], {}
    for panel in range(k):
        axis = "" if panel == 0 else str(panel + 1)
        p = probs[panel]
        data.append(dict(type="bar", x=others, y=p[others], customdata=[captions[j] for j in others],
                         meta=scales[panel], xaxis=f"x{axis}", yaxis=f"y{axis}", name=labels["others"],
                         legendgroup="others", showlegend=panel == 0, hovertemplate=hover,
                         marker=dict(color=OTHER_CAPTIONS, line=dict(color="#3a3a3a", width=0.5))))
        data.append(dict(type="bar", x=[correct], y=[p[correct]], customdata=[captions[correct]], meta=scales[panel],
                         xaxis=f"x{axis}", yaxis=f"y{axis}", name=labels["correct"], legendgroup="correct",
                         showlegend=panel == 0, hovertemplate=hover,
                         marker=dict(color=COLORS["diagonal"], line=dict(color="#1b5e20", width=1))))
        layout[f"xaxis{axis}"] = dict(domain=domains[panel], range=[-0.6, n - 0.4], anchor=f"y{axis}",
                                      tickvals=columns if n <= 10 else columns[::max(1, n // 6)],
                                      tickfont=dict(size=10), fixedrange=True)
        layout[f"yaxis{axis}"] = dict(domain=[0, 0.8], range=[0, 1.02], anchor=f"x{axis}", fixedrange=True,
                                      showticklabels=panel == 0, tickvals=[0, 0.25, 0.5, 0.75, 1],
                                      title=dict(text=labels["y"], font=dict(size=12)) if panel == 0 else None)
    annotations = [dict(text=titles[panel], x=(domains[panel][0] + domains[panel][1]) / 2, y=0.82, xref="paper",
                        yref="paper", xanchor="center", yanchor="bottom", showarrow=False, align="center",
                        font=dict(size=12, color="#0d47a1" if panel == highlight else "#333333"))
                   for panel in range(k)]
    annotations.append(dict(text=labels["x"], x=0.5, y=-0.16, xref="paper", yref="paper", showarrow=False,
                            xanchor="center", yanchor="top", font=dict(size=12)))
    left, right = domains[highlight]
    shapes = [dict(type="rect", xref="paper", yref="paper", x0=left - 0.008, x1=right + 0.008, y0=-0.09, y1=1.0,
                   line=dict(color="#1565c0", width=2), fillcolor="rgba(21,101,192,0.06)", layer="below")]
    return make_figure(data, labels["title"], height, dict(l=60, r=10, t=48, b=56), annotations=annotations,
                   shapes=shapes, bargap=0.12, legend=dict(orientation="h", x=1.0, xanchor="right", y=1.0,
                                                           yanchor="bottom", font=dict(size=12)), **layout)


def temperature_curves_figure(scales: np.ndarray, entropy: np.ndarray, loss: np.ndarray, grad_logits: np.ndarray,
                              grad_cosines: np.ndarray, grad_t: np.ndarray, n: int, init_scale: float,
                              clamp_scale: float, current: dict[str, float], labels: dict[str, str],
                              height: int = 520) -> go.Figure:
    """Entropy, loss and gradient sizes of one softmax row as functions of the logit scale (log x).

    Args:
        scales: [m] grid of logit scales exp(t).
        entropy, loss: [m] entropy of the row softmax and -log p_correct, in nats.
        grad_logits: [m] ||p - onehot||, the gradient norm with respect to the logits.
        grad_cosines: [m] scale * ||p - onehot||, the gradient norm with respect to the cosines.
        grad_t: [m] |d loss / d t| with t = ln(scale).
        n: row length (ln n is the loss and entropy of a uniform softmax).
        init_scale, clamp_scale: 1/init_temperature and max_logit_scale, drawn as vertical lines.
        current: the same quantities at the slider's scale: keys scale, entropy, loss, grad_logits,
            grad_cosines, grad_t.
        labels: title, x, y_nats, y_grad, entropy, loss, grad_logits, grad_cosines, grad_t, chance,
            init, clamp, current.
    """
    x_range = [np.log10(scales[0]), np.log10(scales[-1])]
    ln_n = float(np.log(n))
    grad_floor = 1e-4  # bottom of the gradient axis
    grad_max = max(float(np.max(grad_cosines)), float(np.max(grad_t)), float(np.max(grad_logits)), 1.0)
    series = [
        ("entropy", entropy, "y", dict(color=COLORS["image"], width=2.5)),
        ("loss", loss, "y", dict(color="#6a1b9a", width=2.5)),
        ("grad_logits", grad_logits, "y2", dict(color="#00897b", width=2.5)),
        ("grad_cosines", grad_cosines, "y2", dict(color="#ef6c00", width=2.5)),
        ("grad_t", grad_t, "y2", dict(color="#5d4037", width=2, dash="dot")),
    ]
    data = []
    for key, values, yaxis, line in series:
        # small gradients leave through the bottom of the log axis (exact zeros would leave gaps)
        shown = values if yaxis == "y" else np.maximum(values, 1e-300)
        xaxis = "x" if yaxis == "y" else "x2"
        data.append(dict(type="scatter", mode="lines", x=scales, y=shown, xaxis=xaxis, yaxis=yaxis,
                         name=labels[key], line=line, legendgroup=key,
                         hovertemplate=f"{labels[key]}: %{{y:.4g}}<br>exp(t) = %{{x:.3g}}<extra></extra>"))
        data.append(dict(type="scatter", mode="markers", x=[current["scale"]],
                         y=[current[key] if yaxis == "y" else max(current[key], 1e-300)], xaxis=xaxis,
                         yaxis=yaxis, legendgroup=key, showlegend=False,
                         marker=dict(color=line["color"], size=10, line=dict(color="white", width=1.5)),
                         hovertemplate=f"{labels['current']}<br>{labels[key]}: %{{y:.4g}}<extra></extra>"))
    data.append(dict(type="scatter", mode="lines", x=[scales[0], scales[-1]], y=[ln_n, ln_n], name=labels["chance"],
                     line=dict(color=COLORS["chance"], dash="dash", width=1.5), hoverinfo="skip"))
    shapes, annotations = [], []
    for value, key, color in ((init_scale, "init", COLORS["neutral"]), (clamp_scale, "clamp", "#000000"),
                              (current["scale"], "current", "#1565c0")):
        # on a log axis, shapes take data positions but annotations take log10 positions
        shapes.append(dict(type="line", xref="x", yref="paper", x0=value, x1=value, y0=0, y1=1,
                           line=dict(color=color, width=1.5 if key != "current" else 1,
                                     dash="dash" if key != "current" else "dot")))
        annotations.append(dict(text=labels[key] if key != "current" else f"{labels[key]} ×{value:.3g}",
                                x=np.log10(value), y=1.0 if key != "current" else 0.49, xref="x", yref="paper",
                                xanchor="right" if key == "init" else "left",
                                yanchor="bottom" if key != "current" else "middle",
                                showarrow=False, font=dict(size=11, color=color)))
    # a wrong top caption makes the loss grow in proportion to the scale: let it leave the top
    nats_max = max(min(float(np.max(loss)), 3 * ln_n), ln_n) * 1.1
    layout = dict(
        xaxis=dict(type="log", range=x_range, anchor="y", domain=[0, 1], showticklabels=False, matches="x2",
                   tickvals=LOG_TICKS),
        xaxis2=dict(type="log", range=x_range, anchor="y2", domain=[0, 1], title=dict(text=labels["x"]),
                    tickvals=LOG_TICKS, ticktext=[f"{v:g}" for v in LOG_TICKS]),
        yaxis=dict(domain=[0.54, 1.0], range=[0, nats_max], title=dict(text=labels["y_nats"])),
        yaxis2=dict(domain=[0.0, 0.44], type="log", range=[np.log10(grad_floor), np.log10(grad_max * 2)],
                    title=dict(text=labels["y_grad"]), exponentformat="power"),
        shapes=shapes, annotations=annotations, hovermode="closest",
        legend=dict(x=1.01, xanchor="left", y=1.0, yanchor="top", font=dict(size=12)),
    )
    return make_figure(data, labels["title"], height, dict(l=70, r=10, t=60, b=50), **layout)


def scale_trajectory_figure(trajectories: dict[str, tuple[list[int], list[float]]], init_scale: float,
                            clamp_scale: float, labels: dict[str, str], height: int = 340) -> go.Figure:
    """The learned logit scale exp(t) over training steps, with its start and its cap dashed.

    Args:
        trajectories: legend name -> (steps, scales).
        init_scale, clamp_scale: 1/init_temperature and max_logit_scale.
        labels: title, x, y, init, clamp, empty.
    """
    palette = [COLORS["image"], COLORS["text"], "#6a1b9a"]
    data = [dict(type="scatter", mode="lines", x=steps, y=values, name=name,
                 line=dict(color=palette[k % len(palette)], width=2.5),
                 hovertemplate=f"{name}<br>step %{{x}} · exp(t) = %{{y:.2f}}<extra></extra>")
            for k, (name, (steps, values)) in enumerate(trajectories.items()) if steps]
    last_step = max([steps[-1] for steps, _ in trajectories.values() if steps] or [1])
    shapes, annotations = [], []
    for value, key, color in ((init_scale, "init", COLORS["neutral"]), (clamp_scale, "clamp", "#000000")):
        shapes.append(dict(type="line", xref="paper", yref="y", x0=0, x1=1, y0=value, y1=value,
                           line=dict(color=color, dash="dash", width=1.5)))
        annotations.append(dict(text=labels[key], x=1.0, y=value, xref="paper", yref="y", xanchor="right",
                                yanchor="bottom", showarrow=False, font=dict(size=11, color=color)))
    if not data:
        annotations.append(dict(text=labels["empty"], x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                                font=dict(size=14, color=COLORS["neutral"])))
    top = max([clamp_scale] + [max(values) for steps, values in trajectories.values() if steps])
    return make_figure(data, labels["title"], height, dict(l=60, r=20, t=50, b=50), shapes=shapes,
                   annotations=annotations, showlegend=True,
                   xaxis=dict(title=dict(text=labels["x"]), range=[0, last_step]),
                   yaxis=dict(title=dict(text=labels["y"]), range=[0, top * 1.1]),
                   legend=dict(x=0.01, xanchor="left", y=0.98, yanchor="top", bgcolor="rgba(255,255,255,0.8)"))

