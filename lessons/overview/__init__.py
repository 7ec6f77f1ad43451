"""Lesson 1 - what CLIP does: the two towers drawn with the current model's measured tensor shapes,
a batch of the toy world with its captions, and the path through the lessons."""

from __future__ import annotations

import gradio as gr
import torch

from clip_core import TinyCLIP
from clip_core.data import Batch
from lessons.common import ui
from lessons.common.compute import demo_batch
from lessons.common.models import model_label
from lessons.common.ui import check_number
from lessons.common.world import SEED_MAX, captioned, next_seed

from .diagram import two_tower_svg

LESSON_ID = "overview"
N_SAMPLES = 8  # pairs in the diagram's batch and the gallery below it

STRINGS = {
    "en": {
        "overview.tab": "1 · What CLIP does",
        "overview.diagram": "The two towers of the current model",
        "overview.samples": "The batch in the diagram: toy-world images and their captions",
        "overview.other_batch": "Show another batch",
        "overview.path_title": "The path through the lessons",
        "overview.path": ("1. **What CLIP does**: the two towers (this page)\n"
                          "2. **The toy world**: the images, captions and held-out pairs\n"
                          "3. **The logits matrix**: every image scored against every caption\n"
                          "4. **Temperature**: how exp(t) sharpens or flattens the softmax\n"
                          "5. **Train it live**: watch a tiny CLIP learn in a minute\n"
                          "6. **Zero-shot & prompts**: classify with sentences, compare templates\n"
                          "7. **Search**: find images from text, and similar images\n"
                          "8. **What is a logit?**: the word, from probabilities (read any time)"),
        "pretrained_note.overview": ("**Pretrained CLIP picked.** The diagram shows its real shapes, measured on toy "
                                     "pictures. It learned from web image–text pairs, never from this toy world."),
    },
    "zh": {
        "overview.tab": "1 · CLIP 做什么",
        "overview.diagram": "当前模型的两座塔",
        "overview.samples": "示意图里的这一批：玩具世界的图片与描述",
        "overview.other_batch": "换一批",
        "overview.path_title": "课程路线",
        "overview.path": ("1. **CLIP 做什么**：两座塔（本页）\n"
                          "2. **玩具世界**：图片、描述与留出组合\n"
                          "3. **Logits 矩阵**：每张图与每条描述两两打分\n"
                          "4. **温度**：exp(t) 如何让 softmax 变尖锐或变平缓\n"
                          "5. **实时训练**：一分钟内看一个小 CLIP 学会配对\n"
                          "6. **零样本与提示词**：用句子做分类，比较提示模板\n"
                          "7. **检索**：以文搜图，以图搜图\n"
                          "8. **什么是 logit？**：从概率讲起（随时可读）"),
        "pretrained_note.overview": "**已选择预训练 CLIP。** 示意图显示的是它在玩具图片上实测的形状。它是从网络上的图文对中学习的，从未见过这个玩具世界。",
    },
}


@torch.no_grad()
def measure_shapes(model: TinyCLIP, batch: Batch) -> dict:
    """Run the model on a batch step by step, as in the paper's pseudocode, and record each shape.

    Returns the `shapes` dict that diagram.two_tower_svg draws (without model_label).
    """
    model.eval()
    images = batch.images  # [n, 3, H, W]
    tokens = model.tokenizer(batch.captions)  # [n, L]
    I_f = model.visual(images)  # [n, d_i]
    T_f = model.text(tokens)  # [n, d_t]
    I_e = model.encode_image(images)  # [n, d_e] = l2_normalize(I_f @ W_i)
    T_e = model.encode_text(tokens)  # [n, d_e] = l2_normalize(T_f @ W_t)
    logits = model(images, tokens)  # [n, n] = I_e @ T_e.T * exp(t)
    count = lambda module: sum(p.numel() for p in module.parameters())  # noqa: E731
    return {
        "n": len(batch.captions),
        "images": list(images.shape), "tokens": list(tokens.shape),
        "I_f": list(I_f.shape), "T_f": list(T_f.shape),
        "W_i": list(model.image_projection.shape), "W_t": list(model.text_projection.shape),
        "I_e": list(I_e.shape), "T_e": list(T_e.shape), "logits": list(logits.shape),
        "scale": model.scale().item(),
        "encoder": model.config.image_encoder,
        "config": model.config.to_dict(),
        "parameters": {"total": model.num_parameters(), "image": count(model.visual), "text": count(model.text),
                       "projections": model.image_projection.numel() + model.text_projection.numel(),
                       "scale": model.logit_scale.numel()},
        "p_image_to_text": logits.softmax(dim=1).tolist(),
    }


def _batch(session, seed: int) -> Batch:
    world = session.world
    return session.memo(("overview_batch", seed), lambda: demo_batch(world, N_SAMPLES, seed))




def render(session, seed):
    """The diagram (SVG) for the current model and the gallery of the batch it was measured on."""
    seed = check_number(seed, 0, SEED_MAX, "seed", session.lang, integer=True)
    batch = _batch(session, seed)
    shapes = measure_shapes(session.model(), batch)
    shapes["model_label"] = model_label(session)
    return two_tower_svg(shapes, session.lang), captioned(batch.images.numpy(), batch.captions)


def path_text(session) -> str:
    table = STRINGS.get(session.lang, STRINGS["en"])
    return f"### {table['overview.path_title']}\n\n{table['overview.path']}"


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    diagram = gr.HTML(elem_id="overview-diagram", padding=True)
    seed = ui.Number(value=0, precision=0, visible=False)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            gallery = gr.Gallery(label=t("overview.samples"), columns=4, rows=2, height="auto", format="png",
                                 object_fit="contain", allow_preview=True, elem_id="overview-samples",
                                 elem_classes=["captioned-gallery"])
            other = gr.Button(t("overview.other_batch"), size="sm", variant="secondary")
        with gr.Column(scale=2, min_width=300):
            path = gr.Markdown(elem_id="overview-path")
    body.render()

    def step(session, seed):
        return session, *render(session, seed)

    ctx.on(other.click(next_seed, seed, seed, api_visibility="private", queue=False).then,
           step, [seed], [ctx.session, diagram, gallery], api_name="overview_samples")
    ctx.refresh(render, [seed], [diagram, gallery], api_name="overview_refresh")
    ctx.refresh(path_text, [], [path], on_model_change=False)

