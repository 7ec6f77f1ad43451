"""The shipped bilingual checkpoint (assets/toy_clip_bilingual, trained with --captions mixed) loads,
reads both languages, and its recorded metrics reproduce: English and Chinese zero-shot, in-batch accuracy."""

from pathlib import Path

import pytest

from clip_core import checkpoint
from clip_core.config import TrainConfig
from clip_core.train import in_batch_accuracy, make_world
from clip_core.zeroshot import knows_language, zero_shot_report

BILINGUAL = Path(__file__).resolve().parents[2] / "assets" / "toy_clip_bilingual"
TOLERANCE = 0.01


def rows(report: dict) -> dict[str, dict]:
    return {row["template"]: row for row in report["templates"]}


@pytest.mark.slow
def test_shipped_bilingual_checkpoint_metrics_reproduce():
    if not BILINGUAL.is_dir():
        pytest.skip(f"no bilingual checkpoint at {BILINGUAL}")
    model = checkpoint.load(BILINGUAL)
    metrics = checkpoint.read_metrics(BILINGUAL)
    train_config = TrainConfig.from_dict(metrics["train_config"])
    assert metrics["preset"] == "default" and train_config.caption_language == "mixed"
    world = make_world(model.config, train_config)
    assert model.tokenizer.vocabulary == world.vocabulary("mixed")
    assert knows_language(model.tokenizer, world, "en") and knows_language(model.tokenizer, world, "zh")

    for key, lang in (("zero_shot", "en"), ("zero_shot_zh", "zh")):
        recorded = metrics[key]
        report = zero_shot_report(model, world, n_per_pair=recorded["n_per_pair"], lang=lang)
        assert rows(recorded).keys() == rows(report).keys()
        for template, row in rows(recorded).items():
            for group in ("accuracy", "seen", "held_out"):
                assert abs(rows(report)[template][group] - row[group]) <= TOLERANCE, (key, template, group)
    # Chinese prompts work on held-out pairs too: no caption in either language ever named them
    assert rows(metrics["zero_shot_zh"])["一张{}的照片"]["held_out"] >= 0.9
    accuracy = in_batch_accuracy(model, world, train_config.batch_size)
    for direction, value in metrics["in_batch_accuracy"].items():
        assert abs(accuracy[direction] - value) <= TOLERANCE, direction
