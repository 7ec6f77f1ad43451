"""Lesson 8 - what is a logit? probability -> odds -> log-odds and the sigmoid as its inverse;
softmax over a vector of logits (shift-invariant, scale-sensitive, a sigmoid for two classes);
and one real row of CLIP logits: cosine x exp(t), exactly what `TinyCLIP.forward` returns."""

from __future__ import annotations

import functools
import math
import re

import gradio as gr
import numpy as np
import torch

from lessons.common import live, ui
from lessons.common.compute import demo_batch, embed_batch
from lessons.common.plotting import COLORS, thumbnail_uri
from lessons.common.ui import check_number

from .figures import logit_sigmoid_figure, softmax_bars_figure

LESSON_ID = "logit"

P_MIN, P_MAX = 0.001, 0.999
SHIFT_MIN, SHIFT_MAX = -10.0, 10.0
MULTIPLY_MIN, MULTIPLY_MAX = 0.1, 5.0
MAX_LOGITS = 20
LOGIT_BOUND = 1000.0  # keeps k * z + c finite and the bars readable
ROW_N_MIN, ROW_N_MAX = 2, 10
DEFAULT_LOGITS = "2.0, 1.0, 0.1, -1.0"
_NUMBER = re.compile(r"^[+\-−]?(\d+(\.\d*)?|\.\d+)([eE][+\-]?\d+)?$")  # no nan, inf, hex, words

