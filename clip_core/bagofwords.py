"""The bag-of-words test on two-object scenes, in the spirit of ARO (Yuksekgonul et al. 2023).

ARO asks whether a model prefers the true caption of an image over the same words in another
order: "the horse is eating the grass" against "the grass is eating the horse" (VG-Relation),
"the paved road and the white house" against "the white road and the paved house"
(VG-Attribution). A model that reads a caption as a bag of words scores both alike and is right
half of the time.

Here every two-object scene of `RelationWorld.pair_test_set` is scored with each relation caption
of its layout ("a red circle left of a blue square", "a blue square right of a red circle")
against the same caption with the colours swapped ("attributes") and with the objects swapped
around the relation ("objects"). The truth wins when its cosine similarity to the image is
strictly higher. Plain retrieval (each image's caption among those of the set) is reported too:
a model can retrieve well and still fail the swaps, since a random set rarely holds a scene and
its swap together.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .model import TinyCLIP
from .scenes import RELATION_PATTERNS, PairBatch, RelationWorld, relation_caption, swap_attributes, swap_objects

SWAPS = {"attributes": swap_attributes, "objects": swap_objects}  # the two kinds of hard negative
N_SCENES, TEST_SEED, IN_BATCH = 256, 4321, 64


@dataclass
class Comparison:
    """One true caption against one swapped caption of the same scene."""

    scene: int  # index into the test set
    kind: str  # "attributes" or "objects"
    true_caption: str
    swapped_caption: str


def comparisons(test: PairBatch) -> list[Comparison]:
    """Every (scene, relation pattern of its layout, kind of swap) comparison, in a fixed order."""
    pairs, rows = test.pairs, []
    swapped = {kind: swap(pairs) for kind, swap in SWAPS.items()}
    for i in range(len(pairs)):
        for pattern, layout in RELATION_PATTERNS:
            if layout != pairs.layout_name(i):
                continue
            for kind in SWAPS:
                rows.append(Comparison(i, kind, relation_caption(pairs, i, pattern),
                                       relation_caption(swapped[kind], i, pattern)))
    return rows


@torch.no_grad()
def caption_similarities(model: TinyCLIP, images: torch.Tensor, captions: list[str]) -> torch.Tensor:
    """Cosine similarity [n_images, n_captions] of images [n, 3, H, W] and captions."""
    model.eval()
    I_e = model.encode_image(images)  # [n, d_e]
    T_e = model.encode_text(model.tokenizer(captions))  # [m, d_e]
    return I_e @ T_e.T  # [n, m]


@torch.no_grad()
def score_captions(model: TinyCLIP, image: torch.Tensor, captions: list[str]) -> tuple[list[float], list[float]]:
    """(cosine similarities, softmax probabilities) of one image [3, H, W] against a few captions:
    the model's own zero-shot choice among them."""
    cosines = caption_similarities(model, image[None], captions)[0]  # [m]
    probabilities = (cosines * model.scale()).softmax(dim=0)  # [m]
    return cosines.tolist(), probabilities.tolist()


@torch.no_grad()
def bag_of_words_report(model: TinyCLIP, world: RelationWorld, n_scenes: int = N_SCENES,
                        seed: int = TEST_SEED) -> dict:
    """How often the true caption beats its swapped versions, per kind, and plain retrieval.

    Returns {"n_scenes", "swaps": {kind: {"correct", "total", "accuracy"}}, "retrieval":
    {"image_to_text", "text_to_image"} among all n_scenes captions, "in_batch": the same within
    consecutive batches of 64}. Chance is 0.5 for the swaps.
    """
    test = world.pair_test_set(n_scenes, seed)
    rows = comparisons(test)
    captions = sorted({c for row in rows for c in (row.true_caption, row.swapped_caption)} | set(test.captions))
    column = {caption: j for j, caption in enumerate(captions)}
    similarity = caption_similarities(model, test.images, captions)  # [n_scenes, captions]

    swaps = {}
    for kind in SWAPS:
        wins = [bool(similarity[r.scene, column[r.true_caption]] > similarity[r.scene, column[r.swapped_caption]])
                for r in rows if r.kind == kind]
        swaps[kind] = {"correct": sum(wins), "total": len(wins), "accuracy": sum(wins) / len(wins)}

    own = similarity[:, [column[c] for c in test.captions]]  # [n, n]: scene i against caption of scene j
    return {"n_scenes": n_scenes, "seed": seed, "swaps": swaps,
            "retrieval": _retrieval(own), "in_batch": _in_batch(own, IN_BATCH)}


def _retrieval(similarity: torch.Tensor) -> dict[str, float]:
    """Top-1 accuracy of both directions of a square similarity matrix (truth on the diagonal)."""
    labels = torch.arange(similarity.shape[0])
    return {"image_to_text": (similarity.argmax(dim=1) == labels).float().mean().item(),
            "text_to_image": (similarity.argmax(dim=0) == labels).float().mean().item()}


def _in_batch(similarity: torch.Tensor, batch_size: int) -> dict[str, float]:
    """Retrieval within consecutive blocks of batch_size scenes (fewer if the set is smaller),
    averaged over the blocks."""
    batch_size = min(batch_size, similarity.shape[0])
    blocks = [_retrieval(similarity[start:start + batch_size, start:start + batch_size])
              for start in range(0, similarity.shape[0] - batch_size + 1, batch_size)]
    return {key: sum(block[key] for block in blocks) / len(blocks) for key in ("image_to_text", "text_to_image")}
