"""Lesson 6 (zero-shot and prompts), its handlers called directly: presets, one image classified (test
set, drawing, upload), the template comparison, the greedy path and what a prompt is worth, each
recomputed with clip_core (`classify`, `evaluate_templates`, `greedy_template_selection`,
`prompt_report`) from the checkpoint on disk; and the bad inputs, each refused by name."""

from __future__ import annotations

import re

import gradio as gr
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import BACKGROUND, bilingual_model, expected_input, percent
from PIL import Image, ImageDraw

from clip_core.data import SHAPES, ShapesWorld
from clip_core.zeroshot import classify, evaluate_templates, greedy_template_selection, template_sets
from lessons import zeroshot
from lessons.common.session import bilingual_available

ALL_PAIRS = ShapesWorld(0).classes("colour_shape")
PAIRS_TEXT = ", ".join(ALL_PAIRS)
TEMPLATE_SETS = template_sets("en")  # the English shipped model's presets
EVERY_TEMPLATE = list(dict.fromkeys(t for ts in TEMPLATE_SETS.values() for t in ts))
STYLES = "\n".join(TEMPLATE_SETS["styles"])  # one template per picture style
CLASSIFY = dict(classes_text=PAIRS_TEXT, templates_text=STYLES, ensemble="embedding", source="test",
                pair="green ring", variant=0, sketch=None, upload=None, log10_tau=-1.0, learned=True, top_k=5)
needs_bilingual = pytest.mark.skipif(not bilingual_available(), reason="no bilingual checkpoint")


def classify_image(session, **settings):
    """(preview picture, probability bars, read-out) of one image."""
    return zeroshot.classify_image(session, **{**CLASSIFY, **settings})


def bars(figure) -> tuple[list[str], np.ndarray, list[str]]:
    """(class names top to bottom, their probabilities, bar colours) of the probability chart."""
    trace = figure.data[0]
    return list(trace.customdata), np.asarray(trace.x, dtype=float), list(trace.marker.color)


def test_presets_fill_the_class_list_and_the_templates(reference):
    for kind in ("colour_shape", "shape", "colour", "held_out"):
        assert zeroshot.class_preset(kind).split(", ") == reference.world.classes(kind)
        assert zeroshot.class_preset(f"{kind}_zh").split("、") == reference.world.classes(kind, "zh")
    assert zeroshot.template_preset("all").splitlines() == EVERY_TEMPLATE
    for name, templates in TEMPLATE_SETS.items():
        assert zeroshot.template_preset(name).splitlines() == templates
    assert zeroshot.template_preset("styles_zh").splitlines() == ["一张{}的照片", "一张{}的素描", "一张{}的像素画"]


