"""One streaming run for every lesson that trains or optimises: a run object with a status, one
start guard, one loop (the operator's time limit, a throttle on redrawing, divergence, Stop, a clean
finish when the tab closes) and one "waiting for a training slot" line.

A lesson's run is a dataclass that extends `Run` with what its views need, kept in
`session.runs[lesson_id]`. Its Start handler is

    run = begin(session, LESSON_ID, lambda: MyRun(...), texts)
    yield from stream(session, run, work, lambda: views(session, run), texts, done=...)

where `work` is an iterable whose every item is one unit of work already done (a training step's
metrics, a measured point, an optimisation record). The loop checks between units, so every stop
(Stop or Pause, the time limit, a diverged loss, a closed tab) leaves the run's models usable.
Gradio runs the handler in the "training" concurrency group, whose limit is the operator's
CLIP_LAB_TRAINING_SLOTS (lessons.common.slots).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

import gradio as gr

from lessons.common import limits

VIEW_EVERY = 0.25  # s: views are drawn at most this often ...
VIEW_SHARE = 1 / 14  # ... and rarely enough that drawing them stays under ~7 % of the wall time
HEARTBEAT_SECONDS = 60.0  # a running run whose loop has not advanced for this long is gone


class Status(StrEnum):
    READY = "ready"
    WAITING = "waiting"  # for more training slots (a run on several worker processes)
    RUNNING = "running"
    PAUSED = "paused"  # stopped, and Resume goes on from here (lesson 5)
    STOPPED = "stopped"
    FINISHED = "finished"
    DIVERGED = "diverged"
    FAILED = "failed"  # a worker process died (the distributed lesson)


@dataclass(kw_only=True)
class Run:
    """What every streaming run has; lessons extend it with what their views need."""

    status: Status = Status.READY
    notice: str = ""  # why the run stopped early (time limit, diverged loss), shown under its progress
    stop_requested: bool = False  # checked between units of work
    wall_seconds: float = 0.0  # the run's working time so far (a resumed run adds to it)
    heartbeat: float = 0.0  # time.monotonic() of the loop's last unit of work

    @property
    def running(self) -> bool:
        """The loop is going (one that died without closing stops beating and frees the lesson)."""
        going = self.status in (Status.RUNNING, Status.WAITING)
        return going and time.monotonic() - self.heartbeat < HEARTBEAT_SECONDS


# check-and-take of a session's lesson, and seeded model building (build_model seeds torch's global
# generator, so two models built at once would interleave their draws); re-entrant for new_run helpers
BUILD_LOCK = threading.RLock()


def begin(session, lesson_id: str, make_run: Callable[[], Run], texts: dict[str, str]) -> Run:
    """The one start guard: refuse while this session's run of the lesson goes on, else make the run
    (`make_run` may return the existing one to resume it) and make it the lesson's run.

    A Stop pressed while the run is being built is kept: the new run starts with it set.

    Args:
        texts: the lesson's strings (lesson prefix removed) with an "already_running" message.
    """
    with BUILD_LOCK:
        current = session.runs.get(lesson_id)
        building = session.starting.get(lesson_id)
        if (current is not None and current.running) or building is not None:
            raise gr.Error(texts["already_running"])
        # while the run is built, a second Start is refused and a Stop is kept
        building = session.starting[lesson_id] = Run(status=Status.RUNNING, heartbeat=time.monotonic())
        try:
            run = make_run()  # under the lock: building a model seeds torch's global generator
        finally:
            session.starting.pop(lesson_id, None)
    run.stop_requested = building.stop_requested
    run.notice = ""
    session.runs[lesson_id] = run
    return run


def request_stop(session, lesson_id: str) -> None:
    """Stop (or Pause) pressed: the run ends after its current unit of work."""
    for run in (session.runs.get(lesson_id), session.starting.get(lesson_id)):
        if run is not None:
            run.stop_requested = True


def stream(session, run: Run, work: Iterable, views: Callable[[], tuple], texts: dict[str, str], *,
           done: Callable[[], bool], diverged: Callable[[object], str | None] | None = None,
           evaluate: Callable[[], None] | None = None, evaluate_every: float = 2.0,
           show: Callable[[object], bool] | None = None, stopped: Status = Status.STOPPED,
           keep: Callable[[], None] | None = None, finish: Callable[[], None] | None = None,
           last_views: Callable[[], tuple] | None = None):
    """Do `work` unit by unit, yielding `(session, *views())` as it goes; the one loop of every run.

    Args:
        work: an iterable; taking an item does one unit of work (a step, a measured point, ...).
        views: the lesson's outputs for the run as it stands.
        texts: the lesson's strings with "time_limit" ({seconds}, {limit}).
        done: whether the run's schedule is complete (the run "finished" rather than `stopped`);
            running out of work also finishes it.
        diverged: a unit's item -> the message to show if it went wrong (NaN loss), else None.
        evaluate: a slower measurement (zero-shot accuracy) refreshed before a view, at most every
            `evaluate_every` seconds.
        show: item -> whether to draw the views after it (default: throttled by time).
        stopped: the status of a run that stops before it is done (PAUSED where it can resume).
        keep: called however the loop ends, closed tab included (e.g. hand the model to the session).
        finish: called after the loop, before the last views (a final measurement).
        last_views: the outputs of the last yield, if not `views()` (e.g. with the model picker).
    """
    run.status = Status.RUNNING
    run.heartbeat = time.monotonic()
    time_limit = limits.LIMITS.max_train_seconds
    started, wall_at_start = time.perf_counter(), run.wall_seconds
    view_seconds, last_view, last_evaluation = 0.0, time.perf_counter(), time.perf_counter()
    items, exhausted = iter(work), False
    try:
        yield session, *views()
        while not run.stop_requested and not done():
            elapsed = time.perf_counter() - started
            if elapsed >= time_limit:
                run.notice = (texts["time_limit"].format(seconds=elapsed, limit=time_limit) + " "
                              + limits.over_limit("max_train_seconds", session.lang))
                break
            item = next(items, StopIteration)
            if item is StopIteration:  # the work itself is complete (a sweep's last point)
                exhausted = True
                break
            run.heartbeat = time.monotonic()
            now = time.perf_counter()
            run.wall_seconds = wall_at_start + (now - started)
            message = diverged(item) if diverged else None
            if message:
                run.status, run.notice = Status.DIVERGED, message
                break
            due = show(item) if show else now - last_view >= max(VIEW_EVERY, view_seconds / VIEW_SHARE)
            if due:
                if evaluate and now - last_evaluation >= evaluate_every:
                    evaluate()
                    last_evaluation = now
                out = views()
                last_view = time.perf_counter()
                view_seconds = last_view - now
                yield session, *out
        if run.status == Status.RUNNING:
            run.status = Status.FINISHED if exhausted or done() else stopped
    finally:
        if run.status == Status.RUNNING:  # the generator was closed (tab closed, cancelled)
            run.status = stopped
        close = getattr(items, "close", None)
        if close is not None:
            close()
        if keep is not None:
            keep()
    if finish is not None:
        finish()
    if run.notice:
        gr.Warning(run.notice)
    yield session, *(last_views or views)()


def waiting(lesson_id: str, labels: Callable[[str], dict[str, str]], slots: int):
    """The handler Start calls at once (no queue): the lesson's "waiting for one of {slots} slots"
    line (Gradio adds the queue position while every slot is busy), or no change while this
    session's run of the lesson goes on (the queued Start then refuses).

    Args:
        labels: `labels(lang) -> dict` of the lesson's strings, with a "waiting" entry.
    """

    def show_waiting(session):
        run = session.runs.get(lesson_id) if session else None
        if run is not None and run.running:
            return gr.update()  # keep the running job's progress
        lang = session.lang if session else "en"
        return f"<div class='train-status'>{labels(lang)['waiting'].format(slots=slots)}</div>"

    return show_waiting
