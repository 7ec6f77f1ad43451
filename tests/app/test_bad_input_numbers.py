"""The bad-input matrix (issue #7), part 2: numbers. Every numeric input of every lesson's API,
sent as raw JSON (gradio_client cannot send NaN or infinity): NaN, infinity, a value above the
control's range, one below it and a word. Each is refused with a message naming the control, or -
for the few inputs the handler replaces with its own value - answered normally; afterwards the same
session answers a normal request. Then the training settings, including the operator's limits."""

from __future__ import annotations

import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from gradio_client.exceptions import AppError

LOGITS = [8, 0, -1.15, False, "logits", False, False]
ZEROSHOT = ["red circle, blue square", "a {}", "embedding", "test", "green ring", 0, None, None, -1.0, False, 5]
TRAIN = ["vit", 16, 16, 0.002, 40, True, 0.07, 0]

# (endpoint, valid arguments, {index: (name in the message, lowest, highest or None)})
NUMERIC_INPUTS = [
    ("overview_samples", [0], {0: ("seed", 0, 2**31 - 1)}),
    ("overview_refresh", [0], {0: ("seed", 0, 2**31 - 1)}),
    ("toy_world_samples", [0], {0: ("seed", 0, 2**31 - 1)}),
    ("logits_render", LOGITS, {0: ("n", 2, 64), 1: ("seed", 0, None), 2: ("log10 tau", -2.0, 0.5)}),
    ("logits_export_png", LOGITS[:6], {0: ("n", 2, 64), 1: ("seed", 0, None), 2: ("log10 tau", -2.0, 0.5)}),
    ("logits_refresh", LOGITS, {0: ("n", 2, 64), 1: ("seed", 0, None), 2: ("log10 tau", -2.0, 0.5)}),
    ("temperature_render", [8, 0, 0, 2.0], {0: ("n", 2, 32), 1: ("seed", 0, None), 2: ("row i", 0, 31),
                                            3: ("log10 scale", 0.0, 2.301)}),
    ("temperature_refresh", [8, 0, 0, 2.0], {0: ("n", 2, 32), 1: ("seed", 0, None), 2: ("row i", 0, 31),
                                             3: ("log10 scale", 0.0, 2.301)}),
    ("logit_probability", [0.8], {0: ("p", 0.001, 0.999)}),
    ("logit_softmax", ["1, 2", 0, 1], {1: ("c", -10, 10), 2: ("k", 0.1, 5)}),
    ("logit_clip_row", [6, 0], {0: ("n", 2, 10), 1: ("seed", 0, None)}),
    ("logit_refresh", [6, 0], {0: ("n", 2, 10), 1: ("seed", 0, None)}),
    ("zeroshot_classify", ZEROSHOT, {5: ("image of this pair", 0, 7), 8: ("log10 tau", -2.0, 0.5),
                                     10: ("top k", 1, 20)}),
    ("zeroshot_refresh", ZEROSHOT, {5: ("image of this pair", 0, 7), 8: ("log10 tau", -2.0, 0.5),
                                    10: ("top k", 1, 20)}),
    ("zeroshot_compare", ["red circle, blue square", "a {}", 1], {2: ("test images per pair", 1, 34)}),
    ("zeroshot_greedy", ["red circle, blue square", "a {}", "embedding", 1], {3: ("test images per pair", 1, 34)}),
    ("search_text", [112, 0, "a red circle", 6], {0: ("gallery size", 56, 448), 1: ("seed", 0, None),
                                                 3: ("top k", 1, 24)}),
    ("search_image", [112, 0, 0, 6], {0: ("gallery size", 56, 448), 1: ("seed", 0, None),
                                     2: ("gallery image number", 0, None), 3: ("top k", 1, 24)}),
    ("search_gallery", [112, 0], {0: ("gallery size", 56, 448), 1: ("seed", 0, None)}),
    ("search_refresh", [112, 0, "a red circle", 0, 6], {0: ("gallery size", 56, 448), 1: ("seed", 0, None),
                                                       3: ("gallery image number", 0, None), 4: ("top k", 1, 24)}),
    ("train_step", TRAIN, {1: ("Embedding size", 2, 128), 2: ("Batch size", 2, 256), 3: ("Learning rate", 1e-5, 1.0),
                           4: ("Steps", 1, 20000), 6: ("Initial temperature", 0.01, 2.0), 7: ("Seed", 0, None)}),
    ("train_start", TRAIN, {1: ("Embedding size", 2, 128), 2: ("Batch size", 2, 256), 3: ("Learning rate", 1e-5, 1.0),
                            4: ("Steps", 1, 20000), 6: ("Initial temperature", 0.01, 2.0), 7: ("Seed", 0, None)}),
]
# inputs a page load replaces with the model's own value (the learned temperature): NaN is harmless there
REPLACED_ON_LOAD = {("logits_refresh", 2), ("temperature_refresh", 3), ("zeroshot_refresh", 8)}
OPERATOR_LIMITS = {**{(api, 0): "CLIP_LAB_MAX_GALLERY" for api in ("search_text", "search_image", "search_gallery",
                                                                     "search_refresh")},
                   ("zeroshot_compare", 2): "CLIP_LAB_MAX_TEST_SET", ("zeroshot_greedy", 3): "CLIP_LAB_MAX_TEST_SET",
                   **{(api, 2): "CLIP_LAB_MAX_BATCH" for api in ("train_step", "train_start")},
                   **{(api, 4): "CLIP_LAB_MAX_STEPS" for api in ("train_step", "train_start")}}


