"""The "Bag of words" lesson, its handler called directly: one two-object scene's true caption, the
same words swapped and the learner's caption, scored by both shipped relations checkpoints, equal a
softmax over cosines written out here with the towers of those checkpoints read from disk."""

from __future__ import annotations

import gradio as gr
import numpy as np
import pytest
import torch
from helpers import outputs, relations_checkpoints

from clip_core.data import COLOURS, SHAPES
from lessons.beyond import bagofwords


@torch.no_grad()
def expected_probabilities(model, image, captions):
    """softmax(scale * cos) over the captions, written out with the towers."""
    cosines = (model.encode_image(image[None]) @ model.encode_text(model.tokenizer(captions)).T)[0]
    return torch.softmax(model.scale() * cosines, dim=0).numpy(), cosines.numpy()


def bars(figure) -> list[tuple[list[str], np.ndarray]]:
    """(captions, probabilities) of each model's panel of the caption-bars figure."""
    return [(list(trace.customdata), np.asarray(trace.x, dtype=float)) for trace in figure.data]


def test_scene_bars_match_both_checkpoints(session):
    loaded = relations_checkpoints()
    caption = "a blue circle left of a red square"
    picture, figure, readout = outputs(bagofwords.show(session, 5, caption))
    assert picture.size == (bagofwords.PICTURE_PX, bagofwords.PICTURE_PX)
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
        np.testing.assert_allclose(probabilities, expected, atol=1e-4)
        assert f"{cosines[0]:.3f}" in readout
    assert captions[0] in readout


def test_unknown_words_are_flagged_and_a_caption_of_none_is_left_out(session):
    _, figure, readout = outputs(bagofwords.show(session, 2, "a blue zebra left of a red square"))
    assert "zebra" in readout and "⚠" in readout
    assert len(bars(figure)[0][0]) == 4
    _, figure, readout = outputs(bagofwords.show(session, 2, "zebra giraffe"))
    assert len(bars(figure)[0][0]) == 3  # nothing known to score: only the scene's own captions
    assert "giraffe" in readout


@pytest.mark.parametrize(("scene", "caption", "message"), [
    (99, "", "Scene"), (-1, "", "Scene"), ("two", "", "Scene"), (float("nan"), "", "Scene must be a number from"),
    (0, "a red circle " * 20, "at most 120"),
])
def test_bad_input_is_refused_by_name(session, scene, caption, message):
    with pytest.raises(gr.Error) as error:
        bagofwords.show(session, scene, caption)
    assert message in error.value.message
