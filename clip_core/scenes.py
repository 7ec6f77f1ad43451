"""Two-object scenes with relation captions: "a red circle left of a blue square".

`RelationWorld` is a ShapesWorld whose training stream mixes batches of one-object scenes (the
ordinary toy world) with batches of two-object scenes. A two-object scene places object A left of
object B (a "horizontal" layout) or above it ("vertical"); the two objects differ in colour and in
shape, so swapping their colours or their places always gives a false caption. Batches are never
mixed: a one-object caption such as "a red circle" would also describe a two-object scene that
holds a red circle, a false negative.

Swapped captions are the hard negatives of the bag-of-words test (Yuksekgonul et al. 2023, "When
and why vision-language models behave like bags-of-words", the ARO benchmark): the true caption
against the same words with the colours exchanged, or with the objects exchanged around the
relation. A text tower that only counts words cannot tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import data
from .data import _RADIUS, COLOURS, SHAPES, Batch, ShapesWorld, _shape_mask

LAYOUTS: tuple[str, ...] = ("horizontal", "vertical")  # A left of B, A above B
# Relation caption patterns: {a} and {b} are "colour shape" phrases of the first (left or top)
# and second object. Each pattern belongs to one layout, or to both ("and" names no relation).
RELATION_PATTERNS: tuple[tuple[str, str | None], ...] = (
    ("a {a} left of a {b}", "horizontal"),
    ("a {b} right of a {a}", "horizontal"),
    ("a {a} above a {b}", "vertical"),
    ("a {b} below a {a}", "vertical"),
    ("a {a} and a {b}", None),
)
RELATION_WORDS: tuple[str, ...] = ("left of", "right of", "above", "below")
# centres of the two objects (x, y as fractions of the side) per layout, before jitter
_LAYOUT_XY = {
    "horizontal": ((0.27, 0.5), (0.73, 0.5)),
    "vertical": ((0.5, 0.27), (0.5, 0.73)),
}
_JITTER = 0.05  # fraction of the side: objects move this much along the other axis
OBJECT_SIZE = "small"  # two large objects would not fit side by side in 32 px


@dataclass
class Pairs:
    """n two-object scenes as integer codes: colour [n, 2], shape [n, 2] (first object first:
    the left one, or the top one) and layout [n] (index into LAYOUTS)."""

    colour: np.ndarray
    shape: np.ndarray
    layout: np.ndarray

    def __len__(self) -> int:
        return len(self.layout)

    def __getitem__(self, index) -> Pairs:
        return Pairs(np.atleast_2d(self.colour[index]), np.atleast_2d(self.shape[index]),
                     np.atleast_1d(self.layout[index]))

    def object_name(self, i: int, k: int) -> str:
        """'colour shape' of object k (0: left/top, 1: right/bottom) of scene i."""
        return f"{list(COLOURS)[self.colour[i, k]]} {SHAPES[self.shape[i, k]]}"

    def layout_name(self, i: int) -> str:
        return LAYOUTS[self.layout[i]]


@dataclass
class PairBatch(Batch):
    """A batch of two-object scenes: `pairs` holds the scenes (`attributes` is None) and
    `boxes` [n, 2, 4] each object's box (x0, y0, x1, y1) in pixels, first object first."""

    pairs: Pairs | None = None
    boxes: np.ndarray | None = None
    patterns: list[str] | None = None  # the RELATION_PATTERNS entry each caption fills


def relation_caption(pairs: Pairs, i: int, pattern: str) -> str:
    """Fill a relation pattern with the objects of scene i."""
    return pattern.format(a=pairs.object_name(i, 0), b=pairs.object_name(i, 1))


def true_captions(pairs: Pairs, i: int) -> list[str]:
    """Every caption that is true of scene i (its layout's two relation captions and the 'and' one)."""
    layout = pairs.layout_name(i)
    return [relation_caption(pairs, i, p) for p, lay in RELATION_PATTERNS if lay in (layout, None)]


def swap_attributes(pairs: Pairs) -> Pairs:
    """The same scenes with the two objects' colours exchanged ('a blue circle left of a red square')."""
    return Pairs(pairs.colour[:, ::-1].copy(), pairs.shape.copy(), pairs.layout.copy())


def swap_objects(pairs: Pairs) -> Pairs:
    """The same scenes with the objects exchanged around the relation ('a blue square left of a red circle')."""
    return Pairs(pairs.colour[:, ::-1].copy(), pairs.shape[:, ::-1].copy(), pairs.layout.copy())


