"""Save and load TinyCLIP checkpoints as safetensors weights plus a JSON config.

A checkpoint folder holds `model.safetensors` and `config.json` (and `metrics.json` when training
recorded some). The safetensors header carries the same config, so the single `.safetensors`
file is a complete checkpoint too (that is what the app downloads and uploads). Nothing here
unpickles: a file that is not a CLIP Lab checkpoint raises CheckpointError with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save_file

from .config import ModelConfig
from .data import ShapesWorld
from .model import TinyCLIP
from .scenes import world_from_spec, world_spec
from .tokenizer import Tokenizer

FORMAT = "clip-lab/tinyclip"
VERSION = 1
WEIGHTS, CONFIG, METRICS = "model.safetensors", "config.json", "metrics.json"


class CheckpointError(ValueError):
    """The file is not a (compatible) CLIP Lab checkpoint."""


def checkpoint_config(model: TinyCLIP, world: ShapesWorld | None = None) -> dict:
    """The JSON-serialisable description needed to rebuild the model (and, if given, its world)."""
    config = {
        "format": FORMAT,
        "version": VERSION,
        "model": model.config.to_dict(),
        "vocabulary": model.tokenizer.vocabulary if model.tokenizer else None,
    }
    if world is not None:  # checkpoints written before worlds were recorded have no "world"
        config["world"] = world_spec(world)
    return config


def save(model: TinyCLIP, path: str | Path, metrics: dict | None = None, world: ShapesWorld | None = None) -> Path:
    """Write a checkpoint folder; returns the path of its `.safetensors` file.

    Args:
        world: the world the model was trained on, recorded so `load_world` can rebuild it.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    config = checkpoint_config(model, world)
    tensors = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
    save_file(tensors, folder / WEIGHTS, metadata={"clip_lab": json.dumps(config)})
    (folder / CONFIG).write_text(json.dumps(config, indent=2) + "\n")
    if metrics is not None:
        (folder / METRICS).write_text(json.dumps(metrics, indent=1) + "\n")
    return folder / WEIGHTS


def read_metrics(path: str | Path) -> dict | None:
    """The recorded metrics of a checkpoint folder, if any."""
    file = Path(path) / METRICS
    return json.loads(file.read_text()) if file.exists() else None


def _read_config(weights: Path) -> dict:
    try:
        with safe_open(str(weights), framework="pt") as f:
            metadata = f.metadata() or {}
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"{weights.name} is not a safetensors file ({error})") from None
    if "clip_lab" not in metadata:
        raise CheckpointError(f"{weights.name} is a safetensors file but not a CLIP Lab checkpoint "
                              "(its header has no CLIP Lab config)")
    try:
        return json.loads(metadata["clip_lab"])
    except json.JSONDecodeError:
        raise CheckpointError(f"{weights.name}: its CLIP Lab config is not valid JSON") from None


def load(path: str | Path) -> TinyCLIP:
    """Load a checkpoint folder or a single `.safetensors` file into an eval-mode TinyCLIP."""
    path = Path(path)
    weights = path / WEIGHTS if path.is_dir() else path
    if not weights.exists():
        raise CheckpointError(f"no checkpoint at {path}")
    config = _read_config(weights)
    if config.get("format") != FORMAT:
        raise CheckpointError(f"unknown checkpoint format {config.get('format')!r} (expected {FORMAT!r})")
    if config.get("version") != VERSION:
        raise CheckpointError(f"checkpoint version {config.get('version')} is not supported (expected {VERSION})")
    try:
        model_config = ModelConfig.from_dict(config["model"])
        vocabulary = config["vocabulary"]
        tokenizer = Tokenizer(vocabulary, model_config.context_length) if vocabulary else None
        model = TinyCLIP(model_config, tokenizer)
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"the checkpoint's config cannot build a model: {error}") from None
    state = load_file(str(weights))
    expected = model.state_dict()
    missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or unexpected:
        raise CheckpointError(f"weights do not match the config: missing {missing[:3]}, unexpected {unexpected[:3]}")
    wrong = [k for k in expected if expected[k].shape != state[k].shape]
    if wrong:
        k = wrong[0]
        raise CheckpointError(f"weight {k} has shape {tuple(state[k].shape)}, "
                              f"the config needs {tuple(expected[k].shape)}")
    bad = [k for k, v in state.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if bad:
        raise CheckpointError(f"weight {bad[0]} holds NaN or infinite values")
    model.load_state_dict(state)
    return model.eval()


def load_world(path: str | Path) -> ShapesWorld:
    """The world a checkpoint was trained on: its recorded world spec, or for a checkpoint that
    has none, a ShapesWorld with the world seed of its metrics (the default world if none)."""
    path = Path(path)
    weights = path / WEIGHTS if path.is_dir() else path
    config = _read_config(weights)
    if "world" in config:
        return world_from_spec(config["world"])
    metrics = read_metrics(path) if path.is_dir() else None
    train_config = (metrics or {}).get("train_config", {})
    return ShapesWorld(seed=train_config.get("world_seed", 0),
                       image_size=config.get("model", {}).get("image_size", 32),
                       caption_language=train_config.get("caption_language", "en"))


def load_with_world(path: str | Path) -> tuple[TinyCLIP, ShapesWorld, dict | None]:
    """(model, its world, its recorded metrics or None) of a checkpoint folder or file."""
    path = Path(path)
    return load(path), load_world(path), read_metrics(path) if path.is_dir() else None
