"""The pretrained CLIP in the browser (the tiny offline one the test server offers): picking it in
the header loads it and says what it is, toy-only lessons say so, and the photos tab computes the
logits matrix, zero-shot and search on uploaded pictures. Screenshots land in assets/screenshots."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from test_pages import CJK, TIMEOUT, open_app, open_tab, wait_for_text

pytestmark = pytest.mark.browser


def pick_pretrained(page) -> None:
    page.click("#model-picker input")
    # Gradio's dropdown picks an option on mousedown
    page.locator("li[role=option][aria-label*='tiny_pretrained_clip']").dispatch_event("mousedown")
    # "Loading the pretrained CLIP …" comes first: wait for the loaded model's description
    page.wait_for_function("() => /parameters|参数/.test(document.querySelector('#model-status').innerText)",
                           timeout=TIMEOUT)


@pytest.fixture(scope="module")
def uploads(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("uploads")
    rng = np.random.default_rng(1)
    paths = []
    for i, (h, w) in enumerate([(120, 160), (90, 90), (200, 140)]):
        path = folder / f"holiday-{i}.jpg"
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(path)
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pretrained_pick_notes_and_photos_tab(page, app_url, console_errors, screenshots_dir, uploads, lang):
    open_app(page, app_url, lang)
    open_tab(page, "photos")
    # a toy model is picked: the photos tab says what that means
    assert page.locator("#pretrained-note-photos").is_visible()
    pick_pretrained(page)
    status = page.inner_text("#model-status")
    assert ("parameters" in status) if lang == "en" else ("参数" in status)
    page.wait_for_selector("#pretrained-note-photos", state="hidden", timeout=TIMEOUT)
    ready = "{n} picture(s) ready" if lang == "en" else "已准备好 {n} 张图片"
    wait_for_text(page, "#photos-status", ready.format(n=6))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots_dir / f"{lang}-pretrained-photos.png", full_page=True)

    # clear the examples, upload three pictures of one's own: the logits matrix needs one caption per picture
    page.locator("#photos-files button[aria-label='Clear'], #photos-files button[aria-label='清除']").first.click()
    page.wait_for_function("s => !document.querySelector('#photos-status').innerText.includes(s)",
                           arg=ready.format(n=6), timeout=TIMEOUT)
    page.locator("#photos-files input[type=file]").set_input_files(uploads)
    # the exact messages, not bare digits: Gradio's pending timer ("0.3s") holds digits too
    wait_for_text(page, "#photos-status", ready.format(n=3))
    mismatch = "3 picture(s) but 6 caption(s)" if lang == "en" else "有 3 张图片，却有 6 条描述"
    wait_for_text(page, "#photos-logits-summary", mismatch)
    page.locator("#photos-captions textarea").fill("a beach\na cat\na mountain")
    page.locator("#photos-captions textarea").press("Enter")  # one more line is harmless: blank lines are skipped
    compute = "Compute the logits matrix" if lang == "en" else "计算 logits 矩阵"
    page.click(f"#tab-photos button:has-text('{compute}')")
    page.wait_for_function("() => { const gd = document.querySelector('#photos-logits .js-plotly-plot');"
                           " return gd && gd._fullData && gd._fullData[0].z.length === 3; }", timeout=TIMEOUT)
    page.locator("#photos-query textarea, #photos-query input").first.fill("a cat")
    page.locator("#photos-query textarea, #photos-query input").first.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#photos-results img').length === 3", timeout=TIMEOUT)

    # a toy-only lesson says so while the pretrained CLIP is picked
    open_tab(page, "train")
    note = page.inner_text("#pretrained-note-train")
    assert ("toy-only" in note) if lang == "en" else bool(CJK.search(note))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots_dir / f"{lang}-pretrained-train.png")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
    assert not console_errors, "\n".join(console_errors)
