"""Slider latency in a real browser (issue 16): from a slider's input event to the first change of
the lesson's figure, as a learner sees it. Not a test: it prints.

The app is served in this process (`app.serve`) on a free port of 127.0.0.1 and driven by
headless Chromium (Debian's /usr/bin/chromium) at 1280x800. For each slider the page itself
measures: the script sets the range input's value and dispatches its `input` event (what a drag
does), a MutationObserver on the figure's Plotly div sees the first change, and one
requestAnimationFrame later (the frame that paints it) the time is taken. Between two moves the
figure must be quiet for QUIET_MS, so every move is measured on its own.

Measured twice: on the idle machine, then (unless --no-load) while bench/load.py's simulated class
runs against the same server (--learners interactive learners moving sliders through the API and
--trainers trainings). The table gives median and p95 per slider with PASS/MISS against the
targets: median <= 50 ms and p95 <= 100 ms idle, p95 <= 150 ms under load for sliders that only
rescale model output; median <= 150 ms idle for sliders that need new model output. The machine is
shared: the 1-minute load average is printed with the figures.

    .venv/bin/python bench/browser_latency.py [--moves 16] [--no-load] [--learners 20] [--trainers 4] [--json out.json]
"""

# ruff: noqa: E402  (the environment is set before gradio is imported)
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import argparse
import statistics
import sys
import threading
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(1, ROOT)

from common import LOOPBACK, fmt_ms, free_port, log, print_table, summarize_ms, write_json

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 800}
QUIET_MS = 350  # the figure must not change for this long before the next move
MOVE_TIMEOUT_MS = 10_000
STAGES = ("to_request", "server", "to_paint")
TARGETS = {"rescale": {"median": 50.0, "p95": 100.0, "p95_load": 150.0}, "model": {"median": 150.0}}


@dataclass
class SliderSpec:
    name: str  # shown in the table
    tab: str  # lesson id
    label: str  # start of the slider's English label
    figure: str  # CSS selector of the Plotly divs of the tab
    values: list[float]  # slider positions visited in turn
    kind: str = "rescale"  # "rescale" (temperature-type) or "model" (needs new model output)
    beyond: bool = False  # the tab sits inside "Beyond the basics"
    prepare: str | None = None  # a button to click first (its text), e.g. example pictures
    figure_index: int = 0  # which of the `figure` divs must change


def _zigzag(lo: float, hi: float, count: int, digits: int = 2) -> list[float]:
    """count positions alternating between the lower and the upper half, all distinct from their predecessor."""
    step = (hi - lo) / max(1, count - 1)
    ordered = [round(lo + i * step, digits) for i in range(count)]
    half = count // 2
    return [v for pair in zip(ordered[:half], ordered[half:], strict=False) for v in pair] + ordered[2 * half:]


def slider_specs(moves: int) -> list[SliderSpec]:
    return [
        SliderSpec("3 logits: τ", "logits", "Temperature log₁₀ τ", "#tab-logits .js-plotly-plot",
                   _zigzag(-2.0, -0.2, moves)),
        SliderSpec("4 temperature: scale", "temperature", "Temperature: logit scale",
                   "#tab-temperature .js-plotly-plot", _zigzag(0.3, 2.2, moves)),
        SliderSpec("4 temperature: row", "temperature", "Row i", "#tab-temperature .js-plotly-plot",
                   [float(i % 8) for i in range(1, moves + 1)]),
        SliderSpec("6 zero-shot: τ", "zeroshot", "Softmax temperature", "#zeroshot-bars .js-plotly-plot",
                   _zigzag(-2.0, -0.2, moves)),
        SliderSpec("8 logit: p", "logit", "Probability p", "#tab-logit .js-plotly-plot",
                   _zigzag(0.05, 0.95, moves, 3)),
        SliderSpec("8 logit: shift c", "logit", "Add c to every", "#tab-logit .js-plotly-plot",
                   _zigzag(-5.0, 5.0, moves, 1), figure_index=1),
        SliderSpec("8 logit: multiply k", "logit", "Multiply every", "#tab-logit .js-plotly-plot",
                   _zigzag(0.2, 4.0, moves, 1), figure_index=1),
        SliderSpec("photos: τ", "photos", "log₁₀ τ", "#photos-logits .js-plotly-plot", _zigzag(-2.0, -0.2, moves),
                   beyond=True, prepare="Use example pictures"),
        SliderSpec("3 logits: n (model)", "logits", "Batch size n", "#tab-logits .js-plotly-plot",
                   [float(v) for v in _zigzag(4, 12, moves, 0)], kind="model"),
    ]


