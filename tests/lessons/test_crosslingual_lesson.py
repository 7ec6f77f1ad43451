"""The "Two languages" lesson, its handler called directly: the English x Chinese caption matrix of
both shipped checkpoints (read here from their folders) and what the English-only tokenizer makes
of Chinese. (The measured zero-shot comparison: tests/app/test_crosslingual_api.py.)"""

from __future__ import annotations

import gradio as gr
import numpy as np
import pytest
import torch
from helpers import bilingual_model, crosslingual_scenes, number_after

from lessons.beyond import crosslingual
from lessons.common.session import bilingual_available

pytestmark = pytest.mark.skipif(not bilingual_available(), reason="no bilingual checkpoint")


@torch.no_grad()
def expected_cosines(model, english, chinese) -> np.ndarray:
    return (model.encode_text(model.tokenizer(english)) @ model.encode_text(model.tokenizer(chinese)).T).numpy()


def heatmap_z(figure) -> np.ndarray:
    (trace,) = [t for t in figure.data if t.type == "heatmap"]
    return np.asarray(trace.z, dtype=float)


@pytest.mark.parametrize(("n", "seed"), [(8, 0), (16, 5)])
def test_the_bilingual_model_matches_every_caption_with_its_translation(session, n, seed):
    matrix, pair_map, readout = crosslingual.pair_views(session, n, seed, "bilingual", True)
    _, english, chinese = crosslingual_scenes(n, seed)
    cosine = expected_cosines(bilingual_model(), english, chinese)
    np.testing.assert_allclose(heatmap_z(matrix), cosine, atol=1e-4)
    assert (cosine.argmax(axis=1) == np.arange(n)).all() and (cosine.argmax(axis=0) == np.arange(n)).all()
    assert f"For {n} of {n} English captions" in readout.replace("**", "")
    assert number_after(readout, "mean cosine") == pytest.approx(np.diag(cosine).mean(), abs=6e-4)
    # the map: English and Chinese markers, one line per translation pair, the pictures too
    traces = {t.name: t for t in pair_map.data}
    assert len(traces["English caption"].x) == n and len(traces["Chinese caption"].x) == n
    assert len(traces["picture"].x) == n
    assert list(traces["Chinese caption"].customdata) == chinese
    _, without, _ = crosslingual.pair_views(session, n, seed, "bilingual", False)
    assert "picture" not in {t.name for t in without.data}


def test_the_english_model_reads_chinese_captions_as_unknown_tokens(session, reference):
    matrix, _, readout = crosslingual.pair_views(session, 8, 0, "shipped", True)
    _, english, chinese = crosslingual_scenes(8, 0)
    model = reference.model
    np.testing.assert_allclose(heatmap_z(matrix), expected_cosines(model, english, chinese), atol=1e-4)
    tokenizer = model.tokenizer
    tokens = tokenizer(chinese)
    assert set(tokens.unique().tolist()) <= {tokenizer.pad_id, tokenizer.unk_id, tokenizer.sot_id, tokenizer.eot_id}
    distinct = len({tuple(row) for row in tokens.tolist()})
    assert distinct < 8
    assert f"give **{distinct}** different token sequences" in readout
    assert f"`{chinese[0]}` → <unk>" in readout and "single `<unk>` token" in readout


def test_a_chinese_session_reads_the_lesson_in_chinese(zh_session):
    matrix, _, readout = crosslingual.pair_views(zh_session, 8, 0, "bilingual", True)
    assert "互为翻译的描述" in readout
    assert "中文描述（列）" in matrix.layout.title.text


@pytest.mark.parametrize(("arguments", "message"), [
    ((8, 0, "french", True), "french"),
    ((1, 0, "bilingual", True), "n must be a number from 2 to 16 (got 1)"),
    ((17, 0, "bilingual", True), "n must be a number from 2 to 16 (got 17)"),
    ((8, -1, "bilingual", True), "seed must be a number from 0 to"),
    (("many", 0, "bilingual", True), "n must be a number from 2 to 16 (got 'many')"),
])
def test_bad_input_is_refused_with_a_clear_message(session, arguments, message):
    with pytest.raises(gr.Error) as error:
        crosslingual.pair_views(session, *arguments)
    assert message in error.value.message
