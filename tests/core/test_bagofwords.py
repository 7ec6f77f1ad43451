"""The bag-of-words benchmark and the hard-negative loss (clip_core/bagofwords.py, loss.py)."""

import math

import numpy as np
import pytest
import torch

from clip_core.bagofwords import bag_of_words_report, score_captions
from clip_core.config import get_preset
from clip_core.data import COLOURS, SHAPES, ShapesWorld
from clip_core.loss import clip_loss, hard_negative_clip_loss
from clip_core.scenes import RelationWorld
from clip_core.train import Trainer, build_model

COLOUR_NAMES = list(COLOURS)


def direct_benchmark(model, world, n_scenes, seed):
    """The benchmark written out scene by scene, captions spelled by hand."""
    test = world.pair_test_set(n_scenes, seed)
    wins = {"attributes": [], "objects": []}
    with torch.no_grad():
        for i in range(n_scenes):
            (ca, cb), (sa, sb) = test.pairs.colour[i], test.pairs.shape[i]
            a, b = f"{COLOUR_NAMES[ca]} {SHAPES[sa]}", f"{COLOUR_NAMES[cb]} {SHAPES[sb]}"
            a_dyed, b_dyed = f"{COLOUR_NAMES[cb]} {SHAPES[sa]}", f"{COLOUR_NAMES[ca]} {SHAPES[sb]}"
            if test.pairs.layout[i] == 0:  # horizontal: a is on the left
                truths = [f"a {a} left of a {b}", f"a {b} right of a {a}"]
                dyed = [f"a {a_dyed} left of a {b_dyed}", f"a {b_dyed} right of a {a_dyed}"]
                moved = [f"a {b} left of a {a}", f"a {a} right of a {b}"]
            else:  # vertical: a is on top
                truths = [f"a {a} above a {b}", f"a {b} below a {a}"]
                dyed = [f"a {a_dyed} above a {b_dyed}", f"a {b_dyed} below a {a_dyed}"]
                moved = [f"a {b} above a {a}", f"a {a} below a {b}"]
            image = model.encode_image(test.images[i:i + 1])[0]  # [d_e]
            for truth, colour_swap, object_swap in zip(truths, dyed, moved, strict=True):
                t, c, o = model.encode_text(model.tokenizer([truth, colour_swap, object_swap]))  # [3, d_e]
                wins["attributes"].append(float(image @ t) > float(image @ c))
                wins["objects"].append(float(image @ t) > float(image @ o))
    return {kind: (sum(w), len(w)) for kind, w in wins.items()}


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Training here is tiny; two threads on a busy 2-CPU machine run it many times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def briefly_trained():
    """A nano model trained 40 steps on two-object batches (so it is neither random nor perfect)."""
    preset = get_preset("nano")
    preset.train.steps, preset.train.world, preset.train.pair_fraction = 40, "relations", 0.7
    world = RelationWorld(seed=0, pair_fraction=0.7)
    trainer = Trainer(build_model(preset.model, world, seed=0), world, preset.train)
    for _ in trainer.run():
        pass
    return trainer.model.eval(), world


def test_the_benchmark_matches_a_direct_loop_over_scenes(briefly_trained):
    model, world = briefly_trained
    report = bag_of_words_report(model, world, n_scenes=48, seed=11)
    direct = direct_benchmark(model, world, 48, 11)
    for kind, (correct, total) in direct.items():
        assert total == 96  # two relation captions per scene
        assert report["swaps"][kind]["correct"] == correct and report["swaps"][kind]["total"] == total
        assert report["swaps"][kind]["accuracy"] == pytest.approx(correct / total)


def test_retrieval_is_recomputed_from_the_test_captions(briefly_trained):
    model, world = briefly_trained
    report = bag_of_words_report(model, world, n_scenes=64, seed=11)
    test = world.pair_test_set(64, 11)
    with torch.no_grad():
        similarity = model.encode_image(test.images) @ model.encode_text(model.tokenizer(test.captions)).T
    expected = (similarity.argmax(dim=1) == torch.arange(64)).float().mean().item()
    assert report["retrieval"]["image_to_text"] == pytest.approx(expected)
    assert report["in_batch"]["image_to_text"] == pytest.approx(expected)  # one block of 64
    assert report["retrieval"]["image_to_text"] > 3 / 64  # trained a little: above chance


