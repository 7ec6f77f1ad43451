"""SigLIP beside CLIP through the API: the side-by-side run is deterministic under a seed, the
probability bars equal an independent recomputation with clip_core (softmax of scale * cos for
CLIP, sigmoid of t * cos + b from the SigLIP model's own parameters), Stop keeps both models, a
second Start is refused, and bad input gets clear messages."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from api_data import decode, plotly_json
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import number_after, numbers_after, wait_until_streamed

from clip_core import ShapesWorld, get_preset
from clip_core.experiments import side_by_side
from lessons.beyond import siglip

WORLD = ShapesWorld(0)
TEST = WORLD.test_set(1, "all")  # the probability view's pictures


def start(client, batch_size=16, steps=8, lr=1e-3, seed=0):
    return client.predict(batch_size, steps, lr, seed, api_name="/siglip_start")


def recomputed_pair(batch_size: int, steps: int, lr: float, seed: int, trained_steps: int):
    """The two models as the lesson promises to train them: nano, same seed and batches, only the loss differs."""
    train = get_preset("nano").train
    config = dataclasses.replace(train, batch_size=batch_size, steps=steps, lr=lr, seed=seed,
                                 warmup_steps=min(train.warmup_steps, steps // 4 + 1))
    pair = side_by_side(get_preset("nano").model, config, loss="siglip", world=WORLD)
    for _ in pair.run(trained_steps):
        pass
    return pair.correct.model.eval(), pair.variant.model.eval()


@torch.no_grad()
def expected_bars(clip_model, siglip_model, image: int, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    prompts = [f"a photo of a {name}." for name in names]
    picture = TEST.images[image:image + 1]

    def cosines(model):
        return (model.encode_image(picture) @ model.encode_text(model.tokenizer(prompts)).T)[0]  # [C]

    softmax = torch.softmax(clip_model.scale() * cosines(clip_model), dim=-1)
    t, b = siglip_model.logit_scale.exp(), siglip_model.logit_bias  # the model's own t' and b
    sigmoid = 1 / (1 + torch.exp(-(t * cosines(siglip_model) + b)))
    return softmax.numpy(), sigmoid.numpy()


def bars(figure_value) -> tuple[list[str], np.ndarray, np.ndarray, list]:
    """(class names, softmax bars, sigmoid bars, bar colours of the softmax panel)."""
    figure = plotly_json(figure_value)
    softmax, sigmoid = figure["data"][0], figure["data"][1]
    names = list(decode(softmax["customdata"]))
    assert list(decode(sigmoid["customdata"])) == names
    return ([str(n) for n in names], decode(softmax["y"]).astype(float), decode(sigmoid["y"]).astype(float),
            softmax["marker"]["color"])


def curves(figure_value) -> dict[str, np.ndarray]:
    figure = plotly_json(figure_value)
    return {f"{t['yaxis']}:{t['name']}": decode(t["y"]).astype(float) for t in figure["data"]
            if t.get("x") is not None and len(decode(t["x"])) and t["x"] != [None]}


def test_before_training_the_bars_are_the_untrained_models(fresh_client):
    status, _, _, figure_value, readout = fresh_client.predict(0, False, "", api_name="/siglip_refresh")
    assert "Not trained yet" in status and "untrained" in readout
    names, softmax, sigmoid, colours = bars(figure_value)
    truth = TEST.attributes.pair_names()[0]
    assert truth in names and len(names) == siglip.AUTO_CLASSES
    assert colours[names.index(truth)] == "#00c853"  # the true class in the diagonal's green
    defaults = siglip.DEFAULTS
    clip_model, siglip_model = recomputed_pair(defaults["batch_size"], defaults["steps"], defaults["lr"],
                                               defaults["seed"], 0)
    want_softmax, want_sigmoid = expected_bars(clip_model, siglip_model, 0, names)
    assert softmax.sum() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(softmax, want_softmax, atol=1e-6)
    np.testing.assert_allclose(sigmoid, want_sigmoid, atol=1e-7)
    assert sigmoid.max() < 0.05  # b = -10: "no match" for every pair at the start


def test_the_side_by_side_run_is_deterministic_under_a_seed(app_url):
    a, b, c = (Client(app_url, verbose=False) for _ in range(3))
    out_a, out_b, out_c = start(a), start(b), start(c, seed=1)
    assert "finished" in out_a[0] and "step 8/8" in out_a[0]
    curves_a, curves_b, curves_c = curves(out_a[1]), curves(out_b[1]), curves(out_c[1])
    assert curves_a.keys() == curves_b.keys()
    for key in curves_a:
        np.testing.assert_array_equal(curves_a[key], curves_b[key])
    softmax_loss, sigmoid_loss = curves_a["y:CLIP (softmax loss)"], curves_a["y2:SigLIP (sigmoid loss)"]
    assert len(softmax_loss) == len(sigmoid_loss) == 8
    assert curves_c["y:CLIP (softmax loss)"][0] != softmax_loss[0]
    # the bias and both scales are streamed too; the bias starts at -10 and moves
    bias = curves_a["y5:SigLIP (sigmoid loss)"]
    assert len(bias) == 8 and bias[-1] != -10.0 and abs(bias[-1] + 10) < 0.5


def test_stop_keeps_both_models_and_the_bars_match_them(fresh_client):
    job = fresh_client.submit(16, 3000, 1e-3, 5, api_name="/siglip_start")
    wait_until_streamed(job)
    with pytest.raises(AppError, match="already running"):
        start(fresh_client)
    fresh_client.predict(api_name="/siglip_stop")
    status = job.result(timeout=60)[0]
    assert "stopped" in status
    done = int(status.split("step ")[1].split("/")[0])
    assert 0 < done < 3000

    # the stopped models answer the probability view: true class left out of the automatic list
    _, figure_value, readout = fresh_client.predict(7, True, "", api_name="/siglip_compare")
    names, softmax, sigmoid, _ = bars(figure_value)
    truth = TEST.attributes.pair_names()[7]
    assert truth not in names and len(names) == siglip.AUTO_CLASSES - 1
    assert "not in the list" in readout and f"after **{done}** training steps" in readout
    clip_model, siglip_model = recomputed_pair(16, 3000, 1e-3, 5, done)
    want_softmax, want_sigmoid = expected_bars(clip_model, siglip_model, 7, names)
    assert softmax.sum() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(softmax, want_softmax, atol=1e-5)
    np.testing.assert_allclose(sigmoid, want_sigmoid, atol=1e-5)
    assert number_after(readout, "b =") == pytest.approx(siglip_model.logit_bias.item(), abs=0.006)
    softmax_sum, sigmoid_sum = numbers_after(readout, "sum to")
    assert softmax_sum == 1.0 and sigmoid_sum == pytest.approx(float(want_sigmoid.sum()), abs=6e-4)

    # an own list, with the true class in it
    _, figure_value, _ = fresh_client.predict(7, False, f"blue ring, {truth}", api_name="/siglip_compare")
    names, softmax, sigmoid, colours = bars(figure_value)
    assert names == ["blue ring", truth] and colours[1] == "#00c853"
    want_softmax, want_sigmoid = expected_bars(clip_model, siglip_model, 7, names)
    np.testing.assert_allclose(sigmoid, want_sigmoid, atol=1e-5)


@pytest.mark.parametrize(("args", "message"), [
    ((0, 600, 1e-3, 0), "less than minimum|Batch size"),
    ((300, 600, 1e-3, 0), "CLIP_LAB_MAX_BATCH"),
    ((16, 0, 1e-3, 0), "less than minimum|Steps"),
    ((16, 30_000, 1e-3, 0), "CLIP_LAB_MAX_STEPS"),
    ((16, 10, 5.0, 0), "greater than maximum|Learning rate"),
    ((16, 10, "fast", 0), "Expected a number"),
    ((16, 10, 1e-3, -1), "less than minimum|Seed"),
])
def test_bad_training_settings_are_refused(client, args, message):
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/siglip_start")


@pytest.mark.parametrize(("args", "message"), [
    ((56, False, ""), "greater than maximum|Test picture"),
    ((-1, False, ""), "less than minimum|Test picture"),
    ((0, False, "red circle, red circle"), "twice|duplicate|Duplicate|more than once"),
    ((0, True, "red circle"), "at least 2 classes"),
    ((0, False, ", ".join(f"{c} {s}" for s in ("circle", "ring") for c in ("red", "blue", "green", "cyan", "white",
                                                                             "orange", "purple"))), "at most 12"),
])
def test_bad_probability_inputs_are_refused(client, args, message):
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/siglip_compare")
