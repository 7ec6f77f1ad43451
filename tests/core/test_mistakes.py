"""Classic-mistake switches: each changes exactly the computation it names, and runs are reproducible."""

import dataclasses
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captions import describes

from clip_core.config import TrainConfig, get_preset
from clip_core.data import ShapesWorld
from clip_core.experiments import side_by_side
from clip_core.loss import clip_loss
from clip_core.mistakes import MISTAKE_NAMES, MistakenCLIP, Mistakes, mistaken_loss, soft_targets
from clip_core.train import Trainer, build_model

LOG_100 = math.log(100.0)


@pytest.fixture
def batch():
    return ShapesWorld(3).sample_batch(12, rng=np.random.default_rng(0))


@pytest.fixture
def embeddings():
    """Fixed unit embeddings of 6 pairs and a scale, independent of any model."""
    generator = torch.Generator().manual_seed(7)
    I_e = F.normalize(torch.randn(6, 8, generator=generator), dim=-1)  # [6, 8]
    T_e = F.normalize(I_e + 0.8 * torch.randn(6, 8, generator=generator), dim=-1)  # [6, 8]
    return I_e, T_e, torch.tensor(5.0)


def _nano_train_config(**changes) -> TrainConfig:
    return dataclasses.replace(get_preset("nano").train, **changes)


def _scores(model, batch):
    with torch.no_grad():
        return model(batch.images, model.tokenizer(batch.captions))


def _only(name: str) -> Mistakes:
    return Mistakes(**{name: True})


# ----- the switches themselves, on fixed inputs ------------------------------------------------


def test_all_switches_off_is_exactly_the_correct_computation(nano, batch, embeddings):
    assert torch.equal(_scores(MistakenCLIP(nano, Mistakes()), batch), _scores(nano, batch))
    I_e, T_e, scale = embeddings
    logits = I_e @ T_e.T * scale
    assert torch.equal(mistaken_loss(logits, I_e, T_e, scale, Mistakes()), clip_loss(logits))
    assert not Mistakes().any() and Mistakes().active() == []


@pytest.mark.parametrize("name", ["soft_targets", "one_direction", "duplicate_captions"])
def test_loss_and_data_switches_leave_the_logits_alone(nano, batch, name):
    view = MistakenCLIP(nano, _only(name))
    assert torch.equal(_scores(view, batch), _scores(nano, batch))
    assert view.scale().item() == nano.scale().item()


def test_no_l2_norm_changes_the_logits_exactly_by_the_norms(nano, batch):
    view = MistakenCLIP(nano, _only("no_l2_norm"))
    tokens = nano.tokenizer(batch.captions)
    with torch.no_grad():
        image_norms = nano.encode_image(batch.images, normalize=False).norm(dim=-1)  # [n]
        text_norms = nano.encode_text(tokens, normalize=False).norm(dim=-1)  # [n]
        raw, cosine = view(batch.images, tokens), nano(batch.images, tokens)
    assert view.scale().item() == nano.scale().item()  # the scale is not what changed
    assert not torch.allclose(raw, cosine, rtol=0.05)
    assert torch.allclose(raw, cosine * image_norms[:, None] * text_norms[None, :], rtol=1e-4, atol=1e-5)
    assert not torch.allclose(image_norms, torch.ones_like(image_norms), atol=0.05)


@pytest.mark.parametrize("name", ["no_l2_norm", "no_clamp", "duplicate_captions", "fixed_temperature_one"])
def test_a_switch_outside_the_loss_leaves_it_clip_loss_exactly(embeddings, name):
    # these switches change the logits or the batch; the loss of given logits stays clip_loss
    I_e, T_e, scale = embeddings
    logits = (I_e @ T_e.T * scale).requires_grad_(True)  # [6, 6]
    loss = mistaken_loss(logits, I_e, T_e, scale, _only(name))
    assert torch.equal(loss, clip_loss(logits))
    (gradient,) = torch.autograd.grad(loss, logits)
    (expected,) = torch.autograd.grad(clip_loss(logits), logits)
    assert torch.equal(gradient, expected)


def test_one_direction_is_the_row_cross_entropy(embeddings):
    I_e, T_e, scale = embeddings
    logits = I_e @ T_e.T * scale  # [6, 6], not symmetric
    loss = mistaken_loss(logits, I_e, T_e, scale, _only("one_direction"))
    assert torch.equal(loss, F.cross_entropy(logits, torch.arange(6)))
    assert not torch.allclose(loss, clip_loss(logits), atol=1e-3)


