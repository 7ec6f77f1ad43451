"""Figures of the "Where is it?" lesson: a similarity map over a picture, and the measured hit rates.

Pure functions (arrays in, plotly figure out), drawn like lessons/common/plotting.py. The picture is an
upscaled image under the plot, in pixel coordinates (0..side on both axes, y downwards), so that
boxes and peaks given in pixels land where they belong.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, FONT, TEMPLATE, thumbnail_uri

MAP_SCALE = "Inferno"  # sequential: the question is where the map is highest, not its sign
METHOD_COLORS = {"patches": COLORS["image"], "windows": "#9467bd"}
NAMED, OTHER = "#00c853", "#e0e0e0"  # the named object's box (the diagonal's green), the other box
UPSCALE = 8
LEFT, RIGHT = [0.0, 0.4], [0.5, 0.9]  # the map figure's two panels (x domains)
BAR_LEFT, BAR_RIGHT = [0.0, 0.45], [0.55, 1.0]  # the hit-rate figure's two panels


def panel_headings(*headings: tuple[str, list[float]]) -> list[dict]:
    """One heading per panel, centred above its x domain (paper coordinates)."""
    return [dict(text=text, x=(domain[0] + domain[1]) / 2, y=1.0, xref="paper", yref="paper", showarrow=False,
                 xanchor="center", yanchor="bottom", font=dict(size=13)) for text, domain in headings]


def _picture(image: np.ndarray, xaxis: str, yaxis: str) -> go.Image:
    side = image.shape[-1]
    # pixel j of the upscaled picture covers [j / U, (j + 1) / U]: the picture spans 0..side
    return go.Image(source=thumbnail_uri(image, UPSCALE), x0=0.5 / UPSCALE, dx=1 / UPSCALE, y0=0.5 / UPSCALE,
                    dy=1 / UPSCALE, xaxis=xaxis, yaxis=yaxis, hoverinfo="skip", name=f"{side} px")


def _box_shapes(boxes: np.ndarray, named: int | None, xref: str, yref: str) -> list[dict]:
    """The objects' boxes: the named one solid green, the other dotted."""
    shapes = []
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        line = dict(color=NAMED, width=3) if k == named else dict(color=OTHER, width=2, dash="dot")
        shapes.append(dict(type="rect", x0=x0, y0=y0, x1=x1, y1=y1, xref=xref, yref=yref, line=line))
    return shapes