def call_raw(http: httpx.Client, api_name: str, data: list, session: str) -> tuple[str, str | None]:
    """("complete" or "error", the error message) of one call with hand-written JSON arguments."""
    url = f"gradio_api/call/{api_name}"
    body = json.dumps({"data": data, "session_hash": session}, allow_nan=True)
    started = http.post(url, content=body, headers={"content-type": "application/json"})
    started.raise_for_status()
    stream = http.get(f"{url}/{started.json()['event_id']}").text
    if "event: error" not in stream:
        assert "event: complete" in stream, stream[-300:]
        return "complete", None
    payload = stream.split("event: error", 1)[1].split("data:", 1)[1].strip().splitlines()[0]
    error = json.loads(payload)
    return "error", error.get("error") if isinstance(error, dict) else error


@pytest.fixture(scope="module")
def http(app_url):
    with httpx.Client(base_url=app_url, timeout=60) as client:
        yield client


def bad_values(lo: float, hi: float | None) -> list[tuple[str, object]]:
    values = [("NaN", float("nan")), ("infinity", float("inf")), ("below", lo - 1), ("word", "many")]
    if hi is not None:
        values.append(("above", hi + 1))
    return values


def check_refusal(api_name: str, index: int, name: str, label: str, outcome: str, message: str | None) -> None:
    """What one bad value must get: a message naming the control (or the limit), or - where the
    handler replaces the value - a normal answer."""
    if (api_name, index) in REPLACED_ON_LOAD and label == "NaN":
        assert outcome == "complete"  # replaced by the learned temperature before anything reads it
    elif label == "NaN":  # passes every bound check of the control, so the handler's own check sees it
        assert outcome == "error"
        assert f"{name} must be a number from" in message, message
    elif label == "infinity":  # the control's maximum answers if it has one, else the handler's check
        assert outcome == "error"
        assert "Value inf is greater than maximum value" in message or f"{name} must be a number from" in message, \
            message
    elif label == "word":
        assert outcome == "error" and "Expected a number, got 'many'" in message, message
    elif label == "below":
        assert outcome == "error"
        assert "less than minimum value" in message or f"{name} must be a number from" in message, message
    else:
        assert outcome == "error"
        assert "greater than maximum value" in message or f"{name} must be a number from" in message, message
        if (api_name, index) in OPERATOR_LIMITS:
            assert OPERATOR_LIMITS[api_name, index] in message, message


@pytest.mark.parametrize(("api_name", "base", "inputs"), NUMERIC_INPUTS, ids=[c[0] for c in NUMERIC_INPUTS])
def test_numbers_out_of_range_get_a_clear_message(http, api_name, base, inputs):
    """Each bad value of each input in a session of its own (side by side, to keep this quick),
    then a normal request in that session; at the end the endpoint answers its valid arguments."""

    def bad_then_good(index: int, name: str, label: str, value) -> None:
        session = uuid.uuid4().hex
        data = list(base)
        data[index] = value
        check_refusal(api_name, index, name, label, *call_raw(http, api_name, data, session))
        assert call_raw(http, "logit_probability", [0.8], session)[0] == "complete"

    cases = [(index, name, label, value) for index, (name, lo, hi) in inputs.items()
             for label, value in bad_values(lo, hi)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(bad_then_good, *case) for case in cases]:
            future.result()
    if not api_name.startswith("train_"):  # training: see the gradio_client tests below
        assert call_raw(http, api_name, base, uuid.uuid4().hex)[0] == "complete"


# ----- training settings through gradio_client ----------------------------------------------------

SMALL = dict(image_encoder="vit", embed_dim=16, batch_size=16, lr=2e-3, steps=40, learn_temperature=True,
             init_temperature=0.07, seed=0)


def step(client, **overrides):
    return client.predict(*{**SMALL, **overrides}.values(), api_name="/train_step")


@pytest.fixture(scope="module")
def trainer(app_url):
    """One session for the settings below: each refusal must leave its run going."""
    from gradio_client import Client

    return Client(app_url, verbose=False)


@pytest.mark.parametrize(("overrides", "message"), [
    (dict(batch_size=257), "greater than maximum value 256"),
    (dict(batch_size=1000), "CLIP_LAB_MAX_BATCH"),
    (dict(steps=20001), "CLIP_LAB_MAX_STEPS"),
    (dict(embed_dim=1), "less than minimum value 2"),
    (dict(lr=0.0), "less than minimum value 1e-05"),
    (dict(lr="fast"), "Expected a number, got 'fast'"),
    (dict(init_temperature=1e9), "greater than maximum value 2.0"),
    (dict(seed=-3), "less than minimum value 0"),
    (dict(image_encoder="transformer"), "not in the list of choices"),
])
def test_training_settings_out_of_range(trainer, overrides, message):
    with pytest.raises(AppError) as error:
        step(trainer, **overrides)
    assert message in str(error.value)
    before = re.search(r"step (\d+)/40", step(trainer)[0])
    after = re.search(r"step (\d+)/40", step(trainer)[0])
    assert before and after and int(after.group(1)) == int(before.group(1)) + 1  # the session trains on


def test_a_word_for_a_checkbox_is_read_as_a_choice_not_a_crash(trainer):
    try:
        assert re.search(r"step \d+/40", step(trainer, learn_temperature="maybe")[0])
    except AppError as error:
        assert "upstream Gradio app has raised an exception" not in str(error)
    assert re.search(r"step \d+/40", step(trainer)[0])
