"""The shipped relations checkpoints (assets/toy_clip_relations, ..._negclip) load with their world,
and the figures their metrics.json recorded at training reproduce."""

import json
from pathlib import Path

import pytest
import torch

from clip_core import checkpoint
from clip_core.bagofwords import bag_of_words_report
from clip_core.data import ShapesWorld
from clip_core.scenes import RelationWorld
from clip_core.train import in_batch_accuracy
from clip_core.zeroshot import zero_shot_report

ASSETS = Path(__file__).resolve().parents[2] / "assets"
FOLDERS = {False: ASSETS / "toy_clip_relations", True: ASSETS / "toy_clip_relations_negclip"}
TOLERANCE = 0.01


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.slow
@pytest.mark.parametrize("hard_negatives", [False, True], ids=["relations", "negclip"])
def test_recorded_figures_reproduce(hard_negatives):
    folder = FOLDERS[hard_negatives]
    model, world, metrics = checkpoint.load_with_world(folder)
    assert isinstance(world, RelationWorld)
    config = metrics["train_config"]
    assert config["world"] == "relations" and config["hard_negatives"] is hard_negatives
    assert metrics["preset"] == "relations" and world.pair_fraction == config["pair_fraction"]
    assert json.loads((folder / "config.json").read_text()) == json.loads(
        json.dumps(checkpoint.checkpoint_config(model, world)))

    report = bag_of_words_report(model, world, metrics["bag_of_words"]["n_scenes"], metrics["bag_of_words"]["seed"])
    assert report["swaps"] == metrics["bag_of_words"]["swaps"]  # counts: exactly the same
    for key in ("retrieval", "in_batch"):
        for direction, value in metrics["bag_of_words"][key].items():
            assert abs(report[key][direction] - value) <= TOLERANCE, (key, direction)

    best = metrics["zero_shot"]["best_template"]
    recomputed = zero_shot_report(model, world, n_per_pair=metrics["zero_shot"]["n_per_pair"],
                                  templates=[best["template"]])["best_template"]
    for key in ("seen", "held_out"):
        assert abs(recomputed[key] - best[key]) <= TOLERANCE, key
    accuracy = in_batch_accuracy(model, world, config["batch_size"])
    for direction, value in metrics["in_batch_accuracy"].items():
        assert abs(accuracy[direction] - value) <= TOLERANCE, direction


def test_the_figures_the_lesson_teaches_hold():
    """Before: colours read, order ignored (chance); after hard negatives: both read."""
    before = checkpoint.read_metrics(FOLDERS[False])["bag_of_words"]["swaps"]
    after = checkpoint.read_metrics(FOLDERS[True])["bag_of_words"]["swaps"]
    assert before["attributes"]["accuracy"] > 0.9 and abs(before["objects"]["accuracy"] - 0.5) < 0.1
    assert after["attributes"]["accuracy"] > 0.95 and after["objects"]["accuracy"] > 0.95


def test_the_first_shipped_checkpoint_still_loads_as_a_shapes_world():
    model, world, metrics = checkpoint.load_with_world(ASSETS / "toy_clip")
    assert type(world) is ShapesWorld and world.seed == metrics["train_config"]["world_seed"]
    assert "world" not in json.loads((ASSETS / "toy_clip" / "config.json").read_text())
