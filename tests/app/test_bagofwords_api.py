"""The "Bag of words" lesson through the API: the bars equal an independent recomputation from the
two shipped relations checkpoints loaded straight from disk, the benchmark figure equals
clip_core.bagofwords on them, unknown words are flagged, and bad input gets clear messages."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import pytest
import torch
from api_data import decode, plotly_json
from gradio_client.exceptions import AppError

from clip_core import checkpoint
from clip_core.bagofwords import bag_of_words_report
from clip_core.data import COLOURS, SHAPES
from lessons.beyond import bagofwords

ASSETS = Path(__file__).resolve().parents[2] / "assets"
FOLDERS = {"relations": ASSETS / "toy_clip_relations", "negclip": ASSETS / "toy_clip_relations_negclip"}


@pytest.fixture(scope="module")
def loaded():
    return {key: checkpoint.load_with_world(folder) for key, folder in FOLDERS.items()}


@torch.no_grad()
def expected_probabilities(model, image, captions):
    """softmax(scale * cos) over the captions, written out with the towers."""
    cosines = (model.encode_image(image[None]) @ model.encode_text(model.tokenizer(captions)).T)[0]
    return torch.softmax(model.scale() * cosines, dim=0).numpy(), cosines.numpy()


def bars(figure_value):
    """{model panel index: (captions, probabilities)} of the caption-bars figure."""
    figure = plotly_json(figure_value)
    return [(list(decode(trace["customdata"])), decode(trace["x"]).astype(float)) for trace in figure["data"]]


def test_scene_bars_match_both_checkpoints(client, loaded):
    caption = "a blue circle left of a red square"
    picture, figure, readout = client.predict(5, caption, api_name="/bagofwords_show")
    assert Path(picture).is_file()
    world = loaded["relations"][1]
    test = world.pair_test_set(bagofwords.N_SCENES, bagofwords.SCENE_SEED)
    colour, shape, layout = test.pairs.colour[5], test.pairs.shape[5], test.pairs.layout[5]
    a, b = (f"{list(COLOURS)[colour[k]]} {SHAPES[shape[k]]}" for k in range(2))
    a_dyed = f"{list(COLOURS)[colour[1]]} {SHAPES[shape[0]]}"
    b_dyed = f"{list(COLOURS)[colour[0]]} {SHAPES[shape[1]]}"
    relation = "left of" if layout == 0 else "above"
    captions = [f"a {a} {relation} a {b}", f"a {a_dyed} {relation} a {b_dyed}", f"a {b} {relation} a {a}", caption]
    panels = bars(figure)
    assert len(panels) == 2
    for (shown, probabilities), key in zip(panels, ("relations", "negclip"), strict=True):
        assert shown == captions
        expected, cosines = expected_probabilities(loaded[key][0], test.images[5], captions)
        assert np.allclose(probabilities, expected, atol=1e-4)
        assert f"{cosines[0]:.3f}" in readout
    assert captions[0] in readout


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


def test_unknown_words_are_flagged_and_a_caption_of_none_is_left_out(client):
    _, figure, readout = client.predict(2, "a blue zebra left of a red square", api_name="/bagofwords_show")
    assert "zebra" in readout and "⚠" in readout
    assert len(bars(figure)[0][0]) == 4
    _, figure, readout = client.predict(2, "zebra giraffe", api_name="/bagofwords_show")
    assert len(bars(figure)[0][0]) == 3  # nothing known to score: only the scene's own captions
    assert "giraffe" in readout


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
