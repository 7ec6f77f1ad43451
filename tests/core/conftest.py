"""Shared fixtures for the clip_core unit tests: tiny models on a 2-thread CPU, no network."""

import os

# before anything imports transformers or huggingface_hub: never reach for the network
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import time  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

from clip_core.config import get_preset  # noqa: E402
from clip_core.data import ShapesWorld  # noqa: E402
from clip_core.train import Trainer, build_model  # noqa: E402

torch.set_num_threads(1 if os.environ.get("PYTEST_XDIST_WORKER") else 2)  # as tests/conftest.py's torch_threads


@pytest.fixture
def world() -> ShapesWorld:
    """A fresh world with seed 0 (function scope: its stream is consumed by tests)."""
    return ShapesWorld(0)


@pytest.fixture
def nano():
    """A freshly initialised `nano` model (ResNet image tower, 1-layer text tower), eval mode."""
    return build_model(get_preset("nano").model, ShapesWorld(0), seed=0).eval()


@pytest.fixture(scope="session")
def trained_nano() -> dict:
    """The `nano` preset trained for its full schedule, once per session.

    Returns a dict with the model, its world, the trainer and the training wall time.
    """
    preset = get_preset("nano")
    world = ShapesWorld(seed=preset.train.world_seed, image_size=preset.model.image_size)
    model = build_model(preset.model, world, seed=preset.train.seed)
    trainer = Trainer(model, world, preset.train)
    start = time.perf_counter()
    for _ in trainer.run():
        pass
    seconds = time.perf_counter() - start
    return {"model": model.eval(), "world": world, "trainer": trainer, "preset": preset, "seconds": seconds}
