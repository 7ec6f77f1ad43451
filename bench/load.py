"""Load test: a class of simulated learners on one CLIP Lab server (issue 7, item 4). Not a test: it prints.

The app is served in this process (`app.serve`) on a free port of 127.0.0.1 - the only address
this script ever talks to - and two kinds of simulated learners run against it in threads, each
with its own `gradio_client.Client`, hence its own session hash and its own server-side Session:

* --learners interactive learners (default 20). Each opens its session like a page load
  (/start_session), then loops until the deadline over a weighted mix of slider moves and
  buttons - /logits_render, /temperature_render, /logit_probability, /zeroshot_classify and
  /search_text, with random but valid arguments - thinking 0.2-1.5 s between calls. Every call
  is timed end to end (queue, HTTP, SSE and the client's decoding) and bounded by --call-timeout.
* --trainers training learners (default 4, on top of the interactive ones). Each submits one
  /train_start at the beginning (preset-like controls, --train-steps steps) and watches its job:
  when it left the queue (the PROCESSING status), when the first streamed view arrived, the
  steps/s shown in the progress HTML, and when it finished. The app runs at most
  lessons.common.slots.TRAINING_SLOTS trainings at once, so the others wait: the report says how long.

Bounded in count and time: every thread checks one stop Event, which is set at the deadline
(--seconds); a call in flight then still has at most --call-timeout seconds. Running trainings are
paused through /train_pause (queued ones are cancelled) and awaited for at most --call-timeout
seconds; then the clients and the server are closed and the script exits by itself.

Reported: calls, errors (the first few messages) and median / p95 latency per endpoint, the
trainers' queue wait / run time / steps/s, peak memory of this process (ru_maxrss: server and
clients together) with an RSS and live-session timeline, and PASS/MISS for "zero errors".

    .venv/bin/python bench/load.py [--learners 20] [--seconds 120] [--trainers 4] [--json out.json]
"""

# ruff: noqa: E402  (the environment is set before gradio is imported)
from __future__ import annotations

import os

# no telemetry, no hub calls: this script's only traffic is to 127.0.0.1
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import argparse
import concurrent.futures
import math
import random
import re
import resource
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(1, ROOT)  # app.py and lessons/ live in the project root

from common import LOOPBACK, fmt_ms, free_port, log, print_table, summarize_ms, warn_if_loaded, write_json

SERVER_THREADS = 2  # cores of this machine (what warn_if_loaded compares the load with)
THINK = (0.2, 1.5)  # seconds between two calls of one learner
MIX = {  # endpoint: weight (slider moves are the most frequent thing a learner does)
    "/logits_render": 30,
    "/temperature_render": 25,
    "/logit_probability": 15,
    "/zeroshot_classify": 18,
    "/search_text": 12,
}
TRAIN_CONTROLS = ("vit", 32, 64, 2e-3, None, True, 0.07, 0)  # steps (None) comes from --train-steps
POLL = 0.05  # seconds between polls of a training job
OVERLAP_TOLERANCE = 0.5  # seconds: a training seen ending this close to another's start did not overlap it
MAX_ERROR_MESSAGES = 8
SAMPLE_EVERY = 2.0  # seconds between memory / session samples
RATE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*steps/s")
STEP = re.compile(r"step\s+([0-9]+)/([0-9]+)")
STATE = re.compile(r"<span>([^<·]+?)\s*·")


# ----- recording ------------------------------------------------------------------------------------


