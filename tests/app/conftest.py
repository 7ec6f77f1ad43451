"""Fixtures for driving the app through its API: gradio_client clients and an independent
reference (the shipped checkpoint loaded straight from disk with clip_core) to check numbers against.

The server itself (`app_url`) is in tests/conftest.py, shared with the browser tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch

from clip_core import ShapesWorld, TinyCLIP, checkpoint
from clip_core.data import Batch


@pytest.fixture(scope="session")
def client(app_url):
    """One API client for the whole run. gradio keeps a gr.State per client (session hash), so
    tests that change the session's language or model must use `fresh_client` instead."""
    from gradio_client import Client

    return Client(app_url, verbose=False, download_files=True)


@pytest.fixture
def fresh_client(app_url):
    """A client with a session of its own (a new browser tab, as far as the app can tell)."""
    from gradio_client import Client

    return Client(app_url, verbose=False)


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


@pytest.fixture(scope="session")
def reference(shipped_checkpoint) -> Reference:
    from lessons.common.session import Session

    model = checkpoint.load(shipped_checkpoint)
    metrics = checkpoint.read_metrics(shipped_checkpoint) or {}
    world_seed = metrics.get("train_config", {}).get("world_seed", 0)
    world = ShapesWorld(world_seed, image_size=model.config.image_size)
    return Reference(model=model, random=Session().model("random"), world=world, metrics=metrics)
