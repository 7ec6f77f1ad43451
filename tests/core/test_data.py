"""ShapesWorld: determinism, held-out pairs, unambiguous captions, rendering, test sets."""

import numpy as np
import pytest
import torch
from captions import described, describes

from clip_core.data import COLOURS, SHAPES, ShapesWorld
from clip_core.tokenizer import Tokenizer


def described_attributes(caption: str) -> dict[str, str]:
    named = described(caption)
    assert {"colour", "shape"} & set(named), f"caption names no colour and no shape: {caption!r}"
    return named


def _pairs(attributes) -> set[tuple[str, str]]:
    return {(attributes.names(i)["colour"], attributes.names(i)["shape"]) for i in range(len(attributes))}


def test_same_seed_gives_same_batches():
    first, second = ShapesWorld(7), ShapesWorld(7)
    for _ in range(3):
        a, b = first.sample_batch(16), second.sample_batch(16)
        assert torch.equal(a.images, b.images)
        assert a.captions == b.captions
        assert all(np.array_equal(getattr(a.attributes, k), getattr(b.attributes, k))
                   for k in ("colour", "shape", "size", "position"))


def test_different_seeds_give_different_batches():
    a, b = ShapesWorld(1).sample_batch(16), ShapesWorld(2).sample_batch(16)
    assert not torch.equal(a.images, b.images)
    assert a.captions != b.captions


def test_successive_batches_differ(world):
    a, b = world.sample_batch(16), world.sample_batch(16)
    assert a.captions != b.captions and not torch.equal(a.images, b.images)


def test_held_out_pairs_never_appear_in_training_batches(world):
    held = set(world.held_out_pairs)
    seen_pairs: set[tuple[str, str]] = set()
    for _ in range(200):
        batch = world.sample_batch(64, "train")
        pairs = _pairs(batch.attributes)
        assert not pairs & held, f"held-out pairs in a training batch: {pairs & held}"
        assert not world.is_held_out(batch.attributes).any()
        seen_pairs |= pairs
    # not vacuous: every other pair, hence every colour and every shape, does appear
    all_pairs = {(c, s) for c in COLOURS for s in SHAPES}
    assert seen_pairs == all_pairs - held


def test_held_out_pairs_cover_every_colour_and_leave_every_shape_trainable(world):
    held = world.held_out_pairs
    assert len(held) == len(COLOURS)
    assert {c for c, _ in held} == set(COLOURS)
    for shape in SHAPES:
        assert any((c, shape) not in held for c in COLOURS)


def test_held_out_split_has_only_held_out_pairs(world):
    batch = world.sample_batch(40, "held_out")
    assert _pairs(batch.attributes) <= set(world.held_out_pairs)
    assert world.is_held_out(batch.attributes).all()


def test_scenes_in_a_batch_are_distinct(world):
    for _ in range(20):
        attributes = world.sample_batch(64).attributes
        scenes = {tuple(attributes.names(i).values()) for i in range(64)}
        assert len(scenes) == 64


def test_no_caption_describes_another_image_of_its_batch(world):
    for _ in range(60):
        batch = world.sample_batch(64)
        assert len(set(batch.captions)) == len(batch.captions)
        scenes = [batch.attributes.names(i) for i in range(len(batch.captions))]
        for i, caption in enumerate(batch.captions):
            assert describes(caption, scenes[i]), f"{caption!r} does not describe its own image {scenes[i]}"
            others = [j for j, scene in enumerate(scenes) if j != i and describes(caption, scene)]
            assert not others, f"{caption!r} also describes {[scenes[j] for j in others]}"


def test_captions_use_short_forms_too(world):
    # the checker above is only meaningful if some captions leave attributes out
    named = [described_attributes(c) for _ in range(10) for c in world.sample_batch(64).captions]
    assert any(set(n) == {"colour", "shape", "style"} for n in named)
    assert any(set(n) == {"colour", "shape", "size", "position"} for n in named)
    assert any(set(n) == {"shape", "style"} for n in named)
    assert any(set(n) == {"colour", "style"} for n in named)


def test_checker_catches_an_ambiguous_caption():
    scenes = [{"colour": "red", "shape": "circle", "size": "small", "position": "center"},
              {"colour": "red", "shape": "circle", "size": "large", "position": "top left"}]
    assert describes("a red circle", scenes[1])
    assert not describes("a small red circle", scenes[1])
    assert not describes("a red circle at the top right", scenes[1])
    assert describes("a photo of a large red circle at the top left.", scenes[1])
    assert not describes("a sketch of a large red circle at the top left.", scenes[1])


def test_every_caption_tokenizes_without_unknown_words(world):
    tokenizer = Tokenizer(world.vocabulary(), context_length=16)
    for _ in range(50):
        for caption in world.sample_batch(64).captions:
            report = tokenizer.report(caption)
            assert report.unknown == [], caption
            assert not report.truncated, caption


def test_render_shape_dtype_and_range(world):
    batch = world.sample_batch(10)
    assert batch.images.shape == (10, 3, 32, 32)
    assert batch.images.dtype == torch.float32
    assert batch.images.min() >= 0.0 and batch.images.max() <= 1.0
    scenes = [{"colour": "red", "shape": "ring"}, {"colour": "blue", "shape": "cross"}]
    big = ShapesWorld(0, image_size=48).render(scenes)
    assert big.shape == (2, 3, 48, 48) and big.dtype == torch.float32
    assert big.min() >= 0.0 and big.max() <= 1.0


