"""The logits heatmap every lesson that shows a batch draws: I_e @ T_e.T * exp(t) as cosines, logits
or either softmax, the correct pairs (the diagonal) outlined in green, each row's and column's loss in
the margins; an interactive plotly figure or a matplotlib PNG for export.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from lessons.common import ui
from lessons.common.plotting import CJK_FONTS, COLORS, PROBABILITY_SCALE, SIGNED_SCALE, make_figure, short_label

STRINGS = {
    "en": {
        "heatmap.title_cosine": "Cosine similarity",
        "heatmap.title_logits": "Logits",
        "heatmap.title_p_image_to_text": "P(text | image), each row sums to 1",
        "heatmap.title_p_text_to_image": "P(image | text), each column sums to 1",
        "heatmap.images": "image i (rows)",
        "heatmap.texts": "caption j (columns)",
        "heatmap.row_loss": "row loss (image→text)",
        "heatmap.col_loss": "column loss (text→image)",
        "heatmap.hover_image": "image",
        "heatmap.hover_text": "caption",
        "heatmap.cosine": "cosine",
        "heatmap.logit": "logit",
        "heatmap.p_i2t": "P(text | image)",
        "heatmap.p_t2i": "P(image | text)",
        "heatmap.total": "loss",
    },
    "zh": {
        "heatmap.title_cosine": "余弦相似度",
        "heatmap.title_logits": "Logits",
        "heatmap.title_p_image_to_text": "P(文本 | 图像)，每行和为 1",
        "heatmap.title_p_text_to_image": "P(图像 | 文本)，每列和为 1",
        "heatmap.images": "图像 i（行）",
        "heatmap.texts": "文本 j（列）",
        "heatmap.row_loss": "行损失（图→文）",
        "heatmap.col_loss": "列损失（文→图）",
        "heatmap.hover_image": "图像",
        "heatmap.hover_text": "文本",
        "heatmap.cosine": "余弦",
        "heatmap.logit": "logit",
        "heatmap.p_i2t": "P(文本 | 图像)",
        "heatmap.p_t2i": "P(图像 | 文本)",
        "heatmap.total": "损失",
    },
}


def heatmap_labels(lang: str) -> dict[str, str]:
    """The heatmap's axis, hover and title words in a language (keys without the "heatmap." prefix)."""
    return ui.lesson_strings(STRINGS, lang)


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
                   ticktext=[short_label(data.captions[j]) if show_captions else str(j) for j in ticks],
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
    return make_figure(traces, title, height, margin=dict(l=50, r=30, t=165 if show_captions else 90, b=30),
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
        ax.set_xticks(range(n), [short_label(c, 28) for c in data.captions], rotation=40, ha="left", fontsize=7)
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