STRINGS = {
    "en": {
        "logit.tab": "8 · What is a logit?",
        "logit.section_probability": "### 1 · Probability → odds → log-odds, and back with the sigmoid",
        "logit.p": "Probability p",
        "logit.chain": ("p = **{p:.3f}**  \n→ odds p/(1−p) = {p:.3f}/{q:.3f} = **{odds:.4g}** (“{odds_words}”)  \n"
                        "→ log-odds ln(odds) = ln {odds:.4g} = **{z:+.3f}** = logit(p)  \n"
                        "→ back: σ({z:+.3f}) = 1/(1 + e^({minus_z:+.3f})) = **{back:.3f}** = p"),
        "logit.odds_for": "{odds:.3g} to 1",
        "logit.odds_against": "1 to {inverse:.3g}",
        "logit.figure_title": "The logit and the sigmoid are inverses",
        "logit.logit_title": "logit: p → ln(p / (1 − p))",
        "logit.sigmoid_title": "sigmoid: z → 1 / (1 + e^(−z))",
        "logit.axis_p": "probability p",
        "logit.axis_z": "log-odds z (logit)",
        "logit.point": "your p",
        "logit.section_softmax": "### 2 · Softmax over a vector of logits",
        "logit.logits": "Logits z, separated by commas (2 to 20 numbers)",
        "logit.apply": "Apply (or press Enter)",
        "logit.shift": "Add c to every logit (the bars do not move)",
        "logit.multiply": "Multiply every logit by k (the bars do move)",
        "logit.softmax_title": "softmax(k·z + c): only differences between logits matter",
        "logit.logits_title": "logits k·z + c",
        "logit.probs_title": "probabilities softmax(k·z + c)",
        "logit.index": "entry",
        "logit.logit": "logit",
        "logit.prob": "probability",
        "logit.reference": "softmax(k·z) without the shift c",
        "logit.softmax_readout": ("Shift **c = {c:+.2f}**: every logit moved by {c:+.2f}, the probabilities did not: "
                                  "largest change against c = 0 is **{change:.1e}** (floating-point rounding). "
                                  "Multiply k = {k:.2f}: the order stays, the confidence changes "
                                  "(top probability {top:.3f}).  \nThe logits sum to {logit_sum:.3f} (any number); "
                                  "the probabilities sum to {p_sum:.6f}."),
        "logit.two_class": ("**Two classes** a = z₁ = {a:.3f}, b = z₂ = {b:.3f} (after k and c): "
                            "softmax([a, b])[0] = **{softmax2:.6f}**, σ(a − b) = σ({diff:.3f}) = **{sigmoid:.6f}** "
                            "(difference {gap:.1e}).  \nIn the full softmax too: ln(p₁ / p₂) = {log_ratio:.4f} = "
                            "z₁ − z₂ — the difference of two logits is their log-odds."),
        "logit.section_clip": "### 3 · CLIP's logits: cosine × exp(t)",
        "logit.row_n": "Captions in the row (n)",
        "logit.row_seed": "Batch seed",
        "logit.card": "Image 0 of the batch; its caption is j = 0:",
        "logit.col_caption": "caption j",
        "logit.col_cosine": "cosine I_e·T_e",
        "logit.col_logit": "× {scale:.2f} = logit",
        "logit.col_prob": "softmax p",
        "logit.correct_mark": " ✓",
        "logit.clip_summary": ("exp(t) = **{scale:.3f}** is this model's learned logit scale (τ = {tau:.4f}). "
                               "The logit column is what `model(images, texts)` itself returns for this row "
                               "(largest difference {forward_gap:.1e}: float32 rounding).  \n"
                               "Row sums: cosines {cos_sum:.3f}, logits {logit_sum:.3f} — not 1, so not probabilities; "
                               "the softmax sums to {p_sum:.3f}.  \nThe top caption ({top}) beats the runner-up "
                               "({second}) by {delta:.2f} in logit, so the model finds it e^{delta:.2f} ≈ "
                               "**{ratio:.3g}×** as likely."),
        "logit.error_empty": "Type at least two logits, separated by commas, e.g. 2.0, 1.0, 0.1, -1.0",
        "logit.error_not_number": ("“{token}” is not a number. Use digits with an optional sign, decimal point "
                                   "and exponent, separated by commas."),
        "logit.error_empty_entry": "There is an empty entry between two commas (entry {position}).",
        "logit.error_too_few": "The softmax needs at least 2 logits here (got {count}).",
        "logit.error_too_many": "At most {limit} logits, please (got {count}).",
        "logit.error_too_large": "Each logit must lie between −{bound:g} and {bound:g} (got {token}).",
        "pretrained_note.logit": ("**Pretrained CLIP picked.** The last part of this lesson reads a row of its logits "
                                  "on toy pictures."),
    },
    "zh": {
        "logit.tab": "8 · 什么是 logit？",
        "logit.section_probability": "### 1 · 概率 → 几率 → 对数几率，再用 sigmoid 变回来",
        "logit.p": "概率 p",
        "logit.chain": ("p = **{p:.3f}**  \n→ 几率 p/(1−p) = {p:.3f}/{q:.3f} = **{odds:.4g}**（“{odds_words}”）  \n"
                        "→ 对数几率 ln(几率) = ln {odds:.4g} = **{z:+.3f}** = logit(p)  \n"
                        "→ 变回来：σ({z:+.3f}) = 1/(1 + e^({minus_z:+.3f})) = **{back:.3f}** = p"),
        "logit.odds_for": "{odds:.3g} 比 1",
        "logit.odds_against": "1 比 {inverse:.3g}",
        "logit.figure_title": "logit 与 sigmoid 互为反函数",
        "logit.logit_title": "logit：p → ln(p / (1 − p))",
        "logit.sigmoid_title": "sigmoid：z → 1 / (1 + e^(−z))",
        "logit.axis_p": "概率 p",
        "logit.axis_z": "对数几率 z（logit）",
        "logit.point": "你的 p",
        "logit.section_softmax": "### 2 · 对一组 logits 做 softmax",
        "logit.logits": "logits z，用逗号分隔（2 到 20 个数）",
        "logit.apply": "应用（或按回车）",
        "logit.shift": "每个 logit 都加上 c（柱子不动）",
        "logit.multiply": "每个 logit 都乘以 k（柱子会动）",
        "logit.softmax_title": "softmax(k·z + c)：只有 logits 之间的差值有意义",
        "logit.logits_title": "logits k·z + c",
        "logit.probs_title": "概率 softmax(k·z + c)",
        "logit.index": "分量",
        "logit.logit": "logit",
        "logit.prob": "概率",
        "logit.reference": "不加 c 时的 softmax(k·z)",
        "logit.softmax_readout": ("平移 **c = {c:+.2f}**：每个 logit 都移动了 {c:+.2f}，概率却没有变："
                                  "与 c = 0 相比最大变化为 "
                                  "**{change:.1e}**（浮点舍入误差）。乘以 k = {k:.2f}：顺序不变，置信度改变"
                                  "（最大概率 {top:.3f}）。  \nlogits 之和为 {logit_sum:.3f}（可以是任意数）；"
                                  "概率之和为 {p_sum:.6f}。"),
        "logit.two_class": ("**两个类别** a = z₁ = {a:.3f}，b = z₂ = {b:.3f}（已乘 k、加 c）："
                            "softmax([a, b])[0] = **{softmax2:.6f}**，σ(a − b) = σ({diff:.3f}) = **{sigmoid:.6f}**"
                            "（差 {gap:.1e}）。  \n在完整的 softmax 中同样有：ln(p₁ / p₂) = {log_ratio:.4f} = z₁ − z₂"
                            "——两个 logits 之差就是它们的对数几率。"),
        "logit.section_clip": "### 3 · CLIP 的 logits：余弦 × exp(t)",
        "logit.row_n": "这一行的描述数（n）",
        "logit.row_seed": "批次随机种子",
        "logit.card": "这一批的第 0 张图；它的描述是 j = 0：",
        "logit.col_caption": "描述 j",
        "logit.col_cosine": "余弦 I_e·T_e",
        "logit.col_logit": "× {scale:.2f} = logit",
        "logit.col_prob": "softmax p",
        "logit.correct_mark": " ✓",
        "logit.clip_summary": ("exp(t) = **{scale:.3f}** 是这个模型学到的 logit 缩放系数（τ = {tau:.4f}）。"
                               "logit 一列正是 `model(images, texts)` 对这一行的输出"
                               "（最大差 {forward_gap:.1e}：float32 舍入误差）。  \n"
                               "各列之和：余弦 {cos_sum:.3f}，logits {logit_sum:.3f}——都不等于 1，所以不是概率；"
                               "softmax 之和为 {p_sum:.3f}。  \n排第一的描述（{top}）比第二名（{second}）的 logit 高 "
                               "{delta:.2f}，所以模型认为它的可能性约是后者的 e^{delta:.2f} ≈ **{ratio:.3g} 倍**。"),
        "logit.error_empty": "请至少输入两个 logits，用逗号分隔，例如 2.0, 1.0, 0.1, -1.0",
        "logit.error_not_number": "“{token}” 不是数字。请使用数字（可带正负号、小数点和指数），用逗号分隔。",
        "logit.error_empty_entry": "两个逗号之间有一个空项（第 {position} 项）。",
        "logit.error_too_few": "这里的 softmax 至少需要 2 个 logits（收到 {count} 个）。",
        "logit.error_too_many": "最多 {limit} 个 logits（收到 {count} 个）。",
        "logit.error_too_large": "每个 logit 必须在 −{bound:g} 到 {bound:g} 之间（收到 {token}）。",
        "pretrained_note.logit": "**已选择预训练 CLIP。** 本课最后一部分读取的是它在玩具图片上的一行 logits。",
    },
}


