"""Lesson 4 - temperature: one real row of cosines (image i against the n captions of a batch)
turned into a softmax at many logit scales exp(t) = 1/tau: the bars sharpen, the entropy and the
loss fall, the gradient changes size, and the argmax never moves. CLIP paper, section 2.5:
tau initialised at 0.07, learned as a log-parametrised scalar, clipped so exp(t) <= 100."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import gradio as gr
import numpy as np

from lessons.common import live, ui
from lessons.common.compute import N_MIN, demo_batch, embed_batch
from lessons.common.plotting import COLORS, thumbnail_uri
from lessons.common.quiz import Measured, Question, checkpoint
from lessons.common.quiz import strings as quiz_strings
from lessons.common.ui import check_number

from .figures import scale_trajectory_figure, temperature_bars_figure, temperature_curves_figure
from .quiz import CHOICES as QUIZ_CHOICES
from .quiz import STRINGS as QUIZ_STRINGS

WARM_SCALE, COLD_SCALE = 1.0, 1000.0  # tau = 1, and "tau -> 0": exp(t) = 1000, tau = 0.001
LESSON_ID = "temperature"

N_MAX = 32  # one row of bars per panel stays readable up to here
LOG_SCALE_MIN, LOG_SCALE_MAX = 0.0, round(math.log10(200), 3)  # the slider moves log10 exp(t): x1 ... x200
CURVE_SCALES = np.logspace(math.log10(0.5), math.log10(200), 241)  # x axis of the curves, log-spaced
FIXED_SCALES = (1.0, 5.0, 50.0)  # shown beside the model's own init and clamp

STRINGS = {
    "en": {
        "temperature.tab": "4 · Temperature",
        "temperature.n": "Batch size n (captions in the row)",
        "temperature.seed": "Batch seed",
        "temperature.new_batch": "New batch",
        "temperature.row": "Row i: which image",
        "temperature.log_scale": "Temperature: logit scale exp(t) = 1/τ (log slider)",
        "temperature.log_scale_info": "the slider shows log₁₀ exp(t): 0 → ×1 · 1 → ×10 · 2 → ×100",
        "temperature.use_learned": "Use the model's learned scale",
        "temperature.trajectory_heading": "How the scale was learned",
        "temperature.card": "Image {i} of this batch. Its correct caption (j = {i}):",
        "temperature.readout": ("**exp(t) = {scale:.2f}** · τ = 1/exp(t) = {tau:.4f} · t = ln exp(t) = {t:.2f}  \n"
                                "The model's own learned scale: exp(t) = {learned:.2f} (τ = {learned_tau:.4f})"),
        "temperature.stats": ("At this scale: P(correct caption) = **{p:.3f}** · loss −ln p = **{loss:.3f}** nats · "
                              "entropy = **{entropy:.3f}** nats (uniform: ln {n} = {ln_n:.3f}) · "
                              "∂loss/∂t = {grad_t:+.3g} → {direction}"),
        "temperature.push_up": "this row pushes the scale **up**",
        "temperature.push_down": "this row pushes the scale **down**",
        "temperature.push_none": "this row has (almost) stopped moving the scale",
        "temperature.bars_title": "Softmax of row {i} (image {i} against {n} captions) at several logit scales",
        "temperature.bars_y": "P(caption j | image {i})",
        "temperature.bars_x": "caption j   (framed panel: your slider)",
        "temperature.correct": "correct caption (j = i)",
        "temperature.others": "other captions",
        "temperature.hover_p": "P =",
        "temperature.panel": "×{scale:.3g}  (τ = {tau:.3g})<br>H = {entropy:.2f} nats",
        "temperature.panel_yours": "<b>your ×{scale:.3g}</b><br>H = {entropy:.2f} nats",
        "temperature.curves_title": "Row {i} as the scale grows: entropy, loss and gradient size",
        "temperature.curves_x": "logit scale exp(t) = 1/τ  (log axis)",
        "temperature.y_nats": "nats",
        "temperature.y_grad": "gradient norm (log axis)",
        "temperature.entropy": "entropy of the softmax",
        "temperature.loss": "loss −ln p(correct)",
        "temperature.grad_logits": "‖∂loss/∂logits‖ = ‖p − y‖",
        "temperature.grad_cosines": "‖∂loss/∂cosines‖ = exp(t)·‖p − y‖",
        "temperature.grad_t": "|∂loss/∂t|",
        "temperature.chance": "ln n (uniform softmax)",
        "temperature.init": "init 1/{tau:g} = {scale:.1f}",
        "temperature.clamp": "clamp {scale:g}",
        "temperature.current": "your slider",
        "temperature.trajectory_title": "The learned logit scale exp(t) during training",
        "temperature.trajectory_x": "training step",
        "temperature.trajectory_y": "logit scale exp(t)",
        "temperature.trajectory_start": "start 1/{tau:g} = {scale:.1f}",
        "temperature.trajectory_clamp": "clamp {scale:g}",
        "temperature.trajectory_empty": "no training history recorded for these models",
        "temperature.history.shipped": "toy CLIP (shipped)",
        "temperature.history.trained": "my trained model",
        "temperature.table_title": "Argmax never changes, confidence does",
        "temperature.col_scale": "exp(t)",
        "temperature.col_tau": "τ",
        "temperature.col_argmax": "top caption (argmax j)",
        "temperature.col_p_top": "P(top)",
        "temperature.col_p_correct": "P(correct)",
        "temperature.col_entropy": "entropy (nats)",
        "temperature.slider_mark": " ← slider",
        "temperature.same_correct": "✓ Caption {j} is on top at every scale, and it is the correct one: "
                                    "the scale changes only how sure the softmax is.",
        "temperature.same_wrong": "Caption {j} is on top at every scale, but the correct caption is {i}: "
                                  "no temperature can fix a wrong ranking, it only changes how sure the mistake is.",
        "temperature.tie": "Several captions tie for the top here, so the argmax is not unique.",
        "pretrained_note.temperature": ("**Pretrained CLIP on toy pictures.** Its learned temperature is the trained "
                                        "value of the real model. It has no training history here, so the trajectory "
                                        "plot shows only the toy models."),
    },
    "zh": {
        "temperature.tab": "4 · 温度",
        "temperature.n": "批大小 n（这一行的文本数）",
        "temperature.seed": "批次随机种子",
        "temperature.new_batch": "换一批",
        "temperature.row": "第 i 行：选哪张图",
        "temperature.log_scale": "温度：logit 缩放系数 exp(t) = 1/τ（对数刻度滑块）",
        "temperature.log_scale_info": "滑块显示 log₁₀ exp(t)：0 → ×1 · 1 → ×10 · 2 → ×100",
        "temperature.use_learned": "使用模型学到的缩放系数",
        "temperature.trajectory_heading": "缩放系数是怎样学出来的",
        "temperature.card": "这一批中的第 {i} 张图。它的正确描述（j = {i}）：",
        "temperature.readout": ("**exp(t) = {scale:.2f}** · τ = 1/exp(t) = {tau:.4f} · t = ln exp(t) = {t:.2f}  \n"
                                "模型自己学到的缩放系数：exp(t) = {learned:.2f}（τ = {learned_tau:.4f}）"),
        "temperature.stats": ("在这个缩放系数下：P(正确描述) = **{p:.3f}** · 损失 −ln p = **{loss:.3f}** 奈特 · "
                              "熵 = **{entropy:.3f}** 奈特（均匀分布：ln {n} = {ln_n:.3f}）· "
                              "∂损失/∂t = {grad_t:+.3g} → {direction}"),
        "temperature.push_up": "这一行把缩放系数往**上**推",
        "temperature.push_down": "这一行把缩放系数往**下**推",
        "temperature.push_none": "这一行（几乎）不再推动缩放系数",
        "temperature.bars_title": "第 {i} 行（图 {i} 对 {n} 条描述）在几种 logit 缩放系数下的 softmax",
        "temperature.bars_y": "P(描述 j | 图 {i})",
        "temperature.bars_x": "描述 j（加框的面板：你的滑块）",
        "temperature.correct": "正确描述（j = i）",
        "temperature.others": "其他描述",
        "temperature.hover_p": "P =",
        "temperature.panel": "×{scale:.3g}（τ = {tau:.3g}）<br>熵 = {entropy:.2f} 奈特",
        "temperature.panel_yours": "<b>你的 ×{scale:.3g}</b><br>熵 = {entropy:.2f} 奈特",
        "temperature.curves_title": "第 {i} 行随缩放系数增大：熵、损失与梯度大小",
        "temperature.curves_x": "logit 缩放系数 exp(t) = 1/τ（对数轴）",
        "temperature.y_nats": "奈特",
        "temperature.y_grad": "梯度范数（对数轴）",
        "temperature.entropy": "softmax 的熵",
        "temperature.loss": "损失 −ln p(正确)",
        "temperature.grad_logits": "‖∂损失/∂logits‖ = ‖p − y‖",
        "temperature.grad_cosines": "‖∂损失/∂余弦‖ = exp(t)·‖p − y‖",
        "temperature.grad_t": "|∂损失/∂t|",
        "temperature.chance": "ln n（均匀 softmax）",
        "temperature.init": "初始值 1/{tau:g} = {scale:.1f}",
        "temperature.clamp": "上限 {scale:g}",
        "temperature.current": "你的滑块",
        "temperature.trajectory_title": "训练过程中学到的 logit 缩放系数 exp(t)",
        "temperature.trajectory_x": "训练步数",
        "temperature.trajectory_y": "logit 缩放系数 exp(t)",
        "temperature.trajectory_start": "起点 1/{tau:g} = {scale:.1f}",
        "temperature.trajectory_clamp": "上限 {scale:g}",
        "temperature.trajectory_empty": "这些模型没有记录训练历史",
        "temperature.history.shipped": "玩具 CLIP（随附）",
        "temperature.history.trained": "我训练的模型",
        "temperature.table_title": "argmax 不变，变的是置信度",
        "temperature.col_scale": "exp(t)",
        "temperature.col_tau": "τ",
        "temperature.col_argmax": "排第一的描述（argmax j）",
        "temperature.col_p_top": "P(第一)",
        "temperature.col_p_correct": "P(正确)",
        "temperature.col_entropy": "熵（奈特）",
        "temperature.slider_mark": " ← 滑块",
        "temperature.same_correct": ("✓ 在每个缩放系数下排第一的都是描述 {j}，而且它正是正确描述："
                                     "缩放系数只改变 softmax 有多确定。"),
        "temperature.same_wrong": ("在每个缩放系数下排第一的都是描述 {j}，但正确描述是 {i}："
                                   "任何温度都修正不了错误的排序，只会改变这个错误有多自信。"),
        "temperature.tie": "这里有几条描述并列第一，argmax 不唯一。",
        "pretrained_note.temperature": ("**预训练 CLIP 看玩具图片。** 它学到的温度就是真实模型训练出的值。它在这里没有训练记录，"
                                        "所以轨迹图只显示玩具模型。"),
    },
}


LIVE_STRINGS = ("panel", "panel_yours", "current", "readout", "stats", "push_up", "push_down", "push_none", "col_scale",
                "col_tau", "col_argmax", "col_p_top", "col_p_correct", "col_entropy", "slider_mark", "table_title",
                "tie", "same_correct", "same_wrong", "bars_title", "bars_y", "curves_title", "card")
# the image of row i and its correct caption (str.format; the page fills it in too)
CARD = ('<div style="display:flex;gap:12px;align-items:center">'
        '<img src="{thumbnail}" width="72" height="72" alt="image {row}" '
        'style="image-rendering:pixelated;border:2px solid {color};border-radius:4px">'
        '<div>{text}<br><b>“{caption}”</b></div></div>')


def _labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


@dataclass
class RowStatistics:
    """One row of cosines pushed through a softmax at k logit scales."""

    scales: np.ndarray  # [k] exp(t)
    probs: np.ndarray  # [k, n] softmax(scale * cosines)
    entropy: np.ndarray  # [k] nats
    loss: np.ndarray  # [k] -ln p_correct, nats
    grad_logits: np.ndarray  # [k] ||p - onehot||: the gradient of the loss with respect to the logits
    grad_cosines: np.ndarray  # [k] scale * ||p - onehot||: with respect to the cosines
    grad_t: np.ndarray  # [k] d loss / d t (signed), t = ln scale: sum_j (p_j - y_j) * logit_j


def row_statistics(cosines: np.ndarray, correct: int, scales: np.ndarray) -> RowStatistics:
    """Softmax cross-entropy of one row of cosines at each scale, with its gradients (float64).

    Args:
        cosines: [n] cosine similarities of one image with n captions.
        correct: index of the correct caption.
        scales: [k] logit scales exp(t).
    """
    cosines = np.asarray(cosines, dtype=np.float64)
    scales = np.asarray(scales, dtype=np.float64)
    logits = scales[:, None] * cosines[None, :]  # [k, n]
    shifted = logits - logits.max(axis=1, keepdims=True)  # [k, n] stable log-softmax
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # [k, n]
    probs = np.exp(log_p)  # [k, n]
    onehot = np.zeros_like(cosines)
    onehot[correct] = 1.0
    residual = probs - onehot[None, :]  # [k, n] d loss / d logits
    grad_logits = np.linalg.norm(residual, axis=1)  # [k]
    return RowStatistics(scales=scales, probs=probs, entropy=-(probs * log_p).sum(axis=1), loss=-log_p[:, correct],
                         grad_logits=grad_logits, grad_cosines=scales * grad_logits,
                         grad_t=(residual * logits).sum(axis=1))


@dataclass
class Row:
    cosines: np.ndarray  # [n]
    captions: list[str]
    thumbnail: str  # data URI of image i
    learned_scale: float
    init_scale: float
    init_temperature: float
    clamp_scale: float
    matrix: np.ndarray | None = None  # [n, n] every row's cosines (the page switches rows by itself)


def prepare_row(session, n: int, seed: int, row: int) -> Row:
    """Row `row` of the cosine matrix of the demo batch (n, seed) under the session's model."""
    world = session.world
    model = session.model()
    batch = session.memo(("batch", n, seed), lambda: demo_batch(world, n, seed))
    # same key as the logits lesson, so both tabs share one embedding of the batch
    embedded = session.memo(("embedded", id(model), n, seed, False), lambda: embed_batch(model, batch))
    matrix = (embedded.I_e @ embedded.T_e.T).numpy()  # [n, n]
    cosines = matrix[row]  # [n]
    thumbnail = session.memo(("thumb3", n, seed, row), lambda: thumbnail_uri(batch.images[row].numpy(), scale=3))
    config = model.config
    return Row(cosines=cosines, captions=embedded.captions, thumbnail=thumbnail,
               learned_scale=embedded.learned_scale, init_scale=1.0 / config.init_temperature,
               init_temperature=config.init_temperature, clamp_scale=float(config.max_logit_scale), matrix=matrix)


