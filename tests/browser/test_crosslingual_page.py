"""The "Two languages" tab in the browser, in English and in Chinese: the caption-pair matrix lights
up its diagonal, the model switch and New scenes redraw it, the measured comparison arrives; and a
Chinese session's zero-shot tab starts on Chinese prompts. Screenshots land in assets/screenshots."""

from __future__ import annotations

import pytest
from test_pages import CJK, TIMEOUT, open_app, open_tab

from lessons.common import session as lesson_session

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not lesson_session.bilingual_available(), reason="no bilingual checkpoint")]

MATRIX = """() => {
  const gd = document.querySelector('#crosslingual-matrix .js-plotly-plot');
  if (!gd || !gd._fullData || !gd._fullData.length) return null;
  return Array.from(gd._fullData[0].z, row => Array.from(row));
}"""


def diagonal_wins(z: list[list[float]]) -> int:
    """Rows whose largest cosine is on the diagonal (the caption's own translation)."""
    return sum(max(range(len(row)), key=row.__getitem__) == i for i, row in enumerate(z))


def wait_for_readout(page, fragment: str) -> str:
    try:
        page.wait_for_function("(f) => document.querySelector('#crosslingual-readout').innerText.includes(f)",
                               arg=fragment, timeout=TIMEOUT)
    except Exception:
        raise AssertionError(f"{fragment!r} not in {page.inner_text('#crosslingual-readout')[:400]!r}") from None
    return page.inner_text("#crosslingual-readout")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_pair_matrix_the_model_switch_and_the_comparison(page, app_url, console_errors, screenshots_dir, lang):
    words = {"en": {"all": "For 8 of 8", "unk": "single `<unk>` token", "measured": "Measured on 448",
                    "english_only": "trained on English captions only"},
             "zh": {"all": "有 8 条", "unk": "`<unk>`", "measured": "在 448 张测试图上实测",
                    "english_only": "只用英文描述训练"}}[lang]
    open_app(page, app_url, lang)
    open_tab(page, "crosslingual")
    wait_for_readout(page, words["all"].replace("`", ""))
    z = page.evaluate(MATRIX)
    assert len(z) == 8 and diagonal_wins(z) == 8
    pictures = "document.querySelector('#crosslingual-matrix .js-plotly-plot').layout.images"
    assert page.evaluate(f"() => {pictures}.length") == 8  # the scenes' pictures beside the rows
    page.wait_for_function("() => document.querySelectorAll('#crosslingual-matrix image').length > 8",
                           timeout=TIMEOUT)  # ... drawn (plus the heatmap itself, an image too)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.locator("#tab-crosslingual .lesson-lead").first.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -60)")
    page.screenshot(path=screenshots_dir / f"{lang}-crosslingual-matrix.png")

    page.locator("#crosslingual-compare").get_by_text(words["measured"]).wait_for(timeout=TIMEOUT)
    page.locator("#crosslingual-map").scroll_into_view_if_needed()
    page.screenshot(path=screenshots_dir / f"{lang}-crosslingual-map.png")
    page.locator("#crosslingual-bars").scroll_into_view_if_needed()
    page.screenshot(path=screenshots_dir / f"{lang}-crosslingual-comparison.png")

    page.locator("#crosslingual-model").get_by_text(words["english_only"]).click()
    readout = wait_for_readout(page, "<unk>")
    assert words["unk"].replace("`", "") in readout
    assert diagonal_wins(page.evaluate(MATRIX)) < 8  # the Chinese columns no longer tell the scenes apart
    before = page.evaluate(MATRIX)
    page.click("#crosslingual-new")
    page.wait_for_function(f"(before) => {{ const z = ({MATRIX})(); return z && Math.abs(z[0][1] - before) > 1e-6; }}",
                           arg=before[0][1], timeout=TIMEOUT)
    assert page.input_value("#crosslingual-seed input") == "1"
    assert not console_errors, "\n".join(console_errors)


def test_a_chinese_session_classifies_with_chinese_prompts(page, app_url, console_errors, screenshots_dir):
    open_app(page, app_url, "zh")
    open_tab(page, "zeroshot")
    page.wait_for_function("(t) => document.querySelector('#zeroshot-templates textarea').value.includes(t)",
                           arg="一张{}的照片", timeout=TIMEOUT)
    assert page.input_value("#zeroshot-classes textarea").startswith("红色圆形、红色正方形")
    page.get_by_text("最可能的类别：绿色圆环").wait_for(timeout=TIMEOUT)
    assert "✓ 正确" in page.inner_text("#zeroshot-result")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots_dir / "zh-zeroshot-chinese-prompts.png")
    assert not console_errors, "\n".join(console_errors)


SAMPLE_CAPTIONS = "() => [...document.querySelectorAll('#toy-world-samples .caption-label')].map(e => e.innerText)"
HAS_CJK = "c => /[\\u4e00-\\u9fff]/.test(c)"


def test_the_toy_world_speaks_the_picked_models_languages(page, app_url, console_errors):
    """An English session starts on English captions; picking the bilingual model mixes in Chinese ones."""
    open_app(page, app_url)
    open_tab(page, "toy_world")
    page.wait_for_function(f"() => ({SAMPLE_CAPTIONS})().length === 16", timeout=TIMEOUT)
    assert not any(CJK.search(c) for c in page.evaluate(SAMPLE_CAPTIONS))
    page.click("#model-picker input")
    page.locator("li[role=option][aria-label*='bilingual']").dispatch_event("mousedown")  # Gradio picks on mousedown
    page.wait_for_function(f"() => ({SAMPLE_CAPTIONS})().some({HAS_CJK})", timeout=TIMEOUT)
    captions = page.evaluate(SAMPLE_CAPTIONS)
    assert len(captions) == 16 and not all(CJK.search(c) for c in captions), captions  # mixed, not all Chinese
    assert CJK.search(page.inner_text("#toy-world-scene-info"))  # the scene's captions too
    assert not console_errors, "\n".join(console_errors)
