"""The app in a real browser: every tab renders its figure without console errors, the controls
redraw the logits heatmap, the language switch reloads the page in Chinese, nothing scrolls
sideways at 1280 px, and a screenshot of every tab in both languages lands in assets/screenshots."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lessons import ALL_LESSONS, BEYOND, BEYOND_ID, LESSONS
from lessons.common.prose import lesson_text
from lessons.page.strings import tr

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (make test installs Chromium)"),
]

LESSON_IDS = [lesson.LESSON_ID for lesson in ALL_LESSONS]
TOP_TABS = [lesson.LESSON_ID for lesson in LESSONS] + [BEYOND_ID]  # the beyond tab holds BEYOND as inner tabs
BEYOND_IDS = {lesson.LESSON_ID for lesson in BEYOND}
MAIN_FIGURE = {  # what each tab must show once it is opened
    "overview": "#overview-diagram svg",
    "toy_world": "#toy-world-samples img",
    "logits": ".js-plotly-plot",
    "temperature": ".js-plotly-plot",
    "train": ".js-plotly-plot",
    "zeroshot": "#zeroshot-bars .js-plotly-plot",
    "search": "#search-results img",
    "logit": ".js-plotly-plot",
    "photos": "#photos-logits .js-plotly-plot",
    "mistakes": "#mistakes-curves .js-plotly-plot",
    "negatives": "#negatives-chance .js-plotly-plot",
    "siglip": "#siglip-curves .js-plotly-plot",
    "crosslingual": "#crosslingual-matrix .js-plotly-plot",
    "artdirector": "#artdirector-curve .js-plotly-plot",
    "localize": "#localize-map .js-plotly-plot",
    "bagofwords": "#bagofwords-benchmark .js-plotly-plot",
    "distributed": "#distributed-blocks .js-plotly-plot",
}
CJK = re.compile(r"[\u4e00-\u9fff]")
TIMEOUT = 45_000  # ms: generous, a busy CI machine is slow; what never comes still fails
# Gradio moves tabs that do not fit the bar into a "..." menu (shown only when it holds some)
TABS_IN_MENU = ("() => [...document.querySelectorAll('.overflow-menu')]"
                ".filter(m => !m.classList.contains('hide') && m.offsetParent !== null).length")

PLOT_DATA = """(selector) => {
  const gd = document.querySelector(selector);
  if (!gd || !gd._fullData || !gd._fullData.length) return null;
  const z = gd._fullData[0].z;
  return {title: gd.layout.title.text, z: JSON.stringify(Array.from(z, row => Array.from(row)))};
}"""


def open_app(page, app_url: str, lang: str | None = None) -> None:
    page.goto(app_url + (f"?lang={lang}" if lang else ""))
    page.wait_for_selector(MAIN_FIGURE["overview"], timeout=TIMEOUT)


def open_tab(page, lesson_id: str) -> None:
    """Click a tab (inside "Beyond the basics" if it is there) and wait until its main figure has
    drawn and its images have loaded."""
    if lesson_id in BEYOND_IDS:
        page.click(f"#tab-{BEYOND_ID}-button")
    page.click(f"#tab-{lesson_id}-button")
    panel = f"#tab-{lesson_id}"
    page.wait_for_selector(f"{panel} {MAIN_FIGURE[lesson_id]}", state="visible", timeout=TIMEOUT)
    if MAIN_FIGURE[lesson_id] == ".js-plotly-plot":
        page.wait_for_function("(s) => [...document.querySelectorAll(s)].every(gd => gd.data && gd.data.length)",
                               arg=f"{panel} .js-plotly-plot", timeout=TIMEOUT)
    # lazy images below the fold load when scrolled to
    page.wait_for_function("(s) => [...document.querySelectorAll(s)].every(i => i.complete || i.loading === 'lazy')",
                           arg=f"{panel} img", timeout=TIMEOUT)
    page.wait_for_selector(f"{panel} .lesson-lead p", timeout=TIMEOUT)


def lead_fragment(lesson_id: str, lang: str) -> str:
    """The longest plain run of the lesson's lead (no math, no markdown marks): it must be on the page."""
    runs = re.split(r"\$[^$]*\$|[*`\"_\[\]()“”]", lesson_text(lesson_id, lang).lead)
    return max((run.strip() for run in runs), key=len)


def wait_for_text(page, selector: str, fragment: str) -> None:
    """Wait until the element shows `fragment` and no longer shows Gradio's pending timer."""
    try:
        page.wait_for_function(
            "([s, f]) => { const e = document.querySelector(s); return e && e.innerText.includes(f)"
            " && !e.querySelector('.eta-bar, .progress-text, .timer'); }",
            arg=[selector, fragment], timeout=TIMEOUT)
    except Exception:  # report what the page did show
        assert fragment in page.inner_text(selector), (selector, page.inner_text(selector))
        raise