def swapped_captions(pairs: Pairs, patterns: list[str]) -> tuple[list[str], list[str]]:
    """The hard negatives of each scene's caption: (colours swapped, objects swapped).

    Each keeps the words of the true caption and only changes their order. An "and" caption stays
    true when its objects trade places, so its object-swapped negative uses the layout's first
    relation instead ("a blue square left of a red circle").
    """
    by_colour, by_object = swap_attributes(pairs), swap_objects(pairs)
    first_relation = {layout: next(p for p, lay in RELATION_PATTERNS if lay == layout) for layout in LAYOUTS}
    attribute_negatives = [relation_caption(by_colour, i, p) for i, p in enumerate(patterns)]
    object_negatives = [relation_caption(by_object, i, first_relation[pairs.layout_name(i)]
                                         if p == RELATION_PATTERNS[-1][0] else p) for i, p in enumerate(patterns)]
    return attribute_negatives, object_negatives


def batch_hard_negatives(batch: PairBatch) -> list[str]:
    """Both swapped captions of every scene of a batch, except any that is true of a scene of the
    batch (it would then be a false negative for that scene's image)."""
    attribute_negatives, object_negatives = swapped_captions(batch.pairs, batch.patterns)
    true_somewhere = {caption for i in range(len(batch.pairs)) for caption in true_captions(batch.pairs, i)}
    return [caption for caption in attribute_negatives + object_negatives if caption not in true_somewhere]