@pytest.mark.parametrize(("pair", "variant", "ensemble", "learned", "log10_tau"), [
    ("green ring", 0, "embedding", True, -1.0),  # a held-out pair: the zebra test
    ("red circle", 3, "probability", False, -1.0),
    ("blue diamond", 7, "embedding", False, 0.3),  # a warm softmax: flat bars
])
def test_probabilities_equal_classify_on_the_test_image(session, reference, pair, variant, ensemble, learned,
                                                         log10_tau):
    preview, figure, text = classify_image(session, templates_text="\n".join(EVERY_TEMPLATE), ensemble=ensemble,
                                           pair=pair, variant=variant, log10_tau=log10_tau, learned=learned, top_k=6)
    image = reference.picker_image(pair, variant)
    scale = reference.scale() if learned else 10.0 ** -log10_tau
    probs = classify(reference.model, reference.model.tokenizer, image[None], ALL_PAIRS, EVERY_TEMPLATE, ensemble,
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
    assert ("held-out pair" in text) == (pair in reference.world.classes("held_out"))
    assert f"exp(t) = {scale:.2f}" in text
    if pair in names:  # the true class is drawn green, the others not
        assert colours[names.index(pair)] == "#00c853" and colours.count("#00c853") == 1
    assert preview.size == (160, 160)
    expected = (image.numpy().transpose(1, 2, 0) * 255).astype(np.uint8)
    np.testing.assert_allclose(np.asarray(preview.convert("RGB"))[2::5, 2::5], expected, atol=1)


def test_the_truth_follows_the_class_list(session, reference):
    # shapes only: the truth of a green ring is "ring"
    _, figure, text = classify_image(session, classes_text="circle, square, triangle, diamond, cross, ring", top_k=6)
    names, shown, _ = bars(figure)
    image = reference.picker_image("green ring", 0)
    probs = classify(reference.model, reference.model.tokenizer, image[None], names, TEMPLATE_SETS["styles"])[0]
    np.testing.assert_allclose(shown, probs.numpy(), atol=1e-5)
    assert "✓ right" in text or "the true class **ring**" in text
    # the right answer missing from the list
    _, _, text = classify_image(session, classes_text="red circle\nblue square")
    assert "The right answer (green ring) is not in your class list." in text
    # words the toy does not know: flagged by name, and no right answer can be known
    _, figure, text = classify_image(session, classes_text="crimson circle, green ring, blue square",
                                     templates_text="a shiny {}\na {}")
    assert re.search(r"does not know.*shiny, crimson", text)
    assert "cannot tell which one is right" in text
    names, shown, _ = bars(figure)
    probs = classify(reference.model, reference.model.tokenizer, image[None], names, ["a shiny {}", "a {}"])[0]
    np.testing.assert_allclose(shown, probs.numpy(), atol=1e-5)


def check_drawn(reference, figure, picture: Image.Image, templates: list[str]):
    names, shown, _ = bars(figure)
    image = expected_input(picture)
    probs = classify(reference.model, reference.model.tokenizer, image[None], ALL_PAIRS, templates)[0]
    top = probs.argsort(descending=True)[: len(names)]
    assert names == [ALL_PAIRS[j] for j in top]
    np.testing.assert_allclose(shown, probs[top].numpy(), atol=2e-3)  # resampling may round one level apart


def test_an_upload_is_padded_to_a_square_and_shrunk_to_the_model_input(session, reference, tmp_path):
    # a toy image upscaled 4x (so block means give it back exactly), on a wider transparent canvas
    toy = reference.picker_image("purple triangle", 2)
    pixels = (toy.numpy().transpose(1, 2, 0) * 255).round().astype(np.uint8).repeat(4, 0).repeat(4, 1)
    picture = Image.new("RGBA", (128, 96), (0, 0, 0, 0))
    picture.paste(Image.fromarray(pixels).crop((0, 16, 128, 112)), (0, 0))
    path = tmp_path / "upload.png"
    picture.save(path)
    preview, figure, text = classify_image(session, source="upload", upload=str(path),
                                           templates_text="\n".join(EVERY_TEMPLATE))
    assert "No right answer is known for a drawing or an upload" in text
    check_drawn(reference, figure, picture, EVERY_TEMPLATE)
    assert preview.size == (160, 160)
    # nothing uploaded yet: a hint, not an error
    preview, figure, text = classify_image(session, source="upload")
    assert preview is None and figure is None and "Upload an image" in text


def test_a_drawing_is_composited_on_the_dark_background(session, reference):
    layer = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    ImageDraw.Draw(layer).rectangle((84, 92, 172, 180), fill=(242, 140, 20, 255))  # an orange square
    background = Image.new("RGB", (256, 256), (BACKGROUND,) * 3)
    _, figure, text = classify_image(session, source="sketch",
                                     sketch={"background": background, "layers": [layer], "composite": None})
    check_drawn(reference, figure, layer, TEMPLATE_SETS["styles"])
    assert "Top prediction: orange square" in text  # the shipped toy reads a drawn toy shape
    # an empty canvas: a hint to draw
    _, figure, text = classify_image(session, source="sketch", sketch=zeroshot.blank_canvas())
    assert figure is None and "Draw a shape" in text


@pytest.mark.parametrize(("classes", "attribute", "templates", "n_per_pair"), [
    (ALL_PAIRS, None, EVERY_TEMPLATE, 3),
    (list(SHAPES), "shape", TEMPLATE_SETS["ensemble"][:4], 2),
    (ShapesWorld(0).classes("held_out"), None, ["{}", "a photo of a {}."], 4),  # no seen pairs: "—"
])
def test_compare_table_and_chart_equal_evaluate_templates(session, reference, classes, attribute, templates,
                                                          n_per_pair):
    table, figure, summary = zeroshot.compare_templates(session, ", ".join(classes), "\n".join(templates), n_per_pair)
    images, labels, held = reference.labelled_test_set(classes, n_per_pair, attribute)
    rows = evaluate_templates(reference.model, reference.model.tokenizer, images, labels, classes, templates,
                              groups={"seen": ~held, "held_out": held})
    frame = table["value"]
    assert table["visible"] is True
    assert list(frame.columns) == ["template", "all (%)", "seen pairs (%)", "held-out pairs (%)"]
    shown = frame.values.tolist()
    expected = [[percent(row["accuracy"]), percent(row["seen"]), percent(row["held_out"])] for row in rows]
    assert [row[1:] for row in shown] == expected
    assert [row[0] for row in shown] == [*templates, "ensemble (embedding)", "ensemble (probability)"]
    chart = figure["value"]
    overall = [t for t in chart.data if t.type == "scatter"][0]
    np.testing.assert_allclose(overall.x, [100 * row["accuracy"] for row in rows], atol=1e-6)
    series = {t.name: np.asarray(t.x, dtype=float) for t in chart.data if t.type == "bar"}
    np.testing.assert_allclose(series["held-out pairs"], [100 * row["held_out"] for row in rows], atol=1e-6)
    assert ("seen pairs" in series) == bool((~held).any())
    assert f"Measured on {len(labels)} test images" in summary
    assert re.search(r": \d+\.\d\d s\.", summary), summary  # the time it took
    assert f"Chance: {100 / len(classes):.1f} %" in summary
    best = max(rows[: len(templates)], key=lambda r: r["accuracy"])
    assert f"“{best['template']}”** {100 * best['accuracy']:.1f} %" in summary
    assert f"embedding space {100 * rows[-2]['accuracy']:.1f} %" in summary


@pytest.mark.parametrize("ensemble", ["embedding", "probability"])
def test_greedy_path_equals_greedy_template_selection(session, reference, ensemble):
    templates = EVERY_TEMPLATE
    table, figure, summary = zeroshot.greedy_selection(session, PAIRS_TEXT, "\n".join(templates), ensemble, 3)
    images, labels, held = reference.labelled_test_set(ALL_PAIRS, 3, None)
    model = reference.model
    with torch.no_grad():
        I_e = model.encode_image(images)
        per_template = torch.stack([model.encode_text(model.tokenizer([t.format(c) for c in ALL_PAIRS]))
                                    for t in templates])  # [T, C, d_e]
    path = greedy_template_selection(I_e, per_template, labels, ensemble, reference.scale(),
                                     groups={"seen": ~held, "held_out": held})
    rows = table["value"].values.tolist()
    assert [row[1] for row in rows[:-1]] == [templates[step["added"]] for step in path]
    assert [row[3] for row in rows[:-1]] == [percent(step["accuracy"]) for step in path]
    assert [row[5] for row in rows[:-1]] == [percent(step["held_out"]) for step in path]
    accuracies = [float(row[3]) for row in rows[:-1]]
    assert accuracies == sorted(accuracies) and len(set(accuracies)) == len(accuracies)
    # the last row: every template together, as evaluate_templates reports that ensemble
    everything = evaluate_templates(model, model.tokenizer, images, labels, ALL_PAIRS,
                                    templates)[-2 if ensemble == "embedding" else -1]
    assert rows[-1][1] == f"all {len(templates)} templates ({ensemble})"
    assert rows[-1][3] == percent(everything["accuracy"])
    line = [t for t in figure["value"].data if t.name == "all images"][0]
    np.testing.assert_allclose(line.y, [100 * step["accuracy"] for step in path], atol=1e-6)
    assert f"kept {len(path)} of {len(templates)} templates" in summary
    # the embedding ensemble of unit vectors, re-normalised (the paper's recipe), scores like the table says
    if ensemble == "embedding":
        weights = F.normalize(F.normalize(per_template, dim=-1).mean(0), dim=-1)
        assert rows[-1][3] == percent(float(((I_e @ weights.T).argmax(-1).numpy() == labels).mean()))


def test_held_out_pairs_are_marked_and_the_slider_starts_at_the_learned_temperature(session, reference):
    held = set(reference.world.classes("held_out"))
    labels = {value: label for label, value in zeroshot.pair_choices(session)}
    assert labels.keys() == set(ALL_PAIRS)
    assert all(labels[p].endswith("★") == (p in held) for p in ALL_PAIRS)
    assert zeroshot.learned_tau(session) == pytest.approx(-np.log10(reference.scale()), abs=1e-3)


def test_random_init_scores_at_chance_and_the_shipped_model_does_not(session):
    arguments = (PAIRS_TEXT, "\n".join(EVERY_TEMPLATE), 3)
    _, _, shipped = zeroshot.compare_templates(session, *arguments)
    session.model_name = "random"
    table, _, summary = zeroshot.compare_templates(session, *arguments)
    assert "random init" in summary and "toy CLIP (shipped)" in shipped
    assert max(float(row[1]) for row in table["value"].values.tolist()) < 12.0  # chance is 1/56 = 1.8 %
    shipped_best = float(re.search(r"Best single template: “[^”]+”\s*([\d.]+)", shipped.replace("**", "")).group(1))
    assert shipped_best > 80.0


def test_the_held_out_reveal_is_decided_by_the_measured_accuracy(session, reference):
    templates = ["a photo of a {}."]
    measured = zeroshot.held_out_measured(session, "\n".join(templates))
    images, labels, held = reference.labelled_test_set(ALL_PAIRS, zeroshot.HELD_OUT_IMAGES_PER_PAIR, None)
    (row,) = evaluate_templates(reference.model, reference.model.tokenizer, images, labels, ALL_PAIRS, templates,
                                groups={"seen": ~held, "held_out": held})
    chance = 1 / len(ALL_PAIRS)
    expected = ("chance" if row["held_out"] < 2 * chance else
                "like_seen" if row["held_out"] >= row["seen"] - 0.05 else "between")
    assert measured.right == (expected,)
    assert f"{100 * row['held_out']:.1f}" in measured.numbers and f"{100 * row['seen']:.1f}" in measured.numbers


def test_what_a_prompt_is_worth_shows_the_shipped_models_measurements(session, reference):
    """The "What is a prompt worth?" section: its read-out and figures are clip_core.prompts' numbers."""
    from clip_core.prompts import prompt_report

    summary, styles, orange, probe = zeroshot.prompt_worth(session)
    report = prompt_report(reference.model, reference.world)
    gains, table = report["effects"], report["style_table"]
    text = summary.replace("**", "")
    assert f"+{100 * gains['photo_vs_bare']:.1f} points" in text
    assert f"{100 * gains['ensemble']['accuracy']:.1f} %" in text
    colour = report["ambiguity"]["tasks"]["colour"]
    context = 100 * colour["templates"][colour["context"]]["contested"]
    assert f"with “a photo of something {{}}.” {context:.1f} %" in text
    assert f"Zero-shot scores {100 * report['probe']['zero_shot']:.1f} %" in text
    cells = np.array([[100 * table["accuracy"][row][column] for column in table["columns"]] for row in table["rows"]])
    np.testing.assert_allclose(np.asarray(styles["value"].data[0].z, dtype=float), cells, atol=1e-6)
    assert len(probe["value"].data) >= 4 and len(orange["value"].data) == 4


def test_the_english_model_says_it_cannot_read_chinese_prompts(session):
    _, figure, text = classify_image(session, classes_text="红色圆形、绿色圆环、蓝色十字",
                                     templates_text="一张{}的照片")
    assert re.search(r"does not know.*一张红色圆形的照片", text)
    assert "trained on English captions only" in text and "toy CLIP, bilingual" in text
    assert "these class names as the same tokens" in text  # all three read <sot> <unk> <eot>
    np.testing.assert_allclose(bars(figure)[1], [1 / 3] * 3, atol=1e-6)


@needs_bilingual
def test_chinese_class_names_and_templates_classify_as_clip_core_does(session, reference):
    session.model_name = "bilingual"
    model = bilingual_model()
    chinese_pairs = ShapesWorld(0).classes("colour_shape", "zh")
    templates = template_sets("zh")["styles_zh"]
    _, figure, text = classify_image(session, classes_text=zeroshot.class_preset("colour_shape_zh"),
                                     templates_text="\n".join(templates))
    probs = classify(model, model.tokenizer, reference.picker_image("green ring", 0)[None], chinese_pairs,
                     templates)[0]
    top = probs.argsort(descending=True)[:5]
    names, shown, colours = bars(figure)
    assert names == [chinese_pairs[j] for j in top]
    np.testing.assert_allclose(shown, probs[top].numpy(), atol=1e-5)
    assert "Top prediction: 绿色圆环" in text and "✓ right" in text and "held-out pair" in text
    assert "does not know" not in text and colours[0] == "#00c853"  # the truth is known in Chinese too

    # compare: the table equals evaluate_templates with the Chinese names (Chinese commas split names too)
    every_zh = list(dict.fromkeys(t for ts in template_sets("zh").values() for t in ts))
    table, _, summary = zeroshot.compare_templates(session, "红色圆形，绿色圆环、蓝色十字", "\n".join(every_zh), 2)
    test = reference.world.test_set(2, "all")
    truth = {"red circle": 0, "green ring": 1, "blue cross": 2}
    keep = [i for i, pair in enumerate(test.attributes.pair_names()) if pair in truth]
    labels = np.array([truth[test.attributes.pair_names()[i]] for i in keep])
    rows = evaluate_templates(model, model.tokenizer, test.images[keep], labels, ["红色圆形", "绿色圆环", "蓝色十字"],
                              every_zh)
    shown_rows = table["value"].values.tolist()
    assert [row[0] for row in shown_rows][: len(every_zh)] == every_zh
    assert [row[1] for row in shown_rows] == [f"{100 * r['accuracy']:.1f}" for r in rows]
    assert f"**Measured on {len(keep)} test images**" in summary


@needs_bilingual
def test_a_chinese_session_gets_chinese_presets_that_follow_the_model(zh_session):
    session = zh_session
    every = "\n".join(EVERY_TEMPLATE)
    class_set, classes, template_set, templates = zeroshot.localized_presets(session, PAIRS_TEXT, every)
    chinese_every = list(dict.fromkeys(t for ts in template_sets("zh").values() for t in ts))
    assert (class_set, template_set) == ("colour_shape_zh", "all_zh")
    assert classes.split("、") == ShapesWorld(0).classes("colour_shape", "zh")
    assert templates.splitlines() == chinese_every
    labels = {value: label for label, value in zeroshot.pair_choices(session)}
    assert labels["green ring"] == "绿色圆环 ★" and labels["red circle"] == "红色圆形"
    _, _, text = classify_image(session, classes_text=classes, templates_text=templates)
    assert "最可能的类别：绿色圆环" in text and "✓ 正确" in text and "`<unk>`" not in text
    # the English model: the untouched presets go back to English, and the read-out says why
    session.model_name = "shipped"
    assert zeroshot.localized_presets(session, classes, templates) == ("colour_shape", PAIRS_TEXT, "all", every)
    _, _, text = classify_image(session, classes_text=PAIRS_TEXT, templates_text=every)
    assert "这个模型只读得懂英文" in text and "玩具 CLIP，双语" in text
    # a list the learner edited stays as it is
    session.model_name = "bilingual"
    edited = ("red circle, 绿色圆环", "a {}\n一张{}的照片")
    _, classes, _, templates = zeroshot.localized_presets(session, *edited)
    assert (classes, templates) == edited


BAD_CLASSIFY = [
    (dict(classes_text=""), "Type at least two class names"),
    (dict(classes_text="red circle"), "at least 2 classes (got 1: red circle)"),
    (dict(classes_text="red circle, blue square, Red  Circle"), "“Red Circle” is in the class list twice"),
    (dict(classes_text="red circle\nblue,,green"), "Line 2 has an empty class name between two commas"),
    (dict(classes_text=", ".join(f"class {i}" for i in range(101))), "At most 100 classes"),
    (dict(classes_text="red circle, " + "x" * 41), "is longer than 40 characters"),
    (dict(classes_text="red circle, ?!"), "“?!” contains no word"),
    (dict(templates_text="  \n "), "Type at least one template"),
    (dict(templates_text="a photo of a"), "Template on line 1 (“a photo of a”) must contain {} exactly"),
    (dict(templates_text="a {}\n\na {} and a {}"), "Template on line 3 (“a {} and a {}”)"),
    (dict(templates_text="a {x}"), "Template on line 1 (“a {x}”) must contain"),
    (dict(templates_text="a {}\na photo of a {}.\na {}"), "line 3 (“a {}”) repeats line 1"),
    (dict(templates_text="\n".join(f"{{}} {i}" for i in range(33))), "At most 32 templates"),
    (dict(templates_text="a {} " + "x" * 100), "Template on line 1 is longer than 100 characters"),
    (dict(ensemble="vote"), "ensemble must be one of ['embedding', 'probability'] (got 'vote')"),
    (dict(source="camera"), "source must be one of ['test', 'sketch', 'upload'] (got 'camera')"),
    (dict(pair="magenta circle"), "Unknown colour–shape pair 'magenta circle'"),
    (dict(variant=8), "image of this pair must be a number from 0 to 7 (got 8)"),
    (dict(top_k=0), "top k must be a number from 1 to 20 (got 0)"),
    (dict(log10_tau="warm"), "log10 tau must be a number from -2.0 to 0.5 (got 'warm')"),
]


@pytest.mark.parametrize(("change", "message"), BAD_CLASSIFY, ids=[f"classify-{i}" for i in range(len(BAD_CLASSIFY))])
def test_bad_classify_input_is_refused_by_name(session, change, message):
    with pytest.raises(gr.Error) as error:
        classify_image(session, **change)
    assert message in error.value.message


@pytest.mark.parametrize(("handler", "arguments", "message"), [
    ("compare_templates", ("crimson circle, red circle", "a {}", 2),
     "every class name must be a colour, a shape or a colour–shape pair of the toy world (not: crimson circle)"),
    ("compare_templates", ("red circle, blue square", "a {}", 35),
     "test images per pair must be a number from 1 to 34 (got 35)"),
    ("greedy_selection", ("red, blue", "{}\n{} {}", "embedding", 2), "Template on line 2 (“{} {}”)"),
    ("greedy_selection", ("red, blue", "{}", "average", 2), "ensemble must be one of"),
])
def test_bad_measurement_input_is_refused_by_name(session, handler, arguments, message):
    with pytest.raises(gr.Error) as error:
        getattr(zeroshot, handler)(session, *arguments)
    assert message in error.value.message


@pytest.mark.parametrize(("preset", "arguments"), [("class_preset", ("animals",)), ("template_preset", ("poems",))])
def test_unknown_presets_are_refused_by_name(preset, arguments):
    with pytest.raises(gr.Error, match=arguments[0]):
        getattr(zeroshot, preset)(*arguments)


def test_bad_uploads_are_refused_by_name(session, tmp_path):
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("these are not pixels")
    too_wide = tmp_path / "wide.png"
    Image.new("RGB", (4097, 2)).save(too_wide)
    too_heavy = tmp_path / "heavy.png"
    too_heavy.write_bytes(b"\x89PNG" + b"\0" * (10 * 1024 * 1024 + 1))
    for path, message in ((not_an_image, "That file is not an image"), (too_wide, "The image is 4097 × 2 px"),
                          (too_heavy, "The file is 10.0 MB; at most 10 MB")):
        with pytest.raises(gr.Error) as error:
            classify_image(session, source="upload", upload=str(path))
        assert message in error.value.message
