"""Batch size & negatives through the API: the chance-level view against an independent
recomputation, the streamed batch-size sweep (points in order, the same budget for every batch
size, accuracies equal to clip_core's own sweep), Stop keeping the points, a second Start refused,
and bad input answered with clear messages."""

from __future__ import annotations

import dataclasses
import json
import math
import uuid

import httpx
import numpy as np
import pytest
import torch
from api_data import decode, plotly_json
from gradio_client.exceptions import AppError
from helpers import number_after, wait_until_streamed

from clip_core import ShapesWorld, get_preset
from clip_core.experiments import batch_size_sweep
from clip_core.loss import clip_loss
from lessons.beyond import negatives
from lessons.common import limits


def traces(figure, **match) -> list[dict]:
    return [t for t in figure["data"] if all(t.get(k) == v for k, v in match.items())]


def values(trace, key: str) -> np.ndarray:
    return decode(trace[key]).astype(float)


def sweep_points(figure) -> dict[int, dict[str, np.ndarray]]:
    """Per batch size: images seen, wall time and the three accuracies, read off the figure."""
    points = {}
    for trace in figure["data"]:
        group = trace.get("legendgroup")
        if not group or trace.get("yaxis") != "y2":  # the in-batch panel against images seen
            continue
        batch = int(group)
        time_trace = traces(figure, legendgroup=group, yaxis="y")[0]
        zero_shot = traces(figure, legendgroup=group, yaxis="y4")
        points[batch] = {"images": values(trace, "x"), "in_batch": values(trace, "y"),
                         "seconds": values(time_trace, "x"), "seen": values(zero_shot[0], "y"),
                         "held_out": values(zero_shot[1], "y")}
    return points


def call_raw(app_url: str, api_name: str, data: list) -> str | None:
    """The error message of one call with hand-written JSON (gradio_client cannot send NaN), or None."""
    with httpx.Client(base_url=app_url, timeout=60) as http:
        body = json.dumps({"data": data, "session_hash": uuid.uuid4().hex}, allow_nan=True)
        event = http.post(f"gradio_api/call/{api_name}", content=body, headers={"content-type": "application/json"})
        stream = http.get(f"gradio_api/call/{api_name}/{event.json()['event_id']}").text
    if "event: error" not in stream:
        return None
    error = json.loads(stream.split("event: error", 1)[1].split("data:", 1)[1].strip().splitlines()[0])
    return error.get("error") if isinstance(error, dict) else error


# ----- the loss at chance --------------------------------------------------------------------------


def test_the_chosen_point_is_ln_n_and_the_measured_loss_is_the_random_models(client, reference):
    figure_value, text = client.predict(32, api_name="/negatives_chance")
    figure = plotly_json(figure_value)
    curve, measured, chosen, chosen_measured, paper = figure["data"]
    assert values(chosen, "x")[0] == 32 and values(chosen, "y")[0] == pytest.approx(math.log(32), abs=1e-12)
    x, y = values(curve, "x"), values(curve, "y")
    np.testing.assert_allclose(y, np.log(x), rtol=1e-12)
    assert list(values(measured, "x")) == list(negatives.MEASURED_N)
    assert values(paper, "x")[0] == 32_768 and values(paper, "y")[0] == pytest.approx(math.log(32_768))

    # independently: the random-init model's CLIP loss on the same real batch of 32
    batch = negatives.chance_batch(reference.world, 32)
    with torch.no_grad():
        expected = clip_loss(reference.random(batch.images, reference.random.tokenizer(batch.captions))).item()
    assert values(chosen_measured, "y")[0] == pytest.approx(expected, abs=1e-5)
    assert number_after(text, "measured") == pytest.approx(expected, abs=5e-4)
    assert "31 negatives" in text and "ln 32 = 3.466" in text
    assert expected > math.log(32) - 0.05  # a random model scores about ln n, never much below it


def test_the_largest_batch_still_holds_distinct_training_scenes(client, reference):
    # the world has more training scenes than the largest batch (styles multiplied them): nothing repeats
    _, text = client.predict(512, api_name="/negatives_chance")
    assert "repeats" not in text
    batch = negatives.chance_batch(reference.world, 512)
    assert len(batch.captions) == 512 and len(set(batch.captions)) == 512


@pytest.mark.parametrize("n", [1, 513, 2.5])
def test_a_bad_n_is_refused_with_a_clear_message(client, n):
    with pytest.raises(AppError, match=r"greater than maximum|less than minimum|whole number|Batch size n"):
        client.predict(n, api_name="/negatives_chance")


