"""Beyond the basics: two languages, one embedding space (issue 10).

The shipped bilingual checkpoint was trained on captions that are English or Chinese at random,
never on a translation pair; each caption only ever met its image. The lesson shows what that
gives: English and Chinese captions of the same scenes (`ShapesWorld.caption_pairs`) land on
the same embeddings (a bright diagonal, pairs close on a PCA map), and Chinese zero-shot prompts
work after mixed training and fall to chance after English-only training, measured live from the
two shipped checkpoints. The header's model does not change this tab: it always compares those two.
"""

from __future__ import annotations

import functools
import time

import gradio as gr
import numpy as np
import torch

from clip_core.data import ShapesWorld
from clip_core.zeroshot import zero_shot_report
from lessons.common import ui
from lessons.common.plotting import thumbnail_uri
from lessons.common.session import SHARED_RESULTS, bilingual_available, load_bilingual, load_shipped
from lessons.common.world import SEED_MAX, next_seed

from .figures import language_accuracy_figure, pair_map_figure, pair_matrix_figure
from .strings import STRINGS

LESSON_ID = "crosslingual"
MODELS = ("bilingual", "shipped")  # the bilingual checkpoint and the English-only one
N_MIN, N_MAX, N_DEFAULT = 2, 16, 8
COMPARE_PER_PAIR = 8  # test pictures per colour-shape pair: 384, as in the checkpoints' metrics.json
PROMPTS = {"en": "a photo of a {}.", "zh": "一张{}的照片"}  # the same prompt in both languages


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def shipped_model(name: str, lang: str):
    """One of the two shipped checkpoints (shared, read-only)."""
    if name not in MODELS:
        choices = ", ".join(MODELS)
        raise gr.Error(labels(lang)["err_model"].format(choices=choices, value=name))
    if name == "bilingual" and not bilingual_available():
        raise gr.Error(labels(lang)["err_missing"])
    return (load_bilingual() if name == "bilingual" else load_shipped())[0]


def scenes(world: ShapesWorld, n: int, seed: int):
    """(images [n, 3, H, W], English captions, Chinese captions) of n distinct scenes of any pair."""
    rng = np.random.default_rng([world.seed, 23, int(seed)])
    attributes = world.sample_attributes(int(n), "all", rng)
    images = world.render(attributes, rng)
    english, chinese = world.caption_pairs(attributes, rng)
    return images, english, chinese


