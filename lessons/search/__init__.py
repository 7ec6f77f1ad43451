"""Lesson 7 - search: text -> image and image -> image over a generated gallery (CLIP paper 3.1).

The gallery is embedded once per (model, gallery) and kept in the session; a query is one pass
through a tower and one matrix-vector product, ranked by cosine (clip_core.retrieval). Queries may
be Chinese: with the interface in Chinese and a model that reads it, the default query and the
results' captions are Chinese.
"""

from __future__ import annotations

import functools
import time

import gradio as gr
import numpy as np
import torch

from clip_core.data import CAPTION_PATTERNS, COLOURS, SHAPES, ZH_CAPTION_PATTERNS, Batch, caption_for
from clip_core.retrieval import embed_gallery, search_images, similar_images
from lessons.common import limits, ui
from lessons.common.plotting import to_pil
from lessons.common.ui import check_number, keep_session

from .figures import search_scores_figure

LESSON_ID = "search"

PAIRS = len(COLOURS) * len(SHAPES)  # a gallery holds the same number of pictures of every colour-shape pair
GALLERY_MIN, GALLERY_STEP, GALLERY_DEFAULT = PAIRS, PAIRS, 3 * PAIRS  # 3 per pair: one of each style
GALLERY_SEED_OFFSET = 10_000  # gallery seeds never meet the zero-shot test set's (1234)
K_MAX, K_DEFAULT = 24, 6
SEED_MAX = 2**31 - 1
THUMB_PIXELS = 96
DEFAULT_QUERY = {"en": "a small red circle", "zh": "一个小的红色圆形"}

