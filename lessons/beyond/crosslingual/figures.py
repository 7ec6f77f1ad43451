"""Figures of the "Two languages" lesson: English x Chinese caption similarities, a PCA map of the
caption pairs, and zero-shot accuracy by training language and prompt language.

Pure functions like lessons/common/plotting.py, and drawn the same way: cosines on the diverging map
centred at 0, correct pairs (the diagonal) outlined in green, image embeddings blue, text orange.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, SIGNED_SCALE, make_figure, short_label

CHINESE_COLOR = "#c2410c"  # Chinese captions: a darker orange than the English ones (both are text)
PROMPT_COLORS = {"en": "#60a5fa", "zh": CHINESE_COLOR}


def pair_matrix_figure(cosine: np.ndarray, english: list[str], chinese: list[str], thumbnails: list[str] | None,
                       labels: dict[str, str], height: int = 620) -> go.Figure:
    """Heatmap of cos(English caption i, Chinese caption j) for captions of the same n scenes, the
    scene's picture beside each row and the n translation pairs (the diagonal) outlined.

    Args:
        cosine: [n, n] cosines, rows English, columns Chinese.
        labels: title, english, chinese, hover_english, hover_chinese, cosine.
    """
    n = len(english)
    index = list(range(n))
    hover = (f"{labels['hover_english']} %{{y}}: %{{customdata[0]}}<br>{labels['hover_chinese']} %{{x}}: "
             f"%{{customdata[1]}}<br>{labels['cosine']} %{{z:.3f}}<extra></extra>")
    custom = np.array([[[english[i], chinese[j]] for j in range(n)] for i in range(n)], dtype=object)  # [n, n, 2]
    traces = [dict(type="heatmap", z=cosine, x=index, y=index, customdata=custom, hovertemplate=hover,
                   colorscale=SIGNED_SCALE, zmin=-1, zmax=1, zmid=0,
                   colorbar=dict(title=dict(text=labels["cosine"], side="right"), thickness=12, len=0.8))]
    diagonal = "".join(f"M{i - 0.5},{i - 0.5}H{i + 0.5}V{i + 0.5}H{i - 0.5}Z" for i in range(n))
    shapes = [dict(type="path", path=diagonal, xref="x", yref="y", line=dict(color=COLORS["diagonal"], width=2.5))]
    show_thumbnails = thumbnails is not None
    images = [dict(source=uri, xref="x", yref="y", x=-0.55, y=i, sizex=0.9, sizey=0.9, xanchor="right",
                   yanchor="middle", layer="above") for i, uri in enumerate(thumbnails or [])]
    width = 30 if n <= 10 else 22
    layout = dict(
        xaxis=dict(range=[-1.6 if show_thumbnails else -0.5, n - 0.5], side="top", tickvals=index,
                   ticktext=[f"{j} · {short_label(c, 10)}" for j, c in enumerate(chinese)], tickangle=-35,
                   showgrid=False, zeroline=False),
        yaxis=dict(range=[n - 0.5, -0.5], tickvals=index,
                   ticktext=[f"{short_label(c, width)} · {i}" for i, c in enumerate(english)],
                   showgrid=False, zeroline=False),
        shapes=shapes, images=images,
    )
    # the axes are named in the subtitle: above slanted tick labels an axis title would meet the title
    title = f"{labels['title']}<br><sup>{labels['english']} · {labels['chinese']}</sup>"
    return make_figure(traces, title, height, margin=dict(l=20, r=140, t=175, b=20),
                   title_options=dict(y=1.0, yref="container", yanchor="top", pad=dict(t=12)), **layout)


def pair_map_figure(english_points: np.ndarray, chinese_points: np.ndarray, image_points: np.ndarray | None,
                    english: list[str], chinese: list[str], labels: dict[str, str], height: int = 520) -> go.Figure:
    """A 2-D map of caption embeddings: each English caption joined to its Chinese translation by a
    line, and (if given) each scene's image embedding joined to both by dotted lines.

    Args:
        *_points: [n, 2] coordinates, e.g. on the captions' first two principal components.
        labels: map_title, english_points, chinese_points, image_points, pair_line, image_line, pc1, pc2.
    """
    index = [str(i) for i in range(len(english))]

    def segments(a: np.ndarray, b: np.ndarray) -> tuple[list, list]:
        xs, ys = [], []
        for (xa, ya), (xb, yb) in zip(a, b, strict=True):
            xs += [float(xa), float(xb), None]
            ys += [float(ya), float(yb), None]
        return xs, ys

    traces = []
    if image_points is not None:
        both = np.concatenate([english_points, chinese_points])  # [2n, 2]
        xs, ys = segments(np.concatenate([image_points, image_points]), both)
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", hoverinfo="skip", name=labels["image_line"],
                           line=dict(color="#9ec5e8", width=1, dash="dot")))
    xs, ys = segments(english_points, chinese_points)
    traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", hoverinfo="skip", name=labels["pair_line"],
                       line=dict(color="#555555", width=1.5)))
    if image_points is not None:
        traces.append(dict(type="scatter", x=image_points[:, 0], y=image_points[:, 1], mode="markers+text",
                           text=index, textposition="top center", name=labels["image_points"],
                           marker=dict(color=COLORS["image"], size=10, symbol="square"),
                           hovertemplate=f"{labels['image_points']} %{{text}}<extra></extra>"))
    traces += [
        dict(type="scatter", x=english_points[:, 0], y=english_points[:, 1], mode="markers+text", text=index,
             textposition="top center", name=labels["english_points"], customdata=english,
             marker=dict(color=COLORS["text"], size=11, symbol="circle"),
             hovertemplate="%{text} · %{customdata}<extra></extra>"),
        dict(type="scatter", x=chinese_points[:, 0], y=chinese_points[:, 1], mode="markers+text", text=index,
             textposition="bottom center", name=labels["chinese_points"], customdata=chinese,
             marker=dict(color=CHINESE_COLOR, size=11, symbol="diamond"),
             hovertemplate="%{text} · %{customdata}<extra></extra>"),
    ]
    return make_figure(traces, labels["map_title"], height, dict(l=55, r=15, t=45, b=80),
                   xaxis=dict(title=dict(text=labels["pc1"]), zeroline=False, scaleanchor="y"),
                   yaxis=dict(title=dict(text=labels["pc2"]), zeroline=False),
                   legend=dict(orientation="h", y=-0.14, x=0, font=dict(size=11)))


def language_accuracy_figure(models: list[str], accuracy: dict[str, list[float]], chance: float,
                             labels: dict[str, str], height: int = 380) -> go.Figure:
    """Grouped bars: zero-shot accuracy (%) of each model with English and with Chinese prompts.

    Args:
        models: the group names (one per model).
        accuracy: {"en": [one accuracy in [0, 1] per model], "zh": [...]}.
        labels: title, y, prompts_en, prompts_zh, chance.
    """
    traces = [dict(type="bar", x=models, y=[100 * a for a in accuracy[lang]], name=labels[f"prompts_{lang}"],
                   marker_color=PROMPT_COLORS[lang], text=[f"{100 * a:.1f} %" for a in accuracy[lang]],
                   textposition="outside", cliponaxis=False,
                   hovertemplate=f"{labels[f'prompts_{lang}']}: %{{y:.1f}} %<extra>%{{x}}</extra>")
              for lang in ("en", "zh")]
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, y0=100 * chance, y1=100 * chance,
                   line=dict(color=COLORS["chance"], dash="dash", width=2))]
    # in the gap between the two groups of bars, where no bar hides it
    annotations = [dict(xref="paper", x=0.53, y=100 * chance, yanchor="bottom", xanchor="center", showarrow=False,
                        text=labels["chance"], font=dict(color=COLORS["chance"], size=11))]
    return make_figure(traces, labels["title"], height, dict(l=60, r=15, t=50, b=40), barmode="group",
                   yaxis=dict(title=dict(text=labels["y"]), range=[0, 109]), shapes=shapes, annotations=annotations,
                   legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0.99, xanchor="right", font=dict(size=11)))
