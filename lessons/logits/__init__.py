"""Lesson 3 - the logits matrix: I_e @ T_e.T * exp(t) for a batch of n pairs, its two softmaxes
and the symmetric loss, at any temperature, for the chosen model and a random one side by side."""

from __future__ import annotations

import functools
import tempfile

import gradio as gr
import numpy as np

from lessons.common import live, ui
from lessons.common.compute import (
    LOG_TAU_MAX,
    LOG_TAU_MIN,
    N_MAX,
    N_MIN,
    demo_batch,
    embed_batch,
    logits_data,
    scale_to_log10_tau,
    shuffled_order,
    tau_to_scale,
    thumbnails,
)
from lessons.common.heatmap import VIEWS, heatmap_labels, logits_figure, logits_png
from lessons.common.ui import check_choice, check_number

LESSON_ID = "logits"

STRINGS = {
    "en": {
        "logits.tab": "3 · Logits matrix",
        "logits.n": "Batch size n (pairs)",
        "logits.seed": "Batch seed",
        "logits.new_batch": "New batch",
        "logits.log_tau": "Temperature log₁₀ τ (← sharper · flatter →)",
        "logits.learned": "Use the model's learned τ",
        "logits.view": "What the heatmap shows",
        "logits.view.cosine": "cosine I_e·T_e",
        "logits.view.logits": "logits (× exp t)",
        "logits.view.p_image_to_text": "row softmax: image → text",
        "logits.view.p_text_to_image": "column softmax: text → image",
        "logits.shuffle": "Shuffle the captions (pairs no longer match)",
        "logits.compare": "Show a random-init model beside it",
        "logits.code": "The paper's pseudocode with this batch's numbers",
        "logits.chance": "chance: ln n",
        "logits.random_suffix": "random init",
        "logits.summary": ("**Loss {total:.3f}** (image→text {li:.3f}, text→image {lt:.3f}) · at chance it would be "
                           "**ln {n} = {ln:.3f}** · exp(t) = {scale:.2f} (τ = {tau:.4f}) · correct pair ranked first: "
                           "{acc_i}/{n} rows, {acc_t}/{n} columns"),
        "bilingual_note.logits": ("With the **bilingual** toy CLIP, the batch's captions are English or Chinese at "
                                  "random, as in its training. *Beyond the basics › Two languages* puts the two "
                                  "languages face to face."),
        "pretrained_note.logits": ("**Pretrained CLIP on toy pictures.** Each 32-pixel picture is enlarged to {size} "
                                   "pixels by the model's own image processor. For your own pictures and captions, "
                                   "open **9 · Beyond the basics → Your photos**."),
    },
    "zh": {
        "logits.tab": "3 · Logits 矩阵",
        "logits.n": "批大小 n（图文对数）",
        "logits.seed": "批次随机种子",
        "logits.new_batch": "换一批",
        "logits.log_tau": "温度 log₁₀ τ（← 更尖锐 · 更平缓 →）",
        "logits.learned": "使用模型学到的 τ",
        "logits.view": "热力图显示",
        "logits.view.cosine": "余弦相似度 I_e·T_e",
        "logits.view.logits": "logits（× exp t）",
        "logits.view.p_image_to_text": "按行 softmax：图 → 文",
        "logits.view.p_text_to_image": "按列 softmax：文 → 图",
        "logits.shuffle": "打乱文本顺序（图文不再配对）",
        "logits.compare": "在旁边显示随机初始化的模型",
        "logits.code": "论文伪代码，代入这一批的数值",
        "logits.chance": "随机水平：ln n",
        "logits.random_suffix": "随机初始化",
        "logits.summary": ("**损失 {total:.3f}**（图→文 {li:.3f}，文→图 {lt:.3f}）· 随机水平为 **ln {n} = {ln:.3f}** · "
                           "exp(t) = {scale:.2f}（τ = {tau:.4f}）· 正确配对排第一：{acc_i}/{n} 行，{acc_t}/{n} 列"),
        "bilingual_note.logits": ("用 **双语** 玩具 CLIP 时，批次里的描述和它训练时一样，随机是英文或中文。"
                                  "*进阶 › 中英互通* 把两种语言放在一起对比。"),
        "pretrained_note.logits": ("**预训练 CLIP 看玩具图片。** 每张 32 像素的图片都由模型自己的图像处理器放大到 {size} 像素。"
                                   "要用你自己的图片和描述，请打开 **9 · 进阶 → 你的图片**。"),
    },
}


