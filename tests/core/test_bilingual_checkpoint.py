"""`python -m clip_core.train --captions mixed` writes a bilingual checkpoint whose metrics reproduce."""

import json

import pytest

from clip_core import checkpoint
from clip_core.config import TrainConfig
from clip_core.train import in_batch_accuracy, main, make_world
from clip_core.zeroshot import zero_shot_report

TOLERANCE = 0.01


def recorded_rows(report: dict) -> dict[str, dict]:
    return {row["template"]: row for row in report["templates"]}


@pytest.mark.slow
def test_mixed_training_command_records_chinese_zero_shot_that_reproduces(tmp_path, capsys):
    out = tmp_path / "bilingual"
    main(["--preset", "nano", "--steps", "30", "--captions", "mixed", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "captions mixed" in printed and "Chinese prompts: zero-shot with" in printed
    metrics = checkpoint.read_metrics(out)
    assert metrics["train_config"]["caption_language"] == "mixed"
    assert {"左上角", "一张", "照片", "red"} <= set(json.loads((out / "config.json").read_text())["vocabulary"])

    model = checkpoint.load(out)
    world = make_world(model.config, TrainConfig.from_dict(metrics["train_config"]))
    for key, lang in (("zero_shot", "en"), ("zero_shot_zh", "zh")):
        recorded = metrics[key]
        report = zero_shot_report(model, world, n_per_pair=recorded["n_per_pair"], lang=lang)
        assert recorded_rows(recorded).keys() == recorded_rows(report).keys()
        for template, row in recorded_rows(recorded).items():
            for group in ("accuracy", "seen", "held_out"):
                assert abs(recorded_rows(report)[template][group] - row[group]) <= TOLERANCE, (template, group)
    assert "一张{}的照片" in recorded_rows(metrics["zero_shot_zh"])
    accuracy = in_batch_accuracy(model, world, metrics["train_config"]["batch_size"])
    for direction, value in metrics["in_batch_accuracy"].items():
        assert abs(accuracy[direction] - value) <= TOLERANCE, direction


@pytest.mark.slow
def test_english_training_command_records_no_chinese_zero_shot(tmp_path, capsys):
    out = tmp_path / "english"
    main(["--preset", "nano", "--steps", "3", "--out", str(out)])
    assert "Chinese prompts" not in capsys.readouterr().out
    metrics = checkpoint.read_metrics(out)
    assert metrics["train_config"]["caption_language"] == "en" and "zero_shot_zh" not in metrics
    assert "左上角" not in checkpoint.load(out).tokenizer.vocabulary
