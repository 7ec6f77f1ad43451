"""The "Where is it?" tab in the browser: the similarity map draws over the picture with its peak and
boxes, switching the method and typing a query redraw it, the measured hit rates show as bars, and
the page fits 1280 px in English and Chinese. Screenshots land in assets/screenshots."""

from __future__ import annotations

import pytest
from test_pages import TIMEOUT, open_app, open_tab

pytestmark = pytest.mark.browser

MAP = "#localize-map .js-plotly-plot"
HITS = "#localize-hits .js-plotly-plot"


def title_of(page, selector: str) -> str:
    return page.evaluate("(s) => document.querySelector(s).layout.title.text", selector)


def wait_for_title(page, selector: str, fragment: str) -> None:
    page.wait_for_function("([s, f]) => { const gd = document.querySelector(s);"
                           " return gd && gd.layout && gd.layout.title.text.includes(f); }",
                           arg=[selector, fragment], timeout=TIMEOUT)


def test_the_map_redraws_for_a_method_and_a_query(page, app_url, console_errors, screenshots_dir):
    open_app(page, app_url)
    open_tab(page, "localize")
    wait_for_title(page, MAP, "patch tokens")
    traces = page.evaluate("(s) => document.querySelector(s).data.map(t => t.type || 'scatter')", MAP)
    assert traces.count("image") == 2 and "heatmap" in traces  # the picture twice, the map over one of them
    colorbar = page.evaluate("(s) => document.querySelector(s).data.find(t => t.type === 'heatmap')"
                             ".colorbar.title.text", MAP)
    assert colorbar == "cosine similarity"
    boxes = page.evaluate("(s) => document.querySelector(s).layout.shapes.length", MAP)
    assert boxes == 4  # both objects' boxes, on both panels
    page.wait_for_selector(f"{HITS}", state="visible", timeout=TIMEOUT)
    bars = page.evaluate("(s) => document.querySelector(s).data.filter(t => t.type === 'bar').map(t => t.x.length)",
                         HITS)
    assert bars == [2, 2]  # patch tokens and windows, in both panels

    page.locator("#localize-method label:has-text('sliding windows')").click()
    wait_for_title(page, MAP, "sliding windows")
    page.screenshot(path=screenshots_dir / "en-localize-windows.png")

    query = page.locator("#localize-query textarea, #localize-query input").first
    query.fill("a purple zebra")
    query.press("Enter")
    page.wait_for_function("() => document.querySelector('#localize-readout').innerText.includes('zebra')",
                           timeout=TIMEOUT)
    assert "<unk>" in page.inner_text("#localize-readout")
    wait_for_title(page, MAP, "a purple zebra")
    page.locator("#localize-hits").scroll_into_view_if_needed()
    page.screenshot(path=screenshots_dir / "en-localize-hit-rates.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert not console_errors, "\n".join(console_errors)


def test_the_tab_reads_in_chinese(page, app_url, console_errors, screenshots_dir):
    open_app(page, app_url, "zh")
    open_tab(page, "localize")
    wait_for_title(page, MAP, "图块词元")
    page.wait_for_function("() => document.querySelector('#localize-readout').innerText.includes('场景')",
                           timeout=TIMEOUT)
    colorbar = page.evaluate("(s) => document.querySelector(s).data.find(t => t.type === 'heatmap')"
                             ".colorbar.title.text", MAP)
    assert colorbar == "余弦相似度"
    page.screenshot(path=screenshots_dir / "zh-localize-patches.png")
    page.locator("#localize-hits").scroll_into_view_if_needed()
    page.wait_for_selector(HITS, state="visible", timeout=TIMEOUT)
    assert "峰值" in title_of(page, HITS)
    page.screenshot(path=screenshots_dir / "zh-localize-hit-rates.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert not console_errors, "\n".join(console_errors)
