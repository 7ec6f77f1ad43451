"""Training: the nano preset learns, runs are reproducible, the temperature stays in bounds."""

import math
from itertools import pairwise

import numpy as np
import pytest
import torch

from clip_core.config import TrainConfig, get_preset
from clip_core.data import ShapesWorld
from clip_core.loss import clip_loss
from clip_core.train import Trainer, build_model, in_batch_accuracy, lr_at

LOG_100 = math.log(100.0)


def _nano_trainer(seed: int = 0, **train_changes) -> Trainer:
    preset = get_preset("nano")
    for key, value in train_changes.items():
        setattr(preset.train, key, value)
    world = ShapesWorld(preset.train.world_seed)
    model = build_model(preset.model, world, seed=seed)
    preset.train.seed = seed
    return Trainer(model, world, preset.train)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_nano_preset_learns_well_above_chance_in_batch(trained_nano):
    preset, trainer = trained_nano["preset"], trained_nano["trainer"]
    assert preset.train.steps <= 1000  # a bounded budget (the issue asks for about 300 steps)
    assert trainer.steps_done == preset.train.steps
    assert all(m.finite for m in trainer.history)
    print(f"nano: {preset.train.steps} steps in {trained_nano['seconds']:.1f} s")
    # measured on fresh batches (not the ones trained on), at the preset's batch size
    accuracy = in_batch_accuracy(trained_nano["model"], trained_nano["world"], preset.train.batch_size)
    # the world has three styles and an ambiguous word, so the tiny preset learns it only partly within its
    # budget (chance is 1/64); the default preset's targets are bench/train.py's and the shipped model's
    assert accuracy["image_to_text"] >= 0.60, accuracy
    assert accuracy["text_to_image"] >= 0.60, accuracy


@pytest.mark.slow
def test_training_lowers_the_loss_well_below_chance(trained_nano):
    history = trained_nano["trainer"].history
    chance = math.log(trained_nano["preset"].train.batch_size)
    first = np.mean([m.loss for m in history[:10]])
    last = np.mean([m.loss for m in history[-20:]])
    assert first > 0.8 * chance
    assert last < 0.5 * first


def test_same_seed_gives_identical_loss_curves():
    first, second = _nano_trainer(seed=0, batch_size=32), _nano_trainer(seed=0, batch_size=32)
    curve_1 = [m.loss for m in first.run(20)]
    curve_2 = [m.loss for m in second.run(20)]
    assert curve_1 == curve_2
    assert [m.acc_image_to_text for m in first.history] == [m.acc_image_to_text for m in second.history]
    assert curve_1[-1] < curve_1[0]  # it is actually training
    other = [m.loss for m in _nano_trainer(seed=1, batch_size=32).run(20)]
    assert other != curve_1


def test_a_step_optimises_clip_loss_of_the_batch_it_draws():
    trainer = _nano_trainer(batch_size=16)
    rng = np.random.default_rng([trainer.world.seed, trainer.config.seed])  # the trainer's own stream
    batch = trainer.world.sample_batch(16, "train", rng)
    with torch.no_grad():
        logits = trainer.model.train()(batch.images, trainer.tokenizer(batch.captions))  # [16, 16]
    metrics = trainer.step()
    assert metrics.loss == pytest.approx(clip_loss(logits).item(), abs=1e-6)
    labels = torch.arange(16)
    assert metrics.acc_image_to_text == (logits.argmax(dim=1) == labels).float().mean().item()


def test_snapshot_and_restore_replay_the_same_steps():
    trainer = _nano_trainer(batch_size=16)
    list(trainer.run(3))
    snapshot = trainer.snapshot()
    ahead = [m.loss for m in trainer.run(3)]
    trainer.restore(snapshot)
    assert trainer.steps_done == 3 and len(trainer.history) == 3
    assert [m.loss for m in trainer.run(3)] == ahead