# Runs in the page: move the slider, resolve with the ms until the figure changed and was painted.
# `block` is the Gradio block around the Plotly div: Gradio replaces the div on a new value, so the
# change is seen on the block; it counts once the block holds a drawn Plotly div again, checked in
# requestAnimationFrame (which runs just before the frame is painted).
MOVE_JS = """async ([slider, block, value, timeout]) => {
  const input = document.querySelector(slider);
  return await new Promise(resolve => {
    let start = null, mutated = false, done = false;
    const observer = new MutationObserver(() => { if (start !== null) mutated = true; });
    observer.observe(block, {subtree: true, childList: true, attributes: true, characterData: true});
    const mark = window.clipLabNet.length;
    const finish = (ms) => {
      if (done) return;
      done = true;
      observer.disconnect();
      resolve({ms, net: window.clipLabNet.slice(mark).map(([t, kind]) => [t - start, kind])});
    };
    const frame = () => {
      if (done) return;
      const gd = block.querySelector('.js-plotly-plot');
      if (mutated && gd && gd._fullLayout && gd.querySelector('.main-svg')) return finish(performance.now() - start);
      requestAnimationFrame(frame);
    };
    setTimeout(() => finish(null), timeout);
    input.value = String(value);
    start = performance.now();
    input.dispatchEvent(new Event('input', {bubbles: true}));
    requestAnimationFrame(frame);
  });
}"""

# Runs in every page before the app's scripts: time stamps of the event's way through Gradio (the
# request that joins the queue, its answer, and the queue's messages on the event stream), so the
# table can say where the time went (issue 16, item 1).
TIMELINE_JS = """(() => {
  const net = window.clipLabNet = [];
  const stamp = (kind) => net.push([performance.now(), kind]);
  const messages = (text) => (text.match(/"msg":\\s*"(\\w+)"/g) || []).forEach((m) => stamp(m.split('"')[3]));
  const fetch = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    const join = /queue\\/join|\\/run\\//.test(url), stream = /queue\\/data/.test(url);
    if (join) stamp('join_sent');
    let answer = fetch.apply(this, arguments);
    if (join) answer.then(() => stamp('join_answered'), () => {});
    if (stream) answer = answer.then((response) => {
      if (!response.body) return response;
      const [mine, theirs] = response.body.tee(), reader = mine.getReader(), text = new TextDecoder();
      const pump = () => reader.read().then(({done, value}) => {
        if (!done) { messages(text.decode(value)); pump(); }
      });
      pump();
      const {status, statusText, headers} = response;
      return new Response(theirs, {status, statusText, headers});
    });
    return answer;
  };
  const Source = window.EventSource;
  if (Source) {
    window.EventSource = function (url, config) {
      const source = new Source(url, config);
      source.addEventListener('message', (event) => messages(event.data));
      return source;
    };
    window.EventSource.prototype = Source.prototype;
  }
})();"""

# Runs in the page: resolve once the figure has not changed for `quiet` ms (or after `limit` ms).
QUIET_JS = """async ([target, quiet, limit]) => await new Promise(resolve => {
  let timer = setTimeout(finish, quiet);
  const cap = setTimeout(finish, limit);
  const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(finish, quiet); });
  observer.observe(target, {subtree: true, childList: true, attributes: true, characterData: true});
  function finish() { observer.disconnect(); clearTimeout(timer); clearTimeout(cap); resolve(true); }
})"""


