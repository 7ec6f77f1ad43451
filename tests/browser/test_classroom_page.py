"""Classroom features in the browser: a link restores the lesson and its settings, "copy link" gives
a link that opens the same view in a fresh page, teacher mode (?teacher=1) enlarges the type and
hides the advanced controls. Screenshots of teacher mode (en, zh) land in assets/screenshots."""

from __future__ import annotations

import re

import pytest
from test_pages import TIMEOUT, open_app, open_tab

from lessons.page.teacher import PLOT_SCALE

pytestmark = pytest.mark.browser

SELECTED = "#tab-{}-button[aria-selected=true]"


def wait_for_text(page, selector: str, pattern: str) -> None:
    page.wait_for_function("([s, p]) => { const e = document.querySelector(s); return !!e && new RegExp(p).test("
                           "e.innerText); }", arg=[selector, pattern], timeout=TIMEOUT)


def test_a_link_opens_its_lesson_with_its_settings_and_names_what_it_ignored(page, app_url, console_errors):
    page.goto(app_url + "?lesson=temperature&n=16&seed=3&row=11&log_scale=1.5&colour=blue")
    page.wait_for_selector(SELECTED.format("temperature"), timeout=TIMEOUT)
    # the read-out is drawn by the lesson from the link's values: exp(t) = 10^1.5, and ln 16 for n = 16
    wait_for_text(page, "#tab-temperature", r"exp\(t\) = 31\.62")
    text = page.locator("#tab-temperature").inner_text()
    assert "ln 16 = 2.773" in text
    numbers = page.locator("#tab-temperature input[type=number]").evaluate_all("els => els.map(e => e.value)")
    assert "16" in numbers and "3" in numbers and "11" in numbers and "1.5" in numbers
    row = page.locator("#tab-temperature input[type=range]").nth(2)  # scale, n, row
    assert (row.input_value(), row.get_attribute("max")) == ("11", "15")
    wait_for_text(page, "#share-notice", "ignored")
    assert "colour" in page.locator("#share-notice").inner_text()
    assert not console_errors, "\n".join(console_errors)


def test_a_link_opens_a_lesson_inside_tab_nine_with_its_settings(page, app_url, console_errors):
    page.goto(app_url + "?lesson=localize&scene=7&query=a%20green%20cross&method=windows")
    page.wait_for_selector(SELECTED.format("beyond"), timeout=TIMEOUT)
    page.wait_for_selector(SELECTED.format("localize"), timeout=TIMEOUT)
    wait_for_text(page, "#localize-readout", "Scene 7")
    assert page.locator("#localize-query textarea, #localize-query input").first.input_value() == "a green cross"
    assert page.locator("#localize-method input[value=windows]").is_checked()
    assert not console_errors, "\n".join(console_errors)


def test_copy_link_opens_the_same_view_in_a_fresh_page(page, app_url, console_errors):
    open_app(page, app_url)
    open_tab(page, "negatives")
    box = page.locator("#negatives-n input[type=number]")
    box.fill("128")
    box.press("Enter")
    wait_for_text(page, "#negatives-chance-readout", "n = 128")
    page.click("#copy-link")
    page.wait_for_function("() => (document.querySelector('#share-link textarea') || {}).value?.startsWith('http')",
                           timeout=TIMEOUT)
    link = page.locator("#share-link textarea").input_value()
    assert re.search(r"[?&]lesson=negatives(&|$)", link) and re.search(r"[?&]n=128(&|$)", link), link
    assert page.url == link  # the address bar now holds the same link

    fresh = page.context.new_page()
    fresh.goto(link)
    fresh.wait_for_selector(SELECTED.format("negatives"), timeout=TIMEOUT)
    wait_for_text(fresh, "#negatives-chance-readout", "n = 128")
    assert fresh.locator("#negatives-n input[type=number]").input_value() == "128"
    budget = page.locator("#negatives-budget input[type=number]").input_value()
    assert fresh.locator("#negatives-budget input[type=number]").input_value() == budget
    fresh.close()
    assert not console_errors, "\n".join(console_errors)