class Recorder:
    """Thread-safe record of every call: latency of the successes, count and messages of the errors."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.calls: dict[str, int] = defaultdict(int)
        self.errors: dict[str, int] = defaultdict(int)
        self.messages: list[tuple[float, str, str]] = []  # (time since start, endpoint, message)

    def ok(self, endpoint: str, seconds: float) -> None:
        with self.lock:
            self.calls[endpoint] += 1
            self.latencies[endpoint].append(seconds)

    def error(self, endpoint: str, at: float, error: BaseException | str) -> None:
        message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        message = " ".join(message.split())[:400]
        with self.lock:
            self.calls[endpoint] += 1
            self.errors[endpoint] += 1
            if len(self.messages) < MAX_ERROR_MESSAGES:
                self.messages.append((at, endpoint, message))


@dataclass
class TrainerRecord:
    """What one training learner saw of its /train_start job (times in seconds since submit)."""

    index: int
    submitted_at: float = math.nan  # seconds since the run's start
    processing: float = math.nan  # left the queue (status PROCESSING)
    first_output: float = math.nan  # first streamed view arrived
    done: float = math.nan  # the job ended (finished, paused at the deadline, cancelled or failed)
    max_rank: int | None = None  # highest queue position seen while waiting (0 = next)
    max_rate: float = math.nan  # steps/s shown in the progress HTML
    last_rate: float = math.nan
    steps_done: int = 0
    steps_total: int = 0
    updates: int = 0  # streamed outputs received
    outcome: str = "not started"
    error: str = ""

    @property
    def wait(self) -> float:
        """Seconds in the queue; for a job cancelled while still queued, the time it had waited."""
        if math.isnan(self.processing) and self.outcome == "cancelled while queued":
            return self.done
        return self.processing

    def wait_text(self) -> str:
        if math.isnan(self.processing) and not math.isnan(self.wait):
            return f">={self.wait:.1f}"
        return fmt_s(self.wait)

    @property
    def run(self) -> float:
        return self.done - self.processing


@dataclass
class Sample:
    at: float
    rss_mb: float
    sessions: int  # gradio session states held by the server
    live: int  # of those, sessions holding a lessons Session (a learner's models and caches)
    models: int  # TinyCLIP models held by all those Sessions


@dataclass
class Run:
    """Everything the threads share."""

    url: str
    stop: threading.Event
    started: float
    call_timeout: float
    recorder: Recorder = field(default_factory=Recorder)
    clients: list = field(default_factory=list)
    clients_lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.perf_counter() - self.started


# ----- learners -------------------------------------------------------------------------------------


def connect(run: Run):
    """A new Client (= a new browser session), or None if the connection failed (recorded)."""
    from gradio_client import Client

    start = time.perf_counter()
    try:
        client = Client(run.url, verbose=False, download_files=False, analytics_enabled=False, max_workers=4)
    except Exception as error:  # noqa: BLE001 - every failure is a finding to report
        run.recorder.error("(connect)", run.now(), error)
        return None
    run.recorder.ok("(connect)", time.perf_counter() - start)
    with run.clients_lock:
        run.clients.append(client)
    return client


def call(run: Run, client, endpoint: str, *args) -> tuple[bool, object]:
    """One bounded, timed call; a failure or time-out is recorded as an error of `endpoint`."""
    start = time.perf_counter()
    job = None
    try:
        job = client.submit(*args, api_name=endpoint)
        result = job.result(timeout=run.call_timeout)
    except concurrent.futures.TimeoutError:
        if job is not None:
            job.cancel()
        run.recorder.error(endpoint, run.now(), f"no answer within {run.call_timeout:.0f} s")
        return False, None
    except Exception as error:  # noqa: BLE001
        run.recorder.error(endpoint, run.now(), error)
        return False, None
    run.recorder.ok(endpoint, time.perf_counter() - start)
    return True, result


class Arguments:
    """Random valid arguments for each interactive endpoint, within the lessons' own limits."""

    def __init__(self) -> None:
        from lessons import search, temperature, zeroshot
        from lessons.common import compute

        self.log_tau = (compute.LOG_TAU_MIN, compute.LOG_TAU_MAX)
        self.log_scale = (temperature.LOG_SCALE_MIN, temperature.LOG_SCALE_MAX)
        self.n_max = min(32, temperature.N_MAX)
        self.pairs = zeroshot.class_preset("colour_shape").split(", ")
        self.class_lists = [zeroshot.class_preset(kind) for kind in ("colour_shape", "shape", "colour")]
        self.template_lists = [zeroshot.template_preset(name) for name in zeroshot.TEMPLATE_PRESETS]
        self.variants = zeroshot.PICK_PER_PAIR
        self.top_k = zeroshot.TOP_K_MAX
        self.gallery_sizes = list(range(search.GALLERY_MIN, search.GALLERY_MAX + 1, search.GALLERY_STEP))
        self.gallery_default = search.GALLERY_DEFAULT
        self.k_max = search.K_MAX
        self.views = ("cosine", "logits", "p_image_to_text", "p_text_to_image")

    def make(self, endpoint: str, rng: random.Random) -> tuple:
        seed = rng.choice((0, 0, 0, 1, 2))  # mostly the default batch, like a class following along
        if endpoint == "/logits_render":
            return (rng.randint(4, 32), seed, round(rng.uniform(*self.log_tau), 2), rng.random() < 0.1,
                    rng.choice(self.views), rng.random() < 0.1, rng.random() < 0.1)
        if endpoint == "/temperature_render":
            n = rng.randint(4, self.n_max)
            return n, seed, rng.randrange(n), round(rng.uniform(*self.log_scale), 2)
        if endpoint == "/logit_probability":
            return (round(rng.uniform(0.001, 0.999), 3),)
        if endpoint == "/zeroshot_classify":
            return (rng.choice(self.class_lists), rng.choice(self.template_lists),
                    rng.choice(("embedding", "probability")), "test", rng.choice(self.pairs),
                    rng.randrange(self.variants), None, None, round(rng.uniform(*self.log_tau), 2),
                    rng.random() < 0.3, rng.randint(1, self.top_k))
        if endpoint == "/search_text":
            n = self.gallery_default if rng.random() < 0.7 else rng.choice(self.gallery_sizes)
            pair = rng.choice(self.pairs)
            query = rng.choice((f"a {pair}", f"a small {pair}", f"a photo of a {pair}.", f"a large {pair}",
                                f"a {pair} at the top left", pair))
            return n, seed, query, rng.randint(1, self.k_max)
        raise ValueError(endpoint)


