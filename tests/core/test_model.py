"""TinyCLIP: embedding shapes and norms, the logits matrix, EOT pooling, the logit scale."""

import math

import pytest
import torch

from clip_core.config import ModelConfig, get_preset
from clip_core.data import ShapesWorld
from clip_core.model import TinyCLIP
from clip_core.train import build_model

ENCODERS = {
    "vit": dict(image_encoder="vit", patch_size=8),
    "resnet-attention": dict(image_encoder="resnet", resnet_pool="attention"),
    "resnet-mean": dict(image_encoder="resnet", resnet_pool="mean"),
}


def _model(**changes) -> TinyCLIP:
    config = get_preset("nano").model
    for key, value in changes.items():
        setattr(config, key, value)
    return build_model(config, ShapesWorld(0), seed=0).eval()


@pytest.fixture(params=list(ENCODERS), ids=list(ENCODERS))
def any_model(request) -> TinyCLIP:
    return _model(**ENCODERS[request.param])


@pytest.fixture
def batch():
    return ShapesWorld(0).sample_batch(6)


def test_image_encoders_are_the_requested_kind():
    assert type(_model(**ENCODERS["vit"]).visual).__name__ == "ViTEncoder"
    resnet = _model(**ENCODERS["resnet-attention"]).visual
    assert type(resnet).__name__ == "ResNetEncoder" and resnet.pool is not None
    assert _model(**ENCODERS["resnet-mean"]).visual.pool is None
    with pytest.raises(ValueError):
        _model(image_encoder="mlp")


def test_embeddings_have_unit_norm_and_shape(any_model, batch):
    embed_dim = any_model.config.embed_dim
    with torch.no_grad():
        I_e = any_model.encode_image(batch.images)
        T_e = any_model.encode_text(any_model.tokenizer(batch.captions[:4]))
    assert I_e.shape == (6, embed_dim) and T_e.shape == (4, embed_dim)
    assert torch.isfinite(I_e).all() and torch.isfinite(T_e).all()
    assert torch.allclose(I_e.norm(dim=-1), torch.ones(6), atol=1e-5)
    assert torch.allclose(T_e.norm(dim=-1), torch.ones(4), atol=1e-5)


def test_unnormalized_embeddings_are_the_normalized_ones_before_scaling(any_model, batch):
    with torch.no_grad():
        raw = any_model.encode_image(batch.images, normalize=False)
        unit = any_model.encode_image(batch.images)
    assert not torch.allclose(raw.norm(dim=-1), torch.ones(6), atol=1e-3)
    assert torch.allclose(raw / raw.norm(dim=-1, keepdim=True), unit, atol=1e-6)


def test_forward_is_scaled_cosine_matrix(any_model, batch):
    tokens = any_model.tokenizer(batch.captions[:4])  # fewer texts than images: not square
    with torch.no_grad():
        logits = any_model(batch.images, tokens)
        expected = any_model.encode_image(batch.images) @ any_model.encode_text(tokens).T * any_model.scale()
    assert logits.shape == (6, 4)
    assert torch.allclose(logits, expected, atol=1e-5)
    assert logits.abs().max() <= any_model.scale() + 1e-4  # cosines times the scale


def test_text_after_eot_does_not_change_the_embedding(nano):
    tokenizer = nano.tokenizer
    tokens = tokenizer(["a red circle", "a photo of a small blue ring at the top left."])
    length = (tokens != tokenizer.pad_id).sum(dim=1)  # [n] slots used up to and including <eot>
    changed = tokens.clone()
    generator = torch.Generator().manual_seed(0)
    for i, used in enumerate(length.tolist()):
        # any ids below <eot> (so <eot> stays the argmax), including <sot> and real words
        changed[i, used:] = torch.randint(0, tokenizer.eot_id, (tokenizer.context_length - used,), generator=generator)
    assert not torch.equal(changed, tokens)
    with torch.no_grad():
        assert torch.allclose(nano.encode_text(changed), nano.encode_text(tokens), atol=1e-6)


def test_a_word_before_eot_changes_the_embedding(nano):
    with torch.no_grad():
        red, blue = nano.encode_text(nano.tokenizer(["a red circle", "a blue circle"]))
        circle, ring = nano.encode_text(nano.tokenizer(["a small red circle", "a small red ring"]))
    assert not torch.allclose(red, blue, atol=1e-4)
    assert not torch.allclose(circle, ring, atol=1e-4)


def test_the_first_word_still_reaches_the_eot_token(nano):
    # causal attention: the <eot> position sees every earlier word, even the first one
    with torch.no_grad():
        one, other = nano.encode_text(nano.tokenizer(["red circle", "blue circle"]))
    assert not torch.allclose(one, other, atol=1e-4)


def test_logit_scale_starts_at_one_over_0_07(nano):
    assert nano.scale().item() == pytest.approx(1 / 0.07, rel=1e-5)
    assert nano.scale().item() == pytest.approx(14.2857, abs=1e-3)
    assert nano.logit_scale.item() == pytest.approx(math.log(1 / 0.07), rel=1e-6)
    assert nano.logit_scale.requires_grad


def test_scale_is_clamped_at_100(nano):
    with torch.no_grad():
        nano.logit_scale.data.fill_(math.log(1000.0))
    assert nano.scale().item() == pytest.approx(100.0)
    with torch.no_grad():
        nano.logit_scale.data.fill_(math.log(50.0))
    assert nano.scale().item() == pytest.approx(50.0, rel=1e-5)  # below the clamp it is exp(t)


def test_fixed_temperature_is_not_a_trainable_parameter():
    config = ModelConfig(learn_temperature=False, init_temperature=0.1)
    model = build_model(config, ShapesWorld(0))
    assert not model.logit_scale.requires_grad
    assert model.scale().item() == pytest.approx(10.0, rel=1e-5)


def test_model_takes_vocabulary_and_context_from_its_tokenizer(nano):
    assert nano.config.vocab_size == nano.tokenizer.vocab_size
    assert nano.text.token_embedding.num_embeddings == nano.tokenizer.vocab_size
    assert nano.config.context_length == nano.tokenizer.context_length


def test_same_seed_builds_identical_weights():
    first, second, other = (_model(), _model(), build_model(get_preset("nano").model, ShapesWorld(0), seed=1))
    first_state, second_state = first.state_dict(), second.state_dict()
    assert all(torch.equal(first_state[k], second_state[k]) for k in first_state)
    assert not torch.equal(first.image_projection, other.image_projection)


def test_a_scale_at_the_clamp_can_still_come_down():
    """exp(log 100) is 100.0000076 in float32: a plain clamp would freeze the scale there."""
    model = TinyCLIP(ModelConfig(vocab_size=8))
    with torch.no_grad():
        model.logit_scale.fill_(math.log(100.0))
    scale = model.scale()
    assert scale.item() <= 100.0
    scale.backward()
    assert model.logit_scale.grad.item() == pytest.approx(100.0, rel=1e-5)  # d exp(t) / dt, not 0
