"""Lesson 3 (the logits matrix), its handlers called directly: every number in the heatmap, the loss
bars and the read-out equals I_e @ T_e.T * exp(t) recomputed from the checkpoint with torch."""

from __future__ import annotations

import re

import gradio as gr
import numpy as np
import pytest
import torch
from helpers import number_after, outputs

from clip_core import clip_loss
from lessons import logits

VIEWS = ("cosine", "logits", "p_image_to_text", "p_text_to_image")


def render(session, n, seed, log10_tau, learned=False, view="logits", shuffle=False, compare=False):
    """(main figure, side update, summary, code) of the lesson's render handler."""
    return outputs(logits.render(session, n, seed, log10_tau, learned, view, shuffle, compare))


def expected_views(I_e: torch.Tensor, T_e: torch.Tensor, scale: float) -> dict[str, np.ndarray]:
    cosine = I_e @ T_e.T  # [n, n]
    logits_ = cosine * scale  # [n, n]
    return {"cosine": cosine.numpy(), "logits": logits_.numpy(), "p_image_to_text": logits_.softmax(dim=1).numpy(),
            "p_text_to_image": logits_.softmax(dim=0).numpy()}


def heatmap(figure):
    (trace,) = [t for t in figure.data if t.type == "heatmap"]
    return trace


def captions_of(figure) -> list[str]:
    """Column captions, from the heatmap's categories "j · caption" (what the hover shows)."""
    columns = list(heatmap(figure).x)
    assert all(column.startswith(f"{j} · ") for j, column in enumerate(columns))
    return [column.split(" · ", 1)[1] for column in columns]


@pytest.mark.parametrize(("n", "seed", "log10_tau"), [(4, 0, -1.15), (9, 3, -0.5), (16, 12345, -2.0)])
def test_every_view_equals_the_matrix_recomputed_from_the_checkpoint(session, reference, n, seed, log10_tau):
    batch = reference.batch(n, seed)
    I_e, T_e = reference.embed(batch)
    scale = 10.0**-log10_tau
    expected = expected_views(I_e, T_e, scale)
    logits_ = torch.from_numpy(expected["logits"])
    for view in VIEWS:
        figure, side, summary, code = render(session, n, seed, log10_tau, view=view)
        z = np.asarray(heatmap(figure).z)
        assert z.shape == (n, n)
        np.testing.assert_allclose(z, expected[view], atol=1e-4, err_msg=view)
        assert captions_of(figure) == batch.captions
        # the loss bars: row losses on the right, column losses below
        row_bars, column_bars = [t for t in figure.data if t.type == "bar"]
        np.testing.assert_allclose(row_bars.x, -logits_.log_softmax(dim=1).diagonal().numpy(), atol=1e-4)
        np.testing.assert_allclose(column_bars.y, -logits_.log_softmax(dim=0).diagonal().numpy(), atol=1e-4)
        assert side["value"] is None and side["visible"] is False
    loss = clip_loss(logits_).item()
    assert number_after(summary, "Loss") == pytest.approx(loss, abs=6e-4)
    assert number_after(summary, "exp(t) =") == pytest.approx(scale, abs=6e-3)
    assert number_after(summary, "ln") == n
    assert number_after(code, "loss = (loss_i + loss_t) / 2 #") == pytest.approx(loss, abs=1e-4)
    rows, columns = re.search(r"ranked first: (\d+)/\d+ rows, (\d+)/\d+ columns", summary).groups()
    assert int(rows) == int((logits_.argmax(1) == torch.arange(n)).sum())
    assert int(columns) == int((logits_.argmax(0) == torch.arange(n)).sum())
    assert f"[{n}, {n}]" in code and "model: toy CLIP (shipped)" in code


def test_the_lessons_data_is_the_same_matrix(session, reference):
    """`compute` (what the benchmark and the page's live redraw use) holds the recomputed matrix too."""
    n, seed = 7, 2
    data = logits.compute(session, n, seed, -1.0, learned=False, shuffle=False)
    I_e, T_e = reference.embed(reference.batch(n, seed))
    expected = expected_views(I_e, T_e, 10.0)
    for view in VIEWS:
        np.testing.assert_allclose(getattr(data, view), expected[view], atol=1e-5, err_msg=view)
    assert data.total == pytest.approx(clip_loss(torch.from_numpy(expected["logits"])).item(), abs=1e-5)


