"""Model computations the lessons share: demo batches, their embeddings, the logits data.

Everything a figure shows is computed here from the real model (clip_core), so the app tests can
recompute the same numbers independently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from clip_core import ShapesWorld, TinyCLIP
from clip_core.data import Batch
from clip_core.loss import loss_breakdown

from .heatmap import LogitsData
from .plotting import thumbnail_uri

N_MIN, N_MAX = 2, 64
LOG_TAU_MIN, LOG_TAU_MAX = -2.0, 0.5  # the temperature slider spans tau = 0.01 ... 3.16


def demo_batch(world: ShapesWorld, n: int, seed: int) -> Batch:
    """The batch a lesson shows for (n, seed): always the same images and captions."""
    rng = np.random.default_rng([world.seed, 7, int(seed)])
    return world.sample_batch(int(n), "train", rng)


def shuffled_order(n: int, seed: int) -> np.ndarray:
    """A derangement-ish permutation of the captions (seeded), for the 'shuffle captions' view."""
    rng = np.random.default_rng([int(seed), 11])
    order = rng.permutation(n)
    while n > 1 and (order == np.arange(n)).any():
        order = rng.permutation(n)
    return order


@dataclass
class Embedded:
    """A batch embedded by one model: unit vectors, ready for any temperature."""

    I_e: torch.Tensor  # [n, d_e]
    T_e: torch.Tensor  # [n, d_e]
    captions: list[str]
    learned_scale: float


@torch.no_grad()
def embed_batch(model: TinyCLIP, batch: Batch, caption_order: np.ndarray | None = None) -> Embedded:
    model.eval()
    captions = batch.captions if caption_order is None else [batch.captions[j] for j in caption_order]
    I_e = model.encode_image(batch.images)  # [n, d_e]
    T_e = model.encode_text(model.tokenizer(captions))  # [n, d_e]
    return Embedded(I_e, T_e, captions, model.scale().item())


def tau_to_scale(log10_tau: float) -> float:
    return float(10.0 ** -float(log10_tau))


def scale_to_log10_tau(scale: float) -> float:
    return round(-math.log10(scale), 3)


def logits_data(embedded: Embedded, scale: float, thumbnails: list[str] | None = None) -> LogitsData:
    """The logits matrix I_e @ T_e.T * scale with both softmaxes and the per-row/column losses."""
    cosine = embedded.I_e @ embedded.T_e.T  # [n, n]
    logits = cosine * scale  # [n, n]
    parts = loss_breakdown(logits)
    return LogitsData(
        cosine=cosine.numpy(), logits=logits.numpy(),
        p_image_to_text=parts.p_image_to_text.numpy(), p_text_to_image=parts.p_text_to_image.numpy(),
        per_image=parts.per_image.numpy(), per_text=parts.per_text.numpy(), total=parts.total,
        scale=scale, captions=embedded.captions, thumbnails=thumbnails,
    )


def thumbnails(batch: Batch) -> list[str]:
    return [thumbnail_uri(image) for image in batch.images.numpy()]
