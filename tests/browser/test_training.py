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
