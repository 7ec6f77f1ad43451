"""Sliders redrawn in the page (issue 16, assets/live.js): after a move, with no server call, the
figure's numbers equal clip_core's within 1e-5 — the logits lesson's softmax and row/column losses
(clip_core.loss.loss_breakdown), the temperature lesson's softmax, loss and entropy
(lessons.temperature.row_statistics) and the zero-shot lesson's class probabilities
(clip_core.zeroshot.classify, both ensembles) at several temperatures — and the read-outs follow.
On release the server redraws the same figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from clip_core import ShapesWorld, checkpoint
from clip_core.loss import loss_breakdown
from clip_core.zeroshot import classify
from lessons.common.classes import parse_classes, parse_templates
from lessons.common.compute import demo_batch
from lessons.temperature import row_statistics
from lessons.zeroshot import PICK_PER_PAIR

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (make test installs Chromium)"),
]
TIMEOUT = 45_000
LOAD_TIMEOUT = 240_000  # a first page fires ~30 queued events: minutes on a machine shared by many
TOLERANCE = 1e-5

# set a range input's value and fire its `input` event, as a drag does (no pointerup: no release)
MOVE = """([selector, value]) => {
  const input = document.querySelector(selector);
  input.value = String(value);
  input.dispatchEvent(new Event('input', {bubbles: true}));
}"""
TRACES = """(selector) => {
  const gd = document.querySelector(selector + ' .js-plotly-plot');
  const plain = (v) => Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v, plain) : v;
  // _fullData: what Plotly drew (gd.data keeps a server figure's arrays base64-encoded)
  return {data: gd._fullData.map(t => ({x: plain(t.x), y: plain(t.y), z: plain(t.z)})), title: gd.layout.title.text,
          annotations: (gd.layout.annotations || []).map(a => a.text)};
}"""


@pytest.fixture(scope="module")
def shipped(shipped_checkpoint):
    """The app's default model and the demo batch's cosines, straight from the checkpoint files."""
    model = checkpoint.load(shipped_checkpoint)
    metrics = checkpoint.read_metrics(shipped_checkpoint) or {}
    world = ShapesWorld(metrics.get("train_config", {}).get("world_seed", 0), image_size=model.config.image_size)

    def cosines(n: int, seed: int) -> np.ndarray:
        batch = demo_batch(world, n, seed)
        with torch.no_grad():
            model.eval()
            I_e = model.encode_image(batch.images)  # [n, d_e]
            T_e = model.encode_text(model.tokenizer(batch.captions))  # [n, d_e]
        return (I_e @ T_e.T).numpy()  # [n, n] float32, as the app computes it

    cosines.model, cosines.world = model, world
    return cosines


def open_tab(page, app_url: str, lesson_id: str, plot: str) -> None:
    page.goto(app_url)
    page.click(f"#tab-{lesson_id}-button", timeout=LOAD_TIMEOUT)
    page.wait_for_function("(s) => { const gd = document.querySelector(s + ' .js-plotly-plot');"
                           " return gd && gd.layout && gd.layout.meta && gd.layout.meta.live; }",
                           arg=plot, timeout=LOAD_TIMEOUT)


def count_requests(page) -> list[str]:
    """URLs of the app's API calls from now on (the queue's joins and gradio's run endpoints)."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "/queue/join" in r.url or "/run/" in r.url else None)
    return seen


