"""The symmetric contrastive loss: parity with transformers, ln n at chance, the breakdown."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from transformers.models.clip.modeling_clip import image_text_contrastive_loss

from clip_core.config import get_preset
from clip_core.data import ShapesWorld
from clip_core.loss import clip_loss, loss_breakdown
from clip_core.train import build_model


@pytest.mark.parametrize("n", [2, 7, 64])
def test_clip_loss_matches_transformers(n):
    generator = torch.Generator().manual_seed(n)
    logits = torch.randn(n, n, generator=generator) * 5  # far from chance, not symmetric
    expected = image_text_contrastive_loss(logits)
    assert torch.allclose(clip_loss(logits), expected, atol=1e-6, rtol=1e-6)


def test_clip_loss_is_symmetric_in_images_and_texts():
    logits = torch.randn(9, 9, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(clip_loss(logits), clip_loss(logits.T), atol=1e-6)
    # and it is not just one direction: a one-sided loss differs from the mean of both
    one_sided = F.cross_entropy(logits, torch.arange(9))
    assert not torch.allclose(clip_loss(logits), one_sided, atol=1e-3)


@pytest.mark.parametrize("n", [2, 7, 64])
@pytest.mark.parametrize("value", [0.0, 3.5, -20.0])
def test_clip_loss_is_ln_n_when_all_logits_are_equal(n, value):
    logits = torch.full((n, n), value)
    assert clip_loss(logits).item() == pytest.approx(math.log(n), rel=1e-6)


def test_clip_loss_is_near_zero_for_a_confident_correct_matrix():
    logits = torch.eye(8) * 100.0
    assert clip_loss(logits).item() < 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [32, 64])
def test_loss_at_initialisation_is_near_ln_n(seed, n):
    # the app's default model (ViT image tower) on a real batch: at chance the loss is ln n
    world = ShapesWorld(0)
    model = build_model(get_preset("default").model, world, seed=seed).eval()
    batch = world.sample_batch(n, rng=np.random.default_rng(seed))
    with torch.no_grad():
        loss = clip_loss(model(batch.images, model.tokenizer(batch.captions))).item()
    assert math.isfinite(loss)
    assert abs(loss - math.log(n)) < 0.15 * math.log(n)


@pytest.mark.parametrize("n", [2, 7, 64])
def test_loss_breakdown_matches_an_independent_computation(n):
    logits = torch.randn(n, n, generator=torch.Generator().manual_seed(100 + n)) * 4
    breakdown = loss_breakdown(logits)

    # row softmax sums to 1 over texts, column softmax sums to 1 over images
    assert torch.allclose(breakdown.p_image_to_text.sum(dim=1), torch.ones(n), atol=1e-6)
    assert torch.allclose(breakdown.p_text_to_image.sum(dim=0), torch.ones(n), atol=1e-6)
    assert breakdown.total == pytest.approx(clip_loss(logits).item(), rel=1e-6, abs=1e-6)

    # per_image[i] = -log softmax(row i)[i]; per_text[j] = -log softmax(column j)[j]
    per_image = torch.tensor([F.cross_entropy(logits[i][None], torch.tensor([i])).item() for i in range(n)])
    per_text = torch.tensor([F.cross_entropy(logits[:, j][None], torch.tensor([j])).item() for j in range(n)])
    assert torch.allclose(breakdown.per_image, per_image, atol=1e-5)
    assert torch.allclose(breakdown.per_text, per_text, atol=1e-5)
    assert breakdown.loss_image_to_text == pytest.approx(per_image.mean().item(), rel=1e-5)
    assert breakdown.loss_text_to_image == pytest.approx(per_text.mean().item(), rel=1e-5)

    # both probability matrices are proper softmaxes of the same logits
    exp = torch.exp(logits)
    assert torch.allclose(breakdown.p_image_to_text, exp / exp.sum(dim=1, keepdim=True), atol=1e-6)
    assert torch.allclose(breakdown.p_text_to_image, exp / exp.sum(dim=0, keepdim=True), atol=1e-6)


def test_loss_breakdown_tells_rows_from_columns():
    # a matrix whose rows are easy and columns are hard: the two directions must differ
    logits = torch.tensor([[5.0, 0.0], [5.0, 6.0]])
    breakdown = loss_breakdown(logits)
    assert breakdown.per_image[0] < breakdown.per_text[0]
    assert breakdown.loss_image_to_text != pytest.approx(breakdown.loss_text_to_image)
