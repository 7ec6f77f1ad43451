"""Where is it? Similarity maps of a typed query over an image (open-vocabulary localisation).

Two ways to ask a CLIP where something is in a picture:

* **patch tokens** (in the spirit of MaskCLIP, Zhou, Loy and Dai 2022, "Extract Free Dense Labels
  from CLIP", which reads the last attention layer's values instead): the ViT's last-layer patch
  tokens go through the same final LayerNorm and projection W_i as the class token, and each
  one's cosine with the query's text embedding gives a [grid, grid] map. CLIP's loss only ever
  reached the class token, so nothing trained the patch tokens to align with text: the map is
  often noisy. ViT image towers only (a ResNet has no patch tokens in the joint space).
* **sliding windows**: crop windows of the image, resize each crop to the model's input size,
  embed it like a whole picture and score it against the query; a pixel's score is the mean score
  of the windows that cover it. One forward pass per window, but it asks the question CLIP was
  trained on ("does this picture match this caption?"), so it works for any image tower.

`hit_rate` measures both on two-object scenes (`clip_core.scenes.RelationWorld`): for each scene
and each of its objects, query "a {colour} {shape}" and count a hit when the map's peak lies
inside that object's box.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .data import COLOURS, SHAPES
from .encoders import ViTEncoder
from .model import TinyCLIP
from .zeroshot import ensemble_embeddings

METHODS: tuple[str, ...] = ("patches", "windows")
TEMPLATE = "a {}"  # the query of an object: "a blue square"
WINDOW_SIZE, WINDOW_STRIDE = 16, 4  # px: 5 x 5 windows over a 32-px picture


@dataclass
class SimilarityMap:
    """Cosine similarity of a query with parts of n images.

    `scores` is the method's own grid ([n, grid, grid] patches, or [n, k, k] windows by their
    top-left corner), `centres` [grid or k, grid or k, 2] the (x, y) in px of each patch or window
    centre, and `pixels` [n, H, W] the same scores spread over the picture's pixels (for drawing)."""

    method: str
    scores: torch.Tensor
    centres: np.ndarray
    pixels: torch.Tensor


def supports_patches(model: TinyCLIP) -> bool:
    """Patch-token maps need a ViT image tower."""
    return isinstance(model.visual, ViTEncoder)


@torch.no_grad()
def query_embeddings(model: TinyCLIP, queries: list[str], templates: tuple[str, ...] = ("{}",)) -> torch.Tensor:
    """Unit text embeddings [q, d_e] of queries; with several templates, their normalised mean
    (open_clip's template ensemble)."""
    T_e = torch.stack([model.encode_text(model.tokenizer([t.format(q) for q in queries]))
                       for t in templates])  # [T, q, d_e]
    return ensemble_embeddings(T_e)  # [q, d_e]


@torch.no_grad()
def patch_scores(model: TinyCLIP, images: torch.Tensor, T_e: torch.Tensor) -> torch.Tensor:
    """Cosine of every patch token with the query of its image.

    Args:
        images: [n, 3, H, W] in [0, 1].
        T_e: [n, d_e] unit text embeddings, one query per image.

    Returns:
        [n, grid, grid] cosine similarities.
    """
    if not supports_patches(model):
        raise ValueError("patch-token maps need a ViT image tower; use the sliding windows for a ResNet")
    tokens = model.visual(images, return_tokens=True)  # [n, 1 + g*g, w], ln_post already applied to every token
    # the class token's path into the joint space (ln_post, then W_i), applied to each patch token
    P_e = F.normalize(tokens[:, 1:] @ model.image_projection, dim=-1)  # [n, g*g, d_e]
    cosine = (P_e @ T_e[:, :, None])[..., 0]  # [n, g*g]
    grid = model.visual.grid
    return cosine.view(-1, grid, grid)  # [n, g, g]


def window_starts(side: int, size: int, stride: int) -> list[int]:
    """Top-left corners along one side; the last window always reaches the far edge."""
    if not 0 < size <= side or stride < 1:
        raise ValueError(f"windows must be 1..{side} px with a stride of at least 1 (got {size}, {stride})")
    starts = list(range(0, side - size + 1, stride))
    return starts if starts[-1] == side - size else [*starts, side - size]