def test_logits_slider_matches_clip_core_in_the_page(page, app_url, console_errors, shipped):
    open_tab(page, app_url, "logits", "#logits-main")
    slider = "#tab-logits input[type=range][aria-label^='range slider for Temperature']"
    cosine = shipped(8, 0).astype(np.float64)
    page.wait_for_function("(s) => document.querySelector(s).value !== ''", arg=slider, timeout=TIMEOUT)
    requests = count_requests(page)
    for log_tau in (-1.8, -1.15, -0.5, 0.3):
        scale = 10.0 ** -log_tau
        page.evaluate(MOVE, [slider, log_tau])
        page.wait_for_function("([s, t]) => document.querySelector(s + ' .js-plotly-plot').layout.title.text"
                               ".endsWith(t)", arg=["#logits-main", f"exp(t) = {scale:.2f}"], timeout=TIMEOUT)
        shown = page.evaluate(TRACES, "#logits-main")
        expected = loss_breakdown(torch.from_numpy(cosine) * scale)  # clip_core, float32 inside
        heat, rows, columns = shown["data"][:3]
        assert np.abs(np.array(heat["z"]) - expected.p_image_to_text.numpy()).max() < TOLERANCE
        assert np.abs(np.array(rows["x"]) - expected.per_image.numpy()).max() < TOLERANCE
        assert np.abs(np.array(columns["y"]) - expected.per_text.numpy()).max() < TOLERANCE
        assert f"loss {expected.total:.3f}" in shown["title"]
        summary = page.locator("#tab-logits").get_by_text("at chance it would be").inner_text()
        assert f"Loss {expected.total:.3f}" in summary and f"exp(t) = {scale:.2f}" in summary
    assert not page.locator("#tab-logits input[type=checkbox]").first.is_checked()  # no longer the learned τ
    assert requests == [], f"the page asked the server while the slider moved: {requests}"
    # the column-softmax view: the page computes the other softmax too
    page.locator("#tab-logits").get_by_text("column softmax: text → image").click()
    page.wait_for_function("() => document.querySelector('#logits-main .js-plotly-plot').layout.meta.live.view"
                           " === 'p_text_to_image'", timeout=TIMEOUT)
    page.evaluate(MOVE, [slider, -1.3])
    scale = 10.0 ** 1.3
    page.wait_for_function("([s, t]) => document.querySelector(s + ' .js-plotly-plot').layout.title.text.endsWith(t)",
                           arg=["#logits-main", f"exp(t) = {scale:.2f}"], timeout=TIMEOUT)
    expected = loss_breakdown(torch.from_numpy(cosine) * scale)
    z = np.array(page.evaluate(TRACES, "#logits-main")["data"][0]["z"])
    assert np.abs(z - expected.p_text_to_image.numpy()).max() < TOLERANCE
    assert not console_errors, console_errors


def test_temperature_slider_matches_row_statistics_in_the_page(page, app_url, console_errors, shipped):
    open_tab(page, app_url, "temperature", "#temperature-bars")
    slider = "#tab-temperature input[type=range][aria-label^='range slider for Temperature: logit scale']"
    cosines = shipped(8, 0)[0].astype(np.float64)  # row 0
    requests = count_requests(page)
    for log_scale in (0.3, 1.0, 1.5, 2.2):
        scale = 10.0 ** log_scale
        page.evaluate(MOVE, [slider, log_scale])
        page.wait_for_function("(t) => document.querySelector('#temperature-curves .js-plotly-plot')"
                               ".layout.annotations[2].text.endsWith(t)", arg=f"×{scale:.3g}", timeout=TIMEOUT)
        bars = page.evaluate(TRACES, "#temperature-bars")
        curves = page.evaluate(TRACES, "#temperature-curves")
        expected = row_statistics(cosines, 0, np.array([scale]))
        # the framed panel is the slider's: its two traces (other captions, the correct one)
        panel = next(i for i, text in enumerate(bars["annotations"]) if text.startswith("<b>"))
        others, correct = bars["data"][2 * panel], bars["data"][2 * panel + 1]
        probs = np.zeros(len(cosines))
        probs[others["x"]] = others["y"]
        probs[correct["x"]] = correct["y"]
        assert np.abs(probs - expected.probs[0]).max() < TOLERANCE
        entropy, loss = curves["data"][1]["y"][0], curves["data"][3]["y"][0]  # the slider's markers
        assert abs(entropy - expected.entropy[0]) < TOLERANCE and abs(loss - expected.loss[0]) < TOLERANCE
        assert curves["data"][7]["y"][0] == pytest.approx(expected.grad_cosines[0], rel=1e-9)
        readout = page.locator("#tab-temperature").get_by_text("At this scale").inner_text()
        assert f"entropy = {expected.entropy[0]:.3f}" in readout and f"{expected.probs[0, 0]:.3f}" in readout
    assert requests == [], f"the page asked the server while the slider moved: {requests}"
    assert not console_errors, console_errors


