"""Figure builders: arrays in, a plotly figure (interactive) or a matplotlib PNG (export) out.

Pure functions: no model, no gradio, no session. Every lesson draws through here so the same
things look the same everywhere: image embeddings are always blue and text embeddings orange,
correct pairs (the diagonal) are always outlined in green, probabilities use cividis and signed
scores (cosines, logits) a diverging map centred at 0.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

COLORS = {
    "image": "#1f77b4",  # image embeddings / the image tower
    "text": "#ff7f0e",  # text embeddings / the text tower
    "diagonal": "#00c853",  # correct pairs
    "chance": "#d62728",  # ln n, the loss at chance
    "neutral": "#7f7f7f",
}
PROBABILITY_SCALE = "Cividis"
SIGNED_SCALE = "RdBu_r"
FONT = dict(family="Inter, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif", size=13)
CJK_FONTS = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "SimHei"]
# plotly_white's layout without its per-trace-type defaults: the same look, but a figure built with
# it validates in a fraction of the time (the full template is deep-copied into every figure)
pio.templates["clip_lab"] = go.layout.Template(layout=pio.templates["plotly_white"].layout)
TEMPLATE = "clip_lab"


def thumbnail_uri(image: np.ndarray, scale: int = 2) -> str:
    """A [3, H, W] float image in [0, 1] as a PNG data URI (nearest-neighbour upscaled)."""
    from PIL import Image

    pixels = (np.clip(image, 0, 1) * 255).astype(np.uint8).transpose(1, 2, 0)
    pixels = pixels.repeat(scale, axis=0).repeat(scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def to_pil(image: np.ndarray, size: int = 96):
    """A [3, H, W] float image as a PIL image of `size` pixels (nearest, so pixels stay visible)."""
    from PIL import Image

    pixels = (np.clip(image, 0, 1) * 255).astype(np.uint8).transpose(1, 2, 0)
    return Image.fromarray(pixels).resize((size, size), Image.NEAREST)


def base_layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15)), font=FONT, height=height,
                      margin=dict(l=60, r=20, t=50, b=50), template=TEMPLATE)
    return fig


@dataclass
class LogitsData:
    """Everything about one [n, n] logits matrix that the heatmap can show."""

    cosine: np.ndarray  # [n, n] I_e @ T_e.T
    logits: np.ndarray  # [n, n] cosine * scale
    p_image_to_text: np.ndarray  # [n, n] row softmax
    p_text_to_image: np.ndarray  # [n, n] column softmax
    per_image: np.ndarray  # [n] row losses
    per_text: np.ndarray  # [n] column losses
    total: float
    scale: float
    captions: list[str]
    thumbnails: list[str] | None = None  # data URIs, one per image (row)


VIEWS = ("cosine", "logits", "p_image_to_text", "p_text_to_image")


def _short(text: str, width: int = 22) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def logits_title_template(view: str, labels: dict[str, str]) -> str:
    """The heatmap's title as a str.format template (the page fills it in too: assets/live.js)."""
    return (f"{labels['title_' + view]} — {labels['total']} {{total:.3f}} (ln {{n}} = {{ln:.3f}}) "
            "· exp(t) = {scale:.2f}")