def _labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def parse_logits(text, lang: str = "en") -> np.ndarray:
    """Parse "2.0, 1.0, 0.1, -1.0" strictly into a float64 vector, or raise gr.Error saying why.

    Accepts ASCII or full-width commas (，) and the minus sign −; rejects empty entries, words, NaN,
    infinities, numbers beyond ±LOGIT_BOUND, fewer than 2 or more than MAX_LOGITS values.
    """
    labels = _labels(lang)
    text = "" if text is None else str(text)
    if not text.strip():
        raise gr.Error(labels["error_empty"])
    tokens = [token.strip() for token in text.replace("，", ",").split(",")]
    if tokens and tokens[-1] == "" and len(tokens) > 1:  # tolerate one trailing comma
        tokens = tokens[:-1]
    values = []
    for position, token in enumerate(tokens, start=1):
        if not token:
            raise gr.Error(labels["error_empty_entry"].format(position=position))
        if not _NUMBER.match(token):
            raise gr.Error(labels["error_not_number"].format(token=token[:40]))
        value = float(token.replace("−", "-"))
        if not math.isfinite(value) or abs(value) > LOGIT_BOUND:
            raise gr.Error(labels["error_too_large"].format(bound=LOGIT_BOUND, token=token[:40]))
        values.append(value)
    if len(values) < 2:
        raise gr.Error(labels["error_too_few"].format(count=len(values)))
    if len(values) > MAX_LOGITS:
        raise gr.Error(labels["error_too_many"].format(limit=MAX_LOGITS, count=len(values)))
    return np.array(values, dtype=np.float64)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Numerically stable softmax (subtracting the max is itself the shift invariance at work)."""
    shifted = logits - logits.max()
    exp = np.exp(shifted)
    return exp / exp.sum()


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def probability(session, p):
    """Readout and figure of probability -> odds -> log-odds -> sigmoid -> probability."""
    p = check_number(p, P_MIN, P_MAX, "p", session.lang)
    labels = _labels(session.lang)
    odds = p / (1 - p)
    z = math.log(odds)
    odds_words = labels["odds_for" if odds >= 1 else "odds_against"].format(odds=odds, inverse=1 / odds)
    chain = labels["chain"].format(p=p, q=1 - p, odds=odds, odds_words=odds_words, z=z, minus_z=-z, back=sigmoid(z))
    figure = logit_sigmoid_figure(p, dict(title=labels["figure_title"], logit_title=labels["logit_title"],
                                          sigmoid_title=labels["sigmoid_title"], p=labels["axis_p"],
                                          z=labels["axis_z"], point=labels["point"]))
    live.attach(figure, "logit_p", strings={key: labels[key] for key in ("chain", "odds_for", "odds_against")})
    return session, chain, figure


def softmax_demo(session, text, shift, multiply):
    """Bars of softmax(k*z + c) against softmax(k*z), and the two-class sigmoid identity."""
    lang = session.lang
    z = parse_logits(text, lang)
    c = check_number(shift, SHIFT_MIN, SHIFT_MAX, "c", lang)
    k = check_number(multiply, MULTIPLY_MIN, MULTIPLY_MAX, "k", lang)
    labels = _labels(lang)
    logits = k * z + c
    probs = softmax(logits)
    reference = softmax(k * z)
    readout = labels["softmax_readout"].format(c=c, change=float(np.abs(probs - reference).max()), k=k,
                                               top=float(probs.max()), logit_sum=float(logits.sum()),
                                               p_sum=float(probs.sum()))
    a, b = float(logits[0]), float(logits[1])
    softmax2 = float(softmax(np.array([a, b]))[0])
    two_class = labels["two_class"].format(a=a, b=b, softmax2=softmax2, diff=a - b, sigmoid=sigmoid(a - b),
                                           gap=abs(softmax2 - sigmoid(a - b)),
                                           log_ratio=float(np.log(probs[0]) - np.log(probs[1])))
    figure = softmax_bars_figure(logits, probs, reference, dict(
        title=labels["softmax_title"], logits_title=labels["logits_title"], probs_title=labels["probs_title"],
        index=labels["index"], logit=labels["logit"], p=labels["prob"], reference=labels["reference"]))
    # the page redraws at another c or k from the parsed logits z (assets/live.js)
    live.attach(figure, "logit_softmax", z=z.tolist(),
                strings={key: labels[key] for key in ("softmax_readout", "two_class")})
    return session, figure, readout + "\n\n" + two_class


@torch.no_grad()
def _clip_row(session, n: int, seed: int):
    """Cosines, logits and the forward pass's own logits for image 0 of the demo batch (n, seed)."""
    model = session.model()
    world = session.world
    batch = session.memo(("batch", n, seed), lambda: demo_batch(world, n, seed))
    embedded = session.memo(("embedded", id(model), n, seed, False), lambda: embed_batch(model, batch))

    def forward_row():
        model.eval()
        return model(batch.images[:1], model.tokenizer(batch.captions))[0].numpy()  # [n]

    forward = session.memo(("forward_row0", id(model), n, seed), forward_row)
    cosines = (embedded.I_e[0] @ embedded.T_e.T).numpy()  # [n]
    thumbnail = session.memo(("thumb3", n, seed, 0), lambda: thumbnail_uri(batch.images[0].numpy(), scale=3))
    return cosines, forward, embedded.learned_scale, embedded.captions, thumbnail


