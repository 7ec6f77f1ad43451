"""ShapesWorld: a generated world of coloured shapes with captions (docs/ARCHITECTURE.md section 3).

Every image holds one object with five attributes: colour, shape, size, position and visual style
(a photo-like render, a line sketch or blocky pixel art). Captions behave like web alt-text: they
are sentences, never the bare "colour shape" label; some name every attribute, some only a few,
and some name the picture's style ("a sketch of a red circle."). One word has two meanings, as
"crane" or "boxer" have on the web: "orange" is a colour and also a fruit-shaped object ("a blue
orange."), so a prompt that gives context tells the two apart and a bare label cannot. These are
the causes that make prompt engineering pay off in the CLIP paper (section 3.1.4), and zero-shot
accuracy per template measures them.

A fixed set of colour-shape pairs is held out: it is never rendered in a training batch, and
zero-shot accuracy on it measures compositional generalisation (the "zebra = horse + stripes" test).

Captions are English, Simplified Chinese, or a seeded mix of both (`caption_language`). The
Chinese patterns translate the English ones one for one, so pattern i names the same attributes
in both languages and `caption_pairs` gives translations of the same scenes. (Chinese has two
words, 橙色 and 橙子, for the colour and the fruit: the ambiguity is English only.)

Rendering is vectorised numpy with 2x supersampling for smooth edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.90, 0.15, 0.15),
    "orange": (0.98, 0.55, 0.08),
    "yellow": (0.95, 0.90, 0.15),
    "green": (0.15, 0.72, 0.25),
    "cyan": (0.15, 0.85, 0.90),
    "blue": (0.20, 0.35, 0.95),
    "purple": (0.62, 0.22, 0.82),
    "white": (0.95, 0.95, 0.95),
}
# "orange" is also a shape: a round fruit with a stem and a leaf, in any of the colours.
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "cross", "ring", "orange")
AMBIGUOUS_WORD = "orange"  # a colour and a shape: the word a bare label cannot resolve
SIZES: tuple[str, ...] = ("small", "large")
POSITIONS: tuple[str, ...] = ("top left", "top right", "bottom left", "bottom right", "center")
# Visual styles: a shaded photo-like render, an outline drawn in the object's colour, and blocky
# pixel art with flat colours. Captions name the style in some patterns only.
STYLES: tuple[str, ...] = ("photo", "sketch", "pixel")
_STYLE_PHRASE = {"photo": "a photo of", "sketch": "a sketch of", "pixel": "pixel art of"}
_POSITION_PHRASE = {p: ("in the center" if p == "center" else f"at the {p}") for p in POSITIONS}
_POSITION_XY = {  # centre of the shape, as a fraction of the image side (x, y)
    "top left": (0.28, 0.28),
    "top right": (0.72, 0.28),
    "bottom left": (0.28, 0.72),
    "bottom right": (0.72, 0.72),
    "center": (0.50, 0.50),
}
_RADIUS = {"small": 0.14, "large": 0.21}  # fraction of the image side

_ALL = frozenset({"colour", "shape", "size", "position", "style"})
# Caption patterns and the attributes each one names. A caption may only be used for an image
# when no other image in the batch matches it too (otherwise it would be a false negative).
# Every caption is a sentence: the bare "red circle" never appears, as on the web.
CAPTION_PATTERNS: tuple[tuple[str, frozenset[str]], ...] = (
    ("{style} a {size} {colour} {shape} {where}.", _ALL),
    ("{style} a {colour} {shape} {where}.", frozenset({"colour", "shape", "position", "style"})),
    ("{style} a {colour} {shape}.", frozenset({"colour", "shape", "style"})),
    ("{style} a {size} {colour} {shape}.", frozenset({"colour", "shape", "size", "style"})),
    ("{style} a {shape}.", frozenset({"shape", "style"})),
    ("{style} something {colour}.", frozenset({"colour", "style"})),
    ("there is a {size} {colour} {shape} {where}", frozenset({"colour", "shape", "size", "position"})),
)
ATTRIBUTE_KINDS = ("colour", "shape", "size", "position", "style")

# Simplified Chinese words of the attributes, keyed by their English names.
ZH_WORDS: dict[str, dict[str, str]] = {
    "colour": {"red": "红色", "orange": "橙色", "yellow": "黄色", "green": "绿色", "cyan": "青色", "blue": "蓝色",
               "purple": "紫色", "white": "白色"},
    "shape": {"circle": "圆形", "square": "正方形", "triangle": "三角形", "diamond": "菱形", "cross": "十字",
              "ring": "圆环", "orange": "橙子"},
    "size": {"small": "小", "large": "大"},
    "position": {"top left": "左上角", "top right": "右上角", "bottom left": "左下角", "bottom right": "右下角",
                 "center": "中间"},
    "style": {"photo": "照片", "sketch": "素描", "pixel": "像素画"},
}
# The Chinese pattern i translates CAPTION_PATTERNS[i] and names the same attributes.
ZH_CAPTION_PATTERNS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (zh, named) for zh, (_, named) in zip((
        "一张{style}，{where}有一个{size}的{colour}{shape}",  # 一张照片，左上角有一个小的红色圆形
        "一张{style}，{where}有一个{colour}的{shape}",  # 一张素描，左上角有一个红色的圆形
        "一张{colour}{shape}的{style}",  # 一张红色圆形的素描
        "一张{style}，上面是一个{size}的{colour}{shape}",  # 一张像素画，上面是一个小的红色圆形
        "一张{shape}的{style}",  # 一张橙子的照片
        "一张{style}，上面有一个{colour}的东西",  # 一张照片，上面有一个橙色的东西
        "{where}有一个{size}的{colour}{shape}",  # 左上角有一个小的红色圆形
    ), CAPTION_PATTERNS, strict=True)
)
# The words of the Chinese patterns outside the attribute slots (Chinese is written without spaces,
# so the vocabulary lists them; the tokenizer finds them by longest match).
ZH_PATTERN_WORDS: tuple[str, ...] = ("一个", "一张", "的", "有", "，", "上面", "是", "东西")
PATTERNS_BY_LANGUAGE = {"en": CAPTION_PATTERNS, "zh": ZH_CAPTION_PATTERNS}
LANGUAGES: tuple[str, ...] = ("en", "zh")
CAPTION_LANGUAGES: tuple[str, ...] = ("en", "zh", "mixed")  # "mixed": each caption en or zh at random


@dataclass
class Attributes:
    """Integer attribute codes of n scenes (indices into COLOURS, SHAPES, SIZES, POSITIONS, STYLES)."""

    colour: np.ndarray
    shape: np.ndarray
    size: np.ndarray
    position: np.ndarray
    style: np.ndarray | None = None  # None: every scene a photo

    def __post_init__(self) -> None:
        if self.style is None:
            self.style = np.zeros(len(self.colour), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.colour)

    def __getitem__(self, index) -> Attributes:
        return Attributes(*(np.atleast_1d(getattr(self, k)[index]) for k in ATTRIBUTE_KINDS))

    def names(self, i: int) -> dict[str, str]:
        """Attribute words of scene i, e.g. {"colour": "red", "shape": "circle", ..., "style": "photo"}."""
        return {
            "colour": list(COLOURS)[self.colour[i]],
            "shape": SHAPES[self.shape[i]],
            "size": SIZES[self.size[i]],
            "position": POSITIONS[self.position[i]],
            "style": STYLES[self.style[i]],
        }

    def pair_names(self) -> list[str]:
        """'colour shape' class name of every scene, e.g. 'red circle'."""
        colours = list(COLOURS)
        return [f"{colours[c]} {SHAPES[s]}" for c, s in zip(self.colour, self.shape, strict=True)]

    @classmethod
    def from_names(cls, scenes: list[dict[str, str]]) -> Attributes:
        colours = list(COLOURS)
        return cls(
            colour=np.array([colours.index(s["colour"]) for s in scenes]),
            shape=np.array([SHAPES.index(s["shape"]) for s in scenes]),
            size=np.array([SIZES.index(s.get("size", "large")) for s in scenes]),
            position=np.array([POSITIONS.index(s.get("position", "center")) for s in scenes]),
            style=np.array([STYLES.index(s.get("style", "photo")) for s in scenes]),
        )


@dataclass
class Batch:
    """n image-caption pairs: images [n, 3, H, W] in [0, 1], captions and their attributes."""

    images: torch.Tensor
    captions: list[str]
    attributes: Attributes


def caption_for(names: dict[str, str], pattern: str, lang: str = "en") -> str:
    """Fill one caption pattern with the attribute words of one scene.

    Args:
        names: the scene's English attribute names, as `Attributes.names` gives them (a missing
            style is a photo).
        pattern: one of CAPTION_PATTERNS (lang "en") or ZH_CAPTION_PATTERNS (lang "zh").
    """
    style = names.get("style", "photo")
    if lang == "zh":
        return pattern.format(
            size=ZH_WORDS["size"][names["size"]], colour=ZH_WORDS["colour"][names["colour"]],
            shape=ZH_WORDS["shape"][names["shape"]], where=ZH_WORDS["position"][names["position"]],
            style=ZH_WORDS["style"][style],
        )
    if lang != "en":
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    return pattern.format(
        size=names["size"], colour=names["colour"], shape=names["shape"],
        where=_POSITION_PHRASE[names["position"]], style=_STYLE_PHRASE[style],
    )


def all_captions(names: dict[str, str], lang: str = "en") -> list[str]:
    """Every caption of one scene in one language, one per pattern (the same order in en and zh)."""
    return [caption_for(names, pattern, lang) for pattern, _ in PATTERNS_BY_LANGUAGE[lang]]


def _english_vocabulary() -> list[str]:
    words: set[str] = set()
    for pattern, _ in CAPTION_PATTERNS:
        words.update(pattern.replace(".", " .").split())
    words -= {"{size}", "{colour}", "{shape}", "{where}", "{style}"}
    words.update(COLOURS, SHAPES, SIZES)
    for phrase in (*_POSITION_PHRASE.values(), *_STYLE_PHRASE.values()):
        words.update(phrase.split())
    return sorted(words)


def _chinese_vocabulary() -> list[str]:
    return sorted({*ZH_PATTERN_WORDS, *(word for words in ZH_WORDS.values() for word in words.values())})


def _check_language(lang: str, allowed: tuple[str, ...]) -> None:
    if lang not in allowed:
        raise ValueError(f"language must be one of {allowed}, not {lang!r}")


class ShapesWorld:
    """The toy world: seeded, deterministic, with held-out colour-shape pairs.

    Args:
        seed: seeds the training stream; the test sets use their own fixed streams.
        image_size: side of the square images in pixels.
        noise: standard deviation of the per-pixel Gaussian noise.
        caption_language: "en" (the default), "zh", or "mixed" (each caption English or Chinese at
            random, from the same seeded stream); it also sets the vocabulary.
    """

    # Each colour loses exactly one shape; every colour and every shape still appears in training.
    held_out_pairs: tuple[tuple[str, str], ...] = tuple(
        (colour, SHAPES[(i + 2) % len(SHAPES)]) for i, colour in enumerate(COLOURS)
    )

    def __init__(self, seed: int = 0, image_size: int = 32, noise: float = 0.04, caption_language: str = "en"):
        if image_size < 16:
            raise ValueError("image_size must be at least 16 pixels")
        _check_language(caption_language, CAPTION_LANGUAGES)
        self.caption_language = caption_language
        self.seed = seed
        self.image_size = image_size
        self.noise = noise
        self.rng = np.random.default_rng(seed)
        colours = list(COLOURS)
        held = {(colours.index(c), SHAPES.index(s)) for c, s in self.held_out_pairs}
        # Every (colour, shape, size, position) tuple, split by whether its pair is held out.
        grid = np.array(np.meshgrid(
            np.arange(len(COLOURS)), np.arange(len(SHAPES)), np.arange(len(SIZES)),
            np.arange(len(POSITIONS)), np.arange(len(STYLES)), indexing="ij")).reshape(5, -1).T  # [tuples, 5]
        is_held = np.array([(c, s) in held for c, s in grid[:, :2]])
        self._tuples = {"train": grid[~is_held], "seen": grid[~is_held], "held_out": grid[is_held],
                        "all": grid}

    # ----- vocabulary and class names -------------------------------------------------------

    def classes(self, kind: str, lang: str = "en") -> list[str]:
        """Class names for zero-shot: 'colour', 'shape', 'size', 'position', 'style', 'colour_shape'
        (all pairs), 'seen' or 'held_out' (pairs), in English or Chinese ("red circle", "红色圆形").

        The lists are in the same order in both languages.
        """
        _check_language(lang, LANGUAGES)
        names = self._english_classes(kind)
        if lang == "en":
            return names
        if kind in ("colour_shape", "held_out", "seen"):
            return [ZH_WORDS["colour"][c] + ZH_WORDS["shape"][s] for c, s in (name.split(" ") for name in names)]
        words = ZH_WORDS["colour" if kind == "color" else kind]
        return [words[name] for name in names]

    def _english_classes(self, kind: str) -> list[str]:
        colours = list(COLOURS)
        if kind in ("colour", "color"):
            return colours
        if kind == "shape":
            return list(SHAPES)
        if kind == "size":
            return list(SIZES)
        if kind == "position":
            return list(POSITIONS)
        if kind == "style":
            return list(STYLES)
        pairs = [f"{c} {s}" for c in colours for s in SHAPES]
        held = {f"{c} {s}" for c, s in self.held_out_pairs}
        if kind == "colour_shape":
            return pairs
        if kind == "held_out":
            return [p for p in pairs if p in held]
        if kind == "seen":
            return [p for p in pairs if p not in held]
        raise ValueError(f"unknown class kind {kind!r}")

    def caption_patterns(self, lang: str = "en") -> list[str]:
        _check_language(lang, LANGUAGES)
        return [pattern for pattern, _ in PATTERNS_BY_LANGUAGE[lang]]

    def vocabulary(self, caption_language: str | None = None) -> list[str]:
        """Every word (and punctuation mark) that training captions use, sorted.

        Args:
            caption_language: whose captions ("en", "zh" or "mixed" for both); default the world's.
                An English-only world keeps its English-only vocabulary.
        """
        caption_language = self.caption_language if caption_language is None else caption_language
        _check_language(caption_language, CAPTION_LANGUAGES)
        if caption_language == "zh":
            return _chinese_vocabulary()
        if caption_language == "mixed":
            return sorted({*_english_vocabulary(), *_chinese_vocabulary()})
        return _english_vocabulary()

    # ----- sampling ---------------------------------------------------------------------------

    def sample_attributes(self, n: int, split: str = "train", rng=None) -> Attributes:
        """n distinct (colour, shape, size, position) tuples from a split.

        split: 'train' or 'seen' (pairs not held out), 'held_out', or 'all'.
        """
        rng = self.rng if rng is None else rng
        pool = self._tuples[split]
        if n > len(pool):
            raise ValueError(f"at most {len(pool)} distinct scenes in split {split!r}, asked {n}")
        chosen = pool[rng.choice(len(pool), size=n, replace=False)]  # [n, 4]
        return Attributes(*chosen.T.copy())

    def captions(self, attributes: Attributes, rng=None, allow_ambiguous: bool = False,
                 lang: str | None = None) -> list[str]:
        """One caption per scene, never one that also describes another scene of the set.

        Args:
            allow_ambiguous: the classic mistake: skip that check, so a short caption such as
                "a red circle" may also describe another image of the set (a false negative).
                The random draws are the same either way, so only the captions change.
            lang: "en", "zh" or "mixed"; default the world's caption_language. A description
                in another language still describes the image, so the check ignores language.
        """
        rng = self.rng if rng is None else rng
        lang = self.caption_language if lang is None else lang
        _check_language(lang, CAPTION_LANGUAGES)
        choice = self._choose_patterns(attributes, rng, allow_ambiguous)  # [n]
        if lang == "mixed":  # drawn after the patterns, so "en" consumes the stream as it always did
            languages = ["zh" if chinese else "en" for chinese in rng.random(len(attributes)) < 0.5]
        else:
            languages = [lang] * len(attributes)
        return [caption_for(attributes.names(i), PATTERNS_BY_LANGUAGE[language][k][0], language)
                for i, (k, language) in enumerate(zip(choice, languages, strict=True))]

    def caption_pairs(self, attributes: Attributes, rng=None) -> tuple[list[str], list[str]]:
        """English and Chinese captions of the same scenes, translations of each other.

        Both use the same pattern per scene, chosen as `captions` chooses it, so neither list
        holds a caption that also describes another scene of the set.
        """
        rng = self.rng if rng is None else rng
        choice = self._choose_patterns(attributes, rng, allow_ambiguous=False)  # [n]
        names = [attributes.names(i) for i in range(len(attributes))]
        return ([caption_for(nm, CAPTION_PATTERNS[k][0], "en") for nm, k in zip(names, choice, strict=True)],
                [caption_for(nm, ZH_CAPTION_PATTERNS[k][0], "zh") for nm, k in zip(names, choice, strict=True)])

    def _choose_patterns(self, attributes: Attributes, rng, allow_ambiguous: bool) -> np.ndarray:
        """Index of one pattern per scene, at random among those that describe no other scene."""
        codes = {k: getattr(attributes, k) for k in ATTRIBUTE_KINDS}
        unique_under: dict[frozenset, np.ndarray] = {}
        for _, named in CAPTION_PATTERNS:
            if named not in unique_under:
                keys = np.stack([codes[k] for k in ATTRIBUTE_KINDS if k in named], axis=1)
                _, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
                unique_under[named] = counts[inverse.reshape(-1)] == 1  # [n]
        allowed = np.stack([unique_under[named] for _, named in CAPTION_PATTERNS], axis=1)  # [n, P]
        if allow_ambiguous:
            allowed = np.ones_like(allowed)
        scores = rng.random(allowed.shape) * allowed  # random choice among allowed patterns
        return scores.argmax(axis=1)  # [n]

    def sample_batch(self, n: int, split: str = "train", rng=None, allow_ambiguous: bool = False,
                     lang: str | None = None) -> Batch:
        """n image-caption pairs with distinct scenes and no caption matching two images.

        Args:
            allow_ambiguous: let captions describe more than one image (see `captions`); the
                images are identical to those drawn without it from the same rng state.
            lang: the captions' language ("en", "zh", "mixed"); default the world's caption_language.
        """
        rng = self.rng if rng is None else rng
        attributes = self.sample_attributes(n, split, rng)
        images = self.render(attributes, rng)
        return Batch(images, self.captions(attributes, rng, allow_ambiguous, lang), attributes)

    def test_set(self, n_per_pair: int = 4, split: str = "all", seed: int = 1234,
                 style: str | None = "photo") -> Batch:
        """A fixed evaluation set: n_per_pair images of every colour-shape pair in the split.

        The same arguments always give the same images, whatever the training stream did. Its
        captions are the English full descriptions (pattern 0) in every world.

        Args:
            style: draw every image in one style ("photo", the default, "sketch" or "pixel"); None
                mixes them: image k of each pair has style k mod 3 (n_per_pair = 3 is balanced).
        """
        if style is not None and style not in STYLES:
            raise ValueError(f"style must be one of {STYLES} or None, not {style!r}")
        rng = np.random.default_rng([self.seed, seed])
        pool = self._tuples[split]
        pairs = np.unique(pool[:, :2], axis=0)  # [pairs, 2]
        colour = np.repeat(pairs[:, 0], n_per_pair)
        shape = np.repeat(pairs[:, 1], n_per_pair)
        size = rng.integers(0, len(SIZES), len(colour))
        position = rng.integers(0, len(POSITIONS), len(colour))
        if style is None:
            styles = np.tile(np.arange(n_per_pair) % len(STYLES), len(pairs))
        else:
            styles = np.full(len(colour), STYLES.index(style))
        attributes = Attributes(colour, shape, size, position, styles)
        captions = [caption_for(attributes.names(i), CAPTION_PATTERNS[0][0]) for i in range(len(colour))]
        return Batch(self.render(attributes, rng), captions, attributes)

    def is_held_out(self, attributes: Attributes) -> np.ndarray:
        """Boolean mask [n]: whether each scene's colour-shape pair is held out."""
        colours = list(COLOURS)
        held = {(colours.index(c), SHAPES.index(s)) for c, s in self.held_out_pairs}
        return np.array([(c, s) in held for c, s in zip(attributes.colour, attributes.shape, strict=True)])

    # ----- rendering ----------------------------------------------------------------------------

    def render(self, attributes: Attributes | list[dict] | dict, rng=None) -> torch.Tensor:
        """Draw scenes as float images [n, 3, H, W] in [0, 1] (vectorised over n)."""
        if isinstance(attributes, dict):
            attributes = [attributes]
        if isinstance(attributes, list):
            attributes = Attributes.from_names(attributes)
        rng = self.rng if rng is None else rng
        n, size, ss = len(attributes), self.image_size, 2  # ss: supersampling factor
        fine = size * ss
        centre = np.array([_POSITION_XY[POSITIONS[p]] for p in attributes.position])  # [n, 2]
        centre = (centre + rng.uniform(-0.04, 0.04, (n, 2))).astype(np.float32)
        radius = (np.array([_RADIUS[SIZES[s]] for s in attributes.size]) * rng.uniform(0.9, 1.1, n)).astype(np.float32)
        coords = ((np.arange(fine) + 0.5) / fine).astype(np.float32)  # pixel centres in [0, 1]
        dx = (coords[None, None, :] - centre[:, 0, None, None]) / radius[:, None, None]  # [n, 1, fine]
        dy = (coords[None, :, None] - centre[:, 1, None, None]) / radius[:, None, None]  # [n, fine, 1]
        mask = np.zeros((n, fine, fine), dtype=np.float32)
        for code, name in enumerate(SHAPES):
            idx = np.nonzero(attributes.shape == code)[0]
            if len(idx):
                mask[idx] = _shape_mask(name, dx[idx], dy[idx])
        colour = np.array([list(COLOURS.values())[c] for c in attributes.colour], dtype=np.float32)
        colour = np.clip(colour + rng.uniform(-0.05, 0.05, colour.shape), 0, 1)  # [n, 3]
        background = rng.uniform(0.05, 0.25, (n, 1, 1, 1)).astype(np.float32)
        noise = self.noise * rng.standard_normal((n, 3, size, size), dtype=np.float32)
        style = np.asarray(attributes.style)
        images = np.empty((n, 3, size, size), dtype=np.float32)
        for code, name in enumerate(STYLES):
            idx = np.nonzero(style == code)[0]
            if len(idx):
                images[idx] = _STYLE_RENDERERS[name](mask[idx], colour[idx], background[idx], noise[idx], dy[idx], ss)
        return torch.from_numpy(np.clip(images, 0.0, 1.0).astype(np.float32))