def heatmap(page) -> dict:
    data = page.evaluate(PLOT_DATA, "#tab-logits .js-plotly-plot")
    assert data is not None, "the logits heatmap has no data"
    return data


# every picture of a tab that sits in the viewport has loaded (those further down may load lazily)
PICTURES_SHOWN = """s => [...document.querySelectorAll(s + ' img')]
  .filter(i => { const r = i.getBoundingClientRect(); return r.width > 0 && r.top < window.innerHeight; })
  .every(i => i.complete && i.naturalWidth > 0)"""


def wait_for_new_heatmap(page, before: dict) -> dict:
    page.wait_for_function(f"(s) => {{ const d = ({PLOT_DATA})(s); return d && d.z !== {json.dumps(before['z'])}; }}",
                           arg="#tab-logits .js-plotly-plot", timeout=TIMEOUT)
    return heatmap(page)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_tab_renders_cleanly_and_is_photographed(page, app_url, console_errors, screenshots_dir, lang):
    open_app(page, app_url, lang)
    tab_names = [page.inner_text(f"#tab-{tab_id}-button").strip() for tab_id in TOP_TABS]
    assert tab_names == [tr(lang, f"{tab_id}.tab") for tab_id in TOP_TABS]
    for index, lesson_id in enumerate(LESSON_IDS, start=1):
        open_tab(page, lesson_id)
        # the lead is filled in the session's language by the page-load event: wait for it to land
        wait_for_text(page, f"#tab-{lesson_id} .lesson-lead", lead_fragment(lesson_id, lang))
        page.wait_for_function(PICTURES_SHOWN, arg=f"#tab-{lesson_id}", timeout=TIMEOUT)  # none blank in the shot
        lead = page.inner_text(f"#tab-{lesson_id} .lesson-lead")
        assert bool(CJK.search(lead)) == (lang == "zh"), lead
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{lesson_id}: the page scrolls sideways ({width} px wide)"
        assert page.evaluate(TABS_IN_MENU) == 0, f"{lesson_id}: some tabs do not fit the bar (they are in '...')"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=screenshots_dir / f"{lang}-{index}-{lesson_id}.png")
    assert not console_errors, "\n".join(console_errors)
    for index, lesson_id in enumerate(LESSON_IDS, start=1):
        assert (screenshots_dir / f"{lang}-{index}-{lesson_id}.png").stat().st_size > 20_000


def test_temperature_slider_and_new_batch_redraw_the_heatmap(page, app_url, console_errors):
    open_app(page, app_url)
    open_tab(page, "logits")
    start = heatmap(page)
    assert "exp(t) =" in start["title"]

    # the temperature slider: type a value into its number box (an `input` event, like dragging: the page redraws)
    box = page.locator("#tab-logits input[aria-label^='number input for Temperature']")
    box.fill("-0.5")
    box.press("Enter")
    warmer = wait_for_new_heatmap(page, start)
    assert "exp(t) = 3.16" in warmer["title"], warmer["title"]  # 10 ** 0.5
    assert not page.locator("#tab-logits input[type=checkbox]").first.is_checked()  # no longer the learned τ

    # the page redraws at once (assets/live.js) and the server again when the box lets go: the new
    # batch is the figure with other captions, not merely another z
    captions = "() => JSON.stringify(document.querySelector('#tab-logits .js-plotly-plot').layout.xaxis.ticktext)"
    captions_before = page.evaluate(captions)
    page.click("#tab-logits button:has-text('New batch')")
    page.wait_for_function(f"(before) => ({captions})() !== before", arg=captions_before, timeout=TIMEOUT)
    assert "exp(t) = 3.16" in heatmap(page)["title"]
    assert page.locator("#tab-logits").get_by_label("Batch seed").input_value() == "1"
    assert not console_errors, "\n".join(console_errors)


def test_switching_to_chinese_reloads_the_page_in_chinese(page, app_url, console_errors):
    open_app(page, app_url)
    open_tab(page, "logits")
    english_lead = page.inner_text("#tab-logits .lesson-lead")
    assert page.inner_text("#tab-logits-button").strip() == "3 · Logits matrix"

    with page.expect_navigation(timeout=TIMEOUT):
        page.click("#language label:has-text('中文')")
    assert "lang=zh" in page.url
    page.wait_for_selector(MAIN_FIGURE["overview"], timeout=TIMEOUT)
    page.wait_for_function("() => document.querySelector('#tab-logits-button').innerText.includes('Logits 矩阵')",
                           timeout=TIMEOUT)
    assert page.inner_text("#tab-logits-button").strip() == "3 · Logits 矩阵"
    assert page.inner_text("#tab-overview-button").strip() == tr("zh", "overview.tab")
    open_tab(page, "logits")
    wait_for_text(page, "#tab-logits .lesson-lead", lead_fragment("logits", "zh"))
    chinese_lead = page.inner_text("#tab-logits .lesson-lead")
    assert chinese_lead != english_lead and CJK.search(chinese_lead)
    assert lead_fragment("logits", "zh") in chinese_lead
    assert page.locator("#language input[value=zh]").is_checked()
    assert not console_errors, "\n".join(console_errors)


