"""The "Bag of words" lesson through the API: the scene's picture and bars arrive, the benchmark figure
equals clip_core.bagofwords on the two shipped relations checkpoints loaded straight from disk, and bad
input through the wire gets clear messages. The bars' numbers and unknown words are checked in
tests/lessons/test_bagofwords_lesson.py."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import pytest
from api_data import decode, plotly_json
from gradio_client.exceptions import AppError
from helpers import relations_checkpoints

from clip_core.bagofwords import bag_of_words_report


@pytest.fixture(scope="module")
def loaded():
    return relations_checkpoints()


def bars(figure_value):
    """{model panel index: (captions, probabilities)} of the caption-bars figure."""
    figure = plotly_json(figure_value)
    return [(list(decode(trace["customdata"])), decode(trace["x"]).astype(float)) for trace in figure["data"]]


def test_the_scene_and_both_models_bars_arrive(client):
    caption = "a blue circle left of a red square"
    picture, figure, readout = client.predict(5, caption, api_name="/bagofwords_show")
    assert Path(picture).is_file()
    panels = bars(figure)
    assert len(panels) == 2
    for shown, probabilities in panels:
        assert len(shown) == 4 and shown[3] == caption
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-4)
    assert shown[0] in readout


def test_the_benchmark_figure_equals_clip_core_on_the_checkpoints(client, loaded):
    *_, figure, text = client.predict(0, "", api_name="/bagofwords_refresh")
    traces = [t for t in plotly_json(figure)["data"] if t.get("type") == "bar"]
    assert len(traces) == 2
    for trace, key in zip(traces, ("relations", "negclip"), strict=True):
        model, world, metrics = loaded[key]
        report = bag_of_words_report(model, world)
        expected = [report["swaps"]["attributes"]["accuracy"], report["swaps"]["objects"]["accuracy"],
                    report["retrieval"]["image_to_text"]]
        assert np.allclose(decode(trace["y"]).astype(float), expected)
        assert metrics["bag_of_words"]["swaps"] == report["swaps"]  # what training recorded
        assert f"{report['swaps']['objects']['correct']}/{report['swaps']['objects']['total']}" in text


@pytest.mark.parametrize(("scene", "caption", "message"), [
    (99, "", "greater than maximum|Scene"),
    (-1, "", "less than minimum|Scene"),
    ("two", "", "Expected a number|number"),
    (0, "a red circle " * 20, "at most 120"),
])
def test_bad_input_is_refused_and_the_session_keeps_working(client, scene, caption, message):
    with pytest.raises(AppError, match=message):
        client.predict(scene, caption, api_name="/bagofwords_show")
    _, figure, _ = client.predict(1, "", api_name="/bagofwords_show")
    assert len(bars(figure)[0][0]) == 3


def test_a_nan_scene_sent_as_raw_json_gets_a_message_naming_the_control(app_url):
    """gradio_client cannot send NaN; a hand-written request can."""
    body = json.dumps({"data": [None, float("nan"), ""], "session_hash": "bagofwords-nan"}, allow_nan=True)
    with httpx.Client(base_url=app_url, timeout=60) as http:
        started = http.post("gradio_api/call/bagofwords_show", content=body,
                            headers={"content-type": "application/json"})
        started.raise_for_status()
        stream = http.get(f"gradio_api/call/bagofwords_show/{started.json()['event_id']}").text
    assert "event: error" in stream and "Scene must be a number from" in stream, stream[-300:]