def _check(session, n, seed, row, log_scale) -> tuple[int, int, int, float]:
    lang = session.lang
    n = check_number(n, N_MIN, N_MAX, "n", lang, integer=True)
    seed = check_number(seed, 0, 2**31 - 1, "seed", lang, integer=True)
    row = check_number(row, 0, n - 1, "row i", lang, integer=True)
    log_scale = check_number(log_scale, LOG_SCALE_MIN, LOG_SCALE_MAX, "log10 scale", lang)
    return n, seed, row, log_scale


def _table(labels: dict, data: Row, stats: RowStatistics, slider_index: int, row: int) -> str:
    header = (f"| {labels['col_scale']} | {labels['col_tau']} | {labels['col_argmax']} | {labels['col_p_top']} | "
              f"{labels['col_p_correct']} | {labels['col_entropy']} |\n|---:|---:|:---|---:|---:|---:|")
    lines = [header]
    top = stats.probs.argmax(axis=1)  # [k]
    for k, scale in enumerate(stats.scales):
        j = int(top[k])
        cells = [f"×{scale:.3g}", f"{1 / scale:.4f}", f"{j} · {data.captions[j]}", f"{stats.probs[k, j]:.3f}",
                 f"{stats.probs[k, row]:.3f}", f"{stats.entropy[k]:.3f}"]
        if k == slider_index:
            cells = [f"**{cell}**" for cell in cells]
            cells[0] += labels["slider_mark"]
        lines.append("| " + " | ".join(cells) + " |")
    return f"**{labels['table_title']}**\n\n" + "\n".join(lines) + f"\n\n{_verdict(labels, data.cosines, row)}"


