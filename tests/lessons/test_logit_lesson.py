"""Lesson 8 (what is a logit?), its handlers called directly: odds and log-odds, the softmax's
invariance under a shift, the two-class sigmoid identity, and a CLIP row equal to the model's own
forward pass, each checked against torch."""

from __future__ import annotations

import math
import re

import gradio as gr
import numpy as np
import pytest
import torch
from helpers import number_after, outputs

from lessons import logit


def traces(figure, xaxis: str, mode: str | None = None) -> list:
    return [t for t in figure.data if (t.xaxis or "x") == xaxis and (mode is None or t.mode == mode)]


@pytest.mark.parametrize("p", [0.001, 0.2, 0.5, 0.8, 0.999])
def test_probability_to_odds_to_log_odds_and_back(session, p):
    chain, figure = outputs(logit.probability(session, p))
    odds = p / (1 - p)
    z = math.log(odds)
    plain = chain.replace("**", "").replace("−", "-")
    shown_odds = float(re.search(r"odds p/\(1-p\) = [\d.]+/[\d.]+ = ([\d.e+-]+)", plain).group(1))
    assert shown_odds == pytest.approx(odds, rel=1e-3)
    assert number_after(chain, "ln(odds) = ln") == pytest.approx(odds, rel=1e-3)
    assert number_after(chain, f"ln {shown_odds:.4g} =") == pytest.approx(z, abs=6e-4)
    assert number_after(chain, "back: σ(") == pytest.approx(z, abs=6e-4)
    assert float(re.search(r"\)\) = ([\d.]+) = p", plain).group(1)) == pytest.approx(p, abs=6e-4)
    assert ("4 to 1" in chain) == (p == 0.8) and ("1 to 4" in chain) == (p == 0.2)

    (logit_point,) = traces(figure, "x", "markers")
    assert logit_point.x[0] == pytest.approx(p) and logit_point.y[0] == pytest.approx(z)
    (sigmoid_point,) = traces(figure, "x2", "markers")
    assert sigmoid_point.x[0] == pytest.approx(z) and sigmoid_point.y[0] == pytest.approx(p)
    logit_curve, sigmoid_curve = traces(figure, "x", "lines")[0], traces(figure, "x2", "lines")[0]
    grid = np.asarray(logit_curve.x)
    np.testing.assert_allclose(logit_curve.y, torch.logit(torch.from_numpy(grid)).numpy(), rtol=1e-9)
    grid = np.asarray(sigmoid_curve.x)
    np.testing.assert_allclose(sigmoid_curve.y, torch.sigmoid(torch.from_numpy(grid)).numpy(), rtol=1e-9)


def softmax_bars(session, text: str, shift: float, multiply: float):
    """(logit bars, probability bars, reference points of softmax(k z), read-out)."""
    figure, readout = outputs(logit.softmax_demo(session, text, shift, multiply))
    (logits,) = [t for t in figure.data if t.type == "bar" and (t.xaxis or "x") == "x"]
    (probs,) = [t for t in figure.data if t.type == "bar" and t.xaxis == "x2"]
    (reference,) = [t for t in figure.data if t.type == "scatter"]
    return np.asarray(logits.y), np.asarray(probs.y), np.asarray(reference.y), readout


def test_softmax_ignores_a_shift_but_not_a_scale(session):
    z = torch.tensor([2.0, 1.0, 0.1, -1.0, 3.5], dtype=torch.float64)
    text = "2.0, 1.0, 0.1, −1.0, 3.5"  # the minus sign as typeset
    logits, probs, reference, _ = softmax_bars(session, text, 0.0, 1.0)
    np.testing.assert_allclose(logits, z.numpy())
    np.testing.assert_allclose(probs, z.softmax(0).numpy(), atol=1e-12)

    shifted_logits, shifted_probs, shifted_reference, readout = softmax_bars(session, text, 7.3, 1.0)
    np.testing.assert_allclose(shifted_logits, (z + 7.3).numpy(), atol=1e-12)
    np.testing.assert_allclose(shifted_probs, probs, atol=1e-12)  # the invariance
    np.testing.assert_allclose(shifted_reference, probs, atol=1e-12)
    assert number_after(readout, "Shift c =") == pytest.approx(7.3)
    assert number_after(readout, "largest change against c = 0 is") < 1e-12

    scaled_logits, scaled_probs, scaled_reference, _ = softmax_bars(session, text, -2.0, 2.5)
    np.testing.assert_allclose(scaled_logits, (2.5 * z - 2.0).numpy(), atol=1e-12)
    np.testing.assert_allclose(scaled_probs, (2.5 * z).softmax(0).numpy(), atol=1e-12)
    np.testing.assert_allclose(scaled_reference, scaled_probs, atol=1e-12)
    assert np.abs(scaled_probs - probs).max() > 0.1  # multiplying does change the probabilities
    assert scaled_probs.argmax() == probs.argmax()  # but not their order


