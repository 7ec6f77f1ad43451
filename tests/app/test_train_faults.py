"""Faults while training: pause, resume, reset, single steps and cancellations in quick succession,
through the lesson's own handlers (as Gradio calls them) and through the API."""

from __future__ import annotations

import random

import gradio as gr
import pytest
import torch
from helpers import wait_until_streamed

from lessons import train as train_live
from lessons.common.session import Session

CONTROLS = ("vit", 16, 16, 2e-3, 40, True, 0.07, 0)


def no_picker(session):
    return None


def test_fifty_random_interruptions_never_raise_and_leave_a_usable_model():
    session = Session()
    rng = random.Random(0)
    for _ in range(50):
        action = rng.choice(["start_cancel", "start_pause", "resume_cancel", "step", "reset", "pause"])
        try:
            if action == "start_cancel":  # the tab closes or Gradio cancels mid-run
                generator = train_live.start(session, no_picker, *CONTROLS)
                next(generator)
                generator.close()
            elif action == "start_pause":
                generator = train_live.start(session, no_picker, *CONTROLS)
                next(generator)
                train_live.pause(session)
                for _ in generator:  # the loop notices the flag between steps and winds down
                    pass
            elif action == "resume_cancel":
                generator = train_live.resume(session, no_picker)
                next(generator)
                generator.close()
            elif action == "step":
                train_live.single_step(session, no_picker, *CONTROLS)
            elif action == "reset":
                train_live.reset(session)
            else:
                train_live.pause(session)
        except gr.Error as error:  # the only acceptable failures: clear messages for impossible requests
            assert any(text in str(error) for text in ("Nothing to resume", "finished all its steps", "Pause")), error
        except StopIteration:  # a resume of a run that ends at once
            pass
        run = session.runs.get("train")
        assert run is None or run.status != "running"
    trained = session.models.get("trained")
    assert trained is not None
    assert all(torch.isfinite(p).all() for p in trained.parameters())
    with torch.no_grad():
        batch = session.world.sample_batch(4)
        logits = trained(batch.images, trained.tokenizer(batch.captions))
    assert logits.shape == (4, 4) and torch.isfinite(logits).all()


def test_pause_and_resume_through_the_api_many_times(fresh_client):
    job = fresh_client.submit(*CONTROLS[:4], 5000, *CONTROLS[5:], api_name="/train_start")
    wait_until_streamed(job, updates=1)
    for _ in range(10):
        fresh_client.predict(api_name="/train_pause")
        job.result(timeout=30)
        job = fresh_client.submit(api_name="/train_resume")
        wait_until_streamed(job, updates=1)
    fresh_client.predict(api_name="/train_pause")
    final = job.result(timeout=30)
    assert "paused" in final[0]
    done = int(final[0].split("step ")[1].split("/")[0])
    after = fresh_client.predict(*CONTROLS, api_name="/train_step")[0]
    assert f"step {done + 1}/5000" in after  # the same run goes on, one step further


@pytest.mark.parametrize("lr", [float("nan"), float("inf")])
def test_non_finite_settings_are_refused_by_the_handler(lr):
    with pytest.raises(gr.Error, match="Learning rate must be a number"):
        train_live.validate("en", "vit", 16, 16, lr, 40, True, 0.07, 0)
