"""The batch-size sweep: the same image budget at each batch size, measured against wall time."""

import dataclasses
import math

import pytest

from clip_core.config import get_preset
from clip_core.data import ShapesWorld
from clip_core.experiments import batch_size_sweep
from clip_core.train import Trainer


@pytest.fixture(scope="module")
def points():
    preset = get_preset("nano")
    return list(batch_size_sweep(preset.model, preset.train, image_budget=256, batch_sizes=(8, 32, 128),
                                 evaluations=2, eval_batch_size=16, n_per_pair=1))


def test_every_batch_size_spends_the_same_image_budget(points):
    assert [p.batch_size for p in points] == [8, 8, 32, 32, 128, 128]
    assert [p.steps for p in points] == [32, 32, 8, 8, 2, 2]
    assert [p.step for p in points] == [16, 32, 4, 8, 1, 2]
    assert [p.images_seen for p in points] == [128, 256] * 3


def test_points_carry_measured_accuracy_and_time(points):
    for p in points:
        for value in (p.in_batch_image_to_text, p.in_batch_text_to_image, p.zero_shot_seen, p.zero_shot_held_out):
            assert 0.0 <= value <= 1.0
        assert p.elapsed > 0 and math.isfinite(p.loss)
        assert p.to_dict()["batch_size"] == p.batch_size
    for first, second in zip(points[0::2], points[1::2], strict=True):
        assert second.elapsed > first.elapsed
    # the mean training loss sits near chance, ln(batch size), this early: it is per-run, not comparable
    assert points[-1].loss > points[0].loss


def test_the_sweep_keeps_the_seed_and_the_warmup_in_images(monkeypatch):
    seen = []
    original = Trainer.__init__

    def recording_init(self, model, world, config, mistakes=None):
        seen.append((config, {k: v.clone() for k, v in model.state_dict().items()}))
        original(self, model, world, config, mistakes)

    monkeypatch.setattr(Trainer, "__init__", recording_init)
    preset = get_preset("nano")
    preset.train = dataclasses.replace(preset.train, warmup_steps=4, batch_size=32)
    list(batch_size_sweep(preset.model, preset.train, image_budget=128, batch_sizes=(8, 32, 128), evaluations=1,
                          eval_batch_size=8, n_per_pair=1, world=ShapesWorld(0)))
    configs = [config for config, _ in seen]
    assert [c.batch_size for c in configs] == [8, 32, 128]
    assert [c.steps for c in configs] == [16, 4, 1]
    assert [c.warmup_steps for c in configs] == [16, 4, 1]  # 128 images of warm-up each
    assert {c.lr for c in configs} == {preset.train.lr} and {c.seed for c in configs} == {preset.train.seed}
    first = seen[0][1]
    assert all(all(state[k].equal(first[k]) for k in first) for _, state in seen)


def test_a_budget_smaller_than_a_batch_is_refused():
    preset = get_preset("nano")
    with pytest.raises(ValueError, match="budget"):
        list(batch_size_sweep(preset.model, preset.train, image_budget=100, batch_sizes=(128,)))
