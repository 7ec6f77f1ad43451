"""Lesson 4 (temperature), its handlers called directly: one row of the cosine matrix pushed through
a softmax at many scales. The row equals the checkpoint's cosines, and the bars, curves, table and
read-out equal a softmax, entropy, loss and gradients computed here with torch (autograd for the
gradients)."""

from __future__ import annotations

import math
import re

import gradio as gr
import numpy as np
import pytest
import torch
from helpers import number_after, outputs

from lessons import temperature


def cosine_row(reference, n: int, seed: int, row: int) -> torch.Tensor:
    I_e, T_e = reference.embed(reference.batch(n, seed))
    return (I_e[row] @ T_e.T).double()  # [n]


def render(session, n, seed, row, log_scale):
    """(bars, curves, table, readout, card) of the lesson's render handler."""
    return outputs(temperature.render(session, n, seed, row, log_scale))


def bar_panels(figure, n: int) -> list[tuple[float, np.ndarray]]:
    """(scale, the [n] probabilities drawn in its panel: the correct bar and the others joined),
    one per panel, left to right."""
    panels: dict[str, tuple[float, np.ndarray]] = {}
    for trace in figure.data:
        assert trace.type == "bar"
        scale, p = panels.setdefault(trace.xaxis or "x", (float(trace.meta), np.full(n, np.nan)))
        assert float(trace.meta) == scale
        p[np.asarray(trace.x, dtype=int)] = trace.y
    return sorted(panels.values(), key=lambda panel: panel[0])


def curve(figure, group: str) -> tuple[np.ndarray, np.ndarray]:
    (trace,) = [t for t in figure.data if t.legendgroup == group and t.mode == "lines"]
    return np.asarray(trace.x), np.asarray(trace.y)


def test_the_row_is_the_checkpoints_cosines(session, reference):
    n, seed, row = 12, 9, 5
    data = temperature.prepare_row(session, n, seed, row)
    np.testing.assert_allclose(data.cosines, cosine_row(reference, n, seed, row).numpy(), atol=1e-5)
    assert data.captions == reference.batch(n, seed).captions
    config = reference.model.config
    assert data.learned_scale == pytest.approx(reference.scale(), rel=1e-6)
    assert (data.init_scale, data.clamp_scale) == (pytest.approx(1 / config.init_temperature),
                                                   float(config.max_logit_scale))


@pytest.mark.parametrize("correct", [0, 3])
def test_row_statistics_equal_torch_and_autograd(correct):
    """Softmax, entropy and loss of a row at several scales, and the gradients of that loss with
    respect to the logits, the cosines and t = ln scale, by torch's autograd."""
    cosines = torch.tensor([0.31, -0.12, 0.05, 0.27, 0.30], dtype=torch.float64)
    scales = np.array([0.5, 1.0, 14.3, 100.0, 1000.0])
    stats = temperature.row_statistics(cosines.numpy(), correct, scales)
    for k, scale in enumerate(scales):
        t = torch.tensor(math.log(scale), dtype=torch.float64, requires_grad=True)
        cos = cosines.clone().requires_grad_(True)
        logits = (t.exp() * cos).detach().requires_grad_(True)
        loss = -torch.log_softmax(logits, 0)[correct]
        (grad_logits,) = torch.autograd.grad(loss, logits)
        loss_through = -torch.log_softmax(t.exp() * cos, 0)[correct]
        grad_t, grad_cosines = torch.autograd.grad(loss_through, (t, cos))
        p = logits.softmax(0).detach()
        np.testing.assert_allclose(stats.probs[k], p.numpy(), atol=1e-12)
        assert stats.loss[k] == pytest.approx(loss.item(), abs=1e-9)
        assert stats.entropy[k] == pytest.approx(-(p * p.log()).sum().item(), abs=1e-9)
        assert stats.grad_logits[k] == pytest.approx(grad_logits.norm().item(), abs=1e-9)
        assert stats.grad_cosines[k] == pytest.approx(grad_cosines.norm().item(), rel=1e-9, abs=1e-12)
        assert stats.grad_t[k] == pytest.approx(grad_t.item(), rel=1e-9, abs=1e-12)
    assert (stats.probs.argmax(axis=1) == int(cosines.argmax())).all()  # the argmax never moves