def test_releasing_the_slider_lets_the_server_redraw_the_same_figure(page, app_url, console_errors, shipped):
    open_tab(page, app_url, "logits", "#logits-main")
    page.evaluate("() => { window.pageDrawn = document.querySelector('#logits-main .js-plotly-plot'); }")
    box = page.locator("#tab-logits input[aria-label^='number input for Temperature']")
    box.fill("-0.8")
    box.blur()  # the number box's blur is a release: the server redraws (Gradio draws its answer in a new div)
    scale = 10.0 ** 0.8
    page.wait_for_function("(t) => { const gd = document.querySelector('#logits-main .js-plotly-plot');"
                           " return gd !== window.pageDrawn && gd.layout.title.text.endsWith(t); }",
                           arg=f"exp(t) = {scale:.2f}", timeout=TIMEOUT)
    expected = loss_breakdown(torch.from_numpy(shipped(8, 0).astype(np.float64)) * scale)
    rows = np.array(page.evaluate(TRACES, "#logits-main")["data"][1]["x"])
    assert np.abs(rows - expected.per_image.numpy()).max() < TOLERANCE
    assert not console_errors, console_errors


def test_zeroshot_temperature_matches_classify_in_the_page(page, app_url, console_errors, shipped):
    open_tab(page, app_url, "zeroshot", "#zeroshot-bars")
    slider = "#tab-zeroshot input[type=range][aria-label^='range slider for Softmax temperature']"
    classnames = parse_classes(page.input_value("#zeroshot-classes textarea"), "en")
    templates = parse_templates(page.input_value("#zeroshot-templates textarea"), "en")
    model, world = shipped.model, shipped.world
    test = world.test_set(PICK_PER_PAIR, "all", style=None)  # the picker's first image of the default pair
    pair = page.input_value("#zeroshot-pair input").removesuffix(" ★")  # ★: a held-out pair
    image = test.images[test.attributes.pair_names().index(pair)]
    requests = count_requests(page)
    for ensemble, log_taus in (("embedding", (-2.0, -1.3, -0.6, 0.2)), ("probability", (-1.7, -0.4))):
        if ensemble == "probability":  # the server redraws (a new figure with [T, C] cosines), then the page
            page.locator("#tab-zeroshot").get_by_text("average the probabilities").click()
            page.wait_for_function("() => Array.isArray(document.querySelector('#zeroshot-bars .js-plotly-plot')"
                                   ".layout.meta.live.cosines[0])", timeout=TIMEOUT)
            requests.clear()
        for log_tau in log_taus:
            scale = 10.0 ** -log_tau
            page.evaluate(MOVE, [slider, log_tau])
            page.wait_for_function("(t) => document.querySelector('#zeroshot-result').innerText.includes(t)",
                                   arg=f"exp(t) = {scale:.2f}", timeout=TIMEOUT)
            bars = page.evaluate("() => { const gd = document.querySelector('#zeroshot-bars .js-plotly-plot');"
                                 " return {x: Array.from(gd._fullData[0].x), names: gd.layout.yaxis.ticktext}; }")
            expected = classify(model, model.tokenizer, image[None], classnames, templates, ensemble,
                                logit_scale=scale)[0].double().numpy()
            top = np.argsort(-expected, kind="stable")[: len(bars["x"])]
            assert bars["names"] == [classnames[j] for j in top], (ensemble, log_tau)
            assert np.abs(np.array(bars["x"]) - expected[top]).max() < TOLERANCE, (ensemble, log_tau)
            result = page.inner_text("#zeroshot-result")
            assert f"(p = {expected[top[0]]:.3f})" in result and "from the slider" in result
    assert not page.locator("#tab-zeroshot input[type=checkbox]").first.is_checked()  # no longer the learned τ
    assert requests == [], f"the page asked the server while the slider moved: {requests}"
    assert not console_errors, console_errors