def learner(run: Run, index: int, arguments: Arguments, seed: int) -> None:
    rng = random.Random(seed)
    if run.stop.wait(rng.uniform(0, 2.0)):  # a class does not arrive in the same millisecond
        return
    client = connect(run)
    if client is None:
        return
    call(run, client, "/start_session", "en")  # what the page load does
    endpoints, weights = list(MIX), list(MIX.values())
    while not run.stop.is_set():
        endpoint = rng.choices(endpoints, weights)[0]
        call(run, client, endpoint, *arguments.make(endpoint, rng))
        run.stop.wait(rng.uniform(*THINK))


def _parse_progress(record: TrainerRecord, outputs) -> None:
    if not outputs:
        return
    latest = outputs[-1]
    html = latest[0] if isinstance(latest, list | tuple) else latest
    if not isinstance(html, str):
        return
    rate = RATE.search(html)
    if rate:
        record.last_rate = float(rate.group(1))
        record.max_rate = max(record.last_rate, record.max_rate) if math.isfinite(record.max_rate) else record.last_rate
    step = STEP.search(html)
    if step:
        record.steps_done, record.steps_total = int(step.group(1)), int(step.group(2))
    state = STATE.search(html)
    if state:
        record.outcome = state.group(1).strip()


def trainer(run: Run, record: TrainerRecord, controls: tuple, delay: float) -> None:
    """Submit one training, watch it to the end; at the deadline pause it (or cancel it if queued)."""
    from gradio_client.utils import Status

    if run.stop.wait(delay):
        return
    client = connect(run)
    if client is None:
        record.outcome = "connect failed"
        return
    call(run, client, "/start_session", "en")
    record.submitted_at = run.now()
    start = time.perf_counter()
    try:
        job = client.submit(*controls, api_name="/train_start")
    except Exception as error:  # noqa: BLE001
        run.recorder.error("/train_start", run.now(), error)
        record.outcome, record.error = "error", str(error)
        return
    stopped = False
    while not job.done():
        elapsed = time.perf_counter() - start
        status = job.status()
        if status.code == Status.IN_QUEUE and status.rank is not None:
            record.max_rank = status.rank if record.max_rank is None else max(record.max_rank, status.rank)
        if math.isnan(record.processing) and status.code in (Status.PROCESSING, Status.ITERATING, Status.PROGRESS):
            record.processing = elapsed
        outputs = job.outputs()
        if outputs and math.isnan(record.first_output):
            record.first_output = elapsed
            if math.isnan(record.processing):
                record.processing = elapsed
        record.updates = len(outputs)
        _parse_progress(record, outputs)
        if run.stop.is_set() and not stopped:
            stopped = True
            if math.isnan(record.processing):
                job.cancel()  # still queued: leave the queue
                record.outcome = "cancelled while queued"
                break
            call(run, client, "/train_pause")  # the loop stops between two steps and yields once more
            try:
                job.result(timeout=run.call_timeout)
            except concurrent.futures.TimeoutError:
                run.recorder.error("/train_start", run.now(),
                                   f"training did not stop within {run.call_timeout:.0f} s of /train_pause")
                job.cancel()
            except Exception:  # noqa: BLE001 - recorded just below
                pass
            break
        time.sleep(POLL)
    record.done = time.perf_counter() - start
    if record.outcome == "cancelled while queued":
        return
    try:
        job.result(timeout=1.0)
    except Exception as error:  # noqa: BLE001
        run.recorder.error("/train_start", run.now(), error)
        record.outcome, record.error = "error", f"{type(error).__name__}: {error}"[:300]
        return
    record.updates = len(job.outputs())
    _parse_progress(record, job.outputs())
    run.recorder.ok("/train_start", record.done)


