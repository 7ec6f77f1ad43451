"""What one training step optimises: the captions a batch is scored against, the loss, the bound on t.

`Objective` is the paper's recipe (Radford et al. 2021, Figure 3 and section 2.5): each image
against the captions of its batch, the configured loss on the [n, n] logits (CLIP's softmax loss
or SigLIP's sigmoid loss, loss.py), and exp(t) clamped at max_logit_scale after each step. Each
variant changes what it names and nothing else:

    HardNegatives   the swapped captions of two-object scenes are extra columns (NegCLIP, loss.py)
    WithMistakes    pairs are scored and the loss computed with classic mistakes on (mistakes.py)

`objective_for` picks one from a recipe; `Trainer.step` calls it and knows no variant.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from .config import TrainConfig
from .data import Batch
from .loss import clip_loss, hard_negative_clip_loss, siglip_loss
from .mistakes import MistakenCLIP, Mistakes
from .model import TinyCLIP
from .scenes import PairBatch, batch_hard_negatives

LOSSES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {"clip": clip_loss, "siglip": siglip_loss}


class Objective:
    """The paper's recipe with one loss of LOSSES.

    Args:
        model: the model trained; `self.model` is what scores pairs (a variant may wrap it).
        loss: maps logits_per_image [n, n] to a scalar.
    """

    allow_ambiguous = False  # batches may hold captions that describe two of their images

    def __init__(self, model: TinyCLIP, loss: Callable[[torch.Tensor], torch.Tensor]):
        self.model = model
        self.loss = loss

    def captions(self, batch: Batch) -> list[str]:
        """The texts the batch's n images are scored against; the first n are their own captions."""
        return batch.captions

    def __call__(self, images: torch.Tensor, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, logits_per_image [n, n]) of n images and the tokens of `captions(batch)`."""
        logits_per_image = self.model(images, tokens)  # [n, n]
        return self.loss(logits_per_image), logits_per_image

    def max_log_scale(self) -> float:
        """The ceiling on t after each step, so that exp(t) <= max_logit_scale (as open_clip)."""
        return math.log(self.model.config.max_logit_scale)


class HardNegatives(Objective):
    """CLIP's loss with the swapped captions of each two-object scene as extra columns (NegCLIP).
    A batch of one-object scenes has none, and its loss is then `clip_loss`."""

    def __init__(self, model: TinyCLIP):
        super().__init__(model, hard_negative_clip_loss)

    def captions(self, batch: Batch) -> list[str]:
        negatives = batch_hard_negatives(batch) if isinstance(batch, PairBatch) else []
        return batch.captions + negatives

    def __call__(self, images: torch.Tensor, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n = len(images)
        logits_per_image = self.model(images, tokens)  # [n, n + n_neg]: negatives are extra columns
        return self.loss(logits_per_image), logits_per_image[:, :n]  # [n, n]: the true captions only


class WithMistakes(Objective):
    """CLIP's loss with classic mistakes on: a `MistakenCLIP` scores pairs and computes the loss."""

    def __init__(self, model: TinyCLIP, mistakes: Mistakes):  # no `loss`: training_loss computes it
        self.model = MistakenCLIP(model, mistakes)
        self.mistakes = mistakes
        self.allow_ambiguous = mistakes.duplicate_captions

    def __call__(self, images: torch.Tensor, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model.training_loss(images, tokens)  # logits_per_image [n, n]

    def max_log_scale(self) -> float:
        return math.inf if self.mistakes.no_clamp else super().max_log_scale()


def objective_for(model: TinyCLIP, config: TrainConfig, mistakes: Mistakes | None = None) -> Objective:
    """The objective of a recipe: its loss, hard negatives or mistakes (at most one of the two).

    Raises:
        ValueError: for an unknown loss, a sigmoid loss without a bias, or a variant with SigLIP
            (both extend CLIP's softmax recipe), or both variants at once.
    """
    mistakes = mistakes or Mistakes()
    if config.loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, not {config.loss!r}")
    if config.loss == "siglip" and model.logit_bias is None:
        raise ValueError("the sigmoid loss needs a model with a logit bias: build it from siglip_config(...)")
    if config.loss == "siglip" and mistakes.any():
        raise ValueError("the mistakes change CLIP's softmax recipe: train them with loss='clip'")
    if config.hard_negatives and (config.loss != "clip" or mistakes.any()):
        raise ValueError("hard negatives extend CLIP's softmax loss: train them with loss='clip' and no mistakes")
    if mistakes.any():
        return WithMistakes(model, mistakes)
    if config.hard_negatives:
        return HardNegatives(model)
    return Objective(model, LOSSES[config.loss])
