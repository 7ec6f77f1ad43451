"""Launch the app in-process on a free port and give tests a gradio_client.Client."""

from __future__ import annotations

import os
import socket

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import pytest  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url():
    import torch

    import app

    torch.set_num_threads(2)
    port = free_port()
    demo = app.serve("127.0.0.1", port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="session")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


def plotly_json(value) -> dict:
    """The plotly figure dict inside a gr.Plot output as gradio_client returns it."""
    import json

    if isinstance(value, dict) and "plot" in value:
        value = value["plot"]
    if isinstance(value, dict) and "value" in value:  # gr.update(...) wrapper
        return plotly_json(value["value"])
    return json.loads(value) if isinstance(value, str) else value


def decode(array) -> "np.ndarray":  # noqa: F821
    """A plotly array that may be base64 'bdata' encoded (plotly >= 6)."""
    import base64

    import numpy as np

    if isinstance(array, dict) and "bdata" in array:
        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        return data.reshape(array["shape"]) if "shape" in array else data
    return np.asarray(array, dtype=object if array and isinstance(array[0], list) and isinstance(array[0][0], str) else None)
