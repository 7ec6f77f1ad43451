"""Lesson 3 through the API: every number in the heatmap, the loss bars and the read-out is
recomputed here from the checkpoint with torch and compared."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from api_data import decode, number_after, plotly_json, unwrap
from PIL import Image

from clip_core import clip_loss

VIEWS = ("cosine", "logits", "p_image_to_text", "p_text_to_image")


def render(client, n, seed, log10_tau, learned=False, view="logits", shuffle=False, compare=False):
    return client.predict(n, seed, log10_tau, learned, view, shuffle, compare, api_name="/logits_render")


def expected_views(I_e: torch.Tensor, T_e: torch.Tensor, scale: float) -> dict[str, np.ndarray]:
    cosine = I_e @ T_e.T  # [n, n]
    logits = cosine * scale  # [n, n]
    return {"cosine": cosine.numpy(), "logits": logits.numpy(), "p_image_to_text": logits.softmax(dim=1).numpy(),
            "p_text_to_image": logits.softmax(dim=0).numpy()}


def heatmap(figure: dict) -> dict:
    (trace,) = [t for t in figure["data"] if t["type"] == "heatmap"]
    return trace


def captions_of(figure: dict) -> list[str]:
    """Column captions, from the heatmap's categories "j · caption" (what the hover shows)."""
    columns = heatmap(figure)["x"]
    assert all(column.startswith(f"{j} · ") for j, column in enumerate(columns))
    return [column.split(" · ", 1)[1] for column in columns]


@pytest.mark.parametrize(("n", "seed", "log10_tau"), [(4, 0, -1.15), (9, 3, -0.5), (16, 12345, -2.0)])
def test_every_view_equals_the_matrix_recomputed_from_the_checkpoint(client, reference, n, seed, log10_tau):
    batch = reference.batch(n, seed)
    I_e, T_e = reference.embed(batch)
    scale = 10.0**-log10_tau
    expected = expected_views(I_e, T_e, scale)
    logits = torch.from_numpy(expected["logits"])
    for view in VIEWS:
        figure, side, summary, code = render(client, n, seed, log10_tau, view=view)
        figure = plotly_json(figure)
        z = decode(heatmap(figure)["z"])
        assert z.shape == (n, n)
        np.testing.assert_allclose(z, expected[view], atol=1e-4, err_msg=view)
        assert captions_of(figure) == batch.captions
        # the loss bars: row losses on the right, column losses below
        row_bars, column_bars = [t for t in figure["data"] if t["type"] == "bar"]
        np.testing.assert_allclose(decode(row_bars["x"]), -logits.log_softmax(dim=1).diagonal().numpy(), atol=1e-4)
        np.testing.assert_allclose(decode(column_bars["y"]), -logits.log_softmax(dim=0).diagonal().numpy(), atol=1e-4)
        assert unwrap(side) is None and side.get("visible") is False
    loss = clip_loss(logits).item()
    assert number_after(summary, "Loss") == pytest.approx(loss, abs=6e-4)
    assert number_after(summary, "exp(t) =") == pytest.approx(scale, abs=6e-3)
    assert number_after(summary, "ln") == n
    assert number_after(code, "loss = (loss_i + loss_t) / 2 #") == pytest.approx(loss, abs=1e-4)
    rows, columns = re.search(r"ranked first: (\d+)/\d+ rows, (\d+)/\d+ columns", summary).groups()
    assert int(rows) == int((logits.argmax(1) == torch.arange(n)).sum())
    assert int(columns) == int((logits.argmax(0) == torch.arange(n)).sum())
    assert f"[{n}, {n}]" in code


def test_learned_temperature_uses_the_checkpoints_scale(client, reference):
    n, seed = 8, 5
    scale = reference.scale()
    figure, _, summary, _ = render(client, n, seed, 0.5, learned=True, view="logits")  # slider value ignored
    I_e, T_e = reference.embed(reference.batch(n, seed))
    np.testing.assert_allclose(decode(heatmap(plotly_json(figure))["z"]), expected_views(I_e, T_e, scale)["logits"],
                               atol=1e-4)
    assert number_after(summary, "exp(t) =") == pytest.approx(scale, abs=6e-3)
    learned = client.predict(api_name="/logits_learned_tau")
    assert learned == pytest.approx(-np.log10(scale), abs=1e-3)


def test_shuffled_captions_permute_the_columns_and_raise_the_loss(client, reference):
    n, seed = 8, 2
    batch = reference.batch(n, seed)
    plain, _, plain_summary, _ = render(client, n, seed, -1.15, learned=True, view="cosine")
    shuffled, _, shuffled_summary, _ = render(client, n, seed, -1.15, learned=True, view="cosine", shuffle=True)
    plain, shuffled = plotly_json(plain), plotly_json(shuffled)
    captions = captions_of(shuffled)
    assert sorted(captions) == sorted(batch.captions)
    order = [batch.captions.index(c) for c in captions]
    assert all(j != i for i, j in enumerate(order)), "every caption should leave its image"
    # the same cosines, columns reordered: image i now faces caption order[i]
    z_plain, z_shuffled = decode(heatmap(plain)["z"]), decode(heatmap(shuffled)["z"])
    np.testing.assert_allclose(z_shuffled, z_plain[:, order], atol=1e-5)
    I_e, T_e = reference.embed(batch, captions)
    np.testing.assert_allclose(z_shuffled, (I_e @ T_e.T).numpy(), atol=1e-4)
    assert not np.allclose(np.diag(z_shuffled), np.diag(z_plain), atol=1e-3)
    shuffled_loss = clip_loss(torch.from_numpy(z_shuffled) * reference.scale()).item()
    assert number_after(shuffled_summary, "Loss") == pytest.approx(shuffled_loss, abs=6e-4)
    assert number_after(shuffled_summary, "Loss") > number_after(plain_summary, "Loss") + 0.5


def test_compare_shows_the_random_init_model_beside_it(client, reference):
    n, seed = 6, 1
    figure, side, summary, _ = render(client, n, seed, -1.15, learned=True, view="p_image_to_text", compare=True)
    assert side["visible"] is True
    side = plotly_json(side)
    assert side["layout"]["title"]["text"].startswith("random init")
    I_e, T_e = reference.embed(reference.batch(n, seed), model=reference.random)
    expected = expected_views(I_e, T_e, reference.scale(reference.random))["p_image_to_text"]
    np.testing.assert_allclose(decode(heatmap(side)["z"]), expected, atol=1e-4)
    # the main figure is still the shipped model, and the two differ
    I_e, T_e = reference.embed(reference.batch(n, seed))
    main = decode(heatmap(plotly_json(figure))["z"])
    np.testing.assert_allclose(main, expected_views(I_e, T_e, reference.scale())["p_image_to_text"], atol=1e-4)
    assert not np.allclose(main, expected, atol=1e-2)


def test_refresh_starts_the_slider_at_the_learned_temperature(client, reference):
    n, seed = 5, 7
    tau, figure, side, summary, code = client.predict(n, seed, 0.4, False, "logits", False, False,
                                                       api_name="/logits_refresh")
    assert tau == pytest.approx(round(-np.log10(reference.scale()), 3))
    I_e, T_e = reference.embed(reference.batch(n, seed))
    np.testing.assert_allclose(decode(heatmap(plotly_json(figure))["z"]),
                               expected_views(I_e, T_e, 10.0**-tau)["logits"], atol=1e-4)
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