def test_learned_temperature_uses_the_checkpoints_scale(session, reference):
    n, seed = 8, 5
    scale = reference.scale()
    figure, _, summary, _ = render(session, n, seed, 0.5, learned=True)  # the slider's value is ignored
    I_e, T_e = reference.embed(reference.batch(n, seed))
    np.testing.assert_allclose(heatmap(figure).z, expected_views(I_e, T_e, scale)["logits"], atol=1e-4)
    assert number_after(summary, "exp(t) =") == pytest.approx(scale, abs=6e-3)
    (tau,) = outputs(logits.learned_tau(session))
    assert tau == pytest.approx(round(-np.log10(scale), 3))


def test_shuffled_captions_permute_the_columns_and_raise_the_loss(session, reference):
    n, seed = 8, 2
    batch = reference.batch(n, seed)
    plain, _, plain_summary, _ = render(session, n, seed, -1.15, learned=True, view="cosine")
    shuffled, _, shuffled_summary, _ = render(session, n, seed, -1.15, learned=True, view="cosine", shuffle=True)
    captions = captions_of(shuffled)
    assert sorted(captions) == sorted(batch.captions)
    order = [batch.captions.index(c) for c in captions]
    assert all(j != i for i, j in enumerate(order)), "every caption should leave its image"
    # the same cosines, columns reordered: image i now faces caption order[i]
    z_plain, z_shuffled = np.asarray(heatmap(plain).z), np.asarray(heatmap(shuffled).z)
    np.testing.assert_allclose(z_shuffled, z_plain[:, order], atol=1e-5)
    I_e, T_e = reference.embed(batch, captions)
    np.testing.assert_allclose(z_shuffled, (I_e @ T_e.T).numpy(), atol=1e-4)
    assert not np.allclose(np.diag(z_shuffled), np.diag(z_plain), atol=1e-3)
    shuffled_loss = clip_loss(torch.from_numpy(z_shuffled) * reference.scale()).item()
    assert number_after(shuffled_summary, "Loss") == pytest.approx(shuffled_loss, abs=6e-4)
    assert number_after(shuffled_summary, "Loss") > number_after(plain_summary, "Loss") + 0.5


def test_compare_shows_the_random_init_model_beside_it(session, reference):
    n, seed = 6, 1
    figure, side, _, _ = render(session, n, seed, -1.15, learned=True, view="p_image_to_text", compare=True)
    assert side["visible"] is True
    side = side["value"]
    assert side.layout.title.text.startswith("random init")
    I_e, T_e = reference.embed(reference.batch(n, seed), model=reference.random)
    expected = expected_views(I_e, T_e, reference.scale(reference.random))["p_image_to_text"]
    np.testing.assert_allclose(heatmap(side).z, expected, atol=1e-4)
    # the main figure is still the shipped model, and the two differ
    I_e, T_e = reference.embed(reference.batch(n, seed))
    main = np.asarray(heatmap(figure).z)
    np.testing.assert_allclose(main, expected_views(I_e, T_e, reference.scale())["p_image_to_text"], atol=1e-4)
    assert not np.allclose(main, expected, atol=1e-2)


@pytest.mark.parametrize(("change", "message"), [
    (dict(n=1), "n must be a number from 2 to 64 (got 1)"),
    (dict(n=2.5), "n must be a whole number (got 2.5)"),
    (dict(seed=-1), "seed must be a number from 0 to 2147483647 (got -1)"),
    (dict(log10_tau=float("nan")), "log10 tau must be a number from -2.0 to 0.5 (got nan)"),
    (dict(view="histogram"), "view must be one of ['cosine', 'logits', 'p_image_to_text', 'p_text_to_image']"),
])
def test_bad_settings_are_refused_with_a_message_naming_them(session, change, message):
    settings = dict(n=8, seed=0, log10_tau=-1.15, view="logits") | change
    with pytest.raises(gr.Error) as error:
        render(session, **settings)
    assert message in error.value.message
