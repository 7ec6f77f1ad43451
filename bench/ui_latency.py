"""What a slider move costs on the server (docs/ARCHITECTURE.md section 4). Not a test: it prints.

Target: a slider move (temperature, n <= 32) re-renders server-side in <= 50 ms at the median.

Three measurements, all in one run, with torch limited to the machine's 2 threads:

a. In-process. One lessons.common.session.Session, warmed up per batch size (the first call, which embeds
   the batch and makes its thumbnails, is left out). For n = 8, 32, 64 the logits lesson's render()
   is called at --repeats different temperatures (log10 tau spread over the slider, visited in a
   shuffled order, the heatmap view cycling through all four), and each call is timed together
   with the JSON serialisation Gradio does of the figure (gr.Plot.postprocess -> fig.to_json()).
   Its stages are also timed on their own: lessons.logits.compute() (logits data from the
   memoised embeddings) and lessons.common.plotting.logits_figure() (the plotly figure). The temperature
   lesson's render() is measured the same way (its slider moves exp(t); it allows n <= 32, so n = 64
   is not applicable), serialising both of its figures.
b. End to end. app.serve() on a free 127.0.0.1 port (prevent_thread_lock), then gradio_client calls
   /logits_render --calls times per n; each predict is timed (queue, HTTP, SSE and the client's
   JSON decoding included). One Client keeps one session hash, so the server-side Session persists
   between calls like a browser's; the first call per n (it embeds the batch) is reported apart.
   Server and client share this process (and its GIL), as in the app tests. As a floor, the same
   number of calls to /logits_learned_tau (same queue and HTTP path, no figure) is timed too.
c. Baseline. The bare computation without figures, on the same embeddings: I_e @ T_e.T * scale and
   both softmaxes via clip_core.loss.loss_breakdown (for the temperature lesson: the row of cosines
   and its softmax statistics at the panel and curve scales). The tables show render+JSON / bare.

Every loop is bounded in count (--repeats, --calls) and in time (--max-seconds per loop).

    .venv/bin/python bench/ui_latency.py [--repeats 60] [--calls 40] [--profile] [--json out.json]
"""

# ruff: noqa: E402  (the environment is set before gradio is imported by the lessons)
from __future__ import annotations

import os

# no telemetry, no hub calls
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import argparse
import cProfile
import platform
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(1, ROOT)  # app.py and lessons/ live in the project root

import numpy as np
import torch
from common import LOOPBACK, Stats, fmt_ms, free_port, log, print_table, summarize_ms, warn_if_loaded, write_json

from clip_core.loss import loss_breakdown
from lessons import logits as logits_lesson
from lessons import temperature as temperature_lesson
from lessons.common.compute import LOG_TAU_MAX, LOG_TAU_MIN, demo_batch, embed_batch, tau_to_scale
from lessons.common.heatmap import VIEWS, logits_figure
from lessons.common.session import Session

THREADS = 2
SIZES = (8, 32, 64)
TARGET_MS = 50.0
TARGET_MAX_N = 32
SEED = 0  # the batch seed every measurement uses
ROW = 0  # the temperature lesson's row (its own slider; not moved here)
CALL_TIMEOUT = 30.0  # seconds for one end-to-end predict


def log10_taus(count: int, seed: int = 0) -> list[float]:
    """`count` slider positions spread over the logits lesson's temperature range, shuffled."""
    points = np.round(np.linspace(LOG_TAU_MIN, LOG_TAU_MAX, count), 2)
    return [float(x) for x in np.random.default_rng(seed).permutation(points)]


def log10_scales(count: int, seed: int = 0) -> list[float]:
    """`count` positions of the temperature lesson's log10 exp(t) slider, shuffled."""
    lo, hi = temperature_lesson.LOG_SCALE_MIN, temperature_lesson.LOG_SCALE_MAX
    points = np.round(np.linspace(lo, hi, count), 2)
    return [float(x) for x in np.random.default_rng(seed).permutation(points)]


def stopwatch(fn: Callable[..., object], *args: object) -> tuple[float, object]:
    """Seconds taken by fn(*args), and its result."""
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def to_json_all(*figures) -> list[str]:
    """What gr.Plot.postprocess does to each plotly figure."""
    return [fig.to_json() for fig in figures]


# ----- a + c. in-process --------------------------------------------------------------------------