def _verdict(labels: dict, cosines: np.ndarray, row: int) -> str:
    """The sentence under the table: the argmax is the same at every positive scale."""
    top = int(cosines.argmax())
    if np.isclose(cosines, cosines.max(), rtol=0, atol=1e-7).sum() > 1:
        return labels["tie"]
    if top == row:
        return labels["same_correct"].format(j=top)
    return labels["same_wrong"].format(j=top, i=row)


def render(session, n, seed, row, log_scale):
    """Bars at several scales, curves against the scale, the argmax table, the readouts."""
    n, seed, row, log_scale = _check(session, n, seed, row, log_scale)
    labels = _labels(session.lang)
    data = prepare_row(session, n, seed, row)
    scale = float(10.0**log_scale)

    # the bars: fixed scales (including the model's init and clamp) and the slider's, in order
    fixed = sorted({*FIXED_SCALES, round(data.init_scale, 6), data.clamp_scale})
    # a fixed panel within 2 % of the slider would show the same bars twice: the slider's replaces it
    panel_scales = sorted([s for s in fixed if abs(s / scale - 1) > 0.02] + [scale])
    slider_index = panel_scales.index(scale)
    panels = row_statistics(data.cosines, row, np.array(panel_scales))
    titles = [labels["panel_yours" if k == slider_index else "panel"].format(scale=s, tau=1 / s, entropy=h)
              for k, (s, h) in enumerate(zip(panel_scales, panels.entropy, strict=True))]
    bar_labels = dict(labels, title=labels["bars_title"].format(i=row, n=n), y=labels["bars_y"].format(i=row),
                      x=labels["bars_x"])
    bars = temperature_bars_figure(panels.probs, panel_scales, titles, row, data.captions, slider_index, bar_labels)

    curve = row_statistics(data.cosines, row, CURVE_SCALES)
    here = {"scale": scale, "entropy": float(panels.entropy[slider_index]), "loss": float(panels.loss[slider_index]),
            "grad_logits": float(panels.grad_logits[slider_index]),
            "grad_cosines": float(panels.grad_cosines[slider_index]),
            "grad_t": abs(float(panels.grad_t[slider_index]))}
    curve_labels = dict(labels, title=labels["curves_title"].format(i=row), x=labels["curves_x"],
                        init=labels["init"].format(tau=data.init_temperature, scale=data.init_scale),
                        clamp=labels["clamp"].format(scale=data.clamp_scale))
    curves = temperature_curves_figure(curve.scales, curve.entropy, curve.loss, curve.grad_logits, curve.grad_cosines,
                                       np.abs(curve.grad_t), n, data.init_scale, data.clamp_scale, here, curve_labels)

    grad_t = float(panels.grad_t[slider_index])
    direction = labels["push_up" if grad_t < -1e-3 else "push_down" if grad_t > 1e-3 else "push_none"]
    readout = (labels["readout"].format(scale=scale, tau=1 / scale, t=math.log(scale), learned=data.learned_scale,
                                        learned_tau=1 / data.learned_scale) + "  \n" +
               labels["stats"].format(p=float(panels.probs[slider_index, row]), loss=here["loss"],
                                      entropy=here["entropy"], n=n, ln_n=math.log(n), grad_t=grad_t,
                                      direction=direction))
    card = CARD.format(thumbnail=data.thumbnail, row=row, color=COLORS["diagonal"], text=labels["card"].format(i=row),
                       caption=data.captions[row])
    # what the page needs to redraw all this at another scale or row while a slider moves (assets/live.js)
    world = session.world
    batch = session.memo(("batch", n, seed), lambda: demo_batch(world, n, seed))
    thumbs = [session.memo(("thumb3", n, seed, i), lambda i=i: thumbnail_uri(batch.images[i].numpy(), scale=3))
              for i in range(n)]
    live.attach(bars, "temperature", matrix=data.matrix.astype(float).tolist(), row=row, captions=data.captions,
                fixed=[float(s) for s in fixed], learned_scale=data.learned_scale, curve_scales=CURVE_SCALES.tolist(),
                thumbnails=thumbs, card=CARD, card_color=COLORS["diagonal"],
                strings={key: labels[key] for key in LIVE_STRINGS})
    return session, bars, curves, _table(labels, data, panels, slider_index, row), readout, card