# ----- the server's side ------------------------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return math.nan


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def count_sessions(demo) -> tuple[int, int, int]:
    """(gradio session states, of which hold a lessons Session, TinyCLIP models they hold)."""
    from lessons.common.session import Session

    holder = getattr(demo, "state_holder", None)
    data = getattr(holder, "session_data", None)
    if data is None:
        return -1, -1, -1
    live = models = 0
    states = list(data.values())
    for state in states:
        sessions = [v for v in list(getattr(state, "state_data", {}).values()) if isinstance(v, Session)]
        if sessions:
            live += 1
            models += sum(len(s.models) for s in sessions)
    return len(states), live, models


def monitor(run: Run, demo, samples: list[Sample]) -> None:
    while True:
        try:
            samples.append(Sample(run.now(), rss_mb(), *count_sessions(demo)))
        except Exception:  # noqa: BLE001 - a sample taken while the dict changes size: skip it
            pass
        if run.stop.wait(SAMPLE_EVERY):
            break


# ----- report ---------------------------------------------------------------------------------------


def fmt_s(value: float) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}"


def report(run: Run, args, trainers: list[TrainerRecord], samples: list[Sample], elapsed: float, slots: int,
           base_rss: float) -> dict:
    rec = run.recorder
    order = ["(connect)", "/start_session", *MIX, "/train_start", "/train_pause"]
    endpoints = [e for e in order if e in rec.calls] + sorted(set(rec.calls) - set(order))
    rows, per_endpoint = [], {}
    for endpoint in endpoints:
        stats = summarize_ms(rec.latencies[endpoint])
        interactive = endpoint not in ("/train_start",)
        rows.append((endpoint, str(rec.calls[endpoint]), str(rec.errors[endpoint]),
                     fmt_ms(stats.median) if interactive else "-", fmt_ms(stats.p95) if interactive else "-",
                     fmt_ms(stats.max) if interactive else "-"))
        per_endpoint[endpoint] = {"calls": rec.calls[endpoint], "errors": rec.errors[endpoint], **stats.to_dict()}
    interactive_calls = sum(rec.calls[e] for e in MIX)
    print_table(f"Calls per endpoint over {elapsed:.0f} s ({args.learners} learners + {args.trainers} trainers; "
                f"latency of successful calls, ms)", rows,
                ("endpoint", "calls", "errors", "median", "p95", "max"))
    log(f"interactive calls: {interactive_calls} ({interactive_calls / max(elapsed, 1e-9):.1f} per s)")

    total_errors = sum(rec.errors.values())
    if rec.messages:
        log(f"\nfirst {len(rec.messages)} error messages:")
        for at, endpoint, message in rec.messages:
            log(f"  t={at:6.1f}s {endpoint}: {message}")

    rows = []
    for r in trainers:
        rows.append((str(r.index), fmt_s(r.submitted_at), r.wait_text(), "-" if r.max_rank is None else str(r.max_rank),
                     fmt_s(r.first_output), fmt_s(r.run), f"{r.steps_done}/{r.steps_total}", fmt_s(r.last_rate),
                     fmt_s(r.max_rate), str(r.updates), r.outcome))
    if trainers:
        print_table(f"Trainers (/train_start, {args.train_steps} steps each; at most {slots} run at once; "
                    "seconds from submit)", rows,
                    ("#", "submitted at", "queue wait", "max rank", "1st view", "run time", "steps", "steps/s end",
                     "steps/s max", "updates", "outcome"))
        # client-side times: a job is seen done up to a poll and an SSE message after its slot was freed
        intervals = [(r.submitted_at + r.processing, r.submitted_at + r.done - OVERLAP_TOLERANCE) for r in trainers
                     if not math.isnan(r.processing) and not math.isnan(r.done)]
        events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals], key=lambda e: (e[0], e[1]))
        running = peak = 0
        for _, delta in events:
            running += delta
            peak = max(peak, running)
        waited = [r for r in trainers if not math.isnan(r.wait) and r.wait > 1.0]
        log(f"most trainings running at once: {peak} (slots: {slots}); "
            f"{len(waited)} of {len(trainers)} waited in the queue"
            + (": " + ", ".join(f"#{r.index} {r.wait_text()} s" for r in waited) if waited else ""))

    peak = peak_mb()
    if samples:
        step = max(1, len(samples) // 12)
        shown = samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else [])
        print_table("Memory and sessions over time", [
            (f"{s.at:.0f}", f"{s.rss_mb:.0f}", str(s.sessions), str(s.live), str(s.models)) for s in shown],
            ("t (s)", "RSS (MB)", "gradio sessions", "with a Session", "models held"))
    last = samples[-1] if samples else None
    log(f"\npeak memory (ru_maxrss, server and clients in one process): {peak:.0f} MB; "
        f"RSS after start-up {base_rss:.0f} MB, at the end {rss_mb():.0f} MB")
    if last is not None and last.live > 0:
        log(f"live sessions at the end: {last.live} holding {last.models} models; "
            f"(peak - start-up) / sessions = {(peak - base_rss) / last.live:.1f} MB per session "
            "(server and its clients together)")

    verdict = "PASS" if total_errors == 0 else "MISS"
    log(f"\n{verdict}: zero errors (got {total_errors} in {sum(rec.calls.values())} calls)")
    return {
        "learners": args.learners, "trainers": args.trainers, "seconds": args.seconds, "elapsed": elapsed,
        "train_steps": args.train_steps, "training_slots": slots, "endpoints": per_endpoint,
        "errors": total_errors, "error_messages": [list(m) for m in rec.messages],
        "trainer_records": [{**r.__dict__, "wait": r.wait, "run": r.run} for r in trainers],
        "samples": [s.__dict__ for s in samples], "peak_rss_mb": peak, "startup_rss_mb": base_rss,
        "verdict": verdict,
    }


