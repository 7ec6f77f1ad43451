"""Start-up benchmark of `python app.py` (docs/ARCHITECTURE.md section 4). Not a test: it prints.

Targets: `python app.py` serves its first page within 8 s of start; transformers is imported only
when a pretrained model is asked for.

1. First page: `python app.py --port FREE_PORT` is started --runs times (one at a time, on
   127.0.0.1, with GRADIO_ANALYTICS_ENABLED=False and HF_HUB_OFFLINE=1); the time from just before
   Popen to the first GET / that returns 200 is measured (polled every 50 ms, at most 60 s). Each
   server is then stopped: terminate, wait, kill if it has not exited - also on errors.
2. Imports: a child python runs `import app; app.build_app()` under -X importtime and reports the
   wall time of `import app` and of build_app(), whether "transformers" is in sys.modules after
   both (target: no), and which packages the import time goes to.

    .venv/bin/python bench/startup.py [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass

from common import LOOPBACK, free_port, log, print_table, warn_if_loaded, write_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_SECONDS = 8.0
POLL_SECONDS = 0.05
LIMIT_SECONDS = 60.0  # give up on a server that has not served its page by then
STOP_SECONDS = 10.0  # grace period after terminate() before kill()
TOP_IMPORTS = 8

# Run in the child: time `import app` and build_app(), then report what is loaded.
IMPORT_PROBE = """
import json, sys, time
start = time.perf_counter()
import app
imported = time.perf_counter()
app.build_app()
built = time.perf_counter()
print(json.dumps({"import_seconds": imported - start, "build_seconds": built - imported,
                  "transformers": "transformers" in sys.modules, "torch": "torch" in sys.modules,
                  "matplotlib": "matplotlib" in sys.modules}))
"""


def child_env() -> dict[str, str]:
    return {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


# ----- 1. first page ------------------------------------------------------------------------------


@dataclass
class StartRun:
    port: int
    seconds: float | None  # None: no 200 within LIMIT_SECONDS (or the server exited)
    polls: int
    error: str = ""


def page_status(url: str) -> int | None:
    """HTTP status of a GET, or None while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def stop(process: subprocess.Popen) -> None:
    """Terminate, wait, then kill if it is still alive."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_SECONDS)


def tail(path: str, lines: int = 5) -> str:
    with open(path, errors="replace") as f:
        return " | ".join(f.read().strip().splitlines()[-lines:])


def time_first_page() -> StartRun:
    """Start app.py on a free loopback port and wait for GET / to return 200."""
    port = free_port()
    url = f"http://{LOOPBACK}:{port}/"
    with tempfile.NamedTemporaryFile("w+", prefix="clip-lab-startup-", suffix=".log", delete=False) as output:
        log_path = output.name
    run = StartRun(port=port, seconds=None, polls=0)
    with open(log_path, "w") as output:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=child_env(),
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            while time.perf_counter() - start < LIMIT_SECONDS:
                run.polls += 1
                if page_status(url) == 200:
                    run.seconds = time.perf_counter() - start
                    break
                if process.poll() is not None:
                    run.error = f"app.py exited with code {process.returncode}: {tail(log_path)}"
                    break
                time.sleep(POLL_SECONDS)
            else:
                run.error = f"no 200 from {url} within {LIMIT_SECONDS:g} s: {tail(log_path)}"
        finally:
            stop(process)
    os.unlink(log_path)
    return run


# ----- 2. imports ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    import_seconds: float
    build_seconds: float
    transformers: bool
    torch: bool
    matplotlib: bool
    heaviest: list[tuple[str, float]]  # packages by the import time of their own modules (seconds)


def heaviest_imports(importtime: str, count: int) -> list[tuple[str, float]]:
    """Packages by the import time of their own modules (the self column of `python -X importtime`
    summed per top-level package name), largest first. The sums add up to the whole import."""
    totals: dict[str, float] = {}
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|", 2)
        package = name.strip().split(".")[0]
        totals[package] = totals.get(package, 0.0) + int(own) / 1e6
    return sorted(totals.items(), key=lambda item: -item[1])[:count]


def probe_imports() -> ImportReport:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", IMPORT_PROBE], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=LIMIT_SECONDS)
    if done.returncode != 0:
        raise RuntimeError(f"import probe failed ({done.returncode}): {done.stderr[-2000:]}")
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    return ImportReport(**probe, heaviest=heaviest_imports(done.stderr, TOP_IMPORTS))


# ----- report -------------------------------------------------------------------------------------


def report(runs: list[StartRun], imports: ImportReport) -> dict:
    print_table("1. python app.py: process start to the first 200 from GET /", [
        (str(k), str(r.port), f"{r.seconds:.2f} s" if r.seconds is not None else "failed", str(r.polls),
         r.error or "-") for k, r in enumerate(runs, 1)
    ], ("run", "port", "first page", "polls", "error"))
    times = [r.seconds for r in runs if r.seconds is not None]
    median = statistics.median(times) if len(times) == len(runs) and times else None
    log(f"median {median:.2f} s over {len(runs)} runs" if median is not None
        else f"{len(runs) - len(times)} of {len(runs)} runs failed")

    print_table("2. child python: import app; app.build_app() (with -X importtime)", [
        ("import app", f"{imports.import_seconds:.2f} s"),
        ("app.build_app()", f"{imports.build_seconds:.2f} s"),
        ("transformers in sys.modules", "yes" if imports.transformers else "no"),
        ("torch in sys.modules", "yes" if imports.torch else "no"),
        ("matplotlib in sys.modules", "yes" if imports.matplotlib else "no"),
    ], ("measure", "value"))
    print_table(f"import time by package (own modules only, the {TOP_IMPORTS} largest)",
                [(name, f"{seconds:.2f} s") for name, seconds in imports.heaviest], ("package", "import time"))

    targets = [
        {"target": f"first page <= {TARGET_SECONDS:g} s (median of {len(runs)} runs)",
         "measured": f"{median:.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})" if median is not None
         else "a run failed", "pass": median is not None and median <= TARGET_SECONDS},
        {"target": "transformers not imported at start-up (import app; app.build_app())",
         "measured": "imported" if imports.transformers else "not imported", "pass": not imports.transformers},
    ]
    print_table("Targets (docs/ARCHITECTURE.md section 4)",
                [("PASS" if t["pass"] else "MISS", t["target"], t["measured"]) for t in targets],
                ("result", "target", "measured"))
    return {"runs": [asdict(r) for r in runs], "median_seconds": median, "imports": asdict(imports),
            "targets": targets}


# ----- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="start-ups to time (default 3)")
    parser.add_argument("--json", default=None, metavar="PATH", help="also write the results as JSON here")
    args = parser.parse_args(argv)

    wall = time.perf_counter()
    log(f"bench/startup.py: {args.runs} runs of {sys.executable} app.py, python {platform.python_version()}")
    load = warn_if_loaded(threads=2)
    runs = []
    for k in range(1, args.runs + 1):
        runs.append(time_first_page())
        r = runs[-1]
        log(f"  run {k}: " + (f"first page after {r.seconds:.2f} s" if r.seconds is not None else r.error))
    log("import probe ...")
    results = report(runs, probe_imports())
    results.update(python=platform.python_version(), wall_seconds=time.perf_counter() - wall,
                   load_average_at_start=load, load_average_at_end=os.getloadavg()[0])
    log(f"\ntotal wall time {results['wall_seconds']:.1f} s; 1-minute load average {load:.2f} at start, "
        f"{results['load_average_at_end']:.2f} at end")
    if args.json:
        write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
