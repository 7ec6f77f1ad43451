"""Bad input through the API: every call fails with a message that says what was wrong, and the
app (and the same session) keeps serving valid calls afterwards."""

from __future__ import annotations

import json
import math

import gradio as gr
import httpx
import pytest
from gradio_client.exceptions import AppError

from lessons import logit, logits, overview, temperature
from lessons.common.session import Session

LOGITS = dict(n=8, seed=0, log10_tau=-1.15, learned=False, view="logits", shuffle=False, compare=False)

CASES = [
    ("/logits_render", {**LOGITS, "n": 0}, "less than minimum value 2"),
    ("/logits_render", {**LOGITS, "n": 65}, "greater than maximum value 64"),
    ("/logits_render", {**LOGITS, "seed": -1}, "less than minimum value 0"),
    ("/logits_render", {**LOGITS, "log10_tau": 3.0}, "greater than maximum value 0.5"),
    ("/logits_render", {**LOGITS, "view": "histogram"}, "'histogram' (type: <class 'str'>) is not in the list"),
    ("/logits_export_png", {k: v for k, v in LOGITS.items() if k != "compare"} | {"view": "3d"},
     "'3d' (type: <class 'str'>) is not in the list of choices"),
    ("/toy_world_scene", dict(colour="magenta", shape="circle", size="large", position="center"),
     "magenta is not in the list of choices"),
    ("/toy_world_scene", dict(colour="red", shape="hexagon", size="large", position="center"),
     "hexagon is not in the list of choices"),
    ("/toy_world_samples", dict(seed=2**31), "greater than maximum value 2147483647"),
    ("/overview_samples", dict(seed=-5), "seed must be a number from 0 to 2147483647 (got -5)"),
    ("/temperature_render", dict(n=8, seed=0, row=8, log_scale=1.0), "row i must be a number from 0 to 7 (got 8)"),
    ("/temperature_render", dict(n=33, seed=0, row=0, log_scale=1.0), "greater than maximum value 32"),
    ("/logit_probability", dict(p=1.0), "greater than maximum value 0.999"),
    ("/logit_clip_row", dict(n=11, seed=0), "greater than maximum value 10"),
    ("/pick_model", dict(name="gpt"), "gpt is not in the list of choices"),
    # the lesson's own parse of the logits, once through the wire (every refusal: tests/lessons)
    ("/logit_softmax", dict(text="2, abc, 1", shift=0, multiply=1), "“abc” is not a number"),
]


def still_serves(client) -> None:
    figure, side, summary, code = client.predict(*LOGITS.values(), api_name="/logits_render")
    assert "Loss" in summary and "ln 8" in summary


@pytest.mark.parametrize(("api_name", "arguments", "message"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_bad_input_fails_with_a_clear_message(client, api_name, arguments, message):
    with pytest.raises(AppError) as error:
        client.predict(**arguments, api_name=api_name)
    assert message in str(error.value)
    still_serves(client)


def post_raw(app_url: str, api_name: str, data: str) -> str:
    """Call an endpoint with hand-written JSON arguments (gradio_client cannot send NaN or infinity)."""
    url = f"{app_url}gradio_api/call/{api_name}"
    started = httpx.post(url, content=f'{{"data": {data}}}', headers={"content-type": "application/json"}, timeout=30)
    started.raise_for_status()
    return httpx.get(f"{url}/{started.json()['event_id']}", timeout=30).text


@pytest.mark.parametrize(("api_name", "data", "message"), [
    ("logits_render", '[NaN, 0, -1.15, false, "logits", false, false]', "n must be a number from 2 to 64 (got nan)"),
    ("logits_render", '[8, 0, NaN, false, "logits", false, false]', "log10 tau must be a number from -2.0 to 0.5"),
    ("temperature_render", "[8, 0, 0, NaN]", "log10 scale must be a number from 0.0 to"),
    ("logit_probability", "[NaN]", "p must be a number from 0.001 to 0.999 (got nan)"),
    ("logit_softmax", '["1, 2", Infinity, 1]', "greater than maximum value 10"),
])
def test_nan_and_infinity_fail_with_a_clear_message(app_url, client, api_name, data, message):
    stream = post_raw(app_url, api_name, data)
    assert "event: error" in stream
    payload = json.loads(stream.split("event: error", 1)[1].split("data:", 1)[1].strip().splitlines()[0])
    assert message in payload["error"]
    still_serves(client)


@pytest.mark.parametrize(("api_name", "arguments"), [
    ("/logits_render", {**LOGITS, "n": "eight"}),
    ("/overview_samples", dict(seed="abc")),
])
def test_text_where_a_number_goes_fails_with_a_clear_message(client, api_name, arguments):
    with pytest.raises(AppError) as error:
        client.predict(**arguments, api_name=api_name)
    still_serves(client)
    assert "upstream Gradio app has raised an exception" not in str(error.value)
    assert "Expected a number" in str(error.value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "8x", None, [8]])
def test_handlers_reject_non_numbers_themselves(value):
    """Behind the API the handlers check their numbers again (the page's sliders are not the only caller)."""
    session = Session()
    with pytest.raises(gr.Error, match="n must be a number from 2 to 64"):
        logits.render(session, value, 0, -1.15, False, "logits", False, False)
    with pytest.raises(gr.Error, match="seed must be a number"):
        overview.render(session, value)
    with pytest.raises(gr.Error, match="log10 scale must be a number"):
        temperature.render(session, 8, 0, 0, value)
    with pytest.raises(gr.Error, match="p must be a number"):
        logit.probability(session, value)
    with pytest.raises(gr.Error, match="must be a whole number"):
        logits.render(session, 8.5, 0, -1.15, False, "logits", False, False)
