"""The "Where is it?" lesson, its handler called directly: the similarity map over a two-object scene
equals clip_core's map from the checkpoint on disk (pixels, peak, the scene's boxes), absent objects
and bad input are named. (The hit rates over every test scene: tests/app/test_localize_api.py.)"""

from __future__ import annotations

import gradio as gr
import numpy as np
import pytest
import torch
from helpers import number_after, outputs

from clip_core.localize import peak, query_embeddings, similarity_map
from clip_core.scenes import RelationWorld
from lessons.beyond import localize


@pytest.fixture(scope="module")
def scenes(reference):
    world = RelationWorld(reference.world.seed, image_size=reference.model.config.image_size)
    return world.pair_test_set(localize.SCENES)


@pytest.mark.parametrize("method", ["patches", "windows"])
def test_the_map_is_the_models_similarity_over_the_scene(session, reference, scenes, method):
    index, name = 7, scenes.pairs.object_name(7, 0)
    figure, readout = outputs(localize.show(session, index, f"a {name}", method, "header"))
    with torch.no_grad():
        sim = similarity_map(reference.model, scenes.images[index:index + 1],
                             query_embeddings(reference.model, [f"a {name}"]), method)
    heat = [t for t in figure.data if t.type == "heatmap"][0]
    np.testing.assert_allclose(np.asarray(heat.z, dtype=float), sim.pixels[0].numpy(), atol=1e-5)
    marker = [t for t in figure.data if t.type == "scatter" and t.x != (None,)][0]
    np.testing.assert_allclose([marker.x[0], marker.y[0]], peak(sim)[0], atol=1e-4)
    boxes = [[s.x0, s.y0, s.x1, s.y1] for s in figure.layout.shapes[:2]]
    np.testing.assert_allclose(boxes, scenes.boxes[index], atol=1e-4)  # the picture's boxes, in pixels
    assert [s.line.color for s in figure.layout.shapes[:2]] == ["#00c853", "#e0e0e0"]  # the named one is green
    assert f"**{name}**" in readout
    unit = "patch" if method == "patches" else "window"
    assert number_after(readout, f"best {unit}:") == pytest.approx(float(sim.scores.max()), abs=1e-3)


def test_an_absent_object_still_has_a_peak(session, scenes):
    present = {scenes.pairs.object_name(3, k) for k in range(2)}
    absent = next(f"{c} {s}" for c in ("red", "green", "white", "cyan") for s in ("cross", "ring", "diamond")
                  if f"{c} {s}" not in present and not {c, s} & {w for p in present for w in p.split()})
    _, readout = outputs(localize.show(session, 3, f"a {absent}", "windows", "header"))
    assert "names nothing in this scene" in readout


def test_unknown_words_are_flagged_and_chinese_reads_in_chinese(zh_session):
    figure, readout = outputs(localize.show(zh_session, 0, "a purple zebra", "windows", "header"))
    assert "zebra" in readout and "不认识的词" in readout
    assert figure.data[2].colorbar.title.text == "余弦相似度"


@pytest.mark.parametrize("scene, query, method, choice, message", [
    (0, "", "patches", "header", "Type what to find"),
    (0, "   ", "windows", "header", "Type what to find"),
    (0, "a " * 100, "patches", "header", "at most 120"),
    (200, "a red circle", "patches", "header", "must be a number from 0 to 127"),
    (1.5, "a red circle", "patches", "header", "whole number"),
    (0, "a red circle", "pixels", "header", "pixels"),
    (0, "a red circle", "patches", "mine", "mine"),
])
def test_bad_input_gets_a_clear_message(session, scene, query, method, choice, message):
    with pytest.raises(gr.Error) as error:
        localize.show(session, scene, query, method, choice)
    assert message in error.value.message