def test_soft_targets_change_the_targets_and_nothing_else(embeddings):
    I_e, T_e, scale = embeddings
    logits = I_e @ T_e.T * scale  # [6, 6]

    def tutorial_loss(targets):
        # moein-shariatnia/OpenAI-CLIP CLIP.py, transcribed: texts on the rows of its logits
        logits_per_text = logits.T
        texts_loss = (-targets * logits_per_text.log_softmax(dim=-1)).sum(1)
        images_loss = (-targets.T * logits_per_text.T.log_softmax(dim=-1)).sum(1)
        return ((images_loss + texts_loss) / 2.0).mean()

    targets = torch.softmax((I_e @ I_e.T + T_e @ T_e.T) / 2 * scale, dim=-1)
    assert torch.allclose(soft_targets(I_e, T_e, scale), targets, atol=1e-7)
    loss = mistaken_loss(logits, I_e, T_e, scale, _only("soft_targets"))
    assert torch.allclose(loss, tutorial_loss(targets), atol=1e-6)
    # the same computation with identity targets is CLIP's loss: the targets are the only change
    assert torch.allclose(tutorial_loss(torch.eye(6)), clip_loss(logits), atol=1e-6)
    assert not torch.allclose(loss, clip_loss(logits), atol=1e-2)
    assert (targets.diagonal() < 1 - 1e-3).all() and torch.allclose(targets.sum(dim=1), torch.ones(6))
    # with one_direction too, only the image rows remain
    both = mistaken_loss(logits, I_e, T_e, scale, Mistakes(soft_targets=True, one_direction=True))
    assert torch.allclose(both, (-targets.T * logits.log_softmax(dim=-1)).sum(1).mean(), atol=1e-6)


def test_soft_targets_send_no_gradient_to_the_scale_but_do_to_the_embeddings(embeddings):
    I_e, T_e, _ = embeddings
    I_e, scale = I_e.clone().requires_grad_(True), torch.tensor(5.0, requires_grad=True)
    targets = soft_targets(I_e, T_e, scale)
    targets[0, 1].backward()
    assert scale.grad is None
    assert I_e.grad is not None and I_e.grad.abs().sum() > 0


def test_fixed_temperature_one_gives_scale_one_and_no_gradient_to_it(nano, batch):
    view = MistakenCLIP(nano, _only("fixed_temperature_one"))
    tokens = nano.tokenizer(batch.captions)
    with torch.no_grad():
        cosines = nano.encode_image(batch.images) @ nano.encode_text(tokens).T
    assert torch.equal(_scores(view, batch), cosines)  # logits are the bare cosines

    # a model whose temperature could learn: the switch still trains at 1 and never touches t
    trainer = Trainer(nano, ShapesWorld(0), _nano_train_config(batch_size=16), _only("fixed_temperature_one"))
    before = nano.logit_scale.item()
    for metrics in trainer.run(3):
        assert metrics.logit_scale == 1.0
        assert nano.logit_scale.grad is None
    assert nano.logit_scale.item() == before

    # side_by_side builds the mistaken model with its scale created at 1 and frozen
    pair = side_by_side(get_preset("nano").model, _nano_train_config(batch_size=16), _only("fixed_temperature_one"))
    model = pair.variant.model
    assert model.scale().item() == 1.0 and not model.logit_scale.requires_grad
    assert all(p is not model.logit_scale for group in pair.variant.optimizer.param_groups for p in group["params"])
    assert pair.correct.model.scale().item() == pytest.approx(1 / 0.07)


def test_no_clamp_skips_both_clamps(nano, batch):
    with torch.no_grad():
        nano.logit_scale.fill_(math.log(150.0))  # as if training had pushed it past the ceiling
    assert nano.scale().item() == pytest.approx(100.0)
    view = MistakenCLIP(nano, _only("no_clamp"))
    assert view.scale().item() == pytest.approx(150.0)
    assert torch.allclose(_scores(view, batch), _scores(nano, batch) * 1.5, rtol=1e-5)

    state = {k: v.clone() for k, v in nano.state_dict().items()}
    frozen = _nano_train_config(batch_size=8, lr=0.0)  # no update: only the clamp after the step acts
    correct = Trainer(nano, ShapesWorld(0), frozen)
    assert correct.step().logit_scale == pytest.approx(100.0)
    assert nano.logit_scale.item() == pytest.approx(LOG_100)
    nano.load_state_dict(state)
    mistaken = Trainer(nano, ShapesWorld(0), frozen, _only("no_clamp"))
    assert mistaken.step().logit_scale == pytest.approx(150.0)
    assert nano.logit_scale.item() == pytest.approx(math.log(150.0))


@pytest.mark.slow
def test_no_clamp_lets_a_huge_learning_rate_push_the_scale_past_100():
    # train a little so that a larger scale lowers the loss, then let only the temperature learn
    trainer = Trainer(*_nano_model_and_world(), _nano_train_config(batch_size=16, steps=150))
    list(trainer.run(150))
    assert trainer.history[-1].acc_image_to_text > 1 / 16
    model, state = trainer.model, {k: v.clone() for k, v in trainer.model.state_dict().items()}
    hot = _nano_train_config(batch_size=16, lr=10.0, warmup_steps=1, steps=5, seed=3)
    peaks = {}
    for mistakes in (Mistakes(), _only("no_clamp")):
        model.load_state_dict(state)
        for name, parameter in model.named_parameters():
            parameter.requires_grad_(name == "logit_scale")
        peaks[mistakes.no_clamp] = max(m.logit_scale for m in Trainer(model, trainer.world, hot, mistakes).run(5))
    assert peaks[False] == pytest.approx(100.0, rel=1e-4)
    assert peaks[True] > 100.0 * 1.5


