"""TinyCLIP: two towers, linear projections, L2 normalisation and a learned temperature.

The forward pass mirrors the pseudocode of the CLIP paper (Radford et al. 2021, Figure 3):

    I_f = image_encoder(I)                  # [n, d_i]
    T_f = text_encoder(T)                   # [n, d_t]
    I_e = l2_normalize(I_f @ W_i)           # [n, d_e]
    T_e = l2_normalize(T_f @ W_t)           # [n, d_e]
    logits = I_e @ T_e.T * exp(t)           # [n, n]

A model configured for SigLIP (`init_logit_bias` set) also learns a bias b: logits = ... + b
(Zhai et al. 2023, Algorithm 1).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig
from .encoders import ResNetEncoder, TextEncoder, ViTEncoder
from .tokenizer import Tokenizer


class TinyCLIP(nn.Module):
    """A small CLIP. Same computation as openai/CLIP; only the sizes differ.

    Args:
        config: model shape; `config.vocab_size` must match the tokenizer.
        tokenizer: the tokenizer whose ids this model reads (kept with the weights).
    """

    def __init__(self, config: ModelConfig, tokenizer: Tokenizer | None = None):
        super().__init__()
        if tokenizer is not None:
            config.vocab_size, config.context_length = tokenizer.vocab_size, tokenizer.context_length
        self.config = config
        self.tokenizer = tokenizer
        if config.image_encoder == "vit":
            self.visual = ViTEncoder(config)
        elif config.image_encoder == "resnet":
            self.visual = ResNetEncoder(config)
        else:
            raise ValueError(f"image_encoder must be 'vit' or 'resnet', not {config.image_encoder!r}")
        self.text = TextEncoder(config)
        # W_i and W_t of the paper: learned linear maps into the joint embedding space
        self.image_projection = nn.Parameter(torch.randn(self.visual.width, config.embed_dim) * self.visual.width**-0.5)
        self.text_projection = nn.Parameter(torch.randn(self.text.width, config.embed_dim) * self.text.width**-0.5)
        # t of the paper: the log of the inverse temperature, so exp(t) stays positive
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / config.init_temperature)),
                                        requires_grad=config.learn_temperature)
        # b of SigLIP: starts very negative so that sigmoid(logit) of the n^2 - n negatives starts near 0
        self.logit_bias: nn.Parameter | None = None
        if config.init_logit_bias is not None:
            self.logit_bias = nn.Parameter(torch.tensor(float(config.init_logit_bias)))

    def scale(self) -> torch.Tensor:
        """exp(t), clamped at max_logit_scale (the paper: 'to prevent scaling by more than 100').

        The value never exceeds the clamp, but the gradient is that of exp(t) everywhere, as when
        only the parameter is clipped after each step (open_clip, and Trainer here). A plain
        `.clamp()` would give exactly zero gradient at the clamp: in float32 exp(log 100) is
        100.0000076, just above it, so a scale that reached 100 could never come back down.
        """
        scale = self.logit_scale.exp()
        return scale - (scale - self.config.max_logit_scale).clamp(min=0).detach()

    def encode_image(self, images: torch.Tensor, normalize: bool = True) -> torch.Tensor:
        """Images [n, 3, H, W] in [0, 1] -> embeddings [n, d_e] (unit length if normalize)."""
        I_f = self.visual(images)  # [n, d_i]
        I_e = I_f @ self.image_projection  # [n, d_e]
        return F.normalize(I_e, dim=-1) if normalize else I_e

    def encode_text(self, tokens: torch.Tensor, normalize: bool = True) -> torch.Tensor:
        """Token ids [n, L] -> embeddings [n, d_e] (unit length if normalize)."""
        T_f = self.text(tokens)  # [n, d_t]
        T_e = T_f @ self.text_projection  # [n, d_e]
        return F.normalize(T_e, dim=-1) if normalize else T_e

    def forward(self, images: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """Return logits_per_image [n_images, n_texts]; logits_per_text is its transpose."""
        # joint multimodal embeddings, L2-normalised so that a dot product is a cosine
        I_e = self.encode_image(images)  # [n, d_e]
        T_e = self.encode_text(tokens)  # [n, d_e]
        # scaled pairwise cosine similarities
        logits = I_e @ T_e.T * self.scale()  # [n, n]
        if self.logit_bias is not None:  # SigLIP's learned bias (a softmax ignores it)
            logits = logits + self.logit_bias
        return logits

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