@torch.no_grad()
def window_scores(model: TinyCLIP, images: torch.Tensor, T_e: torch.Tensor, size: int = WINDOW_SIZE,
                  stride: int = WINDOW_STRIDE, chunk: int = 1024) -> torch.Tensor:
    """Cosine of every window crop, resized to the model's input size, with the query of its image.

    Returns:
        [n, k, k] cosine similarities, indexed by the window's (row, column) of top-left corners.
    """
    n, _, side, _ = images.shape
    starts = window_starts(side, size, stride)
    k = len(starts)
    crops = torch.stack([images[:, :, y:y + size, x:x + size] for y in starts for x in starts],
                        dim=1)  # [n, k*k, 3, s, s], row-major over the windows
    crops = crops.reshape(n * k * k, 3, size, size)
    input_size = model.config.image_size
    I_e = torch.cat([model.encode_image(F.interpolate(part, size=(input_size, input_size), mode="bilinear",
                                                      align_corners=False))
                     for part in crops.split(chunk)])  # [n*k*k, d_e]
    I_e = I_e.view(n, k * k, -1)  # [n, k*k, d_e]
    return (I_e @ T_e[:, :, None])[..., 0].view(n, k, k)  # [n, k, k]


def windows_to_pixels(scores: torch.Tensor, side: int, size: int, stride: int) -> torch.Tensor:
    """[n, k, k] window scores -> [n, side, side]: each pixel's mean over the windows covering it."""
    starts = window_starts(side, size, stride)
    total = torch.zeros(scores.shape[0], side, side)
    count = torch.zeros(side, side)
    for a, y in enumerate(starts):
        for b, x in enumerate(starts):
            total[:, y:y + size, x:x + size] += scores[:, a, b, None, None]
            count[y:y + size, x:x + size] += 1
    return total / count  # every pixel is covered: the last window reaches the edge


def patches_to_pixels(scores: torch.Tensor, side: int) -> torch.Tensor:
    """[n, g, g] patch scores -> [n, side, side]: every pixel takes its patch's score."""
    patch = side // scores.shape[-1]
    return scores.repeat_interleave(patch, dim=1).repeat_interleave(patch, dim=2)


