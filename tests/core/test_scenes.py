"""Two-object scenes (clip_core/scenes.py): pictures match their boxes and captions, swaps are false."""

import numpy as np
import pytest

from clip_core import checkpoint
from clip_core.config import TrainConfig, get_preset
from clip_core.data import COLOURS, SHAPES, ShapesWorld
from clip_core.scenes import (
    LAYOUTS,
    PairBatch,
    RelationWorld,
    batch_hard_negatives,
    swap_attributes,
    swap_objects,
    swapped_captions,
    true_captions,
    world_from_spec,
    world_spec,
)
from clip_core.tokenizer import Tokenizer
from clip_core.train import build_model, make_world

PALETTE = np.array(list(COLOURS.values()), dtype=np.float32)  # [colours, 3]


def test_each_object_is_drawn_inside_its_box_in_its_colour():
    world = RelationWorld(seed=3, noise=0.0)
    pairs = world.sample_pairs(40, np.random.default_rng(0))
    images, boxes = world.render_pairs(pairs, np.random.default_rng(1))
    images = images.numpy().transpose(0, 2, 3, 1)  # [n, H, W, 3]
    side = world.image_size
    ys, xs = np.mgrid[0:side, 0:side] + 0.5  # pixel centres
    for i in range(len(pairs)):
        background = images[i, 0, 0]
        inside_any = np.zeros((side, side), dtype=bool)
        for k in range(2):
            x0, y0, x1, y1 = boxes[i, k]
            inside = (xs >= x0 - 1) & (xs <= x1 + 1) & (ys >= y0 - 1) & (ys <= y1 + 1)
            inside_any |= inside
            expected = PALETTE[pairs.colour[i, k]]
            other = PALETTE[pairs.colour[i, 1 - k]]
            near_expected = np.abs(images[i] - expected).max(axis=-1) <= 0.06  # colour jitter is +-0.05
            near_other = np.abs(images[i] - other).max(axis=-1) <= 0.06
            assert near_expected[inside].sum() >= 8, (i, k, pairs.object_name(i, k))
            assert near_expected[~inside].sum() == 0, "an object's colour outside its box"
            assert near_other[inside].sum() == 0, "the other object's colour inside this box"
        assert np.abs(images[i][~inside_any] - background).max() < 1e-5, "outside both boxes is background"
        first, second = boxes[i]
        if pairs.layout_name(i) == "horizontal":
            assert first[2] < second[0], "first object left of the second"
        else:
            assert first[3] < second[1], "first object above the second"


def test_objects_differ_in_colour_and_shape_and_held_out_pairs_never_appear():
    world = RelationWorld(seed=0)
    held = {(list(COLOURS).index(c), SHAPES.index(s)) for c, s in world.held_out_pairs}
    rng = np.random.default_rng(5)
    for _ in range(20):
        pairs = world.sample_pair_batch(64, rng).pairs
        assert (pairs.colour[:, 0] != pairs.colour[:, 1]).all() and (pairs.shape[:, 0] != pairs.shape[:, 1]).all()
        objects = {(c, s) for c, s in zip(pairs.colour.ravel(), pairs.shape.ravel(), strict=True)}
        assert not objects & held
        assert set(pairs.layout) <= set(range(len(LAYOUTS)))


def test_captions_are_true_of_their_scene_and_of_no_other_scene_of_the_batch():
    world = RelationWorld(seed=1)
    rng = np.random.default_rng(2)
    for _ in range(20):
        batch = world.sample_pair_batch(64, rng)
        truths = [set(true_captions(batch.pairs, i)) for i in range(64)]
        for i, caption in enumerate(batch.captions):
            assert caption in truths[i]
            assert all(caption not in truths[j] for j in range(64) if j != i), caption


