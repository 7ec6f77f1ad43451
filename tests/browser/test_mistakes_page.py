"""The "Classic mistakes" tab in the browser: a side-by-side run streams into both columns and joins
the results table, a second Start while it runs is refused with a message (the run goes on), Stop
keeps both models, and nothing scrolls sideways at 1280 px. Screenshots of a run (during and after)
in both languages."""

from __future__ import annotations

import re

import pytest
from test_pages import CJK, TIMEOUT, open_app, open_tab

from lessons.page.strings import tr

pytestmark = pytest.mark.browser

PROGRESS = "#mistakes-progress"


def progress(page) -> str:
    return page.locator(PROGRESS).inner_text()


def step_of(page) -> int:
    found = re.search(r"(\d+)/(\d+)", progress(page))
    return int(found.group(1)) if found else 0


def choose(page, mistake: str, steps: int) -> None:
    page.locator(f"#mistakes-choice input[value='{mistake}']").check()
    box = page.locator("#tab-mistakes input[type=number]").first  # Steps
    box.fill(str(steps))
    box.press("Tab")


def result_rows(page) -> int:
    return page.locator("#mistakes-results table tbody tr").count()


def plot_points(page, selector: str) -> int:
    return page.evaluate("(s) => { const gd = document.querySelector(s + ' .js-plotly-plot');"
                         " return gd && gd.data ? gd.data.reduce((n, t) => n + (t.y ? t.y.length : 0), 0) : 0; }",
                         selector)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_side_by_side_run_streams_and_fills_the_table(page, app_url, console_errors, screenshots_dir, lang):
    open_app(page, app_url, lang)
    open_tab(page, "mistakes")
    assert result_rows(page) == 0
    assert page.locator("#mistakes-probe-correct .js-plotly-plot").count() == 0  # nothing before a run

    choose(page, "duplicate_captions" if lang == "en" else "fixed_temperature_one", 80)
    page.click("#mistakes-start")
    page.wait_for_function("(s) => /[1-9]\\d*\\/80/.test(document.querySelector(s).innerText)", arg=PROGRESS,
                           timeout=TIMEOUT)
    page.wait_for_selector("#mistakes-probe-mistaken .js-plotly-plot", timeout=TIMEOUT)
    first = step_of(page)
    if first < 80:  # on a busy machine the run may have ended while the heatmaps were drawn
        page.wait_for_function("(a) => { const m = document.querySelector(a[0]).innerText.match(/(\\d+)\\/80/);"
                               " return m && Number(m[1]) > a[1]; }", arg=[PROGRESS, first], timeout=TIMEOUT)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots_dir / f"{lang}-mistakes-training.png")

    finished = tr(lang, "mistakes.state_finished")
    page.wait_for_function("(a) => document.querySelector(a[0]).innerText.includes(a[1])", arg=[PROGRESS, finished],
                           timeout=120_000)
    page.wait_for_function("() => document.querySelectorAll('#mistakes-results table tbody tr').length === 1",
                           timeout=TIMEOUT)
    assert "80/80" in progress(page)
    # both curve columns hold 80 steps of loss, accuracies and scale; both probe heatmaps are drawn
    assert plot_points(page, "#mistakes-curves") >= 2 * 4 * 80
    for column in ("correct", "mistaken"):
        title = page.evaluate(f"() => document.querySelector('#mistakes-probe-{column} .js-plotly-plot')"
                              ".layout.title.text")
        assert ("step 80 " if lang == "en" else "第 80 步") in title, title
    assert bool(CJK.search(page.inner_text("#mistakes-results"))) == (lang == "zh")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the page scrolls sideways ({width} px wide)"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots_dir / f"{lang}-mistakes-finished.png", full_page=True)
    assert not console_errors, "\n".join(console_errors)


def test_a_second_start_is_refused_and_stop_keeps_both_models(page, app_url, console_errors):
    open_app(page, app_url)
    open_tab(page, "mistakes")
    choose(page, "no_l2_norm", 5000)
    page.click("#mistakes-start")
    page.wait_for_function("(s) => /step [1-9]\\d*\\/5000/.test(document.querySelector(s).innerText)", arg=PROGRESS,
                           timeout=TIMEOUT)
    page.click("#mistakes-start")
    page.get_by_text("already training in this session").first.wait_for(timeout=TIMEOUT)
    first = step_of(page)
    page.wait_for_function("(a) => { const m = document.querySelector(a[0]).innerText.match(/(\\d+)\\/5000/);"
                           " return m && Number(m[1]) > a[1]; }", arg=[PROGRESS, first], timeout=TIMEOUT)
    page.click("#mistakes-stop")
    page.wait_for_function("(s) => /stopped/.test(document.querySelector(s).innerText)", arg=PROGRESS,
                           timeout=TIMEOUT)
    stopped = step_of(page)
    page.wait_for_timeout(1000)
    assert step_of(page) == stopped, "training went on after Stop"
    page.wait_for_selector("#mistakes-results table", timeout=TIMEOUT)
    assert f"stopped at {stopped}" in page.inner_text("#mistakes-results")

    # the kept models still answer: the heatmaps redraw as logits
    page.locator("#mistakes-view input[value='logits']").check()
    page.wait_for_function("() => document.querySelector('#mistakes-probe-mistaken .js-plotly-plot')"
                           ".data[0].zmin < 0", timeout=TIMEOUT)
    errors = [e for e in console_errors if "already training" not in e]
    assert not errors, "\n".join(errors)
