"""The "Two languages" tab through the API: the caption matrix and its map arrive whole, the measured
zero-shot comparison equals clip_core's reports of the two checkpoint folders (computed once per
process), a Chinese session reads the tab in Chinese, bad input through the wire gets a message. The
caption matrices of both models are checked in tests/lessons/test_crosslingual_lesson.py."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from api_data import decode, plotly_json, unwrap
from gradio_client.exceptions import AppError
from helpers import bilingual_model, crosslingual_scenes, number_after

from clip_core.data import ShapesWorld
from clip_core.zeroshot import zero_shot_report
from lessons.common import session as lesson_session

pytestmark = pytest.mark.skipif(not lesson_session.bilingual_available(), reason="no bilingual checkpoint")


@pytest.fixture(scope="module")
def models(reference) -> dict:
    """Both checkpoints read straight from their folders (not through the app's shared cache)."""
    return {"shipped": reference.model, "bilingual": bilingual_model()}


@torch.no_grad()
def expected_cosines(model, english, chinese) -> np.ndarray:
    return (model.encode_text(model.tokenizer(english)) @ model.encode_text(model.tokenizer(chinese)).T).numpy()


def heatmap_z(figure) -> np.ndarray:
    (trace,) = [t for t in plotly_json(figure)["data"] if t["type"] == "heatmap"]
    return decode(trace["z"]).astype(float)


def test_the_bilingual_model_matches_every_caption_with_its_translation(module_client, models):
    n, seed = 16, 5
    matrix, pair_map, readout = module_client.predict(n, seed, "bilingual", True, api_name="/crosslingual_render")
    images, english, chinese = crosslingual_scenes(n, seed)
    cosine = expected_cosines(models["bilingual"], english, chinese)
    np.testing.assert_allclose(heatmap_z(matrix), cosine, atol=1e-4)
    assert (cosine.argmax(axis=1) == np.arange(n)).all() and (cosine.argmax(axis=0) == np.arange(n)).all()
    assert f"For {n} of {n} English captions" in readout.replace("**", "")
    assert number_after(readout, "mean cosine") == pytest.approx(np.diag(cosine).mean(), abs=6e-4)
    # the map: English and Chinese markers, one line per translation pair, the pictures too
    traces = {t["name"]: t for t in plotly_json(pair_map)["data"]}
    assert len(decode(traces["English caption"]["x"])) == n and len(decode(traces["Chinese caption"]["x"])) == n
    assert len(decode(traces["picture"]["x"])) == n
    assert list(traces["Chinese caption"]["customdata"]) == chinese
    _, without, _ = module_client.predict(n, seed, "bilingual", False, api_name="/crosslingual_render")
    assert "picture" not in {t["name"] for t in plotly_json(without)["data"]}


def test_the_comparison_equals_zero_shot_reports_of_both_checkpoints(module_client, models):
    figure, readout = module_client.predict(api_name="/crosslingual_compare")
    world = ShapesWorld(0)
    bars = {t["name"]: decode(t["y"]).astype(float) for t in plotly_json(figure)["data"]}
    prompts = {"en": "a photo of a {}.", "zh": "一张{}的照片"}
    for lang, template in prompts.items():
        name = ("English" if lang == "en" else "Chinese") + f" prompt “{template}”"
        expected = [zero_shot_report(models[m], world, 8, [template], lang)["templates"][0]["accuracy"]
                    for m in ("shipped", "bilingual")]
        np.testing.assert_allclose(bars[name], [100 * a for a in expected], atol=1e-6)
    english_only_zh, mixed_zh = bars["Chinese prompt “一张{}的照片”"]
    assert english_only_zh == pytest.approx(100 / 56)  # every prompt reads <sot> <unk> <eot>: the first class wins
    assert mixed_zh > 80.0
    assert "into only **1** distinct sequence(s)" in readout and "`<unk>`" in readout
    assert "Measured on 448 test pictures" in readout


def test_the_comparison_is_computed_once_for_every_learner(app_url):
    from gradio_client import Client

    first = Client(app_url, verbose=False).predict(api_name="/crosslingual_compare")[1]
    second = Client(app_url, verbose=False).predict(api_name="/crosslingual_compare")[1]
    assert first == second  # the same seconds too: the second learner got the stored result


def test_a_chinese_session_reads_the_lesson_in_chinese(fresh_client):
    fresh_client.predict("zh", api_name="/start_session")
    matrix, _, readout = fresh_client.predict(8, 0, "bilingual", True, api_name="/crosslingual_refresh")
    assert "互为翻译的描述" in readout and "中文描述（列）" in str(unwrap(matrix))
    _, readout = fresh_client.predict(api_name="/crosslingual_compare")
    assert "只用英文训练" in readout


@pytest.mark.parametrize(("arguments", "message"), [
    ((8, 0, "french", True), "'french' (type: <class 'str'>) is not in the list of choices"),
    ((1, 0, "bilingual", True), "less than minimum value 2"),
    ((17, 0, "bilingual", True), "greater than maximum value 16"),
    ((8, -1, "bilingual", True), "less than minimum value 0"),
    (("many", 0, "bilingual", True), "Expected a number, got 'many'"),
])
def test_bad_input_is_refused_with_a_clear_message(module_client, arguments, message):
    with pytest.raises(AppError) as error:
        module_client.predict(*arguments, api_name="/crosslingual_render")
    assert message in str(error.value)
    _, _, readout = module_client.predict(8, 0, "bilingual", True, api_name="/crosslingual_render")  # still serving
    assert re.search(r"For \*\*8 of 8\*\*", readout)


def test_every_lesson_answers_on_the_bilingual_model(fresh_client):
    """A Chinese session starts on the bilingual model; every lesson's page-load view works with it."""
    picker, _, _ = fresh_client.predict("zh", api_name="/start_session")
    assert picker["value"] == "bilingual"
    endpoints = fresh_client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    for api_name in ("/overview_refresh", "/toy_world_samples", "/toy_world_reference", "/logits_refresh",
                     "/temperature_refresh", "/logit_refresh", "/zeroshot_refresh", "/search_refresh",
                     "/mistakes_refresh", "/negatives_refresh", "/siglip_refresh"):
        arguments = [p.get("parameter_default") if p.get("parameter_has_default") else None
                     for p in endpoints[api_name]["parameters"]]
        assert fresh_client.predict(*arguments, api_name=api_name) is not None, api_name
    samples = fresh_client.predict(0, api_name="/toy_world_samples")
    captions = [item["caption"] for item in samples]
    assert any(re.search(r"[\u4e00-\u9fff]", c) for c in captions) and any(c.isascii() for c in captions)