def open_tab(page, spec: SliderSpec) -> None:
    if spec.beyond:
        page.click("#tab-beyond-button", timeout=300_000)
    page.click(f"#tab-{spec.tab}-button", timeout=300_000)
    drawn = "([s, i]) => { const d = document.querySelectorAll(s)[i]; return d && d.data && d.data.length; }"
    if spec.prepare:
        page.locator(f"#tab-{spec.tab} button", has_text=spec.prepare).first.click()
    page.wait_for_function(drawn, arg=[spec.figure, spec.figure_index], timeout=300_000)
    page.wait_for_timeout(1500)  # the tab's first renders and the session's caches settle


def measure_slider(page, spec: SliderSpec) -> list[float]:
    """Seconds from input event to painted change, one per move (None moves are dropped and counted)."""
    slider = f"#tab-{spec.tab} input[type=range][aria-label^='range slider for {spec.label}']"
    page.wait_for_selector(slider, timeout=30_000)
    plot = page.locator(spec.figure).nth(spec.figure_index).element_handle(timeout=30_000)
    handle = plot.evaluate_handle("(gd) => gd.closest('.block')")
    samples, stages = [], []
    for value in spec.values:
        page.evaluate(QUIET_JS, [handle, QUIET_MS, 15_000])
        result = page.evaluate(MOVE_JS, [slider, handle, value, MOVE_TIMEOUT_MS])
        if result["ms"] is None:
            log(f"  {spec.name}: no change within {MOVE_TIMEOUT_MS} ms after moving to {value}")
            continue
        samples.append(result["ms"] / 1000)
        stages.append(breakdown(result["ms"], result["net"]))
    page.evaluate(QUIET_JS, [handle, QUIET_MS, 15_000])
    return samples, stages


def breakdown(ms: float, net: list) -> dict[str, float] | None:
    """Where one move's time went: input -> the request joining the queue -> the queue's
    process_completed message (server work, queue, transport) -> the figure painted (Gradio's
    component update and Plotly). None if the move made no request (computed in the page)."""
    first = {}
    for at, kind in net:
        first.setdefault(kind, at)
    if "join_sent" not in first:
        return None
    done = first.get("process_completed", first.get("join_answered", first["join_sent"]))
    return {"to_request": first["join_sent"], "server": done - first["join_sent"], "to_paint": ms - done}


def run_all(url: str, specs: list[SliderSpec], label: str) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    results, breakdowns = {}, {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        context.add_init_script(TIMELINE_JS)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url, timeout=300_000)
        page.wait_for_selector("#tab-logits-button", timeout=180_000)
        for spec in specs:
            try:
                open_tab(page, spec)
                results[spec.name], stages = measure_slider(page, spec)
            except Exception as error:  # noqa: BLE001 (a missing slider on one branch must not stop the others)
                log(f"  {spec.name}: not measured ({type(error).__name__}: {str(error).splitlines()[0][:160]})")
                results[spec.name], stages = [], []
            stats = summarize_ms(results[spec.name])
            served = [s for s in stages if s]
            where = "no server call" if not served else " · ".join(
                f"{key} {statistics.median(s[key] for s in served):.0f}" for key in STAGES)
            log(f"  [{label}] {spec.name}: n={stats.count} median {fmt_ms(stats.median)} ms, "
                f"p95 {fmt_ms(stats.p95)} ms; median ms {where}")
            breakdowns[spec.name] = where
        browser.close()
    return results, breakdowns


def verdict(spec: SliderSpec, idle, loaded) -> str:
    target = TARGETS[spec.kind]
    checks = [idle.count and idle.median <= target["median"]]
    if "p95" in target:
        checks.append(idle.count and idle.p95 <= target["p95"])
    if loaded is not None and "p95_load" in target:
        checks.append(loaded.count and loaded.p95 <= target["p95_load"])
    return "PASS" if all(checks) else "MISS"


