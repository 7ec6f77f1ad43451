"""Lesson 7 (search), its handlers called directly: text -> image and image -> image rankings equal a
direct cosine sort of the gallery embedded here with the checkpoint; the gallery itself, the captions,
unknown words, Chinese queries and bad input."""

from __future__ import annotations

import re

import gradio as gr
import numpy as np
import pytest
import torch
from helpers import bilingual_model

from clip_core.data import CAPTION_PATTERNS, ZH_CAPTION_PATTERNS, caption_for
from lessons import search
from lessons.common.session import bilingual_available

CAPTION = re.compile(r"^(\d+) · #(\d+) · cos (-?\d\.\d{3})\n(.+?)( ★ held-out pair| ★ 留出组合)?$")


def parse(items) -> list[tuple[int, int, float, str, bool]]:
    """(rank, gallery index, cosine, caption, held out?) of every captioned result."""
    parsed = []
    for _, caption in items:
        match = CAPTION.match(caption)
        assert match, caption
        rank, index, cosine, text, held = match.groups()
        parsed.append((int(rank), int(index), float(cosine), text, held is not None))
    return parsed


def pixels(picture) -> np.ndarray:
    return np.asarray(picture.convert("RGB"))[1::3, 1::3]  # a 96 px thumbnail of a 32 px image: 3x, unblurred


def as_bytes(image: torch.Tensor) -> np.ndarray:
    return (image.numpy().transpose(1, 2, 0) * 255).astype(np.uint8)


def check_ranking(reference, items, figure, batch, scores: torch.Tensor, k: int):
    expected = scores.topk(k)
    parsed = parse(items)
    assert [p[0] for p in parsed] == list(range(1, k + 1))
    assert [p[1] for p in parsed] == expected.indices.tolist()
    np.testing.assert_allclose([p[2] for p in parsed], expected.values.numpy(), atol=6e-4)
    held = reference.world.is_held_out(batch.attributes)
    for _, index, _, caption, is_held in parsed:
        assert caption == caption_for(batch.attributes.names(index), CAPTION_PATTERNS[0][0])
        assert is_held == bool(held[index])
    # the thumbnails are the gallery images themselves, upscaled without blurring
    np.testing.assert_allclose(pixels(items[0][0]), as_bytes(batch.images[parsed[0][1]]), atol=1)
    # every cosine in the gallery, best first; the top k in the image colour
    top, rest = figure.data
    np.testing.assert_allclose(np.concatenate([top.y, rest.y]), np.sort(scores.numpy())[::-1], atol=1e-5)
    assert len(top.y) == k


def test_the_gallery_holds_every_pair_in_its_own_order(session, reference):
    batch = search.gallery_batch(reference.world, 112, 0)
    assert len(batch.captions) == 112
    pairs = batch.attributes.pair_names()
    assert sorted(set(pairs)) == sorted(reference.world.classes("colour_shape"))
    assert all(pairs.count(pair) == 2 for pair in set(pairs))  # the same number of each pair
    assert batch.captions != search.gallery_batch(reference.world, 112, 1).captions
    shown = search.browse(session, 112, 0)
    assert [caption for _, caption in shown] == [f"#{i}" for i in range(112)]


@pytest.mark.parametrize(("n", "seed", "query", "k"), [
    (112, 0, "a small red circle", 8),
    (448, 3, "a green ring", 24),  # a held-out pair: never in a training caption
    (56, 12345, "a photo of a large blue cross at the top left.", 1),
])
def test_text_search_equals_a_direct_cosine_ranking(session, reference, n, seed, query, k):
    items, figure, summary = search.search_text(session, n, seed, query, k)
    batch = search.gallery_batch(reference.world, n, seed)
    model = reference.model
    with torch.no_grad():
        G = model.encode_image(batch.images)  # [n, d_e]
        q = model.encode_text(model.tokenizer([query]))[0]  # [d_e]
    check_ranking(reference, items, figure, batch, G @ q, k)
    assert f"the {k} best of {n} images" in summary and query in summary
    assert "does not know" not in summary


def test_image_search_equals_a_direct_cosine_ranking_and_finds_itself_first(session, reference):
    n, seed, index, k = 168, 7, 100, 6
    items, figure, summary, query_image = search.search_image(session, n, seed, index, k)
    batch = search.gallery_batch(reference.world, n, seed)
    with torch.no_grad():
        G = reference.model.encode_image(batch.images)
    check_ranking(reference, items, figure, batch, G @ G[index], k)
    assert parse(items)[0][1] == index and parse(items)[0][2] == pytest.approx(1.0, abs=1e-3)
    assert f"gallery image #{index}" in summary
    np.testing.assert_allclose(pixels(query_image), as_bytes(batch.images[index]), atol=1)


