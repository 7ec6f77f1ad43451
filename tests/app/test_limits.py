"""Operator limits (issue #7 part 6): read from CLIP_LAB_* variables, honoured by every check that
uses them, named in every refusal they cause, and documented in the README exactly as defined."""

from __future__ import annotations

import re
import sys
import time
from dataclasses import fields
from pathlib import Path

import gradio as gr
import pytest
import torch

from lessons import search, zeroshot
from lessons import train as train_live
from lessons.common import classes as zeroshot_inputs
from lessons.common import images, limits
from lessons.common.limits import Limits
from lessons.common.session import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/bad_files.py
import bad_files  # noqa: E402

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def operator(monkeypatch):
    """Set limits as an operator would (environment variables), for the code that reads them."""

    def apply(**variables: str) -> Limits:
        chosen = Limits.from_environment({limits.variable(k): v for k, v in variables.items()})
        monkeypatch.setattr(limits, "LIMITS", chosen)
        return chosen

    return apply


def test_variables_override_the_defaults_and_nothing_else():
    chosen = Limits.from_environment({"CLIP_LAB_MAX_STEPS": "50", "CLIP_LAB_MAX_UPLOAD_MB": "2.5",
                                      "CLIP_LAB_MAX_CLASSES": "", "OTHER": "1"})
    assert chosen.max_steps == 50 and isinstance(chosen.max_steps, int)
    assert chosen.max_upload_mb == 2.5
    assert chosen.max_classes == Limits().max_classes  # empty: the default


@pytest.mark.parametrize("raw", ["0", "-3", "nan", "inf", "lots", "1.5"])
def test_a_bad_variable_stops_start_up_with_its_name(raw):
    with pytest.raises(SystemExit, match="CLIP_LAB_MAX_STEPS"):
        Limits.from_environment({"CLIP_LAB_MAX_STEPS": raw})


def test_the_defaults_admit_what_the_lessons_offered_before_limits_existed():
    defaults = Limits()
    assert defaults.max_classes >= 100 and defaults.max_templates >= 32
    assert defaults.max_class_chars >= 40 and defaults.max_template_chars >= 100 and defaults.max_text_chars >= 200
    assert defaults.max_gallery >= 480 and defaults.max_test_set >= 40 * 48
    assert defaults.max_batch >= 256 and defaults.max_steps >= 20000
    assert defaults.max_upload_mb >= 10 and defaults.max_image_side >= 4096 and defaults.max_checkpoint_mb >= 20


def test_the_readme_lists_every_limit_with_its_default_and_meaning():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Limits", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(CLIP_LAB_[A-Z_]+)` \| ([^|]+) \| ([^|]+) \|$", section, flags=re.M)
    defaults = Limits()
    assert [(name, value.strip()) for name, value, _ in rows if name != "CLIP_LAB_PRETRAINED"] == defaults.table()
    meanings = defaults.meanings()
    for name, _, meaning in rows:
        if name in meanings:
            assert meaning.strip() == meanings[name]
    assert len(defaults.table()) == len(fields(Limits))


def test_class_and_template_limits(operator):
    operator(max_classes="3", max_templates="2", max_class_chars="10", max_template_chars="20")
    with pytest.raises(gr.Error, match=r"At most 3 classes, please \(got 4\).*CLIP_LAB_MAX_CLASSES"):
        zeroshot_inputs.parse_classes("red, blue, green, white")
    assert zeroshot_inputs.parse_classes("red, blue, green") == ["red", "blue", "green"]
    with pytest.raises(gr.Error, match="longer than 10 characters.*CLIP_LAB_MAX_CLASS_CHARS"):
        zeroshot_inputs.parse_classes("red, blue circles")
    with pytest.raises(gr.Error, match=r"At most 2 templates, please \(got 3\).*CLIP_LAB_MAX_TEMPLATES"):
        zeroshot_inputs.parse_templates("{}\na {}\nthe {}")
    with pytest.raises(gr.Error, match="longer than 20 characters.*CLIP_LAB_MAX_TEMPLATE_CHARS"):
        zeroshot_inputs.parse_templates("a blurry photo of a {}.")


