"""Lesson 8 (what is a logit?) through the API: odds and log-odds, the softmax's invariance under
a shift, the two-class sigmoid identity, and a CLIP row equal to the model's own forward pass."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from api_data import decode, number_after, plotly_json


def traces(figure: dict, xaxis: str, mode: str | None = None) -> list[dict]:
    return [t for t in figure["data"] if t.get("xaxis", "x") == xaxis and (mode is None or t.get("mode") == mode)]


@pytest.mark.parametrize("p", [0.001, 0.2, 0.5, 0.8, 0.999])
def test_probability_to_odds_to_log_odds_and_back(client, p):
    chain, figure = client.predict(p, api_name="/logit_probability")
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

    figure = plotly_json(figure)
    (logit_point,) = traces(figure, "x", "markers")
    assert decode(logit_point["x"])[0] == pytest.approx(p) and decode(logit_point["y"])[0] == pytest.approx(z)
    (sigmoid_point,) = traces(figure, "x2", "markers")
    assert decode(sigmoid_point["x"])[0] == pytest.approx(z) and decode(sigmoid_point["y"])[0] == pytest.approx(p)
    logit_curve, sigmoid_curve = traces(figure, "x", "lines")[0], traces(figure, "x2", "lines")[0]
    grid = decode(logit_curve["x"])
    np.testing.assert_allclose(decode(logit_curve["y"]), torch.logit(torch.from_numpy(grid)).numpy(), rtol=1e-9)
    grid = decode(sigmoid_curve["x"])
    np.testing.assert_allclose(decode(sigmoid_curve["y"]), torch.sigmoid(torch.from_numpy(grid)).numpy(), rtol=1e-9)


def softmax_bars(client, text: str, shift: float, multiply: float):
    figure, readout = client.predict(text, shift, multiply, api_name="/logit_softmax")
    figure = plotly_json(figure)
    (logits,) = [t for t in figure["data"] if t["type"] == "bar" and t.get("xaxis", "x") == "x"]
    (probs,) = [t for t in figure["data"] if t["type"] == "bar" and t.get("xaxis") == "x2"]
    (reference,) = [t for t in figure["data"] if t["type"] == "scatter"]
    return decode(logits["y"]), decode(probs["y"]), decode(reference["y"]), readout


def test_softmax_ignores_a_shift_but_not_a_scale(client):
    z = torch.tensor([2.0, 1.0, 0.1, -1.0, 3.5], dtype=torch.float64)
    text = "2.0, 1.0, 0.1, -1.0, 3.5"
    logits, probs, reference, _ = softmax_bars(client, text, 0.0, 1.0)
    np.testing.assert_allclose(logits, z.numpy())
    np.testing.assert_allclose(probs, z.softmax(0).numpy(), atol=1e-12)

    shifted_logits, shifted_probs, shifted_reference, readout = softmax_bars(client, text, 7.3, 1.0)
    np.testing.assert_allclose(shifted_logits, (z + 7.3).numpy(), atol=1e-12)
    np.testing.assert_allclose(shifted_probs, probs, atol=1e-12)  # the invariance
    np.testing.assert_allclose(shifted_reference, probs, atol=1e-12)
    assert number_after(readout, "Shift c =") == pytest.approx(7.3)
    assert number_after(readout, "largest change against c = 0 is") < 1e-12

    scaled_logits, scaled_probs, scaled_reference, _ = softmax_bars(client, text, -2.0, 2.5)
    np.testing.assert_allclose(scaled_logits, (2.5 * z - 2.0).numpy(), atol=1e-12)
    np.testing.assert_allclose(scaled_probs, (2.5 * z).softmax(0).numpy(), atol=1e-12)
    np.testing.assert_allclose(scaled_reference, scaled_probs, atol=1e-12)
    assert np.abs(scaled_probs - probs).max() > 0.1  # multiplying does change the probabilities
    assert scaled_probs.argmax() == probs.argmax()  # but not their order


def test_two_classes_softmax_is_the_sigmoid_of_the_difference(client):
    a, b = 3.2, -1.1
    logits, probs, _, readout = softmax_bars(client, f"{a}, {b}", 0.5, 1.5)
    a, b = 1.5 * a + 0.5, 1.5 * b + 0.5
    expected = torch.sigmoid(torch.tensor(a - b, dtype=torch.float64)).item()
    assert probs[0] == pytest.approx(expected, abs=1e-12)
    assert number_after(readout, "softmax([a, b])[0] =") == pytest.approx(expected, abs=1e-6)
    assert number_after(readout, f"σ({a - b:.3f}) =") == pytest.approx(expected, abs=1e-6)
    assert number_after(readout, "ln(p₁ / p₂) =") == pytest.approx(a - b, abs=1e-4)


def clip_table(table: str) -> list[list[str]]:
    rows = []
    for line in table.splitlines()[2:]:
        cells = [c.strip().replace("**", "").replace("✓", "").strip() for c in line.strip("|").split("|")]
        rows.append(cells)
    return rows


@pytest.mark.parametrize(("n", "seed"), [(2, 0), (6, 0), (10, 77)])
def test_clip_row_is_what_the_model_returns(client, reference, n, seed):
    card, table, summary = client.predict(n, seed, api_name="/logit_clip_row")
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

    assert client.predict(n, seed, api_name="/logit_refresh") == (card, table, summary)