def test_two_classes_softmax_is_the_sigmoid_of_the_difference(session):
    a, b = 3.2, -1.1
    logits, probs, _, readout = softmax_bars(session, f"{a}，{b}", 0.5, 1.5)  # a full-width comma
    a, b = 1.5 * a + 0.5, 1.5 * b + 0.5
    expected = torch.sigmoid(torch.tensor(a - b, dtype=torch.float64)).item()
    assert probs[0] == pytest.approx(expected, abs=1e-12)
    assert number_after(readout, "softmax([a, b])[0] =") == pytest.approx(expected, abs=1e-6)
    assert number_after(readout, f"σ({a - b:.3f}) =") == pytest.approx(expected, abs=1e-6)
    assert number_after(readout, "ln(p₁ / p₂) =") == pytest.approx(a - b, abs=1e-4)


@pytest.mark.parametrize(("text", "message"), [
    ("2, abc, 1", "“abc” is not a number"), ("nan, 1", "“nan” is not a number"), ("  ", "Type at least two logits"),
    ("1.5", "at least 2 logits here (got 1)"), ("1,,2", "empty entry between two commas"),
    (", ".join(["1"] * 21), "At most 20 logits, please (got 21)"), ("1e9, 1", "must lie between −1000 and 1000"),
])
def test_bad_logits_are_refused_by_name(session, text, message):
    with pytest.raises(gr.Error) as error:
        logit.softmax_demo(session, text, 0.0, 1.0)
    assert message in error.value.message


def clip_table(table: str) -> list[list[str]]:
    rows = []
    for line in table.splitlines()[2:]:
        cells = [c.strip().replace("**", "").replace("✓", "").strip() for c in line.strip("|").split("|")]
        rows.append(cells)
    return rows


@pytest.mark.parametrize(("n", "seed"), [(2, 0), (6, 0), (10, 77)])
def test_clip_row_is_what_the_model_returns(session, reference, n, seed):
    card, table, summary = outputs(logit.clip_row(session, n, seed))
    batch = reference.batch(n, seed)
    model = reference.model
    with torch.no_grad():
        forward = model(batch.images[:1], model.tokenizer(batch.captions))[0]  # [n] the forward pass's row 0
    I_e, T_e = reference.embed(batch)
    cosines = I_e[0] @ T_e.T  # [n]
    rows = clip_table(table)
    assert [int(r[0]) for r in rows] == list(range(n))
    assert [r[1] for r in rows] == batch.captions
    np.testing.assert_allclose([float(r[2]) for r in rows], cosines.numpy(), atol=6e-5)
    np.testing.assert_allclose([float(r[3]) for r in rows], forward.numpy(), atol=6e-4)
    np.testing.assert_allclose([float(r[4]) for r in rows], forward.double().softmax(0).numpy(), atol=6e-5)
    assert number_after(summary, "exp(t) =") == pytest.approx(reference.scale(), abs=6e-4)
    assert number_after(summary, "largest difference") < 1e-4
    assert batch.captions[0] in card


def test_clip_row_follows_the_sessions_model(session, reference):
    session.model_name = "random"
    _, _, summary = outputs(logit.clip_row(session, 4, 0))
    assert number_after(summary, "exp(t) =") == pytest.approx(reference.scale(reference.random), abs=6e-4)
