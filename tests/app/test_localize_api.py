"""'Where is it?' through the API: the map over a scene arrives whole, the hit-rate bars equal
`hit_rate` recomputed on the same test scenes, the two-object checkpoint is used when the server has
it, and bad input through the wire gets clear messages while the session keeps working. The map at
every setting, absent objects and Chinese read-outs are checked in tests/lessons/test_localize_lesson.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from api_data import decode, plotly_json
from gradio_client.exceptions import AppError
from helpers import number_after

from clip_core.localize import hit_rate, peak, query_embeddings, similarity_map
from clip_core.scenes import RelationWorld
from lessons.beyond import localize


@pytest.fixture(scope="module")
def scenes(reference):
    world = RelationWorld(reference.world.seed, image_size=reference.model.config.image_size)
    return world.pair_test_set(localize.SCENES)


def traces(figure: dict, kind: str) -> list[dict]:
    return [t for t in figure["data"] if t.get("type", "scatter") == kind]


def test_the_map_is_the_models_similarity_over_the_scene(client, reference, scenes):
    method = "windows"
    index, name = 7, scenes.pairs.object_name(7, 0)
    figure_value, readout = client.predict(index, f"a {name}", method, "header", api_name="/localize_show")
    figure = plotly_json(figure_value)
    with torch.no_grad():
        sim = similarity_map(reference.model, scenes.images[index:index + 1],
                             query_embeddings(reference.model, [f"a {name}"]), method)
    heat = traces(figure, "heatmap")[0]
    assert np.allclose(decode(heat["z"]).astype(float), sim.pixels[0].numpy(), atol=1e-5)
    marker = [t for t in traces(figure, "scatter") if t["x"] != [None]][0]
    assert np.allclose([marker["x"][0], marker["y"][0]], peak(sim)[0], atol=1e-4)
    rectangles = [[s["x0"], s["y0"], s["x1"], s["y1"]] for s in figure["layout"]["shapes"]]
    assert np.allclose(rectangles[:2], scenes.boxes[index], atol=1e-4)  # the picture's boxes, in pixels
    named = [s["line"]["color"] for s in figure["layout"]["shapes"][:2]]
    assert named == ["#00c853", "#e0e0e0"]  # the named object's box is the green one
    assert f"**{name}**" in readout
    assert number_after(readout, "best " + ("patch" if method == "patches" else "window") + ":") == pytest.approx(
        float(sim.scores.max()), abs=1e-3)


def test_the_hit_rate_bars_are_measured_on_the_test_scenes(client, reference, scenes):
    figure_value, summary = client.predict("header", api_name="/localize_measure")
    figure = plotly_json(figure_value)
    bars = traces(figure, "bar")
    assert len(bars) == 2  # peak in the box; peak nearer the named object
    for method, in_box, nearer in zip(("patches", "windows"), decode(bars[0]["y"]), decode(bars[1]["y"]),
                                      strict=True):
        expected = hit_rate(reference.model, scenes, method)
        assert in_box == pytest.approx(100 * expected["rate"])
        assert nearer == pytest.approx(100 * expected["two_way_rate"])
        assert f"**{expected['hits']}** of {expected['queries']} queries" in summary
    assert "256 queries" in figure["layout"]["title"]["text"]
    levels = {s["yref"]: s["y0"] for s in figure["layout"]["shapes"]}
    assert levels["y2"] == 50.0  # one object of two
    assert levels["y"] == pytest.approx(100 * expected["area_chance"])  # a random pixel: box area / picture area


def test_refresh_draws_both_views(client):
    figure_value, readout, hits_value, summary = client.predict(0, "a purple circle", "patches", "relations",
                                                                api_name="/localize_refresh")
    assert traces(plotly_json(figure_value), "heatmap") and traces(plotly_json(hits_value), "bar")
    if localize.relations_model() is not None:
        assert "two-object toy CLIP" in readout and "two-object toy CLIP" in summary
    else:
        assert "not on this server" in readout and "not on this server" in summary


@pytest.mark.parametrize("scene, query, method, choice, message", [  # every refusal: tests/lessons
    (0, "", "patches", "header", "Type what to find"),
    (200, "a red circle", "patches", "header", "greater than maximum value 127"),
    (1.5, "a red circle", "patches", "header", "whole number"),
    (0, "a red circle", "pixels", "header", "pixels"),
])
def test_bad_input_gets_a_clear_message(client, scene, query, method, choice, message):
    with pytest.raises(AppError, match=message):
        client.predict(scene, query, method, choice, api_name="/localize_show")
    figure_value, _ = client.predict(0, "a red circle", "windows", "header", api_name="/localize_show")
    assert traces(plotly_json(figure_value), "heatmap")  # the session keeps working
