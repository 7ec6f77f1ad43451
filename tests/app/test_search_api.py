"""Lesson 7 through the API: one text search and one image search arrive whole (captions, thumbnails,
the cosine figure), the gallery is embedded once per session, the refresh fills every view, and bad
input through the wire gets a clear message. The rankings at every setting, unknown words, Chinese
queries and every refusal are checked in tests/lessons/test_search_lesson.py."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from api_data import decode, plotly_json
from gradio_client.exceptions import AppError
from PIL import Image

from clip_core.data import CAPTION_PATTERNS, caption_for

CAPTION = re.compile(r"^(\d+) · #(\d+) · cos (-?\d\.\d{3})\n(.+?)( ★ held-out pair)?$")


def gallery(reference, n: int, seed: int):
    from lessons.search import gallery_batch

    return gallery_batch(reference.world, n, seed)


def parse(items) -> list[tuple[int, int, float, str, bool]]:
    """(rank, gallery index, cosine, caption, held out?) of every captioned result."""
    parsed = []
    for item in items:
        match = CAPTION.match(item["caption"])
        assert match, item["caption"]
        rank, index, cosine, caption, held = match.groups()
        parsed.append((int(rank), int(index), float(cosine), caption, held is not None))
    return parsed


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
    first = np.asarray(Image.open(items[0]["image"]).convert("RGB"))
    expected_pixels = (batch.images[parsed[0][1]].numpy().transpose(1, 2, 0) * 255).astype(np.uint8)
    np.testing.assert_allclose(first[1::3, 1::3], expected_pixels, atol=1)
    # every cosine in the gallery, best first; the top k in the image colour
    top, rest = plotly_json(figure)["data"]
    every = np.concatenate([decode(top["y"]), decode(rest["y"])])
    np.testing.assert_allclose(every, np.sort(scores.numpy())[::-1], atol=1e-5)
    assert len(decode(top["y"])) == k


def test_text_search_equals_a_direct_cosine_ranking(module_client, reference):
    n, seed, query, k = 112, 0, "a small red circle", 8
    items, figure, summary = module_client.predict(n, seed, query, k, api_name="/search_text")
    batch = gallery(reference, n, seed)
    model = reference.model
    with torch.no_grad():
        G = model.encode_image(batch.images)  # [n, d_e]
        q = model.encode_text(model.tokenizer([query]))[0]  # [d_e]
    check_ranking(reference, items, figure, batch, G @ q, k)
    assert f"the {k} best of {n} images" in summary and query in summary
    assert "does not know" not in summary


def test_image_search_equals_a_direct_cosine_ranking_and_finds_itself_first(module_client, reference):
    n, seed, index, k = 168, 7, 100, 6
    items, figure, summary, query_image = module_client.predict(n, seed, index, k, api_name="/search_image")
    batch = gallery(reference, n, seed)
    with torch.no_grad():
        G = reference.model.encode_image(batch.images)
    check_ranking(reference, items, figure, batch, G @ G[index], k)
    assert parse(items)[0][1] == index and parse(items)[0][2] == pytest.approx(1.0, abs=1e-3)
    assert f"gallery image #{index}" in summary
    picture = np.asarray(Image.open(query_image).convert("RGB"))
    np.testing.assert_allclose(picture[1::3, 1::3], (batch.images[index].numpy().transpose(1, 2, 0) * 255)
                               .astype(np.uint8), atol=1)


def test_the_gallery_holds_every_pair_and_is_embedded_once(module_client, reference):
    items = module_client.predict(112, 0, api_name="/search_gallery")
    assert [item["caption"] for item in items] == [f"#{i}" for i in range(112)]
    batch = gallery(reference, 112, 0)
    assert sorted(set(batch.attributes.pair_names())) == sorted(reference.world.classes("colour_shape"))
    module_client.predict(112, 0, "a green ring", 2, api_name="/search_text")
    again = module_client.predict(112, 0, "a blue square", 2, api_name="/search_text")[2]
    assert "already done: reused" in again  # the module_client's session kept the gallery's embeddings


def test_refresh_fills_the_gallery_the_results_and_the_query_image(module_client, reference):
    query, browse, items, figure, summary, query_image = module_client.predict(112, 0, "a small red circle", 5, 8,
                                                                               api_name="/search_refresh")
    assert query == "a small red circle"  # an English session keeps the English default
    assert len(browse) == 112 and len(items) == 8
    assert "a small red circle" in summary
    batch = gallery(reference, 112, 0)
    picture = np.asarray(Image.open(query_image).convert("RGB"))
    np.testing.assert_allclose(picture[1::3, 1::3], (batch.images[5].numpy().transpose(1, 2, 0) * 255)
                               .astype(np.uint8), atol=1)


BAD = [  # one of the lesson's own checks (all: tests/lessons), and the components' checks
    ("/search_text", dict(n=112, seed=0, query="   ", k=8), "Type a description to search for"),
    ("/search_text", dict(n=504, seed=0, query="a red circle", k=8), "greater than maximum value 448"),
    ("/search_text", dict(n=112, seed=0, query="a red circle", k=25), "greater than maximum value 24"),
    ("/search_text", dict(n=112, seed=-1, query="a red circle", k=8), "less than minimum value 0"),
    ("/search_image", dict(n=112, seed=0, index=112, k=8), "gallery image number must be a number from 0 to 111"),
    ("/search_gallery", dict(n="many", seed=0), "Expected a number, got 'many'"),
]


@pytest.mark.parametrize(("api_name", "arguments", "message"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_with_a_clear_message(module_client, api_name, arguments, message):
    with pytest.raises(AppError) as error:
        module_client.predict(**arguments, api_name=api_name)
    assert message in str(error.value)
    items, _, _ = module_client.predict(112, 0, "a red circle", 3, api_name="/search_text")  # still serving
    assert len(items) == 3
