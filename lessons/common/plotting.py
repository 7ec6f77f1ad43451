"""Figure builders: arrays in, a plotly figure (interactive) or a matplotlib PNG (export) out.

Pure functions: no model, no gradio, no session. Every lesson draws through here so the same
things look the same everywhere: image embeddings are always blue and text embeddings orange,
correct pairs (the diagonal) are always outlined in green, probabilities use cividis and signed
scores (cosines, logits) a diverging map centred at 0.
"""

from __future__ import annotations

import base64
import io

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


def short_label(text: str, width: int = 22) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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


# Lesson 4 (temperature) and lesson 8 (what is a logit?)


def make_figure(data: list[dict], title: str, height: int, margin: dict, title_options: dict | None = None,
            **layout) -> go.Figure:
    """A figure with base_layout's look, built in one pass: every later update_layout re-validates
    the template (several ms each), which matters for figures redrawn on every slider move."""
    return go.Figure(data=data, layout=dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15), **(title_options or {})), font=FONT,
        height=height, margin=margin, template=TEMPLATE, **layout))


OTHER_CAPTIONS = "#3b496c"  # the dark blue of cividis: wrong captions in probability bars


def panel_title(text: str, x: float, y: float) -> dict:
    """A heading above one panel of a figure with several (an annotation at paper coordinates x, y)."""
    return dict(text=text, x=x, y=y, xref="paper", yref="paper", xanchor="center", yanchor="bottom",
                showarrow=False, font=dict(size=13))


def empty_note(text: str) -> dict:
    """A note across the middle of a figure that has nothing to draw yet."""
    return dict(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                font=dict(size=14, color=COLORS["neutral"]), bgcolor="rgba(255,255,255,0.85)")


def panel_domains(count: int, gap: float = 0.025) -> list[list[float]]:
    """`count` equal side-by-side x domains in paper coordinates."""
    width = (1.0 - gap * (count - 1)) / count
    return [[k * (width + gap), k * (width + gap) + width] for k in range(count)]


# ----- lesson 5: training curves and the embedding map ----------------------------------------------


# ----- lesson 6: zero-shot probabilities, template comparison, greedy selection ---------------------

SEEN_COLOR = "#2ca02c"  # zero-shot accuracy on seen colour-shape pairs (as in lesson 5's curves)
HELD_OUT_COLOR = "#9467bd"  # ... and on held-out pairs


# ----- lesson 7: search scores ----------------------------------------------------------------------


