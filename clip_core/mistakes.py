"""Classic mistakes of toy CLIP re-implementations, as switches; all off is the correct CLIP.

Each switch departs from the paper (Radford et al. 2021, Figure 3 and section 2.5) in one
place. Several come from a much-copied tutorial, moein-shariatnia/OpenAI-CLIP `CLIP.py`
(soft targets, no L2 normalisation, temperature fixed at 1.0):

    I_e = l2_normalize(I_f @ W_i)           no_l2_norm: I_e = I_f @ W_i
    T_e = l2_normalize(T_f @ W_t)           no_l2_norm: T_e = T_f @ W_t
    scale = min(exp(t), 100)                no_clamp: exp(t); fixed_temperature_one: 1, not learned
    logits = I_e @ T_e.T * scale            # [n, n]
    labels = arange(n)                      soft_targets: softmax((I_e @ I_e.T + T_e @ T_e.T) / 2 * scale)
    loss = (CE(rows) + CE(columns)) / 2     one_direction: CE(rows), image -> text only
    no caption describes two batch images   duplicate_captions: it may (false negatives)

`Trainer(model, world, config, mistakes=Mistakes(...))` trains with them (objectives.WithMistakes
also skips the clamp after each step under `no_clamp` and lets batches hold duplicate captions).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig
from .loss import clip_loss
from .model import TinyCLIP


@dataclass(frozen=True)
class Mistakes:
    """Switches for classic mistakes; the default (all False) is the correct CLIP."""

    soft_targets: bool = False  # targets from the batch's own similarities instead of labels arange(n)
    no_l2_norm: bool = False  # dot products of the raw projections instead of cosine similarities
    no_clamp: bool = False  # exp(t) may pass max_logit_scale: no clamp in scale() nor after a step
    one_direction: bool = False  # image -> text cross-entropy (rows) only, no text -> image term
    duplicate_captions: bool = False  # a caption may also describe other images of its batch
    fixed_temperature_one: bool = False  # scale fixed at 1 (tau = 1), not learned

    def active(self) -> list[str]:
        """Names of the switches that are on."""
        return [f.name for f in dataclasses.fields(self) if getattr(self, f.name)]

    def any(self) -> bool:
        return bool(self.active())

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Mistakes:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown mistakes: {sorted(unknown)}; known: {sorted(known)}")
        return cls(**{k: bool(v) for k, v in data.items()})


MISTAKE_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Mistakes))


def mistaken_config(config: ModelConfig, mistakes: Mistakes) -> ModelConfig:
    """The model config a run with these mistakes starts from: under `fixed_temperature_one` the
    logit scale is created at exp(0) = 1 and frozen, so the model itself (and its checkpoint)
    carries the temperature it was trained at. Every other weight is initialised the same."""
    if mistakes.fixed_temperature_one:
        return dataclasses.replace(config, init_temperature=1.0, learn_temperature=False)
    return dataclasses.replace(config)


class MistakenCLIP(nn.Module):
    """A view of a TinyCLIP that scores pairs with the mistakes on (the interface of TinyCLIP).

    Zero-shot, retrieval and the logits views can take it in place of the model, so a mistaken
    model is evaluated the way it was trained. Under `no_l2_norm` the encoders return the raw
    projections even when asked to normalise: that is the mistake.

    Args:
        clip: the TinyCLIP whose weights are used (and trained).
        mistakes: which switches are on.
    """

    def __init__(self, clip: TinyCLIP, mistakes: Mistakes):
        super().__init__()
        self.clip = clip
        self.mistakes = mistakes

    @property
    def tokenizer(self):
        return self.clip.tokenizer

    @property
    def config(self) -> ModelConfig:
        return self.clip.config

    def encode_image(self, images: torch.Tensor, normalize: bool = True) -> torch.Tensor:
        return self.clip.encode_image(images, normalize=normalize and not self.mistakes.no_l2_norm)

    def encode_text(self, tokens: torch.Tensor, normalize: bool = True) -> torch.Tensor:
        return self.clip.encode_text(tokens, normalize=normalize and not self.mistakes.no_l2_norm)

    def scale(self) -> torch.Tensor:
        """The logit scale training multiplies by: 1, exp(t) unclamped, or the model's own."""
        if self.mistakes.fixed_temperature_one:
            return torch.ones((), dtype=self.clip.logit_scale.dtype)
        if self.mistakes.no_clamp:
            return self.clip.logit_scale.exp()
        return self.clip.scale()

    def forward(self, images: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """logits_per_image [n, n], computed as the mistaken training computes them."""
        I_e = self.encode_image(images)  # [n, d_e]
        T_e = self.encode_text(tokens)  # [n, d_e]
        return I_e @ T_e.T * self.scale()  # [n, n]

    def training_loss(self, images: torch.Tensor, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, logits_per_image) of one batch, with every switch applied."""
        I_e = self.encode_image(images)  # [n, d_e]
        T_e = self.encode_text(tokens)  # [n, d_e]
        scale = self.scale()
        logits_per_image = I_e @ T_e.T * scale  # [n, n]
        return mistaken_loss(logits_per_image, I_e, T_e, scale, self.mistakes), logits_per_image


def soft_targets(I_e: torch.Tensor, T_e: torch.Tensor, scale: torch.Tensor | float) -> torch.Tensor:
    """The tutorial's targets: softmax((I_e @ I_e.T + T_e @ T_e.T) / 2 * scale, dim=-1), [n, n].

    Pairs whose images or captions resemble each other share target mass, so the diagonal is
    never 1. The tutorial multiplies by its temperature 1.0; here the logits' own scale is used,
    as a constant (detached) like the tutorial's, so this switch stays independent of the others.
    Gradients do flow through the embeddings in the targets, as in the tutorial (no detach there).
    """
    images_similarity = I_e @ I_e.T  # [n, n]
    texts_similarity = T_e @ T_e.T  # [n, n]
    scale = scale.detach() if isinstance(scale, torch.Tensor) else scale
    return F.softmax((images_similarity + texts_similarity) / 2 * scale, dim=-1)  # [n, n]


def soft_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean over rows of -sum_j targets[i, j] * log_softmax(logits[i])[j]."""
    return (-targets * logits.log_softmax(dim=-1)).sum(dim=1).mean()


def mistaken_loss(logits_per_image: torch.Tensor, I_e: torch.Tensor, T_e: torch.Tensor,
                  scale: torch.Tensor | float, mistakes: Mistakes) -> torch.Tensor:
    """CLIP's loss with `soft_targets` and `one_direction` applied; both off = `clip_loss`, exactly.

    Args:
        logits_per_image: [n, n] images on rows.
        I_e, T_e: the [n, d_e] embeddings the logits came from (soft targets are built from them).
        scale: the logit scale the logits were multiplied by.
        mistakes: only `soft_targets` and `one_direction` matter here.
    """
    if mistakes.soft_targets:
        # the tutorial's orientation: its text rows get `targets` and its image rows `targets.T`,
        # whose rows need not sum to 1 (a second slip it carries)
        targets = soft_targets(I_e, T_e, scale)  # [n, n]
        loss_i = soft_cross_entropy(logits_per_image, targets.T)
        loss_t = soft_cross_entropy(logits_per_image.T, targets)
        return loss_i if mistakes.one_direction else (loss_i + loss_t) / 2
    if mistakes.one_direction:
        labels = torch.arange(logits_per_image.shape[0], device=logits_per_image.device)  # [n]
        return F.cross_entropy(logits_per_image, labels)  # each image picks its text (rows) only
    return clip_loss(logits_per_image)
