"""Per-browser-session state, kept in a `gr.State` (never at module level: module globals are
shared by every learner).

A Session holds the learner's language, which model the lessons use, and the models themselves:
the shipped checkpoint (loaded from assets/ for this session), a random initialisation of the same
shape, and - once the learner trains one - their own model.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clip_core import ShapesWorld, TinyCLIP, build_model, checkpoint
from clip_core.config import ModelConfig

SHIPPED_CHECKPOINT = Path(__file__).resolve().parent.parent / "assets" / "toy_clip"
MODEL_CHOICES = ("shipped", "trained", "random")


@dataclass
class Session:
    """One learner's state. Deep-copyable, as gr.State requires."""

    lang: str = "en"
    model_name: str = "shipped"
    models: dict[str, TinyCLIP] = field(default_factory=dict)
    histories: dict[str, list[dict]] = field(default_factory=dict)  # learned-scale trajectories etc.
    world_seed: int = 0
    cache: dict = field(default_factory=dict)  # per-lesson memo of batches and embeddings
    training: Any = None  # the live training run of lesson 5 (lessons.train_live.TrainingRun)

    @property
    def world(self) -> ShapesWorld:
        return ShapesWorld(self.world_seed, image_size=self.model("shipped").config.image_size)

    def model(self, name: str | None = None) -> TinyCLIP:
        """The named model (default: the one picked in the header), built on first use."""
        name = name or self.model_name
        if name == "trained" and "trained" not in self.models:
            name = "shipped"
        if name not in self.models:
            if name == "shipped":
                self.models["shipped"] = checkpoint.load(SHIPPED_CHECKPOINT)
                metrics = checkpoint.read_metrics(SHIPPED_CHECKPOINT) or {}
                self.world_seed = metrics.get("train_config", {}).get("world_seed", 0)
                self.histories["shipped"] = metrics.get("history", [])
            elif name == "random":
                shipped = self.model("shipped")
                config = ModelConfig.from_dict(shipped.config.to_dict())
                world = ShapesWorld(self.world_seed, image_size=config.image_size)
                self.models["random"] = build_model(config, world, seed=0).eval()
            else:
                raise ValueError(f"unknown model {name!r}")
        return self.models[name]

    def available_models(self) -> list[str]:
        return [name for name in MODEL_CHOICES if name != "trained" or "trained" in self.models]

    def set_trained(self, model: TinyCLIP, history: list[dict]) -> None:
        self.models["trained"] = copy.deepcopy(model).eval()
        self.histories["trained"] = history
        self.cache.clear()

    def memo(self, key: tuple, make):
        """Memoise per-session work (a batch, its embeddings); a small bounded cache."""
        if key not in self.cache:
            if len(self.cache) > 32:
                self.cache.pop(next(iter(self.cache)))
            self.cache[key] = make()
        return self.cache[key]


def ensure(session: Session | None, lang: str | None = None) -> Session:
    """The session of a request; API calls without a browser session get a fresh one."""
    if session is None:
        session = Session()
    if lang in ("en", "zh"):
        session.lang = lang
    return session
