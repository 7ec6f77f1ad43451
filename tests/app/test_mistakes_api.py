"""The "Classic mistakes" tab through the API: side-by-side runs are deterministic under a seed, its
figures show what clip_core computes for the same run, Stop keeps both models, a second Start is
refused, bad inputs get clear messages, and every run adds a row to the session's table."""

from __future__ import annotations

import dataclasses
import re
import uuid

import httpx
import numpy as np
import pytest
import torch
from api_data import decode, plotly_json
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import wait_until_streamed
from test_bad_input_numbers import call_raw

from clip_core import get_preset
from clip_core.experiments import side_by_side
from clip_core.mistakes import Mistakes
from clip_core.zeroshot import evaluate_templates
from lessons.common.compute import demo_batch

STATUS, CURVES, PROBE_CORRECT, PROBE_MISTAKEN, RESULTS = range(5)


def start(client, mistake="one_direction", preset="quick", steps=25, seed=3):
    return client.predict(mistake, preset, steps, seed, api_name="/mistakes_start")


def traces(figure_output) -> dict[tuple[str, str], np.ndarray]:
    """{(trace name, x axis): y values} of the side-by-side curves (x axis "x..." = a panel)."""
    figure = plotly_json(figure_output)
    return {(t["name"], t.get("xaxis", "x")): decode(t["y"]).astype(float) for t in figure["data"]}


def table_rows(markdown: str) -> list[list[str]]:
    """The results table's data rows, cells without markdown emphasis."""
    rows = [line for line in markdown.splitlines() if re.match(r"^\| \d+ \|", line)]
    return [[cell.strip().replace("**", "") for cell in row.strip("|").split("|")] for row in rows]


def pair_cell(cell: str) -> tuple[float, float]:
    """"0.97 / 0.49" or "61 % / 86 %" -> (mistaken, correct)."""
    mistaken, correct = (float(part.replace("%", "").strip()) for part in cell.split("/"))
    return mistaken, correct


