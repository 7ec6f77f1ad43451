"""The shipped checkpoint (assets/toy_clip) loads and its recorded metrics reproduce."""

import json
from pathlib import Path

import pytest

from clip_core import checkpoint
from clip_core.data import ShapesWorld
from clip_core.prompts import effects, style_table
from clip_core.train import in_batch_accuracy, main
from clip_core.zeroshot import zero_shot_report

SHIPPED = Path(__file__).resolve().parents[2] / "assets" / "toy_clip"
TOLERANCE = 0.01


def assert_metrics_reproduce(folder: Path) -> None:
    """Reload a checkpoint folder and recompute what its metrics.json claims."""
    assert (folder / "model.safetensors").is_file() and (folder / "config.json").is_file()
    model = checkpoint.load(folder)
    expected_config = json.loads(json.dumps(checkpoint.checkpoint_config(model)))  # tuples become lists
    assert json.loads((folder / "config.json").read_text()) == expected_config
    metrics = checkpoint.read_metrics(folder)
    assert metrics is not None, "metrics.json is missing"

    train_config = metrics["train_config"]
    world = ShapesWorld(seed=train_config["world_seed"], image_size=model.config.image_size)
    recorded = metrics["zero_shot"]
    report = zero_shot_report(model, world, n_per_pair=recorded["n_per_pair"])
    recorded_rows = {row["template"]: row for row in recorded["templates"]}
    new_rows = {row["template"]: row for row in report["templates"]}
    assert len(recorded_rows) == len(recorded["templates"]), "duplicate template rows"
    assert set(recorded_rows) == set(new_rows)
    for template, row in recorded_rows.items():
        for key in ("accuracy", "seen", "held_out"):
            recomputed = new_rows[template][key]
            assert abs(recomputed - row[key]) <= TOLERANCE, (template, key, row[key], recomputed)

    recorded_accuracy = metrics["in_batch_accuracy"]
    accuracy = in_batch_accuracy(model, world, train_config["batch_size"])
    for direction in ("image_to_text", "text_to_image"):
        assert abs(accuracy[direction] - recorded_accuracy[direction]) <= TOLERANCE, direction

    if "prompts" in metrics:  # what a prompt is worth, as README's table and lesson 6 show it
        recorded_effects, recorded_table = metrics["prompts"]["effects"], metrics["prompts"]["style_table"]
        table = style_table(model, world)
        for row, columns in recorded_table["accuracy"].items():
            for column, value in columns.items():
                assert abs(table["accuracy"][row][column] - value) <= TOLERANCE, (row, column)
        assert abs(effects(table)["photo_vs_bare"] - recorded_effects["photo_vs_bare"]) <= TOLERANCE


@pytest.mark.slow
def test_shipped_checkpoint_metrics_reproduce():
    if not SHIPPED.is_dir():
        pytest.skip(f"no shipped checkpoint at {SHIPPED} (make checkpoint)")
    assert_metrics_reproduce(SHIPPED)


@pytest.mark.slow
def test_training_command_writes_a_checkpoint_whose_metrics_reproduce(tmp_path, capsys):
    out = tmp_path / "nano_ckpt"
    main(["--preset", "nano", "--steps", "30", "--out", str(out)])
    assert "wrote" in capsys.readouterr().out
    metrics = checkpoint.read_metrics(out)
    assert metrics["preset"] == "nano" and metrics["train_config"]["steps"] == 30
    assert len(metrics["history"]) == 30
    assert_metrics_reproduce(out)


@pytest.mark.slow
def test_the_shipped_model_shows_what_prompts_are_worth():
    """Lesson 6's claims about the shipped model, from its recorded and reproduced measurements
    (issue: the paper's prompt effects, honestly measured in the toy)."""
    if not SHIPPED.is_dir():
        pytest.skip(f"no shipped checkpoint at {SHIPPED} (make checkpoint)")
    prompts = checkpoint.read_metrics(SHIPPED)["prompts"]
    gains = prompts["effects"]
    assert gains["photo_vs_bare"] >= 0.03  # a sentence like the captions beats the bare label by 3 points
    for style, row in gains["per_style"].items():  # each style's own template beats every other style's
        assert row["matched"] > row["mismatched_best"], style
    ensemble = gains["ensemble"]
    assert ensemble["accuracy"] >= ensemble["mean_single"] + 0.02
    assert ensemble["accuracy"] >= ensemble["best_single"] - 0.005
    colour = prompts["ambiguity"]["tasks"]["colour"]
    assert colour["gain"] >= 0.10  # context ("something orange") resolves the ambiguous word
    probe = prompts["probe"]
    assert [row["k"] for row in probe["curve"]] == [1, 2, 4, 8, 16]
    means = [row["mean"] for row in probe["curve"]]
    assert means == sorted(means) and means[0] < probe["zero_shot"]  # one labelled picture is worth less