def test_lr_schedule_warms_up_then_decays_to_the_floor():
    config = TrainConfig(lr=1.0, warmup_steps=10, steps=110, min_lr_ratio=0.1)
    assert lr_at(0, config) == pytest.approx(0.1)
    assert lr_at(9, config) == pytest.approx(1.0)
    assert lr_at(60, config) == pytest.approx(0.1 + 0.9 * 0.5)
    assert lr_at(110, config) == pytest.approx(0.1)
    assert lr_at(500, config) == pytest.approx(0.1)
    rates = [lr_at(s, config) for s in range(10, 111)]
    assert all(a >= b for a, b in pairwise(rates))


def test_logit_scale_never_exceeds_100_with_a_huge_learning_rate():
    trainer = _nano_trainer(batch_size=16, lr=10.0, warmup_steps=1, steps=6)
    for metrics in trainer.run(6):
        assert trainer.model.logit_scale.item() <= LOG_100 + 1e-6
        assert metrics.logit_scale <= 100.0 + 1e-4
        assert trainer.model.scale().item() <= 100.0 + 1e-4


@pytest.mark.slow
def test_logit_scale_is_clamped_at_100_when_training_pushes_it_up():
    # train a little so that matching pairs score highest: then a larger scale lowers the loss
    trainer = _nano_trainer(batch_size=16, steps=150)
    list(trainer.run(150))
    model = trainer.model
    assert trainer.history[-1].acc_image_to_text > 1 / 16
    # now only the temperature learns, with a huge learning rate: it must hit the ceiling and stay there
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name == "logit_scale")
    hot = Trainer(model, trainer.world, TrainConfig(batch_size=16, lr=10.0, warmup_steps=1, steps=5, seed=3))
    assert len(hot.optimizer.param_groups[1]["params"]) == 1
    scales = []
    for metrics in hot.run(5):
        assert model.logit_scale.item() <= LOG_100 + 1e-6
        scales.append(metrics.logit_scale)
    assert max(scales) == pytest.approx(100.0, rel=1e-4)  # the clamp was reached...
    assert all(s <= 100.0 + 1e-4 for s in scales)  # ...and never passed


def test_fixed_temperature_stays_fixed_through_training():
    preset = get_preset("nano")
    preset.model.learn_temperature = False
    preset.train.batch_size = 16
    world = ShapesWorld(0)
    model = build_model(preset.model, world, seed=0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    trainer = Trainer(model, world, preset.train)
    history = list(trainer.run(8))
    assert model.logit_scale.item() == pytest.approx(math.log(1 / 0.07), abs=1e-7)
    assert all(m.logit_scale == pytest.approx(1 / 0.07, rel=1e-6) for m in history)
    # while the rest of the model did train
    assert not torch.equal(model.state_dict()["text_projection"], before["text_projection"])


def test_learned_temperature_moves_during_training():
    trainer = _nano_trainer(batch_size=16)
    list(trainer.run(8))
    assert trainer.model.logit_scale.item() != pytest.approx(math.log(1 / 0.07), abs=1e-4)


def test_trainer_batches_never_contain_held_out_pairs(monkeypatch):
    trainer = _nano_trainer(batch_size=64)
    world, drawn = trainer.world, []
    original = world.sample_batch

    def recording_sample_batch(*args, **kwargs):
        batch = original(*args, **kwargs)
        drawn.append(batch)
        return batch

    monkeypatch.setattr(world, "sample_batch", recording_sample_batch)
    list(trainer.run(5))
    assert len(drawn) == 5
    held = set(world.held_out_pairs)
    for batch in drawn:
        pairs = {(n["colour"], n["shape"]) for n in map(batch.attributes.names, range(len(batch.captions)))}
        assert not pairs & held


def test_trainer_requires_a_tokenizer(nano):
    nano.tokenizer = None
    with pytest.raises(ValueError):
        Trainer(nano, ShapesWorld(0), TrainConfig())
