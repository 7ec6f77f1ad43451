"""Lessons 1 and 2 through the API: the two-tower diagram carries the model's real shapes and
softmax, the galleries show the demo batches, the scene builder flags held-out pairs."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from captions import described
from PIL import Image

from clip_core.data import CAPTION_PATTERNS, COLOURS, POSITIONS, SHAPES, SIZES, STYLES
from lessons.common.session import bilingual_available  # noqa: E402
from lessons.overview.diagram import _cividis

BILINGUAL = bilingual_available()


def gallery_captions(gallery) -> list[str]:
    return [item["caption"] for item in gallery]


@pytest.mark.parametrize("api_name", ["/overview_samples", "/overview_refresh"])
def test_overview_diagram_has_the_models_shapes_and_softmax(client, reference, api_name):
    n, seed = 8, 3
    svg, gallery = client.predict(seed, api_name=api_name)
    model = reference.model
    config = model.config
    batch = reference.batch(n, seed)
    assert gallery_captions(gallery) == batch.captions
    for item in gallery:
        with Image.open(item["image"]) as image:
            assert image.size == (128, 128)

    d_e = config.embed_dim
    expected_shapes = [
        [n, 3, config.image_size, config.image_size],  # images
        [n, config.context_length],  # tokens
        [n, model.visual.width], [n, model.text.width],  # I_f, T_f
        list(model.image_projection.shape), list(model.text_projection.shape),  # W_i, W_t
        [n, d_e], [n, n],  # I_e and T_e, logits
    ]
    for dims in expected_shapes:
        assert "[" + ", ".join(map(str, dims)) + "]" in svg, dims
    assert f"shared space: {d_e} dimensions" in svg
    assert f"{model.num_parameters():,} parameters" in svg
    assert f"exp(t) = {reference.scale():.2f}" in svg
    assert "toy CLIP (shipped)" in svg

    # the small heatmap: one cell per (image, caption), coloured by the row softmax
    I_e, T_e = reference.embed(batch)
    p = (I_e @ T_e.T * reference.scale()).softmax(dim=1)  # [n, n]
    cell = f"{96 / n:.2f}"
    fills = re.findall(rf'width="{cell}" height="{cell}" fill="#([0-9a-f]{{6}})"', svg)
    assert len(fills) == n * n
    shown = np.array([[int(f[k:k + 2], 16) for k in (0, 2, 4)] for f in fills]).reshape(n, n, 3)
    expected = np.array([[[int(_cividis(v)[k:k + 2], 16) for k in (1, 3, 5)] for v in row] for row in p.tolist()])
    assert np.abs(shown - expected).max() <= 2


def test_overview_batches_differ_by_seed(client):
    first = gallery_captions(client.predict(0, api_name="/overview_samples")[1])
    second = gallery_captions(client.predict(1, api_name="/overview_samples")[1])
    assert first != second and len(first) == len(second) == 8


def test_toy_world_samples_are_the_demo_batch_without_held_out_pairs(client, reference):
    for seed in (0, 41):
        gallery = client.predict(seed, api_name="/toy_world_samples")
        captions = gallery_captions(gallery)
        assert captions == reference.batch(16, seed).captions
        for caption in captions:
            named = described(caption)  # a caption may name only the shape or only the colour
            assert (named.get("colour"), named.get("shape")) not in reference.world.held_out_pairs, caption
        shown = reference.batch(16, seed).attributes
        assert not reference.world.is_held_out(shown).any()


def scene_captions(html: str) -> list[str]:
    return re.findall(r"<code[^>]*>([^<]+)</code>", html)


@pytest.mark.parametrize("held", [True, False])
def test_scene_builder_badge_and_captions(client, reference, held):
    held_pairs = reference.world.held_out_pairs
    if held:
        colour, shape = held_pairs[0]
    else:
        colour, shape = next((c, s) for c in COLOURS for s in SHAPES if (c, s) not in held_pairs)
    size, position = "large", "center"
    image_path, html = client.predict(colour, shape, size, position, api_name="/toy_world_scene")
    assert ("⚠ HELD OUT" in html) == held
    assert ("✓ seen in training" in html) == (not held)
    if held:
        assert f"never a {colour} {shape}" in html

    captions = scene_captions(html)
    assert len(captions) == len(CAPTION_PATTERNS)
    for caption, (_, named) in zip(captions, CAPTION_PATTERNS, strict=True):
        assert (colour in caption) == ("colour" in named) and (shape in caption) == ("shape" in named)
        assert (size in caption) == ("size" in named)
        assert ("in the center" in caption) == ("position" in named)
        assert ("a photo of" in caption) == ("style" in named)  # the scene builder starts on a photo
    _, sketch = client.predict(colour, shape, size, position, "sketch", api_name="/toy_world_scene")
    assert "a sketch of a" in sketch and "a photo of" not in sketch

    with Image.open(image_path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    assert pixels.shape == (256, 256, 3)
    # a large shape in the centre: the middle of the picture has the colour's RGB, the corner not
    middle = pixels[120:136, 120:136].reshape(-1, 3).mean(axis=0)
    target = np.array(COLOURS[colour]) * 255
    if shape not in ("ring", "cross"):  # hollow in the middle / thin arms
        assert np.abs(middle - target).max() < 40  # a photo is shaded: brighter at the top, darker below
    corner = pixels[:16, :16].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - target).max() > 40


def test_scene_builder_is_deterministic_and_follows_the_choices(client):
    first = client.predict("blue", "square", "small", "top left", api_name="/toy_world_scene")
    again = client.predict("blue", "square", "small", "top left", api_name="/toy_world_scene")
    other = client.predict("blue", "square", "small", "bottom right", api_name="/toy_world_scene")
    load = lambda path: np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)  # noqa: E731
    assert np.array_equal(load(first[0]), load(again[0]))
    assert not np.array_equal(load(first[0]), load(other[0]))
    assert "at the top left" in first[1] and "at the bottom right" in other[1]


def test_reference_panels_list_the_world(client, reference):
    held, vocabulary, patterns, counts = client.predict(api_name="/toy_world_reference")
    assert gallery_captions(held) == [f"{c} {s}" for c, s in reference.world.held_out_pairs]
    words = reference.model.tokenizer.vocabulary
    assert f"The vocabulary: {len(words)} words" in vocabulary
    chips = set(re.findall(r"`([^`]+)`", vocabulary))
    assert {w for w in words if not w.startswith("<")} <= chips
    for pattern, _ in CAPTION_PATTERNS:
        assert f"`{pattern}`" in patterns
    scenes = len(COLOURS) * len(SHAPES) * len(SIZES) * len(POSITIONS) * len(STYLES)
    held_scenes = len(reference.world.held_out_pairs) * len(SIZES) * len(POSITIONS) * len(STYLES)
    plain = counts.replace("**", "")
    assert f"= {scenes} scenes: {scenes - held_scenes} in training, {held_scenes} held out" in plain


def test_demo_batch_matches_clip_core_directly(reference):
    """The tests' reference batch is the world's own training stream for (n, seed)."""
    batch = reference.batch(5, 9)
    rng = np.random.default_rng([reference.world.seed, 7, 9])
    direct = reference.world.sample_batch(5, "train", rng)
    assert batch.captions == direct.captions
    assert torch.equal(batch.images, direct.images)


@pytest.mark.skipif(not BILINGUAL, reason="no bilingual checkpoint")
def test_the_toy_world_redraws_only_when_the_caption_language_changes():
    """Page load draws; a model change that keeps the language (e.g. one training step) leaves the
    pictures alone; picking the bilingual model redraws them with mixed captions."""
    import gradio as gr

    from lessons import toy_world
    from lessons.common.session import Session

    session = Session(model_name="shipped")
    draw = toy_world.per_language(toy_world.samples, "samples", 1)
    first = draw(session, 0)
    assert len(first) == 16 and not any(re.search(r"[\u4e00-\u9fff]", caption) for _, caption in first)
    skipped = draw(session, 0)
    assert isinstance(skipped, dict) and skipped == gr.skip()
    session.model_name = "bilingual"
    mixed = [caption for _, caption in draw(session, 0)]
    chinese = [bool(re.search(r"[\u4e00-\u9fff]", caption)) for caption in mixed]
    assert any(chinese) and not all(chinese)
    scene = toy_world.per_language(toy_world.scene, "scene", 2)
    image, html = scene(session, "red", "circle", "large", "center")
    assert "一个大的红色圆形" in html and "a large red circle" in html
    assert scene(session, "red", "circle", "large", "center") == (gr.skip(), gr.skip())
