"""Lesson 6 through the API: presets, one image classified (test set, drawing, upload), the
template comparison and the greedy path, all recomputed here with clip_core from the checkpoint;
and the bad inputs, each with a message that names what was wrong."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from api_data import decode, plotly_json, unwrap
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image, ImageDraw

from clip_core.data import SHAPES, ShapesWorld
from clip_core.zeroshot import classify, evaluate_templates, greedy_template_selection, template_sets


@pytest.fixture(scope="module")
def client(app_url):
    """This module's own client: a test elsewhere may train a model in the shared client's session,
    and every number here is checked against the shipped checkpoint."""
    from gradio_client import Client

    return Client(app_url, verbose=False, download_files=True)


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


def picker_image(reference, pair: str, variant: int):
    test = reference.world.test_set(8, "all", style=None)  # the picker shows every style
    index = test.attributes.pair_names().index(pair) + variant
    return test.images[index]


def test_presets_fill_the_class_list_and_the_templates(client, reference):
    for kind in ("colour_shape", "shape", "colour", "held_out"):
        text = client.predict(kind, api_name="/zeroshot_class_preset")
        assert text.split(", ") == reference.world.classes(kind)
    assert client.predict("all", api_name="/zeroshot_template_preset").splitlines() == EVERY_TEMPLATE
    for name, templates in TEMPLATE_SETS.items():
        assert client.predict(name, api_name="/zeroshot_template_preset").splitlines() == templates


@pytest.mark.parametrize(("pair", "variant", "ensemble", "learned", "log10_tau"), [
    ("green ring", 0, "embedding", True, -1.0),  # a held-out pair: the zebra test
    ("red circle", 3, "probability", False, -1.0),
    ("blue diamond", 7, "embedding", False, 0.3),  # a warm softmax: flat bars
])
def test_probabilities_equal_classify_on_the_test_image(client, reference, pair, variant, ensemble, learned,
                                                         log10_tau):
    templates = EVERY_TEMPLATE
    preview, figure, text = classify_call(client, templates="\n".join(templates), ensemble=ensemble, pair=pair,
                                          variant=variant, log10_tau=log10_tau, learned=learned, top_k=6)
    image = picker_image(reference, pair, variant)
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


def test_the_truth_follows_the_class_list(client, reference):
    # shapes only: the truth of a green ring is "ring"
    _, figure, text = classify_call(client, classes="circle, square, triangle, diamond, cross, ring", top_k=6)
    names, shown, _ = bars(figure)
    image = picker_image(reference, "green ring", 0)
    probs = classify(reference.model, reference.model.tokenizer, image[None], names, TEMPLATE_SETS["styles"])[0]
    np.testing.assert_allclose(shown, probs.numpy(), atol=1e-5)
    assert "✓ right" in text or "the true class **ring**" in text
    # the right answer missing from the list
    _, _, text = classify_call(client, classes="red circle\nblue square")
    assert "The right answer (green ring) is not in your class list." in text
    # words the toy does not know: flagged by name, and no right answer can be known
    _, figure, text = classify_call(client, classes="crimson circle, green ring, blue square",
                                    templates="a shiny {}\na {}")
    assert re.search(r"does not know.*shiny, crimson", text)
    assert "cannot tell which one is right" in text
    names, shown, _ = bars(figure)
    probs = classify(reference.model, reference.model.tokenizer, image[None], names, ["a shiny {}", "a {}"])[0]
    np.testing.assert_allclose(shown, probs.numpy(), atol=1e-5)


def expected_input(picture: Image.Image) -> torch.Tensor:
    """The model input the lesson should make of a picture, computed here with numpy: alpha over
    the dark background, padded to a square, then the mean of each block of pixels."""
    rgba = np.asarray(picture.convert("RGBA"), dtype=np.float64)
    alpha = rgba[..., 3:] / 255.0
    rgb = rgba[..., :3] * alpha + DARK * (1 - alpha)
    height, width = rgb.shape[:2]
    side = max(height, width)
    square = np.full((side, side, 3), float(DARK))
    top, left = (side - height) // 2, (side - width) // 2
    square[top:top + height, left:left + width] = rgb
    block = side // 32
    blocks = np.round(square).reshape(32, block, 32, block, 3).mean(axis=(1, 3))
    return torch.from_numpy((np.round(blocks) / 255.0).transpose(2, 0, 1).astype(np.float32))


def check_drawn(reference, figure, picture: Image.Image, templates: list[str]):
    names, shown, _ = bars(figure)
    image = expected_input(picture)
    probs = classify(reference.model, reference.model.tokenizer, image[None], ALL_PAIRS, templates)[0]
    top = probs.argsort(descending=True)[: len(names)]
    assert names == [ALL_PAIRS[j] for j in top]
    np.testing.assert_allclose(shown, probs[top].numpy(), atol=2e-3)  # resampling may round one level apart


def test_an_upload_is_padded_to_a_square_and_shrunk_to_the_model_input(client, reference, tmp_path):
    # a toy image upscaled 4x (so block means give it back exactly), on a wider transparent canvas
    toy = picker_image(reference, "purple triangle", 2)
    pixels = (toy.numpy().transpose(1, 2, 0) * 255).round().astype(np.uint8).repeat(4, 0).repeat(4, 1)
    picture = Image.new("RGBA", (128, 96), (0, 0, 0, 0))
    picture.paste(Image.fromarray(pixels).crop((0, 16, 128, 112)), (0, 0))
    path = tmp_path / "upload.png"
    picture.save(path)
    preview, figure, text = classify_call(client, source="upload", upload=handle_file(str(path)),
                                          templates="\n".join(EVERY_TEMPLATE))
    assert "No right answer is known for a drawing or an upload" in text
    check_drawn(reference, figure, picture, EVERY_TEMPLATE)
    assert Image.open(preview).size == (160, 160)
    # nothing uploaded yet: a hint, not an error
    preview, figure, text = classify_call(client, source="upload")
    assert preview is None and unwrap(figure) is None and "Upload an image" in text


def test_a_drawing_is_composited_on_the_dark_background(client, reference, tmp_path):
    background = tmp_path / "background.png"
    Image.new("RGB", (256, 256), (DARK,) * 3).save(background)
    layer = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    ImageDraw.Draw(layer).rectangle((84, 92, 172, 180), fill=(242, 140, 20, 255))  # an orange square
    layer_path = tmp_path / "layer.png"
    layer.save(layer_path)
    sketch = {"background": handle_file(str(background)), "layers": [handle_file(str(layer_path))],
              "composite": None, "id": None}
    _, figure, text = classify_call(client, source="sketch", sketch=sketch)
    check_drawn(reference, figure, layer, TEMPLATE_SETS["styles"])
    assert "Top prediction: orange square" in text  # the shipped toy reads a drawn toy shape
    # an empty canvas: a hint to draw
    empty = {"background": handle_file(str(background)), "layers": [], "composite": None, "id": None}
    _, figure, text = classify_call(client, source="sketch", sketch=empty)
    assert unwrap(figure) is None and "Draw a shape" in text


def compare_set(reference, classnames: list[str], n_per_pair: int, attribute: str | None):
    """Test images whose class is in the list, their labels and held-out mask (recomputed here)."""
    test = reference.world.test_set(n_per_pair, "all")
    names = [test.attributes.names(i) for i in range(len(test.captions))]
    keys = [f"{n['colour']} {n['shape']}" if attribute is None else n[attribute] for n in names]
    keep = np.array([key in classnames for key in keys])
    labels = np.array([classnames.index(key) for key, k in zip(keys, keep, strict=True) if k])
    return test.images[torch.from_numpy(keep)], labels, reference.world.is_held_out(test.attributes)[keep]


def percent(value: float) -> str:
    return "—" if value != value else f"{100 * value:.1f}"


@pytest.mark.parametrize(("classes", "attribute", "templates", "n_per_pair"), [
    (ALL_PAIRS, None, EVERY_TEMPLATE, 3),
    (list(SHAPES), "shape", TEMPLATE_SETS["ensemble"][:4], 2),
    (ShapesWorld(0).classes("held_out"), None, ["{}", "a photo of a {}."], 4),  # no seen pairs: "—"
])
def test_compare_table_and_chart_equal_evaluate_templates(client, reference, classes, attribute, templates,
                                                          n_per_pair):
    table, figure, summary = client.predict(", ".join(classes), "\n".join(templates), n_per_pair,
                                            api_name="/zeroshot_compare")
    images, labels, held = compare_set(reference, classes, n_per_pair, attribute)
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


@pytest.mark.parametrize("ensemble", ["embedding", "probability"])
def test_greedy_path_equals_greedy_template_selection(client, reference, ensemble):
    templates = EVERY_TEMPLATE
    table, figure, summary = client.predict(PAIRS_TEXT, "\n".join(templates), ensemble, 3,
                                            api_name="/zeroshot_greedy")
    images, labels, held = compare_set(reference, ALL_PAIRS, 3, None)
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
    # the embedding ensemble of unit vectors, re-normalised (the paper's recipe), scores like the table says
    weights = F.normalize(F.normalize(per_template, dim=-1).mean(0), dim=-1)
    if ensemble == "embedding":
        accuracy = float(((I_e @ weights.T).argmax(-1).numpy() == labels).mean())
        assert rows[-1][3] == percent(accuracy)


def test_refresh_marks_held_out_pairs_and_starts_at_the_learned_temperature(client, reference):
    class_set, classes, template_set, templates, pairs, log10_tau, preview, figure, text = client.predict(
        PAIRS_TEXT, CAPTION, "embedding", "test", "green ring", 0, None, None, 0.0, True, 5,
        api_name="/zeroshot_refresh")
    assert (class_set, classes, template_set, templates) == ("colour_shape", PAIRS_TEXT, "styles", CAPTION)
    held = set(reference.world.classes("held_out"))
    labels = {value: label for label, value in pairs["choices"]}  # a gr.update of the choices
    assert labels.keys() == set(ALL_PAIRS)
    assert all(labels[p].endswith("★") == (p in held) for p in ALL_PAIRS)
    assert log10_tau == pytest.approx(-np.log10(reference.scale()), abs=1e-3)
    assert f"exp(t) = {reference.scale():.2f}" in text and "Top prediction" in text


def test_random_init_scores_at_chance_and_the_shipped_model_does_not(fresh_client):
    args = (PAIRS_TEXT, "\n".join(EVERY_TEMPLATE), 3)
    _, _, shipped = fresh_client.predict(*args, api_name="/zeroshot_compare")
    fresh_client.predict("random", api_name="/pick_model")
    table, _, summary = fresh_client.predict(*args, api_name="/zeroshot_compare")
    assert "random init" in summary and "toy CLIP (shipped)" in shipped
    accuracies = [float(row[1]) for row in unwrap(table)["data"]]
    assert max(accuracies) < 12.0  # chance is 1/56 = 1.8 %
    shipped_best = float(re.search(r"Best single template: “[^”]+”\s*([\d.]+)", shipped.replace("**", "")).group(1))
    assert shipped_best > 80.0


@pytest.fixture(scope="module")
def bilingual(app_url) -> tuple:
    """(a client whose session picked the bilingual model, that model read straight from its folder)."""
    from gradio_client import Client

    from clip_core import checkpoint
    from lessons.common.session import BILINGUAL_CHECKPOINT

    client = Client(app_url, verbose=False, download_files=True)
    client.predict("en", api_name="/start_session")  # the picker offers the session's models from here on
    client.predict("bilingual", api_name="/pick_model")
    return client, checkpoint.load(BILINGUAL_CHECKPOINT)


def test_chinese_class_names_and_templates_classify_as_clip_core_does(bilingual, reference):
    client, model = bilingual
    chinese_pairs = ShapesWorld(0).classes("colour_shape", "zh")
    classes = client.predict("colour_shape_zh", api_name="/zeroshot_class_preset")
    assert classes.split("、") == chinese_pairs
    templates = client.predict("styles_zh", api_name="/zeroshot_template_preset").splitlines()
    assert templates == template_sets("zh")["styles_zh"] == ["一张{}的照片", "一张{}的素描", "一张{}的像素画"]
    _, figure, text = classify_call(client, classes=classes, templates="\n".join(templates), pair="green ring")
    probs = classify(model, model.tokenizer, picker_image(reference, "green ring", 0)[None], chinese_pairs,
                     templates)[0]
    top = probs.argsort(descending=True)[:5]
    names, shown, colours = bars(figure)
    assert names == [chinese_pairs[j] for j in top]
    np.testing.assert_allclose(shown, probs[top].numpy(), atol=1e-5)
    assert "Top prediction: 绿色圆环" in text and "✓ right" in text and "held-out pair" in text
    assert "does not know" not in text and colours[0] == "#00c853"  # the truth is known in Chinese too

    # compare: the table equals evaluate_templates with the Chinese names (Chinese commas split names too)
    every_zh = list(dict.fromkeys(t for ts in template_sets("zh").values() for t in ts))
    table, _, summary = client.predict("红色圆形，绿色圆环、蓝色十字", "\n".join(every_zh), 2,
                                       api_name="/zeroshot_compare")
    test = reference.world.test_set(2, "all")
    truth = {"red circle": 0, "green ring": 1, "blue cross": 2}
    keep = [i for i, pair in enumerate(test.attributes.pair_names()) if pair in truth]
    labels = np.array([truth[test.attributes.pair_names()[i]] for i in keep])
    rows = evaluate_templates(model, model.tokenizer, test.images[keep], labels, ["红色圆形", "绿色圆环", "蓝色十字"],
                              every_zh)
    assert [row[0] for row in unwrap(table)["data"]][: len(every_zh)] == every_zh
    assert [row[1] for row in unwrap(table)["data"]] == [f"{100 * r['accuracy']:.1f}" for r in rows]
    assert f"**Measured on {len(keep)} test images**" in summary


def test_the_english_model_says_it_cannot_read_chinese_prompts(client):
    _, figure, text = classify_call(client, classes="红色圆形、绿色圆环、蓝色十字", templates="一张{}的照片")
    assert re.search(r"does not know.*一张红色圆形的照片", text)
    assert "trained on English captions only" in text and "toy CLIP, bilingual" in text
    assert "these class names as the same tokens" in text  # all three read <sot> <unk> <eot>
    np.testing.assert_allclose(bars(figure)[1], [1 / 3] * 3, atol=1e-6)


def test_a_chinese_session_starts_on_chinese_presets_and_follows_the_model(fresh_client):
    fresh_client.predict("zh", api_name="/start_session")
    every = "\n".join(EVERY_TEMPLATE)
    rest = ("embedding", "test", "green ring", 0, None, None, 0.0, True, 5)  # after the classes and templates
    class_set, classes, template_set, templates, pairs, _, _, _, text = fresh_client.predict(
        PAIRS_TEXT, every, *rest, api_name="/zeroshot_refresh")
    chinese_every = list(dict.fromkeys(t for ts in template_sets("zh").values() for t in ts))
    assert (class_set, template_set) == ("colour_shape_zh", "all_zh")
    assert classes.split("、") == ShapesWorld(0).classes("colour_shape", "zh")
    assert templates.splitlines() == chinese_every
    labels = {value: label for label, value in pairs["choices"]}
    assert labels["green ring"] == "绿色圆环 ★" and labels["red circle"] == "红色圆形"
    assert "最可能的类别：绿色圆环" in text and "✓ 正确" in text and "`<unk>`" not in text
    # the English model: the untouched presets go back to English, and the read-out says why
    fresh_client.predict("shipped", api_name="/pick_model")
    class_set, classes, template_set, templates, *_, text = fresh_client.predict(classes, templates, *rest,
                                                                               api_name="/zeroshot_refresh")
    assert (class_set, classes, template_set, templates) == ("colour_shape", PAIRS_TEXT, "all", every)
    assert "这个模型只读得懂英文" in text and "玩具 CLIP，双语" in text
    # a list the learner edited stays as it is
    fresh_client.predict("bilingual", api_name="/pick_model")
    _, classes, _, templates, *_ = fresh_client.predict("red circle, 绿色圆环", "a {}\n一张{}的照片", *rest,
                                                        api_name="/zeroshot_refresh")
    assert (classes, templates) == ("red circle, 绿色圆环", "a {}\n一张{}的照片")


BAD = [
    ("/zeroshot_classify", dict(classes=""), "Type at least two class names"),
    ("/zeroshot_classify", dict(classes="red circle"), "at least 2 classes (got 1: red circle)"),
    ("/zeroshot_classify", dict(classes="red circle, blue square, Red  Circle"),
     "“Red Circle” is in the class list twice"),
    ("/zeroshot_classify", dict(classes="red circle\nblue,,green"),
     "Line 2 has an empty class name between two commas"),
    ("/zeroshot_classify", dict(classes=", ".join(f"class {i}" for i in range(101))), "At most 100 classes"),
    ("/zeroshot_classify", dict(classes="red circle, " + "x" * 41), "is longer than 40 characters"),
    ("/zeroshot_classify", dict(classes="red circle, ?!"), "“?!” contains no word"),
    ("/zeroshot_classify", dict(templates="  \n "), "Type at least one template"),
    ("/zeroshot_classify", dict(templates="a photo of a"),
     "Template on line 1 (“a photo of a”) must contain {} exactly"),
    ("/zeroshot_classify", dict(templates="a {}\n\na {} and a {}"), "Template on line 3 (“a {} and a {}”)"),
    ("/zeroshot_classify", dict(templates="a {x}"), "Template on line 1 (“a {x}”) must contain"),
    ("/zeroshot_classify", dict(templates="a {}\na photo of a {}.\na {}"), "line 3 (“a {}”) repeats line 1"),
    ("/zeroshot_classify", dict(templates="\n".join(f"{{}} {i}" for i in range(33))), "At most 32 templates"),
    ("/zeroshot_classify", dict(templates="a {} " + "x" * 100), "Template on line 1 is longer than 100 characters"),
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
def test_bad_input_is_refused_with_a_clear_message(client, api_name, arguments, message):
    arguments = {ALIASES.get(k, k): v for k, v in arguments.items()}
    if api_name == "/zeroshot_classify":
        arguments = {**CLASSIFY_DEFAULTS, **arguments}
    with pytest.raises(AppError) as error:
        client.predict(**arguments, api_name=api_name)
    assert message in str(error.value)
    _, _, text = client.predict(**CLASSIFY_DEFAULTS, api_name="/zeroshot_classify")  # still serving
    assert "Top prediction" in text


def test_bad_uploads_are_refused_by_name(client, tmp_path):
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("these are not pixels")
    too_wide = tmp_path / "wide.png"
    Image.new("RGB", (4097, 2)).save(too_wide)
    too_heavy = tmp_path / "heavy.png"
    too_heavy.write_bytes(b"\x89PNG" + b"\0" * (10 * 1024 * 1024 + 1))
    for path, message in ((not_an_image, "That file is not an image"), (too_wide, "The image is 4097 × 2 px"),
                          (too_heavy, "The file is 10.0 MB; at most 10 MB")):
        with pytest.raises(AppError) as error:
            client.predict(**{**CLASSIFY_DEFAULTS, "source": "upload", "upload": handle_file(str(path))},
                           api_name="/zeroshot_classify")
        assert message in str(error.value)
    _, _, text = client.predict(**CLASSIFY_DEFAULTS, api_name="/zeroshot_classify")
    assert "Top prediction" in text


def test_what_a_prompt_is_worth_shows_the_shipped_models_measurements(client, reference):
    """The "What is a prompt worth?" section: its read-out and figures are clip_core.prompts' numbers."""
    from clip_core.prompts import prompt_report

    summary, styles, orange, probe = client.predict(api_name="/zeroshot_prompts")
    report = prompt_report(reference.model, reference.world)
    gains, table = report["effects"], report["style_table"]
    text = summary.replace("**", "")
    assert f"+{100 * gains['photo_vs_bare']:.1f} points" in text
    assert f"{100 * gains['ensemble']['accuracy']:.1f} %" in text
    colour = report["ambiguity"]["tasks"]["colour"]
    context = 100 * colour["templates"][colour["context"]]["contested"]
    assert f"with “a photo of something {{}}.” {context:.1f} %" in text
    assert f"Zero-shot scores {100 * report['probe']['zero_shot']:.1f} %" in text
    heat = plotly_json(styles)["data"][0]
    cells = np.array([[100 * table["accuracy"][row][column] for column in table["columns"]] for row in table["rows"]])
    np.testing.assert_allclose(decode(heat["z"]).astype(float), cells, atol=1e-6)
    assert len(plotly_json(probe)["data"]) >= 4 and len(plotly_json(orange)["data"]) == 4