def logits_figure(data: LogitsData, view: str, labels: dict[str, str], height: int = 600,
                  title: str | None = None) -> go.Figure:
    """Heatmap of one view of the logits matrix, with the row losses on the right, the column
    losses below, the diagonal outlined and ln n drawn as the chance line.

    Built in one pass from plain dicts (a slider move redraws it, so every millisecond counts: an
    `add_shape` per diagonal cell would cost O(n^2) validation).

    Args:
        view: one of VIEWS.
        labels: localised strings: title_<view>, images, texts, row_loss, col_loss, chance,
            hover_image, hover_text, cosine, logit, p_i2t, p_t2i, total.
    """
    n = len(data.captions)
    z = {"cosine": data.cosine, "logits": data.logits, "p_image_to_text": data.p_image_to_text,
         "p_text_to_image": data.p_text_to_image}[view]
    if view in ("cosine", "logits"):
        bound = 1.0 if view == "cosine" else max(1e-6, float(np.abs(z).max()))
        colors = dict(colorscale=SIGNED_SCALE, zmin=-bound, zmax=bound, zmid=0)
    else:
        colors = dict(colorscale=PROBABILITY_SCALE, zmin=0, zmax=1)
    # columns are categories "j · caption", so the hover shows the caption without repeating it per cell
    columns = [f"{j} · {caption}" for j, caption in enumerate(data.captions)]
    custom = np.stack([data.cosine, data.logits, data.p_image_to_text, data.p_text_to_image], axis=-1)  # [n, n, 4]
    hover = (f"{labels['hover_image']} %{{y}} · {labels['hover_text']} %{{x}}<br>"
             f"{labels['cosine']} %{{customdata[0]:.3f}} · {labels['logit']} %{{customdata[1]:.2f}}<br>"
             f"{labels['p_i2t']} %{{customdata[2]:.3f}}<br>{labels['p_t2i']} %{{customdata[3]:.3f}}<extra></extra>")
    ln_n = float(np.log(n))
    rows = list(range(n))
    traces = [
        dict(type="heatmap", z=z, x=columns, y=rows, customdata=custom.round(4).astype(np.float32),
             hovertemplate=hover, colorbar=dict(len=0.72, y=0.62, thickness=12, x=1.0), **colors),
        dict(type="bar", x=data.per_image, y=rows, orientation="h", xaxis="x2", yaxis="y",
             marker_color=COLORS["image"], name=labels["row_loss"],
             hovertemplate=f"{labels['row_loss']} %{{y}}: %{{x:.3f}}<extra></extra>"),
        dict(type="bar", x=columns, y=data.per_text, xaxis="x", yaxis="y2", marker_color=COLORS["text"],
             name=labels["col_loss"], hovertemplate=f"{labels['col_loss']} %{{x}}: %{{y:.3f}}<extra></extra>"),
    ]
    # the diagonal: the n correct pairs, outlined the same way in every lesson (one path, n squares)
    diagonal = "".join(f"M{i - 0.5},{i - 0.5}H{i + 0.5}V{i + 0.5}H{i - 0.5}Z" for i in range(n))
    shapes = [
        dict(type="path", path=diagonal, xref="x", yref="y",
             line=dict(color=COLORS["diagonal"], width=2 if n <= 32 else 1)),
        dict(type="line", x0=ln_n, x1=ln_n, y0=-0.5, y1=n - 0.5, xref="x2", yref="y",
             line=dict(color=COLORS["chance"], dash="dash", width=2)),
        dict(type="line", x0=-0.5, x1=n - 0.5, y0=ln_n, y1=ln_n, xref="x", yref="y2",
             line=dict(color=COLORS["chance"], dash="dash", width=2)),
    ]
    loss_max = max(ln_n, float(data.per_image.max()), float(data.per_text.max())) * 1.1
    show_captions = n <= 12
    show_thumbnails = data.thumbnails is not None and n <= 16
    images = [dict(source=uri, xref="x", yref="y", x=-0.55, y=i, sizex=0.9, sizey=0.9, xanchor="right",
                   yanchor="middle", layer="above") for i, uri in enumerate(data.thumbnails or []) if show_thumbnails]
    title = title or logits_title_template(view, labels).format(total=data.total, n=n, ln=ln_n, scale=data.scale)
    ticks = list(range(n)) if n <= 32 else list(range(0, n, 4))
    layout = dict(
        xaxis=dict(domain=[0, 0.76], range=[-1.6 if show_thumbnails else -0.5, n - 0.5], side="top", type="category",
                   tickvals=[columns[j] for j in ticks],
                   ticktext=[_short(data.captions[j]) if show_captions else str(j) for j in ticks],
                   tickangle=-35 if show_captions else 0, showgrid=False, zeroline=False,
                   title=dict(text=labels["texts"], standoff=4)),
        yaxis=dict(domain=[0.24, 1.0], range=[n - 0.5, -0.5], tickvals=ticks, showgrid=False, zeroline=False,
                   title=dict(text=labels["images"], standoff=4)),
        xaxis2=dict(domain=[0.8, 0.97], anchor="y", range=[0, loss_max],
                    title=dict(text=labels["row_loss"], font=dict(size=11))),
        yaxis2=dict(domain=[0.0, 0.17], anchor="x", range=[0, loss_max], nticks=3,
                    title=dict(text=labels["col_loss"], font=dict(size=11))),
        showlegend=False, bargap=0.15, shapes=shapes, images=images,
        annotations=[dict(xref="x2", yref="y", x=ln_n, y=-0.5, text=f" ln {n}", showarrow=False, xanchor="left",
                          yanchor="top", font=dict(color=COLORS["chance"], size=11))],
    )
    # the title sits at the very top, above the slanted captions
    return _figure(traces, title, height, margin=dict(l=50, r=30, t=165 if show_captions else 90, b=30),
                   title_options=dict(y=0.985, yref="container", yanchor="top"), **layout)


