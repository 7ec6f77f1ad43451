"""Lesson 6 through the API: every endpoint answers, a picture uploaded or drawn through the wire is
classified, the figures and tables arrive whole, and bad input through the wire (the components'
own checks as much as the lesson's) gets a message that names what was wrong. The lesson's numbers
in every setting (classify, evaluate_templates, greedy_template_selection, prompt_report, Chinese
prompts, every refusal) are checked in tests/lessons/test_zeroshot_lesson.py."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from api_data import decode, plotly_json, unwrap
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from helpers import percent
from PIL import Image, ImageDraw

from clip_core.data import SHAPES, ShapesWorld
from clip_core.zeroshot import classify, evaluate_templates, greedy_template_selection, template_sets

ALL_PAIRS = ShapesWorld(0).classes("colour_shape")
PAIRS_TEXT = ", ".join(ALL_PAIRS)
TEMPLATE_SETS = template_sets("en")  # the English shipped model's presets
EVERY_TEMPLATE = list(dict.fromkeys(t for ts in TEMPLATE_SETS.values() for t in ts))
CAPTION = "\n".join(TEMPLATE_SETS["styles"])  # one template per picture style
DARK = round(255 * 0.15)  # the lesson's drawing background


def classify_call(client, classes=PAIRS_TEXT, templates=CAPTION, ensemble="embedding", source="test",
                  pair="green ring", variant=0, sketch=None, upload=None, log10_tau=-1.0, learned=True, top_k=5):
    return client.predict(classes, templates, ensemble, source, pair, variant, sketch, upload, log10_tau, learned,
                          top_k, api_name="/zeroshot_classify")


def bars(figure) -> tuple[list[str], np.ndarray, list[str]]:
    """(class names top to bottom, their probabilities, bar colours) of the probability chart."""
    trace = plotly_json(figure)["data"][0]
    return list(trace["customdata"]), decode(trace["x"]).astype(float), list(trace["marker"]["color"])


def test_presets_fill_the_class_list_and_the_templates(module_client, reference):
    assert module_client.predict("held_out", api_name="/zeroshot_class_preset").split(", ") == \
        reference.world.classes("held_out")
    assert module_client.predict("all", api_name="/zeroshot_template_preset").splitlines() == EVERY_TEMPLATE


def test_probabilities_equal_classify_on_the_test_image(module_client, reference):
    pair, variant, ensemble, learned, log10_tau = "red circle", 3, "probability", False, -1.0
    templates = EVERY_TEMPLATE
    preview, figure, text = classify_call(module_client, templates="\n".join(templates), ensemble=ensemble, pair=pair,
                                          variant=variant, log10_tau=log10_tau, learned=learned, top_k=6)
    image = reference.picker_image(pair, variant)
    scale = reference.scale() if learned else 10.0 ** -log10_tau
    probs = classify(reference.model, reference.model.tokenizer, image[None], ALL_PAIRS, templates, ensemble,
                     logit_scale=scale)[0]
    top = probs.argsort(descending=True)[:6]
    names, shown, colours = bars(figure)
    assert names == [ALL_PAIRS[j] for j in top]
    np.testing.assert_allclose(shown, probs[top].numpy(), atol=1e-5)
    best = ALL_PAIRS[int(top[0])]
    assert f"Top prediction: {best}" in text
    assert ("✓ right" in text) == (best == pair)
    if best != pair:
        rank = int((probs.argsort(descending=True) == ALL_PAIRS.index(pair)).nonzero()[0, 0]) + 1
        assert f"is ranked #{rank}" in text
    held = pair in reference.world.classes("held_out")
    assert ("held-out pair" in text) == held
    assert f"exp(t) = {scale:.2f}" in text
    if pair in names:  # the true class is drawn green, the others not
        assert colours[names.index(pair)] == "#00c853"
        assert colours.count("#00c853") == 1
    picture = Image.open(preview)
    assert picture.size == (160, 160)
    expected = (image.numpy().transpose(1, 2, 0) * 255).astype(np.uint8)
    np.testing.assert_allclose(np.asarray(picture.convert("RGB"))[2::5, 2::5], expected, atol=1)


def test_an_upload_through_the_wire_is_classified(module_client, reference, tmp_path):
    # a toy image upscaled 4x (so block means give it back exactly), on a wider transparent canvas
    toy = reference.picker_image("purple triangle", 2)
    pixels = (toy.numpy().transpose(1, 2, 0) * 255).round().astype(np.uint8).repeat(4, 0).repeat(4, 1)
    picture = Image.new("RGBA", (128, 96), (0, 0, 0, 0))
    picture.paste(Image.fromarray(pixels).crop((0, 16, 128, 112)), (0, 0))
    path = tmp_path / "upload.png"
    picture.save(path)
    preview, figure, text = classify_call(module_client, source="upload", upload=handle_file(str(path)),
                                          templates="\n".join(EVERY_TEMPLATE))
    assert "No right answer is known for a drawing or an upload" in text
    assert bars(figure)[0][0] == "purple triangle"  # the toy reads its own picture, padded and shrunk
    assert Image.open(preview).size == (160, 160)
    # nothing uploaded yet: a hint, not an error
    preview, figure, text = classify_call(module_client, source="upload")
    assert preview is None and unwrap(figure) is None and "Upload an image" in text


def test_a_drawing_through_the_wire_is_classified(module_client, tmp_path):
    background = tmp_path / "background.png"
    Image.new("RGB", (256, 256), (DARK,) * 3).save(background)
    layer = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    ImageDraw.Draw(layer).rectangle((84, 92, 172, 180), fill=(242, 140, 20, 255))  # an orange square
    layer_path = tmp_path / "layer.png"
    layer.save(layer_path)
    sketch = {"background": handle_file(str(background)), "layers": [handle_file(str(layer_path))],
              "composite": None, "id": None}
    _, figure, text = classify_call(module_client, source="sketch", sketch=sketch)
    assert "Top prediction: orange square" in text  # the shipped toy reads a drawn toy shape
    # an empty canvas: a hint to draw
    empty = {"background": handle_file(str(background)), "layers": [], "composite": None, "id": None}
    _, figure, text = classify_call(module_client, source="sketch", sketch=empty)
    assert unwrap(figure) is None and "Draw a shape" in text


def test_compare_table_and_chart_equal_evaluate_templates(module_client, reference):
    classes, attribute, templates, n_per_pair = list(SHAPES), "shape", TEMPLATE_SETS["ensemble"][:4], 2
    table, figure, summary = module_client.predict(", ".join(classes), "\n".join(templates), n_per_pair,
                                                   api_name="/zeroshot_compare")
    images, labels, held = reference.labelled_test_set(classes, n_per_pair, attribute)
    rows = evaluate_templates(reference.model, reference.model.tokenizer, images, labels, classes, templates,
                              groups={"seen": ~held, "held_out": held})
    table = unwrap(table)
    assert table["headers"] == ["template", "all (%)", "seen pairs (%)", "held-out pairs (%)"]
    expected = [[row["template"], percent(row["accuracy"]), percent(row["seen"]), percent(row["held_out"])]
                for row in rows]
    assert [row[1:] for row in table["data"]] == [row[1:] for row in expected]
    assert [row[0] for row in table["data"]][: len(templates)] == templates
    assert [row[0] for row in table["data"]][len(templates):] == ["ensemble (embedding)", "ensemble (probability)"]
    chart = plotly_json(figure)
    overall = [t for t in chart["data"] if t["type"] == "scatter"][0]
    np.testing.assert_allclose(decode(overall["x"]), [100 * row["accuracy"] for row in rows], atol=1e-6)
    series = {t["name"]: decode(t["x"]) for t in chart["data"] if t["type"] == "bar"}
    np.testing.assert_allclose(series["held-out pairs"], [100 * row["held_out"] for row in rows], atol=1e-6)
    assert ("seen pairs" in series) == bool((~held).any())
    assert f"Measured on {len(labels)} test images" in summary
    assert re.search(r": \d+\.\d\d s\.", summary), summary  # the time it took
    assert f"Chance: {100 / len(classes):.1f} %" in summary
    singles = rows[: len(templates)]
    best = max(singles, key=lambda r: r["accuracy"])
    assert f"“{best['template']}”** {100 * best['accuracy']:.1f} %" in summary
    assert f"embedding space {100 * rows[-2]['accuracy']:.1f} %" in summary


def test_greedy_path_equals_greedy_template_selection(module_client, reference):
    ensemble = "probability"
    templates = EVERY_TEMPLATE
    table, figure, summary = module_client.predict(PAIRS_TEXT, "\n".join(templates), ensemble, 3,
                                                   api_name="/zeroshot_greedy")
    images, labels, held = reference.labelled_test_set(ALL_PAIRS, 3, None)
    with torch.no_grad():
        I_e = reference.model.encode_image(images)
        per_template = torch.stack([reference.model.encode_text(reference.model.tokenizer([t.format(c) for c in
                                                                                           ALL_PAIRS]))
                                    for t in templates])  # [T, C, d_e]
    path = greedy_template_selection(I_e, per_template, labels, ensemble, reference.scale(),
                                     groups={"seen": ~held, "held_out": held})
    rows = unwrap(table)["data"]
    assert [row[1] for row in rows[:-1]] == [templates[step["added"]] for step in path]
    assert [row[3] for row in rows[:-1]] == [percent(step["accuracy"]) for step in path]
    assert [row[5] for row in rows[:-1]] == [percent(step["held_out"]) for step in path]
    accuracies = [float(row[3]) for row in rows[:-1]]
    assert accuracies == sorted(accuracies) and len(set(accuracies)) == len(accuracies)
    # the last row: every template together, as evaluate_templates reports that ensemble
    everything = evaluate_templates(reference.model, reference.model.tokenizer, images, labels, ALL_PAIRS,
                                    templates)[-2 if ensemble == "embedding" else -1]
    assert rows[-1][1] == f"all {len(templates)} templates ({ensemble})"
    assert rows[-1][3] == percent(everything["accuracy"])
    line = [t for t in plotly_json(figure)["data"] if t["name"] == "all images"][0]
    np.testing.assert_allclose(decode(line["y"]), [100 * step["accuracy"] for step in path], atol=1e-6)
    assert f"kept {len(path)} of {len(templates)} templates" in summary


def test_refresh_marks_held_out_pairs_and_starts_at_the_learned_temperature(module_client, reference):
    class_set, classes, template_set, templates, pairs, log10_tau, preview, figure, text = module_client.predict(
        PAIRS_TEXT, CAPTION, "embedding", "test", "green ring", 0, None, None, 0.0, True, 5,
        api_name="/zeroshot_refresh")
    assert (class_set, classes, template_set, templates) == ("colour_shape", PAIRS_TEXT, "styles", CAPTION)
    held = set(reference.world.classes("held_out"))
    labels = {value: label for label, value in pairs["choices"]}  # a gr.update of the choices
    assert labels.keys() == set(ALL_PAIRS)
    assert all(labels[p].endswith("★") == (p in held) for p in ALL_PAIRS)
    assert log10_tau == pytest.approx(-np.log10(reference.scale()), abs=1e-3)
    assert f"exp(t) = {reference.scale():.2f}" in text and "Top prediction" in text


BAD = [  # the lesson's own checks, one of each kind (all: tests/lessons), and the components' checks
    ("/zeroshot_classify", dict(classes=""), "Type at least two class names"),
    ("/zeroshot_classify", dict(templates="a photo of a"),
     "Template on line 1 (“a photo of a”) must contain {} exactly"),
    ("/zeroshot_classify", dict(ensemble="vote"), "vote"),
    ("/zeroshot_classify", dict(pair="magenta circle"), "magenta circle"),
    ("/zeroshot_classify", dict(variant=8), "greater than maximum value 7"),
    ("/zeroshot_classify", dict(top_k=0), "less than minimum value 1"),
    ("/zeroshot_classify", dict(log10_tau="warm"), "Expected a number, got 'warm'"),
    ("/zeroshot_compare", dict(classes_text="crimson circle, red circle", templates_text="a {}", n_per_pair=2),
     "every class name must be a colour, a shape or a colour–shape pair of the toy world (not: crimson circle)"),
    ("/zeroshot_compare", dict(classes_text="red circle, blue square", templates_text="a {}", n_per_pair=35),
     "greater than maximum value 34"),
    ("/zeroshot_greedy", dict(classes_text="red, blue", templates_text="{}\n{} {}", ensemble="embedding",
                              n_per_pair=2), "Template on line 2 (“{} {}”)"),
    ("/zeroshot_class_preset", dict(kind="animals"), "animals"),
    ("/zeroshot_template_preset", dict(name="poems"), "poems"),
]
CLASSIFY_DEFAULTS = dict(classes_text=PAIRS_TEXT, templates_text=CAPTION, ensemble="embedding", source="test",
                         pair="green ring", variant=0, sketch=None, upload=None, log10_tau=-1.0, learned=True, top_k=5)
ALIASES = {"classes": "classes_text", "templates": "templates_text"}


@pytest.mark.parametrize(("api_name", "arguments", "message"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_with_a_clear_message(module_client, api_name, arguments, message):
    arguments = {ALIASES.get(k, k): v for k, v in arguments.items()}
    if api_name == "/zeroshot_classify":
        arguments = {**CLASSIFY_DEFAULTS, **arguments}
    with pytest.raises(AppError) as error:
        module_client.predict(**arguments, api_name=api_name)
    assert message in str(error.value)
    _, _, text = module_client.predict(**CLASSIFY_DEFAULTS, api_name="/zeroshot_classify")  # still serving
    assert "Top prediction" in text


def test_a_bad_upload_is_refused_by_name(module_client, tmp_path):
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("these are not pixels")
    with pytest.raises(AppError) as error:
        module_client.predict(**{**CLASSIFY_DEFAULTS, "source": "upload", "upload": handle_file(str(not_an_image))},
                              api_name="/zeroshot_classify")
    assert "That file is not an image" in str(error.value)
    _, _, text = module_client.predict(**CLASSIFY_DEFAULTS, api_name="/zeroshot_classify")
    assert "Top prediction" in text


def test_what_a_prompt_is_worth_answers_with_its_three_figures(module_client):
    """The "What is a prompt worth?" section through the API (its numbers: tests/lessons)."""
    summary, styles, orange, probe = module_client.predict(api_name="/zeroshot_prompts")
    assert "Measured with toy CLIP (shipped)" in summary.replace("**", "")
    assert plotly_json(styles)["data"][0]["type"] == "heatmap"
    assert len(plotly_json(probe)["data"]) >= 4 and len(plotly_json(orange)["data"]) == 4
