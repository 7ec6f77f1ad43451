"""What a prompt is worth (clip_core.prompts): each measurement recomputed independently on a small model."""

import numpy as np
import pytest
import torch

from clip_core.config import get_preset
from clip_core.data import COLOURS, SHAPES, STYLES, ShapesWorld
from clip_core.prompts import (
    BARE,
    CONTEXT_TEMPLATES,
    ENSEMBLE,
    STYLE_TEMPLATES,
    ambiguity,
    effects,
    probe_vs_zero_shot,
    sense_of_bare_word,
    style_table,
)
from clip_core.train import build_model
from clip_core.zeroshot import classify


@pytest.fixture(scope="module")
def model_and_world():
    world = ShapesWorld(0)
    return build_model(get_preset("nano").model, world, seed=3).eval(), world


def test_each_cell_of_the_style_table_is_zero_shot_accuracy_on_that_style(model_and_world):
    model, world = model_and_world
    table = style_table(model, world, n_per_pair=1)
    assert table["rows"] == [BARE, *STYLE_TEMPLATES.values(), ENSEMBLE] and table["columns"] == [*STYLES, "mixed"]
    classes = world.classes("colour_shape")
    per_style = []
    for style in STYLES:
        test = world.test_set(1, "all", style=style)
        labels = np.array([classes.index(p) for p in test.attributes.pair_names()])
        probs = classify(model, model.tokenizer, test.images, classes, ["pixel art of a {}."])
        hits = probs.argmax(dim=-1).numpy() == labels
        assert table["accuracy"]["pixel art of a {}."][style] == pytest.approx(hits.mean())
        ensemble = classify(model, model.tokenizer, test.images, classes, list(STYLE_TEMPLATES.values()))
        assert table["accuracy"][ENSEMBLE][style] == pytest.approx((ensemble.argmax(-1).numpy() == labels).mean())
        per_style.append(hits)
    assert table["accuracy"]["pixel art of a {}."]["mixed"] == pytest.approx(np.concatenate(per_style).mean())
    assert table["n_images"] == {**{s: len(classes) for s in STYLES}, "mixed": 3 * len(classes)}


def test_effects_are_differences_read_from_the_table():
    rows = [BARE, *STYLE_TEMPLATES.values(), ENSEMBLE]
    rng = np.random.default_rng(0)
    table = {"rows": rows, "accuracy": {r: {c: float(rng.random()) for c in [*STYLES, "mixed"]} for r in rows}}
    gains = effects(table)
    acc = table["accuracy"]
    photo = STYLE_TEMPLATES["photo"]
    assert gains["photo_vs_bare"] == pytest.approx(acc[photo]["photo"] - acc[BARE]["photo"])
    sketch = gains["per_style"]["sketch"]
    others = [acc[t]["sketch"] for s, t in STYLE_TEMPLATES.items() if s != "sketch"]
    assert sketch["matched"] == acc[STYLE_TEMPLATES["sketch"]]["sketch"] and sketch["mismatched_best"] == max(others)
    singles = [acc[t]["mixed"] for t in STYLE_TEMPLATES.values()]
    assert gains["ensemble"]["mean_single"] == pytest.approx(np.mean(singles))
    assert gains["ensemble"]["best_single"] == max(singles)


def test_the_ambiguity_counts_cover_the_contested_pictures(model_and_world):
    model, world = model_and_world
    report = ambiguity(model, world, n_per_pair=3)
    test = world.test_set(3, "all", style=None)
    fruit = np.asarray(test.attributes.shape) == SHAPES.index("orange")
    coloured = (np.asarray(test.attributes.colour) == list(COLOURS).index("orange")) & ~fruit
    assert (report["n_fruit"], report["n_coloured"]) == (fruit.sum(), coloured.sum())
    assert report["n_contested"] == report["n_fruit"] + report["n_coloured"]
    for task, result in report["tasks"].items():
        assert result["context"] == CONTEXT_TEMPLATES[task] and set(result["templates"]) == {BARE, result["context"]}
        for row in result["templates"].values():
            assert sum(row["called"]["fruit"].values()) == report["n_fruit"]
            assert sum(row["called"]["orange-coloured"].values()) == report["n_coloured"]
            right = row["called"]["orange-coloured"]["orange"] if task == "colour" else row["called"]["fruit"]["orange"]
            assert right <= row["contested"] * report["n_contested"] + 1e-9
        assert result["gain"] == pytest.approx(result["templates"][result["context"]]["contested"]
                                               - result["templates"][BARE]["contested"])


def test_the_sense_of_a_lone_word_is_two_cosines(model_and_world):
    model, _ = model_and_world
    sense = sense_of_bare_word(model)
    with torch.no_grad():
        bare, fruit, colour = model.encode_text(model.tokenizer(["orange", "a photo of a orange.",
                                                                 "a photo of something orange."]))
    assert sense["fruit"] == pytest.approx(float(bare @ fruit), abs=1e-6)
    assert sense["colour"] == pytest.approx(float(bare @ colour), abs=1e-6)


def test_probe_and_zero_shot_use_the_same_test_pictures(model_and_world):
    model, world = model_and_world
    report = probe_vs_zero_shot(model, world, n_per_pair=1, pool_per_pair=2, shots=(1, 2), draws=2)
    classes = world.classes("colour_shape")
    assert report["n_test"] == len(classes) and report["classes"] == len(classes)
    test = world.test_set(1, "all", style=None)
    labels = np.array([classes.index(p) for p in test.attributes.pair_names()])
    probs = classify(model, model.tokenizer, test.images, classes, list(STYLE_TEMPLATES.values()))
    assert report["zero_shot"] == pytest.approx((probs.argmax(-1).numpy() == labels).mean())
    assert [row["k"] for row in report["curve"]] == [1, 2]
