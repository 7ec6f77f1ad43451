"""Reading what gradio_client returns: plotly figures (JSON, numpy arrays as base64 `bdata`) and
gr.update(...) wrappers. (The numbers printed in read-outs: helpers.number_after.)"""

from __future__ import annotations

import base64
import json

import numpy as np


def unwrap(value):
    """The value inside a gr.update(...) wrapper (or the value itself)."""
    if isinstance(value, dict) and value.get("__type__") == "update":
        return value.get("value")
    return value


def plotly_json(value) -> dict:
    """The plotly figure dict inside a gr.Plot output as gradio_client returns it."""
    value = unwrap(value)
    if isinstance(value, dict) and "plot" in value:
        value = value["plot"]
    figure = json.loads(value) if isinstance(value, str) else value
    assert isinstance(figure, dict) and "data" in figure, f"not a plotly figure: {str(value)[:200]}"
    return figure


def decode(array) -> np.ndarray:
    """A plotly array: a plain list, or base64 'bdata' with a dtype and an optional 'r, c' shape."""
    if isinstance(array, dict) and "bdata" in array:
        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).copy()
        shape = array.get("shape")
        if shape is not None:
            dims = [int(d) for d in str(shape).split(",")] if isinstance(shape, str) else list(shape)
            data = data.reshape(dims)
        return data
    return np.asarray(array)
