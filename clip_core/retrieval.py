"""Retrieval with a CLIP: text -> image and image -> image by cosine similarity (paper 3.1)."""

from __future__ import annotations

import torch


@torch.no_grad()
def embed_gallery(model, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Unit image embeddings [N, d_e] of a gallery, computed in chunks."""
    model.eval()
    return torch.cat([model.encode_image(images[i : i + batch_size]) for i in range(0, len(images), batch_size)])


def _as_embeddings(model, gallery: torch.Tensor) -> torch.Tensor:
    # a 4-D tensor is a stack of images; a 2-D one is already embedded
    return embed_gallery(model, gallery) if gallery.ndim == 4 else gallery


@torch.no_grad()
def search_images(model, text: str, gallery: torch.Tensor, k: int = 5,
                  tokenizer=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k gallery images for a text: (indices [k], cosine similarities [k]), best first.

    Args:
        gallery: images [N, 3, H, W] or their unit embeddings [N, d_e].
        tokenizer: defaults to the model's own.
    """
    model.eval()
    tokenizer = tokenizer or model.tokenizer
    T_e = model.encode_text(tokenizer([text]))[0]  # [d_e]
    scores = _as_embeddings(model, gallery) @ T_e  # [N]
    top = scores.topk(min(k, len(scores)))
    return top.indices, top.values


@torch.no_grad()
def similar_images(model, image: torch.Tensor, gallery: torch.Tensor, k: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k gallery images closest to an image [3, H, W]: (indices [k], cosines [k])."""
    model.eval()
    I_e = model.encode_image(image[None])[0]  # [d_e]
    scores = _as_embeddings(model, gallery) @ I_e  # [N]
    top = scores.topk(min(k, len(scores)))
    return top.indices, top.values