@dataclass
class StageTimes:
    """Seconds per sample of each stage; the target is about the "render() + JSON" stage."""

    stages: dict[str, list[float]] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.stages.setdefault(stage, []).append(seconds)

    def stats(self) -> dict[str, Stats]:
        return {stage: summarize_ms(values) for stage, values in self.stages.items()}


def bare_logits(I_e: torch.Tensor, T_e: torch.Tensor, scale: float) -> None:
    """The math of the logits lesson without any figure: logits, both softmaxes, the losses."""
    loss_breakdown(I_e @ T_e.T * scale)


def measure_logits(session: Session, n: int, repeats: int, max_seconds: float) -> StageTimes:
    """render() + fig.to_json() of the logits lesson at `repeats` temperatures, with its stages."""
    labels = logits_lesson._labels(session.lang)  # the lesson's own localised labels (private helper)
    warm = logits_lesson.render(session, n, SEED, -1.0, False, VIEWS[0], False, False)  # embeds: excluded
    warm[1].to_json()
    model = session.model()
    embedded = embed_batch(model, demo_batch(session.world, n, SEED))  # same numbers as the memo holds
    times = StageTimes()
    deadline = time.perf_counter() + max_seconds
    for i, log10_tau in enumerate(log10_taus(repeats)):
        view = VIEWS[i % len(VIEWS)]
        scale = tau_to_scale(log10_tau)
        times.add("bare math", stopwatch(bare_logits, embedded.I_e, embedded.T_e, scale)[0])
        seconds, data = stopwatch(logits_lesson.compute, session, n, SEED, log10_tau, False, False)
        times.add("compute()", seconds)
        seconds, fig = stopwatch(logits_figure, data, view, labels)
        times.add("logits_figure()", seconds)
        times.add("fig.to_json()", stopwatch(fig.to_json)[0])
        seconds, out = stopwatch(logits_lesson.render, session, n, SEED, log10_tau, False, view, False, False)
        json_seconds = stopwatch(out[1].to_json)[0]
        times.add("render()", seconds)
        times.add("render() + JSON", seconds + json_seconds)
        if time.perf_counter() > deadline:
            log(f"  logits n={n}: time bound of {max_seconds:g} s reached after {i + 1} samples")
            break
    return times


def bare_temperature(session: Session, n: int, scale: float) -> None:
    """The temperature lesson's numbers without figures: the row and its softmax statistics."""
    data = temperature_lesson.prepare_row(session, n, SEED, ROW)
    panel_scales = sorted({*temperature_lesson.FIXED_SCALES, data.init_scale, data.clamp_scale, scale})
    temperature_lesson.row_statistics(data.cosines, ROW, np.array(panel_scales))
    temperature_lesson.row_statistics(data.cosines, ROW, temperature_lesson.CURVE_SCALES)


def measure_temperature(session: Session, n: int, repeats: int, max_seconds: float) -> StageTimes:
    """render() + both figures' to_json() of the temperature lesson at `repeats` slider positions."""
    warm = temperature_lesson.render(session, n, SEED, ROW, 1.0)
    warm[1].to_json(), warm[2].to_json()
    times = StageTimes()
    deadline = time.perf_counter() + max_seconds
    for i, log_scale in enumerate(log10_scales(repeats)):
        times.add("bare math", stopwatch(bare_temperature, session, n, 10.0**log_scale)[0])
        seconds, out = stopwatch(temperature_lesson.render, session, n, SEED, ROW, log_scale)
        json_seconds = stopwatch(to_json_all, out[1], out[2])[0]
        times.add("render()", seconds)
        times.add("figures' to_json()", json_seconds)
        times.add("render() + JSON", seconds + json_seconds)
        if time.perf_counter() > deadline:
            log(f"  temperature n={n}: time bound of {max_seconds:g} s reached after {i + 1} samples")
            break
    return times


def profile_logits(session: Session, n: int, count: int = 10, top: int = 25) -> None:
    """cProfile of `count` logits renders (+ JSON) at n; prints the top functions by cumulative time."""
    logits_lesson.render(session, n, SEED, -1.0, False, VIEWS[0], False, False)
    profiler = cProfile.Profile()
    profiler.enable()
    for i, log10_tau in enumerate(log10_taus(count, seed=1)):
        out = logits_lesson.render(session, n, SEED, log10_tau, False, VIEWS[i % len(VIEWS)], False, False)
        out[1].to_json()
    profiler.disable()
    log(f"\ncProfile: {count} logits renders + to_json at n={n}, top {top} by cumulative time")
    pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(top)


