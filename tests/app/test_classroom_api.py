"""Classroom features through the API and in-process: shareable links (parsed and checked on the
server, restored into each lesson and redrawn), the "copy link" endpoint, the predict-then-reveal
checkpoints (their numbers recomputed here from the checkpoint), and the teacher flag."""

from __future__ import annotations

import math
import re

import gradio as gr
import pytest
import torch
from gradio_client.exceptions import AppError

from clip_core.loss import clip_loss
from lessons.page import share
from lessons.page.teacher import teacher_js

# ----- parsing and checking links (no server) -------------------------------------------------------


@pytest.fixture(scope="module")
def shared() -> dict[str, share.Shared]:
    fields = {"n": gr.Slider(2, 32, step=1), "seed": gr.Number(precision=0, minimum=0),
              "log_scale": gr.Slider(0, 2.301, step=0.01), "learned": gr.Checkbox(),
              "view": gr.Radio([("cosine", "cosine"), ("logits", "logits")]),
              "batches": gr.CheckboxGroup([4, 8, 16]), "templates": gr.Textbox()}
    return {"demo": share.Shared("demo", fields)}


def test_a_link_round_trips_its_values(shared):
    values = {"n": 16, "seed": 3, "log_scale": 1.5, "learned": False, "view": "logits", "batches": [4, 16],
              "templates": "a photo of a {}.\na {} in the center & more"}
    query = share.link_query("demo", shared, values, lang="zh", teacher=True)
    link = share.parse_link(query, shared, ["demo"])
    assert link.lesson == "demo" and link.values == values and link.problems == [] and link.teacher
    assert "lang=zh" in query and "teacher=1" in query and "{}" in query
    assert type(link.values["n"]) is int and type(link.values["log_scale"]) is float


@pytest.mark.parametrize(("query", "reason"), [
    ("n=999", "must be from 2 to 32"), ("n=abc", "not a number"), ("n=nan", "must be from"), ("n=7.5", "whole"),
    ("seed=-1", "must be from"), ("log_scale=inf", "must be from"), ("learned=maybe", "1 or 0"),
    ("view=softmax", "must be one of cosine, logits"), ("batches=4,5", "must be one of 4, 8, 16"),
    ("templates=" + "x" * (share.MAX_TEXT_CHARS + 1), "longer than"), ("colour=red", "not a setting"),
])
def test_a_bad_value_is_ignored_with_a_reason(shared, query, reason):
    link = share.parse_link(f"?lesson=demo&n=8&{query}", shared, ["demo"])
    assert link.lesson == "demo"
    assert len(link.problems) == 1 and reason in link.problems[0], link.problems
    key = query.split("=")[0]
    assert key not in link.values and (key == "n" or link.values["n"] == 8)


def test_unknown_lessons_and_huge_links_open_nothing(shared):
    assert share.parse_link("?lesson=nope&n=3", shared, ["demo"]).lesson is None
    assert share.parse_link("?lesson=nope", shared, ["demo"], "en").problems == ["there is no lesson `nope`"]
    huge = share.parse_link("?lesson=demo&templates=" + "y" * share.MAX_QUERY_CHARS, shared, ["demo"])
    assert huge.lesson is None and "longer than" in huge.problems[0]
    assert share.parse_link("", shared, ["demo"]) == share.Link()
    assert "必须在 2 到 32 之间" in share.parse_link("?lesson=demo&n=40", shared, ["demo"], "zh").problems[0]


# ----- links through the app ----------------------------------------------------------------------------


def test_open_link_names_what_it_ignored(client):
    assert client.predict("?lesson=temperature&n=16", api_name="/open_link") == ""
    notice = client.predict("?lesson=temperature&n=999&log_scale=abc&colour=red", api_name="/open_link")
    assert "`n=999`: must be from 2 to 32" in notice and "`log_scale=abc`: not a number" in notice
    assert "`colour` is not a setting" in notice
    assert "no lesson `tempreature`" in client.predict("?lesson=tempreature", api_name="/open_link")


