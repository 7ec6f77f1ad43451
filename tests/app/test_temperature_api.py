"""Lesson 4 through the API: the figures and read-out arrive whole, the learned-scale button and the
refresh start at the checkpoint's scale. The lesson's numbers at every setting (softmax, entropy,
loss, gradients by autograd) are checked in tests/lessons/test_temperature_lesson.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from api_data import decode, plotly_json
from helpers import number_after


def cosine_row(reference, n: int, seed: int, row: int) -> torch.Tensor:
    I_e, T_e = reference.embed(reference.batch(n, seed))
    return (I_e[row] @ T_e.T).double()  # [n]


def bar_panels(figure: dict, n: int) -> list[tuple[float, np.ndarray]]:
    """(scale, the [n] probabilities drawn in its panel: the correct bar and the others joined),
    one per panel, left to right."""
    panels: dict[str, tuple[float, np.ndarray]] = {}
    for trace in figure["data"]:
        assert trace["type"] == "bar"
        scale, p = panels.setdefault(trace.get("xaxis", "x"), (float(trace["meta"]), np.full(n, np.nan)))
        assert float(trace["meta"]) == scale
        p[decode(trace["x"]).astype(int)] = decode(trace["y"])
    return sorted(panels.values(), key=lambda panel: panel[0])


def curve(figure: dict, group: str) -> tuple[np.ndarray, np.ndarray]:
    (trace,) = [t for t in figure["data"] if t.get("legendgroup") == group and t["mode"] == "lines"]
    return decode(trace["x"]), decode(trace["y"])


def test_the_bars_and_the_readout_arrive_through_the_wire(client, reference):
    """One render through the API (every setting, the curves and the table:
    tests/lessons/test_temperature_lesson.py)."""
    n, seed, row, log_scale = 12, 9, 5, 1.234
    bars, curves, table, readout, card = client.predict(n, seed, row, log_scale, api_name="/temperature_render")
    cosines = cosine_row(reference, n, seed, row)
    slider = 10.0**log_scale
    panels = bar_panels(plotly_json(bars), n)
    assert len(panels) == 6  # 1, 5, 50, the init, the clamp and the slider's own
    for scale, p in panels:
        np.testing.assert_allclose(p, (scale * cosines).softmax(0).numpy(), atol=1e-5, err_msg=f"x{scale}")
    scales, loss = curve(plotly_json(curves), "loss")
    log_p = (torch.from_numpy(scales)[:, None] * cosines[None, :]).log_softmax(dim=1)  # [k, n]
    np.testing.assert_allclose(loss, -log_p[:, row].numpy(), rtol=1e-5, atol=1e-6)
    p_slider = (slider * cosines).softmax(0)
    assert number_after(readout, "P(correct caption) =") == pytest.approx(p_slider[row].item(), abs=6e-4)
    assert reference.batch(n, seed).captions[row] in card
    assert table.count("| ×") + table.count("| **×") == 6  # one line per panel


def test_learned_scale_and_refresh_follow_the_checkpoint(client, reference):
    log_scale = client.predict(api_name="/temperature_learned_scale")
    assert log_scale == pytest.approx(math.log10(reference.scale()), abs=1e-3)

    n, seed, row = 6, 4, 9  # row beyond n - 1: the refresh pulls it back inside
    outputs = client.predict(n, seed, row, 0.0, api_name="/temperature_refresh")
    slider, row_update, bars, curves, table, readout, card, trajectory = outputs
    assert slider == pytest.approx(log_scale)
    assert row_update["maximum"] == n - 1 and row_update["value"] == n - 1
    panels = bar_panels(plotly_json(bars), n)
    scale = 10.0**slider
    here = [p for s, p in panels if abs(s - scale) < 1e-6 * scale]
    assert here
    np.testing.assert_allclose(here[0], (scale * cosine_row(reference, n, seed, n - 1)).softmax(0).numpy(),
                               atol=1e-5)

    # the trajectory is the shipped model's recorded training history, ending at its scale
    (line,) = [t for t in plotly_json(trajectory)["data"] if t.get("mode") == "lines"]
    assert decode(line["y"])[-1] == pytest.approx(reference.scale(), rel=1e-3)
