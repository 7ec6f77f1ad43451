"""Lesson 8 (what is a logit?) through the API: each endpoint answers with its read-out and figure.
The lesson's numbers (odds and log-odds, the softmax's invariance under a shift, the two-class
sigmoid identity, a CLIP row equal to the forward pass) are checked in tests/lessons/test_logit_lesson.py."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from api_data import decode, plotly_json
from helpers import number_after


def traces(figure: dict, xaxis: str, mode: str | None = None) -> list[dict]:
    return [t for t in figure["data"] if t.get("xaxis", "x") == xaxis and (mode is None or t.get("mode") == mode)]


def test_probability_to_odds_to_log_odds_and_back(client):
    p = 0.8
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
    assert "4 to 1" in chain

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


def test_softmax_ignores_a_shift(client):
    z = torch.tensor([2.0, 1.0, 0.1, -1.0, 3.5], dtype=torch.float64)
    logits, probs, reference, readout = softmax_bars(client, "2.0, 1.0, 0.1, -1.0, 3.5", 7.3, 1.0)
    np.testing.assert_allclose(logits, (z + 7.3).numpy(), atol=1e-12)
    np.testing.assert_allclose(probs, z.softmax(0).numpy(), atol=1e-12)  # the invariance
    np.testing.assert_allclose(reference, probs, atol=1e-12)
    assert number_after(readout, "Shift c =") == pytest.approx(7.3)
    assert number_after(readout, "softmax([a, b])[0] =") == pytest.approx(
        torch.sigmoid(z[0] - z[1]).item(), abs=1e-6)


def clip_table(table: str) -> list[list[str]]:
    rows = []
    for line in table.splitlines()[2:]:
        cells = [c.strip().replace("**", "").replace("✓", "").strip() for c in line.strip("|").split("|")]
        rows.append(cells)
    return rows


def test_clip_row_is_what_the_model_returns(client, reference):
    n, seed = 6, 0
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