def test_the_benchmark_is_deterministic(briefly_trained):
    model, world = briefly_trained
    assert bag_of_words_report(model, world, 32) == bag_of_words_report(model, RelationWorld(seed=0), 32)


def test_scores_of_a_few_captions_are_cosines_and_a_softmax(briefly_trained):
    model, world = briefly_trained
    test = world.pair_test_set(4)
    captions = [test.captions[0], test.captions[1], "a red circle"]
    cosines, probabilities = score_captions(model, test.images[0], captions)
    assert all(-1.0 <= c <= 1.0 for c in cosines) and sum(probabilities) == pytest.approx(1.0, abs=1e-5)
    scaled = np.array(cosines) * model.scale().item()
    assert probabilities == pytest.approx(list(np.exp(scaled) / np.exp(scaled).sum()), abs=1e-5)


def direct_hard_negative_loss(logits):
    """NegCLIP's loss spelled out row by row and column by column."""
    n = logits.shape[0]
    per_image = [-(logits[i, i] - torch.logsumexp(logits[i, :], dim=0)) for i in range(n)]  # n + n_neg columns
    per_text = [-(logits[j, j] - torch.logsumexp(logits[:n, j], dim=0)) for j in range(n)]  # n images
    return (sum(per_image) / n + sum(per_text) / n) / 2


@pytest.mark.parametrize("n, n_neg", [(2, 1), (5, 10), (8, 0)])
def test_hard_negative_loss_matches_a_direct_transcription(n, n_neg):
    logits = torch.randn(n, n + n_neg, generator=torch.Generator().manual_seed(n + n_neg)) * 4
    assert torch.allclose(hard_negative_clip_loss(logits), direct_hard_negative_loss(logits), atol=1e-5)


def test_hard_negative_loss_without_negatives_is_clip_loss_and_negatives_raise_it():
    logits = torch.randn(6, 6, generator=torch.Generator().manual_seed(0)) * 3
    assert torch.allclose(hard_negative_clip_loss(logits), clip_loss(logits), atol=1e-6)
    with_negatives = torch.cat([logits, torch.randn(6, 4, generator=torch.Generator().manual_seed(1))], dim=1)
    assert hard_negative_clip_loss(with_negatives) > clip_loss(logits)
    # at chance (all logits equal) the image side is ln(n + n_neg), the text side ln(n)
    assert hard_negative_clip_loss(torch.zeros(6, 10)).item() == pytest.approx((math.log(10) + math.log(6)) / 2)


def test_hard_negatives_change_nothing_on_one_object_batches():
    # one-object scenes have no swapped captions: NegCLIP's loss is then clip_loss, step for step
    preset = get_preset("nano")
    curves = {}
    for hard in (False, True):
        config = get_preset("nano").train
        config.world, config.pair_fraction, config.hard_negatives, config.batch_size = "relations", 0.0, hard, 16
        world = RelationWorld(seed=0, pair_fraction=0.0)
        trainer = Trainer(build_model(preset.model, world, seed=0), world, config)
        curves[hard] = [m.loss for m in trainer.run(3)]
    assert curves[True] == curves[False]


def test_the_trainer_adds_the_swapped_captions_only_when_asked():
    preset = get_preset("nano")
    losses = {}
    for hard in (False, True):
        config = get_preset("nano").train
        config.world, config.pair_fraction, config.hard_negatives, config.steps = "relations", 1.0, hard, 3
        world = RelationWorld(seed=0, pair_fraction=1.0)
        trainer = Trainer(build_model(preset.model, world, seed=0), world, config)
        losses[hard] = [m.loss for m in trainer.run()]
    # same model and first batch: the extra columns can only raise the first loss
    assert losses[True][0] > losses[False][0] + 0.05
    bad = get_preset("nano").train
    bad.hard_negatives, bad.loss = True, "siglip"
    with pytest.raises(ValueError):
        Trainer(build_model(preset.model, RelationWorld(0), seed=0), RelationWorld(0), bad)
    one_object = get_preset("nano").train
    one_object.hard_negatives = True
    with pytest.raises(ValueError, match="relations world"):
        Trainer(build_model(preset.model, ShapesWorld(0), seed=0), ShapesWorld(0), one_object)