def untouched(output) -> bool:
    """An output the handler skipped (gr.skip(): the page keeps what it shows)."""
    return isinstance(output, dict) and output.get("__type__") == "update" and "value" not in output.get("props", {})


def test_temperature_link_redraws_the_lesson_with_its_values(fresh_client):
    client = fresh_client  # a link fits the row slider to its n: this session's range changes
    n, seed, row, log_scale, *drawn = client.predict("?lesson=temperature&n=16&seed=3&row=12&log_scale=1.5",
                                                     8, 0, 0, 2.0, api_name="/temperature_restore")
    assert (n["value"], seed["value"], row["value"], log_scale["value"]) == (16, 3, 12, 1.5)
    assert row["maximum"] == 15  # the row slider is fitted to the link's n, as when n is moved by hand
    *_, table, readout, card = client.predict(16, 3, 12, 1.5, api_name="/temperature_render")
    assert drawn[-3:] == [table, readout, card] and "exp(t) = 31.62" in readout
    # without n in the link the page's n bounds the row: row 12 of a batch of 8 is refused, nothing changes
    outputs = client.predict("?lesson=temperature&row=12", 8, 0, 0, 2.0, api_name="/temperature_restore")
    assert all(untouched(output) for output in outputs), outputs
    _, _, row, _ = client.predict("?lesson=temperature&row=5", 8, 0, 0, 2.0, api_name="/temperature_restore")[:4]
    assert (row["value"], row["maximum"]) == (5, 7)
    # a link to another lesson, or with nothing usable for this one, leaves the page alone
    for query in ("?lesson=logits&n=16", "?lesson=temperature&n=abc", ""):
        outputs = client.predict(query, 8, 0, 0, 2.0, api_name="/temperature_restore")
        assert all(untouched(output) for output in outputs), outputs


def test_logits_negatives_and_train_links_restore(client):
    n, seed, log_tau, learned, view, shuffle, compare, main, side, summary, code = client.predict(
        "?lesson=logits&n=16&seed=2&log_tau=-1&learned=0&view=logits&shuffle=1&compare=0", 8, 0, -1.15, True,
        "p_image_to_text", False, False, api_name="/logits_restore")
    assert [u["value"] for u in (n, seed, log_tau, learned, view, shuffle, compare)] == [16, 2, -1.0, False, "logits",
                                                                                       True, False]
    assert "ln 16 = 2.773" in summary and "exp(t) = 10.00" in summary
    n, budget, batches, seed, plot, text = client.predict("?lesson=negatives&n=64&batches=8,16", 32,
                                                          api_name="/negatives_restore")
    assert n["value"] == 64 and batches["value"] == [8, 16] and "value" not in budget and "n = 64:" in text
    preset, encoder, *_, steps, learn_t, init_t, seed = client.predict(
        "?lesson=train&preset=shipped&encoder=resnet&steps=300&learn_t=0&init_t=0.5", api_name="/train_restore")
    assert (encoder["value"], steps["value"], learn_t["value"], init_t["value"]) == ("resnet", 300, False, 0.5)
    assert "value" not in seed


