"""Lesson 5 through the API: streaming training, pause, single steps, reset, presets, model
download and upload, isolation between sessions and seeded determinism."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from api_data import decode, plotly_json, unwrap
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from helpers import wait_until_streamed

from clip_core import checkpoint
from lessons.common.compute import demo_batch, scale_to_log10_tau

SMALL = dict(image_encoder="vit", embed_dim=16, batch_size=16, lr=2e-3, steps=400, learn_temperature=True,
             init_temperature=0.07, seed=3)
CONTROLS = ("image_encoder", "embed_dim", "batch_size", "lr", "steps", "learn_temperature", "init_temperature",
            "seed")
from lessons.common.session import bilingual_available  # noqa: E402

BILINGUAL = bilingual_available()


def step(client, **overrides):
    return client.predict(*[{**SMALL, **overrides}[k] for k in CONTROLS], api_name="/train_step")


def download_path(value) -> str:
    value = unwrap(value)
    return value["value"] if isinstance(value, dict) and "value" in value else value


def losses(curves) -> np.ndarray:
    figure = plotly_json(curves)
    return decode(figure["data"][0]["y"]).astype(float)


def test_single_steps_record_a_curve_and_make_the_trained_model(fresh_client):
    first = step(fresh_client)
    second = step(fresh_client)
    progress, curves, probe, picker = first[0], second[1], second[2], second[4]
    assert "step 1/400" in progress
    assert "step 2/400" in second[0]
    assert len(losses(curves)) == 2
    assert np.isfinite(losses(curves)).all()
    assert plotly_json(probe)["data"][0]["type"] == "heatmap"
    picker = unwrap(picker) if not isinstance(picker, dict) else picker
    assert picker["value"] == "trained"
    assert "trained" in [choice[1] for choice in picker["choices"]]


def test_same_seed_gives_the_same_curve_in_two_sessions(app_url):
    from gradio_client import Client

    a, b = Client(app_url, verbose=False), Client(app_url, verbose=False)
    for _ in range(3):
        out_a, out_b = step(a), step(b)
    np.testing.assert_array_equal(losses(out_a[1]), losses(out_b[1]))
    out_c = step(Client(app_url, verbose=False), seed=4)
    assert losses(out_c[1])[0] != losses(out_a[1])[0]


def test_start_streams_then_pause_stops_and_keeps_a_usable_model(fresh_client, app_url, reference, tmp_path):
    job = fresh_client.submit(*[{**SMALL, "steps": 5000}[k] for k in CONTROLS], api_name="/train_start")
    wait_until_streamed(job)  # at least two streamed updates
    fresh_client.predict(api_name="/train_pause")
    final = job.result(timeout=30)
    assert "paused" in final[0]
    done = int(final[0].split("step ")[1].split("/")[0])
    assert 0 < done < 5000
    assert len(losses(final[1])) == done

    # the trained model is now this session's model: the logits lesson shows it
    path = fresh_client.predict(api_name="/train_download")
    path = download_path(path)
    trained = checkpoint.load(path)
    out = fresh_client.predict(4, 0, -1.0, False, "logits", False, False, api_name="/logits_render")
    z = decode(plotly_json(out[0])["data"][0]["z"]).astype(float)
    batch = demo_batch(reference.world, 4, 0)
    with torch.no_grad():
        expected = trained.encode_image(batch.images) @ trained.encode_text(trained.tokenizer(batch.captions)).T * 10.0
    np.testing.assert_allclose(z, expected.numpy(), atol=1e-4)

    # ...while another session still sees the shipped model
    from gradio_client import Client

    other = Client(app_url, verbose=False).predict(4, 0, -1.0, False, "logits", False, False, api_name="/logits_render")
    z_other = decode(plotly_json(other[0])["data"][0]["z"]).astype(float)
    I_e, T_e = reference.embed(batch)
    np.testing.assert_allclose(z_other, (I_e @ T_e.T * 10.0).numpy(), atol=1e-4)


def test_resume_continues_the_same_run(fresh_client):
    step(fresh_client, steps=6)
    job = fresh_client.submit(api_name="/train_resume")
    final = job.result(timeout=60)
    assert "finished" in final[0] and "step 6/6" in final[0]
    assert len(losses(final[1])) == 6
    with pytest.raises(AppError, match="finished all its steps"):
        fresh_client.predict(api_name="/train_resume")


def test_reset_clears_the_run_and_resume_then_refuses(fresh_client):
    step(fresh_client)
    progress = fresh_client.predict(api_name="/train_reset")[0]
    assert "No training yet" in progress
    with pytest.raises(AppError, match="Nothing to resume"):
        fresh_client.predict(api_name="/train_resume")


def test_presets_fill_the_controls(client):
    values = client.predict("tiny_batch", api_name="/train_preset")
    assert values[2] == 4  # batch size
    values = client.predict("fixed_t1", api_name="/train_preset")
    assert values[5] is False and values[6] == 1.0


@pytest.mark.parametrize(("overrides", "message"), [
    # the components' own bounds answer first through the API; the handler checks again behind them
    (dict(batch_size=0), "less than minimum value 2|Batch size must be a number from 2 to 256"),
    (dict(lr=5.0), "greater than maximum value 1|Learning rate must be a number"),
    (dict(steps=0), "less than minimum value 1|Steps must be a number"),
    (dict(steps="many"), "Expected a number"),
    (dict(image_encoder="cnn"), "must be 'vit' or 'resnet'|not in the list of choices"),
    (dict(init_temperature=0), "less than minimum value 0.01|Initial temperature must be a number"),
])
def test_out_of_range_settings_get_a_clear_message(fresh_client, overrides, message):
    with pytest.raises(AppError, match=message):
        step(fresh_client, **overrides)
    assert "step" in step(fresh_client)[0]  # the session keeps working


def test_download_then_upload_round_trips(fresh_client, app_url):
    step(fresh_client)
    path = fresh_client.predict(api_name="/train_download")
    path = download_path(path)
    assert Path(path).suffix == ".safetensors"
    from gradio_client import Client

    other = Client(app_url, verbose=False)
    with pytest.raises(AppError, match="no trained model"):
        other.predict(api_name="/train_download")
    message = other.predict(handle_file(path), api_name="/train_upload")[-1]
    assert "Loaded your checkpoint" in message


class _Payload:
    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_uploads_that_are_not_checkpoints_are_refused_and_never_unpickled(fresh_client, tmp_path):
    random_bytes = tmp_path / "random.safetensors"
    random_bytes.write_bytes(np.random.default_rng(0).bytes(4096))
    marker = tmp_path / "pwned.txt"
    pickled = tmp_path / "model.safetensors"
    pickled.write_bytes(pickle.dumps(_Payload(str(marker))))
    for path in (random_bytes, pickled):
        with pytest.raises(AppError, match="Not loaded"):
            fresh_client.predict(handle_file(str(path)), api_name="/train_upload")
    assert not marker.exists()
    assert "step" in step(fresh_client)[0]


def test_learned_tau_slider_follows_the_trained_model(fresh_client):
    out = step(fresh_client)
    scale = plotly_json(out[1])["data"][4]["y"]
    last_scale = float(decode(scale)[-1])
    tau = fresh_client.predict(api_name="/logits_learned_tau")
    assert abs(tau - scale_to_log10_tau(last_scale)) < 2e-3


def test_training_never_writes_the_shipped_checkpoint(fresh_client, shipped_checkpoint):
    import hashlib

    def digest() -> str:
        return hashlib.sha256((shipped_checkpoint / "model.safetensors").read_bytes()).hexdigest()

    before = digest()
    for _ in range(3):
        step(fresh_client, lr=0.5)
    assert digest() == before


def test_a_diverging_run_is_stopped_and_rolled_back():
    """A loss that turns NaN stops the run, reports it, and restores the last good weights."""
    from lessons import train as train_live
    from lessons.common.session import Session

    session = Session()
    run = session.runs["train"] = train_live.new_run(session, {**train_live.PRESETS["quick"], "steps": 30})
    good = {k: v.clone() for k, v in run.trainer.model.state_dict().items()}
    original_step = run.trainer.step
    calls = {"n": 0}

    def poisoned_step():
        calls["n"] += 1
        if calls["n"] == 3:  # the third step blows up: weights become NaN
            with torch.no_grad():
                for p in run.trainer.model.parameters():
                    p.fill_(float("nan"))
        return original_step()

    run.trainer.step = poisoned_step
    outputs = list(train_live.train_loop(session, run, lambda s: None))
    assert run.status == "diverged"
    assert "diverged" in outputs[-1][1]
    restored = run.trainer.model.state_dict()
    assert all(torch.equal(restored[k], good[k]) for k in good)  # back to the snapshot taken at step 0
    assert all(torch.isfinite(p).all() for p in session.models["trained"].parameters())


@pytest.mark.skipif(not BILINGUAL, reason="no bilingual checkpoint")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_status_line_says_when_captions_are_mixed(lang):
    """With the bilingual model picked, lesson 5 trains on English and Chinese captions and says so."""
    from lessons import train as train_live
    from lessons.common.session import Session

    settings = {**train_live.PRESETS["quick"], "steps": 5}
    session = Session(lang=lang, model_name="shipped")
    english = train_live.progress_html(train_live.new_run(session, settings), lang)
    session.model_name = "bilingual"
    run = train_live.new_run(session, settings)
    assert run.trainer.world.caption_language == "mixed"
    captions = run.trainer.world.sample_batch(64, "train", np.random.default_rng(0)).captions
    chinese = [bool(re.search(r"[\u4e00-\u9fff]", caption)) for caption in captions]
    assert any(chinese) and not all(chinese)
    notice = train_live.labels(lang)["captions_mixed"]
    assert notice in train_live.progress_html(run, lang) and notice not in english