def similarity_map_figure(image: np.ndarray, pixels: np.ndarray, peak_xy: tuple[float, float], boxes: np.ndarray,
                          names: list[str], named: int | None, labels: dict[str, str], height: int = 430) -> go.Figure:
    """The picture (left) and the query's similarity map over it (right), with the peak and both boxes.

    Args:
        image: [3, H, W] in [0, 1].
        pixels: [H, W] cosine similarity of the query at every pixel.
        peak_xy: the peak (x, y) in pixels.
        boxes: [2, 4] each object's box (x0, y0, x1, y1) in pixels; names: their "colour shape".
        named: which object the query names (its box is drawn green), or None.
        labels: title, picture, overlay, colorbar, peak, named, other.
    """
    side = image.shape[-1]
    centres = np.arange(side) + 0.5
    heat = go.Heatmap(z=pixels, x=centres, y=centres, colorscale=MAP_SCALE, opacity=0.6, xaxis="x2", yaxis="y2",
                      zmin=float(pixels.min()), zmax=float(pixels.max()),
                      colorbar=dict(title=dict(text=labels["colorbar"], side="right"), thickness=14, len=0.9),
                      hovertemplate="x %{x:.1f} px, y %{y:.1f} px<br>" + labels["colorbar"]
                      + " %{z:.3f}<extra></extra>")
    peak_marker = go.Scatter(x=[peak_xy[0]], y=[peak_xy[1]], xaxis="x2", yaxis="y2", mode="markers",
                             marker=dict(symbol="x-thin", size=18, line=dict(width=4, color="#00e5ff")),
                             name=labels["peak"],
                             hovertemplate=labels["peak"] + " (%{x:.1f}, %{y:.1f}) px<extra></extra>")
    # legend entries only (no points): which box is which
    legend = [go.Scatter(x=[None], y=[None], mode="markers",
                         name=f"{names[k]} ({labels['named' if k == named else 'other']})",
                         marker=dict(symbol="square-open", size=12, color=NAMED if k == named else "#9e9e9e",
                                     line=dict(width=2)))
              for k in range(len(boxes))]
    fig = go.Figure([_picture(image, "x", "y"), _picture(image, "x2", "y2"), heat, peak_marker, *legend])
    shapes = _box_shapes(boxes, named, "x", "y") + _box_shapes(boxes, named, "x2", "y2")
    ticks = [0, side // 4, side // 2, 3 * side // 4, side]
    axis = dict(range=[0, side], showgrid=False, zeroline=False, tickvals=ticks, title=dict(text="x (px)", standoff=4))
    yaxis = dict(range=[side, 0], showgrid=False, zeroline=False, tickvals=ticks, title=dict(text="y (px)", standoff=4))
    fig.update_layout(
        template=TEMPLATE, font=FONT, height=height, margin=dict(l=50, r=10, t=70, b=40), shapes=shapes,
        title=dict(text=labels["title"], x=0.01, xanchor="left", font=dict(size=15)),
        xaxis=dict(axis, domain=LEFT), yaxis=dict(yaxis, scaleanchor="x", constrain="domain"),
        xaxis2=dict(axis, domain=RIGHT), yaxis2=dict(yaxis, anchor="x2", scaleanchor="x2", constrain="domain"),
        legend=dict(orientation="h", x=0.0, y=-0.12, yanchor="top"),
        annotations=panel_headings((labels["picture"], LEFT), (labels["overlay"], RIGHT)),
    )
    return fig


def hit_rate_figure(results: list[dict], method_names: dict[str, str], labels: dict[str, str],
                    height: int = 380) -> go.Figure:
    """Measured hit rates per method against chance, in two panels.

    Left: how often the peak falls inside the named object's box, with two chance levels (a peak
    at a random patch or window centre, and at a random pixel: the box's share of the picture).
    Right: how often the peak is nearer the named object than the other one (chance 50 %).

    Args:
        results: `clip_core.localize.hit_rate` dicts, one per method.
        method_names: a label per method ("patches" -> "patch tokens").
        labels: title, in_box, nearer, y, grid_chance, area_chance, two_way_chance.
    """
    fig = go.Figure()
    colours = [METHOD_COLORS[r["method"]] for r in results]
    panels = (("x", "y", "rate", "hits"), ("x2", "y2", "two_way_rate", "two_way_hits"))
    bar_names = {}  # x axis -> the bars' names
    for xaxis, yaxis, rate, hits in panels:
        # the measured share under each bar's name (a label above the bar would collide with the chance marks)
        bar_names[xaxis] = [f"{method_names[r['method']]}<br><b>{100 * r[rate]:.0f} %</b> ({r[hits]}/{r['queries']})"
                            for r in results]
        fig.add_trace(go.Bar(x=bar_names[xaxis], y=[100 * r[rate] for r in results], marker_color=colours,
                             xaxis=xaxis, yaxis=yaxis, showlegend=False, hovertemplate="%{y:.1f} %<extra></extra>"))
    names = bar_names["x"]  # the left panel's bars
    # the chance of a peak at a random patch or window centre, per method: a short dash over its bar
    dash = dict(symbol="line-ew", size=60, line=dict(width=3, color=COLORS["chance"]))
    fig.add_trace(go.Scatter(x=names, y=[100 * r["grid_chance"] for r in results], mode="markers", xaxis="x",
                             yaxis="y", marker=dash, name=labels["grid_chance"],
                             hovertemplate="%{y:.1f} %<extra></extra>"))
    area = 100 * float(np.mean([r["area_chance"] for r in results]))
    # the two chance levels that hold for every method: lines across the whole panel, named in the legend
    levels = ((area, "x", "y", dict(color=COLORS["neutral"], dash="dot", width=2), labels["area_chance"]),
              (50.0, "x2", "y2", dict(color=COLORS["chance"], dash="dash", width=2), labels["two_way_chance"]))
    shapes = []
    for level, xaxis, yaxis, line, name in levels:
        shapes.append(dict(type="line", xref=f"{xaxis} domain", x0=0, x1=1, yref=yaxis, y0=level, y1=level, line=line))
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=line, name=name, xaxis=xaxis, yaxis=yaxis))
    percent = dict(range=[0, 112], title=dict(text=labels["y"]), tickvals=[0, 25, 50, 75, 100],
                   ticktext=[f"{v} %" for v in (0, 25, 50, 75, 100)])  # ticksuffix is not applied to array ticks
    fig.update_layout(
        template=TEMPLATE, font=FONT, height=height, margin=dict(l=60, r=20, t=80, b=50), bargap=0.45, shapes=shapes,
        title=dict(text=labels["title"], x=0.01, xanchor="left", font=dict(size=15)),
        xaxis=dict(domain=BAR_LEFT), yaxis=percent,
        xaxis2=dict(domain=BAR_RIGHT), yaxis2=dict(percent, anchor="x2", title=None),
        legend=dict(orientation="h", x=0.0, y=-0.2, yanchor="top"),
        annotations=panel_headings((labels["in_box"], BAR_LEFT), (labels["nearer"], BAR_RIGHT)),
    )
    return fig
