"""Checkpoints: a safetensors round trip, and refusal of anything that is not ours."""

import json
import os
import pickle
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from clip_core import checkpoint
from clip_core.checkpoint import CheckpointError
from clip_core.config import get_preset
from clip_core.data import ShapesWorld
from clip_core.train import Trainer, build_model


@pytest.fixture
def stepped_nano():
    """A nano model after a few steps, so weights and batch-norm statistics left their init."""
    preset = get_preset("nano")
    world = ShapesWorld(0)
    model = build_model(preset.model, world, seed=0)
    preset.train.batch_size = 16
    for _ in Trainer(model, world, preset.train).run(3):
        pass
    return model.eval()


@pytest.fixture
def probe():
    batch = ShapesWorld(5).sample_batch(12)
    return batch.images, batch.captions


def _logits(model, probe) -> torch.Tensor:
    images, captions = probe
    with torch.no_grad():
        return model(images, model.tokenizer(captions))


def test_round_trip_gives_identical_logits(stepped_nano, probe, tmp_path):
    weights = checkpoint.save(stepped_nano, tmp_path / "ckpt", metrics={"note": "test"})
    assert weights == tmp_path / "ckpt" / "model.safetensors"
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == ["config.json", "metrics.json", "model.safetensors"]

    before = _logits(stepped_nano, probe)
    for source in (tmp_path / "ckpt", weights):  # the folder, and the single .safetensors file alone
        loaded = checkpoint.load(source)
        assert not loaded.training
        assert loaded.config == stepped_nano.config
        assert loaded.tokenizer.itos == stepped_nano.tokenizer.itos
        state, expected = loaded.state_dict(), stepped_nano.state_dict()
        assert state.keys() == expected.keys()
        assert all(torch.equal(state[k], expected[k]) for k in expected)
        assert torch.equal(_logits(loaded, probe), before)
    assert checkpoint.read_metrics(tmp_path / "ckpt") == {"note": "test"}


def test_single_file_is_complete_without_config_json(stepped_nano, probe, tmp_path):
    weights = checkpoint.save(stepped_nano, tmp_path / "ckpt")
    alone = tmp_path / "downloaded.safetensors"
    alone.write_bytes(weights.read_bytes())
    assert torch.equal(_logits(checkpoint.load(alone), probe), _logits(stepped_nano, probe))


def test_round_trip_of_a_vit_model(probe, tmp_path):
    model = build_model(get_preset("default").model, ShapesWorld(0), seed=3).eval()
    checkpoint.save(model, tmp_path)
    assert torch.equal(_logits(checkpoint.load(tmp_path), probe), _logits(model, probe))


def test_load_refuses_a_missing_path(tmp_path):
    with pytest.raises(CheckpointError):
        checkpoint.load(tmp_path / "nothing here")
    with pytest.raises(CheckpointError):
        checkpoint.load(tmp_path)  # a folder without model.safetensors


def test_load_refuses_random_bytes(tmp_path):
    path = tmp_path / "model.safetensors"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(CheckpointError):
        checkpoint.load(path)
    with pytest.raises(CheckpointError):
        checkpoint.load(tmp_path)
    path.write_bytes(b"abc")  # shorter than a safetensors header length
    with pytest.raises(CheckpointError):
        checkpoint.load(path)


class _CreatesFile:
    """Unpickling this object creates the file at `marker` (what a malicious checkpoint would do)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_load_never_unpickles(tmp_path):
    # the payload works: unpickling it really creates a file
    control = tmp_path / "control-marker"
    pickle.loads(pickle.dumps(_CreatesFile(control)))
    assert control.exists()

    marker = tmp_path / "pwned-marker"
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(pickle.dumps(_CreatesFile(marker)))
    with pytest.raises(CheckpointError):
        checkpoint.load(folder)
    with pytest.raises(CheckpointError):
        checkpoint.load(folder / "model.safetensors")
    # the same payload inside a torch.save zip archive
    torch.save({"weights": _CreatesFile(marker)}, folder / "model.safetensors")
    with pytest.raises(CheckpointError):
        checkpoint.load(folder)
    assert not marker.exists()


def test_load_refuses_a_safetensors_file_without_our_metadata(stepped_nano, tmp_path):
    tensors = {k: v.contiguous() for k, v in stepped_nano.state_dict().items()}
    path = tmp_path / "model.safetensors"
    save_file(tensors, path)  # right tensors, no CLIP Lab header
    with pytest.raises(CheckpointError, match="not a CLIP Lab checkpoint"):
        checkpoint.load(path)
    save_file(tensors, path, metadata={"format": "pt"})  # some other metadata
    with pytest.raises(CheckpointError):
        checkpoint.load(path)


def _rewrite(path: Path, tensors: dict, config: dict) -> None:
    save_file(tensors, path, metadata={"clip_lab": json.dumps(config)})


def test_load_refuses_right_keys_with_wrong_shapes(stepped_nano, tmp_path):
    weights = checkpoint.save(stepped_nano, tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    tensors = load_file(str(weights))
    tensors["image_projection"] = torch.zeros(tensors["image_projection"].shape[0], 7)  # not embed_dim
    _rewrite(weights, tensors, config)
    with pytest.raises(CheckpointError, match="image_projection"):
        checkpoint.load(weights)

    # or: the weights are right but the config describes another shape
    checkpoint.save(stepped_nano, tmp_path)
    config["model"]["embed_dim"] += 8
    _rewrite(weights, load_file(str(weights)), config)
    with pytest.raises(CheckpointError, match="shape"):
        checkpoint.load(weights)


def test_load_refuses_missing_or_extra_keys(stepped_nano, tmp_path):
    weights = checkpoint.save(stepped_nano, tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    tensors = load_file(str(weights))
    _rewrite(weights, {k: v for k, v in tensors.items() if k != "logit_scale"}, config)
    with pytest.raises(CheckpointError, match="missing"):
        checkpoint.load(weights)
    _rewrite(weights, {**tensors, "extra.weight": torch.zeros(2)}, config)
    with pytest.raises(CheckpointError, match="unexpected"):
        checkpoint.load(weights)


def test_load_refuses_wrong_format_version_or_config(stepped_nano, tmp_path):
    weights = checkpoint.save(stepped_nano, tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    tensors = load_file(str(weights))
    for broken in ({**config, "format": "someone-else"}, {**config, "version": 99},
                   {**config, "model": {**config["model"], "hidden_size": 3}},
                   {**config, "model": {**config["model"], "image_encoder": "mlp"}}):
        _rewrite(weights, tensors, broken)
        with pytest.raises(CheckpointError):
            checkpoint.load(weights)
    save_file(tensors, weights, metadata={"clip_lab": "{not json"})
    with pytest.raises(CheckpointError):
        checkpoint.load(weights)


def test_load_refuses_non_finite_weights(stepped_nano, tmp_path):
    weights = checkpoint.save(stepped_nano, tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    tensors = load_file(str(weights))
    tensors["text_projection"][0, 0] = float("nan")
    _rewrite(weights, tensors, config)
    with pytest.raises(CheckpointError, match="NaN"):
        checkpoint.load(weights)