def similarity_map(model: TinyCLIP, images: torch.Tensor, T_e: torch.Tensor, method: str,
                   size: int = WINDOW_SIZE, stride: int = WINDOW_STRIDE) -> SimilarityMap:
    """The map of one query per image ([n, d_e] unit embeddings) by `method` ("patches" or "windows")."""
    side = images.shape[-1]
    if method == "patches":
        scores = patch_scores(model, images, T_e)
        along = (np.arange(scores.shape[-1]) + 0.5) * (side // scores.shape[-1])
        return SimilarityMap(method, scores, _grid(along), patches_to_pixels(scores, side))
    if method == "windows":
        scores = window_scores(model, images, T_e, size, stride)
        along = np.array(window_starts(side, size, stride)) + size / 2
        return SimilarityMap(method, scores, _grid(along), windows_to_pixels(scores, side, size, stride))
    raise ValueError(f"method must be one of {METHODS}, not {method!r}")


def _grid(along: np.ndarray) -> np.ndarray:
    x, y = np.meshgrid(along, along, indexing="xy")  # row a, column b -> (x of column b, y of row a)
    return np.stack([x, y], axis=-1).astype(np.float32)  # [k, k, 2]


def peak(sim: SimilarityMap) -> np.ndarray:
    """[n, 2] peak points (x, y) in px: the centre of the best patch or window (the mean centre if
    several tie). The peak is read on the method's own grid: the pixel map's averaging favours the
    picture's edges, which few windows cover."""
    flat = sim.scores.flatten(1)  # [n, cells]
    at_max = (flat >= flat.max(dim=1, keepdim=True).values - 1e-6).float().numpy()  # [n, cells]
    centres = sim.centres.reshape(-1, 2)  # [cells, 2]
    return (at_max @ centres) / at_max.sum(axis=1, keepdims=True)


def grid_chance(sim: SimilarityMap, boxes: np.ndarray) -> np.ndarray:
    """[n] chance that a peak at a random patch or window centre lies in each box [n, 4]."""
    centres = sim.centres.reshape(-1, 2)  # [cells, 2]
    return np.mean([inside(np.broadcast_to(c, (len(boxes), 2)), boxes) for c in centres], axis=0)


def inside(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Whether each point (x, y) [n, 2] lies in its box (x0, y0, x1, y1) [n, 4]."""
    return ((points[:, 0] >= boxes[:, 0]) & (points[:, 0] <= boxes[:, 2])
            & (points[:, 1] >= boxes[:, 1]) & (points[:, 1] <= boxes[:, 3]))


def nearer(points: np.ndarray, boxes: np.ndarray, other_boxes: np.ndarray) -> np.ndarray:
    """Whether each point [n, 2] is nearer the centre of its box than the centre of the other box [n, 4]."""
    def distance(b):
        return np.linalg.norm(points - (b[:, :2] + b[:, 2:]) / 2, axis=1)

    return distance(boxes) < distance(other_boxes)


def absent_objects(pairs, seed: int = 0) -> list[str]:
    """For each two-object scene, a "colour shape" that shares neither colour nor shape with its objects."""
    rng = np.random.default_rng(seed)
    names = []
    for i in range(len(pairs)):
        colours = [c for c in range(len(COLOURS)) if c not in pairs.colour[i]]
        shapes = [s for s in range(len(SHAPES)) if s not in pairs.shape[i]]
        names.append(f"{list(COLOURS)[rng.choice(colours)]} {SHAPES[rng.choice(shapes)]}")
    return names


@torch.no_grad()
def hit_rate(model: TinyCLIP, scenes, method: str, template: str = TEMPLATE, size: int = WINDOW_SIZE,
             stride: int = WINDOW_STRIDE) -> dict:
    """How often the peak of the map of "a {colour} {shape}" falls on that object, in two-object scenes.

    Each scene is asked about each of its two objects (2n queries). A query scores a hit when the
    peak lies in the named object's box; the chance of that for a peak dropped at random is the
    box's share of the picture (`area_chance`), and for a peak at a random patch or window centre
    the share of those centres inside the box (`grid_chance`, higher: the centres sit near the
    middle, where the objects are). It also scores a two-way hit when the peak is nearer the
    named object's centre than the other object's (chance 50 %: the layouts are symmetric).
    Finally each scene is asked about an object it does not hold: a map always has a peak.

    Args:
        scenes: a `PairBatch` (images [n, 3, H, W], pairs, boxes [n, 2, 4]).
        method: "patches" or "windows".
    """
    images, boxes, pairs = scenes.images, scenes.boxes, scenes.pairs
    n, side = len(images), images.shape[-1]
    named = [pairs.object_name(i, k) for k in range(2) for i in range(n)]  # object 0 of every scene, then object 1
    T_e = query_embeddings(model, named, (template,))  # [2n, d_e]
    both = torch.cat([images, images])  # [2n, 3, H, W]
    sim = similarity_map(model, both, T_e, method, size, stride)
    target = np.concatenate([boxes[:, 0], boxes[:, 1]])  # [2n, 4] the named object's box
    other = np.concatenate([boxes[:, 1], boxes[:, 0]])  # [2n, 4]
    points = peak(sim)  # [2n, 2]
    on_named, on_other = inside(points, target), inside(points, other)
    two_way = nearer(points, target, other)  # [2n] nearer the named object than the other

    absent = absent_objects(pairs)
    absent_sim = similarity_map(model, images, query_embeddings(model, absent, (template,)), method, size, stride)
    absent_points = peak(absent_sim)
    absent_on_object = inside(absent_points, boxes[:, 0]) | inside(absent_points, boxes[:, 1])
    area = (target[:, 2] - target[:, 0]) * (target[:, 3] - target[:, 1]) / side**2
    total = 2 * n
    return {
        "method": method, "scenes": n, "queries": total,
        "hits": int(on_named.sum()), "rate": float(on_named.mean()),
        "on_other": int((on_other & ~on_named).sum()), "background": int((~on_named & ~on_other).sum()),
        "area_chance": float(area.mean()), "grid_chance": float(grid_chance(sim, target).mean()),
        "two_way_hits": int(two_way.sum()), "two_way_rate": float(two_way.mean()), "two_way_chance": 0.5,
        "peak_cosine": float(sim.scores.flatten(1).max(dim=1).values.mean()),
        "absent_queries": n, "absent_on_object": int(absent_on_object.sum()),
        "absent_rate": float(absent_on_object.mean()),
        "absent_peak_cosine": float(absent_sim.scores.flatten(1).max(dim=1).values.mean()),
    }