def trajectory(session):
    """The learned scale over training for the shipped model (and the learner's, once trained)."""
    labels = _labels(session.lang)
    model = session.model()
    config = model.config
    trajectories = {}
    for name in ("shipped", "trained"):
        history = session.histories.get(name) or []
        points = [(int(_field(m, "step")), float(_field(m, "logit_scale"))) for m in history
                  if _field(m, "logit_scale") is not None]
        if points:
            trajectories[labels[f"history.{name}"]] = ([s for s, _ in points], [v for _, v in points])
    init_scale = 1.0 / config.init_temperature
    figure_labels = dict(title=labels["trajectory_title"], x=labels["trajectory_x"], y=labels["trajectory_y"],
                         init=labels["trajectory_start"].format(tau=config.init_temperature, scale=init_scale),
                         clamp=labels["trajectory_clamp"].format(scale=config.max_logit_scale),
                         empty=labels["trajectory_empty"])
    return session, scale_trajectory_figure(trajectories, init_scale, float(config.max_logit_scale), figure_labels)


def _field(metrics, name: str):
    return metrics.get(name) if isinstance(metrics, dict) else getattr(metrics, name, None)


def learned_scale(session):
    """Slider position (log10 exp(t)) of the current model's learned scale."""
    scale = float(session.model().scale().detach())
    return session, round(min(max(math.log10(scale), LOG_SCALE_MIN), LOG_SCALE_MAX), 3)