def _downsample(fine_mask: np.ndarray, ss: int) -> np.ndarray:
    """Average ss x ss blocks: [n, fine, fine] -> [n, fine/ss, fine/ss] (anti-aliased)."""
    return sum(fine_mask[:, i::ss, j::ss] for i in range(ss) for j in range(ss)) / ss**2


def _photo(mask, colour, background, noise, dy, ss):
    """Filled and shaded from above, like a lit object: [n, 3, H, W]."""
    light = np.clip(1.12 - 0.22 * (dy + 1.0), 0.7, 1.15)  # [n, fine, 1]: brighter at the top
    cover = _downsample(mask, ss)[:, None]  # [n, 1, H, W]
    shade = _downsample(mask * light, ss)[:, None] / np.maximum(cover, 1e-6)  # mean light over the object
    return background + cover * (np.clip(colour[:, :, None, None] * shade, 0, 1) - background) + noise


def _sketch(mask, colour, background, noise, dy, ss):
    """Only the outline, drawn in the object's colour: [n, 3, H, W]."""
    width = 3 * ss // 2  # outline width in supersampled pixels (1.5 px)
    inner = mask.astype(bool)
    for _ in range(width):  # erode: a pixel stays inside when its four neighbours are inside
        inner = (inner & np.roll(inner, 1, 1) & np.roll(inner, -1, 1) & np.roll(inner, 1, 2) & np.roll(inner, -1, 2))
    outline = _downsample(mask * ~inner, ss)[:, None]  # [n, 1, H, W]
    return background + outline * (colour[:, :, None, None] - background) + noise