def test_editing_templates_and_comparing_shows_the_measured_table(page, app_url, console_errors):
    open_app(page, app_url)
    open_tab(page, "zeroshot")
    templates = page.locator("#zeroshot-templates textarea")
    templates.fill("a photo of")  # no {}: refused, with the line named
    page.click("#zeroshot-compare")
    page.get_by_text("Template on line 1 (“a photo of”) must contain {} exactly once").first.wait_for(timeout=TIMEOUT)

    templates.fill("a {}\n{}\na large {}")
    page.click("#zeroshot-compare")
    page.wait_for_selector("#zeroshot-compare-table table", timeout=TIMEOUT)
    page.wait_for_selector("#zeroshot-compare-plot .js-plotly-plot", timeout=TIMEOUT)
    cells = [c.strip() for c in page.inner_text("#zeroshot-compare-table").split("held-out pairs (%)")[1].splitlines()]
    cells = [c for c in cells if c]  # one cell per line: template, all, seen, held-out
    assert cells[::4] == ["a {}", "{}", "a large {}", "ensemble (embedding)", "ensemble (probability)"]
    assert all(0 <= float(c) <= 100 for c in cells[1::4])
    summary = page.inner_text("#zeroshot-compare-summary")
    assert "Measured on 336 test images" in summary and "Chance: 1.8 %" in summary  # 56 pairs x 6

    page.click("#zeroshot-greedy")
    page.wait_for_selector("#zeroshot-greedy-table table", timeout=TIMEOUT)
    assert "Greedy selection kept" in page.inner_text("#zeroshot-greedy-summary")
    errors = [e for e in console_errors if "must contain" not in e]
    assert not errors, "\n".join(errors)


PLOT_DRAWN = "(s) => { const gd = document.querySelector(s); return gd && gd.data && gd.data.length; }"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_what_a_prompt_is_worth_shows_the_shipped_models_measurements(page, app_url, console_errors, screenshots_dir,
                                                                     shipped_checkpoint, lang):
    """Lesson 6's five prompt effects, drawn and quoted from the model in the header (a Chinese page starts
    on the shipped bilingual model)."""
    import lessons.common.session
    from clip_core.checkpoint import read_metrics

    folder = shipped_checkpoint if lang == "en" else lessons.common.session.BILINGUAL_CHECKPOINT
    prompts = read_metrics(folder)["prompts"]
    photo = 100 * prompts["style_table"]["accuracy"]["a photo of a {}."]["photo"]
    bare = 100 * prompts["style_table"]["accuracy"]["{}"]["photo"]
    open_app(page, app_url, lang)
    open_tab(page, "zeroshot")
    page.click("#zeroshot-worth")
    for plot in ("styles", "orange", "probe"):
        page.wait_for_function(PLOT_DRAWN, arg=f"#zeroshot-worth-{plot} .js-plotly-plot", timeout=TIMEOUT)
    summary = page.inner_text("#zeroshot-worth-summary")
    assert f"{photo:.1f}" in summary and f"{bare:.1f}" in summary, summary  # effect 1, as the model measured it
    assert summary.count("·") >= 5  # the five numbered effects
    for plot in ("styles", "orange", "probe"):  # every figure fits the laptop screen's width
        box = page.locator(f"#zeroshot-worth-{plot}").bounding_box()
        assert box and box["width"] <= 1280 and box["height"] > 200
    page.locator("#zeroshot-worth-heading").scroll_into_view_if_needed()
    page.screenshot(path=screenshots_dir / f"{lang}-zeroshot-prompt-worth.png")
    page.locator("#zeroshot-worth-orange").scroll_into_view_if_needed()
    page.screenshot(path=screenshots_dir / f"{lang}-zeroshot-prompt-worth-figures.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert not console_errors, "\n".join(console_errors)


def test_clicking_a_gallery_image_searches_for_similar_images(page, app_url, console_errors):
    open_app(page, app_url)
    open_tab(page, "search")
    assert "Text → image" in page.inner_text("#search-summary")
    page.locator("#search-gallery .thumbnail-item").nth(5).click()
    page.wait_for_function("() => document.querySelector('#search-summary').innerText.includes('gallery image #5')",
                           timeout=TIMEOUT)
    first = page.locator("#search-results .caption-label").first.inner_text()
    assert first.startswith("1 · #5 · cos 1.000"), first
    assert not console_errors, "\n".join(console_errors)
