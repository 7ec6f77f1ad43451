"""Lesson 2 - the toy world (clip_core/data.py, docs/ARCHITECTURE.md section 3): samples of the training
split, a scene builder with every caption pattern filled in, the vocabulary the tokenizer knows,
and the held-out colour-shape pairs of the zebra test."""

from __future__ import annotations

import functools
from html import escape

import gradio as gr
import numpy as np

from clip_core.data import (
    ATTRIBUTE_KINDS,
    CAPTION_PATTERNS,
    COLOURS,
    PATTERNS_BY_LANGUAGE,
    POSITIONS,
    SHAPES,
    SIZES,
    STYLES,
    ZH_WORDS,
    caption_for,
)
from lessons.common import ui
from lessons.common.compute import demo_batch
from lessons.common.plotting import COLORS, to_pil
from lessons.common.ui import check_choice, check_number
from lessons.common.world import SEED_MAX, captioned, next_seed

LESSON_ID = "toy_world"
N_SAMPLES = 16
SCENE_PIXELS = 256  # the scene builder's image: 32 px drawn 8x, nearest neighbour so pixels stay sharp

STRINGS = {
    "en": {
        "toy_world.tab": "2 · The toy world",
        "toy_world.seed": "Sample seed",
        "toy_world.regenerate": "Regenerate",
        "toy_world.samples": "16 training samples and their captions",
        "toy_world.samples_note": "Drawn from the training split, so no held-out pair ever appears here. "
                                  "Click a tile to enlarge it.",
        "toy_world.builder": "### Build a scene\nPick the five attributes; the image is drawn by the same code "
                             "that makes the training data.",
        "toy_world.colour": "colour",
        "toy_world.shape": "shape",
        "toy_world.size": "size",
        "toy_world.position": "position",
        "toy_world.style": "style",
        "toy_world.scene_image": "32×32 pixels, enlarged",
        "toy_world.held_out_title": "### The held-out pairs\nNever drawn in any training batch, "
                                    "though each colour and each shape appears with other partners.",
        "toy_world.held_out_gallery": "held-out colour–shape pairs",
        "toy_world.badge_held": "HELD OUT · never seen in training",
        "toy_world.badge_held_note": "The model has seen {colour} things and {shape}s, but never a {colour} {shape}.",
        "toy_world.badge_seen": "seen in training",
        "toy_world.badge_seen_note": "{colour} {shape}s appear in training batches.",
        "toy_world.captions_heading": "Every caption pattern, filled in for this scene",
        "toy_world.names": "names",
        "toy_world.vocab_title": "The vocabulary: {n} words",
        "toy_world.vocab_groups": "colours|shapes (orange is both)|sizes|positions|styles|other",
        "toy_world.vocab_special": "special tokens: {tokens} · {L} token slots per caption",
        "toy_world.vocab_note": "Any other word becomes `<unk>`: the app flags it as unknown, because the model "
                                "cannot read it.",
        "toy_world.patterns_title": "Caption patterns",
        "toy_world.pattern": "pattern",
        "toy_world.where": "`{{where}}` is one of: {phrases}.",
        "toy_world.style_phrases": "`{{style}}` names the picture's style: {phrases}.",
        "toy_world.counts_title": "How big is the world?",
        "toy_world.counts": ("**{colours}** colours × **{shapes}** shapes × **{sizes}** sizes × "
                             "**{positions}** positions × **{styles}** styles = **{scenes}** scenes: "
                             "**{train}** in training, "
                             "**{held}** held out ({held_pairs} of the {pairs} colour–shape pairs)."),
        "bilingual_note.toy_world": ("The header's model is the **bilingual** toy CLIP: samples drawn for it have "
                                     "captions in English or Chinese at random, as in its training."),
        "pretrained_note.toy_world": ("**This tab is about the toy CLIP's data.** The pretrained CLIP never saw these "
                                      "shapes: OpenAI's was trained on 400 million image–text pairs from the web. The "
                                      "vocabulary below is the toy tokenizer's; the pretrained CLIP reads any English "
                                      "text with its own byte-pair tokenizer."),
    },
    "zh": {
        "toy_world.tab": "2 · 玩具世界",
        "toy_world.seed": "样例随机种子",
        "toy_world.regenerate": "重新生成",
        "toy_world.samples": "16 个训练样例及其描述",
        "toy_world.samples_note": "样例取自训练集，所以这里永远不会出现留出组合。点击小图可放大。",
        "toy_world.builder": "### 搭一个场景\n选定五个属性；图片由生成训练数据的同一段代码绘制。",
        "toy_world.colour": "颜色 colour",
        "toy_world.shape": "形状 shape",
        "toy_world.size": "大小 size",
        "toy_world.position": "位置 position",
        "toy_world.style": "风格 style",
        "toy_world.scene_image": "32×32 像素，已放大",
        "toy_world.held_out_title": ("### 留出组合\n"
                                     "从不出现在任何训练批次中；但每种颜色、每种形状都会和其他搭档一起出现。"),
        "toy_world.held_out_gallery": "留出的颜色–形状组合",
        "toy_world.badge_held": "留出组合 · 训练中从未见过",
        "toy_world.badge_held_note": ("模型见过{colour_zh}（{colour}）的东西，也见过{shape_zh}（{shape}），"
                                      "却从没见过{colour_zh}{shape_zh}（{colour} {shape}）。"),
        "toy_world.badge_seen": "训练中见过",
        "toy_world.badge_seen_note": "{colour_zh}{shape_zh}（{colour} {shape}）会出现在训练批次里。",
        "toy_world.captions_heading": "每种句式套用到这个场景",
        "toy_world.names": "说出的属性",
        "toy_world.vocab_title": "词表：{n} 个词",
        "toy_world.vocab_groups": "颜色|形状（orange 两者都是）|大小|位置|风格|其他",
        "toy_world.vocab_special": "特殊词元：{tokens} · 每条描述 {L} 个词元位置",
        "toy_world.vocab_note": "其他任何词都会变成 `<unk>`：应用会把它标为未知词，因为模型读不懂它。",
        "toy_world.patterns_title": "描述句式",
        "toy_world.pattern": "句式",
        "toy_world.where": "`{{where}}` 是以下位置短语之一：{phrases}。",
        "toy_world.style_phrases": "`{{style}}` 说出图片的风格：{phrases}。",
        "toy_world.counts_title": "这个世界有多大？",
        "toy_world.counts": ("**{colours}** 种颜色 × **{shapes}** 种形状 × **{sizes}** 种大小 × **{positions}** 个位置 "
                             "× **{styles}** 种风格 = **{scenes}** 个场景：训练 **{train}** 个，留出 **{held}** 个"
                             "（{pairs} 个颜色–形状组合中留出 {held_pairs} 个）。"),
        "bilingual_note.toy_world": ("页首选的是 **双语** 玩具 CLIP，所以这里的样本和它训练时一样："
                                     "每条描述随机是英文或中文。"),
        "pretrained_note.toy_world": ("**这一页讲的是玩具 CLIP 的数据。** 预训练 CLIP 从未见过这些形状：OpenAI 的 CLIP 用网络上的"
                                      " 4 亿个图文对训练。下面的词表属于玩具分词器；预训练 CLIP 用自己的字节对分词器读任何英文文本。"),
    },
}
ATTRIBUTE_WORDS = {"en": {"colour": "colour", "shape": "shape", "size": "size", "position": "position",
                          "style": "style", "colours": "colours", "shapes": "shapes", "sizes": "sizes",
                          "positions": "positions"},
                   "zh": {"colour": "颜色", "shape": "形状", "size": "大小", "position": "位置", "style": "风格",
                          "colours": "颜色", "shapes": "形状", "sizes": "大小", "positions": "位置"}}
