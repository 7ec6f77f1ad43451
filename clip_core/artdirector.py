"""CLIP as an art director: gradient ascent on the pixels of one picture toward a caption.

The model is frozen; only the picture changes. Each step scores a few randomly shifted copies of
the picture against the caption and moves the pixels up the gradient of their mean cosine:

    T_e = l2_normalize(text_encoder(caption) @ W_t)        # [d_e], computed once
    picture = blur(sigmoid(logits))                         # [1, 3, H, W] in [0, 1]
    views = roll(picture, random shifts)                    # [copies, 3, H, W] (jitter)
    I_e = l2_normalize(image_encoder(views) @ W_i)          # [copies, d_e]
    loss = -mean(I_e @ T_e) + tv_weight * total_variation(picture)
    logits <- Adam step on d loss / d logits

The regularisers (jitter, blur, total variation) follow Olah, Mordvintsev and Schubert, "Feature
Visualization" (Distill 2017); the sigmoid keeps pixels in [0, 1] without clipping. None of them
tells the optimiser what a picture of the caption looks like: a frozen CLIP scores pictures, it
has no model of which pictures are likely. The result usually scores higher than real pictures
of the caption while looking unlike them (an adversarial image, Szegedy et al. 2014). Generators
that work (VQGAN+CLIP, CLIP-guided diffusion) optimise inside a generator trained on images and
use CLIP only as the guide.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .data import COLOURS, POSITIONS, SHAPES, SIZES, STYLES, ZH_WORDS, Attributes, ShapesWorld

PIXEL_EPS = 1e-3  # a start picture is clamped to [eps, 1 - eps] before its logit (logit(0) is -inf)


@dataclass
class ArtDirectorConfig:
    """Settings of one optimisation; the defaults suit the toy CLIP's 32-pixel pictures."""

    steps: int = 300  # optimisation steps
    lr: float = 0.05  # Adam's step size on the pixel logits
    jitter: int = 2  # each copy is rolled by up to this many pixels along x and y (0: no jitter)
    copies: int = 4  # jittered copies scored per step; their mean cosine is maximised
    blur: float = 0.5  # standard deviation in pixels of a Gaussian blur the picture is seen through (0: none)
    tv_weight: float = 0.0  # weight of the total-variation penalty (0: none)
    image_every: int = 5  # a record carries the picture every this many steps (and at the start and the end)
    seed: int = 0  # seeds the starting noise and the jitter
    noise: float = 0.5  # standard deviation of the starting logits around grey (start from noise only)

    def check(self) -> None:
        """Raise ValueError for settings that cannot run."""
        if not (isinstance(self.steps, int) and self.steps >= 0):
            raise ValueError(f"steps must be a whole number >= 0, not {self.steps!r}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a positive finite number, not {self.lr!r}")
        if not (isinstance(self.jitter, int) and self.jitter >= 0):
            raise ValueError(f"jitter must be a whole number of pixels >= 0, not {self.jitter!r}")
        if not (isinstance(self.copies, int) and self.copies >= 1):
            raise ValueError(f"copies must be a whole number >= 1, not {self.copies!r}")
        for name in ("blur", "tv_weight", "noise"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
        if not (isinstance(self.image_every, int) and self.image_every >= 1):
            raise ValueError(f"image_every must be a whole number >= 1, not {self.image_every!r}")


@dataclass
class ArtStep:
    """What one step did. Step 0 is the start picture, before any update."""

    step: int
    similarity: float  # cosine of the picture itself (no jitter) with the caption, after this step
    objective: float  # mean cosine of the jittered copies this step maximised (nan at step 0)
    loss: float  # -objective + tv_weight * total variation (nan at step 0)
    gradient_norm: float  # L2 norm of d loss / d logits (0 at step 0)
    image: np.ndarray | None  # [3, H, W] in [0, 1]: every image_every steps, at the start and at the end


def image_encoder(model) -> Callable[[torch.Tensor], torch.Tensor]:
    """A function images [n, 3, H, W] in [0, 1] -> unit embeddings [n, d_e] through which gradients flow.

    TinyCLIP's own `encode_image`. A transformers CLIP (clip_core.pretrained) rounds pictures to
    8 bits in its image processor, which stops the gradient, so for it the processor's steps are
    redone in torch: bicubic resize to the model's input size, normalise by its mean and std.
    """
    processor = getattr(model, "image_processor", None)
    if processor is None:
        return model.encode_image
    size = model.config.image_size
    mean = torch.tensor(processor.image_mean, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(processor.image_std, dtype=torch.float32).view(1, 3, 1, 1)
    vision_model = model.visual.vision_model

    def encode(images: torch.Tensor) -> torch.Tensor:
        if images.shape[-2:] != (size, size):
            images = F.interpolate(images, size=(size, size), mode="bicubic", align_corners=False)  # [n, 3, S, S]
            images = images.clamp(0, 1)  # bicubic overshoots at edges; the processor's 8-bit pictures cannot
        pixels = (images - mean) / std
        I_f = vision_model(pixel_values=pixels).pooler_output  # [n, d_i]
        return F.normalize(I_f @ model.image_projection, dim=-1)  # [n, d_e]

    return encode


def gaussian_blur(images: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of [n, 3, H, W] with reflected borders (sigma in pixels; 0: unchanged)."""
    if sigma <= 0:
        return images
    radius = max(1, math.ceil(3 * sigma))
    offsets = torch.arange(-radius, radius + 1, dtype=images.dtype)
    kernel = torch.exp(-offsets**2 / (2 * sigma**2))
    kernel = kernel / kernel.sum()  # [2r + 1]
    channels = images.shape[1]
    images = F.conv2d(F.pad(images, (radius, radius, 0, 0), mode="reflect"),
                      kernel.view(1, 1, 1, -1).repeat(channels, 1, 1, 1), groups=channels)  # along x
    return F.conv2d(F.pad(images, (0, 0, radius, radius), mode="reflect"),
                    kernel.view(1, 1, -1, 1).repeat(channels, 1, 1, 1), groups=channels)  # along y


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between neighbouring pixels (down and across) of [n, 3, H, W]."""
    down = (images[..., 1:, :] - images[..., :-1, :]).abs().mean()
    across = (images[..., :, 1:] - images[..., :, :-1]).abs().mean()
    return down + across


class ArtDirector:
    """Gradient ascent on one picture's pixels toward a caption; the model's weights are never touched.

    Args:
        model: anything with `encode_image`, `encode_text` and `tokenizer` (TinyCLIP, PretrainedCLIP).
        caption: the text the picture should match.
        config: the optimisation settings.
        start: a picture [3, H, W] or [1, 3, H, W] in [0, 1] to start from; None: seeded noise.
        size: side of the picture when starting from noise (default: the model's input size).
    """

    def __init__(self, model, caption: str, config: ArtDirectorConfig | None = None,
                 start: torch.Tensor | None = None, size: int | None = None):
        self.config = config or ArtDirectorConfig()
        self.config.check()
        if model.training:  # BatchNorm would update its running statistics: the model would change
            raise ValueError("the model must be in eval mode (model.eval()): it is scored, never trained, here")
        self.model = model
        self.caption = caption
        self.encode_image = image_encoder(model)
        self.generator = torch.Generator().manual_seed(self.config.seed)
        with torch.no_grad():
            self.text_embedding = model.encode_text(model.tokenizer([caption]))[0]  # [d_e], unit length
        if start is None:
            size = size or model.config.image_size
            logits = self.config.noise * torch.randn(1, 3, size, size, generator=self.generator)  # [1, 3, H, W]
        else:
            start = start.detach().float().reshape(1, *start.shape[-3:])  # [1, 3, H, W]
            logits = torch.logit(start.clamp(PIXEL_EPS, 1 - PIXEL_EPS))
        # the only parameters being optimised: one unconstrained number per pixel and channel
        self.logits = logits.clone().requires_grad_(True)
        self.optimizer = torch.optim.Adam([self.logits], lr=self.config.lr)
        self.steps_done = 0
        self.last_gradient: torch.Tensor | None = None  # d loss / d logits of the last step, [1, 3, H, W]
        self.last_shifts: list[tuple[int, int]] = []  # (dy, dx) of each copy in the last step

    def picture(self) -> torch.Tensor:
        """The picture as the model sees it: blur(sigmoid(logits)), [1, 3, H, W] in [0, 1]."""
        return gaussian_blur(torch.sigmoid(self.logits), self.config.blur)

    def jittered(self, picture: torch.Tensor) -> torch.Tensor:
        """`copies` copies of the picture, each rolled by a random shift of up to `jitter` px, [copies, 3, H, W]."""
        jitter = self.config.jitter
        shifts = torch.randint(-jitter, jitter + 1, (self.config.copies, 2), generator=self.generator).tolist()
        self.last_shifts = [(dy, dx) for dy, dx in shifts]
        return torch.cat([torch.roll(picture, shifts=(dy, dx), dims=(2, 3)) for dy, dx in self.last_shifts])

    @torch.no_grad()
    def similarity(self, images: torch.Tensor | None = None) -> torch.Tensor:
        """Cosine of each picture [n, 3, H, W] (default: the current one) with the caption, [n]."""
        images = self.picture() if images is None else images
        return self.encode_image(images) @ self.text_embedding  # [n]

    def step(self) -> ArtStep:
        """One step of gradient ascent on the mean cosine of the jittered copies."""
        picture = self.picture()  # [1, 3, H, W]
        views = self.jittered(picture)  # [copies, 3, H, W]
        cosines = self.encode_image(views) @ self.text_embedding  # [copies]
        objective = cosines.mean()
        loss = -objective
        if self.config.tv_weight > 0:
            loss = loss + self.config.tv_weight * total_variation(picture)
        # gradient with respect to the pixels only: the model's parameters get no .grad at all
        (gradient,) = torch.autograd.grad(loss, [self.logits])
        self.logits.grad = gradient
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.steps_done += 1
        self.last_gradient = gradient
        return self._record(objective.item(), loss.item(), gradient.norm().item())

    def _record(self, objective: float, loss: float, gradient_norm: float) -> ArtStep:
        picture = self.picture().detach()
        done, every = self.steps_done, self.config.image_every
        with_image = done % every == 0 or done >= self.config.steps
        return ArtStep(done, self.similarity(picture).item(), objective, loss, gradient_norm,
                       picture[0].numpy().copy() if with_image else None)

    def run(self, steps: int | None = None) -> Iterator[ArtStep]:
        """Yield the start (step 0, with its picture) and then one record per step, until `steps` in all."""
        steps = self.config.steps if steps is None else steps
        if self.steps_done == 0:
            yield self._record(float("nan"), float("nan"), 0.0)
        while self.steps_done < steps:
            yield self.step()


# ----- real pictures of the caption, for comparison ----------------------------------------------

_KINDS = (("colour", COLOURS), ("shape", SHAPES), ("size", SIZES), ("position", POSITIONS), ("style", STYLES))
_WORDS: dict[str, list[tuple[str, str]]] = {}  # written word -> [(attribute kind, English name)], en and zh
for _kind, _names in _KINDS:
    for _name in _names:
        _WORDS.setdefault(_name, []).append((_kind, _name))
for _kind, _words in ZH_WORDS.items():
    for _name, _word in _words.items():
        _WORDS.setdefault(_word, []).append((_kind, _name))
_WORDS["pixel art"] = [("style", "pixel")]
_WORDS["pixelated"] = [("style", "pixel")]


def caption_words(caption: str) -> dict[str, list[str]]:
    """Every toy-world attribute a caption names, by kind, e.g. "a small red circle at the top left"
    -> {"colour": ["red"], "shape": ["circle"], "size": ["small"], "position": ["top left"]}.
    English words and the Chinese ones of ShapesWorld are both read; kinds not named are left out.
    "orange" names a colour when a shape word follows it ("a orange square") or "something" precedes it,
    and the fruit otherwise."""
    original = text = " " + " ".join(caption.lower().replace(".", " ").replace(",", " ").split()) + " "
    hits: list[tuple[int, list[tuple[str, str]]]] = []  # (where in the caption, the word's senses)
    for word in sorted(_WORDS, key=len, reverse=True):  # "top left" before "left", 左上角 before 上
        spaced = f" {word} " if word.isascii() else word
        at = text.find(spaced)
        while at >= 0:
            hits.append((at, _WORDS[word]))
            text = text[:at] + " " * len(spaced) + text[at + len(spaced):]  # blanked: positions stay put
            at = text.find(spaced)
    hits.sort(key=lambda hit: hit[0])
    found: dict[str, list[str]] = {}
    for i, (at, senses) in enumerate(hits):
        kind, name = senses[0]
        if len(senses) > 1:  # the colour sense when a shape follows or "something" precedes, else the thing
            colour = (i + 1 < len(hits) and any(k == "shape" for k, _ in hits[i + 1][1])) or \
                original[:at].rstrip().endswith(" something")
            kind, name = next((k, n) for k, n in senses if (k == "colour") == colour)
        if name not in found.setdefault(kind, []):
            found[kind].append(name)
    return found


def caption_attributes(caption: str) -> dict[str, str]:
    """The one value of each attribute kind a caption names, e.g. {"colour": "red", "shape": "circle"}.

    Raises:
        ValueError: the caption names two different values of one kind ("a red blue circle").
    """
    found = caption_words(caption)
    clashes = {kind: names for kind, names in found.items() if len(names) > 1}
    if clashes:
        raise ValueError("the caption names more than one " + ", ".join(
            f"{kind} ({' and '.join(sorted(names))})" for kind, names in clashes.items()))
    return {kind: names[0] for kind, names in found.items()}


def real_pictures(world: ShapesWorld, named: dict[str, str], n: int = 8, seed: int = 0) -> tuple[torch.Tensor,
                                                                                                  Attributes]:
    """n pictures the toy world draws for the named attributes (images [n, 3, H, W], their attributes);
    attributes the caption leaves out are drawn at random, seeded, as any picture it describes."""
    rng = np.random.default_rng([seed, 9])
    choices = {"colour": list(COLOURS), "shape": list(SHAPES), "size": list(SIZES), "position": list(POSITIONS),
               "style": list(STYLES)}
    scenes = [{kind: named.get(kind) or str(rng.choice(options)) for kind, options in choices.items()}
              for _ in range(n)]
    attributes = Attributes.from_names(scenes)
    return world.render(attributes, rng), attributes
