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
                      margin=dict(l=60, r=20, t=50, b=50), template="plotly_white")
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


def logits_figure(data: LogitsData, view: str, labels: dict[str, str], height: int = 640) -> go.Figure:
    """Heatmap of one view of the logits matrix, with the row losses on the right, the column
    losses below, the diagonal outlined and ln n drawn as the chance line.

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
    caption_column = np.broadcast_to(np.array(data.captions, dtype=object)[None, :], (n, n))
    custom = np.stack([caption_column, data.cosine, data.logits, data.p_image_to_text, data.p_text_to_image], axis=-1)
    hover = (f"{labels['hover_image']} %{{y}} · {labels['hover_text']} %{{x}}<br>%{{customdata[0]}}<br>"
             f"{labels['cosine']} %{{customdata[1]:.3f}} · {labels['logit']} %{{customdata[2]:.2f}}<br>"
             f"{labels['p_i2t']} %{{customdata[3]:.3f}}<br>{labels['p_t2i']} %{{customdata[4]:.3f}}<extra></extra>")
    ln_n = float(np.log(n))
    fig = go.Figure()
    fig.add_trace(go.Heatmap(z=z, x=list(range(n)), y=list(range(n)), customdata=custom, hovertemplate=hover,
                             colorbar=dict(len=0.72, y=0.62, thickness=12, x=1.0), **colors))
    fig.add_trace(go.Bar(x=data.per_image, y=list(range(n)), orientation="h", xaxis="x2", yaxis="y",
                         marker_color=COLORS["image"], name=labels["row_loss"],
                         hovertemplate=f"{labels['row_loss']} %{{y}}: %{{x:.3f}}<extra></extra>"))
    fig.add_trace(go.Bar(x=list(range(n)), y=data.per_text, xaxis="x", yaxis="y2",
                         marker_color=COLORS["text"], name=labels["col_loss"],
                         hovertemplate=f"{labels['col_loss']} %{{x}}: %{{y:.3f}}<extra></extra>"))
    # the diagonal: the n correct pairs, outlined the same way in every lesson
    for i in range(n):
        fig.add_shape(type="rect", x0=i - 0.5, x1=i + 0.5, y0=i - 0.5, y1=i + 0.5, xref="x", yref="y",
                      line=dict(color=COLORS["diagonal"], width=2 if n <= 32 else 1))
    fig.add_shape(type="line", x0=ln_n, x1=ln_n, y0=-0.5, y1=n - 0.5, xref="x2", yref="y",
                  line=dict(color=COLORS["chance"], dash="dash", width=2))
    fig.add_shape(type="line", x0=-0.5, x1=n - 0.5, y0=ln_n, y1=ln_n, xref="x", yref="y2",
                  line=dict(color=COLORS["chance"], dash="dash", width=2))
    loss_max = max(ln_n, float(data.per_image.max()), float(data.per_text.max())) * 1.1
    show_captions = n <= 12
    show_thumbnails = data.thumbnails is not None and n <= 16
    fig.update_layout(
        xaxis=dict(domain=[0, 0.76], range=[-1.6 if show_thumbnails else -0.5, n - 0.5], side="top",
                   tickvals=list(range(n)) if n <= 32 else None,
                   ticktext=[_short(c) for c in data.captions] if show_captions else None,
                   tickangle=-35 if show_captions else 0, showgrid=False, zeroline=False,
                   title=dict(text=labels["texts"], standoff=4)),
        yaxis=dict(domain=[0.24, 1.0], range=[n - 0.5, -0.5], tickvals=list(range(n)) if n <= 32 else None,
                   showgrid=False, zeroline=False, title=dict(text=labels["images"], standoff=4)),
        xaxis2=dict(domain=[0.8, 0.97], anchor="y", range=[0, loss_max],
                    title=dict(text=labels["row_loss"], font=dict(size=11))),
        yaxis2=dict(domain=[0.0, 0.17], anchor="x", range=[0, loss_max],
                    title=dict(text=labels["col_loss"], font=dict(size=11))),
        showlegend=False, bargap=0.15,
    )
    if show_thumbnails:
        for i, uri in enumerate(data.thumbnails):
            fig.add_layout_image(dict(source=uri, xref="x", yref="y", x=-0.55, y=i, sizex=0.9, sizey=0.9,
                                      xanchor="right", yanchor="middle", layer="above"))
    title = (f"{labels['title_' + view]} — {labels['total']} {data.total:.3f} "
             f"(ln {n} = {ln_n:.3f}) · exp(t) = {data.scale:.1f}")
    base_layout(fig, title, height)
    fig.update_layout(margin=dict(l=50, r=30, t=150 if show_captions else 90, b=30))
    fig.add_annotation(xref="x2", yref="paper", x=ln_n, y=0.235, text=f"ln {n}", showarrow=False,
                       font=dict(color=COLORS["chance"], size=11), yanchor="top")
    return fig


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
