"""SigLIP's sigmoid loss: the paper's pseudocode, its initialisation, checkpoints and training."""

import dataclasses
import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from clip_core import checkpoint
from clip_core.config import ModelConfig, get_preset, siglip_config
from clip_core.data import ShapesWorld
from clip_core.experiments import side_by_side
from clip_core.loss import siglip_loss
from clip_core.mistakes import Mistakes
from clip_core.train import Trainer, build_model


def paper_siglip_loss(img_emb: np.ndarray, txt_emb: np.ndarray, t_prime: float, b: float) -> float:
    """Algorithm 1 of Zhai et al. 2023, line by line, in numpy."""
    n = img_emb.shape[0]
    t = np.exp(t_prime)
    zimg = img_emb / np.linalg.norm(img_emb, axis=1, keepdims=True)
    ztxt = txt_emb / np.linalg.norm(txt_emb, axis=1, keepdims=True)
    logits = np.dot(zimg, ztxt.T) * t + b
    labels = 2 * np.eye(n) - np.ones(n)  # -1 with diagonal 1
    log_sigmoid = -np.logaddexp(0.0, -(labels * logits))
    return -np.sum(log_sigmoid) / n


def _siglip_nano():
    world = ShapesWorld(0)
    return build_model(siglip_config(get_preset("nano").model), world, seed=0), world


@pytest.mark.parametrize("n", [1, 2, 5, 16, 64])
@pytest.mark.parametrize(("t_prime", "b"), [(math.log(10), -10.0), (2.0, -3.5), (0.0, 1.0)])
def test_siglip_loss_equals_the_papers_pseudocode(n, t_prime, b):
    rng = np.random.default_rng(n)
    img_emb, txt_emb = rng.standard_normal((n, 12)), rng.standard_normal((n, 12))
    expected = paper_siglip_loss(img_emb, txt_emb, t_prime, b)
    zimg = F.normalize(torch.tensor(img_emb), dim=-1)
    ztxt = F.normalize(torch.tensor(txt_emb), dim=-1)
    logits = zimg @ ztxt.T * math.exp(t_prime) + b  # [n, n]
    assert siglip_loss(logits).item() == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert siglip_loss(logits.float()).item() == pytest.approx(expected, rel=1e-5)


def test_siglip_loss_treats_every_pair_on_its_own():
    # unlike the softmax loss, adding a constant to every logit changes the sigmoid loss
    logits = torch.randn(6, 6, generator=torch.Generator().manual_seed(0))
    assert siglip_loss(logits + 3.0).item() != pytest.approx(siglip_loss(logits).item(), rel=1e-3)
    # and a confident, correct matrix costs almost nothing
    assert siglip_loss(torch.eye(6) * 40 - 20).item() < 1e-6


def test_siglip_model_starts_at_log_10_and_minus_10():
    model, _ = _siglip_nano()
    assert model.logit_scale.item() == pytest.approx(math.log(10), abs=1e-7)
    assert model.scale().item() == pytest.approx(10.0, rel=1e-6)
    assert model.logit_bias is not None and model.logit_bias.item() == -10.0
    assert model.logit_bias.requires_grad


def test_clip_models_have_no_bias_and_the_same_weights():
    clip_model = build_model(get_preset("nano").model, ShapesWorld(0), seed=0)
    siglip_model, _ = _siglip_nano()
    assert clip_model.logit_bias is None and "logit_bias" not in clip_model.state_dict()
    assert "init_logit_bias" not in clip_model.config.to_dict()  # configs written before SigLIP still match
    for key, value in clip_model.state_dict().items():
        if key != "logit_scale":
            assert torch.equal(siglip_model.state_dict()[key], value), key


def test_siglip_forward_adds_the_bias_to_the_scaled_cosines():
    model, world = _siglip_nano()
    batch = world.sample_batch(8, rng=np.random.default_rng(0))
    tokens = model.tokenizer(batch.captions)
    with torch.no_grad():
        model.logit_bias.fill_(-4.0)
        cosines = model.encode_image(batch.images) @ model.encode_text(tokens).T  # [8, 8]
        assert torch.allclose(model(batch.images, tokens), cosines * 10.0 - 4.0, atol=1e-5)


def test_siglip_checkpoint_round_trips(tmp_path):
    model, world = _siglip_nano()
    config = dataclasses.replace(get_preset("nano").train, batch_size=16, loss="siglip")
    list(Trainer(model, world, config).run(3))
    model.eval()
    batch = world.sample_batch(6, rng=np.random.default_rng(1))
    tokens = model.tokenizer(batch.captions)
    checkpoint.save(model, tmp_path / "siglip")
    saved = json.loads((tmp_path / "siglip" / "config.json").read_text())
    assert saved["model"]["init_logit_bias"] == -10.0
    loaded = checkpoint.load(tmp_path / "siglip")
    assert loaded.logit_bias is not None and loaded.logit_bias.item() == model.logit_bias.item()
    assert loaded.logit_bias.item() != -10.0  # it was trained
    with torch.no_grad():
        assert torch.equal(loaded(batch.images, tokens), model(batch.images, tokens))
    assert ModelConfig.from_dict(saved["model"]) == model.config


@pytest.mark.slow
def test_short_siglip_training_lowers_its_loss():
    model, world = _siglip_nano()
    config = dataclasses.replace(get_preset("nano").train, batch_size=32, steps=150)
    history = list(Trainer(model, world, dataclasses.replace(config, loss="siglip")).run(150))
    assert all(m.finite for m in history)
    first, last = history[0].loss, np.mean([m.loss for m in history[-5:]])
    assert last < 0.6 * first, (first, last)  # measured: 7.25 -> 3.66
    assert history[-1].logit_bias is not None and history[-1].logit_bias != -10.0
    assert history[-1].acc_image_to_text > 3 / 32


def test_trainer_refuses_siglip_without_a_bias_and_with_mistakes():
    world = ShapesWorld(0)
    config = dataclasses.replace(get_preset("nano").train, loss="siglip")
    with pytest.raises(ValueError, match="bias"):
        Trainer(build_model(get_preset("nano").model, world), world, config)
    with pytest.raises(ValueError, match="loss='clip'"):
        Trainer(_siglip_nano()[0], world, config, Mistakes(one_direction=True))
    with pytest.raises(ValueError, match="loss must be"):
        Trainer(build_model(get_preset("nano").model, world), world, dataclasses.replace(config, loss="hinge"))


def test_side_by_side_with_siglip_is_deterministic():
    def curves():
        config = dataclasses.replace(get_preset("nano").train, batch_size=16)
        pair = side_by_side(get_preset("nano").model, config, loss="siglip")
        assert pair.correct.config.loss == "clip" and pair.variant.config.loss == "siglip"
        return [(c.loss, c.logit_scale, c.logit_bias, v.loss, v.logit_scale, v.logit_bias) for c, v in pair.run(6)]

    first = curves()
    assert first == curves()
    assert all(row[2] is None and row[5] is not None for row in first)
    assert first[0][1] == pytest.approx(1 / 0.07, rel=1e-2) and first[0][4] == pytest.approx(10.0, rel=1e-2)