def _labels(lang: str) -> dict[str, str]:
    return {**heatmap_labels(lang), **ui.lesson_strings(STRINGS, lang)}


def _prepare(session, model_name: str, n: int, seed: int, shuffle: bool):
    """The batch, its thumbnails and its embeddings under a model (memoised per session)."""
    world = session.world
    batch = session.memo(("batch", n, seed), lambda: demo_batch(world, n, seed))
    thumbs = session.memo(("thumbs", n, seed), lambda: thumbnails(batch))
    order = shuffled_order(n, seed) if shuffle else None
    model = session.model(model_name)
    embedded = session.memo(("embedded", id(model), n, seed, shuffle), lambda: embed_batch(model, batch, order))
    return embedded, thumbs


def compute(session, n, seed, log10_tau, learned: bool, shuffle: bool, model_name: str | None = None):
    """LogitsData for the lesson's controls (also used by the tests and the benchmark)."""
    embedded, thumbs = _prepare(session, model_name or session.model_name, n, seed, shuffle)
    scale = embedded.learned_scale if learned else tau_to_scale(log10_tau)
    return logits_data(embedded, scale, thumbs)


def _code(data, n: int, model_label: str) -> str:
    k = min(n, 4)
    rows = "\n".join("#   [" + ", ".join(f"{v:7.2f}" for v in data.logits[i, :k]) + (", ..." if n > k else "") + "]"
                     for i in range(k))
    labels = list(range(min(n, 8)))
    acc_rows = int((data.logits.argmax(1) == np.arange(n)).sum())
    return f"""# {n} image-caption pairs from ShapesWorld; model: {model_label}
I_f = image_encoder(I)             # [{n}, d_i] image features
T_f = text_encoder(T)              # [{n}, d_t] text features, read at <eot>
I_e = l2_normalize(I_f @ W_i)      # [{n}, d_e] unit vectors
T_e = l2_normalize(T_f @ W_t)      # [{n}, d_e] unit vectors
logits = I_e @ T_e.T * exp(t)      # [{n}, {n}], exp(t) = {data.scale:.3f}  (tau = {1 / data.scale:.4f})
# logits[:{k}, :{k}] =
{rows}
labels = np.arange(n)              # {labels}{' ...' if n > 8 else ''}: caption i belongs to image i
loss_i = cross_entropy_loss(logits, labels, axis=0)   # {data.per_text.mean():.4f}  (each text picks an image)
loss_t = cross_entropy_loss(logits, labels, axis=1)   # {data.per_image.mean():.4f}  (each image picks a text)
loss = (loss_i + loss_t) / 2                           # {data.total:.4f}   chance: ln {n} = {np.log(n):.4f}
# rows whose largest logit is on the diagonal: {acc_rows} of {n}"""


def render(session, n, seed, log10_tau, learned, view, shuffle, compare):
    lang = session.lang
    n = check_number(n, N_MIN, N_MAX, "n", lang, integer=True)
    seed = check_number(seed, 0, 2**31 - 1, "seed", lang, integer=True)
    log10_tau = check_number(log10_tau, LOG_TAU_MIN, LOG_TAU_MAX, "log10 tau", lang)
    view = check_choice(view, VIEWS, "view")
    labels = _labels(lang)
    data = compute(session, n, seed, log10_tau, bool(learned), bool(shuffle))
    model_label = ("pretrained CLIP " + session.model().config.name if session.is_pretrained else
                   {"shipped": "toy CLIP (shipped)", "bilingual": "toy CLIP (shipped, bilingual)",
                    "trained": "my trained model", "random": "random init"}[
                       session.model_name if session.model_name in session.models else "shipped"])
    main = live.attach_logits(logits_figure(data, view, labels), data, view, labels, summary=labels["summary"],
                              model_label=model_label)
    if compare:
        random_data = compute(session, n, seed, log10_tau, bool(learned), bool(shuffle), model_name="random")
        side = logits_figure(random_data, view, labels)
        side.update_layout(title_text=f"{labels['random_suffix']} — " + side.layout.title.text)
        live.attach_logits(side, random_data, view, labels, title_prefix=f"{labels['random_suffix']} — ")
        side_update = gr.update(value=side, visible=True)
    else:
        side_update = gr.update(value=None, visible=False)
    acc_i = int((data.logits.argmax(1) == np.arange(n)).sum())
    acc_t = int((data.logits.argmax(0) == np.arange(n)).sum())
    summary = labels["summary"].format(total=data.total, li=float(data.per_image.mean()),
                                       lt=float(data.per_text.mean()), n=n, ln=float(np.log(n)),
                                       scale=data.scale, tau=1 / data.scale, acc_i=acc_i, acc_t=acc_t)
    return session, main, side_update, summary, _code(data, n, model_label)


