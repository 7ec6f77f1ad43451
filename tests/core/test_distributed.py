"""Distributed CLIP training is exact: real gloo worker processes on loopback against one process.

N = 2 workers with local batch b each, gathering embeddings, give the loss (<= 1e-6) and the
parameter update (<= 1e-5) of one process training on the same 2b pairs, for the global and the
local loss; without gathering, the loss is the mean of the two workers' own b-batch losses. A
killed worker ends the whole run, and `--workers 2` trains from the command line.
"""

from __future__ import annotations

import dataclasses
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from clip_core import checkpoint, clip_loss, get_preset
from clip_core.launch import DistributedJob, WorkerFailed, WorkerGroup, follow
from clip_core.train import Trainer, build_model, lr_at, make_optimizer, make_world

LOCAL_BATCH = 8
STEPS = 2


def recipe(steps: int = STEPS, workers: int = 2):
    preset = get_preset("nano")
    train = dataclasses.replace(preset.train, batch_size=workers * LOCAL_BATCH, steps=steps, warmup_steps=1)
    return preset.model, train


def run_workers(tmp_path: Path, workers: int = 2, **job_options) -> tuple[list[dict], Path]:
    """Run a job on real worker processes; (rank 0's step events, the saved model's folder)."""
    model_config, train_config = recipe(workers=workers)
    out = tmp_path / "model"
    job = DistributedJob(model_config.to_dict(), train_config.to_dict(), out=str(out), evaluate=False,
                         threads=1, **job_options)
    with WorkerGroup(job, workers) as group:
        events = [e for e in follow(group) if e["event"] == "step"]
    return events, out


def one_process(steps: int = STEPS, batch_size: int = 2 * LOCAL_BATCH) -> Trainer:
    model_config, train_config = recipe()
    train_config = dataclasses.replace(train_config, batch_size=batch_size)
    world = make_world(model_config, train_config)
    trainer = Trainer(build_model(model_config, world, train_config.seed), world, train_config)
    for _ in trainer.run(steps):
        pass
    return trainer


def max_difference(model_a, model_b) -> float:
    a, b = model_a.state_dict(), model_b.state_dict()
    assert a.keys() == b.keys()
    return max((a[k] - b[k]).abs().max().item() for k in a)


@pytest.mark.parametrize("local_loss", [pytest.param(False, id="global-loss"),  # the fast set's distributed test
                                        pytest.param(True, id="local-loss", marks=pytest.mark.slow)])
def test_two_workers_equal_one_process_with_twice_the_batch(tmp_path, local_loss):
    logits_file = tmp_path / "logits.npy"
    events, out = run_workers(tmp_path, local_loss=local_loss, logits_file=str(logits_file))
    reference = one_process()
    assert [e["step"] for e in events] == list(range(1, STEPS + 1))
    for event, expected in zip(events, reference.history, strict=True):
        assert abs(event["loss"] - expected.loss) <= 1e-6, (event["loss"], expected.loss)
        assert event["pairs_seen"] == event["step"] * 2 * LOCAL_BATCH
    trained = checkpoint.load(out)
    update = max_difference(trained, reference.model)
    assert update <= 1e-5, update
    start = build_model(*recipe()[:1], reference.world, 0)
    assert max_difference(trained, start) > 1e-4  # the steps did move the weights

    # the gathered [2b, 2b] logits of the first batch are the one-process matrix
    model_config, train_config = recipe()
    world = make_world(model_config, train_config)
    rng = np.random.default_rng([world.seed, train_config.seed])
    batch = world.sample_batch(2 * LOCAL_BATCH, "train", rng)
    with torch.no_grad():
        expected = start.eval()(batch.images, start.tokenizer(batch.captions)).numpy()
    gathered = np.load(logits_file)
    assert gathered.shape == (2 * LOCAL_BATCH, 2 * LOCAL_BATCH)
    assert np.abs(gathered - expected).max() <= 1e-5


@pytest.mark.slow
def test_without_gathering_the_loss_is_the_mean_of_each_workers_own_batch_and_stop_ends_both(tmp_path):
    model_config, train_config = recipe(steps=100000)
    job = DistributedJob(model_config.to_dict(), train_config.to_dict(), gather=False, evaluate=False, threads=1,
                         out=str(tmp_path / "model"))
    with WorkerGroup(job, 2) as group:
        events = []
        for event in follow(group):
            if event["event"] == "step":
                events.append(event)
                if event["step"] == 2:
                    group.stop()  # every worker stops after the same step, and saves nothing half-done
        assert group.finished()  # both exited cleanly
    assert 2 < len(events) < 10 and [e["step"] for e in events] == list(range(1, len(events) + 1))

    # the same recipe in one process: each half of the global batch scored on its own, losses averaged
    world = make_world(model_config, train_config)
    model = build_model(model_config, world, train_config.seed)
    optimizer = make_optimizer(model, train_config)
    rng = np.random.default_rng([world.seed, train_config.seed])
    for step, event in enumerate(events):
        batch = world.sample_batch(2 * LOCAL_BATCH, "train", rng)
        halves = [slice(0, LOCAL_BATCH), slice(LOCAL_BATCH, 2 * LOCAL_BATCH)]
        losses = [clip_loss(model(batch.images[h], model.tokenizer(batch.captions[h]))) for h in halves]
        loss = (losses[0] + losses[1]) / 2
        assert abs(event["loss"] - loss.item()) <= 1e-6, (event["loss"], loss.item())
        whole = clip_loss(model(batch.images, model.tokenizer(batch.captions)))
        assert abs(whole.item() - loss.item()) > 1e-3  # own negatives only: not the 2b-batch loss
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, train_config)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), train_config.grad_clip)
        optimizer.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(model.config.max_logit_scale))
    assert max_difference(checkpoint.load(tmp_path / "model"), model) <= 1e-5


@pytest.mark.slow
def test_a_killed_worker_stops_the_whole_run():
    model_config, train_config = recipe(steps=100000)
    job = DistributedJob(model_config.to_dict(), train_config.to_dict(), evaluate=False, threads=1)
    group = WorkerGroup(job, 2).start()
    folder, killed = group.folder, None
    try:
        with pytest.raises(WorkerFailed, match="worker 1 was killed"):
            for event in follow(group):
                if event["event"] == "step" and event["step"] == 3:
                    os.kill(group.pids[1], signal.SIGKILL)
                    killed = time.perf_counter()
                assert killed is None or time.perf_counter() - killed < 10  # seen at once, not at gloo's timeout
        assert all(p.poll() is not None for p in group.processes)  # rank 0 was ended too: nothing left waiting
        assert not folder.exists()
    finally:
        group.close()  # whatever failed above, no worker outlives the test


@pytest.mark.slow
def test_command_line_trains_with_two_workers(tmp_path):
    out = tmp_path / "cli_model"
    result = subprocess.run([sys.executable, "-m", "clip_core.train", "--preset", "nano", "--steps", "3",
                             "--workers", "2", "--out", str(out)], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "2 workers" in result.stdout
    metrics = checkpoint.read_metrics(out)
    assert metrics["workers"] == 2 and metrics["steps"] == 3
    assert 0 <= metrics["zero_shot"]["best_template"]["seen"] <= 1
    checkpoint.load(out)
