"""Fixtures of the lesson tests: the lessons' handlers called directly with a Session (no server, no
HTTP), their numbers checked against the shipped checkpoint loaded separately with clip_core.

`shipped_checkpoint` (tests/conftest.py) points the sessions at a private snapshot of assets/toy_clip,
which the reference loads too, so both sides see the same weights even while the checkpoint is retrained.
"""

from __future__ import annotations

import os
import warnings

import pytest
import torch
from helpers import reference  # noqa: F401 (a fixture)

from lessons.common.session import Session

torch.set_num_threads(1 if os.environ.get("PYTEST_XDIST_WORKER") else 2)  # as tests/conftest.py's torch_threads


@pytest.fixture
def session(shipped_checkpoint) -> Session:
    """A new learner's session in English on the shipped toy CLIP (its models are shared read-only,
    so a new session costs nothing)."""
    return Session(lang="en", model_name="shipped")


@pytest.fixture
def zh_session(shipped_checkpoint) -> Session:
    """A new learner's session in Chinese, on the model a Chinese session starts on."""
    from lessons.common.session import default_model

    return Session(lang="zh", model_name=default_model("zh"))


@pytest.fixture(autouse=True)
def toasts_stay_quiet():
    """gr.Warning (a toast in the page) is a UserWarning outside a request; the read-outs tested here
    repeat what the toasts say."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="gradio")
        yield
