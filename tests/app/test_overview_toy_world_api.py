"""Lessons 1 and 2 through the API: the diagram and the galleries arrive with the batch's pictures
and captions, the scene builder sends its picture and captions, the reference panels list the world.
The numbers drawn (shapes, softmax colours, held-out flags, every caption pattern) are checked in
tests/lessons/test_overview_toy_world_lesson.py."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from clip_core.data import CAPTION_PATTERNS, COLOURS


def gallery_captions(gallery) -> list[str]:
    return [item["caption"] for item in gallery]


@pytest.mark.parametrize("api_name", ["/overview_samples", "/overview_refresh"])
def test_overview_diagram_and_gallery_arrive(client, reference, api_name):
    n, seed = 8, 3
    svg, gallery = client.predict(seed, api_name=api_name)
    assert gallery_captions(gallery) == reference.batch(n, seed).captions
    with Image.open(gallery[0]["image"]) as image:
        assert image.size == (128, 128)
    assert svg.startswith("<svg") and f"[{n}, {n}]" in svg and f"exp(t) = {reference.scale():.2f}" in svg


def test_toy_world_samples_are_the_demo_batch(client, reference):
    assert gallery_captions(client.predict(41, api_name="/toy_world_samples")) == reference.batch(16, 41).captions


def test_the_scene_builder_sends_its_picture_and_captions(client, reference):
    colour, shape = reference.world.held_out_pairs[0]
    image_path, html = client.predict(colour, shape, "large", "center", "sketch", api_name="/toy_world_scene")
    assert "⚠ HELD OUT" in html and f"a sketch of a large {colour} {shape}" in html
    assert html.count("<code") == len(CAPTION_PATTERNS)
    with Image.open(image_path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    assert pixels.shape == (256, 256, 3)
    corner = pixels[:16, :16].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - np.array(COLOURS[colour]) * 255).max() > 40  # the corner is background


def test_reference_panels_list_the_world(client, reference):
    held, vocabulary, patterns, counts = client.predict(api_name="/toy_world_reference")
    assert gallery_captions(held) == [f"{c} {s}" for c, s in reference.world.held_out_pairs]
    assert f"The vocabulary: {len(reference.model.tokenizer.vocabulary)} words" in vocabulary
    assert all(f"`{pattern}`" in patterns for pattern, _ in CAPTION_PATTERNS)
    assert "scenes:" in counts
