"""Figure builders of the "Classic mistakes" lesson: two training runs side by side.

Pure functions, arrays in and a plotly figure out, drawn with the look and colours of lesson 5's
training curves (lessons/common/plotting.py): the loss in grey with ln n as a red dashed line, in-batch
accuracy blue (image -> text) and orange (text -> image), the learned scale purple, zero-shot
accuracy green (seen pairs) and violet (held-out pairs). The mistaken run's column also carries
the correct run as thin light-grey lines, so the difference can be read in one place.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lessons.common.plotting import COLORS, HELD_OUT_COLOR, SEEN_COLOR, make_figure

SCALE_COLOR = "#6a3d9a"  # the learned logit scale, as in lesson 5
GHOST_COLOR = "#c4c4c4"  # the correct run, repeated faintly beside the mistaken one
SCALE_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
COLUMNS = ([0.0, 0.47], [0.53, 1.0])  # x domains: correct | mistaken
ROWS = ([0.78, 1.0], [0.53, 0.73], [0.28, 0.48], [0.0, 0.23])  # y domains: loss, accuracy, scale, zero-shot


def _finite(values) -> list[float]:
    return [float(v) for v in values if v is not None and np.isfinite(v)]


def side_by_side_curves_figure(histories: tuple[dict, dict], zero_shots: tuple[dict, dict], batch_size: int,
                               init_scales: tuple[float, float], clamped: tuple[bool, bool],
                               column_titles: tuple[str, str], labels: dict[str, str],
                               max_scale: float = 100.0, height: int = 540) -> go.Figure:
    """Loss, in-batch accuracy, learned scale and zero-shot accuracy of two runs in two columns.

    Rows share their y range across the columns, so the same height means the same value; the
    scale row is logarithmic (exp(t) = 1 under a fixed temperature, 500 in the hot start).

    Args:
        histories: (correct, mistaken) dicts of lists: step, loss, acc_image_to_text,
            acc_text_to_image, logit_scale.
        zero_shots: (correct, mistaken) dicts of lists: step, seen, held_out.
        batch_size: n; the chance loss ln n is drawn in both loss panels.
        init_scales: each run's exp(t) at step 0 (a dotted line).
        clamped: whether each run clamps exp(t) at max_scale (the line is labelled accordingly).
        column_titles: headings above the two columns.
        labels: localised strings (see lessons/beyond/mistakes/strings.py, keys without the prefix).
    """
    chance = float(np.log(batch_size))
    every_step = [s for h in histories for s in h["step"]]
    span = [min(every_step), max(every_step)] if every_step else [0, 1]
    first_losses = _finite([h["loss"][0] for h in histories if h["loss"]])
    loss_top = max(chance * 1.15, min(max(first_losses, default=0.0), 3 * chance))
    scales = _finite([v for h in histories for v in h["logit_scale"]]) + list(init_scales) + [max_scale]
    scale_range = [np.log10(max(0.5, min(scales) * 0.8)), np.log10(max(scales) * 1.4)]

    def axis(row: int, column: int) -> str:
        number = 2 * row + column + 1
        return "" if number == 1 else str(number)

    def line(x, y, name, color, row, column, dash=None, width=2, legend=True, group=None, **extra):
        return dict(type="scatter", mode=extra.pop("mode", "lines"), x=list(x), y=list(y), name=name,
                    line=dict(color=color, dash=dash, width=width), xaxis=f"x{axis(row, column)}",
                    yaxis=f"y{axis(row, column)}", showlegend=legend, legendgroup=group or name, **extra)

    traces: list[dict] = []
    correct, zs_correct = histories[0], zero_shots[0]
    for ghost_row, key in ((0, "loss"), (1, "acc_image_to_text"), (2, "logit_scale")):  # under the mistaken run
        traces.append(line(correct["step"], correct[key], labels["ghost"], GHOST_COLOR, ghost_row, 1, width=1.5,
                           legend=ghost_row == 0, group="ghost", hoverinfo="skip"))
    traces.append(line(zs_correct["step"], zs_correct["seen"], labels["ghost"], GHOST_COLOR, 3, 1, width=1.5,
                       legend=False, group="ghost", hoverinfo="skip", mode="lines+markers"))
    for column, (history, zero_shot) in enumerate(zip(histories, zero_shots, strict=True)):
        first = column == 0  # one legend entry per kind of line
        clamp_name = labels["clamp"] if clamped[column] else labels["no_clamp_line"]
        traces += [
            line(history["step"], history["loss"], labels["loss"], COLORS["neutral"], 0, column, legend=first),
            line(span, [chance, chance], labels["chance"].format(n=batch_size), COLORS["chance"], 0, column,
                 dash="dash", legend=first, hoverinfo="skip"),
            line(history["step"], history["acc_image_to_text"], labels["acc_i2t"], COLORS["image"], 1, column,
                 legend=first),
            line(history["step"], history["acc_text_to_image"], labels["acc_t2i"], COLORS["text"], 1, column,
                 legend=first),
            line(history["step"], history["logit_scale"], labels["scale"], SCALE_COLOR, 2, column, legend=first),
            line(span, [init_scales[column]] * 2, "start", COLORS["neutral"], 2, column, dash="dot", width=1,
                 legend=False, hoverinfo="skip"),
            line(span, [max_scale, max_scale], clamp_name, COLORS["chance"] if clamped[column] else COLORS["neutral"],
                 2, column, dash="dot", width=1.5, legend=False, hoverinfo="skip"),
            line(zero_shot["step"], zero_shot["seen"], labels["zs_seen"], SEEN_COLOR, 3, column, legend=first,
                 mode="lines+markers"),
            line(zero_shot["step"], zero_shot["held_out"], labels["zs_held"], HELD_OUT_COLOR, 3, column,
                 dash="dash", legend=first, mode="lines+markers"),
        ]
    small = dict(font=dict(size=11))
    layout: dict = {}
    titles = (labels["loss_axis"], labels["acc_axis"], labels["scale_axis"], labels["zs_axis"])
    ranges = ([0, loss_top], [0, 1.02], scale_range, [0, 1.02])
    for row in range(4):
        for column in range(2):
            name = axis(row, column)
            y = dict(domain=ROWS[row], anchor=f"x{name}", range=ranges[row])
            if row == 2:
                y.update(type="log", tickvals=SCALE_TICKS, ticktext=[str(v) for v in SCALE_TICKS])
            if column == 0:
                y["title"] = dict(text=titles[row], **small)
            else:
                y.update(matches=f"y{axis(row, 0)}")
            x = dict(domain=COLUMNS[column], anchor=f"y{name}", showticklabels=row == 3)
            if name:
                x["matches"] = "x"
            if row == 3:
                x["title"] = dict(text=labels["step_axis"], standoff=2)
            layout[f"xaxis{name}"] = x
            layout[f"yaxis{name}"] = y
    # the clamp line's label, at its right end in each column
    annotations = [dict(xref=f"x{axis(2, c)}", yref=f"y{axis(2, c)}", x=span[1], y=np.log10(max_scale),
                        text=labels["clamp"] if clamped[c] else labels["no_clamp_line"], showarrow=False,
                        xanchor="right", yanchor="bottom", font=dict(size=10, color=COLORS["chance"] if clamped[c]
                                                                     else COLORS["neutral"]))
                   for c in range(2)]
    annotations += [dict(xref="paper", yref="paper", x=(COLUMNS[c][0] + COLUMNS[c][1]) / 2, y=1.0, yanchor="bottom",
                         text=f"<b>{column_titles[c]}</b>", showarrow=False, font=dict(size=13)) for c in range(2)]
    return make_figure(traces, labels["curves_title"], height, dict(l=60, r=15, t=62, b=64), annotations=annotations,
                   legend=dict(orientation="h", y=-0.1, x=0, font=dict(size=11)), **layout)