FONT_SIZE = "s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)"
# Gradio moves tabs that do not fit the bar into a "..." menu (shown only when it holds some)
TABS_IN_MENU = ("() => [...document.querySelectorAll('.overflow-menu')]"
                ".filter(m => !m.classList.contains('hide') && m.offsetParent !== null).length")
HIDDEN = "s => [...document.querySelectorAll(s)].map(e => e.offsetParent === null)"
# a figure's base font, title font and first annotation font, as Plotly drew them
PLOT_FONTS = ("s => { const gd = document.querySelector(s); const f = gd && gd._fullLayout; if (!f) return null;"
              " return [f.font.size, f.title.font.size, f.annotations[0].font.size]; }")


def open_temperature(page, app_url: str, query: str) -> None:
    page.goto(app_url + "?lesson=temperature" + query)
    page.wait_for_selector(SELECTED.format("temperature"), timeout=TIMEOUT)
    wait_for_text(page, "#tab-temperature", r"exp\(t\)")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_teacher_mode_enlarges_type_and_hides_advanced_controls(page, app_url, console_errors, screenshots_dir,
                                                                lang):
    if lang == "en":  # the comparison once; zh only for its screenshots
        open_temperature(page, app_url, "")
        normal_lead = page.evaluate(FONT_SIZE, "#tab-temperature .lesson-lead p")
        normal_label = page.evaluate(FONT_SIZE, "#tab-temperature label span")
        assert page.evaluate(HIDDEN, "#tab-temperature .advanced") == [False, False]  # seed and "new batch"
        normal_plot = page.evaluate(PLOT_FONTS, "#tab-temperature .js-plotly-plot")
    open_temperature(page, app_url, f"&lang={lang}&teacher=1")
    assert page.evaluate("document.documentElement.classList.contains('teacher')")
    assert page.evaluate(HIDDEN, "#tab-temperature .advanced") == [True, True]
    if lang == "en":
        assert page.evaluate(FONT_SIZE, "#tab-temperature .lesson-lead p") >= 1.2 * normal_lead
        assert page.evaluate(FONT_SIZE, "#tab-temperature label span") >= 1.2 * normal_label
        # the figures' small text grows too (base font, annotations), the already large title does not
        page.wait_for_function(f"([s, base]) => {{ const f = ({PLOT_FONTS})(s); return f && f[0] > base[0]; }}",
                               arg=["#tab-temperature .js-plotly-plot", normal_plot], timeout=TIMEOUT)
        teacher_plot = page.evaluate(PLOT_FONTS, "#tab-temperature .js-plotly-plot")
        expected = [PLOT_SCALE * normal_plot[0], normal_plot[1], PLOT_SCALE * normal_plot[2]]
        assert teacher_plot == pytest.approx(expected, abs=0.06), (normal_plot, teacher_plot)
    page.screenshot(path=screenshots_dir / f"{lang}-teacher-temperature.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(TABS_IN_MENU) == 0, "larger type pushed lessons into the tab bar's '...' menu"

    page.locator("#quiz-cold_softmax-choice label").nth(1).click()
    page.click("#quiz-cold_softmax-reveal")
    wait_for_text(page, "#quiz-cold_softmax-answer", "✓")
    page.locator("#quiz-cold_softmax").first.scroll_into_view_if_needed()
    page.screenshot(path=screenshots_dir / f"{lang}-teacher-temperature-quiz.png")

    page.click("#copy-link")
    page.wait_for_function("() => (document.querySelector('#share-link textarea') || {}).value?.startsWith('http')",
                           timeout=TIMEOUT)
    link = page.locator("#share-link textarea").input_value()
    assert "teacher=1" in link and f"lang={lang}" in link and "lesson=temperature" in link
    assert not console_errors, "\n".join(console_errors)
