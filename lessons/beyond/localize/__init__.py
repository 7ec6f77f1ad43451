"""Beyond the basics: "Where is it?" — a similarity map of a typed query over a two-object scene.

The map comes from the ViT's patch tokens projected into the joint space, or from sliding-window
crops (clip_core.localize). Below it, the measured hit rate: on the two-object test scenes, how
often the peak of "a {colour} {shape}" falls on that object, against chance, computed live from
the model. The model is the two-object relations checkpoint when the server has it, else the
header's toy model; results of shared read-only models are computed once per process.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import gradio as gr
import numpy as np

from clip_core import checkpoint
from clip_core.data import COLOURS, SHAPES
from clip_core.localize import (
    METHODS,
    TEMPLATE,
    absent_objects,
    hit_rate,
    inside,
    peak,
    query_embeddings,
    similarity_map,
    supports_patches,
)
from clip_core.scenes import RelationWorld
from lessons.common import ui
from lessons.common.models import model_label
from lessons.common.session import ASSETS, SHARED_MODELS, SHARED_RESULTS, load_checkpoint_shared

from .figures import hit_rate_figure, similarity_map_figure
from .strings import STRINGS

LESSON_ID = "localize"
RELATIONS_CHECKPOINT = ASSETS / "toy_clip_relations"  # in a wheel, assets/ installs as clip_lab_assets
MODEL_CHOICES = ("relations", "header")
SCENES = 128  # two-object test scenes: the slider's pictures and the hit-rate measurement (256 queries)
MAX_QUERY = 120  # characters; the toy text tower reads 16 tokens anyway
DEFAULT_SCENE = 0


def labels(lang: str) -> dict[str, str]:
    return ui.lesson_strings(STRINGS, lang)


@dataclass
class Picked:
    """The model this lesson asks, the world its scenes come from, and how to remember results."""

    model: object
    world: RelationWorld
    note: str
    shared: bool  # a read-only model every learner shares: results are kept once per process


def relations_model():
    """(model, its RelationWorld) of the two-object checkpoint, or None when the server does not have it."""
    if not (RELATIONS_CHECKPOINT / checkpoint.WEIGHTS).exists():
        return None
    try:
        model, world, _ = load_checkpoint_shared(RELATIONS_CHECKPOINT)
    except checkpoint.CheckpointError:
        return None
    return (model, world) if isinstance(world, RelationWorld) else None


def pick(session, choice: str) -> Picked:
    s = labels(session.lang)
    if choice == "relations":
        loaded = relations_model()
        if loaded is not None:
            model, world = loaded
            return Picked(model, world, s["model_note_relations"], True)
    model = session.toy_model()
    name = "shipped" if session.model_name == "pretrained" else session.model_name
    note = s["model_note_missing" if choice == "relations" else "model_note_header"].format(
        name=model_label(session, name))
    return Picked(model, RelationWorld(session.world_seed, image_size=model.config.image_size), note,
                  name in SHARED_MODELS)


def remembered(session, picked: Picked, key: tuple, make):
    if picked.shared:
        return SHARED_RESULTS.get((LESSON_ID, id(picked.model), picked.world.seed, *key), make)
    return session.memo((LESSON_ID, id(picked.model), picked.world.seed, *key), make)


def test_scenes(session, picked: Picked):
    return remembered(session, picked, ("scenes",), lambda: picked.world.pair_test_set(SCENES))


def windows(side: int) -> tuple[int, int]:
    """Window size and stride for a picture side: half the picture, moved an eighth at a time."""
    return side // 2, max(1, side // 8)


def check_inputs(session, scene, query, method, choice) -> tuple[int, str, str, str]:
    s = labels(session.lang)
    index = ui.check_number(scene, 0, SCENES - 1, s["name_scene"], session.lang, integer=True)
    if query is not None and not isinstance(query, str):
        raise gr.Error(s["err_query_text"].format(value=repr(query)[:60]))
    query = " ".join((query or "").split())
    if not query:
        raise gr.Error(s["err_query_empty"])
    if len(query) > MAX_QUERY:
        raise gr.Error(s["err_query_long"].format(n=len(query), max=MAX_QUERY))
    for value, choices, name in ((method, METHODS, s["method"]), (choice, MODEL_CHOICES, s["model"])):
        if value not in choices:
            raise gr.Error(s["err_choice"].format(name=name, choices=", ".join(choices), value=repr(value)[:60]))
    return index, query, method, choice


def named_object(query: str, names: list[str]) -> int | None | str:
    """Which of the scene's objects the query names (0 or 1); "absent" when it names a colour and a
    shape that no object has together; None when it names no colour-shape pair."""
    words = set(re.findall(r"[a-z]+", query.lower()))
    for k, name in enumerate(names):
        if set(name.split()) <= words:
            return k
    if words & set(COLOURS) and words & set(SHAPES):
        return "absent"
    return None


def show(session, scene, query, method, choice):
    """The similarity map of a query over one test scene, with the peak and both boxes."""
    s = labels(session.lang)
    index, query, method, choice = check_inputs(session, scene, query, method, choice)
    picked = pick(session, choice)
    model, scenes = picked.model, test_scenes(session, picked)
    used = method if method != "patches" or supports_patches(model) else "windows"
    side = scenes.images.shape[-1]
    size, stride = windows(side)
    sim = similarity_map(model, scenes.images[index:index + 1], query_embeddings(model, [query]), used, size, stride)
    x, y = peak(sim)[0]
    names = [scenes.pairs.object_name(index, k) for k in range(2)]
    boxes = scenes.boxes[index]  # [2, 4]
    named = named_object(query, names)
    on = [bool(inside(np.array([[x, y]]), boxes[k:k + 1])[0]) for k in range(2)]
    unit = s[f"unit_{used}"].format(size=size, stride=stride)
    figure = similarity_map_figure(
        scenes.images[index].numpy(), sim.pixels[0].numpy(), (float(x), float(y)), boxes, names,
        named if isinstance(named, int) else None,
        {"title": s["map_title"].format(query=query, method=s[f"method_{used}"], unit=unit),
         "picture": s["map_picture"], "overlay": s["map_overlay"], "colorbar": s["map_colorbar"],
         "peak": s["map_peak"], "named": s["map_named"], "other": s["map_other"]})

    absent = absent_objects(scenes.pairs[index:index + 1], seed=index)[0]
    lines = [s["read_scene"].format(index=index, a=names[0], b=names[1], absent=absent,
                                    layout=s[f"layout_{scenes.pairs.layout_name(index)}"])]
    hit = next((k for k in range(2) if on[k]), None)
    if named == "absent":
        lines.append(s["read_peak_absent_on"].format(name=names[hit]) if hit is not None
                     else s["read_peak_absent_off"].format(x=x, y=y))
    elif hit is None:
        lines.append(s["read_peak_background"].format(x=x, y=y))
    elif named is None or named == hit:
        lines.append(s["read_peak_named" if named == hit else "read_peak_wrong"].format(
            x=x, y=y, name=names[hit], named=query))
    else:
        lines.append(s["read_peak_wrong"].format(x=x, y=y, name=names[hit], named=names[named]))
    scores = sim.scores[0]
    lines.append(s["read_range"].format(lo=float(sim.pixels.min()), hi=float(sim.pixels.max()),
                                        best=float(scores.max()), unit=s[f"summary_unit_{used}"]))
    unknown = model.tokenizer.unknown_words(query)
    if unknown:
        lines.append(s["read_unknown"].format(words=", ".join(dict.fromkeys(unknown))))
    if used != method:
        lines.append(s["read_resnet"])
    lines.append(s["read_model"].format(model=picked.note))
    return session, figure, "\n\n".join(lines)


def measure(session, choice):
    """The hit-rate figure and its summary, measured on the test scenes (remembered per model)."""
    s = labels(session.lang)
    if choice not in MODEL_CHOICES:
        raise gr.Error(s["err_choice"].format(name=s["model"], choices=", ".join(MODEL_CHOICES),
                                              value=repr(choice)[:60]))
    picked = pick(session, choice)
    scenes = test_scenes(session, picked)
    size, stride = windows(scenes.images.shape[-1])
    methods = [m for m in METHODS if m != "patches" or supports_patches(picked.model)]
    results = [remembered(session, picked, ("hits", m, size, stride),
                          lambda m=m: hit_rate(picked.model, scenes, m, TEMPLATE, size, stride)) for m in methods]
    names = {m: s[f"method_{m}"] for m in METHODS}
    first = results[0]
    figure = hit_rate_figure(results, names, {
        "title": s["hits_title"].format(queries=first["queries"], scenes=first["scenes"]),
        "in_box": s["hits_in_box"], "nearer": s["hits_nearer"], "y": s["hits_y"],
        "grid_chance": s["hits_grid_chance"], "area_chance": s["hits_area_chance"],
        "two_way_chance": s["hits_two_way_chance"]})
    lines = [s["summary_method"].format(
        method=names[r["method"]], hits=r["hits"], queries=r["queries"], rate=r["rate"], grid=r["grid_chance"],
        area=r["area_chance"], other=r["on_other"], background=r["background"], two_way=r["two_way_rate"],
        unit=s[f"summary_unit_{r['method']}"]) for r in results]
    lines += [s["summary_absent"].format(method=names[r["method"]], rate=r["absent_rate"], n=r["absent_queries"],
                                         absent=r["absent_peak_cosine"], present=r["peak_cosine"]) for r in results]
    if "patches" not in methods:
        lines.append(s["summary_no_patches"])
    lines.append(s["summary_model"].format(model=picked.note))
    return session, figure, "\n\n".join(lines)


def refresh(session, scene, query, method, choice):
    """Page load and model change: the map (or why it cannot be drawn) and the measured hit rates."""
    try:
        _, figure, readout = show(session, scene, query, method, choice)
    except gr.Error as error:
        figure, readout = None, f"⚠ {error.message}"
    try:
        _, hits, summary = measure(session, choice)
    except gr.Error as error:
        hits, summary = None, f"⚠ {error.message}"
    return figure, readout, hits, summary


def default_query() -> str:
    """A query that names an object of the default scene (of world seed 0, the shipped models' world)."""
    pairs = RelationWorld(0).pair_test_set(SCENES).pairs
    return f"a {pairs.object_name(DEFAULT_SCENE, 1)}"


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=260):
            choice = gr.Radio([(t(f"localize.model_{c}"), c) for c in MODEL_CHOICES], value="relations",
                              label=t("localize.model"), elem_id="localize-model")
            scene = ui.Slider(0, SCENES - 1, value=DEFAULT_SCENE, step=1, label=t("localize.scene"),
                              elem_id="localize-scene")
            query = gr.Textbox(value=default_query(), label=t("localize.query"), max_lines=1,
                               placeholder=t("localize.query_placeholder"), elem_id="localize-query")
            method = gr.Radio([(t(f"localize.method_{m}"), m) for m in METHODS], value="patches",
                              label=t("localize.method"), elem_id="localize-method")
            find = gr.Button(t("localize.find"), variant="primary", size="sm", elem_id="localize-find")
        with gr.Column(scale=3):
            map_plot = gr.Plot(show_label=False, elem_id="localize-map")
            readout = gr.Markdown(elem_id="localize-readout")
    gr.Markdown(t("localize.measure_heading"))
    hits_plot = gr.Plot(show_label=False, elem_id="localize-hits")
    summary = gr.Markdown(elem_id="localize-summary")
    body.render()

    ctx.on(functools.partial(gr.on, [find.click, query.submit, scene.release, method.input, choice.input]), show,
           [scene, query, method, choice], [ctx.session, map_plot, readout], api_name="localize_show",
           trigger_mode="always_last")
    ctx.on(choice.input, measure, [choice], [ctx.session, hits_plot, summary], api_name="localize_measure")
    ctx.refresh(refresh, [scene, query, method, choice], [map_plot, readout, hits_plot, summary],
                api_name="localize_refresh")
    ctx.shareable(LESSON_ID, {"scene": scene, "query": query, "method": method},
                  redraw=(show, [ctx.session, scene, query, method, choice], [ctx.session, map_plot, readout]))