# ----- b. end to end ------------------------------------------------------------------------------


@dataclass
class EndToEnd:
    first_call: float  # seconds; the call that embeds the batch (the very first also builds the Session)
    calls: list[float]


def measure_end_to_end(sizes: tuple[int, ...], calls: int, max_seconds: float) -> dict[int, EndToEnd]:
    """Time gradio_client predicts of /logits_render against app.serve() on a free loopback port.

    Key 0 holds the floor: the same number of calls to /logits_learned_tau, which draws nothing.
    """
    from gradio_client import Client

    import app

    port = free_port()
    log(f"end to end: app.serve on http://{LOOPBACK}:{port}/ ...")
    demo = app.serve(host=LOOPBACK, port=port, prevent_thread_lock=True, quiet=True)
    results: dict[int, EndToEnd] = {}
    try:
        client = Client(f"http://{LOOPBACK}:{port}/", verbose=False, analytics_enabled=False, download_files=False)

        def call(n: int, log10_tau: float, view: str) -> float:
            job = client.submit(n, SEED, log10_tau, False, view, False, False, api_name="/logits_render")
            seconds, out = stopwatch(job.result, CALL_TIMEOUT)
            summary = out[2]  # (main plot, side plot, summary, code): the session State is not an API output
            if not (isinstance(summary, str) and f"ln {n}" in summary):
                raise RuntimeError(f"/logits_render returned an unexpected summary: {summary!r}")
            return seconds

        def trivial_call() -> object:
            """The same queue and HTTP path with (almost) no work: returns a slider position."""
            return client.submit(api_name="/logits_learned_tau").result(timeout=CALL_TIMEOUT)

        floor = EndToEnd(first_call=stopwatch(trivial_call)[0], calls=[])
        for _ in range(calls):
            floor.calls.append(stopwatch(trivial_call)[0])
        log(f"  floor (/logits_learned_tau, no figure): {len(floor.calls)} calls")
        results[0] = floor

        for n in sizes:
            result = EndToEnd(first_call=call(n, -1.0, VIEWS[0]), calls=[])
            deadline = time.perf_counter() + max_seconds
            for i, log10_tau in enumerate(log10_taus(calls)):
                result.calls.append(call(n, log10_tau, VIEWS[i % len(VIEWS)]))
                if time.perf_counter() > deadline:
                    log(f"  end to end n={n}: time bound of {max_seconds:g} s reached after {i + 1} calls")
                    break
            results[n] = result
            log(f"  n={n}: first call {1000 * result.first_call:.0f} ms, then {len(result.calls)} calls")
        client.close()
    finally:
        demo.close()
    return results


# ----- report -------------------------------------------------------------------------------------


def stage_rows(stats: dict[str, Stats], bare: Stats) -> list[tuple[str, ...]]:
    return [(stage, fmt_ms(s.median), fmt_ms(s.p95), f"{s.median / bare.median:.0f}x" if bare.median else "n/a")
            for stage, s in stats.items()]


