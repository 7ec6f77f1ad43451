"""Lesson 3 through the API: its endpoints answer, the figures arrive whole, the refresh starts at the
learned temperature and the PNG export is a real file. The lesson's numbers in every view and setting
are checked in tests/lessons/test_logits_lesson.py."""

from __future__ import annotations

import numpy as np
import pytest
from api_data import decode, plotly_json, unwrap
from helpers import number_after
from PIL import Image

from clip_core import clip_loss


def render(client, n, seed, log10_tau, learned=False, view="logits", shuffle=False, compare=False):
    return client.predict(n, seed, log10_tau, learned, view, shuffle, compare, api_name="/logits_render")


def heatmap(figure: dict) -> dict:
    (trace,) = [t for t in figure["data"] if t["type"] == "heatmap"]
    return trace


def captions_of(figure: dict) -> list[str]:
    """Column captions, from the heatmap's categories "j · caption" (what the hover shows)."""
    columns = heatmap(figure)["x"]
    assert all(column.startswith(f"{j} · ") for j, column in enumerate(columns))
    return [column.split(" · ", 1)[1] for column in columns]


def test_the_heatmap_arrives_whole_through_the_wire(client, reference):
    """One render through the API: the figure's JSON carries the recomputed matrix, the captions and the
    loss bars, and the read-out its loss (every view and setting: tests/lessons/test_logits_lesson.py)."""
    n, seed, log10_tau = 9, 3, -0.5
    batch = reference.batch(n, seed)
    I_e, T_e = reference.embed(batch)
    scale = 10.0**-log10_tau
    logits = I_e @ T_e.T * scale  # [n, n]
    figure, side, summary, code = render(client, n, seed, log10_tau, view="logits", compare=True)
    figure = plotly_json(figure)
    np.testing.assert_allclose(decode(heatmap(figure)["z"]), logits.numpy(), atol=1e-4)
    assert captions_of(figure) == batch.captions
    row_bars, _ = [t for t in figure["data"] if t["type"] == "bar"]
    np.testing.assert_allclose(decode(row_bars["x"]), -logits.log_softmax(dim=1).diagonal().numpy(), atol=1e-4)
    assert number_after(summary, "Loss") == pytest.approx(clip_loss(logits).item(), abs=6e-4)
    assert f"[{n}, {n}]" in code
    assert side["visible"] is True and plotly_json(side)["layout"]["title"]["text"].startswith("random init")


def test_learned_tau_is_the_checkpoints_scale(client, reference):
    learned = client.predict(api_name="/logits_learned_tau")
    assert learned == pytest.approx(-np.log10(reference.scale()), abs=1e-3)


def test_refresh_starts_the_slider_at_the_learned_temperature(client, reference):
    n, seed = 5, 7
    tau, figure, side, summary, code = client.predict(n, seed, 0.4, False, "logits", False, False,
                                                       api_name="/logits_refresh")
    assert tau == pytest.approx(round(-np.log10(reference.scale()), 3))
    I_e, T_e = reference.embed(reference.batch(n, seed))
    np.testing.assert_allclose(decode(heatmap(plotly_json(figure))["z"]), (I_e @ T_e.T * 10.0**-tau).numpy(),
                               atol=1e-4)
    assert side["visible"] is False and "model: toy CLIP (shipped)" in code


def test_png_export_is_a_real_png(client):
    (update,) = [client.predict(16, 4, -1.0, False, "p_image_to_text", False, api_name="/logits_export_png")]
    assert update["visible"] is True
    path = unwrap(update)
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000
    with Image.open(path) as image:
        assert image.width > 600 and image.height > 600
