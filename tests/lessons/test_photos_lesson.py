"""The "Your photos" lesson, its views called directly on the example pictures with the shipped toy
CLIP: the logits matrix, the zero-shot probabilities and the search ranking equal a recomputation
with clip_core from pictures shrunk here with numpy; caption and file mistakes are named."""

from __future__ import annotations

import gradio as gr
import numpy as np
import pytest
import torch
from helpers import expected_input, number_after
from PIL import Image

from clip_core import clip_loss
from clip_core.zeroshot import classify
from lessons.beyond import photos
from lessons.common.session import Session


@pytest.fixture(scope="module")
def examples(reference) -> dict:
    """The lesson's example pictures (files), their captions, class names and query, and what the toy
    model is given of them [6, 3, 32, 32] (checked against a numpy recomputation below)."""
    paths, captions, classes, query = photos.example_files()
    _, pictures, _ = photos.read_pictures(Session(), paths)
    images = photos.model_input(reference.model, pictures)
    return dict(paths=paths, captions=captions.splitlines(), classes=classes.split(", "), query=query, images=images)


def test_the_pictures_are_shrunk_to_the_toy_models_input(examples):
    expected = torch.stack([expected_input(Image.open(path)) for path in examples["paths"]])
    assert examples["images"].shape == expected.shape == (6, 3, 32, 32)
    np.testing.assert_allclose(examples["images"], expected, atol=1.01 / 255)  # area averages, rounded apart by a level


def test_the_logits_matrix_of_the_pictures_and_captions(session, reference, examples):
    figure, summary = photos.logits_view(session, examples["paths"], "\n".join(examples["captions"]), "logits",
                                         -1.0, True)
    model = reference.model
    with torch.no_grad():
        logits = model(examples["images"], model.tokenizer(examples["captions"]))  # [6, 6]
    np.testing.assert_allclose(figure.data[0].z, logits.numpy(), atol=1e-4)
    n = len(examples["captions"])
    plain = summary.replace("**", "")
    assert f"{n} × {n} logits" in plain
    loss = number_after(summary, "Loss (both directions, averaged)")
    assert loss == pytest.approx(clip_loss(logits).item(), abs=6e-4)
    right = int((logits.argmax(1) == torch.arange(n)).sum())
    assert right == n  # the toy knows its own shapes, drawn large
    assert f"its own for {right} of {n} rows" in plain


def test_zero_shot_probabilities_equal_classify(session, reference, examples):
    templates = ["a photo of a {}.", "a sketch of a {}."]
    figure, summary = photos.zero_shot_view(session, examples["paths"], ", ".join(examples["classes"]),
                                            "\n".join(templates))
    model = reference.model
    probs = classify(model, model.tokenizer, examples["images"], examples["classes"], templates)  # [6, C]
    np.testing.assert_allclose(figure.data[0].z, probs.numpy(), atol=1e-5)
    assert (probs.argmax(1) == torch.arange(6)).all()
    assert "0 → red circle" in summary and "6 picture(s) × 6 classes" in summary.replace("**", "")


def test_search_ranks_the_pictures_by_cosine(session, reference, examples):
    items, summary = photos.search_view(session, examples["paths"], "a blue square", 3)
    model = reference.model
    with torch.no_grad():
        scores = model.encode_image(examples["images"]) @ model.encode_text(model.tokenizer(["a blue square"]))[0]
    top = scores.topk(3)
    names = [examples["paths"][i].rsplit("/", 1)[1] for i in top.indices.tolist()]
    assert [caption.split(" · ")[0] for _, caption in items] == [f"{k}. {name}" for k, name in enumerate(names, 1)]
    shown = [float(caption.rsplit("cos ", 1)[1]) for _, caption in items]
    np.testing.assert_allclose(shown, top.values.numpy(), atol=6e-4)
    assert names[0] == "blue-square.png" and "Ranked 6 picture(s) by cosine" in summary


@pytest.mark.parametrize(("captions", "message"), [
    ("only one", "6 picture(s) but 1 caption(s)"), ("", "6 picture(s) but 0 caption(s)"),
    ("x" * 201 + "\nb\nc\nd\ne\nf", "longer than"),
])
def test_caption_mistakes_are_named(session, examples, captions, message):
    with pytest.raises(gr.Error) as error:
        photos.logits_view(session, examples["paths"], captions, "logits", -1.0, True)
    assert message in error.value.message


def test_bad_files_are_skipped_with_their_reason(session, examples, tmp_path):
    notes = tmp_path / "notes.png"
    notes.write_text("these are not pixels")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    figure, summary = photos.logits_view(session, [examples["paths"][0], str(notes), examples["paths"][1], str(empty)],
                                         "\n".join(examples["captions"][:2]), "logits", -1.0, True)
    assert figure is not None and "2 × 2 logits" in summary.replace("**", "")
    refused = summary.split("Skipped:")[1]
    assert "empty.png: The file is empty" in refused and "notes.png: That file is not an image" in refused
    _, summary = photos.search_view(session, [], "a red circle", 3)
    assert "Upload some pictures" in summary