def test_nan_and_words_are_refused(app_url):
    assert "Batch size n must be a number from 2 to 512" in call_raw(app_url, "negatives_chance", [float("nan")])
    assert "Expected a number" in call_raw(app_url, "negatives_chance", ["many"])
    assert "Training images per run must be a number" in call_raw(app_url, "negatives_start",
                                                                  [float("nan"), [8], 0])


def test_page_load_shows_the_chance_view_and_no_sweep_yet(fresh_client):
    chance, text, status, sweep, readout = fresh_client.predict(16, api_name="/negatives_refresh")
    chosen = plotly_json(chance)["data"][2]
    assert values(chosen, "y")[0] == pytest.approx(math.log(16))
    assert "Not run yet" in status and "appears here" in readout
    assert plotly_json(sweep)["layout"]["annotations"][-1]["text"].startswith("Press Start")


# ----- the same budget at several batch sizes ----------------------------------------------------


def test_the_sweep_streams_in_order_and_matches_clip_cores_sweep(fresh_client):
    job = fresh_client.submit(2560, [8, 32], 0, api_name="/negatives_start")
    status, figure_value, readout = job.result(timeout=240)
    assert len(job.outputs()) >= 3, "the sweep did not stream"
    assert "finished" in status
    points = sweep_points(plotly_json(figure_value))
    assert sorted(points) == [8, 32]
    for batch, run in points.items():
        images = run["images"]
        assert (np.diff(images) > 0).all() and (np.diff(run["seconds"]) > 0).all()
        assert images[-1] == 2560 and (images % batch == 0).all()  # the same budget, whole batches
        assert len(images) == negatives.EVALUATIONS
    assert "| **8** | 320/320 | 7 | 64 |" in readout and "| **32** | 80/80 | 31 | 1,024 |" in readout
    assert "So far:" in readout

    # clip_core's own sweep from the same seed gives the same accuracies (time aside)
    preset = get_preset(negatives.MODEL_PRESET)
    expected = list(batch_size_sweep(preset.model, preset.train, 2560, (32,), negatives.EVALUATIONS,
                                     negatives.EVAL_BATCH, negatives.TEMPLATE, world=ShapesWorld(0)))
    np.testing.assert_array_equal(points[32]["images"], [p.images_seen for p in expected])
    np.testing.assert_allclose(points[32]["in_batch"], [p.in_batch_image_to_text for p in expected], atol=1e-6)
    np.testing.assert_allclose(points[32]["seen"], [p.zero_shot_seen for p in expected], atol=1e-6)
    np.testing.assert_allclose(points[32]["held_out"], [p.zero_shot_held_out for p in expected], atol=1e-6)


def test_stop_keeps_the_points_and_a_second_start_is_refused(fresh_client):
    job = fresh_client.submit(51_200, [32], 0, api_name="/negatives_start")
    wait_until_streamed(job, timeout=90)  # the first measured point has arrived
    with pytest.raises(AppError, match="already running"):
        fresh_client.predict(2560, [8], 0, api_name="/negatives_start")
    fresh_client.predict(api_name="/negatives_stop")
    status, figure_value, readout = job.result(timeout=60)
    assert "stopped" in status
    kept = sweep_points(plotly_json(figure_value))[32]["images"]
    assert 1 <= len(kept) < negatives.EVALUATIONS and kept[-1] < 51_200
    assert f"{int(kept[-1]) // 32}/1600" in readout


@pytest.mark.parametrize(("budget", "sizes", "message"), [
    (2600, [8], "multiple of 256"),
    (1000, [8], "less than minimum|Training images per run"),
    (2560, [], "Pick at least one batch size"),
    (2560, [7], "not in the list of choices|Pick at least one batch size"),
])
def test_bad_sweep_settings_are_refused(client, budget, sizes, message):
    with pytest.raises(AppError, match=message):
        client.predict(budget, sizes, 0, api_name="/negatives_start")


def test_operator_limits_name_their_variable(client, monkeypatch):
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, max_steps=1000, max_batch=64))
    with pytest.raises(AppError, match="CLIP_LAB_MAX_STEPS"):
        client.predict(51_200, [8], 0, api_name="/negatives_start")
    with pytest.raises(AppError, match="CLIP_LAB_MAX_BATCH"):
        client.predict(2560, [128], 0, api_name="/negatives_start")
