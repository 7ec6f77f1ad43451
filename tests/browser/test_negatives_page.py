"""The "Batch size & negatives" and "SigLIP" tabs in the browser: the n slider redraws the chance
view, the sweep and the side-by-side training stream into the page and stop on Stop, and the
probability view answers the "leave the true class out" switch. Screenshots land in assets/screenshots."""

from __future__ import annotations

import re

import pytest
from test_pages import TIMEOUT, open_app, open_tab

pytestmark = pytest.mark.browser


def text_of(page, selector: str) -> str:
    return page.locator(selector).inner_text()


def test_the_n_slider_redraws_the_chance_view(page, app_url, console_errors):
    open_app(page, app_url)
    open_tab(page, "negatives")
    assert "n = 32:" in text_of(page, "#negatives-chance-readout")
    box = page.locator("#negatives-n input[type=number]")
    box.fill("128")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('#negatives-chance-readout').innerText.includes('n = 128')",
                           timeout=TIMEOUT)
    chosen = page.evaluate("() => document.querySelector('#negatives-chance .js-plotly-plot').data[2].x[0]")
    assert chosen == 128
    assert "127 negatives" in text_of(page, "#negatives-chance-readout")
    assert not console_errors, "\n".join(console_errors)


def test_the_sweep_streams_and_stop_keeps_its_points(page, app_url, console_errors):
    open_app(page, app_url)
    open_tab(page, "negatives")
    page.click("#negatives-start")
    page.wait_for_function("() => /run 1 of 3/.test(document.querySelector('#negatives-progress').innerText)",
                           timeout=60_000)
    page.click("#negatives-stop")
    page.wait_for_function("() => /stopped/.test(document.querySelector('#negatives-progress').innerText)",
                           timeout=60_000)
    points = page.evaluate("() => document.querySelector('#negatives-sweep .js-plotly-plot').data"
                           ".filter(t => t.legendgroup === '8' && t.yaxis === 'y2')[0].x.length")
    assert points >= 1
    row = re.search(r"\b8\s+(\d+)/2400\s+7\b", text_of(page, "#negatives-readout"))  # batch, steps, negatives
    assert row and int(row.group(1)) == points * 2400 // 12, text_of(page, "#negatives-readout")
    assert not console_errors, "\n".join(console_errors)


def test_siglip_trains_side_by_side_stops_and_compares(page, app_url, console_errors, screenshots_dir):
    open_app(page, app_url)
    open_tab(page, "siglip")
    assert "untrained" in text_of(page, "#siglip-readout")
    page.click("#siglip-start")
    page.wait_for_function("() => /training · step [1-9]/.test(document.querySelector('#siglip-progress').innerText)",
                           timeout=60_000)
    page.wait_for_timeout(3000)
    page.click("#siglip-stop")
    page.wait_for_function("() => /stopped/.test(document.querySelector('#siglip-progress').innerText)",
                           timeout=TIMEOUT)
    stopped = int(re.search(r"step (\d+)/", text_of(page, "#siglip-progress")).group(1))
    page.wait_for_timeout(1500)
    assert int(re.search(r"step (\d+)/", text_of(page, "#siglip-progress")).group(1)) == stopped
    losses = page.evaluate("() => document.querySelector('#siglip-curves .js-plotly-plot').data[0].y.length")
    assert losses == stopped

    page.locator("#siglip-leave-out input").check()
    page.wait_for_function("() => document.querySelector('#siglip-readout').innerText.includes('not in the list')",
                           timeout=TIMEOUT)
    assert f"after {stopped} training steps" in text_of(page, "#siglip-readout")
    page.locator("#siglip-bars").scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('#siglip-picture img')].every(i => i.complete "
                           "&& i.naturalWidth > 0)", timeout=TIMEOUT)
    page.screenshot(path=screenshots_dir / "en-siglip-stopped-leave-out.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert not console_errors, "\n".join(console_errors)