def learned_tau(session):
    """Slider position of the current model's learned temperature."""
    return session, scale_to_log10_tau(session.model().scale().item())


def export_png(session, n, seed, log10_tau, learned, view, shuffle):
    n = check_number(n, N_MIN, N_MAX, "n", session.lang, integer=True)
    seed = check_number(seed, 0, 2**31 - 1, "seed", session.lang, integer=True)
    log10_tau = check_number(log10_tau, LOG_TAU_MIN, LOG_TAU_MAX, "log10 tau", session.lang)
    view = check_choice(view, VIEWS, "view")
    data = compute(session, n, seed, log10_tau, bool(learned), bool(shuffle))
    path = tempfile.NamedTemporaryFile(prefix=f"clip-lab-{view}-n{n}-", suffix=".png", delete=False).name
    return session, gr.update(value=logits_png(data, view, _labels(session.lang), path), visible=True)


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            n = ui.Slider(N_MIN, N_MAX, value=8, step=1, label=t("logits.n"))
            with gr.Row(elem_classes=["advanced"]):
                seed = ui.Number(value=0, precision=0, minimum=0, label=t("logits.seed"), scale=2)
                new_batch = gr.Button(t("logits.new_batch"), scale=1, size="sm")
            log_tau = ui.Slider(LOG_TAU_MIN, LOG_TAU_MAX, value=-1.15, step=0.01, label=t("logits.log_tau"))
            learned = gr.Checkbox(value=True, label=t("logits.learned"))
            view = gr.Radio([(t(f"logits.view.{v}"), v) for v in VIEWS], value="p_image_to_text",
                            label=t("logits.view"))
            shuffle = gr.Checkbox(value=False, label=t("logits.shuffle"))
            compare = gr.Checkbox(value=False, label=t("logits.compare"))
            export = gr.Button(t("common.export_png"), size="sm", elem_classes=["advanced"])
            png = gr.File(label=t("common.png_file"), visible=False)
        with gr.Column(scale=3):
            summary = gr.Markdown()
            with gr.Row():
                main = gr.Plot(show_label=False, elem_id="logits-main")
                side = gr.Plot(show_label=False, visible=False, elem_id="logits-side")
    with gr.Accordion(t("logits.code"), open=False, elem_classes=["advanced"]):
        code = gr.Code(language="python", interactive=False)
    body.render()

    inputs = [n, seed, log_tau, learned, view, shuffle, compare]
    outputs = [ctx.session, main, side, summary, code]
    # the page redraws while the slider moves (assets/live.js); the server redraws when it is released.
    # Moving the temperature slider means "try this temperature", so the page also unticks the learned τ.
    live.wire(log_tau, "logits", ["#logits-main", "#logits-side"], [log_tau], [summary, code, learned])
    ctx.on(functools.partial(gr.on, [n.input, log_tau.release, view.input, shuffle.input, compare.input,
                                      learned.input, seed.submit]),
           render, inputs, outputs, api_name="logits_render", show_progress="hidden", trigger_mode="always_last")
    ctx.on(new_batch.click(lambda s: int(s or 0) + 1, seed, seed, api_visibility="private").then,
           render, inputs, outputs, api_visibility="private")
    ctx.on(export.click, export_png, [n, seed, log_tau, learned, view, shuffle], [ctx.session, png],
           api_name="logits_export_png")
    ctx.on(learned.input, learned_tau, [], [ctx.session, log_tau], api_name="logits_learned_tau",
           show_progress="hidden")

    def on_load(session, n, seed, log_tau, learned, view, shuffle, compare):
        _, tau = learned_tau(session)  # the slider starts at the model's learned temperature
        return (tau, *render(session, n, seed, tau, learned, view, shuffle, compare)[1:])

    ctx.refresh(on_load, inputs, [log_tau, main, side, summary, code], api_name="logits_refresh")
    ctx.shareable(LESSON_ID, {"n": n, "seed": seed, "log_tau": log_tau, "learned": learned, "view": view,
                              "shuffle": shuffle, "compare": compare}, redraw=(render, [ctx.session, *inputs], outputs))
