"""Helpers shared by tests/lessons (handlers called directly) and tests/app (the app over HTTP): the
reference the numbers are checked against, the checkpoints on disk, the handlers' outputs and
waiting for a streamed run.

The reference is the shipped checkpoint loaded straight from its files with clip_core, never through
the app's shared model cache, so a number the app shows and the number recomputed here come from
two separate loads of the same weights. Fixtures defined here are registered where a conftest
imports them (tests/conftest.py itself is kept for the server).
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from clip_core import ShapesWorld, TinyCLIP, checkpoint
from clip_core.data import Batch

BACKGROUND = round(255 * 0.15)  # the toy world's dark background, behind drawings and transparent pictures
ASSETS = Path(__file__).resolve().parents[1] / "assets"
RELATIONS_CHECKPOINTS = {"relations": ASSETS / "toy_clip_relations", "negclip": ASSETS / "toy_clip_relations_negclip"}


@dataclass
class Reference:
    """What the app should show, recomputed with clip_core from the same checkpoint files."""

    model: TinyCLIP  # the shipped checkpoint
    random: TinyCLIP  # the app's "random init" model (same config, seed 0)
    world: ShapesWorld
    metrics: dict

    def batch(self, n: int, seed: int) -> Batch:
        from lessons.common.compute import demo_batch

        return demo_batch(self.world, n, seed)

    @torch.no_grad()
    def embed(self, batch: Batch, captions: list[str] | None = None, model: TinyCLIP | None = None):
        """(I_e [n, d_e], T_e [n, d_e]) of a batch, optionally with its captions reordered."""
        model = model or self.model
        captions = batch.captions if captions is None else captions
        return model.encode_image(batch.images), model.encode_text(model.tokenizer(captions))

    def scale(self, model: TinyCLIP | None = None) -> float:
        return (model or self.model).scale().item()

    def picker_image(self, pair: str, variant: int) -> torch.Tensor:
        """Image `variant` of a colour-shape pair in the zero-shot lesson's picker (every style) [3, H, W]."""
        test = self.world.test_set(8, "all", style=None)
        return test.images[test.attributes.pair_names().index(pair) + variant]

    def labelled_test_set(self, classnames: list[str], n_per_pair: int, attribute: str | None):
        """(images, labels, held-out mask) of the test images whose class is in the list: the class is
        the colour-shape pair, or one `attribute` ("colour", "shape", ...) of the scene."""
        test = self.world.test_set(n_per_pair, "all")
        names = [test.attributes.names(i) for i in range(len(test.captions))]
        keys = [f"{n['colour']} {n['shape']}" if attribute is None else n[attribute] for n in names]
        keep = np.array([key in classnames for key in keys])
        labels = np.array([classnames.index(key) for key, k in zip(keys, keep, strict=True) if k])
        return test.images[torch.from_numpy(keep)], labels, self.world.is_held_out(test.attributes)[keep]


@pytest.fixture(scope="session")
def reference(shipped_checkpoint) -> Reference:
    from lessons.common.session import Session

    model = checkpoint.load(shipped_checkpoint)
    metrics = checkpoint.read_metrics(shipped_checkpoint) or {}
    world_seed = metrics.get("train_config", {}).get("world_seed", 0)
    world = ShapesWorld(world_seed, image_size=model.config.image_size)
    return Reference(model=model, random=Session().model("random"), world=world, metrics=metrics)


@functools.cache
def bilingual_model() -> TinyCLIP:
    """The shipped bilingual checkpoint read straight from its folder (not through the app's cache)."""
    from lessons.common.session import BILINGUAL_CHECKPOINT

    return checkpoint.load(BILINGUAL_CHECKPOINT)


@functools.cache
def relations_checkpoints() -> dict[str, tuple]:
    """{"relations" | "negclip": (model, world, metrics)}: the two-object checkpoints, read from their folders."""
    return {key: checkpoint.load_with_world(folder) for key, folder in RELATIONS_CHECKPOINTS.items()}


def outputs(result) -> tuple:
    """A handler's outputs without the session some handlers hand back first (for gr.State)."""
    from lessons.common.session import Session

    result = result if isinstance(result, tuple) else (result,)
    return result[1:] if result and isinstance(result[0], Session) else result


def wait_until_streamed(job, updates: int = 2, timeout: float = 60) -> list:
    """Wait until a gradio_client job has sent `updates` outputs (a run that streams), and return them."""
    deadline = time.time() + timeout
    while len(job.outputs()) < updates and not job.done() and time.time() < deadline:
        time.sleep(0.05)
    streamed = job.outputs()
    assert len(streamed) >= updates, f"{len(streamed)} update(s) streamed in {timeout:.0f} s, expected {updates}"
    return streamed


def numbers_after(text: str, label: str) -> list[float]:
    """Every number that directly follows `label` in a read-out (markdown emphasis ignored)."""
    plain = re.sub(r"[ \t]+", " ", text.replace("**", "").replace("−", "-"))
    label = re.sub(r"\s+", " ", label)
    return [float(m) for m in re.findall(re.escape(label) + r"\s*([+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?)", plain)]


def number_after(text: str, label: str) -> float:
    found = numbers_after(text, label)
    assert found, f"no number after {label!r} in {text[:300]!r}"
    return found[0]


def expected_input(picture, size: int = 32) -> torch.Tensor:
    """The toy model's [3, size, size] input a lesson should make of a picture (a side a multiple of
    `size`), computed with numpy: alpha over the dark background, padded to a square, then the mean of
    each block of pixels."""
    rgba = np.asarray(picture.convert("RGBA"), dtype=np.float64)
    alpha = rgba[..., 3:] / 255.0
    rgb = rgba[..., :3] * alpha + BACKGROUND * (1 - alpha)
    height, width = rgb.shape[:2]
    side = max(height, width)
    square = np.full((side, side, 3), float(BACKGROUND))
    top, left = (side - height) // 2, (side - width) // 2
    square[top:top + height, left:left + width] = rgb
    block = side // size
    blocks = np.round(square).reshape(size, block, size, block, 3).mean(axis=(1, 3))
    return torch.from_numpy((np.round(blocks) / 255.0).transpose(2, 0, 1).astype(np.float32))


def percent(value: float) -> str:
    """A share as the lessons' tables print it: "87.5", or "—" for an empty group (NaN)."""
    return "—" if value != value else f"{100 * value:.1f}"


def crosslingual_scenes(n: int, seed: int):
    """(images, English captions, Chinese captions) of the "Two languages" lesson's n scenes for a
    seed, drawn here from the world's own seeded stream."""
    world = ShapesWorld(0)
    rng = np.random.default_rng([0, 23, seed])
    attributes = world.sample_attributes(n, "all", rng)
    images = world.render(attributes, rng)
    english, chinese = world.caption_pairs(attributes, rng)
    return images, english, chinese