class RelationWorld(ShapesWorld):
    """ShapesWorld plus two-object scenes with relation captions (English captions only).

    Args:
        seed, image_size, noise: as for ShapesWorld.
        pair_fraction: share of training batches that hold two-object scenes (the rest hold one
            object each, as in ShapesWorld).
    """

    def __init__(self, seed: int = 0, image_size: int = 32, noise: float = 0.04, pair_fraction: float = 0.5):
        super().__init__(seed=seed, image_size=image_size, noise=noise, caption_language="en")
        if not 0.0 <= pair_fraction <= 1.0:
            raise ValueError("pair_fraction must be between 0 and 1")
        self.pair_fraction = pair_fraction
        seen = np.unique(self._tuples["seen"][:, :2], axis=0)  # [pairs, 2] colour-shape codes never held out
        # every ordered pair of seen objects that differ in colour and in shape, in each layout
        a, b = np.meshgrid(np.arange(len(seen)), np.arange(len(seen)), indexing="ij")
        a, b = a.reshape(-1), b.reshape(-1)
        differ = (seen[a, 0] != seen[b, 0]) & (seen[a, 1] != seen[b, 1])
        a, b = a[differ], b[differ]
        layouts = np.arange(len(LAYOUTS))
        self._scenes = np.stack([np.repeat(a, len(layouts)), np.repeat(b, len(layouts)),
                                 np.tile(layouts, len(a))], axis=1)  # [scenes, 3]: object A, object B, layout
        self._seen_objects = seen

    def vocabulary(self, caption_language: str | None = None) -> list[str]:
        words = set(super().vocabulary(caption_language))
        for pattern, _ in RELATION_PATTERNS:
            words.update(pattern.split())
        return sorted(words - {"{a}", "{b}"})

    @property
    def n_scenes(self) -> int:
        """How many distinct two-object scenes (objects and layout) the world can draw."""
        return len(self._scenes)

    # ----- two-object scenes ----------------------------------------------------------------------

    def sample_pairs(self, n: int, rng=None) -> Pairs:
        """n distinct two-object scenes (objects from the pairs that are not held out)."""
        rng = self.rng if rng is None else rng
        if n > len(self._scenes):
            raise ValueError(f"at most {len(self._scenes)} distinct two-object scenes, asked {n}")
        chosen = self._scenes[rng.choice(len(self._scenes), size=n, replace=False)]  # [n, 3]
        objects = self._seen_objects[chosen[:, :2]]  # [n, 2 objects, (colour, shape)]
        return Pairs(objects[:, :, 0].copy(), objects[:, :, 1].copy(), chosen[:, 2].copy())

    def pair_captions(self, pairs: Pairs, rng=None) -> list[str]:
        """One true caption per scene, never one that is also true of another scene of the set."""
        patterns = self.pair_patterns(pairs, rng)
        return [relation_caption(pairs, i, pattern) for i, pattern in enumerate(patterns)]

    def pair_patterns(self, pairs: Pairs, rng=None) -> list[str]:
        """The relation pattern of each scene's caption (see `pair_captions`)."""
        rng = self.rng if rng is None else rng
        # a relation caption is true of exactly one (first object, second object, layout) triple;
        # the 'and' caption is true of both orders in both layouts
        ordered = [(pairs.object_name(i, 0), pairs.object_name(i, 1), pairs.layout[i]) for i in range(len(pairs))]
        unordered = [frozenset(t[:2]) for t in ordered]
        patterns = []
        for i in range(len(pairs)):
            options = [p for p, lay in RELATION_PATTERNS if lay == pairs.layout_name(i)]
            if unordered.count(unordered[i]) == 1:
                options.append(RELATION_PATTERNS[-1][0])
            assert ordered.count(ordered[i]) == 1, "scenes of a batch are distinct"
            patterns.append(options[rng.integers(len(options))])
        return patterns

    def render_pairs(self, pairs: Pairs, rng=None) -> tuple[torch.Tensor, np.ndarray]:
        """Draw two-object scenes: images [n, 3, H, W] in [0, 1] and boxes [n, 2, 4] in pixels."""
        rng = self.rng if rng is None else rng
        n, side, ss = len(pairs), self.image_size, 2  # ss: supersampling factor
        fine = side * ss
        coords = ((np.arange(fine) + 0.5) / fine).astype(np.float32)
        background = rng.uniform(0.05, 0.25, (n, 1, 1, 1)).astype(np.float32)
        images = np.broadcast_to(background, (n, 3, side, side)).copy()
        boxes = np.zeros((n, 2, 4), dtype=np.float32)
        colours = np.array(list(COLOURS.values()), dtype=np.float32)
        for k in range(2):
            centre = np.array([_LAYOUT_XY[LAYOUTS[lay]][k] for lay in pairs.layout], dtype=np.float32)  # [n, 2]
            along = np.where(pairs.layout == 0, 1, 0)  # horizontal layouts jitter in y, vertical ones in x
            centre[np.arange(n), along] += rng.uniform(-_JITTER, _JITTER, n).astype(np.float32)
            centre += rng.uniform(-0.02, 0.02, (n, 2)).astype(np.float32)
            radius = (_RADIUS[OBJECT_SIZE] * rng.uniform(0.9, 1.1, n)).astype(np.float32)
            dx = (coords[None, None, :] - centre[:, 0, None, None]) / radius[:, None, None]  # [n, 1, fine]
            dy = (coords[None, :, None] - centre[:, 1, None, None]) / radius[:, None, None]  # [n, fine, 1]
            mask = np.zeros((n, fine, fine), dtype=np.float32)
            for code, name in enumerate(SHAPES):
                idx = np.nonzero(pairs.shape[:, k] == code)[0]
                if len(idx):
                    mask[idx] = _shape_mask(name, dx[idx], dy[idx])
            mask = sum(mask[:, i::ss, j::ss] for i in range(ss) for j in range(ss)) / ss**2  # [n, H, W]
            colour = np.clip(colours[pairs.colour[:, k]] + rng.uniform(-0.05, 0.05, (n, 3)), 0, 1)  # [n, 3]
            images += mask[:, None] * (colour[:, :, None, None].astype(np.float32) - images)
            boxes[:, k] = np.concatenate([centre - radius[:, None], centre + radius[:, None]], axis=1) * side
        images += self.noise * rng.standard_normal(images.shape, dtype=np.float32)
        return torch.from_numpy(np.clip(images, 0.0, 1.0).astype(np.float32)), boxes

    def sample_pair_batch(self, n: int, rng=None) -> PairBatch:
        """n two-object scenes with captions that describe no other scene of the batch."""
        rng = self.rng if rng is None else rng
        pairs = self.sample_pairs(n, rng)
        images, boxes = self.render_pairs(pairs, rng)
        patterns = self.pair_patterns(pairs, rng)
        captions = [relation_caption(pairs, i, pattern) for i, pattern in enumerate(patterns)]
        return PairBatch(images, captions, None, pairs=pairs, boxes=boxes, patterns=patterns)

    def pair_test_set(self, n: int = 256, seed: int = 4321) -> PairBatch:
        """A fixed set of two-object scenes, the same whatever the training stream did."""
        return self.sample_pair_batch(n, np.random.default_rng([self.seed, seed]))

    # ----- the training stream ------------------------------------------------------------------

    def sample_batch(self, n: int, split: str = "train", rng=None, allow_ambiguous: bool = False,
                     lang: str | None = None) -> Batch:
        """A batch of one-object scenes, or (with probability pair_fraction, for the 'train'
        split) a batch of two-object scenes."""
        rng = self.rng if rng is None else rng
        if split == "train" and rng.random() < self.pair_fraction:
            return self.sample_pair_batch(n, rng)
        return super().sample_batch(n, split, rng, allow_ambiguous, lang)


def world_spec(world: ShapesWorld) -> dict:
    """What a checkpoint records about its world: data.world_spec plus the kind of world."""
    spec = {"kind": "shapes", **data.world_spec(world)}
    if isinstance(world, RelationWorld):
        spec.update(kind="relations", pair_fraction=world.pair_fraction)
    return spec


def world_from_spec(spec: dict) -> ShapesWorld:
    """Rebuild the world a `world_spec` describes (a spec without a kind is a ShapesWorld)."""
    common = {"seed": spec.get("seed", 0), "image_size": spec.get("image_size", 32), "noise": spec.get("noise", 0.04)}
    kind = spec.get("kind", "shapes")
    if kind == "relations":
        return RelationWorld(**common, pair_fraction=spec.get("pair_fraction", 0.5))
    if kind == "shapes":
        return ShapesWorld(**common, caption_language=spec.get("caption_language", "en"))
    raise ValueError(f"unknown world kind {kind!r}")
