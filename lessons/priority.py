"""Interactive requests first: a training yields the CPU while a slider move or a button is served.

On a 2-core laptop serving a class, two running trainings and twenty learners moving sliders fight
for the same cores; measured by bench/load.py, a slider move then waited ~0.7 s (median) instead of
~0.1 s. CLIP Lab therefore counts the interactive requests in progress (every event handler that
is not a training is wrapped by `app.py` with `interactive`), and a training loop calls
`yield_to_interactive()` between two steps: while requests are in progress it sleeps in short naps,
at most `MAX_WAIT` seconds per step, so a training never starves either.

The counter is process-wide on purpose (it is the server's load, not anyone's data).
"""

from __future__ import annotations

import functools
import threading
import time

MAX_WAIT = 0.25  # seconds a training step may be held back
NAP = 0.004

_lock = threading.Lock()
_in_progress = 0


def busy() -> int:
    """How many interactive requests are being served right now."""
    return _in_progress


def _enter() -> None:
    global _in_progress
    with _lock:
        _in_progress += 1


def _leave() -> None:
    global _in_progress
    with _lock:
        _in_progress -= 1


def interactive(fn):
    """`fn` as a handler that counts as interactive work while it runs (signature kept for Gradio)."""

    @functools.wraps(fn)
    def handler(*args, **kwargs):
        _enter()
        try:
            return fn(*args, **kwargs)
        finally:
            _leave()

    return handler


def yield_to_interactive(max_wait: float | None = None) -> float:
    """Sleep while interactive requests are in progress (at most max_wait, default MAX_WAIT; 0 turns
    the priority off); return the seconds waited."""
    max_wait = MAX_WAIT if max_wait is None else max_wait
    if not _in_progress or max_wait <= 0:
        return 0.0
    start = time.perf_counter()
    while _in_progress and time.perf_counter() - start < max_wait:
        time.sleep(NAP)
    return time.perf_counter() - start