CHOICES = {"colour": list(COLOURS), "shape": list(SHAPES), "size": list(SIZES), "position": list(POSITIONS),
           "style": list(STYLES)}


def _strings(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def samples(session, seed):
    """16 (image, caption) pairs of the training split for a seed (the batch the logits lesson
    shows for n = 16 and the same seed)."""
    seed = check_number(seed, 0, SEED_MAX, "seed", session.lang, integer=True)
    batch = demo_batch(session.world, N_SAMPLES, seed)
    return captioned(batch.images.numpy(), batch.captions)


def scene(session, colour, shape, size, position, style="photo"):
    """The rendered scene, a held-out badge and every caption pattern filled in (HTML)."""
    names = {"colour": check_choice(colour, CHOICES["colour"], "colour"),
             "shape": check_choice(shape, CHOICES["shape"], "shape"),
             "size": check_choice(size, CHOICES["size"], "size"),
             "position": check_choice(position, CHOICES["position"], "position"),
             "style": check_choice(style, CHOICES["style"], "style")}
    world = session.world
    # a fixed stream per scene: the same choices always give the same picture
    code = [list(CHOICES[k]).index(names[k]) for k in ATTRIBUTE_KINDS]
    image = world.render(names, rng=np.random.default_rng([world.seed, 31, *code]))[0].numpy()
    held = (colour, shape) in world.held_out_pairs
    languages = ("en", "zh") if world.caption_language == "mixed" else (world.caption_language,)
    return to_pil(image, SCENE_PIXELS), scene_html(names, held, session.lang, languages)


def per_language(fn, name: str, outputs: int):
    """Page load and model change: `fn` draws when the world's caption language differs from the
    one this session's view was drawn in, and skips otherwise (a model change such as one training
    step keeps the language: the pictures stay)."""
    def draw(session, *values):
        language = session.world.caption_language
        if session.cache.get(("toy_world_drawn", name)) == language:
            return gr.skip() if outputs == 1 else tuple(gr.skip() for _ in range(outputs))
        drawn = fn(session, *values)
        session.cache[("toy_world_drawn", name)] = language
        return drawn

    return draw


def scene_html(names: dict[str, str], held: bool, lang: str, languages: tuple[str, ...] = ("en",)) -> str:
    """The scene's badge and its captions, one row per caption pattern (each language's wording
    of the pattern in the same row) with the attributes it names."""
    s = _strings(lang)
    words = ATTRIBUTE_WORDS.get(lang, ATTRIBUTE_WORDS["en"])
    color = COLORS["chance"] if held else COLORS["diagonal"]
    badge, note = (s["badge_held"], s["badge_held_note"]) if held else (s["badge_seen"], s["badge_seen_note"])
    note = note.format(colour=names["colour"], shape=names["shape"], colour_zh=ZH_WORDS["colour"][names["colour"]],
                       shape_zh=ZH_WORDS["shape"][names["shape"]])
    separator = "、" if lang == "zh" else ", "
    cell = "border:none;border-bottom:1px solid rgba(127,127,127,0.25);padding:4px 14px 4px 0;text-align:left"

    def wordings(i: int) -> str:  # pattern i in each language (the Chinese pattern i translates the English one)
        return "<br>".join(f'<code style="font-size:0.95rem">'
                           f'{escape(caption_for(names, PATTERNS_BY_LANGUAGE[language][i][0], language))}</code>'
                           for language in languages)

    rows = "".join(
        f'<tr><td style="{cell}">{wordings(i)}</td>'
        f'<td style="{cell};opacity:0.75">{escape(separator.join(words[k] for k in ATTRIBUTE_KINDS if k in named))}'
        '</td></tr>'
        for i, (_, named) in enumerate(CAPTION_PATTERNS))
    return (
        f'<div style="font-size:1rem;line-height:1.45">'
        f'<div style="display:inline-block;padding:6px 14px;border-radius:999px;border:2px solid {color};'
        f'background:{color}22;font-weight:700;font-size:1.05rem">{"⚠ " if held else "✓ "}{escape(badge)}</div>'
        f'<p style="margin:8px 0 12px 0">{escape(note)}</p>'
        f'<table style="border-collapse:collapse;border:none;margin:0"><thead><tr>'
        f'<th style="{cell};font-weight:600">{escape(s["captions_heading"])}</th>'
        f'<th style="{cell};font-weight:600;opacity:0.75">{escape(s["names"])}</th>'
        f'</tr></thead><tbody>{rows}</tbody></table></div>'
    )


def held_out_gallery(session):
    """One large, centred example of every held-out pair, labelled with the pair's name."""
    world = session.world
    scenes = [{"colour": c, "shape": s, "size": "large", "position": "center"} for c, s in world.held_out_pairs]
    images = world.render(scenes, rng=np.random.default_rng([world.seed, 37])).numpy()
    return captioned(images, [f"{c} {s}" for c, s in world.held_out_pairs])


def _chips(words) -> str:
    return " ".join(f"`{word}`" for word in words)


def vocabulary_markdown(session) -> str:
    """The tokenizer's words, grouped by what they name, as inline-code chips."""
    s = _strings(session.lang)
    tokenizer = session.toy_model().tokenizer  # the toy vocabulary, also when the pretrained CLIP is picked
    known = tokenizer.vocabulary
    position_words = sorted({w for p in POSITIONS for w in p.split()})
    style_phrases = [caption_for({"colour": "", "shape": "", "size": "", "position": "center", "style": style},
                                 "{style}") for style in STYLES]
    style_words = sorted({w for phrase in style_phrases for w in phrase.split()} - {"a", "of"})
    groups = [list(COLOURS), list(SHAPES), list(SIZES), position_words, style_words]
    grouped = {w for group in groups for w in group}
    groups.append([w for w in known if w not in grouped])
    lines = [f"### {s['vocab_title'].format(n=len(known))}", ""]
    for label, group in zip(s["vocab_groups"].split("|"), groups, strict=True):
        lines.append(f"- **{label}**: {_chips(w for w in group if w in known)}")
    specials = [tokenizer.itos[i] for i in (tokenizer.sot_id, tokenizer.eot_id, tokenizer.pad_id, tokenizer.unk_id)]
    lines += ["", s["vocab_special"].format(tokens=_chips(specials), L=tokenizer.context_length), "",
              s["vocab_note"]]
    return "\n".join(lines)


def patterns_markdown(lang: str) -> str:
    """The caption patterns and which attributes each one names, as a table."""
    s = _strings(lang)
    words = ATTRIBUTE_WORDS.get(lang, ATTRIBUTE_WORDS["en"])
    lines = [f"### {s['patterns_title']}", "",
             f"| {s['pattern']} | " + " | ".join(words[k] for k in ATTRIBUTE_KINDS) + " |",
             "|---|" + ":-:|" * len(ATTRIBUTE_KINDS)]
    for pattern, named in CAPTION_PATTERNS:
        marks = " | ".join("✓" if k in named else "" for k in ATTRIBUTE_KINDS)
        lines.append(f"| `{pattern}` | {marks} |")
    phrases = [caption_for({"colour": "", "shape": "", "size": "", "position": p}, "{where}") for p in POSITIONS]
    styles = [caption_for({"colour": "", "shape": "", "size": "", "position": "center", "style": style}, "{style}")
              for style in STYLES]
    separator = "、" if lang == "zh" else ", "
    lines += ["", s["where"].format(phrases=separator.join(f"“{phrase}”" for phrase in phrases)),
              s["style_phrases"].format(phrases=separator.join(f"“{phrase}”" for phrase in styles))]
    return "\n".join(lines)


def counts_markdown(session) -> str:
    """How many colours, shapes, sizes, positions and scenes, in training and held out."""
    s = _strings(session.lang)
    world = session.world
    seen, held = len(world.classes("seen")), len(world.classes("held_out"))
    per_pair = len(SIZES) * len(POSITIONS) * len(STYLES)
    counts = s["counts"].format(colours=len(COLOURS), shapes=len(SHAPES), sizes=len(SIZES), positions=len(POSITIONS),
                                styles=len(STYLES),
                                scenes=(seen + held) * per_pair, train=seen * per_pair, held=held * per_pair,
                                pairs=seen + held, held_pairs=held)
    return f"### {s['counts_title']}\n\n{counts}"


def reference(session):
    """The static panels: held-out gallery, vocabulary, caption patterns and counts."""
    return (held_out_gallery(session), vocabulary_markdown(session), patterns_markdown(session.lang),
            counts_markdown(session))


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=200):
            seed = ui.Number(value=0, precision=0, minimum=0, maximum=SEED_MAX, label=t("toy_world.seed"))
            regenerate = gr.Button(t("toy_world.regenerate"), variant="primary", size="sm")
            gr.Markdown(t("toy_world.samples_note"))
        with gr.Column(scale=5):
            gallery = gr.Gallery(label=t("toy_world.samples"), columns=8, rows=2, height="auto", format="png",
                                 object_fit="contain", elem_id="toy-world-samples", elem_classes=["captioned-gallery"])
    gr.Markdown(t("toy_world.builder"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=200):
            colour = gr.Dropdown(CHOICES["colour"], value="red", label=t("toy_world.colour"))
            shape = gr.Dropdown(CHOICES["shape"], value="circle", label=t("toy_world.shape"))
            size = gr.Dropdown(CHOICES["size"], value="large", label=t("toy_world.size"))
            position = gr.Dropdown(CHOICES["position"], value="center", label=t("toy_world.position"))
            style = gr.Dropdown(CHOICES["style"], value="photo", label=t("toy_world.style"))
        with gr.Column(scale=1, min_width=SCENE_PIXELS + 20):
            scene_image = gr.Image(label=t("toy_world.scene_image"), format="png", interactive=False,
                                   height=SCENE_PIXELS + 40, buttons=["download"], elem_id="toy-world-scene",
                                   elem_classes=["pixelated"])
        with gr.Column(scale=2):
            scene_info = gr.HTML(elem_id="toy-world-scene-info")
    gr.Markdown(t("toy_world.held_out_title"))
    held = gr.Gallery(label=t("toy_world.held_out_gallery"), columns=8, rows=1, height="auto", format="png",
                      object_fit="contain", elem_id="toy-world-held-out", elem_classes=["captioned-gallery"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            counts = gr.Markdown(elem_id="toy-world-counts")
            vocabulary = gr.Markdown(elem_id="toy-world-vocabulary")
        with gr.Column(scale=3):
            patterns = gr.Markdown(elem_id="toy-world-patterns")
    body.render()

    def redraw(session, seed):
        return session, samples(session, seed)

    def rebuild(session, colour, shape, size, position, style="photo"):
        return session, *scene(session, colour, shape, size, position, style)

    ctx.on(functools.partial(gr.on, [seed.submit, seed.blur]), redraw, [seed], [ctx.session, gallery],
           api_name="toy_world_samples", trigger_mode="always_last")
    ctx.on(regenerate.click(next_seed, seed, seed, api_visibility="private", queue=False).then,
           redraw, [seed], [ctx.session, gallery], api_visibility="private")
    scene_inputs = [colour, shape, size, position, style]
    ctx.on(functools.partial(gr.on, [c.input for c in scene_inputs]), rebuild, scene_inputs,
           [ctx.session, scene_image, scene_info], api_name="toy_world_scene", trigger_mode="always_last")
    # the world's captions follow the picked model (English, or both languages for the bilingual one)
    ctx.refresh(per_language(samples, "samples", 1), [seed], [gallery])
    ctx.refresh(per_language(scene, "scene", 2), scene_inputs, [scene_image, scene_info])
    ctx.refresh(reference, [], [held, vocabulary, patterns, counts], api_name="toy_world_reference")
