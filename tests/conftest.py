"""Fixtures shared by tests/app and tests/browser: one in-process CLIP Lab server on a free port,
serving a private snapshot of the shipped checkpoint.

The snapshot matters because assets/toy_clip may be retrained while the tests run: the app loads
the checkpoint once per session, the tests load it again to recompute what the app shows, and
both must see the same weights.
"""

from __future__ import annotations

import os

# before gradio or huggingface_hub is imported: no telemetry, no network
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
# Gradio's file cache is /tmp/gradio by default, shared by every Gradio process on the machine: a
# server that shuts down (another test run, the wheel test's server) deletes files this one still
# serves (the browser then gets 403s). Each test run gets a cache of its own, and each pytest-xdist
# worker (which inherits the controller's variable) one inside it: every worker runs its own server.
if "GRADIO_TEMP_DIR" not in os.environ:
    import tempfile

    os.environ["GRADIO_TEMP_DIR"] = tempfile.mkdtemp(prefix="clip-lab-gradio-")
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["GRADIO_TEMP_DIR"] = os.path.join(os.environ["GRADIO_TEMP_DIR"], os.environ["PYTEST_XDIST_WORKER"])
    os.makedirs(os.environ["GRADIO_TEMP_DIR"], exist_ok=True)

import shutil  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


def torch_threads() -> int:
    """The machine's 2 cores: 2 torch threads in a single test process, 1 in each of pytest-xdist's
    workers (two 2-thread processes on 2 cores spin against each other and slow down several-fold)."""
    return 1 if os.environ.get("PYTEST_XDIST_WORKER") else 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stamp(folder: Path) -> tuple:
    return tuple(sorted((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in folder.iterdir()))


@pytest.fixture(scope="session")
def shipped_checkpoint(tmp_path_factory) -> Path:
    """A copy of assets/toy_clip taken while nobody writes it; the app's sessions load this copy."""
    import lessons.common.session
    from clip_core import checkpoint

    source = lessons.common.session.SHIPPED_CHECKPOINT
    target = tmp_path_factory.mktemp("toy_clip")
    for _ in range(60):
        try:
            before = _stamp(source)
            shutil.copytree(source, target, dirs_exist_ok=True)
            if _stamp(source) == before:
                checkpoint.load(target)
                checkpoint.read_metrics(target)
                break
        except (OSError, ValueError):  # a file replaced mid-copy, or a half-written one
            pass
        time.sleep(0.5)
    else:
        pytest.fail(f"{source} kept changing for 30 s (is it being retrained?)")
    lessons.common.session.SHIPPED_CHECKPOINT = target
    yield target
    lessons.common.session.SHIPPED_CHECKPOINT = source


@pytest.fixture(scope="session")
def tiny_pretrained(tmp_path_factory) -> dict:
    """A tiny random transformers CLIPModel saved to a folder: the app's "pretrained CLIP" in tests
    (no download). Returns the folder, the in-memory CLIPModel and its CLIPProcessor."""
    from tiny_clip import save_tiny_clip

    folder = tmp_path_factory.mktemp("tiny_pretrained_clip")
    reference, processor = save_tiny_clip(folder)
    return {"folder": folder, "reference": reference, "processor": processor}


@pytest.fixture(scope="session")
def app_url(shipped_checkpoint, tiny_pretrained) -> str:
    """The app, launched in-process on a free port for the whole test session; its model picker's
    pretrained CLIP is the tiny one (as if started with --pretrained FOLDER)."""
    import torch

    import app

    torch.set_num_threads(torch_threads())
    port = free_port()
    demo = app.serve("127.0.0.1", port, prevent_thread_lock=True, quiet=True,
                     pretrained=str(tiny_pretrained["folder"]))
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    session.config._clip_lab_exitstatus = int(exitstatus)


def pytest_unconfigure(config):
    """End the test process without Python's shutdown, after pytest has reported everything.

    The in-process app serves from daemon threads; a training that a test's closed page left running
    can still be inside torch when the interpreter tears down, and torch then aborts the process
    ("terminate called without an active exception", seen once after all browser tests had passed).
    The app itself never exits that way (a server stops on a signal), so only the test process skips it.
    """
    status = getattr(config, "_clip_lab_exitstatus", None)
    if status is None or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