def test_swapped_captions_are_false_and_hard_negatives_false_of_every_scene():
    world = RelationWorld(seed=1)
    batch = world.sample_pair_batch(64, np.random.default_rng(3))
    for swap in (swap_attributes, swap_objects):
        swapped = swap(batch.pairs)
        for i in range(64):
            truths = set(true_captions(batch.pairs, i))
            # same words, other order: false of the scene
            assert not truths & set(true_captions(swapped, i))
            assert sorted(" ".join(true_captions(swapped, i)).split()) == sorted(" ".join(truths).split())
    by_colour, by_object = swapped_captions(batch.pairs, batch.patterns)
    for i in range(64):
        assert by_colour[i] not in true_captions(batch.pairs, i) and by_object[i] not in true_captions(batch.pairs, i)
        assert sorted(by_colour[i].split()) == sorted(batch.captions[i].split())
    every_truth = {c for i in range(64) for c in true_captions(batch.pairs, i)}
    negatives = batch_hard_negatives(batch)
    assert negatives and not set(negatives) & every_truth
    assert len(negatives) <= 2 * 64


def test_the_vocabulary_covers_every_caption_and_swap():
    world = RelationWorld(seed=0)
    tokenizer = Tokenizer(world.vocabulary(), context_length=16)
    rng = np.random.default_rng(0)
    texts = []
    for _ in range(10):
        batch = world.sample_batch(64, "train", rng)
        texts += batch.captions
        if isinstance(batch, PairBatch):
            texts += batch_hard_negatives(batch)
    assert any(" left of " in t for t in texts) and any(" below " in t for t in texts)
    for text in texts:
        report = tokenizer.report(text)
        assert report.unknown == [] and not report.truncated, text


def test_one_and_two_object_batches_are_never_mixed():
    world = RelationWorld(seed=0, pair_fraction=0.5)
    rng = np.random.default_rng(4)
    kinds = []
    for _ in range(60):
        batch = world.sample_batch(32, "train", rng)
        if isinstance(batch, PairBatch):
            assert batch.attributes is None and len(batch.pairs) == 32 and batch.boxes.shape == (32, 2, 4)
            assert all(" a " in c for c in batch.captions)  # every caption names two objects
        else:
            assert batch.attributes is not None and len(batch.attributes) == 32
            assert not any(word in c for c in batch.captions for word in (" left of ", " above ", " and "))
        kinds.append(isinstance(batch, PairBatch))
    assert 0.25 < np.mean(kinds) < 0.75
    assert not any(isinstance(world.sample_batch(32, "held_out", rng), PairBatch) for _ in range(10))


def test_the_pair_test_set_is_fixed_whatever_the_stream_did():
    world = RelationWorld(seed=2)
    first = world.pair_test_set(32)
    world.sample_batch(64)
    second = RelationWorld(seed=2).pair_test_set(32)
    assert first.captions == second.captions and (first.images == second.images).all()


def test_a_relations_recipe_builds_a_relation_world_and_checkpoints_record_it(tmp_path):
    preset = get_preset("relations")
    assert preset.train.world == "relations" and preset.model == get_preset("default").model
    world = make_world(preset.model, preset.train)
    assert isinstance(world, RelationWorld) and world.pair_fraction == preset.train.pair_fraction
    assert type(make_world(preset.model, TrainConfig())) is ShapesWorld
    with pytest.raises(ValueError):
        make_world(preset.model, TrainConfig(world="photos"))

    spec = world_spec(world)
    assert spec["kind"] == "relations"
    rebuilt = world_from_spec(spec)
    assert isinstance(rebuilt, RelationWorld) and rebuilt.pair_test_set(8).captions == world.pair_test_set(8).captions
    assert type(world_from_spec({"seed": 3, "image_size": 32, "noise": 0.04})) is ShapesWorld  # no kind: old spec

    model = build_model(get_preset("nano").model, world, seed=0)
    checkpoint.save(model, tmp_path / "rel", world=world)
    loaded, loaded_world, metrics = checkpoint.load_with_world(tmp_path / "rel")
    assert isinstance(loaded_world, RelationWorld) and metrics is None
    assert loaded.tokenizer.vocabulary == model.tokenizer.vocabulary

    plain = build_model(get_preset("nano").model, ShapesWorld(0), seed=0)
    checkpoint.save(plain, tmp_path / "old", metrics={"train_config": {"world_seed": 5}})  # no world recorded
    assert "world" not in (tmp_path / "old" / "config.json").read_text()
    old_world = checkpoint.load_world(tmp_path / "old")
    assert type(old_world) is ShapesWorld and old_world.seed == 5