# ----- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20, help="interactive learners (default 20)")
    parser.add_argument("--seconds", type=float, default=120.0, help="duration of the load (default 120)")
    parser.add_argument("--trainers", type=int, default=4, help="learners that each start a training (default 4)")
    parser.add_argument("--train-steps", type=int, default=300, help="steps of each training (default 300)")
    parser.add_argument("--call-timeout", type=float, default=60.0, help="seconds one call may take (default 60)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the learners' random choices")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if not (0 <= args.learners <= 200 and 0 <= args.trainers <= 20 and 0 < args.seconds <= 1800):
        parser.error("keep it bounded: --learners 0..200, --trainers 0..20, --seconds up to 1800")

    import torch

    import app
    from lessons.common.slots import TRAINING_SLOTS

    warn_if_loaded(SERVER_THREADS)
    port = free_port()
    log(f"serving CLIP Lab on http://{LOOPBACK}:{port}/ (torch threads: {torch.get_num_threads()}) ...")
    demo = app.serve(LOOPBACK, port, prevent_thread_lock=True, quiet=True)
    base_rss = rss_mb()
    stop = threading.Event()
    run = Run(url=f"http://{LOOPBACK}:{port}/", stop=stop, started=time.perf_counter(), call_timeout=args.call_timeout)
    arguments = Arguments()
    samples: list[Sample] = []
    controls = tuple(args.train_steps if c is None else c for c in TRAIN_CONTROLS)
    records = [TrainerRecord(i + 1) for i in range(args.trainers)]
    threads = [threading.Thread(target=monitor, args=(run, demo, samples), name="monitor", daemon=True)]
    threads += [threading.Thread(target=trainer, args=(run, r, controls, 0.3 * r.index), name=f"trainer-{r.index}",
                                 daemon=True) for r in records]
    threads += [threading.Thread(target=learner, args=(run, i, arguments, args.seed * 1000 + i), name=f"learner-{i}",
                                 daemon=True) for i in range(args.learners)]
    log(f"{args.learners} learners and {args.trainers} trainers for {args.seconds:.0f} s "
        f"(trainings of {args.train_steps} steps, {TRAINING_SLOTS} slots) ...")
    try:
        for thread in threads:
            thread.start()
        next_note = 30.0
        while not stop.wait(min(5.0, max(0.0, args.seconds - run.now()))):
            if run.now() >= args.seconds:
                break
            if run.now() >= next_note:
                rec = run.recorder
                log(f"  t={run.now():4.0f}s  calls {sum(rec.calls.values())}, errors {sum(rec.errors.values())}, "
                    f"RSS {rss_mb():.0f} MB")
                next_note += 30.0
    except KeyboardInterrupt:
        log("interrupted: stopping the learners")
    finally:
        stop.set()
        elapsed = run.now()
        log(f"deadline at t={elapsed:.1f}s: stopping learners (pausing running trainings, cancelling queued ones) ...")
        limit = time.perf_counter() + args.call_timeout + 15
        for thread in threads:
            thread.join(timeout=max(0.1, limit - time.perf_counter()))
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            run.recorder.error("(shutdown)", run.now(), f"threads still running after the grace period: {stuck}")
        log(f"all learners stopped at t={run.now():.1f}s")
        results = report(run, args, records, samples, elapsed, TRAINING_SLOTS, base_rss)
        with run.clients_lock:
            for client in run.clients:
                try:
                    client.close()
                except Exception:  # noqa: BLE001
                    pass
        demo.close()
        log("server closed")
    if args.json:
        write_json(args.json, results)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # daemon threads of the clients (heartbeats, executors) must not keep the process alive
