"""The "Art director" tab in the browser: Run streams the picture and the similarity curve into the
page, Stop ends the run and the page keeps its last picture, a recipe sets the controls and a run
of it finishes with the comparison to real pictures; nothing scrolls sideways at 1280 px.
Screenshots in both languages land in assets/screenshots."""

from __future__ import annotations

import re

import pytest
from test_pages import CJK, TIMEOUT, open_app, open_tab

from lessons.page.strings import tr

pytestmark = pytest.mark.browser

PROGRESS = "#artdirector-progress"
NOW = "#artdirector-now-card img"
CURVE_POINTS = ("() => { const gd = document.querySelector('#artdirector-curve .js-plotly-plot');"
                " return gd && gd.data ? gd.data[gd.data.length - 1].y.length : 0; }")  # the picture's curve is last


def progress(page) -> str:
    return page.locator(PROGRESS).inner_text()


def step_of(page) -> int:
    found = re.search(r"(\d+)/(\d+)", progress(page))
    return int(found.group(1)) if found else 0


def set_number(page, elem_id: str, value) -> None:
    box = page.locator(f"#{elem_id} input").first
    box.fill(str(value))
    box.press("Tab")


def wait_pictures_loaded(page) -> None:
    page.wait_for_function("() => [...document.querySelectorAll('#artdirector-pictures img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)", timeout=TIMEOUT)


def test_run_streams_the_picture_and_curve_and_stop_ends_it(page, app_url, console_errors, screenshots_dir):
    open_app(page, app_url)
    open_tab(page, "artdirector")
    page.wait_for_function("(s) => document.querySelector(s).innerText.includes('Not run yet')", arg=PROGRESS,
                           timeout=TIMEOUT)
    assert page.locator("#artdirector-real-card img").count() == 1
    assert page.evaluate(CURVE_POINTS) == 1  # the start only
    set_number(page, "artdirector-steps", 4000)
    start_src = page.locator(NOW).get_attribute("src")

    page.click("#artdirector-run")
    page.wait_for_function("(s) => /optimising · step [1-9]/.test(document.querySelector(s).innerText)",
                           arg=PROGRESS, timeout=60_000)
    first_src, first_step = page.locator(NOW).get_attribute("src"), step_of(page)
    # the page keeps streaming: later steps, a new picture and a longer curve
    page.wait_for_function("(a) => { const m = document.querySelector(a[0]).innerText.match(/step (\\d+)\\//);"
                           " return m && Number(m[1]) > a[1] + 100; }", arg=[PROGRESS, first_step], timeout=TIMEOUT)
    assert page.locator(NOW).get_attribute("src") not in (start_src, first_src)
    assert page.evaluate(CURVE_POINTS) > first_step + 1
    wait_pictures_loaded(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots_dir / "en-artdirector-running.png")

    page.click("#artdirector-stop")
    page.wait_for_function("(s) => /stopped/.test(document.querySelector(s).innerText)", arg=PROGRESS,
                           timeout=TIMEOUT)
    stopped = step_of(page)
    assert 0 < stopped < 4000
    page.wait_for_timeout(1000)
    assert step_of(page) == stopped, "the run went on after Stop"
    assert page.evaluate(CURVE_POINTS) == stopped + 1
    assert f"Step {stopped}" in page.locator("#artdirector-now-card").inner_text()
    readout = page.locator("#artdirector-readout").inner_text()
    assert f"After {stopped} steps" in readout and "Real pictures of the caption" in readout
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the page scrolls sideways ({width} px wide)"
    assert not console_errors, "\n".join(console_errors)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_nudge_recipe_runs_to_the_end_with_its_comparison(page, app_url, console_errors, screenshots_dir, lang):
    open_app(page, app_url, lang)
    open_tab(page, "artdirector")
    page.click("#artdirector-recipe input")
    # Gradio's dropdown picks an option on mousedown
    page.locator(f"li[role=option][aria-label='{tr(lang, 'artdirector.recipe.nudge')}']").dispatch_event("mousedown")
    page.wait_for_function("() => document.querySelector('#artdirector-start input[value=picture]').checked",
                           timeout=TIMEOUT)
    caption = page.locator("#artdirector-caption textarea, #artdirector-caption input").first
    caption.fill("a red circle")
    caption.press("Enter")
    # the start card shows the test picture (a blue square), its score with the caption below it
    start_card = tr(lang, "artdirector.card_start_picture")
    page.wait_for_function("(t) => document.querySelector('#artdirector-start-card').innerText.includes(t)",
                           arg=start_card, timeout=TIMEOUT)
    page.click("#artdirector-run")
    finished = tr(lang, "artdirector.state_finished")
    page.wait_for_function("(a) => document.querySelector(a[0]).innerText.includes(a[1])", arg=[PROGRESS, finished],
                           timeout=60_000)
    assert "200/200" in progress(page)
    page.wait_for_function("() => /\\d+%/.test(document.querySelector('#artdirector-readout').innerText)",
                           timeout=TIMEOUT)  # the zero-shot check arrives with the last update
    readout = page.locator("#artdirector-readout").inner_text()
    assert bool(CJK.search(readout)) == (lang == "zh"), readout
    change = re.search(r"(?:Mean pixel change from the start picture|像素平均变化)\D*([\d.]+)", readout)
    assert change and 0 < float(change.group(1)) < 0.12, readout
    assert page.evaluate(CURVE_POINTS) == 201
    wait_pictures_loaded(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the page scrolls sideways ({width} px wide)"
    page.evaluate("document.querySelector('#artdirector-caption').scrollIntoView()")  # pictures, curve, read-out
    page.screenshot(path=screenshots_dir / f"{lang}-artdirector-nudge.png")
    assert not console_errors, "\n".join(console_errors)
