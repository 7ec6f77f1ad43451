"""Lesson 5 in the browser: training streams into the page, Pause stops it, and the trained model
becomes this session's model in the header."""

from __future__ import annotations

import re

import pytest
from test_pages import TIMEOUT, open_app, open_tab

pytestmark = pytest.mark.browser


def progress(page) -> str:
    return page.locator("#train-progress").inner_text()


def test_training_streams_then_pause_stops_it(page, app_url, console_errors):
    open_app(page, app_url)
    open_tab(page, "train")
    assert "Start" in progress(page) or "No training" in progress(page)
    page.locator("#train-start").click()
    # several different step counts appear while it trains: the page is streaming
    page.wait_for_function("() => /training · step [1-9]/.test(document.querySelector('#train-progress').innerText)",
                           timeout=TIMEOUT)
    first = int(re.search(r"step (\d+)/", progress(page)).group(1))
    page.wait_for_function("(first) => { const m = document.querySelector('#train-progress').innerText"
                           ".match(/step (\\d+)\\//); return m && Number(m[1]) > first; }", arg=first, timeout=TIMEOUT)
    page.locator("#train-pause").click()
    page.wait_for_function("() => /paused/.test(document.querySelector('#train-progress').innerText)", timeout=TIMEOUT)
    stopped = int(re.search(r"step (\d+)/", progress(page)).group(1))
    page.wait_for_timeout(1500)
    assert int(re.search(r"step (\d+)/", progress(page)).group(1)) == stopped, "training went on after Pause"
    assert page.locator("#model-picker input").input_value() == "my trained model (this session)"
    curves = page.evaluate("() => document.querySelector('#train-curves .js-plotly-plot').data[0].x.length")
    assert curves == stopped
    assert not console_errors, console_errors


def test_a_closed_tab_frees_its_training_slot(browser, app_url):
    """Two slots: learner A trains and closes the tab; B and C must then both train at once."""
    def learner():
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(TIMEOUT)
        page = context.new_page()
        open_app(page, app_url)
        open_tab(page, "train")
        return context, page

    def wait_training(page):
        # generous, yet far shorter than A's 2000-step run, which C would wait for if A kept its slot
        page.wait_for_function(
            "() => /training · step [1-9]/.test(document.querySelector('#train-progress').innerText)", timeout=60_000)

    a_context, a = learner()
    a.locator("#train-start").click()
    wait_training(a)
    a_context.close()  # the learner walks away mid-training
    contexts = []
    for _ in range(2):
        context, page = learner()
        contexts.append(context)
        page.locator("#train-start").click()
        wait_training(page)  # would sit in the queue for minutes if A still held its slot
        assert "queue" not in progress(page)
    for context in contexts:  # leaving frees the slots (as A showed); no Pause click a busy page may be slow to take
        context.close()