def logits_png(data: LogitsData, view: str, labels: dict[str, str], path: str) -> str:
    """Static export of a logits view with matplotlib (captions, diagonal, losses)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    plt.rcParams["font.sans-serif"] = ["DejaVu Sans", *CJK_FONTS]
    n = len(data.captions)
    z = {"cosine": data.cosine, "logits": data.logits, "p_image_to_text": data.p_image_to_text,
         "p_text_to_image": data.p_text_to_image}[view]
    signed = view in ("cosine", "logits")
    bound = 1.0 if view == "cosine" else float(np.abs(z).max()) or 1.0
    fig = plt.figure(figsize=(10, 8.5), dpi=120)
    grid = fig.add_gridspec(2, 2, width_ratios=[4, 1], height_ratios=[4, 1], wspace=0.08, hspace=0.08)
    ax = fig.add_subplot(grid[0, 0])
    image = ax.imshow(z, cmap="RdBu_r" if signed else "cividis", vmin=-bound if signed else 0,
                      vmax=bound if signed else 1, aspect="auto")
    for i in range(n):
        ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=COLORS["diagonal"], linewidth=1.5))
    if n <= 16:
        ax.set_xticks(range(n), [_short(c, 28) for c in data.captions], rotation=40, ha="left", fontsize=7)
        ax.xaxis.tick_top()
        ax.set_yticks(range(n))
    ax.set_ylabel(labels["images"])
    ax.set_title(f"{labels['title_' + view]} — {labels['total']} {data.total:.3f} (ln {n} = {np.log(n):.3f})",
                 fontsize=11, pad=90 if n <= 16 else 10)
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    right = fig.add_subplot(grid[0, 1], sharey=ax)
    right.barh(range(n), data.per_image, color=COLORS["image"])
    right.axvline(np.log(n), color=COLORS["chance"], linestyle="--")
    right.set_xlabel(labels["row_loss"])
    right.tick_params(labelleft=False)
    bottom = fig.add_subplot(grid[1, 0], sharex=ax)
    bottom.bar(range(n), data.per_text, color=COLORS["text"])
    bottom.axhline(np.log(n), color=COLORS["chance"], linestyle="--")
    bottom.set_ylabel(labels["col_loss"])
    bottom.set_xlabel(labels["texts"])
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


# Lesson 4 (temperature) and lesson 8 (what is a logit?)


def _figure(data: list[dict], title: str, height: int, margin: dict, title_options: dict | None = None,
            **layout) -> go.Figure:
    """A figure with base_layout's look, built in one pass: every later update_layout re-validates
    the template (several ms each), which matters for figures redrawn on every slider move."""
    return go.Figure(data=data, layout=dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15), **(title_options or {})), font=FONT,
        height=height, margin=margin, template=TEMPLATE, **layout))


OTHER_CAPTIONS = "#3b496c"  # the dark blue of cividis: wrong captions in probability bars

LOG_TICKS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200]


def _panel_domains(count: int, gap: float = 0.025) -> list[list[float]]:
    """`count` equal side-by-side x domains in paper coordinates."""
    width = (1.0 - gap * (count - 1)) / count
    return [[k * (width + gap), k * (width + gap) + width] for k in range(count)]


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
    domains = _panel_domains(k)
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
    return _figure(data, labels["title"], height, dict(l=60, r=10, t=48, b=56), annotations=annotations,
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
    return _figure(data, labels["title"], height, dict(l=70, r=10, t=60, b=50), **layout)


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
    return _figure(data, labels["title"], height, dict(l=60, r=20, t=50, b=50), shapes=shapes,
                   annotations=annotations, showlegend=True,
                   xaxis=dict(title=dict(text=labels["x"]), range=[0, last_step]),
                   yaxis=dict(title=dict(text=labels["y"]), range=[0, top * 1.1]),
                   legend=dict(x=0.01, xanchor="left", y=0.98, yanchor="top", bgcolor="rgba(255,255,255,0.8)"))


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
    return _figure(data, labels["title"], height, dict(l=60, r=20, t=70, b=50), **layout)


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
    return _figure(data, labels["title"], height, dict(l=60, r=20, t=70, b=50), **layout)


def _subscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


# ----- lesson 5: training curves and the embedding map ----------------------------------------------


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
    return _figure(traces, labels["curves_title"], height, dict(l=60, r=15, t=40, b=70), **layout)


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
    return _figure(traces, labels["map_title"], height, dict(l=55, r=15, t=45, b=70),
                   xaxis=dict(title=dict(text=labels["pc1"]), zeroline=False, scaleanchor="y"),
                   yaxis=dict(title=dict(text=labels["pc2"]), zeroline=False),
                   legend=dict(orientation="h", y=-0.18, x=0, font=dict(size=11)))


def pca_2d(points: np.ndarray) -> np.ndarray:
    """Project rows onto their first two principal components (centred, via SVD)."""
    centred = points - points.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


# ----- lesson 6: zero-shot probabilities, template comparison, greedy selection ---------------------

SEEN_COLOR = "#2ca02c"  # zero-shot accuracy on seen colour-shape pairs (as in lesson 5's curves)
HELD_OUT_COLOR = "#9467bd"  # ... and on held-out pairs


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
    return _figure(data + legend, labels["title"], height, dict(l=10, r=50, t=48, b=50),
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
    return _figure(data, labels["title"], height or 120 + 30 * len(names), dict(l=10, r=20, t=48, b=50),
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
    return _figure(data, labels["title"], height, dict(l=60, r=20, t=48, b=50),
                   xaxis=dict(range=[0.5, max(steps) + 0.5], tickvals=steps, title=dict(text=labels["x"]),
                              fixedrange=True),
                   yaxis=dict(range=[low, 101], title=dict(text=labels["y"]), fixedrange=True),
                   shapes=shapes, annotations=annotations,
                   legend=dict(orientation="h", x=1.0, xanchor="right", y=1.0, yanchor="bottom"))


# ----- lesson 7: search scores ----------------------------------------------------------------------


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
    return _figure(data, labels["title"], height, dict(l=60, r=20, t=48, b=45),
                   xaxis=dict(title=dict(text=labels["x"]), range=[0.5, len(scores) + 0.5], fixedrange=True),
                   yaxis=dict(title=dict(text=labels["y"]), range=[low, 1.02], fixedrange=True),
                   bargap=0.05, legend=dict(orientation="h", x=1.0, xanchor="right", y=1.0, yanchor="bottom"))


def photo_probs_figure(probs: np.ndarray, picture_names: list[str], classnames: list[str], labels: dict[str, str],
                       height: int | None = None) -> go.Figure:
    """Zero-shot probabilities of uploaded pictures: a [pictures, classes] heatmap, each row a softmax
    (sums to 1), with the percentages written in the cells and each row's most likely class boxed.

    Args:
        probs: [n, C] probabilities.
        picture_names: n row labels; classnames: C column labels.
        labels: title, x, y.
    """
    probs = np.asarray(probs, dtype=float)
    n, c = probs.shape
    rows = [f"{i} · {_short(name, 18)}" for i, name in enumerate(picture_names)]
    columns = [_short(name, 18) for name in classnames]
    text = [[f"{100 * p:.0f}%" if c <= 12 and n <= 24 else "" for p in row] for row in probs]
    best = probs.argmax(axis=1)
    boxes = "".join(f"M{j - 0.5},{i - 0.5}H{j + 0.5}V{i + 0.5}H{j - 0.5}Z" for i, j in enumerate(best))
    data = [dict(type="heatmap", z=probs, x=list(range(c)), y=list(range(n)), zmin=0, zmax=1,
                 colorscale=PROBABILITY_SCALE, text=text, texttemplate="%{text}", textfont=dict(size=11),
                 customdata=[[classnames[j] for j in range(c)] for _ in range(n)],
                 hovertemplate=f"{labels['y']} %{{y}} · {labels['x']} %{{customdata}}<br>p = %{{z:.4f}}<extra></extra>",
                 colorbar=dict(title=dict(text="p"), thickness=12, len=0.8))]
    height = height or min(640, 150 + 34 * n)
    return _figure(data, labels["title"], height, dict(l=10, r=10, t=48, b=40),
                   xaxis=dict(tickvals=list(range(c)), ticktext=columns, side="top", title=dict(text=labels["x"]),
                              fixedrange=True, tickangle=-30 if c > 6 else 0, automargin=True),
                   yaxis=dict(tickvals=list(range(n)), ticktext=rows, autorange="reversed", automargin=True,
                              title=dict(text=labels["y"]), fixedrange=True),
                   shapes=[dict(type="path", path=boxes, line=dict(color=COLORS["diagonal"], width=2.5),
                                fillcolor="rgba(0,0,0,0)")] if n else [])
