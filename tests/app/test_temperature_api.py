"""Lesson 4 through the API: one row of the cosine matrix pushed through a softmax at many scales;
the bars, the curves and the read-out must match a direct torch computation on that row."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from api_data import decode, number_after, plotly_json


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


@pytest.mark.parametrize(("n", "seed", "row", "log_scale"), [(8, 0, 0, 2.0), (12, 9, 5, 0.7), (32, 3, 31, 1.234)])
def test_bars_and_curves_match_the_softmax_of_the_row(client, reference, n, seed, row, log_scale):
    bars, curves, table, readout, card = client.predict(n, seed, row, log_scale, api_name="/temperature_render")
    cosines = cosine_row(reference, n, seed, row)
    config = reference.model.config
    slider = 10.0**log_scale

    panels = bar_panels(plotly_json(bars), n)
    # the fixed scales (with the model's init and clamp) and the slider's own panel, which replaces a
    # fixed panel within 2 % of it (the same bars twice would say nothing)
    fixed = {1.0, 5.0, 50.0, 1 / config.init_temperature, float(config.max_logit_scale)}
    expected_scales = sorted([*(s for s in fixed if abs(s / slider - 1) > 0.02), slider])
    np.testing.assert_allclose([scale for scale, _ in panels], expected_scales, rtol=1e-5)
    for scale, p in panels:
        np.testing.assert_allclose(p, (scale * cosines).softmax(0).numpy(), atol=1e-5, err_msg=f"x{scale}")

    curves = plotly_json(curves)
    scales, loss = curve(curves, "loss")
    assert scales.min() < 1 and scales.max() >= 200 and len(scales) > 100
    log_p = (torch.from_numpy(scales)[:, None] * cosines[None, :]).log_softmax(dim=1)  # [k, n]
    np.testing.assert_allclose(loss, -log_p[:, row].numpy(), rtol=1e-5, atol=1e-6)
    _, entropy = curve(curves, "entropy")
    np.testing.assert_allclose(entropy, -(log_p.exp() * log_p).sum(1).numpy(), rtol=1e-5, atol=1e-6)
    _, grad_logits = curve(curves, "grad_logits")
    onehot = torch.nn.functional.one_hot(torch.tensor(row), n).double()
    np.testing.assert_allclose(grad_logits, (log_p.exp() - onehot).norm(dim=1).numpy(), rtol=1e-5, atol=1e-9)

    p_slider = (slider * cosines).softmax(0)
    assert number_after(readout, "exp(t) =") == pytest.approx(slider, abs=6e-3)
    assert number_after(readout, "P(correct caption) =") == pytest.approx(p_slider[row].item(), abs=6e-4)
    assert number_after(readout, "loss -ln p =") == pytest.approx(-math.log(p_slider[row].item()), abs=6e-4)
    assert number_after(readout, "learned scale: exp(t) =") == pytest.approx(reference.scale(), abs=6e-3)
    assert reference.batch(n, seed).captions[row] in card

    # the table: one line per panel, and the argmax is the same at every scale (ties aside)
    tops = [int(j) for j in re.findall(r"^\|[^|]+\|[^|]+\| (?:\*\*)?(\d+) · ", table, flags=re.M)]
    assert len(tops) == len(expected_scales)
    assert set(tops) == {int(cosines.argmax())}
    verdict = "correct caption is" if int(cosines.argmax()) != row else "it is the correct one"
    assert verdict in table


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

    # the trajectory is the shipped model's recorded training history
    history = [(m["step"], m["logit_scale"]) for m in reference.metrics.get("history", []) if "logit_scale" in m]
    lines = [t for t in plotly_json(trajectory)["data"] if t.get("mode") == "lines"]
    if not history:
        assert not lines
        return
    (line,) = lines
    np.testing.assert_array_equal(decode(line["x"]), [s for s, _ in history])
    np.testing.assert_allclose(decode(line["y"]), [v for _, v in history], rtol=1e-6)
    assert decode(line["y"])[-1] == pytest.approx(reference.scale(), rel=1e-3)