@pytest.mark.parametrize(("n", "seed", "row", "log_scale"), [(8, 0, 0, 2.0), (12, 9, 5, 0.7), (32, 3, 31, 1.234)])
def test_bars_curves_table_and_readout_match_the_softmax_of_the_row(session, reference, n, seed, row, log_scale):
    bars, curves, table, readout, card = render(session, n, seed, row, log_scale)
    cosines = cosine_row(reference, n, seed, row)
    config = reference.model.config
    slider = 10.0**log_scale

    panels = bar_panels(bars, n)
    # the fixed scales (with the model's init and clamp) and the slider's own panel, which replaces a
    # fixed panel within 2 % of it (the same bars twice would say nothing)
    fixed = {1.0, 5.0, 50.0, 1 / config.init_temperature, float(config.max_logit_scale)}
    expected_scales = sorted([*(s for s in fixed if abs(s / slider - 1) > 0.02), slider])
    np.testing.assert_allclose([scale for scale, _ in panels], expected_scales, rtol=1e-5)
    for scale, p in panels:
        np.testing.assert_allclose(p, (scale * cosines).softmax(0).numpy(), atol=1e-5, err_msg=f"x{scale}")

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


def test_learned_scale_refresh_and_trajectory_follow_the_checkpoint(session, reference):
    (log_scale,) = outputs(temperature.learned_scale(session))
    assert log_scale == pytest.approx(math.log10(reference.scale()), abs=1e-3)

    n, seed, row = 6, 4, 9  # row beyond n - 1: the refresh pulls it back inside
    slider, row_update, bars, *_, trajectory = temperature.refresh(session, n, seed, row, 0.0)
    assert slider == log_scale
    assert row_update["maximum"] == n - 1 and row_update["value"] == n - 1
    scale = 10.0**slider
    (here,) = [p for s, p in bar_panels(bars, n) if abs(s - scale) < 1e-6 * scale]
    np.testing.assert_allclose(here, (scale * cosine_row(reference, n, seed, n - 1)).softmax(0).numpy(), atol=1e-5)

    # the trajectory is the shipped model's recorded training history
    history = [(m["step"], m["logit_scale"]) for m in reference.metrics.get("history", []) if "logit_scale" in m]
    lines = [t for t in trajectory.data if t.mode == "lines"]
    assert history, "the shipped checkpoint records its learned scale over training"
    (line,) = lines
    np.testing.assert_array_equal(line.x, [s for s, _ in history])
    np.testing.assert_allclose(line.y, [v for _, v in history], rtol=1e-6)
    assert line.y[-1] == pytest.approx(reference.scale(), rel=1e-3)


@pytest.mark.parametrize(("n", "seed", "row", "log_scale"), [(16, 4, 9, 1.0), (8, 0, 0, 0.3)])
def test_the_cold_softmax_reveal_is_decided_by_the_rows_numbers(session, reference, n, seed, row, log_scale):
    measured = temperature.cold_softmax_measured(session, n, seed, row, log_scale)
    cosines = cosine_row(reference, n, seed, row)
    cold = (1000.0 * cosines).softmax(0)
    top = int(cosines.argmax())
    expected = {"to_top"} | ({"to_correct"} if top == row else set())
    assert cold[top] > 0.99 and set(measured.right) == expected
    assert f"j = {top}" in measured.numbers
    assert f"{cold[top].item():.3f}" in measured.numbers


@pytest.mark.parametrize(("n", "row", "log_scale", "message"), [
    (8, 8, 1.0, "row i must be a number from 0 to 7 (got 8)"),
    (33, 0, 1.0, "n must be a number from 2 to 32 (got 33)"),
    (8, 0, float("nan"), "log10 scale must be a number from 0.0 to"),
])
def test_bad_settings_are_refused_with_a_message_naming_them(session, n, row, log_scale, message):
    with pytest.raises(gr.Error) as error:
        render(session, n, 0, row, log_scale)
    assert message in error.value.message
