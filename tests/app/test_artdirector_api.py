"""The "Art director" tab through the API: the streamed curve and pictures equal an independent
clip_core run on the same checkpoint, real pictures of the caption are scored as clip_core scores
them, runs are deterministic under a seed, Stop ends a run early and a second Run is refused while
one goes on, recipes set the controls, and bad input (empty caption, unknown words, NaN or huge
learning rates, steps over the limit) gets clear messages."""

from __future__ import annotations

import base64
import io
import json
import re
import uuid

import httpx
import numpy as np
import pytest
from api_data import decode, plotly_json
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import number_after, numbers_after, wait_until_streamed
from PIL import Image

from clip_core.artdirector import ArtDirector, ArtDirectorConfig, real_pictures
from lessons.beyond import artdirector
from lessons.common.limits import LIMITS

CAPTION = "a red circle"
SETTINGS = dict(start="noise", picture=31, steps=40, lr=0.05, jitter=2, blur=0.5, copies=4, tv_weight=0.0, seed=0)


def arguments(caption=CAPTION, **overrides) -> list:
    return [caption, *{**SETTINGS, **overrides}.values()]


def run(client, caption=CAPTION, **overrides):
    return client.predict(*arguments(caption, **overrides), api_name="/artdirector_run")


def preview(client, caption=CAPTION, **overrides):
    return client.predict(*arguments(caption, **overrides), api_name="/artdirector_preview")


def expected_run(reference, caption=CAPTION, **overrides):
    """The lesson's run, recomputed with clip_core on the same checkpoint: (records, director)."""
    settings = {**SETTINGS, **overrides}
    start = reference.world.test_set(1, "all").images[settings["picture"]] if settings["start"] == "picture" else None
    config = ArtDirectorConfig(steps=settings["steps"], lr=settings["lr"], jitter=settings["jitter"],
                               copies=settings["copies"], blur=settings["blur"], tv_weight=settings["tv_weight"],
                               seed=settings["seed"])
    director = ArtDirector(reference.model, caption, config, start=start)
    return list(director.run()), director


def traces(figure_value) -> dict[str, dict]:
    return {t["name"]: t for t in plotly_json(figure_value)["data"]}


def picture(pictures_html: str, card: str) -> np.ndarray:
    """The [H, W, 3] uint8 picture of a card, shrunk back from its nearest-neighbour enlargement."""
    found = re.search(rf'id="artdirector-{card}-card".*?src="data:image/png;base64,([^"]+)"', pictures_html)
    assert found, f"no {card} picture in {pictures_html[:300]}"
    image = np.asarray(Image.open(io.BytesIO(base64.b64decode(found.group(1)))).convert("RGB"))
    scale = image.shape[0] // 32
    return image[::scale, ::scale]


def as_bytes(image: np.ndarray) -> np.ndarray:
    return (np.clip(image, 0, 1) * 255).astype(np.uint8).transpose(1, 2, 0)  # as the page encodes it


def test_the_preview_scores_the_start_and_real_pictures_as_clip_core_does(fresh_client, reference):
    status, pictures, figure_value, readout = preview(fresh_client)
    assert "Not run yet" in status
    records, director = expected_run(reference)
    start = records[0]
    assert number_after(readout, "scores cos =") == pytest.approx(start.similarity, abs=6e-4)
    real = director.similarity(real_pictures(reference.world, {"colour": "red", "shape": "circle"}, 8, seed=0)[0])
    low, high = numbers_after(readout, "cos from")[0], number_after(readout, "to")
    assert (low, high) == (pytest.approx(real.min().item(), abs=6e-4), pytest.approx(real.max().item(), abs=6e-4))
    assert number_after(readout, "mean") == pytest.approx(real.mean().item(), abs=6e-4)
    assert "size and position at random" in readout
    curves = traces(figure_value)
    band = decode(curves[f"real pictures of the caption (n = 8): {real.min():.2f} to {real.max():.2f}"]["y"])
    np.testing.assert_allclose(sorted(set(band.tolist())), [real.min(), real.max()], atol=1e-6)
    np.testing.assert_allclose(decode(curves["the picture"]["y"]), [start.similarity], atol=1e-5)
    np.testing.assert_array_equal(picture(pictures, "start"), as_bytes(start.image))
    assert "cos = " in pictures and "best of 8" in pictures