def fit_row(n, row):
    """Keep the row slider inside 0 ... n-1 when n changes."""
    n = int(check_number(n, N_MIN, N_MAX, "n", integer=True))
    row = int(check_number(row, 0, N_MAX - 1, "row i", integer=True))
    return gr.update(maximum=n - 1, value=min(row, n - 1))


def refresh(session, n, seed, row, log_scale):
    """Page load and model change: start the slider at the model's learned scale, draw everything."""
    session, log_scale = learned_scale(session)
    row_update = fit_row(n, row)
    _, bars, curves, table, readout, card = render(session, n, seed, row_update["value"], log_scale)
    return log_scale, row_update, bars, curves, table, readout, card, trajectory(session)[1]


def cold_softmax_measured(session, n, seed, row, log_scale) -> Measured:
    """Temperature lesson: this row's softmax at the slider's scale and at exp(t) = 1000 (tau = 0.001)."""
    s = quiz_strings(QUIZ_STRINGS, session.lang)
    n, seed, row, log_scale = _check(session, n, seed, row, log_scale)
    data = prepare_row(session, n, seed, row)
    scale = float(10.0**log_scale)
    stats = row_statistics(data.cosines, row, np.array([WARM_SCALE, scale, COLD_SCALE]))
    warm, now, cold = stats.probs  # [n] each
    top = int(np.argmax(data.cosines))
    right = []
    if cold[top] > 0.99:
        right.append("to_top")
        if top == row:
            right.append("to_correct")  # here the highest cosine is the correct caption: both come true
    if np.abs(cold - 1 / n).max() < 0.01:
        right.append("uniform")
    if np.abs(cold - warm).max() < 0.01:
        right.append("unchanged")
    numbers = s["cold_softmax.numbers"].format(warm=WARM_SCALE, p_top_warm=warm[top], h_warm=stats.entropy[0],
                                               scale=scale, tau=1 / scale, p_top_now=now[top], h_now=stats.entropy[1],
                                               cold=COLD_SCALE, cold_tau=1 / COLD_SCALE, p_top_cold=cold[top],
                                               h_cold=stats.entropy[2], top=top, row=row, n=n,
                                               p_row_warm=warm[row], p_row_cold=cold[row])
    numbers += "  \n" + s["cold_softmax.same_top" if top == row else "cold_softmax.wrong_top"].format(top=top, row=row)
    return Measured(tuple(right), numbers)


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=290):
            log_scale = ui.Slider(LOG_SCALE_MIN, LOG_SCALE_MAX, value=2.0, step=0.01, label=t("temperature.log_scale"),
                                  info=t("temperature.log_scale_info"))
            use_learned = gr.Button(t("temperature.use_learned"), size="sm")
            n = ui.Slider(N_MIN, N_MAX, value=8, step=1, label=t("temperature.n"))
            # the static maximum admits every row of the largest batch (API calls); the page narrows it to n - 1
            row = ui.Slider(0, N_MAX - 1, value=0, step=1, label=t("temperature.row"))
            seed = ui.Number(value=0, precision=0, minimum=0, label=t("temperature.seed"), elem_classes=["advanced"])
            new_batch = gr.Button(t("temperature.new_batch"), size="sm", elem_classes=["advanced"])
        with gr.Column(scale=3):
            with gr.Row(equal_height=False):
                card = gr.HTML(min_width=240, scale=2)
                readout = gr.Markdown(scale=5)
            bars = gr.Plot(show_label=False, elem_id="temperature-bars")
            table = gr.Markdown()
    curves = gr.Plot(show_label=False, elem_id="temperature-curves")
    trajectory_plot = gr.Plot(show_label=False)
    checkpoint(ctx, Question("cold_softmax", QUIZ_CHOICES, cold_softmax_measured, QUIZ_STRINGS), [n, seed, row, log_scale])
    body.render()

    inputs = [n, seed, row, log_scale]
    outputs = [ctx.session, bars, curves, table, readout, card]
    # the page redraws while the scale slider moves (assets/live.js); the server redraws when it is released
    plots = ["#temperature-bars", "#temperature-curves"]
    live.wire(log_scale, "temperature", plots, [log_scale, bars], [table, readout])
    live.wire(row, "temperature_row", plots, [row, log_scale, bars], [table, readout, card])
    ctx.on(functools.partial(gr.on, [log_scale.release, row.release, seed.submit]), render, inputs, outputs,
           api_name="temperature_render", show_progress="hidden", trigger_mode="always_last")
    ctx.on(n.input(fit_row, [n, row], row, api_visibility="private", queue=False, show_progress="hidden").then,
           render, inputs, outputs, api_visibility="private", show_progress="hidden")
    ctx.on(new_batch.click(lambda s: int(s or 0) + 1, seed, seed, api_visibility="private").then,
           render, inputs, outputs, api_visibility="private", show_progress="hidden")
    ctx.on(ctx.on(use_learned.click, learned_scale, [], [ctx.session, log_scale],
                  api_name="temperature_learned_scale").then,
           render, inputs, outputs, api_visibility="private", show_progress="hidden").then(
        # and in the page: after arrow keys (an input, never a release) Gradio's copy of the figure is
        # the one before the keys, equal to what render sends back, so Gradio would not redraw it
        None, [log_scale, bars, table, readout], [table, readout], js=live.move_js("temperature", plots, 2),
        api_visibility="private", show_progress="hidden", queue=False)
    ctx.refresh(refresh, inputs, [log_scale, row, bars, curves, table, readout, card, trajectory_plot],
                api_name="temperature_refresh")
    ctx.shareable(LESSON_ID, {"n": n, "seed": seed, "row": row, "log_scale": log_scale},
                  redraw=(render, [ctx.session, *inputs], outputs), fit=lambda v: {"row": fit_row(v["n"], v["row"])})