def _nano_model_and_world():
    world = ShapesWorld(0)
    return build_model(get_preset("nano").model, world, seed=0), world


def test_duplicate_captions_change_captions_only():
    world = ShapesWorld(0)
    correct_rng, mistaken_rng = np.random.default_rng(5), np.random.default_rng(5)
    ambiguous = 0
    for _ in range(4):
        correct = world.sample_batch(64, rng=correct_rng)
        mistaken = world.sample_batch(64, rng=mistaken_rng, allow_ambiguous=True)
        assert torch.equal(correct.images, mistaken.images)
        assert np.array_equal(correct.attributes.colour, mistaken.attributes.colour)
        scenes = [mistaken.attributes.names(i) for i in range(64)]
        for caption, scene in zip(mistaken.captions, scenes, strict=True):
            assert describes(caption, scene)
            ambiguous += sum(describes(caption, other) for other in scenes) > 1
        for caption in correct.captions:
            assert sum(describes(caption, other) for other in scenes) == 1
    assert ambiguous >= 4  # short captions such as "a red circle" now match several images
    assert correct_rng.random() == mistaken_rng.random()  # the streams stay in step


def test_duplicate_captions_reach_the_trainer_with_the_same_images(monkeypatch):
    pair = side_by_side(get_preset("nano").model, _nano_train_config(batch_size=64), _only("duplicate_captions"))
    drawn = []
    original = pair.correct.world.sample_batch

    def recording_sample_batch(*args, **kwargs):
        drawn.append((kwargs.get("allow_ambiguous", False), original(*args, **kwargs)))
        return drawn[-1][1]

    monkeypatch.setattr(pair.correct.world, "sample_batch", recording_sample_batch)
    list(pair.run(3))
    assert [flag for flag, _ in drawn] == [False, True] * 3
    for (_, correct), (_, mistaken) in zip(drawn[0::2], drawn[1::2], strict=True):
        assert torch.equal(correct.images, mistaken.images)
    assert any(c.captions != m.captions for (_, c), (_, m) in zip(drawn[0::2], drawn[1::2], strict=True))


# ----- training side by side ---------------------------------------------------------------------


@pytest.mark.parametrize("name", MISTAKE_NAMES)
def test_each_switch_changes_the_first_step_as_named(name):
    pair = side_by_side(get_preset("nano").model, _nano_train_config(batch_size=16), _only(name))
    assert pair.variant.scoring_model is not pair.variant.model  # the switch is in the training path
    for key, value in pair.correct.model.state_dict().items():
        if key != "logit_scale":
            assert torch.equal(pair.variant.model.state_dict()[key], value), key
    correct, variant = pair.step()
    if name == "no_clamp":  # the scale starts at 14.3, far below the clamp: nothing differs yet
        assert (variant.loss, variant.logit_scale) == (correct.loss, correct.logit_scale)
        return
    assert variant.loss != correct.loss
    if name in ("soft_targets", "one_direction", "fixed_temperature_one"):
        # the same ranking of texts for each image, so the same in-batch retrieval before the update
        assert variant.acc_image_to_text == correct.acc_image_to_text
        assert variant.acc_text_to_image == correct.acc_text_to_image


def test_side_by_side_runs_are_deterministic_under_a_seed():
    def curves(seed: int):
        mistakes = Mistakes(soft_targets=True, no_l2_norm=True, duplicate_captions=True)
        pair = side_by_side(get_preset("nano").model, _nano_train_config(batch_size=16, seed=seed), mistakes)
        return [(c.loss, c.acc_image_to_text, c.logit_scale, v.loss, v.acc_image_to_text, v.logit_scale)
                for c, v in pair.run(8)]

    first = curves(0)
    assert first == curves(0)
    assert first != curves(1)
    assert all(math.isfinite(value) for row in first for value in row)
    correct_alone = Trainer(*_nano_model_and_world(), _nano_train_config(batch_size=16))
    assert [m.loss for m in correct_alone.run(8)] == [row[0] for row in first]  # the pair does not disturb it


def test_mistakes_round_trip_and_reject_unknown_names():
    mistakes = Mistakes(no_clamp=True, one_direction=True)
    assert mistakes.active() == ["no_clamp", "one_direction"]
    assert Mistakes.from_dict(mistakes.to_dict()) == mistakes
    with pytest.raises(ValueError, match="unknown mistakes"):
        Mistakes.from_dict({"no_softmax": True})