def reference_pair(world, mistake: str, steps: int, seed: int, init_temperature: float = 0.07):
    """The same run, built and trained here with clip_core alone (the lesson's recipe: the nano
    preset at batch 64, warm-up of at most a quarter of the steps)."""
    nano = get_preset("nano")
    model_config = dataclasses.replace(nano.model, init_temperature=init_temperature)
    train_config = dataclasses.replace(nano.train, steps=steps, seed=seed, batch_size=64,
                                       warmup_steps=min(nano.train.warmup_steps, steps // 4 + 1))
    pair = side_by_side(model_config, train_config, Mistakes(**{mistake: True}), world=world)
    for _ in pair.run():
        pass
    return pair


def test_same_seed_same_run_in_two_sessions_and_the_table_grows(app_url):
    a, b = Client(app_url, verbose=False), Client(app_url, verbose=False)
    first_a, first_b = start(a), start(b)
    assert "finished" in first_a[STATUS] and "step 25/25" in first_a[STATUS]
    curves_a, curves_b = traces(first_a[CURVES]), traces(first_b[CURVES])
    assert curves_a.keys() == curves_b.keys()
    for key in curves_a:
        np.testing.assert_array_equal(curves_a[key], curves_b[key], err_msg=str(key))
    for probe in (PROBE_CORRECT, PROBE_MISTAKEN):
        np.testing.assert_array_equal(decode(plotly_json(first_a[probe])["data"][0]["z"]),
                                      decode(plotly_json(first_b[probe])["data"][0]["z"]))
    # the two columns differ (the mistake matters) but share their first loss (same weights, same batch)
    correct_loss, mistaken_loss = curves_a[("training loss", "x")], curves_a[("training loss", "x2")]
    assert len(correct_loss) == len(mistaken_loss) == 25
    assert correct_loss[0] != mistaken_loss[0]  # one direction: the first loss is the rows' half only
    assert not np.array_equal(correct_loss, mistaken_loss)

    second_a = start(a, seed=4)
    assert not np.array_equal(traces(second_a[CURVES])[("training loss", "x")], correct_loss)
    rows = table_rows(second_a[RESULTS])
    assert [row[:2] for row in rows] == [["1", "one direction"], ["2", "one direction"]]
    assert "· 3 ·" in rows[0][2] and "· 4 ·" in rows[1][2]
    assert len(table_rows(b.predict(api_name="/mistakes_refresh")[RESULTS])) == 1  # sessions stay apart


def test_figures_show_what_clip_core_computes_for_the_same_run(fresh_client, reference):
    out = start(fresh_client, mistake="no_l2_norm", steps=20, seed=7)
    pair = reference_pair(reference.world, "no_l2_norm", steps=20, seed=7)
    curves = traces(out[CURVES])
    for trainer, axis, scale_axis in ((pair.correct, "x", "x5"), (pair.variant, "x2", "x6")):
        np.testing.assert_allclose(curves[("training loss", axis)], [m.loss for m in trainer.history], rtol=1e-5)
        np.testing.assert_allclose(curves[("logit scale exp(t)", scale_axis)],
                                   [m.logit_scale for m in trainer.history], rtol=1e-5)

    probe = demo_batch(reference.world, 8, 2024)
    for trainer, index in ((pair.correct, PROBE_CORRECT), (pair.variant, PROBE_MISTAKEN)):
        model = trainer.scoring_model.eval()
        with torch.no_grad():
            logits = model(probe.images, model.tokenizer(probe.captions))  # [8, 8]
        z = decode(plotly_json(out[index])["data"][0]["z"]).astype(float)
        np.testing.assert_allclose(z, logits.softmax(dim=1).numpy(), atol=1e-5)
    z_logits = decode(plotly_json(fresh_client.predict("logits", api_name="/mistakes_view")[1])["data"][0]["z"])
    with torch.no_grad():
        expected = pair.variant.scoring_model(probe.images, pair.variant.tokenizer(probe.captions))
    np.testing.assert_allclose(z_logits.astype(float), expected.numpy(), rtol=1e-4, atol=1e-4)
    # no L2 norm: the mistaken logits are not bounded by the scale, the correct ones are
    assert np.abs(expected.numpy()).max() > pair.variant.scoring_model.scale().item()

    # zero-shot points: steps 0, 4, 8, 12, 16, 20, the last one recomputed here
    classnames = reference.world.classes("colour_shape")
    test = reference.world.test_set(2, "all")
    held = reference.world.is_held_out(test.attributes)
    labels = np.array([classnames.index(p) for p in test.attributes.pair_names()])
    for trainer, axis in ((pair.correct, "x7"), (pair.variant, "x8")):
        row = evaluate_templates(trainer.scoring_model, trainer.tokenizer, test.images, labels, classnames,
                                 ["a photo of a {}."], groups={"seen": ~held, "held_out": held}, ensembles=False)[0]
        seen, held_out = curves[("zero-shot, seen pairs", axis)], curves[("zero-shot, held-out pairs", axis)]
        assert len(seen) == 6
        assert (seen[-1], held_out[-1]) == (row["seen"], row["held_out"])

    loss, _, scale, seen, held_out = table_rows(out[RESULTS])[0][3:8]
    assert pair_cell(loss) == pytest.approx((np.mean([m.loss for m in pair.variant.history[-10:]]),
                                             np.mean([m.loss for m in pair.correct.history[-10:]])), abs=0.006)
    assert pair_cell(seen)[0] == pytest.approx(100 * curves[("zero-shot, seen pairs", "x8")][-1], abs=0.51)
    assert pair_cell(held_out)[1] == pytest.approx(100 * curves[("zero-shot, held-out pairs", "x7")][-1], abs=0.51)
    assert pair_cell(scale)[1] == pytest.approx(pair.correct.model.scale().item(), abs=0.051)


def test_hot_start_shows_what_the_clamp_does(fresh_client):
    out = start(fresh_client, mistake="no_clamp", preset="hot", steps=5, seed=0)
    curves = traces(out[CURVES])
    assert curves[("logit scale exp(t)", "x5")].max() <= 100.0  # clamped from 500 (and free to come down)
    assert curves[("logit scale exp(t)", "x5")].min() > 95
    assert curves[("logit scale exp(t)", "x6")].min() > 400  # not clamped
    mistaken, correct = pair_cell(table_rows(out[RESULTS])[0][5])
    assert mistaken > 400 and 95 < correct <= 100.0


def test_stop_keeps_both_models_and_a_second_start_is_refused(fresh_client):
    job = fresh_client.submit("soft_targets", "quick", 5000, 0, api_name="/mistakes_start")
    wait_until_streamed(job)
    with pytest.raises(AppError, match="already training"):
        start(fresh_client, steps=3)
    fresh_client.predict(api_name="/mistakes_stop")
    final = job.result(timeout=60)
    assert "stopped (both models kept)" in final[STATUS]
    done = int(re.search(r"step (\d+)/5000", final[STATUS]).group(1))
    assert 0 < done < 5000
    assert len(traces(final[CURVES])[("training loss", "x2")]) == done

    # both models are still there: the heatmaps redraw from them, at the step where they stopped
    again = fresh_client.predict(api_name="/mistakes_refresh")
    for index in (PROBE_CORRECT, PROBE_MISTAKEN):
        title = plotly_json(again[index])["layout"]["title"]["text"]
        assert f"step {done} " in title, title
        np.testing.assert_array_equal(decode(plotly_json(again[index])["data"][0]["z"]),
                                      decode(plotly_json(final[index])["data"][0]["z"]))
    assert f"stopped at {done}" in table_rows(again[RESULTS])[0][2]
    assert "step 3/3" in start(fresh_client, steps=3)[STATUS]  # and a new run may start


def test_presets_fill_the_steps_and_explain_themselves(client):
    steps, menu = client.predict("hot", api_name="/mistakes_preset")
    assert steps == 300 and "exp(t) starts at 500" in str(menu)
    with pytest.raises(AppError, match="not in the list of choices|Unknown preset"):
        client.predict("warm", api_name="/mistakes_preset")


@pytest.mark.parametrize(("arguments", "message"), [
    (("no_such_mistake", "quick", 10, 0), "not in the list of choices|Unknown mistake 'no_such_mistake'"),
    (("soft_targets", "warm", 10, 0), "not in the list of choices|Unknown preset 'warm'"),
    (("soft_targets", "quick", 0, 0), "less than minimum value 1|Steps must be a number from 1"),
    (("soft_targets", "quick", 10**9, 0), "greater than maximum value .*CLIP_LAB_MAX_STEPS"),
    (("soft_targets", "quick", "many", 0), "Expected a number"),
    (("soft_targets", "quick", 10, -1), "less than minimum value 0|Seed must be a number"),
])
def test_bad_inputs_get_a_clear_message(fresh_client, arguments, message):
    with pytest.raises(AppError, match=message):
        fresh_client.predict(*arguments, api_name="/mistakes_start")
    with pytest.raises(AppError, match="not in the list of choices|Unknown heatmap view"):
        fresh_client.predict("heat", api_name="/mistakes_view")
    assert "No run yet" in fresh_client.predict(api_name="/mistakes_refresh")[STATUS]  # the session still answers


@pytest.mark.parametrize(("index", "value", "message"), [
    (2, float("nan"), r"Steps must be a number from 1 to \d+ \(got nan\)"),
    (2, float("inf"), r"Value inf is greater than maximum value|Steps must be a number from 1 to \d+ \(got inf\)"),
    (3, float("nan"), r"Seed must be a number from 0 to \d+ \(got nan\)"),
])
def test_nan_and_infinity_are_refused_by_name(app_url, index, value, message):
    arguments = ["soft_targets", "quick", 2, 0]
    arguments[index] = value
    with httpx.Client(base_url=app_url, timeout=60) as http:
        outcome, error = call_raw(http, "mistakes_start", arguments, uuid.uuid4().hex)
    assert outcome == "error" and re.search(message, str(error)), error