def project(texts: np.ndarray, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Texts and images on the first two principal components of the texts (centred, via SVD)."""
    mean = texts.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(texts - mean, full_matrices=False)
    return (texts - mean) @ vt[:2].T, (images - mean) @ vt[:2].T  # [2n, 2], [n, 2]


def read_as(tokenizer, text: str) -> str:
    """The words a tokenizer makes of a text, an unknown one shown as <unk>."""
    return " · ".join(word if word in tokenizer.stoi else "<unk>" for word in tokenizer.split(text))


@torch.no_grad()
def pair_views(session, n, seed, model_name, show_images):
    """The caption-pair matrix, the PCA map and their read-out for n scenes under one shipped model."""
    lang, s = session.lang, labels(session.lang)
    n = ui.check_number(n, N_MIN, N_MAX, "n", lang, integer=True)
    seed = ui.check_number(seed, 0, SEED_MAX, "seed", lang, integer=True)
    model = shipped_model(model_name, lang)
    world = session.world
    images, english, chinese = session.memo(("crosslingual_scenes", n, seed), lambda: scenes(world, n, seed))
    T_en = model.encode_text(model.tokenizer(english))  # [n, d_e]
    T_zh = model.encode_text(model.tokenizer(chinese))  # [n, d_e]
    I_e = model.encode_image(images)  # [n, d_e]
    cosine = (T_en @ T_zh.T).numpy()  # [n, n]
    model_label = s[f"model.{model_name}"]
    thumbnails = session.memo(("crosslingual_thumbs", n, seed), lambda: [thumbnail_uri(i) for i in images.numpy()])
    matrix = pair_matrix_figure(cosine, english, chinese, thumbnails, {
        "title": s["matrix_title"].format(n=n, model=model_label), "english": s["english"], "chinese": s["chinese"],
        "hover_english": s["hover_english"], "hover_chinese": s["hover_chinese"], "cosine": s["cosine"]})
    text_points, image_points = project(torch.cat([T_en, T_zh]).numpy(), I_e.numpy())
    pair_map = pair_map_figure(text_points[:n], text_points[n:], image_points if show_images else None, english,
                               chinese, {**{key: s[key] for key in ("english_points", "chinese_points",
                                                                   "image_points", "pair_line", "image_line",
                                                                   "pc1", "pc2")},
                                         "map_title": s["map_title"].format(model=model_label)})
    off_diagonal = ~np.eye(n, dtype=bool)
    tokens = model.tokenizer(chinese)
    lines = [
        s["diagonal"].format(diagonal=float(np.diag(cosine).mean()), off=float(cosine[off_diagonal].mean()),
                             low=float(np.diag(cosine).min())),
        s["pictures"].format(en=float((I_e * T_en).sum(dim=1).mean()), zh=float((I_e * T_zh).sum(dim=1).mean())),
        s["matches"].format(n=n, en_to_zh=int((cosine.argmax(axis=1) == np.arange(n)).sum()),
                            zh_to_en=int((cosine.argmax(axis=0) == np.arange(n)).sum())),
        f"{s['reads']}  \n`{english[0]}` → {read_as(model.tokenizer, english[0])}  \n"
        f"`{chinese[0]}` → {read_as(model.tokenizer, chinese[0])}",
        s["distinct"].format(n=n, distinct=len({tuple(row) for row in tokens.tolist()})),
    ]
    if any(model.tokenizer.unknown_words(caption) for caption in chinese):
        lines.append(s["unk_note"])
    lines.append(s["map_note"].format(d=T_en.shape[1]))
    return matrix, pair_map, "\n\n".join(lines)


def language_comparison(world_seed: int, image_size: int) -> dict:
    """Zero-shot accuracy of both shipped models with the English and the Chinese prompt, on the
    test set of all 48 pairs: {model: {lang: report row}}, plus how the English-only tokenizer reads
    the Chinese class prompts. Depends only on the two shared models, so it is kept per process."""
    english_model, bilingual_model = load_shipped()[0], load_bilingual()[0]
    key = ("crosslingual_compare", id(english_model), id(bilingual_model), world_seed, image_size, COMPARE_PER_PAIR)

    def measure() -> dict:
        started = time.perf_counter()
        world = ShapesWorld(world_seed, image_size=image_size)
        result = {"rows": {}}
        for name, model in (("shipped", english_model), ("bilingual", bilingual_model)):
            result["rows"][name] = {
                lang: zero_shot_report(model, world, COMPARE_PER_PAIR, [template], lang)["templates"][0]
                for lang, template in PROMPTS.items()}
        prompts = [PROMPTS["zh"].format(name) for name in world.classes("colour_shape", "zh")]
        tokenizer = english_model.tokenizer
        result.update(n_images=COMPARE_PER_PAIR * len(prompts), classes=len(prompts),
                      distinct=len({tuple(row) for row in tokenizer(prompts).tolist()}),
                      example=prompts[0], example_tokens=read_as(tokenizer, prompts[0]),
                      seconds=time.perf_counter() - started)
        return result

    return SHARED_RESULTS.get(key, measure)


def comparison_views(session):
    """(bars, read-out) of the measured comparison."""
    s = labels(session.lang)
    if not bilingual_available():
        raise gr.Error(s["err_missing"])
    world = session.world
    result = language_comparison(world.seed, world.image_size)
    rows = result["rows"]
    figure = language_accuracy_figure(
        [s[f"group.{name}"] for name in ("shipped", "bilingual")],
        {lang: [rows[name][lang]["accuracy"] for name in ("shipped", "bilingual")] for lang in PROMPTS},
        1 / result["classes"],
        {"title": s["bars_title"].format(n=result["n_images"]), "y": s["bars_y"], "chance": s["chance"],
         **{f"prompts_{lang}": s[f"prompts_{lang}"].format(template=template) for lang, template in PROMPTS.items()}})
    header = [s["table_model"], *(s[f"prompts_{lang}"].format(template=t) for lang, t in PROMPTS.items())]
    table = [f"| {' | '.join(header)} |", "|---|---:|---:|"]
    for name in ("shipped", "bilingual"):
        cells = [s["cell"].format(all=100 * rows[name][lang]["accuracy"], held=100 * rows[name][lang]["held_out"])
                 for lang in PROMPTS]
        table.append(f"| {s[f'group.{name}']} | {' | '.join(cells)} |")
    zh_mixed = 100 * rows["bilingual"]["zh"]["accuracy"]
    parts = [
        "\n".join(table),
        s["compare_measured"].format(n=result["n_images"], per_pair=COMPARE_PER_PAIR, seconds=result["seconds"]),
        s["compare_collapse"].format(c=result["classes"], distinct=result["distinct"], example=result["example"],
                                     tokens=result["example_tokens"], zh_en=100 * rows["shipped"]["zh"]["accuracy"]),
        s["compare_mixed"].format(zh_mixed=zh_mixed, delta=zh_mixed - 100 * rows["bilingual"]["en"]["accuracy"]),
    ]
    return figure, "\n\n".join(parts)


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=250):
            model = gr.Radio([(t(f"crosslingual.model.{name}"), name) for name in MODELS], value="bilingual",
                             label=t("crosslingual.model"), elem_id="crosslingual-model")
            n = ui.Slider(N_MIN, N_MAX, value=N_DEFAULT, step=1, label=t("crosslingual.n"), elem_id="crosslingual-n")
            seed = ui.Number(value=0, precision=0, minimum=0, maximum=SEED_MAX, label=t("crosslingual.seed"),
                             elem_id="crosslingual-seed", elem_classes=["advanced"])
            new = gr.Button(t("crosslingual.new"), variant="primary", size="sm", elem_id="crosslingual-new")
            show_images = gr.Checkbox(value=True, label=t("crosslingual.show_images"))
        with gr.Column(scale=3, min_width=480):
            matrix = gr.Plot(show_label=False, elem_id="crosslingual-matrix")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            pair_map = gr.Plot(show_label=False, elem_id="crosslingual-map")
        with gr.Column(scale=2, min_width=300):
            readout = gr.Markdown(elem_id="crosslingual-readout")
    gr.Markdown(t("crosslingual.compare_heading"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            bars = gr.Plot(show_label=False, elem_id="crosslingual-bars")
        with gr.Column(scale=2, min_width=300):
            compare_readout = gr.Markdown(elem_id="crosslingual-compare")
    body.render()

    inputs = [n, seed, model, show_images]
    outputs = [ctx.session, matrix, pair_map, readout]
    ctx.on(functools.partial(gr.on, [n.release, seed.submit, model.input, show_images.input]),
           ui.keep_session(pair_views), inputs, outputs, api_name="crosslingual_render", trigger_mode="always_last")
    ctx.on(new.click(next_seed, seed, seed, api_visibility="private", queue=False).then,
           ui.keep_session(pair_views), inputs, outputs, api_visibility="private")
    ctx.refresh(pair_views, inputs, outputs[1:], api_name="crosslingual_refresh", on_model_change=False)
    ctx.refresh(comparison_views, [], [bars, compare_readout], api_name="crosslingual_compare", on_model_change=False)
    ctx.shareable(LESSON_ID, {"model": model, "n": n, "seed": seed, "images": show_images},
                  redraw=(ui.keep_session(pair_views), [ctx.session, *inputs], outputs))
