"""Beyond the basics: the bag-of-words blind spot (ARO, Yuksekgonul et al. 2023) and hard negatives.

Two shipped checkpoints, both made by the project's own training command on one- and two-object
scenes (clip_core/scenes.py): `assets/toy_clip_relations` (--preset relations) and
`assets/toy_clip_relations_negclip` (the same with --hard-negatives). The lesson scores one
two-object scene's true caption against the same words swapped, and the learner's own caption,
under both models; and it runs clip_core.bagofwords on both. Neither model becomes the header's
model: this lesson always compares these two, and what it computes from them (read-only, shared
by every session) is computed once per process.
"""

from __future__ import annotations

import functools
import re

import gradio as gr

from clip_core.bagofwords import bag_of_words_report, score_captions
from clip_core.data import ZH_WORDS
from clip_core.scenes import RELATION_PATTERNS, PairBatch, relation_caption, swap_attributes, swap_objects
from lessons.common import ui
from lessons.common.plotting import to_pil
from lessons.common.session import ASSETS, SHARED_RESULTS, load_checkpoint_shared

from .figures import benchmark_figure, caption_bars_figure
from .strings import STRINGS

LESSON_ID = "bagofwords"
CHECKPOINTS = {"relations": ASSETS / "toy_clip_relations", "negclip": ASSETS / "toy_clip_relations_negclip"}
N_SCENES, SCENE_SEED = 24, 2024  # the lesson's scenes: not the benchmark's (clip_core.bagofwords.TEST_SEED)
MAX_CAPTION = 120  # characters: a caption is one short line
PICTURE_PX = 160


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


def models(lang: str = "en") -> dict:
    """Model key -> (model, world, metrics) of both shipped checkpoints (shared, read-only)."""
    for folder in CHECKPOINTS.values():
        if not folder.is_dir():
            raise gr.Error(labels(lang)["missing"].format(folder=folder.name))
    return {key: load_checkpoint_shared(folder) for key, folder in CHECKPOINTS.items()}


def scenes(world) -> PairBatch:
    """The lesson's fixed two-object scenes (the same for everyone)."""
    return SHARED_RESULTS.get(("bagofwords_scenes", world.seed, N_SCENES, SCENE_SEED),
                              lambda: world.pair_test_set(N_SCENES, SCENE_SEED))


def scene_captions(test: PairBatch, index: int) -> tuple[list[str], list[str]]:
    """(captions, kinds) of one scene: its first relation caption and that caption with the colours
    swapped and with the objects swapped."""
    pairs = test.pairs[index]
    pattern = next(p for p, layout in RELATION_PATTERNS if layout == pairs.layout_name(0))
    captions = [relation_caption(pairs, 0, pattern), relation_caption(swap_attributes(pairs), 0, pattern),
                relation_caption(swap_objects(pairs), 0, pattern)]
    return captions, ["truth", "attributes", "objects"]


def plain(text: str) -> str:
    """The learner's text for a markdown read-out: markdown and HTML marks shown, not obeyed."""
    return re.sub(r"([\\`*_{}\[\]()#+!<>|~])", r"\\\1", text)


def check_inputs(lang: str, scene, caption) -> tuple[int, str]:
    s = labels(lang)
    index = int(ui.check_number(scene, 0, N_SCENES - 1, s["name_scene"], lang, integer=True))
    if caption is None:
        caption = ""
    if not isinstance(caption, str):
        raise gr.Error(s["err_caption_text"].format(value=repr(caption)[:60]))
    caption = " ".join(caption.split())
    if len(caption) > MAX_CAPTION:
        raise gr.Error(s["err_caption_long"].format(n=len(caption), max=MAX_CAPTION))
    return index, caption


def scene_view(lang: str, index: int, caption: str):
    """(picture, bars figure, read-out) of one scene under both models, with the learner's caption."""
    s = labels(lang)
    loaded = models(lang)
    test = scenes(loaded["relations"][1])
    captions, kinds = scene_captions(test, index)
    notes = []
    if caption:
        tokenizer = loaded["relations"][0].tokenizer
        report = tokenizer.report(caption)
        known = [w for w in tokenizer.split(caption) if w not in report.unknown]
        if report.unknown:
            notes.append(s["read_unknown"].format(words=plain(", ".join(dict.fromkeys(report.unknown)))))
        if report.truncated:
            notes.append(s["read_truncated"].format(n=tokenizer.context_length))
        if known:
            captions, kinds = [*captions, caption], [*kinds, "yours"]
        else:
            gr.Warning(s["err_caption_words"].format(caption=caption))
    probabilities, cosines = {}, {}
    for key, (model, _, _) in loaded.items():
        cosines[key], probabilities[key] = score_captions(model, test.images[index], captions)
    figure = caption_bars_figure(captions, kinds, probabilities, cosines, {
        "title": s["bars_title"], "x": s["bars_x"], **{k: s[k] for k in s if k.startswith(("model_", "kind_"))}})
    return to_pil(test.images[index].numpy(), PICTURE_PX), figure, readout(lang, test, index, captions, cosines, notes)