def test_render_draws_the_named_colour(world):
    # a large red shape in the centre: the centre pixel is red (high R, low G and B)
    image = world.render({"colour": "red", "shape": "square", "size": "large", "position": "center",
                          "style": "pixel"})[0]
    r, g, b = image[:, 16, 16].tolist()
    assert r > 0.7 and g < 0.35 and b < 0.35
    corner = image[:, 1, 1]
    assert corner.max() < 0.45  # background stays dark


def test_test_set_is_deterministic_and_independent_of_the_stream():
    world = ShapesWorld(0)
    first = world.test_set(3, "all")
    for _ in range(5):
        world.sample_batch(32)
    second = world.test_set(3, "all")
    assert torch.equal(first.images, second.images) and first.captions == second.captions
    assert torch.equal(ShapesWorld(0).test_set(3, "all").images, first.images)


@pytest.mark.parametrize("split,n_pairs", [("all", len(COLOURS) * len(SHAPES)),
                                           ("seen", len(COLOURS) * (len(SHAPES) - 1)), ("held_out", len(COLOURS))])
def test_test_set_covers_every_pair_of_its_split(world, split, n_pairs):
    test = world.test_set(2, split)
    names = test.attributes.pair_names()
    assert len(names) == 2 * n_pairs
    counts = {name: names.count(name) for name in set(names)}
    assert all(count == 2 for count in counts.values())
    expected = set(world.classes({"all": "colour_shape"}.get(split, split)))
    assert set(counts) == expected
    for i, caption in enumerate(test.captions):
        assert describes(caption, test.attributes.names(i))


def test_classes_held_out_matches_held_out_pairs(world):
    held = world.classes("held_out")
    assert sorted(held) == sorted(f"{c} {s}" for c, s in world.held_out_pairs)
    assert len(held) == len(world.held_out_pairs)
    seen = world.classes("seen")
    assert not set(seen) & set(held)
    assert sorted(seen + held) == sorted(world.classes("colour_shape"))
    assert world.classes("colour") == list(COLOURS) and world.classes("shape") == list(SHAPES)
    with pytest.raises(ValueError):
        world.classes("texture")


def test_sample_attributes_refuses_more_scenes_than_exist(world):
    with pytest.raises(ValueError):
        world.sample_attributes(10_000)


# ----- the causes of prompt engineering (captions like web alt-text, styles, an ambiguous word) -----


def _training_captions(world, batches: int = 30) -> list[str]:
    return [c for _ in range(batches) for c in world.sample_batch(64).captions]


def test_training_captions_are_sentences_never_the_bare_label(world):
    captions = _training_captions(world)
    bare = {f"{c} {s}" for c in COLOURS for s in SHAPES} | set(COLOURS) | set(SHAPES)
    assert not [c for c in captions if c in bare]
    assert min(len(c.split()) for c in captions) >= 4  # "a photo of a ring." is the shortest kind
    # most captions name the picture's style, as alt-text often says "a photo of" or "a drawing of"
    styled = [c for c in captions if "style" in described_attributes(c)]
    assert 0.6 < len(styled) / len(captions) < 0.95


def test_every_style_appears_in_training_and_in_every_test_split(world):
    seen = {described_attributes(c).get("style") for c in _training_captions(world, 5)} - {None}
    assert seen == {"photo", "sketch", "pixel"}
    for split in ("all", "seen", "held_out"):
        mixed = world.test_set(3, split, style=None)
        names = mixed.attributes.pair_names()
        for pair in set(names):  # with 3 images per pair, one of each style
            styles = {mixed.attributes.names(i)["style"] for i, p in enumerate(names) if p == pair}
            assert styles == {"photo", "sketch", "pixel"}
    only_sketch = world.test_set(2, "all", style="sketch")
    assert {only_sketch.attributes.names(i)["style"] for i in range(len(only_sketch.captions))} == {"sketch"}
    assert world.test_set(1, "all").attributes.names(0)["style"] == "photo"  # the default: photos
    with pytest.raises(ValueError):
        world.test_set(1, "all", style="oil painting")


def test_the_styles_look_different():
    world = ShapesWorld(0)
    scene = {"colour": "red", "shape": "square", "size": "large", "position": "center"}
    photo, sketch, pixel = (world.render({**scene, "style": s}, rng=np.random.default_rng(1))[0]
                            for s in ("photo", "sketch", "pixel"))
    assert photo[0, 16, 16] > 0.6 and sketch[0, 16, 16] < 0.4  # a sketch is only an outline: hollow inside
    assert sketch[0, 16, 12:21].max() > 0.6 or sketch[0, 12:21, 16].max() > 0.6  # ...but the outline is drawn
    blocks = pixel[:, ::2, ::2]  # pixel art repeats each value over a 2 x 2 block, with no noise
    assert torch.equal(pixel[:, 1::2, 1::2], blocks) and torch.equal(pixel[:, ::2, 1::2], blocks)
    assert not torch.equal(photo[:, 1::2, 1::2], photo[:, ::2, ::2])


def test_orange_is_a_colour_and_a_fruit_in_the_captions(world):
    captions = _training_captions(world, 60)
    as_colour = [c for c in captions if described_attributes(c).get("colour") == "orange"]
    as_fruit = [c for c in captions if described_attributes(c).get("shape") == "orange"]
    assert len(as_colour) > 50 and len(as_fruit) > 50
    assert any(c.endswith("something orange.") for c in as_colour)
    assert any("orange orange" in c for c in captions)  # an orange-coloured orange
    assert "orange" in world.classes("colour") and "orange" in world.classes("shape")
    fruit = world.render({"colour": "blue", "shape": "orange", "size": "large", "position": "center"})[0]
    circle = world.render({"colour": "blue", "shape": "circle", "size": "large", "position": "center"})[0]
    assert (fruit[2] > 0.6).sum() != (circle[2] > 0.6).sum()  # the fruit has a stem and a leaf