def test_the_gallery_is_embedded_once_per_session(session):
    search.search_text(session, 112, 0, "a green ring", 2)
    again = search.search_text(session, 112, 0, "a blue square", 2)[2]
    assert "already done: reused" in again


def test_the_shipped_model_finds_held_out_pairs(session):
    for style in ("photo", "sketch"):  # the gallery holds one green ring of each
        items, _, _ = search.search_text(session, 112, 0, f"a {style} of a green ring.", 1)
        assert all(held and "green ring" in caption for _, _, _, caption, held in parse(items)), items


def test_unknown_words_and_long_queries_are_flagged(session):
    _, _, summary = search.search_text(session, 112, 0, "a crimson hexagon", 4)
    assert re.search(r"does not know.*crimson, hexagon", summary)
    _, _, summary = search.search_text(session, 112, 0, " ".join(["a small red circle"] * 5), 4)
    assert "longer than 16 tokens and was cut" in summary


def test_random_init_ranks_by_its_own_cosines(session, reference):
    session.model_name = "random"
    items, _, _ = search.search_text(session, 112, 0, "a small red circle", 8)
    batch = search.gallery_batch(reference.world, 112, 0)
    model = reference.random
    with torch.no_grad():
        scores = model.encode_image(batch.images) @ model.encode_text(model.tokenizer(["a small red circle"]))[0]
    assert [p[1] for p in parse(items)] == scores.topk(8).indices.tolist()


def test_an_english_session_keeps_the_default_query_and_tidies_a_typed_one(session):
    assert search.localized_query(session, "一个小的红色圆形") == "a small red circle"  # the default, in English
    assert search.localized_query(session, "  my   query ") == "my query"


@pytest.mark.skipif(not bilingual_available(), reason="no bilingual checkpoint")
@torch.no_grad()
def test_a_chinese_query_ranks_as_clip_core_does_and_results_speak_chinese(zh_session, reference):
    query = search.localized_query(zh_session, "a small red circle")
    assert query == "一个小的红色圆形"
    items, _, summary = search.search_text(zh_session, 112, 0, query, 6)
    assert "“一个小的红色圆形”" in summary and "<unk>" not in summary
    model = bilingual_model()
    batch = search.gallery_batch(reference.world, 112, 0)
    scores = model.encode_image(batch.images) @ model.encode_text(model.tokenizer([query]))[0]  # [112]
    expected = scores.topk(6)
    shown = parse(items)
    assert [index for _, index, *_ in shown] == expected.indices.tolist()
    np.testing.assert_allclose([cosine for _, _, cosine, *_ in shown], expected.values.numpy(), atol=6e-4)
    for _, index, _, caption, _ in shown:
        assert caption == caption_for(batch.attributes.names(index), ZH_CAPTION_PATTERNS[0][0], "zh")
    best = batch.attributes.names(shown[0][1])  # the best match is small and red (a circle or a round orange)
    assert (best["colour"], best["size"]) == ("red", "small") and best["shape"] in ("circle", "orange")


def test_the_english_model_flags_a_chinese_query(session):
    _, _, summary = search.search_text(session, 112, 0, "一个小的红色圆形", 4)
    assert re.search(r"does not know.*一个小的红色圆形", summary)
    assert "trained on English captions only" in summary and "toy CLIP, bilingual" in summary


@pytest.mark.parametrize(("handler", "arguments", "message"), [
    ("search_text", (112, 0, "   ", 8), "Type a description to search for"),
    ("search_text", (112, 0, "a " * 101, 8), "At most 200 characters, please (got 201)"),
    ("search_text", (60, 0, "a red circle", 8), "must be a multiple of 56"),
    ("search_text", (504, 0, "a red circle", 8), "gallery size must be a number from 56 to 448 (got 504)"),
    ("search_text", (112, 0, "a red circle", 25), "top k must be a number from 1 to 24 (got 25)"),
    ("search_text", (112, -1, "a red circle", 8), "seed must be a number from 0 to 2147483647 (got -1)"),
    ("search_image", (112, 0, 112, 8), "gallery image number must be a number from 0 to 111"),
    ("browse", (112, "many"), "seed must be a number from 0 to 2147483647 (got 'many')"),
])
def test_bad_input_is_refused_with_a_clear_message(session, handler, arguments, message):
    with pytest.raises(gr.Error) as error:
        getattr(search, handler)(session, *arguments)
    assert message in error.value.message