def test_a_run_streams_and_equals_clip_core(app_url, reference):
    client = Client(app_url, verbose=False)
    job = client.submit(*arguments(), api_name="/artdirector_run")
    status, pictures, figure_value, readout = job.result(timeout=120)
    outputs = job.outputs()
    assert len(outputs) >= 41  # the start, then a picture at every step (40 steps < FRAMES), then the end
    assert "finished" in status and "step 40/40" in status
    records, director = expected_run(reference)
    curves = traces(figure_value)
    np.testing.assert_allclose(decode(curves["the picture"]["y"]), [r.similarity for r in records], atol=1e-5)
    np.testing.assert_array_equal(decode(curves["the picture"]["x"]), np.arange(41))
    objective = decode(curves["mean over the jittered copies (what each step maximises)"]["y"])
    np.testing.assert_allclose(objective, [r.objective for r in records[1:]], atol=1e-5)
    final = as_bytes(records[-1].image)
    assert np.abs(picture(pictures, "now").astype(int) - final.astype(int)).max() <= 1
    assert number_after(readout, "scores cos =") == pytest.approx(records[-1].similarity, abs=6e-4)
    assert number_after(readout, "started at") == pytest.approx(records[0].similarity, abs=6e-4)
    assert "Zero-shot check" in readout
    # a picture streamed mid-run is the one clip_core had at that step
    middle = [o for o in outputs if "step 20/40" in o[0]]
    assert middle and "Step 20" in middle[0][1]
    assert np.abs(picture(middle[0][1], "now").astype(int) - as_bytes(records[20].image).astype(int)).max() <= 1


def test_runs_are_deterministic_under_a_seed(app_url):
    a, b, c = (Client(app_url, verbose=False) for _ in range(3))
    out_a, out_b, out_c = run(a, steps=15), run(b, steps=15), run(c, steps=15, seed=1)
    y = [decode(traces(out[2])["the picture"]["y"]) for out in (out_a, out_b, out_c)]
    np.testing.assert_array_equal(y[0], y[1])
    assert y[0][0] != y[2][0]  # another seed, other starting noise
    assert out_a[1] == out_b[1] and out_a[1] != out_c[1]


def test_the_nudge_recipe_starts_from_a_test_picture_and_outscores_real_ones(fresh_client, reference):
    recipe = fresh_client.predict("nudge", api_name="/artdirector_recipe")
    start, steps, lr, jitter, blur, copies, tv_weight, note = recipe
    assert (start, steps, lr, jitter, blur, copies, tv_weight) == ("picture", 200, 0.01, 0, 0.0, 1, 0.0)
    assert "blue square" in note["info"]
    status, pictures, figure_value, readout = run(fresh_client, start=start, steps=steps, lr=lr, jitter=jitter,
                                                  blur=blur, copies=copies, tv_weight=tv_weight)
    assert "finished" in status
    test = reference.world.test_set(1, "all")
    start_bytes = as_bytes(test.images[31].clamp(1e-3, 1 - 1e-3).numpy()).astype(int)
    assert np.abs(picture(pictures, "start").astype(int) - start_bytes).max() <= 1
    change = number_after(readout, "Mean pixel change from the start picture:")
    assert 0 < change < 0.12
    cos, real_mean = number_after(readout, "scores cos ="), number_after(readout, "mean")
    assert cos > real_mean and "outscores" in readout
    with pytest.raises(AppError, match="not in the list of choices|no recipe"):
        fresh_client.predict("masterpiece", api_name="/artdirector_recipe")


def test_stop_ends_a_run_early_and_a_second_run_is_refused_meanwhile(fresh_client):
    steps = artdirector.bounds("steps")[1]
    job = fresh_client.submit(*arguments(steps=steps), api_name="/artdirector_run")
    wait_until_streamed(job)
    with pytest.raises(AppError, match="already going"):
        run(fresh_client, steps=5)
    fresh_client.predict(api_name="/artdirector_stop")
    status, pictures, _, readout = job.result(timeout=60)
    assert "stopped" in status
    done = int(re.search(r"step (\d+)/", status).group(1))
    assert 0 < done < steps
    assert f"After {done} steps" in readout and f"Step {done}" in pictures  # the last picture is shown
    status, *_ = run(fresh_client, steps=5)  # the session runs again
    assert "finished" in status and "step 5/5" in status


def test_refresh_gives_the_start_views_in_the_session_language(fresh_client):
    caption, status, _, _, readout = fresh_client.predict(*arguments(), api_name="/artdirector_refresh")
    assert caption == CAPTION and "Not run yet" in status and "Start:" in readout
    fresh_client.predict("zh", api_name="/start_session")
    caption, status, pictures, figure_value, readout = fresh_client.predict(*arguments(),
                                                                           api_name="/artdirector_refresh")
    assert caption in artdirector.DEFAULT_CAPTION.values()
    assert "还没有运行" in status and "起点" in readout and "起点" in pictures
    assert "余弦相似度" in json.dumps(plotly_json(figure_value), ensure_ascii=False)
    if caption == artdirector.DEFAULT_CAPTION["zh"]:  # a model that reads Chinese: no unknown words
        assert "不认识" not in readout and "颜色 红色" in readout