def test_links_restore_the_lessons_of_tab_nine(client):
    caption = "a red circle left of a blue square"
    scene, text, *_, readout = client.predict(
        "?lesson=bagofwords&scene=5&caption=" + caption.replace(" ", "%20"), 0, "", api_name="/bagofwords_restore")
    assert (scene["value"], text["value"]) == (5, caption)
    assert readout == client.predict(5, caption, api_name="/bagofwords_show")[-1]

    scene, query, method, *_, readout = client.predict(
        "?lesson=localize&scene=7&query=a%20green%20cross&method=windows", 0, "a purple circle", "patches",
        "relations", api_name="/localize_restore")
    assert (scene["value"], query["value"], method["value"]) == (7, "a green cross", "windows")
    assert readout == client.predict(7, "a green cross", "windows", "relations", api_name="/localize_show")[-1]

    model, n, seed, images, *_, readout = client.predict(
        "?lesson=crosslingual&model=shipped&n=5&seed=2&images=0", 8, 0, "bilingual", True,
        api_name="/crosslingual_restore")
    assert [u["value"] for u in (model, n, seed, images)] == ["shipped", 5, 2, False]
    assert readout == client.predict(5, 2, "shipped", False, api_name="/crosslingual_render")[-1]
    # a value the control cannot hold is ignored, the others still apply
    scene, method, *_ = client.predict("?lesson=localize&scene=999&method=windows", 0, "a purple circle", "patches",
                                       "relations", api_name="/localize_restore")[0::2]
    assert untouched(scene) and method["value"] == "windows"


def test_zeroshot_link_that_the_lesson_refuses_changes_nothing(client):
    from lessons.zeroshot import template_preset

    values = ["red circle, blue square", template_preset("all"), "embedding", "test", "green ring", 0, None, None,
              -1.15, True, 8]
    restored = client.predict("?lesson=zeroshot&classes=red%20circle%2C%20green%20ring&ensemble=probability",
                              *values, api_name="/zeroshot_restore")
    assert restored[1]["value"] == "red circle, green ring" and restored[4]["value"] == "probability"
    assert "green ring" in restored[-1]
    refused = client.predict("?lesson=zeroshot&classes=", *values, api_name="/zeroshot_restore")  # no class at all
    assert all(untouched(output) for output in refused), refused


def share_link_inputs(client) -> tuple[list[str], list]:
    """The i18n key (or elem_id) and the starting value of each input of /share_link, to call it
    with named values."""
    config = client.config
    dependency = next(d for d in config["dependencies"] if d.get("api_name") == "share_link")
    components = {c["id"]: c for c in config["components"]}
    keys, values = [], []
    for index in dependency["inputs"]:
        props = components[index].get("props", {})
        found = re.search(r'"key": "([\w.]+)"', str(props.get("label") or ""))
        keys.append(found.group(1) if found else props.get("elem_id") or "")
        values.append(props.get("value"))
    return keys, values


def test_copy_link_writes_the_lessons_settings_and_opens_the_same_view(fresh_client):
    client = fresh_client  # a link fits the row slider to its n: this session's range changes
    keys, values = share_link_inputs(client)  # every control as the page starts
    lesson_n, lesson_seed = keys.index("temperature.n"), keys.index("temperature.seed")
    values[0], values[1], values[2] = "temperature", True, "zh"
    values[lesson_n], values[lesson_seed], values[keys.index("temperature.log_scale")] = 12, 5, 0.7
    values[keys.index("temperature.row")] = 9
    values[keys.index("logits.n")] = 30  # another lesson's value stays out of the link
    update = client.predict(*values[:3], **{f"param_{i}": v for i, v in enumerate(values) if i >= 3},
                            api_name="/share_link")
    query = update["value"] if isinstance(update, dict) else update
    assert query == "?lesson=temperature&n=12&seed=5&row=9&log_scale=0.7&lang=zh&teacher=1"
    n, seed, row, log_scale, *_ = client.predict(query, 8, 0, 0, 2.0, api_name="/temperature_restore")
    assert (n["value"], seed["value"], row["value"], log_scale["value"]) == (12, 5, 9, 0.7)
    with pytest.raises(AppError, match="no lesson named"):
        client.predict("nope", False, "en", **{f"param_{i}": v for i, v in enumerate(values) if i >= 3},
                       api_name="/share_link")


# ----- predict-then-reveal ----------------------------------------------------------------------------


