"""Interactive requests first (lessons.priority): handlers are counted while they run, and a
training step waits for them, but never longer than its bound."""

from __future__ import annotations

import threading
import time

import app
from lessons import priority


def test_a_wrapped_handler_counts_while_it_runs_and_keeps_its_signature():
    seen = []

    def handler(session, value, progress=None):
        seen.append(priority.busy())
        return value

    wrapped = priority.interactive(handler)
    assert wrapped(None, 3) == 3 and seen == [1] and priority.busy() == 0
    import inspect

    assert list(inspect.signature(wrapped).parameters) == ["session", "value", "progress"]  # gradio reads it


def test_a_training_step_waits_for_interactive_work_but_not_forever():
    assert priority.yield_to_interactive() == 0.0  # nothing to wait for
    release = threading.Event()
    worker = threading.Thread(target=priority.interactive(lambda: release.wait(5)))
    worker.start()
    while not priority.busy():
        time.sleep(0.001)
    threading.Timer(0.05, release.set).start()
    waited = priority.yield_to_interactive(max_wait=1.0)
    assert 0.03 < waited < 0.5  # it waited until the request was done
    worker.join()
    slow = threading.Event()
    worker = threading.Thread(target=priority.interactive(lambda: slow.wait(5)))
    worker.start()
    while not priority.busy():
        time.sleep(0.001)
    waited = priority.yield_to_interactive(max_wait=0.1)
    slow.set()
    worker.join()
    assert 0.09 < waited < 0.3  # bounded: a busy class never stops a training


def test_the_app_wraps_every_plain_handler_but_not_trainings_or_streams():
    demo = app.build_app()
    wrapped = [fn for fn in demo.fns.values() if fn.fn is not None and hasattr(fn.fn, "__wrapped__")]
    trainings = [fn for fn in demo.fns.values() if fn.concurrency_id == "training"]
    assert len(wrapped) > 30 and trainings
    assert not any(hasattr(fn.fn, "__wrapped__") for fn in trainings)
