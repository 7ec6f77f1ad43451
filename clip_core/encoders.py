"""The two towers of CLIP, small enough for a laptop CPU.

Follows openai/CLIP `clip/model.py`: a Vision Transformer (patchify, class token, pre-LN blocks,
LN on the class token), a modified ResNet with attention pooling, and a causal text transformer
whose output is read at the <eot> token. Each encoder returns features (`I_f` or `T_f`); the
projection into the joint space lives in TinyCLIP, as in the paper's pseudocode.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig


class SelfAttention(nn.Module):
    """Multi-head self-attention with an optional causal mask."""

    def __init__(self, width: int, heads: int, causal: bool = False):
        super().__init__()
        if width % heads:
            raise ValueError(f"width {width} is not divisible by heads {heads}")
        self.heads, self.causal = heads, causal
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, length, width = x.shape
        q, k, v = self.qkv(x).split(width, dim=-1)  # 3 x [n, L, w]
        head_width = width // self.heads
        q, k, v = (t.view(n, length, self.heads, head_width).transpose(1, 2) for t in (q, k, v))  # [n, h, L, w/h]
        y = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal)  # [n, h, L, w/h]
        return self.out(y.transpose(1, 2).reshape(n, length, width))  # [n, L, w]


class Block(nn.Module):
    """Pre-LN transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, width: int, heads: int, causal: bool = False):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = SelfAttention(width, heads, causal)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


def _to_signed(images: torch.Tensor) -> torch.Tensor:
    # Images arrive in [0, 1]; centring them helps the first layer (CLIP normalises by dataset stats).
    return images * 2.0 - 1.0


class ViTEncoder(nn.Module):
    """Vision Transformer: patches + class token + positions -> pre-LN blocks -> LN(class token)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        if config.image_size % config.patch_size:
            raise ValueError("image_size must be a multiple of patch_size")
        width, grid = config.vision_width, config.image_size // config.patch_size
        self.grid = grid
        self.patchify = nn.Conv2d(3, width, kernel_size=config.patch_size, stride=config.patch_size)
        self.class_embedding = nn.Parameter(torch.randn(width) * width**-0.5)
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, width) * 0.02)
        self.ln_pre = nn.LayerNorm(width)
        self.blocks = nn.Sequential(*[Block(width, config.vision_heads) for _ in range(config.vision_layers)])
        self.ln_post = nn.LayerNorm(width)
        self.width = width

    def forward(self, images: torch.Tensor, return_tokens: bool = False) -> torch.Tensor:
        x = self.patchify(_to_signed(images))  # [n, w, g, g]
        x = x.flatten(2).transpose(1, 2)  # [n, g*g, w]
        cls = self.class_embedding.expand(x.shape[0], 1, -1)  # [n, 1, w]
        x = torch.cat([cls, x], dim=1) + self.positional_embedding  # [n, 1 + g*g, w]
        x = self.blocks(self.ln_pre(x))  # [n, 1 + g*g, w]
        x = self.ln_post(x)
        # the class token summarises the image; the patch tokens are kept for localisation
        return x if return_tokens else x[:, 0]  # [n, w]


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and an identity (or 1x1 strided) shortcut."""

    def __init__(self, in_width: int, out_width: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_width, out_width, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_width)
        self.conv2 = nn.Conv2d(out_width, out_width, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_width)
        self.shortcut = nn.Identity()
        if stride != 1 or in_width != out_width:
            self.shortcut = nn.Sequential(nn.Conv2d(in_width, out_width, 1, stride, bias=False),
                                          nn.BatchNorm2d(out_width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class AttentionPool(nn.Module):
    """CLIP's attention pooling: the mean token (plus positions) queries all spatial tokens."""

    def __init__(self, tokens: int, width: int, heads: int):
        super().__init__()
        self.positional_embedding = nn.Parameter(torch.randn(tokens + 1, width) * width**-0.5)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(2).transpose(1, 2)  # [n, h*w, c]
        x = torch.cat([x.mean(dim=1, keepdim=True), x], dim=1) + self.positional_embedding  # [n, 1 + h*w, c]
        pooled, _ = self.attn(x[:, :1], x, x, need_weights=False)  # [n, 1, c]
        return pooled[:, 0]  # [n, c]


class ResNetEncoder(nn.Module):
    """Small residual CNN; each stage halves the resolution; attention or mean pooling."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        widths = list(config.resnet_widths)
        if widths[-1] != config.vision_width:
            widths[-1] = config.vision_width  # the last stage sets the feature width
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU())
        stages, in_width = [], widths[0]
        for i, width in enumerate(widths):
            for j in range(config.vision_layers):
                stages.append(ResidualBlock(in_width, width, stride=2 if (j == 0 and i > 0) else 1))
                in_width = width
        self.stages = nn.Sequential(*stages)
        side = config.image_size // 2 ** (len(widths) - 1)
        self.pool = (AttentionPool(side * side, widths[-1], config.vision_heads)
                     if config.resnet_pool == "attention" else None)
        self.width = widths[-1]

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.stages(self.stem(_to_signed(images)))  # [n, c, h, w]
        return self.pool(x) if self.pool is not None else x.mean(dim=(2, 3))  # [n, c]


class TextEncoder(nn.Module):
    """Causal pre-LN transformer over tokens; the feature is read at the <eot> position."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        width = config.text_width
        self.token_embedding = nn.Embedding(config.vocab_size, width)
        self.positional_embedding = nn.Parameter(torch.randn(config.context_length, width) * 0.01)
        self.blocks = nn.Sequential(*[Block(width, config.text_heads, causal=True) for _ in range(config.text_layers)])
        self.ln_final = nn.LayerNorm(width)
        self.width = width
        nn.init.normal_(self.token_embedding.weight, std=0.02)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.token_embedding(tokens) + self.positional_embedding  # [n, L, w]
        x = self.ln_final(self.blocks(x))  # [n, L, w]
        # <eot> has the highest id, so argmax finds it; with a causal mask it has seen the whole text
        return x[torch.arange(x.shape[0]), tokens.argmax(dim=-1)]  # [n, w]