def clip_row(session, n, seed):
    """Image 0 against its n captions: cosine -> x exp(t) = logit -> softmax, as a table."""
    lang = session.lang
    n = check_number(n, ROW_N_MIN, ROW_N_MAX, "n", lang, integer=True)
    seed = check_number(seed, 0, 2**31 - 1, "seed", lang, integer=True)
    labels = _labels(lang)
    cosines, forward, scale, captions, thumbnail = _clip_row(session, n, seed)
    logits = cosines.astype(np.float64) * scale
    probs = softmax(logits)
    lines = [f"| j | {labels['col_caption']} | {labels['col_cosine']} | {labels['col_logit'].format(scale=scale)} | "
             f"{labels['col_prob']} |", "|---:|:---|---:|---:|---:|"]
    for j in range(n):
        cells = [f"{j}", captions[j], f"{cosines[j]:+.4f}", f"{logits[j]:+.3f}", f"{probs[j]:.4f}"]
        if j == 0:  # the correct caption of image 0
            cells = [f"**{cell}**" for cell in cells]
            cells[0] += labels["correct_mark"]
        lines.append("| " + " | ".join(cells) + " |")
    order = np.argsort(-logits)
    delta = float(logits[order[0]] - logits[order[1]])
    summary = labels["clip_summary"].format(scale=scale, tau=1 / scale,
                                            forward_gap=float(np.abs(forward.astype(np.float64) - logits).max()),
                                            cos_sum=float(cosines.sum()), logit_sum=float(logits.sum()),
                                            p_sum=float(probs.sum()), top=int(order[0]), second=int(order[1]),
                                            delta=delta, ratio=math.exp(delta))
    card = (f'<div style="display:flex;gap:12px;align-items:center">'
            f'<img src="{thumbnail}" width="72" height="72" alt="image 0" '
            f'style="image-rendering:pixelated;border:2px solid {COLORS["diagonal"]};border-radius:4px">'
            f'<div>{labels["card"]}<br><b>“{captions[0]}”</b></div></div>')
    return session, card, "\n".join(lines), summary


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)

    gr.Markdown(t("logit.section_probability"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            p = ui.Slider(P_MIN, P_MAX, value=0.8, step=0.001, label=t("logit.p"))
            chain = gr.Markdown()
        with gr.Column(scale=2):
            logit_plot = gr.Plot(show_label=False, elem_id="logit-sigmoid")

    gr.Markdown(t("logit.section_softmax"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            logits_text = gr.Textbox(DEFAULT_LOGITS, label=t("logit.logits"), max_lines=1)
            apply = gr.Button(t("logit.apply"), size="sm")
            shift = ui.Slider(SHIFT_MIN, SHIFT_MAX, value=0.0, step=0.1, label=t("logit.shift"))
            multiply = ui.Slider(MULTIPLY_MIN, MULTIPLY_MAX, value=1.0, step=0.1, label=t("logit.multiply"))
        with gr.Column(scale=2):
            softmax_plot = gr.Plot(show_label=False, elem_id="logit-softmax")
    softmax_readout = gr.Markdown()

    gr.Markdown(t("logit.section_clip"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            row_n = ui.Slider(ROW_N_MIN, ROW_N_MAX, value=6, step=1, label=t("logit.row_n"))
            row_seed = ui.Number(value=0, precision=0, minimum=0, label=t("logit.row_seed"))
            card = gr.HTML()
        with gr.Column(scale=2):
            table = gr.Markdown()
            clip_summary = gr.Markdown()
    body.render()

    # the page redraws while these sliders move (assets/live.js); the server redraws when they are released
    live.wire(p, "logit_p", ["#logit-sigmoid"], [p], [chain])
    ctx.on(p.release, probability, [p], [ctx.session, chain, logit_plot], api_name="logit_probability",
           show_progress="hidden", trigger_mode="always_last")
    softmax_inputs = [logits_text, shift, multiply]
    for slider in (shift, multiply):
        live.wire(slider, "logit_softmax", ["#logit-softmax"], [shift, multiply], [softmax_readout])
    ctx.on(functools.partial(gr.on, [logits_text.submit, apply.click, shift.release, multiply.release]),
           softmax_demo, softmax_inputs, [ctx.session, softmax_plot, softmax_readout], api_name="logit_softmax",
           show_progress="hidden", trigger_mode="always_last")
    ctx.on(functools.partial(gr.on, [row_n.input, row_seed.submit]), clip_row, [row_n, row_seed],
           [ctx.session, card, table, clip_summary], api_name="logit_clip_row", show_progress="hidden",
           trigger_mode="always_last")

    ctx.refresh(lambda s, value: probability(s, value)[1:], [p], [chain, logit_plot], on_model_change=False)
    ctx.refresh(lambda s, *values: softmax_demo(s, *values)[1:], softmax_inputs, [softmax_plot, softmax_readout],
                on_model_change=False)
    ctx.refresh(lambda s, *values: clip_row(s, *values)[1:], [row_n, row_seed], [card, table, clip_summary],
                api_name="logit_refresh")