def readout(lang: str, test: PairBatch, index: int, captions: list[str], cosines: dict, notes: list[str]) -> str:
    s = labels(lang)
    pairs = test.pairs[index]
    horizontal = pairs.layout_name(0) == "horizontal"
    where = ("left", "right") if horizontal else ("top", "bottom")
    names = [pairs.object_name(0, k) for k in range(2)]
    if lang == "zh":  # the objects in Chinese words (captions stay English: the models read English)
        names = [ZH_WORDS["colour"][name.split()[0]] + ZH_WORDS["shape"][name.split()[1]] for name in names]
    objects = s["objects"].format(a=names[0], b=names[1], where_a=s[f"where_{where[0]}"],
                                  where_b=s[f"where_{where[1]}"])
    lines = [s["read_scene"].format(index=index, objects=objects, truth=captions[0])]
    for key, values in cosines.items():
        beats = (values[0] > values[1], values[0] > values[2])
        verdict = {(True, True): "both", (True, False): "attributes", (False, True): "objects",
                   (False, False): "none"}[beats]
        lines.append(s["read_model"].format(model=s[f"model_{key}"], truth=values[0], attributes=values[1],
                                            objects=values[2], verdict=s[f"verdict_{verdict}"]))
    if len(captions) == 4:
        lines.append(s["read_yours"].format(caption=plain(captions[3]), a=cosines["relations"][3],
                                            b=cosines["negclip"][3]))
    return "\n\n".join(lines + notes)


def benchmark(lang: str) -> tuple:
    """(figure, read-out) of the bag-of-words benchmark on both models, measured once per process."""
    s = labels(lang)
    loaded = models(lang)
    key = ("bagofwords_benchmark", *(id(model) for model, _, _ in loaded.values()))
    reports = SHARED_RESULTS.get(key, lambda: {name: bag_of_words_report(model, world)
                                               for name, (model, world, _) in loaded.items()})
    figure = benchmark_figure(reports, {"title": s["bench_title"], "y": s["bench_y"], "chance": s["bench_chance"],
                                        **{k: s[k] for k in s if k.startswith(("model_", "kind_"))}})
    before, after = reports["relations"], reports["negclip"]
    text = s["bench_read"].format(
        a1=before["swaps"]["attributes"]["accuracy"], c1=before["swaps"]["attributes"]["correct"],
        o1=before["swaps"]["objects"]["accuracy"], d1=before["swaps"]["objects"]["correct"],
        t1=before["swaps"]["attributes"]["total"],
        a2=after["swaps"]["attributes"]["accuracy"], c2=after["swaps"]["attributes"]["correct"],
        o2=after["swaps"]["objects"]["accuracy"], d2=after["swaps"]["objects"]["correct"],
        t2=after["swaps"]["attributes"]["total"],
        r1=before["retrieval"]["image_to_text"], r2=after["retrieval"]["image_to_text"])
    return figure, text


def show(session, scene, caption):
    """A new scene or caption: the picture, both models' bars and the read-out."""
    index, caption = check_inputs(session.lang, scene, caption)
    return session, *scene_view(session.lang, index, caption)


def refresh(session, scene, caption):
    """Page load: the scene view (the default scene if the inputs are bad) and the benchmark."""
    try:
        index, caption = check_inputs(session.lang, scene, caption)
    except gr.Error:
        index, caption = 0, ""
    return *scene_view(session.lang, index, caption), *benchmark(session.lang)


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=240):
            picture = gr.Image(type="pil", format="png", height=PICTURE_PX, width=PICTURE_PX, show_label=False,
                               interactive=False, buttons=[], elem_classes=["pixelated"], elem_id="bagofwords-picture")
            scene = ui.Slider(0, N_SCENES - 1, value=0, step=1, label=t("bagofwords.scene"), elem_id="bagofwords-scene")
            caption = gr.Textbox(label=t("bagofwords.caption"), placeholder=t("bagofwords.caption_placeholder"),
                                 lines=1, max_lines=2, elem_id="bagofwords-caption")
            score = gr.Button(t("bagofwords.score"), size="sm", elem_id="bagofwords-score")
        with gr.Column(scale=3):
            bars = gr.Plot(show_label=False, elem_id="bagofwords-bars")
            scene_readout = gr.Markdown(elem_id="bagofwords-readout")
    gr.Markdown(t("bagofwords.benchmark_heading"))
    bench = gr.Plot(show_label=False, elem_id="bagofwords-benchmark")
    bench_readout = gr.Markdown(elem_id="bagofwords-bench-readout")
    body.render()

    ctx.on(functools.partial(gr.on, [scene.input, score.click, caption.submit]), show, [scene, caption],
           [ctx.session, picture, bars, scene_readout], api_name="bagofwords_show", trigger_mode="always_last")
    ctx.refresh(refresh, [scene, caption], [picture, bars, scene_readout, bench, bench_readout],
                api_name="bagofwords_refresh", on_model_change=False)
    ctx.shareable(LESSON_ID, {"scene": scene, "caption": caption},
                  redraw=(show, [ctx.session, scene, caption], [ctx.session, picture, bars, scene_readout]))
