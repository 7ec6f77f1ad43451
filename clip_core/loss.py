"""The symmetric contrastive loss of CLIP (Radford et al. 2021, Figure 3; open_clip `loss.py`).

    labels = np.arange(n)
    loss_i = cross_entropy_loss(logits, labels, axis=0)
    loss_t = cross_entropy_loss(logits, labels, axis=1)
    loss   = (loss_i + loss_t) / 2

Row i of `logits_per_image` scores image i against every text; its correct text is text i.

And the pairwise sigmoid loss of SigLIP (Zhai et al. 2023, Algorithm 1), which scores every pair
on its own instead of normalising over a row or a column:

    logits = dot(zimg, ztxt.T) * t_prime.exp() + b
    labels = 2 * eye(n) - ones(n)  # -1 with diagonal 1
    l = -sum(log_sigmoid(labels * logits)) / n

And CLIP's loss with hard negative captions (NegCLIP, Yuksekgonul et al. 2023, section 4): the
extra captions are more columns of the image->text softmax; the text->image direction is
unchanged, since a hard negative caption has no image of its own.

    logits = [logits_true | logits_negatives]  # [n, n + n_neg]
    loss_i = cross_entropy_loss(logits, labels, axis=1)
    loss_t = cross_entropy_loss(logits[:, :n], labels, axis=0)
    loss   = (loss_i + loss_t) / 2
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


def clip_loss(logits_per_image: torch.Tensor) -> torch.Tensor:
    """Mean of image->text and text->image cross-entropy with labels arange(n).

    Args:
        logits_per_image: [n, n] scaled cosine similarities, images on rows.
    """
    labels = torch.arange(logits_per_image.shape[0], device=logits_per_image.device)  # [n]
    loss_i = F.cross_entropy(logits_per_image, labels)  # each image picks its text (rows)
    loss_t = F.cross_entropy(logits_per_image.T, labels)  # each text picks its image (columns)
    return (loss_i + loss_t) / 2


def hard_negative_clip_loss(logits_per_image: torch.Tensor) -> torch.Tensor:
    """CLIP's loss with extra negative captions appended as columns (NegCLIP).

    Args:
        logits_per_image: [n, n + n_neg] scaled cosine similarities, images on rows; the first n
            columns are the true captions (caption i of image i), the rest are hard negatives.
            With n_neg = 0 this is clip_loss.
    """
    n = logits_per_image.shape[0]
    labels = torch.arange(n, device=logits_per_image.device)  # [n]
    loss_i = F.cross_entropy(logits_per_image, labels)  # each image picks its text among n + n_neg
    loss_t = F.cross_entropy(logits_per_image[:, :n].T, labels)  # each true text picks its image among n
    return (loss_i + loss_t) / 2


def siglip_loss(logits_per_image: torch.Tensor) -> torch.Tensor:
    """SigLIP's loss: each pair is a binary match / no-match decision, summed, divided by n.

    Args:
        logits_per_image: [n, n] scaled cosine similarities plus the learned bias b, images on
            rows (what a TinyCLIP built with `siglip_config` returns).
    """
    n = logits_per_image.shape[0]
    eye = torch.eye(n, dtype=logits_per_image.dtype, device=logits_per_image.device)  # [n, n]
    labels = 2 * eye - torch.ones_like(eye)  # [n, n]: +1 on the diagonal, -1 elsewhere
    return -F.logsigmoid(labels * logits_per_image).sum() / n


@dataclass
class LossBreakdown:
    """Everything the logits lesson shows about one [n, n] logits matrix."""

    per_image: torch.Tensor  # [n] cross-entropy of row i (image i -> its text)
    per_text: torch.Tensor  # [n] cross-entropy of column j (text j -> its image)
    p_image_to_text: torch.Tensor  # [n, n] row softmax: each row sums to 1
    p_text_to_image: torch.Tensor  # [n, n] column softmax: each column sums to 1
    loss_image_to_text: float
    loss_text_to_image: float
    total: float  # equals clip_loss(logits)


@torch.no_grad()
def loss_breakdown(logits_per_image: torch.Tensor) -> LossBreakdown:
    """Per-row and per-column losses and both softmaxes of a logits matrix."""
    logits = logits_per_image.float()
    p_image_to_text = logits.softmax(dim=1)  # [n, n]
    p_text_to_image = logits.softmax(dim=0)  # [n, n]
    per_image = -logits.log_softmax(dim=1).diagonal()  # [n]
    per_text = -logits.log_softmax(dim=0).diagonal()  # [n]
    loss_i, loss_t = per_image.mean().item(), per_text.mean().item()
    return LossBreakdown(per_image, per_text, p_image_to_text, p_text_to_image, loss_i, loss_t, (loss_i + loss_t) / 2)
