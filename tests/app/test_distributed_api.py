"""Across processes through the API: the paper's arithmetic, the worker-blocks plan, a live run on
real worker processes whose gathered matrix equals an independent one-process recomputation, the
measured table, bad settings refused with clear messages, a run holding one training slot per
worker (another learner's training waits), and a killed worker ending the run and freeing its slots."""

from __future__ import annotations

import math
import os
import re
import signal
import time

import numpy as np
import pytest
import torch
from api_data import decode, plotly_json
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import number_after

from clip_core import get_preset
from clip_core.train import build_model, make_world
from lessons.common import limits


def refresh(client, workers=2, local_batch=16):
    return client.predict(workers, local_batch, api_name="/distributed_refresh")


def test_refresh_shows_the_papers_arithmetic_and_the_plan(fresh_client):
    paper, figure_value, memory, status, *_ = refresh(fresh_client, 2, 16)
    batch = 32768
    assert f"{batch * batch:,}" in paper and "**4 GiB**" in paper  # 32,768² fp32 logits = 4 GiB
    assert f"{592 * 18:,} GPU-days" in paper and f"{400_000_000 * 32 // batch:,} steps" in paper
    assert "Not run yet" in status
    d = get_preset("nano").model.embed_dim
    assert f"**{2 * 16 * d * 4:,} B**" in memory and f"**{32 * 32 * 4:,} B**" in memory
    assert number_after(memory, "Negatives per image:") == 31
    figure = plotly_json(figure_value)
    bands = [s for s in figure["layout"]["shapes"] if s.get("fillcolor") not in (None, "rgba(0,0,0,0)")]
    assert [(b["y0"], b["y1"]) for b in bands] == [(-0.5, 15.5), (15.5, 31.5)]  # one row band per worker

    figure_value, memory = fresh_client.predict(4, 8, api_name="/distributed_plan")
    assert len([s for s in plotly_json(figure_value)["layout"]["shapes"]
                if s.get("fillcolor") not in (None, "rgba(0,0,0,0)")]) == 4
    assert number_after(memory, "Negatives per image:") == 31 and "**7** with each worker" in memory


@pytest.mark.parametrize("settings, message", [
    ((3, 8, 10, 0), "3 workers need 3 training slots at once"),  # more workers than the server's slots
    ((2, 8, 3, 0), "less than minimum value 10|Steps must be a number from 10"),
    ((2, 8.5, 10, 0), "whole number"),  # Steps is a Number with precision 0: Gradio rounds it
    ((9, 8, 10, 0), "greater than maximum value 4|Workers must be a number from 2 to 4"),
    ((2, "many", 10, 0), "Expected a number"),
])
def test_bad_settings_get_clear_messages(fresh_client, settings, message):
    with pytest.raises(AppError, match=message):
        fresh_client.predict(*settings, api_name="/distributed_start")
    assert "Not run yet" in refresh(fresh_client)[3]  # nothing started; the app keeps serving


def test_more_workers_than_slots_names_the_operator_limit(fresh_client):
    with pytest.raises(AppError, match="CLIP_LAB_TRAINING_SLOTS"):
        fresh_client.predict(limits.LIMITS.training_slots + 1, 8, 10, 0, api_name="/distributed_start")


@torch.no_grad()
def one_process_matrix(world, workers: int, local_batch: int, seed: int) -> np.ndarray:
    """The first global batch's logits, recomputed in this process from the nano recipe."""
    preset = get_preset("nano")
    preset.train.batch_size, preset.train.seed, preset.train.world_seed = workers * local_batch, seed, world.seed
    world = make_world(preset.model, preset.train)
    model = build_model(preset.model, world, seed).eval()
    batch = world.sample_batch(workers * local_batch, "train", np.random.default_rng([world.seed, seed]))
    return model(batch.images, model.tokenizer(batch.captions)).numpy()


def test_a_live_run_gathers_the_one_process_matrix_and_measures_three_runs(fresh_client, reference):
    workers, local_batch, steps = 2, 4, 10
    status, parity_value, parity, compare_value, table = fresh_client.predict(
        workers, local_batch, steps, 0, api_name="/distributed_start")
    assert "finished" in status
    gathered = decode(plotly_json(parity_value)["data"][0]["z"]).astype(float)
    expected = one_process_matrix(reference.world, workers, local_batch, 0)
    assert gathered.shape == (8, 8) and np.abs(gathered - expected).max() <= 1e-5
    assert number_after(parity, "one process's is") <= 1e-5
    assert number_after(parity, "differ by at most") <= 1e-5
    rows = [line for line in table.splitlines() if line.startswith("| ") and "pairs/s" not in line]
    assert len(rows) == 3
    for row, negatives in zip(rows, (7, 3, 7), strict=True):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert int(cells[2]) == negatives and cells[3] == f"{steps * workers * local_batch:,}"
        loss, chance = re.match(r"([\d.]+) \(([\d.]+)\)", cells[4]).groups()
        assert math.isclose(float(chance), math.log(negatives + 1), abs_tol=0.01) and float(loss) > 0
        assert float(cells[8].replace(",", "")) > 0  # measured pairs per second
    assert "Throughput, honestly" in table
    figure = plotly_json(compare_value)
    losses = [t for t in figure["data"] if t.get("type") == "scatter"]
    assert len(losses) == 3 and all(len(decode(t["y"])) == steps for t in losses)


def running_pids(job, timeout: float = 30) -> list[int]:
    """Wait for the streamed status to list the workers' process ids (a run that ended first,
    e.g. refused, fails at once with its error)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        for output in reversed(job.outputs()):
            found = re.search(r"pid ([\d, ]+)", str(output[0]))
            if found and "running" in str(output[0]):
                return [int(p) for p in found.group(1).split(",")]
        if job.done():
            job.result()  # raises the app's error, if any
            raise AssertionError("the run ended before it listed its workers")
        time.sleep(0.2)
    raise AssertionError("the run never listed its workers")


def test_a_run_holds_a_slot_per_worker_and_a_killed_worker_ends_it(app_url):
    learner, other = Client(app_url, verbose=False), Client(app_url, verbose=False)
    run = learner.submit(2, 16, limits.LIMITS.max_steps, 0, api_name="/distributed_start")
    pids = running_pids(run)
    assert len(pids) == 2 and all(os.path.exists(f"/proc/{p}") for p in pids)
    # both training slots are held: another learner's training waits in the queue
    waiting = other.submit(8, 2, 1e-3, 0, api_name="/siglip_start")
    time.sleep(3)
    assert not waiting.done() and waiting.status().code.name in ("IN_QUEUE", "STARTING", "JOINING_QUEUE")
    os.kill(pids[1], signal.SIGKILL)
    status = run.result(timeout=60)[0]
    assert "failed" in status and "worker 1 was killed" in status
    time.sleep(0.5)
    assert not any(os.path.exists(f"/proc/{p}") for p in pids)  # ended and reaped
    # the slots were given back: the waiting training now runs and finishes
    assert "finished" in waiting.result(timeout=120)[0]


def test_stop_ends_every_worker_after_the_same_step(app_url):
    learner = Client(app_url, verbose=False)
    run = learner.submit(2, 8, limits.LIMITS.max_steps, 0, api_name="/distributed_start")
    pids = running_pids(run)
    learner.predict(api_name="/distributed_stop")
    status = run.result(timeout=120)[0]
    assert "stopped" in status and "failed" not in status
    assert not any(os.path.exists(f"/proc/{p}") for p in pids)