def test_unknown_words_are_flagged_and_the_run_goes_on(client):
    status, _, _, readout = run(client, "a red circle with whiskers", steps=5)
    assert "finished" in status
    assert "Words the toy model does not know" in readout and "with, whiskers" in readout
    assert "colour red, shape circle" in readout  # the words it knows still name real pictures
    _, _, _, readout = preview(client, "红色圆形")
    assert "红色圆形" in readout.split("does not know")[1]
    assert "names no colour, shape, size or position" in readout  # it cannot read them: nothing to draw


def test_captions_with_two_colours_or_no_attribute_have_no_real_picture(client):
    _, pictures, figure_value, readout = preview(client, "a red blue circle")
    assert "names more than one colour" in readout and "artdirector-real-card" not in pictures
    assert list(traces(figure_value)) == ["mean over the jittered copies (what each step maximises)", "the picture"]
    _, _, _, readout = preview(client, "a photo of a .")
    assert "names no colour, shape, size or position" in readout


@pytest.mark.parametrize(("caption", "overrides", "message"), [
    ("", {}, "Type a caption first"),
    ("   ", {}, "Type a caption first"),
    ("a red circle " * 20, {}, "CLIP_LAB_MAX_TEXT_CHARS"),
    (CAPTION, dict(lr=1e6), "greater than maximum|Learning rate"),
    (CAPTION, dict(lr=0), "less than minimum|Learning rate"),
    (CAPTION, dict(lr="fast"), "Expected a number"),
    (CAPTION, dict(steps=LIMITS.max_steps + 1), "CLIP_LAB_MAX_STEPS"),
    (CAPTION, dict(steps=0), "less than minimum|Steps"),
    (CAPTION, dict(jitter=9), "greater than maximum|Jitter"),
    (CAPTION, dict(copies=0), "less than minimum|Jittered copies"),
    (CAPTION, dict(blur=-1), "less than minimum|Blur"),
    (CAPTION, dict(tv_weight=3), "greater than maximum|Smoothness"),
    (CAPTION, dict(picture=56), "greater than maximum|Test picture"),
    (CAPTION, dict(seed=-1), "less than minimum|Seed"),
    (CAPTION, dict(start="sideways"), "not in the list of choices|Start from"),
])
@pytest.mark.parametrize("api_name", ["/artdirector_run", "/artdirector_preview"])
def test_bad_input_is_refused_with_a_clear_message(client, api_name, caption, overrides, message):
    with pytest.raises(AppError) as error:
        client.predict(*arguments(caption, **overrides), api_name=api_name)
    assert re.search(message, str(error.value)), str(error.value)
    assert "upstream Gradio app has raised an exception" not in str(error.value)


@pytest.mark.parametrize(("index", "value", "name"), [
    (4, float("nan"), "Learning rate"), (4, float("inf"), "Learning rate"), (3, float("nan"), "Steps"),
    (6, float("nan"), "Blur σ"), (8, float("nan"), "Smoothness penalty"),
])
def test_nan_and_infinity_are_refused_by_name(app_url, index, value, name):
    """gradio_client cannot send NaN: raw JSON, then the same session still runs."""
    session = uuid.uuid4().hex
    with httpx.Client(base_url=app_url, timeout=60) as http:

        def call(data: list) -> str:
            url = "gradio_api/call/artdirector_run"
            body = json.dumps({"data": data, "session_hash": session}, allow_nan=True)
            started = http.post(url, content=body, headers={"content-type": "application/json"})
            started.raise_for_status()
            return http.get(f"{url}/{started.json()['event_id']}").text

        data = arguments(steps=3)
        data[index] = value
        stream = call(data)
        assert "event: error" in stream, stream[-400:]
        message = json.loads(stream.split("event: error", 1)[1].split("data:", 1)[1].strip().splitlines()[0])["error"]
        assert f"{name} must be a number from" in message or "greater than maximum" in message, message
        stream = call(arguments(steps=3))
        assert "event: complete" in stream and "step 3/3" in stream


def test_with_the_pretrained_clip_picked_the_tab_uses_the_shipped_toy_model(fresh_client, reference):
    fresh_client.predict("en", api_name="/start_session")
    fresh_client.predict("pretrained", api_name="/pick_model")
    _, _, figure_value, readout = preview(fresh_client)
    records, _ = expected_run(reference)
    np.testing.assert_allclose(decode(traces(figure_value)["the picture"]["y"]), [records[0].similarity], atol=1e-5)
    status, *_ = run(fresh_client, steps=3)
    assert "finished" in status
