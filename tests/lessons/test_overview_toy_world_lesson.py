"""Lessons 1 and 2, their handlers called directly: the two-tower diagram carries the model's real
shapes and softmax, the galleries show the world's own samples, the scene builder draws the chosen
scene and flags held-out pairs, and the reference panels list the world."""

from __future__ import annotations

import re

import gradio as gr
import numpy as np
import pytest
import torch
from captions import described
from helpers import outputs

from clip_core.data import CAPTION_PATTERNS, COLOURS, POSITIONS, SHAPES, SIZES, STYLES
from lessons import overview, toy_world
from lessons.common.session import bilingual_available
from lessons.overview.diagram import CIVIDIS

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_demo_batch_is_the_worlds_own_training_stream(reference):
    """The batch every lesson shows for (n, seed) is the world's training sampler on a seeded stream."""
    batch = reference.batch(5, 9)
    direct = reference.world.sample_batch(5, "train", np.random.default_rng([reference.world.seed, 7, 9]))
    assert batch.captions == direct.captions
    assert torch.equal(batch.images, direct.images)


def cividis(p: float) -> np.ndarray:
    """The diagram's colour for a probability: its colour stops, interpolated per channel."""
    stops = [s for s, _ in CIVIDIS]
    return np.array([np.interp(p, stops, [c[k] for _, c in CIVIDIS]) for k in range(3)])


def test_overview_diagram_has_the_models_shapes_and_softmax(session, reference):
    n, seed = 8, 3
    svg, gallery = outputs(overview.render(session, seed))
    model = reference.model
    config = model.config
    batch = reference.batch(n, seed)
    assert [caption for _, caption in gallery] == batch.captions
    assert all(picture.size == (128, 128) for picture, _ in gallery)

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
    expected = np.array([[cividis(v) for v in row] for row in p.tolist()])
    assert np.abs(shown - expected).max() <= 1


def test_overview_batches_differ_by_seed_and_follow_the_model(session):
    _, first = outputs(overview.render(session, 0))
    _, second = outputs(overview.render(session, 1))
    assert [c for _, c in first] != [c for _, c in second] and len(first) == len(second) == 8
    session.model_name = "random"
    svg, _ = outputs(overview.render(session, 0))
    assert "random init" in svg


@pytest.mark.parametrize("seed", [0, 41])
def test_toy_world_samples_are_the_demo_batch_without_held_out_pairs(session, reference, seed):
    captions = [caption for _, caption in toy_world.samples(session, seed)]
    batch = reference.batch(16, seed)
    assert captions == batch.captions
    for caption in captions:
        named = described(caption)  # a caption may name only the shape or only the colour
        assert (named.get("colour"), named.get("shape")) not in reference.world.held_out_pairs, caption
    assert not reference.world.is_held_out(batch.attributes).any()


def scene_captions(html: str) -> list[str]:
    return re.findall(r"<code[^>]*>([^<]+)</code>", html)


@pytest.mark.parametrize("held", [True, False])
def test_scene_builder_badge_captions_and_picture(session, reference, held):
    held_pairs = reference.world.held_out_pairs
    if held:
        colour, shape = held_pairs[0]
    else:
        colour, shape = next((c, s) for c in COLOURS for s in SHAPES if (c, s) not in held_pairs)
    size, position = "large", "center"
    picture, html = toy_world.scene(session, colour, shape, size, position)
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
    _, sketch = toy_world.scene(session, colour, shape, size, position, "sketch")
    assert "a sketch of a" in sketch and "a photo of" not in sketch

    pixels = np.asarray(picture.convert("RGB"), dtype=np.float64)
    assert pixels.shape == (256, 256, 3)
    # a large shape in the centre: the middle of the picture has the colour's RGB, the corner not
    middle = pixels[120:136, 120:136].reshape(-1, 3).mean(axis=0)
    target = np.array(COLOURS[colour]) * 255
    if shape not in ("ring", "cross"):  # hollow in the middle / thin arms
        assert np.abs(middle - target).max() < 40  # a photo is shaded: brighter at the top, darker below
    corner = pixels[:16, :16].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - target).max() > 40


def test_scene_builder_is_deterministic_and_follows_the_choices(session):
    first = toy_world.scene(session, "blue", "square", "small", "top left")
    again = toy_world.scene(session, "blue", "square", "small", "top left")
    other = toy_world.scene(session, "blue", "square", "small", "bottom right")
    assert np.array_equal(np.asarray(first[0]), np.asarray(again[0]))
    assert not np.array_equal(np.asarray(first[0]), np.asarray(other[0]))
    assert "at the top left" in first[1] and "at the bottom right" in other[1]


def test_reference_panels_list_the_world(session, reference):
    held, vocabulary, patterns, counts = toy_world.reference(session)
    assert [caption for _, caption in held] == [f"{c} {s}" for c, s in reference.world.held_out_pairs]
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


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: toy_world.scene(s, "magenta", "circle", "large", "center"), "colour must be one of"),
    (lambda s: toy_world.scene(s, "red", "hexagon", "large", "center"), "shape must be one of"),
    (lambda s: toy_world.samples(s, 2**31), "seed must be a number from 0 to 2147483647 (got 2147483648)"),
    (lambda s: overview.render(s, -5), "seed must be a number from 0 to 2147483647 (got -5)"),
])
def test_bad_choices_are_refused_by_name(session, call, message):
    with pytest.raises(gr.Error) as error:
        call(session)
    assert message in error.value.message


@pytest.mark.skipif(not bilingual_available(), reason="no bilingual checkpoint")
def test_the_toy_world_redraws_only_when_the_caption_language_changes(session):
    """Page load draws; a model change that keeps the language (e.g. one training step) leaves the
    pictures alone; picking the bilingual model redraws them with mixed captions."""
    draw = toy_world.per_language(toy_world.samples, "samples", 1)
    first = draw(session, 0)
    assert len(first) == 16 and not any(CJK.search(caption) for _, caption in first)
    skipped = draw(session, 0)
    assert isinstance(skipped, dict) and skipped == gr.skip()
    session.model_name = "bilingual"
    chinese = [bool(CJK.search(caption)) for _, caption in draw(session, 0)]
    assert any(chinese) and not all(chinese)
    scene = toy_world.per_language(toy_world.scene, "scene", 2)
    _, html = scene(session, "red", "circle", "large", "center")
    assert "一个大的红色圆形" in html and "a large red circle" in html
    assert scene(session, "red", "circle", "large", "center") == (gr.skip(), gr.skip())