def _pixel(mask, colour, background, noise, dy, ss):
    """Blocky pixel art: hard-edged blocks of 2 x 2 px, flat posterised colours, no noise."""
    fine = mask.shape[1]
    size = fine // ss
    sample = np.minimum((np.arange(size) // 2) * 2 * ss + ss, fine - 1)  # each pixel reads its block's centre
    hard = mask[:, sample][:, :, sample]  # [n, H, W]
    flat = np.round(colour * 4) / 4  # five levels per channel
    ground = np.round(background * 8) / 8
    return ground + hard[:, None] * (flat[:, :, None, None] - ground)


_STYLE_RENDERERS = {"photo": _photo, "sketch": _sketch, "pixel": _pixel}


def _shape_mask(name: str, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Boolean mask of a unit-radius shape in coordinates scaled by the radius."""
    adx, ady = np.abs(dx), np.abs(dy)
    if name == "circle":
        return dx**2 + dy**2 <= 1.0
    if name == "square":
        return np.maximum(adx, ady) <= 0.82
    if name == "diamond":
        return adx + ady <= 1.1
    if name == "triangle":  # apex up: half-width grows from 0 at the top to 1 at the base
        return (dy >= -1.0) & (dy <= 0.8) & (adx <= (dy + 1.0) / 1.8)
    if name == "cross":
        return ((adx <= 0.32) & (ady <= 1.0)) | ((ady <= 0.32) & (adx <= 1.0))
    if name == "ring":
        r2 = dx**2 + dy**2
        return (r2 <= 1.0) & (r2 >= 0.5**2)
    if name == "orange":  # the fruit: a round body, a stem on top and a leaf beside it
        body = dx**2 + (dy - 0.15) ** 2 <= 0.8**2
        stem = (adx <= 0.12) & (dy >= -1.0) & (dy <= -0.55)
        leaf = ((dx - 0.38) / 0.36) ** 2 + ((dy + 0.78) / 0.16) ** 2 <= 1.0
        return body | stem | leaf
    raise ValueError(f"unknown shape {name!r}")


def world_spec(world: ShapesWorld) -> dict:
    """What a checkpoint records about the world it was trained on."""
    return {"seed": world.seed, "image_size": world.image_size, "noise": world.noise,
            "caption_language": world.caption_language}