STRINGS = {
    "en": {
        "search.tab": "7 · Search",
        "search.query": "Describe what to find",
        "search.search": "Search",
        "search.k": "Results shown (top k)",
        "search.by_image": "Image → image: gallery image number (or click one below)",
        "search.similar": "Find similar images",
        "search.size": "Gallery size (generated images)",
        "search.seed": "Gallery seed",
        "search.results": "Top matches: rank · gallery number · cosine, then the image's true caption",
        "search.browse": "The whole gallery: click an image to search for images like it",
        "search.scores_title": "Cosine of the query with every gallery image, best first",
        "search.scores_x": "rank",
        "search.scores_y": "cosine",
        "search.top": "top k shown above",
        "search.rest": "the rest of the gallery",
        "search.held": "★ held-out pair",
        "search.text_summary": ("**Text → image** for “{query}”: the {k} best of {n} images by cosine with the "
                                "query's text embedding."),
        "search.image_summary": ("**Image → image** for gallery image #{index} ({caption}): the {k} best of {n} "
                                 "images by cosine with its image embedding. It finds itself first (cosine 1)."),
        "search.timing": ("Embedding the gallery: {embed:.0f} ms, once per model and gallery{cached}; this query: "
                          "{query:.1f} ms."),
        "search.cached": " (already done: reused)",
        "search.unknown": "⚠ Words the toy model does not know, read as `<unk>`: **{words}**",
        "search.no_chinese": ("⚠ This model was trained on English captions only, so every Chinese word is `<unk>` "
                              "to it. For Chinese queries, pick **toy CLIP, bilingual** in the header."),
        "search.english_only": ("This model reads English only. To search in Chinese (一个小的红色圆形), pick "
                                "**toy CLIP, bilingual** in the header."),
        "search.truncated": "⚠ The query is longer than {n} tokens and was cut to: “{kept}”",
        "search.err_empty": "Type a description to search for, such as: a small red circle",
        "search.err_long": "At most {max} characters, please (got {n}).",
        "search.err_size": "The gallery size must be a multiple of {step}, one image per colour–shape pair each time "
                           "(got {n}).",
        "pretrained_note.search": ("**Pretrained CLIP searching the toy gallery.** To search your own pictures, open "
                                   "**9 · Beyond the basics → Your photos**."),
    },
    "zh": {
        "search.tab": "7 · 检索",
        "search.query": "描述要找的图",
        "search.search": "搜索",
        "search.k": "显示的结果数（前 k 个）",
        "search.by_image": "以图搜图：图库中的图片编号（或在下方点一张）",
        "search.similar": "找相似的图",
        "search.size": "图库大小（生成的图片数）",
        "search.seed": "图库随机种子",
        "search.results": "最佳匹配：名次 · 图库编号 · 余弦，下面是这张图的真实描述",
        "search.browse": "整个图库：点一张图，搜索和它相似的图",
        "search.scores_title": "查询与图库中每张图的余弦，从高到低",
        "search.scores_x": "名次",
        "search.scores_y": "余弦",
        "search.top": "上面显示的前 k 个",
        "search.rest": "图库中其余的图",
        "search.held": "★ 留出组合",
        "search.text_summary": "**以文搜图**：“{query}”。按与查询文本嵌入的余弦，从 {n} 张图中取最好的 {k} 张。",
        "search.image_summary": ("**以图搜图**：图库第 {index} 张（{caption}）。按与它的图像嵌入的余弦，"
                                 "从 {n} 张图中取最好的 {k} 张。它首先找到的是自己（余弦为 1）。"),
        "search.timing": "编码整个图库：{embed:.0f} 毫秒，每个模型和图库只做一次{cached}；这次查询：{query:.1f} 毫秒。",
        "search.cached": "（已经做过，直接复用）",
        "search.unknown": "⚠ 玩具模型不认识这些词，会读成 `<unk>`：**{words}**",
        "search.no_chinese": ("⚠ 这个模型只用英文描述训练过，每个中文词对它来说都是 `<unk>`。"
                              "要用中文搜索，请在页首选择 **玩具 CLIP，双语**。"),
        "search.english_only": ("这个模型只读得懂英文。想用中文搜索（例如“一个小的红色圆形”），"
                                "请在页首选择 **玩具 CLIP，双语**。"),
        "search.truncated": "⚠ 查询超过 {n} 个词元，被截成了：“{kept}”",
        "search.err_empty": "请输入要搜索的描述，例如：一个小的红色圆形（或 a small red circle）",
        "search.err_long": "最多 {max} 个字符（现在是 {n} 个）。",
        "search.err_size": "图库大小必须是 {step} 的倍数，每个颜色–形状组合各一张（现在是 {n}）。",
        "pretrained_note.search": "**预训练 CLIP 在检索玩具图库。** 要检索你自己的图片，请打开 **9 · 进阶 → 你的图片**。",
    },
}


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def gallery_max() -> int:
    """The largest gallery the operator's limit allows, a multiple of the number of pairs (at least one each)."""
    return max(GALLERY_MIN, limits.LIMITS.max_gallery // GALLERY_STEP * GALLERY_STEP)


GALLERY_MAX = gallery_max()  # the slider's end, fixed when the app starts


def gallery_batch(world, n: int, seed: int) -> Batch:
    """The gallery for (n, seed): n / pairs images of every colour-shape pair (held-out pairs too, so
    every pair can be searched for), of random size and place, the styles in turn, in a shuffled order."""
    per_pair = int(n) // len(world.classes("colour_shape"))
    batch = world.test_set(per_pair, "all", seed=GALLERY_SEED_OFFSET + int(seed), style=None)
    order = np.random.default_rng([world.seed, 41, int(seed)]).permutation(len(batch.captions))
    return Batch(batch.images[torch.from_numpy(order)], [batch.captions[i] for i in order], batch.attributes[order])


def true_caption(batch, i: int, lang: str = "en") -> str:
    """The caption that names every attribute of gallery image i, in English or Chinese."""
    pattern = (ZH_CAPTION_PATTERNS if lang == "zh" else CAPTION_PATTERNS)[0][0]
    return caption_for(batch.attributes.names(i), pattern, lang)


def _gallery(session, n: int, seed: int):
    """(batch, unit embeddings [n, d_e], embedding time in ms, reused?) for the current model."""
    world, model = session.world, session.model()
    batch = session.memo(("search_batch", n, seed), lambda: gallery_batch(world, n, seed))
    key = ("search_embedded", session.model_name, id(model), n, seed)
    reused = key in session.cache or session.shared_result_known(key)

    def embed():
        started = time.perf_counter()
        embeddings = embed_gallery(model, batch.images)
        return embeddings, 1000 * (time.perf_counter() - started)

    embeddings, milliseconds = session.memo_shared(key, embed)  # shared between learners for shared models
    return batch, embeddings, milliseconds, reused


def _check(session, n, seed, k):
    lang = session.lang
    n = _check_size(n, lang)
    seed = check_number(seed, 0, SEED_MAX, "seed", lang, integer=True)
    k = check_number(k, 1, K_MAX, "top k", lang, integer=True)
    return n, seed, k


def _check_size(n, lang: str) -> int:
    n = check_number(n, GALLERY_MIN, gallery_max(), "gallery size", lang, integer=True, limit="max_gallery")
    if n % GALLERY_STEP:
        raise gr.Error(labels(lang)["err_size"].format(n=n, step=GALLERY_STEP))
    return n


def _index_in(index, n, lang: str) -> int:
    """A gallery image number kept inside a (new) gallery of n: a smaller gallery moves it to the
    last image instead of failing."""
    n = _check_size(n, lang)
    index = check_number(0 if index is None else index, 0, float("inf"), "gallery image number", lang, integer=True)
    return min(index, n - 1)


def _results(session, batch, indices, scores, embeddings, query_embedding, k: int):
    """Captioned gallery items and the figure of every cosine, for a ranking."""
    s = labels(session.lang)
    held = session.world.is_held_out(batch.attributes)
    lang = session.prompt_language()
    items = []
    for rank, (i, score) in enumerate(zip(indices.tolist(), scores.tolist(), strict=True), start=1):
        mark = f" {s['held']}" if held[i] else ""
        items.append((to_pil(batch.images[i].numpy(), THUMB_PIXELS),
                      f"{rank} · #{i} · cos {score:.3f}\n{true_caption(batch, i, lang)}{mark}"))
    every = np.sort((embeddings @ query_embedding).numpy())[::-1]  # [n], best first
    figure = search_scores_figure(every, k, {"title": s["scores_title"], "x": s["scores_x"], "y": s["scores_y"],
                                             "top": s["top"], "rest": s["rest"]})
    return items, figure


def search_text(session, n, seed, query, k):
    """Text -> image: (captioned top-k gallery, all cosines figure, read-out)."""
    s = labels(session.lang)
    n, seed, k = _check(session, n, seed, k)
    query = " ".join(str(query or "").split())
    if not query:
        raise gr.Error(s["err_empty"])
    if len(query) > limits.LIMITS.max_text_chars:
        raise gr.Error(s["err_long"].format(max=limits.LIMITS.max_text_chars, n=len(query)) + " "
                       + limits.over_limit("max_text_chars", session.lang))
    model = session.model()
    batch, embeddings, embed_ms, reused = _gallery(session, n, seed)
    started = time.perf_counter()
    indices, scores = search_images(model, query, embeddings, k)
    query_ms = 1000 * (time.perf_counter() - started)
    with torch.no_grad():
        query_embedding = model.encode_text(model.tokenizer([query]))[0]  # [d_e], for the figure
    items, figure = _results(session, batch, indices, scores, embeddings, query_embedding, k)
    lines = [s["text_summary"].format(query=query, k=len(items), n=n),
             s["timing"].format(embed=embed_ms, cached=s["cached"] if reused else "", query=query_ms)]
    report = model.tokenizer.report(query)
    if report.unknown:
        lines.append(s["unknown"].format(words=", ".join(report.unknown)))
        if any(not word.isascii() for word in report.unknown) and not session.reads_chinese():
            lines.append(s["no_chinese"])
    if report.truncated:
        kept = model.tokenizer.decode(model.tokenizer.encode(query))
        lines.append(s["truncated"].format(n=model.tokenizer.context_length, kept=kept))
    for line in lines[2:]:
        gr.Warning(line.replace("**", "").replace("`", ""))
    if session.lang == "zh" and s["no_chinese"] not in lines and not session.reads_chinese():
        lines.append(s["english_only"])
    return items, figure, "  \n".join(lines)


def search_image(session, n, seed, index, k):
    """Image -> image: (captioned top-k gallery, all cosines figure, read-out, the query image)."""
    s = labels(session.lang)
    n, seed, k = _check(session, n, seed, k)
    index = check_number(index, 0, n - 1, "gallery image number", session.lang, integer=True)
    model = session.model()
    batch, embeddings, embed_ms, reused = _gallery(session, n, seed)
    started = time.perf_counter()
    indices, scores = similar_images(model, batch.images[index], embeddings, k)
    query_ms = 1000 * (time.perf_counter() - started)
    items, figure = _results(session, batch, indices, scores, embeddings, embeddings[index], k)
    caption = true_caption(batch, index, session.prompt_language())
    lines = [s["image_summary"].format(index=index, caption=caption, k=len(items), n=n),
             s["timing"].format(embed=embed_ms, cached=s["cached"] if reused else "", query=query_ms)]
    return items, figure, "  \n".join(lines), to_pil(batch.images[index].numpy(), THUMB_PIXELS)


def browse(session, n, seed):
    """Every gallery image, captioned with its number (click one to search by it)."""
    n = _check_size(n, session.lang)
    seed = check_number(seed, 0, SEED_MAX, "seed", session.lang, integer=True)
    world = session.world
    batch = session.memo(("search_batch", n, seed), lambda: gallery_batch(world, n, seed))
    return [(to_pil(image, 64), f"#{i}") for i, image in enumerate(batch.images.numpy())]


def localized_query(session, query) -> str:
    """The default query in the session's prompt language (Chinese for a Chinese interface and a
    model that reads it); a query the learner typed stays as it is."""
    query = " ".join(str(query or "").split())
    return DEFAULT_QUERY[session.prompt_language()] if query in DEFAULT_QUERY.values() else query


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    mode = gr.State("text")  # which search the top-k slider and a new gallery re-run
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=290):
            query = gr.Textbox(DEFAULT_QUERY["en"], label=t("search.query"), max_lines=1, elem_id="search-query")
            search_button = gr.Button(t("search.search"), variant="primary", size="sm", elem_id="search-text")
            k = ui.Slider(1, K_MAX, value=K_DEFAULT, step=1, label=t("search.k"))
            index = ui.Number(value=0, precision=0, minimum=0, label=t("search.by_image"))
            with gr.Row(equal_height=True):
                query_image = gr.Image(show_label=False, format="png", interactive=False, height=110, width=110,
                                       buttons=[], min_width=110, scale=0, elem_classes=["pixelated"])
                similar_button = gr.Button(t("search.similar"), size="sm", scale=1, elem_id="search-image")
            size = ui.Slider(GALLERY_MIN, gallery_max(), value=min(GALLERY_DEFAULT, gallery_max()), step=GALLERY_STEP,
                             label=t("search.size")).limited_by("max_gallery")
            seed = ui.Number(value=0, precision=0, minimum=0, label=t("search.seed"))
        with gr.Column(scale=3):
            summary = gr.Markdown(elem_id="search-summary")
            results = gr.Gallery(label=t("search.results"), columns=6, height="auto", format="png",
                                 object_fit="contain", allow_preview=False, elem_id="search-results",
                                 elem_classes=["captioned-gallery"])
            scores = gr.Plot(show_label=False, elem_id="search-scores")
    gallery = gr.Gallery(label=t("search.browse"), columns=10, height=460, format="png", object_fit="contain",
                         allow_preview=False, elem_id="search-gallery", elem_classes=["pixelated"])
    body.render()

    by_text = [size, seed, query, k]
    by_image = [size, seed, index, k]
    text_outputs = [results, scores, summary]
    image_outputs = [results, scores, summary, query_image]
    ctx.on(functools.partial(gr.on, [search_button.click, query.submit]), keep_session(search_text), by_text,
           [ctx.session, *text_outputs], api_name="search_text").then(
        lambda: "text", None, mode, api_visibility="private", queue=False)
    ctx.on(similar_button.click, keep_session(search_image), by_image, [ctx.session, *image_outputs],
           api_name="search_image").then(lambda: "image", None, mode, api_visibility="private", queue=False)

    def pick(event: gr.SelectData):
        return event.index

    ctx.on(gallery.select(pick, None, index, api_visibility="private", queue=False).then,
           keep_session(search_image), by_image, [ctx.session, *image_outputs], api_visibility="private").then(
        lambda: "image", None, mode, api_visibility="private", queue=False)

    def rerun(session, last, n, seed_value, text, image_index, top):
        if last == "image":
            image_index = _index_in(image_index, n, session.lang)
            return (image_index, *search_image(session, n, seed_value, image_index, top))
        return (gr.update(), *search_text(session, n, seed_value, text, top), gr.update())

    rerun_inputs = [mode, size, seed, query, index, k]
    rerun_outputs = [index, *image_outputs]
    ctx.on(k.input, rerun, rerun_inputs, rerun_outputs, api_visibility="private", show_progress="hidden",
           trigger_mode="always_last")
    ctx.on(ctx.on(functools.partial(gr.on, [size.input, seed.submit]), keep_session(browse), [size, seed],
                  [ctx.session, gallery], api_name="search_gallery").then,
           rerun, rerun_inputs, rerun_outputs, api_visibility="private")

    def on_load(session, n, seed_value, text, image_index, top):
        image_index = _index_in(image_index, n, session.lang)
        text = localized_query(session, text)
        return (text, browse(session, n, seed_value), *search_text(session, n, seed_value, text, top),
                search_image(session, n, seed_value, image_index, top)[3])

    ctx.refresh(on_load, [size, seed, query, index, k], [query, gallery, *text_outputs, query_image],
                api_name="search_refresh")