@torch.no_grad()
def test_double_n_reveal_measures_the_random_models_loss(client, reference):
    from lessons.beyond.negatives import chance_batch

    answer = client.predict("plus_ln2", 32, api_name="/quiz_double_n")
    model = reference.random
    losses = [clip_loss(model(b.images, model.tokenizer(b.captions))).item()
              for b in (chance_batch(reference.world, 32), chance_batch(reference.world, 64))]
    assert f"n = 32 is **{losses[0]:.3f}**" in answer and f"n = 64 it is **{losses[1]:.3f}**" in answer
    assert abs(losses[1] - losses[0] - math.log(2)) < abs(losses[1] - 2 * losses[0])  # the measurement decides
    assert answer.startswith("✓") and client.predict("doubles", 32, api_name="/quiz_double_n").startswith("✗")
    assert "Pick a prediction first" in client.predict(None, 32, api_name="/quiz_double_n")
    with pytest.raises(AppError, match="not in the list of choices"):  # the Radio refuses it (names the choices)
        client.predict("triples", 32, api_name="/quiz_double_n")
    with pytest.raises(AppError, match="512"):
        client.predict("same", 5000, api_name="/quiz_double_n")


@pytest.mark.parametrize(("n", "seed", "row"), [(8, 0, 0), (16, 4, 9)])
def test_cold_softmax_reveal_computes_the_softmax_at_a_tiny_temperature(fresh_client, reference, n, seed, row):
    client = fresh_client  # lesson 4's row slider follows its n per session: another test may have narrowed it
    I_e, T_e = reference.embed(reference.batch(n, seed))
    cosines = (I_e[row] @ T_e.T).double()  # [n]
    top = int(cosines.argmax())
    cold = torch.softmax(1000.0 * cosines, dim=0)
    warm = torch.softmax(cosines, dim=0)
    answer = client.predict("to_top", n, seed, row, 1.0, api_name="/quiz_cold_softmax")
    assert answer.startswith("✓") and f"highest cosine is j = {top}" in answer
    assert f"**{warm[top]:.3f}** at τ = 1" in answer and f"**{cold[top]:.3f}** at τ = 0.001" in answer
    verdict = client.predict("to_correct", n, seed, row, 1.0, api_name="/quiz_cold_softmax")[0]
    assert verdict == ("✓" if top == row else "✗")
    assert client.predict("uniform", n, seed, row, 1.0, api_name="/quiz_cold_softmax").startswith("✗")


def test_held_out_reveal_follows_its_own_numbers(client):
    from lessons.zeroshot import template_preset

    answer = client.predict("like_seen", template_preset("all"), api_name="/quiz_held_out")
    held, seen, chance = (float(re.search(pattern, answer).group(1)) for pattern in (
        r"held-out pairs \*\*([\d.]+) %", r"seen pairs \*\*([\d.]+) %", r"chance ([\d.]+) %"))
    expected = "chance" if held < 2 * chance else "like_seen" if held >= seen - 5 else "between"
    assert answer.startswith("✓" if expected == "like_seen" else "✗")
    assert abs(chance - 100 / 56) < 0.05
    with pytest.raises(AppError):
        client.predict("chance", "", api_name="/quiz_held_out")  # no template: the lesson's own message


# ----- teacher mode from the command line --------------------------------------------------------


def test_teacher_flag_reaches_the_app(monkeypatch):
    import app

    seen = {}
    monkeypatch.setattr(app, "serve", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.delenv("CLIP_LAB_TEACHER", raising=False)
    app.main([])
    assert seen["teacher"] is False
    app.main(["--teacher"])
    assert seen["teacher"] is True
    monkeypatch.setenv("CLIP_LAB_TEACHER", "1")
    app.main([])
    assert seen["teacher"] is True
    assert "? true :" in teacher_js(True) and "? false :" in teacher_js(False)


def test_built_app_opens_in_teacher_mode():
    import app

    for teacher in (True, False):
        scripts = [fn.js for fn in app.build_app(teacher=teacher).fns.values() if fn.js and "q === null" in fn.js]
        assert scripts == [teacher_js(teacher)]