def report(logits: dict[int, StageTimes], temperature: dict[int, StageTimes | None],
           end_to_end: dict[int, EndToEnd]) -> dict:
    results: dict = {"logits": {}, "temperature": {}, "end_to_end": {}, "targets": []}
    for n, times in logits.items():
        stats = times.stats()
        results["logits"][n] = {k: v.to_dict() for k, v in stats.items()}
        print_table(f"a/c. logits lesson render, n={n} ({stats['render() + JSON'].count} temperatures, ms)",
                    stage_rows(stats, stats["bare math"]), ("stage", "median", "p95", "median / bare"))
    for n, times in temperature.items():
        if times is None:
            log(f"\na/c. temperature lesson render, n={n}: not applicable (the lesson allows n <= "
                f"{temperature_lesson.N_MAX})")
            results["temperature"][n] = None
            continue
        stats = times.stats()
        results["temperature"][n] = {k: v.to_dict() for k, v in stats.items()}
        print_table(f"a/c. temperature lesson render, n={n} ({stats['render() + JSON'].count} slider positions, ms)",
                    stage_rows(stats, stats["bare math"]), ("stage", "median", "p95", "median / bare"))

    rows = []
    for n, e2e in end_to_end.items():
        s = summarize_ms(e2e.calls)
        inproc = summarize_ms(logits[n].stages["render() + JSON"]) if n in logits else None
        overhead = f"{s.median - inproc.median:.1f}" if inproc else "n/a"
        name = "floor: /logits_learned_tau" if n == 0 else f"/logits_render n={n}"
        rows.append((name, str(s.count), fmt_ms(s.median), fmt_ms(s.p95), overhead, f"{1000 * e2e.first_call:.0f}"))
        results["end_to_end"]["floor" if n == 0 else n] = {**s.to_dict(), "first_call_ms": 1000 * e2e.first_call}
    if rows:
        print_table("b. end to end: gradio_client predicts (ms)", rows,
                    ("endpoint", "calls", "median", "p95", "median - in-process", "first call (excluded)"))

    summary = []
    for lesson, per_n in (("logits", logits), ("temperature", temperature)):
        for n, times in per_n.items():
            if times is None:
                continue
            s = summarize_ms(times.stages["render() + JSON"])
            bare = summarize_ms(times.stages["bare math"])
            summary.append((lesson, str(n), fmt_ms(bare.median), fmt_ms(s.median), fmt_ms(s.p95),
                            f"{s.median / bare.median:.0f}x"))
            if n <= TARGET_MAX_N:
                results["targets"].append({"target": f"{lesson} slider move, n={n}: render + JSON median <= "
                                                     f"{TARGET_MS:g} ms (in-process)",
                                           "measured": f"{s.median:.1f} ms (p95 {s.p95:.1f} ms)",
                                           "pass": s.median <= TARGET_MS})
    print_table("Summary: in-process server-side time per slider move (ms)", summary,
                ("lesson", "n", "bare median", "render+JSON median", "render+JSON p95", "ratio"))
    print_table("Targets (docs/ARCHITECTURE.md section 4)",
                [("PASS" if t["pass"] else "MISS", t["target"], t["measured"]) for t in results["targets"]],
                ("result", "target", "measured"))
    return results


# ----- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=60, help="temperatures per n, in process (default 60)")
    parser.add_argument("--calls", type=int, default=40, help="end-to-end predicts per n (default 40)")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="time bound of each loop (default 120)")
    parser.add_argument("--skip-e2e", action="store_true", help="leave out the end-to-end measurement")
    parser.add_argument("--profile", action="store_true", help="also cProfile the logits render at n=32")
    parser.add_argument("--json", default=None, metavar="PATH", help="also write the results as JSON here")
    args = parser.parse_args(argv)

    torch.set_num_threads(THREADS)
    wall = time.perf_counter()
    log(f"bench/ui_latency.py: {torch.get_num_threads()} threads, torch {torch.__version__}, "
        f"python {platform.python_version()}, {args.repeats} temperatures and {args.calls} calls per n")
    load = warn_if_loaded(THREADS)

    session = Session()
    seconds = stopwatch(session.model)[0]
    log(f"session: shipped checkpoint loaded in {1000 * seconds:.0f} ms")
    logits: dict[int, StageTimes] = {}
    temperature: dict[int, StageTimes | None] = {}
    for n in SIZES:
        log(f"in process: n={n} ...")
        logits[n] = measure_logits(session, n, args.repeats, args.max_seconds)
        fits = n <= temperature_lesson.N_MAX
        temperature[n] = measure_temperature(session, n, args.repeats, args.max_seconds) if fits else None
    if args.profile:
        profile_logits(session, 32)
    end_to_end = {} if args.skip_e2e else measure_end_to_end(SIZES, args.calls, args.max_seconds)

    results = report(logits, temperature, end_to_end)
    results.update(threads=torch.get_num_threads(), torch=torch.__version__, python=platform.python_version(),
                   repeats=args.repeats, calls=args.calls, wall_seconds=time.perf_counter() - wall,
                   load_average_at_start=load, load_average_at_end=os.getloadavg()[0])
    log(f"\ntotal wall time {results['wall_seconds']:.1f} s; 1-minute load average {load:.2f} at start, "
        f"{results['load_average_at_end']:.2f} at end (this process alone adds about {THREADS})")
    if args.json:
        write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