def test_gallery_test_set_and_query_limits(operator):
    operator(max_gallery="120", max_test_set="112", max_text_chars="12")
    assert search.gallery_max() == 112 and zeroshot.compare_max() == 2
    with pytest.raises(gr.Error, match="gallery size must be a number from 56 to 112.*CLIP_LAB_MAX_GALLERY"):
        search.search_text(Session(), 168, 0, "a red circle", 3)
    with pytest.raises(gr.Error, match=r"At most 12 characters.*CLIP_LAB_MAX_TEXT_CHARS"):
        search.search_text(Session(), 112, 0, "a small red circle", 3)
    with pytest.raises(gr.Error, match="test images per pair must be a number from 1 to 2.*CLIP_LAB_MAX_TEST_SET"):
        zeroshot.compare_templates(Session(), "red circle, blue square", "a {}", 3)


def test_training_limits_and_presets(operator):
    operator(max_batch="8", max_steps="30")
    with pytest.raises(gr.Error, match="Batch size must be a number from 2 to 8.*CLIP_LAB_MAX_BATCH"):
        train_live.validate("en", "vit", 16, 16, 2e-3, 20, True, 0.07, 0)
    with pytest.raises(gr.Error, match="Steps must be a number from 1 to 30.*CLIP_LAB_MAX_STEPS"):
        train_live.validate("en", "vit", 16, 8, 2e-3, 40, True, 0.07, 0)
    values = dict(zip(train_live.SETTINGS, train_live.apply_preset("shipped"), strict=True))
    assert values["batch_size"] == 8 and values["steps"] == 30  # presets come down to the limits
    train_live.validate("en", *values.values())


def test_upload_limits(operator, tmp_path):
    operator(max_upload_mb="0.001", max_image_side="16", max_checkpoint_mb="0.01")
    with pytest.raises(images.ImageRejected, match="at most 0.001 MB.*CLIP_LAB_MAX_UPLOAD_MB"):
        images.read_picture(str(bad_files.truncated_png(tmp_path)))
    with pytest.raises(images.ImageRejected, match="The image is 40 × 40 px; at most 16 px.*CLIP_LAB_MAX_IMAGE_SIDE"):
        images.read_picture(str(bad_files.rgba_png(tmp_path)))
    assert images.read_picture(str(bad_files.one_pixel(tmp_path))).size == (1, 1)
    heavy = tmp_path / "model.safetensors"
    heavy.write_bytes(b"\0" * 20_000)
    with pytest.raises(gr.Error, match=r"limit 0\.01 MB.*CLIP_LAB_MAX_CHECKPOINT_MB"):
        train_live.upload(Session(), str(heavy), lambda session: None)


def test_a_job_over_the_time_limit_pauses_and_keeps_its_model(operator):
    operator(max_train_seconds="0.5")
    session = Session()
    settings = {**train_live.PRESETS["quick"], "embed_dim": 16, "batch_size": 8, "steps": 20000}
    run = session.runs["train"] = train_live.new_run(session, settings)
    started = time.perf_counter()
    with pytest.warns(UserWarning, match="CLIP_LAB_MAX_TRAIN_SECONDS"):  # gr.Warning, outside a request
        outputs = list(train_live.train_loop(session, run, lambda s: None))
    assert time.perf_counter() - started < 10
    assert run.status == "paused" and 0 < run.trainer.steps_done < 20000
    assert "CLIP_LAB_MAX_TRAIN_SECONDS" in run.notice and "press Resume" in run.notice
    assert "CLIP_LAB_MAX_TRAIN_SECONDS" in outputs[-1][1]  # shown with the progress
    trained = session.models["trained"]
    assert all(torch.isfinite(p).all() for p in trained.parameters())
    done = run.trainer.steps_done
    with pytest.warns(UserWarning, match="Paused after"):
        list(train_live.resume(session, lambda s: None))  # the next job goes on from there
    assert run.trainer.steps_done > done


def test_the_time_limit_through_the_api(fresh_client, operator):
    """The app runs in this process: the server reads the same limits."""
    operator(max_train_seconds="1")
    controls = ("vit", 16, 8, 2e-3, 20000, True, 0.07, 0)
    final = fresh_client.submit(*controls, api_name="/train_start").result(timeout=60)
    assert "paused" in final[0] and "CLIP_LAB_MAX_TRAIN_SECONDS" in final[0]
    after = fresh_client.predict(*controls, api_name="/train_step")[0]
    assert "paused" in after and "/20000" in after  # the same run, one step further