def start_load(url: str, learners: int, trainers: int, stop: threading.Event):
    """bench/load.py's simulated class against `url`, in threads of this process (as load.py runs it)."""
    import load

    run = load.Run(url=url, stop=stop, started=time.perf_counter(), call_timeout=60.0)
    arguments = load.Arguments()
    controls = tuple(2000 if c is None else c for c in load.TRAIN_CONTROLS)  # trainings outlast the measurement
    records = [load.TrainerRecord(i + 1) for i in range(trainers)]
    threads = [threading.Thread(target=load.trainer, args=(run, r, controls, 0.3 * r.index), daemon=True)
               for r in records]
    threads += [threading.Thread(target=load.learner, args=(run, i, arguments, i), daemon=True)
                for i in range(learners)]
    for thread in threads:
        thread.start()
    return run, threads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=16, help="moves per slider (default 16)")
    parser.add_argument("--no-load", action="store_true", help="measure on the idle server only")
    parser.add_argument("--learners", type=int, default=20, help="simulated learners under load (default 20)")
    parser.add_argument("--trainers", type=int, default=4, help="simulated trainings under load (default 4)")
    parser.add_argument("--only", default=None, help="comma-separated: measure only sliders whose name contains one")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if not (3 <= args.moves <= 100 and 0 <= args.learners <= 200 and 0 <= args.trainers <= 20):
        parser.error("keep it bounded: --moves 3..100, --learners 0..200, --trainers 0..20")

    import torch

    import app

    torch.set_num_threads(2)
    wanted = [w.strip() for w in (args.only or "").split(",") if w.strip()]
    specs = [s for s in slider_specs(args.moves) if not wanted or any(w in s.name for w in wanted)]
    port = free_port()
    url = f"http://{LOOPBACK}:{port}/"
    demo = app.serve(LOOPBACK, port, prevent_thread_lock=True, quiet=True)
    loads = {"idle": os.getloadavg()[0]}
    log(f"serving on {url}; 1-minute load average before the idle run: {loads['idle']:.2f} "
        f"({os.cpu_count()} cores, shared)")
    idle, where_idle = run_all(url, specs, "idle")
    loads["idle_after"] = os.getloadavg()[0]
    loaded = None
    if not args.no_load:
        stop = threading.Event()
        log(f"starting the class: {args.learners} learners, {args.trainers} trainings ...")
        run, threads = start_load(url, args.learners, args.trainers, stop)
        time.sleep(15)  # sessions opened, trainings streaming
        loads["load"] = os.getloadavg()[0]
        loaded, where_load = run_all(url, specs, "load")
        loads["load_after"] = os.getloadavg()[0]
        calls = sum(run.recorder.calls.values())
        errors = sum(run.recorder.errors.values())
        stop.set()
        for thread in threads:
            thread.join(timeout=70)
        log(f"the class made {calls} API calls meanwhile ({errors} errors)")
    demo.close()

    rows = []
    for spec in specs:
        i = summarize_ms(idle[spec.name])
        lo = summarize_ms(loaded[spec.name]) if loaded is not None else None
        target = TARGETS[spec.kind]
        goal = (f"med ≤ {target['median']:.0f}, p95 ≤ {target['p95']:.0f}, load p95 ≤ {target['p95_load']:.0f}"
                if spec.kind == "rescale" else f"med ≤ {target['median']:.0f}")
        rows.append((spec.name, str(i.count), fmt_ms(i.median), fmt_ms(i.p95),
                     fmt_ms(lo.median) if lo else "-", fmt_ms(lo.p95) if lo else "-", goal, verdict(spec, i, lo)))
    load_text = ", ".join(f"{k} {v:.2f}" for k, v in loads.items())
    print_table(f"Slider input -> painted figure change, ms (headless Chromium 1280x800; load average: {load_text})",
                rows, ("slider", "moves", "idle median", "idle p95", "load median", "load p95", "target", "verdict"))
    print_table("Where the time went (median ms: input -> request sent · request -> process_completed message "
                "(queue, server, transport) · message -> figure painted)",
                [(spec.name, where_idle.get(spec.name, "-"), where_load.get(spec.name, "-") if loaded else "-")
                 for spec in specs], ("slider", "idle", "load"))
    if args.json:
        write_json(args.json, {"idle": idle, "load": loaded, "loadavg": loads, "where_idle": where_idle,
                               "where_load": where_load if loaded else None})
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)
