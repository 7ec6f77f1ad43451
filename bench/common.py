"""Helpers the benchmark scripts share: printing, tables, timing statistics, a free loopback port,
a load-average warning and JSON output. Stdlib only, so importing it costs nothing.

The scripts are run as `python bench/<name>.py`, which puts bench/ first on sys.path; they import
this module as `common`.
"""

from __future__ import annotations

import json
import math
import os
import socket
import statistics
from dataclasses import asdict, dataclass

LOOPBACK = "127.0.0.1"


def log(message: str = "") -> None:
    print(message, flush=True)


def print_table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    """A plain left-aligned text table under a title."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    log("")
    log(title)
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    log(line)
    log("-" * len(line))
    for row in rows:
        log("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between order statistics."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Stats:
    """Summary of timing samples, in milliseconds."""

    count: int
    median: float
    p95: float
    mean: float
    min: float
    max: float

    def to_dict(self) -> dict:
        return asdict(self)


def summarize_ms(seconds: list[float]) -> Stats:
    """Median, p95, mean, min and max of timings given in seconds, reported in milliseconds."""
    ms = [1000 * s for s in seconds]
    if not ms:
        return Stats(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    return Stats(len(ms), statistics.median(ms), percentile(ms, 95), statistics.fmean(ms), min(ms), max(ms))


def fmt_ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1f}"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that was free on `host` a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def warn_if_loaded(threads: int) -> float:
    """Print a warning when other processes already keep the cores busy; return the 1-min load."""
    load = os.getloadavg()[0]
    if load > 0.5:
        log(f"WARNING: 1-minute load average is {load:.2f} before starting; other processes compete for the "
            f"{os.cpu_count()} cores and the timings below will be inflated (this benchmark uses {threads})")
    return load


def write_json(path: str, results: dict) -> None:
    with open(path, "w") as f:
        json.dump(results, f, indent=1, default=float)
    log(f"wrote {path}")
