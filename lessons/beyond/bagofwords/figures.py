"""Figures of the "Bag of words" lesson: arrays in, plotly figures out (pure, like lessons/common/plotting.py).

One scene's captions under two models (the softmax over the list as bars, the cosine in each
bar's label), and the benchmark: how often the true caption beats its swapped twin, per kind of
swap, before and after hard negatives, with the 50 % chance line.
"""

from __future__ import annotations

import plotly.graph_objects as go

from lessons.common.plotting import COLORS, make_figure

KIND_COLORS = {"truth": COLORS["diagonal"], "attributes": "#ef6c00", "objects": "#8e24aa", "yours": "#546e7a"}
MODEL_COLORS = {"relations": "#78909c", "negclip": "#3949ab"}  # before (grey-blue) and after hard negatives
CHANCE = dict(color=COLORS["chance"], dash="dash", width=2)


def caption_bars_figure(captions: list[str], kinds: list[str], probabilities: dict[str, list[float]],
                        cosines: dict[str, list[float]], labels: dict[str, str], height: int = 330) -> go.Figure:
    """Horizontal bars, one panel per model: each caption's softmax probability over the list.

    Args:
        captions, kinds: the rows, top to bottom; kinds are keys of KIND_COLORS.
        probabilities, cosines: model key ("relations", "negclip") -> one value per caption.
        labels: title, x, model_relations, model_negclip, kind_<kind> for each kind.
    """
    models = list(probabilities)
    rows = [f"{caption}<br><i>{labels['kind_' + kind]}</i>" for caption, kind in zip(captions, kinds, strict=True)]
    gap, width = 0.06, (1 - 0.06 * (len(models) - 1)) / len(models)
    data, annotations, layout = [], [], {}
    for k, model in enumerate(models):
        suffix = "" if k == 0 else str(k + 1)
        x0 = k * (width + gap)
        data.append(dict(
            type="bar", orientation="h", y=rows, x=probabilities[model], xaxis=f"x{suffix}", yaxis=f"y{suffix}",
            marker=dict(color=[KIND_COLORS[kind] for kind in kinds]), showlegend=False, cliponaxis=False,
            text=[f"p {p:.2f} · cos {c:.3f}" for p, c in zip(probabilities[model], cosines[model], strict=True)],
            textposition="outside", textfont=dict(size=11), customdata=captions,
            hovertemplate="%{customdata}<br>p = %{x:.4f}<extra></extra>"))
        layout[f"xaxis{suffix}"] = dict(domain=[x0, x0 + width], anchor=f"y{suffix}", range=[0, 1.45],
                                        tickvals=[0, 0.5, 1], fixedrange=True,
                                        title=dict(text=labels["x"], font=dict(size=11)))
        layout[f"yaxis{suffix}"] = dict(anchor=f"x{suffix}", autorange="reversed", fixedrange=True,
                                        showticklabels=k == 0, tickfont=dict(size=11),
                                        **({} if k == 0 else {"matches": "y"}))
        annotations.append(dict(text=f"<b>{labels['model_' + model]}</b>", x=x0 + width / 2, y=1.0, xref="paper",
                                yref="paper", xanchor="center", yanchor="bottom", showarrow=False,
                                font=dict(size=13, color=MODEL_COLORS[model])))
    return make_figure(data, labels["title"], height, dict(l=10, r=10, t=70, b=50), annotations=annotations,
                   bargap=0.3, **layout, yaxis_automargin=True)


def benchmark_figure(reports: dict[str, dict], labels: dict[str, str], height: int = 360) -> go.Figure:
    """Grouped bars: accuracy of the truth against each swap, and plain retrieval, per model.

    Args:
        reports: model key -> clip_core.bagofwords.bag_of_words_report(...).
        labels: title, y, chance, kind_attributes, kind_objects, kind_retrieval, model_<key>.
    """
    categories = [labels["kind_attributes"], labels["kind_objects"], labels["kind_retrieval"]]
    data = []
    for model, report in reports.items():
        swaps = report["swaps"]
        values = [swaps["attributes"]["accuracy"], swaps["objects"]["accuracy"],
                  report["retrieval"]["image_to_text"]]
        counts = [f"{swaps[k]['correct']}/{swaps[k]['total']}" for k in ("attributes", "objects")]
        counts.append(f"{round(values[2] * report['n_scenes'])}/{report['n_scenes']}")
        data.append(dict(type="bar", x=categories, y=values, name=labels[f"model_{model}"],
                         marker=dict(color=MODEL_COLORS[model]), cliponaxis=False,
                         text=[f"{v:.1%}<br>{c}" for v, c in zip(values, counts, strict=True)], textposition="outside",
                         textfont=dict(size=11), hovertemplate="%{x}: %{y:.1%}<extra>%{fullData.name}</extra>"))
    data.append(dict(type="scatter", mode="lines", x=[None], y=[None], name=labels["chance"], line=CHANCE))
    shapes = [dict(type="line", xref="x", yref="y", x0=-0.45, x1=1.45, y0=0.5, y1=0.5, line=CHANCE)]
    return make_figure(data, labels["title"], height, dict(l=60, r=20, t=60, b=60), barmode="group", bargap=0.25,
                   shapes=shapes, yaxis=dict(range=[0, 1.18], tickvals=[0, 0.25, 0.5, 0.75, 1], tickformat=".0%",
                                             title=dict(text=labels["y"]), fixedrange=True),
                   xaxis=dict(fixedrange=True, tickfont=dict(size=12)),
                   legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom", font=dict(size=12)))
