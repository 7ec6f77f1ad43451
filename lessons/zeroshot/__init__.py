"""Lesson 6 - zero-shot classification and prompt templates (CLIP paper section 3.1.4).

The class names, written into templates and encoded by the text tower, are the classifier. The
learner edits the class list and the templates, classifies one image (from the test set, drawn or
uploaded) with an adjustable softmax temperature, measures every template and both ensembles on a
test set (`evaluate_templates`), and grows an ensemble by greedy forward selection
(`greedy_template_selection`, as in openai/CLIP's prompt-engineering notebook).
"""

from __future__ import annotations

import functools
import time

import gradio as gr
import numpy as np
import torch

from clip_core.data import COLOURS, SHAPES, STYLES, ShapesWorld
from clip_core.prompts import BARE, STYLE_TEMPLATES, prompt_report
from clip_core.retrieval import embed_gallery
from clip_core.zeroshot import (
    class_embeddings,
    classify,
    evaluate_templates,
    greedy_template_selection,
    template_sets,
)
from lessons.common import limits, live, ui
from lessons.common.classes import parse_classes, parse_templates, to_model_input
from lessons.common.compute import LOG_TAU_MAX, LOG_TAU_MIN, scale_to_log10_tau, tau_to_scale
from lessons.common.models import model_label
from lessons.common.plotting import COLORS, OTHER_CAPTIONS, to_pil
from lessons.common.quiz import Measured, Question, checkpoint
from lessons.common.quiz import strings as quiz_strings
from lessons.common.ui import check_choice, check_number, keep_session

from .figures import (
    ambiguity_figure,
    greedy_path_figure,
    probe_figure,
    style_table_figure,
    template_accuracy_figure,
    zeroshot_bars_figure,
)
from .inputs import (
    CANVAS,
    PALETTE,
    TRUTH_KINDS,
    VOCAB_OF_KIND,
    CheckedImage,
    CheckedSketchpad,
    blank_canvas,
    display_name,
    english_name,
    is_chinese,
    labels,
    notes,
    sketch_picture,
    truth_index,
    truth_kind,
    uploaded_picture,
)
from .quiz import CHOICES as QUIZ_CHOICES
from .quiz import STRINGS as QUIZ_STRINGS
from .strings import STRINGS  # noqa: F401 (read by lessons.all_strings)

HELD_OUT_IMAGES_PER_PAIR = 6  # test images per colour-shape pair measured by the held-out question
LESSON_ID = "zeroshot"

CLASS_SETS = ("colour_shape", "shape", "colour", "held_out")
CLASS_PRESETS = (*CLASS_SETS, *(f"{kind}_zh" for kind in CLASS_SETS))  # "_zh": the same classes in Chinese


def _template_presets(lang: str, suffix: str) -> dict[str, list[str]]:
    sets = template_sets(lang)
    return {f"all{suffix}": list(dict.fromkeys(t for ts in sets.values() for t in ts)), **sets}


TEMPLATE_PRESETS = {**_template_presets("en", ""), **_template_presets("zh", "_zh")}  # Chinese names end in "_zh"
ENSEMBLES = ("embedding", "probability")
SOURCES = ("test", "sketch", "upload")
PICK_PER_PAIR = 8  # images per colour-shape pair in the picker's test set
COMPARE_MIN, COMPARE_DEFAULT = 1, 6  # test images per pair for "compare templates"
TOP_K_MAX = 20
LIVE_STRINGS = ("top", "right", "wrong", "settings", "slider_word", "truth", "others")  # for assets/live.js
PAIRS = len(COLOURS) * len(SHAPES)  # the test set holds the same number of images of each pair


def compare_max() -> int:
    """The most test images per pair the operator's test-set limit allows (at least one)."""
    return max(COMPARE_MIN, limits.LIMITS.max_test_set // PAIRS)


def test_image(session, pair: str, variant: int):
    """(image [3, H, W], attribute names) of image `variant` of a colour-shape pair in the test set."""
    world = session.world
    test = session.memo(("zeroshot_pick", PICK_PER_PAIR), lambda: world.test_set(PICK_PER_PAIR, "all", style=None))
    pairs = test.attributes.pair_names()
    index = pairs.index(pair) + variant
    return test.images[index], test.attributes.names(index)


def pair_choices(session) -> list[tuple[str, str]]:
    """The test-set picker: every colour-shape pair (named in the prompts' language), ★ on held-out ones."""
    world = session.world
    held = set(world.classes("held_out"))
    chinese = session.prompt_language() == "zh"
    return [(display_name(p, chinese) + (" ★" if p in held else ""), p) for p in world.classes("colour_shape")]


# ----- handlers --------------------------------------------------------------------------------------


def classify_image(session, classes_text, templates_text, ensemble, source, pair, variant, sketch, upload,
                   log10_tau, learned, top_k):
    """Classify one image: (what the model sees, probability bars, read-out)."""
    lang, s = session.lang, labels(session.lang)
    ensemble = check_choice(ensemble, ENSEMBLES, "ensemble")
    source = check_choice(source, SOURCES, "source")
    log10_tau = check_number(log10_tau, LOG_TAU_MIN, LOG_TAU_MAX, "log10 tau", lang)
    top_k = check_number(top_k, 1, TOP_K_MAX, "top k", lang, integer=True)
    classnames = parse_classes(classes_text, lang)
    templates = parse_templates(templates_text, lang)
    model, world = session.model(), session.world
    size = model.config.image_size
    truth_names = None
    if source == "test":
        if pair not in world.classes("colour_shape"):
            raise gr.Error(s["err_pair"].format(value=pair))
        variant = check_number(variant, 0, PICK_PER_PAIR - 1, "image of this pair", lang, integer=True)
        image, truth_names = test_image(session, pair, variant)
    elif source == "sketch":
        picture = sketch_picture(sketch)
        if picture is None:
            return None, None, s["need_sketch"]
        image = to_model_input(picture, size)
    else:
        if upload is None:
            return None, None, s["need_upload"]
        # read once per upload (the handler runs again at every slider move)
        image = session.memo(("zeroshot_upload", upload, size), lambda: to_model_input(uploaded_picture(upload, lang),
                                                                                       size))
    found = notes(model.tokenizer, classnames, templates, lang)
    scale = model.scale().item() if learned else tau_to_scale(log10_tau)
    # the class weights only change with the lists: a temperature or image change reuses them
    key = ("zeroshot_weights", session.model_name, id(model), tuple(classnames), tuple(templates), ensemble)
    weights = session.memo(key, lambda: class_embeddings(model, model.tokenizer, classnames, templates, ensemble))
    with torch.no_grad():
        model.eval()
        I_e = model.encode_image(image[None])  # [1, d_e]
    probs = classify(model, model.tokenizer, image[None], classnames, templates, ensemble, logit_scale=scale,
                     image_embeddings=I_e, weights=weights)[0]
    # the cosines the page rescales while the temperature slider moves (assets/live.js): [C], or [T, C]
    # for the probability ensemble (the page averages the templates' softmaxes, as `classify` does)
    cosines = (I_e @ weights.T)[0] if ensemble == "embedding" else torch.einsum("nd,tcd->tnc", I_e, weights)[:, 0]
    order = probs.argsort(descending=True)
    k = min(top_k, len(classnames))
    kind = truth_kind(classnames)
    truth = truth_index(classnames, kind, truth_names) if truth_names else None
    top = [int(j) for j in order[:k]]
    figure = zeroshot_bars_figure([classnames[j] for j in top], probs[top].numpy(),
                                  top.index(truth) if truth in top else None,
                                  {"title": s["bars_title"].format(k=k, c=len(classnames)), "x": s["bars_x"],
                                   "truth": s["truth"], "others": s["others"]}, height=max(260, 90 + 30 * k))
    best = top[0]
    lines = [s["top"].format(name=classnames[best], p=float(probs[best]))]
    middle = []  # the read-out's lines that do not depend on the temperature
    if truth_names is None:
        middle.append(s["no_truth_drawn"])
    elif kind is None:
        middle.append(s["no_truth_names"])
    elif truth is None:
        middle.append(s["no_truth_list"].format(answer=display_name(TRUTH_KINDS[kind](truth_names),
                                                                    is_chinese(classnames))))
    else:
        rank = int((order == truth).nonzero()[0, 0]) + 1
        lines[0] += " — " + (s["right"] if truth == best else
                             s["wrong"].format(truth=classnames[truth], rank=rank, p=float(probs[truth])))
    if truth_names is not None:
        pair_name = f"{truth_names['colour']} {truth_names['shape']}"
        held = pair_name in world.classes("held_out")
        middle.append(s["truth_pair"].format(truth=display_name(pair_name, is_chinese(classnames)),
                                             kind=s["kind_held" if held else "kind_seen"]))
    settings = dict(c=len(classnames), t=len(templates), mode=s[f"mode.{ensemble}"], chance=1 / len(classnames))
    which = s["learned_word" if learned else "slider_word"]
    lines += [*middle, s["settings"].format(scale=scale, tau=1 / scale, which=which, **settings)]
    if lang == "zh" and not session.reads_chinese() and s["no_chinese"] not in found:
        found.append(s["english_only"])
    live.attach(figure, "class_bars", cosines=cosines.double().tolist(), names=classnames, truth=truth, k=k,
                middle=middle, found=found, settings=settings, colors=[COLORS["diagonal"], OTHER_CAPTIONS],
                strings={key: s[key] for key in LIVE_STRINGS})
    return to_pil(image.numpy(), 160), figure, "  \n".join(lines + found)


def _compare_set(session, classnames: list[str], n_per_pair: int, lang: str):
    """The test images whose right answer is in the class list: (images, labels, held-out mask)."""
    s = labels(lang)
    kind = truth_kind(classnames)
    if kind is None:
        known = set().union(*VOCAB_OF_KIND.values())
        strangers = [n for n in classnames if english_name(n) not in known] or classnames
        raise gr.Error(s["err_no_truth"].format(names=", ".join(strangers[:8])))
    world, model = session.world, session.model()
    test = session.memo(("zeroshot_test", n_per_pair), lambda: world.test_set(n_per_pair, "all"))
    truths = [truth_index(classnames, kind, test.attributes.names(i)) for i in range(len(test.captions))]
    keep = np.array([t is not None for t in truths])
    if not keep.any():
        raise gr.Error(s["err_no_images"])
    label_array = np.array([t for t in truths if t is not None])
    # the whole test set embedded once per model (shared between learners for the shipped and pretrained
    # models: a real CLIP needs ~10 s for a few hundred pictures on a laptop CPU)
    embeddings = session.memo_shared(("zeroshot_test_embeddings", id(model), n_per_pair),
                                     lambda: embed_gallery(model, test.images))
    kept = torch.from_numpy(keep)
    return test.images[kept], embeddings[kept], label_array, world.is_held_out(test.attributes)[keep]


def _table(rows: list[list[str]], headers: list[str]):
    import pandas as pd

    return gr.update(value=pd.DataFrame(rows, columns=headers), visible=True)


def _percent(value: float) -> str:
    return "—" if value != value else f"{100 * value:.1f}"  # NaN: an empty group


def _measured_inputs(session, classes_text, templates_text, n_per_pair):
    """What compare and greedy both need, checked: the class names, templates, model and test set."""
    lang = session.lang
    n_per_pair = check_number(n_per_pair, COMPARE_MIN, compare_max(), "test images per pair", lang, integer=True,
                              limit="max_test_set")
    classnames = parse_classes(classes_text, lang)
    templates = parse_templates(templates_text, lang)
    model = session.model()
    notes(model.tokenizer, classnames, templates, lang)
    images, embeddings, label_array, held = _compare_set(session, classnames, n_per_pair, lang)
    return classnames, templates, model, images, embeddings, label_array, held


def compare_templates(session, classes_text, templates_text, n_per_pair):
    """Accuracy of every template and of both ensembles on a test set: (table, chart, summary)."""
    s = labels(session.lang)
    classnames, templates, model, images, embeddings, label_array, held = _measured_inputs(
        session, classes_text, templates_text, n_per_pair)
    started = time.perf_counter()
    rows = evaluate_templates(model, model.tokenizer, images, label_array, classnames, templates,
                              groups={"seen": ~held, "held_out": held}, image_embeddings=embeddings)
    seconds = time.perf_counter() - started
    names = [row["template"] if row["template"] in templates else
             s["ensemble_row"].format(mode=s[f"mode.{row['template'].split('(')[1].rstrip(')')}"]) for row in rows]
    table = _table([[name, _percent(r["accuracy"]), _percent(r["seen"]), _percent(r["held_out"])]
                    for name, r in zip(names, rows, strict=True)],
                   [s["col_template"], s["col_all"], s["col_seen"], s["col_held_out"]])
    chance = 1 / len(classnames)
    figure = template_accuracy_figure(
        names, {"seen": [r["seen"] for r in rows], "held_out": [r["held_out"] for r in rows]},
        [r["accuracy"] for r in rows], chance,
        {"title": s["compare_title"].format(n=len(label_array), c=len(classnames)), "x": s["accuracy_x"],
         "x_zoomed": s["accuracy_x_zoomed"],
         "seen": s["seen"], "held_out": s["held_out"], "all": s["all"], "chance": s["chance"]})
    singles = rows[: len(templates)]
    best = max(singles, key=lambda r: r["accuracy"])
    worst = min(singles, key=lambda r: r["accuracy"])
    mean = float(np.mean([r["accuracy"] for r in singles]))
    parts = [s["compare_measured"].format(n=len(label_array), n_seen=int((~held).sum()), n_held=int(held.sum()),
                                          c=len(classnames), model=model_label(session), seconds=seconds)]
    if len(templates) == 1:
        parts.append(s["compare_one"].format(best=best["template"], best_acc=100 * best["accuracy"]))
    else:
        parts.append(s["compare_spread"].format(best=best["template"], best_acc=100 * best["accuracy"],
                                                worst=worst["template"], worst_acc=100 * worst["accuracy"],
                                                spread=100 * (best["accuracy"] - worst["accuracy"]), mean=100 * mean))
    if held.any() and (~held).any():
        parts.append(s["compare_groups"].format(held=100 * best["held_out"], seen=100 * best["seen"]))
    if len(rows) > len(templates):
        emb, prob = rows[-2]["accuracy"], rows[-1]["accuracy"]
        parts.append(s["compare_ensembles"].format(t=len(templates), emb=100 * emb, prob=100 * prob,
                                                   delta_best=100 * (emb - best["accuracy"]),
                                                   delta_mean=100 * (emb - mean)))
    parts.append(s["compare_chance"].format(chance=100 * chance))
    summary = "  \n".join(parts)
    return table, gr.update(value=figure, visible=True), summary


def greedy_selection(session, classes_text, templates_text, ensemble, n_per_pair):
    """Greedy forward selection of templates on the test set: (path table, path chart, summary)."""
    s = labels(session.lang)
    ensemble = check_choice(ensemble, ENSEMBLES, "ensemble")
    classnames, templates, model, images, image_embeddings, label_array, held = _measured_inputs(
        session, classes_text, templates_text, n_per_pair)
    started = time.perf_counter()
    per_template = class_embeddings(model, model.tokenizer, classnames, templates, "probability")  # [T, C, d_e]
    groups = {"seen": ~held, "held_out": held}
    scale = model.scale().item()
    path = greedy_template_selection(image_embeddings, per_template, label_array, ensemble, scale, groups=groups)
    rows = evaluate_templates(model, model.tokenizer, images, label_array, classnames, templates, groups=groups,
                              image_embeddings=image_embeddings)
    everything = rows[0] if len(templates) == 1 else rows[-2 if ensemble == "embedding" else -1]
    seconds = time.perf_counter() - started
    mode = s[f"mode.{ensemble}"]
    added = [templates[row["added"]] for row in path]
    table_rows = [[str(row["step"]), name, str(len(row["selected"])), _percent(row["accuracy"]),
                   _percent(row["seen"]), _percent(row["held_out"])] for row, name in zip(path, added, strict=True)]
    table_rows.append(["", s["all_row"].format(t=len(templates), mode=mode), str(len(templates)),
                       *(_percent(everything[key]) for key in ("accuracy", "seen", "held_out"))])
    table = _table(table_rows, [s[k] for k in ("col_step", "col_added", "col_size", "col_all", "col_seen",
                                               "col_held_out")])
    figure = greedy_path_figure(path, added, everything, {
        "title": s["greedy_title"].format(mode=mode), "x": s["greedy_x"], "y": s["greedy_y"], "all": s["all"],
        "seen": s["seen"], "held_out": s["held_out"], "everything": s["everything"].format(t=len(templates))})
    summary = s["greedy_summary"].format(k=len(path), t=len(templates), mode=mode, acc=100 * path[-1]["accuracy"],
                                         first=100 * path[0]["accuracy"], everything=100 * everything["accuracy"],
                                         seconds=seconds, n=len(label_array))
    return table, gr.update(value=figure, visible=True), summary


# ----- what a prompt is worth -------------------------------------------------------------------


def _style_names(s: dict) -> list[str]:
    return [s[f"style.{column}"] for column in (*STYLES, "mixed")]


def prompt_worth(session):
    """The paper's prompt effects measured with the session's toy model: (summary, style table figure,
    "orange" figure, k-shot probe figure). A pretrained CLIP is not measured here: the toy world's
    pictures and words are the shipped toy model's."""
    s = labels(session.lang)
    model, world = session.toy_model(), session.world
    def measure() -> tuple[dict, float]:
        started = time.perf_counter()
        return prompt_report(model, world), time.perf_counter() - started

    if session.model_name in ("shipped", "bilingual", "pretrained"):
        report, seconds = session.memo_shared(("zeroshot_prompt_report",), measure)
    else:  # a model that may still be training: measure it as it is now
        report, seconds = measure()
    table, gains, orange, probe = report["style_table"], report["effects"], report["ambiguity"], report["probe"]
    rows = [s["row.bare"], *table["rows"][1:-1], s["row.ensemble"]]
    matched = [(table["rows"].index(template), STYLES.index(style)) for style, template in STYLE_TEMPLATES.items()]
    style_figure = style_table_figure(table, rows, _style_names(s), matched, {
        "title": s["style_title"].format(c=table["classes"]), "x": s["style_x"], "y": s["style_y"],
        "accuracy": s["accuracy"]})
    display = {task: {c: display_name(c, False) for c in orange["tasks"][task]["classes"]} for task in orange["tasks"]}
    orange_figure = ambiguity_figure(orange, display, {
        "title": s["amb_title"], "colour_panel": s["amb_colour_panel"], "shape_panel": s["amb_shape_panel"],
        "bare": s["amb_bare"], "context": s["amb_context"], "count": s["amb_count"]})
    probe_plot = probe_figure(probe, {
        "title": s["probe_title"].format(c=probe["classes"], n=probe["n_test"]), "x": s["probe_x"],
        "y": s["probe_y"], "probe": s["probe_probe"].format(d=probe["draws"]), "draws": s["probe_draws"],
        "zero_shot": s["probe_zero_shot"], "crossing": s["probe_crossing"]})
    n_images = table["n_images"]["mixed"] + orange["n_images"] + probe["n_test"]
    per_style = gains["per_style"]
    parts = [s["worth_style_part"].format(style=s[f"style.{style}"], matched=100 * g["matched"],
                                          other=100 * g["mismatched_best"],
                                          delta=100 * (g["matched"] - g["mismatched_best"]))
             for style, g in per_style.items()]
    ensemble = gains["ensemble"]
    colour, shape = orange["tasks"]["colour"], orange["tasks"]["shape"]
    crossing = probe["crossing"]
    shots = [row["k"] for row in probe["curve"]]
    if crossing is None:
        worth_k = s["probe_never"].format(k=shots[-1])
    elif crossing <= shots[0] and probe["curve"][0]["mean"] > probe["zero_shot"]:
        worth_k = s["probe_less"]
    else:
        worth_k = f"≈ {crossing:.1f}"
    lines = [
        s["worth_measured"].format(model=model_label(session) if not session.is_pretrained else
                                   model_label(session, "shipped"), n=n_images, seconds=seconds),
        s["worth_sentence"].format(photo=100 * per_style["photo"]["matched"], bare=100 * per_style["photo"]["bare"],
                                   delta=100 * gains["photo_vs_bare"]),
        s["worth_styles"].format(parts=s["worth_sep"].join(parts)),
        s["worth_ensemble"].format(ens=100 * ensemble["accuracy"], mean=100 * ensemble["mean_single"],
                                   vs_mean=100 * (ensemble["accuracy"] - ensemble["mean_single"]),
                                   vs_best=100 * (ensemble["accuracy"] - ensemble["best_single"]),
                                   best=ensemble["best_single_template"], best_acc=100 * ensemble["best_single"]),
        s["worth_orange"].format(
            n=orange["n_contested"], bare=100 * colour["templates"][BARE]["contested"],
            ctx=100 * colour["templates"][colour["context"]]["contested"], context=colour["context"],
            delta=100 * colour["gain"], shape_bare=100 * shape["templates"][BARE]["contested"],
            shape_ctx=100 * shape["templates"][shape["context"]]["contested"], shape_context=shape["context"],
            sense=s["sense.fruit" if orange["sense"]["fruit"] > orange["sense"]["colour"] else "sense.colour"],
            fruit=orange["sense"]["fruit"], colour=orange["sense"]["colour"]),
        s["worth_probe"].format(zs=100 * probe["zero_shot"], k=worth_k, d=probe["draws"]),
    ]
    shown = dict(visible=True)
    return ("  \n".join(lines), gr.update(value=style_figure, **shown), gr.update(value=orange_figure, **shown),
            gr.update(value=probe_plot, **shown))


def class_preset(kind):
    """A class set as text: "red circle, red square, …", or with "_zh" "红色圆形、红色正方形、…"."""
    kind = check_choice(kind, CLASS_PRESETS, "class set")
    if kind.endswith("_zh"):
        return "、".join(ShapesWorld(0).classes(kind.removesuffix("_zh"), "zh"))
    return ", ".join(ShapesWorld(0).classes(kind))  # class names do not depend on the world's seed


def template_preset(name):
    name = check_choice(name, tuple(TEMPLATE_PRESETS), "template set")
    return "\n".join(TEMPLATE_PRESETS[name])


def _preset_in(name: str, lang: str) -> str:
    """The preset of the same kind in another language: "colour" <-> "colour_zh", "all" <-> "all_zh"."""
    base = name.removesuffix("_zh")
    return f"{base}_zh" if lang == "zh" else base


def _untouched(text, presets, fill) -> str | None:
    """The preset whose text this still is (ignoring spaces at line ends), or None once edited."""
    lines = [line.strip() for line in str(text or "").strip().splitlines()]
    return next((name for name in presets if fill(name).splitlines() == lines), None)


def localized_presets(session, classes_text, templates_text) -> tuple:
    """(class set, classes, template set, templates) following the session's prompt language: a list
    still equal to a preset becomes the same preset in Chinese when the interface is Chinese and the
    model reads Chinese, and in English otherwise. Lists the learner edited stay as they are."""
    lang = session.prompt_language()
    out = []
    for text, presets, fill in ((classes_text, CLASS_PRESETS, class_preset),
                                (templates_text, tuple(TEMPLATE_PRESETS), template_preset)):
        name = _untouched(text, presets, fill)
        if name is None:
            out += [gr.update(), text]
        else:
            name = _preset_in(name, lang)
            out += [name, fill(name)]
    return tuple(out)


def learned_tau(session):
    return scale_to_log10_tau(session.model().scale().item())


def clear_results(session):
    """After a model change the measured tables belong to the old model: empty them."""
    s = labels(session.lang)
    hidden = gr.update(value=None, visible=False)
    return hidden, hidden, s["compare_hint"], hidden, hidden, s["greedy_hint"], s["worth_hint"], hidden, hidden, hidden


def held_out_measured(session, templates_text) -> Measured:
    """Zero-shot lesson: accuracy on the held-out colour-shape pairs against the seen ones and chance."""
    s = quiz_strings(QUIZ_STRINGS, session.lang)
    classnames, templates, model, images, embeddings, labels, held = _measured_inputs(
        session, class_preset("colour_shape"), templates_text, HELD_OUT_IMAGES_PER_PAIR)
    rows = evaluate_templates(model, model.tokenizer, images, labels, classnames, templates,
                              groups={"seen": ~held, "held_out": held}, image_embeddings=embeddings)
    result = rows[-2] if len(rows) > len(templates) else rows[0]  # the paper's ensemble, or the one template
    chance = 1 / len(classnames)
    seen, held_acc = result["seen"], result["held_out"]
    if held_acc < 2 * chance:
        right = "chance"
    elif held_acc >= seen - 0.05:
        right = "like_seen"
    else:
        right = "between"
    numbers = s["held_out.numbers"].format(model=model_label(session), held=100 * held_acc, seen=100 * seen,
                                           chance=100 * chance, c=len(classnames), t=len(templates),
                                           n_held=int(held.sum()), n_seen=int((~held).sum()))
    return Measured((right,), numbers)


def build(ctx) -> None:
    t = ctx.i18n
    lead, body = ctx.prose(LESSON_ID)
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=300):
            class_set = gr.Dropdown([(t(f"zeroshot.class_set.{k}"), k) for k in CLASS_PRESETS], value="colour_shape",
                                    label=t("zeroshot.class_set"))
            classes = gr.Textbox(class_preset("colour_shape"), lines=3, max_lines=6, label=t("zeroshot.classes"),
                                 elem_id="zeroshot-classes")
            template_set = gr.Dropdown([(t(f"zeroshot.template_set.{k}"), k) for k in TEMPLATE_PRESETS], value="all",
                                       label=t("zeroshot.template_set"))
            templates = gr.Textbox(template_preset("all"), lines=5, max_lines=10, label=t("zeroshot.templates"),
                                   elem_id="zeroshot-templates")
            ensemble = gr.Radio([(t(f"zeroshot.ensemble.{k}"), k) for k in ENSEMBLES], value="embedding",
                                label=t("zeroshot.ensemble"))
        with gr.Column(scale=3, min_width=260):
            source = gr.Radio([(t(f"zeroshot.source.{k}"), k) for k in SOURCES], value="test",
                              label=t("zeroshot.source"))
            with gr.Group(visible=True) as test_controls:
                pair = gr.Dropdown([(p, p) for p in ShapesWorld(0).classes("colour_shape")], value="green ring",
                                   label=t("zeroshot.pair"), elem_id="zeroshot-pair")
                variant = ui.Slider(0, PICK_PER_PAIR - 1, value=0, step=1, label=t("zeroshot.variant"))
            sketch = CheckedSketchpad(value=blank_canvas(), type="pil", image_mode="RGBA", canvas_size=(CANVAS, CANVAS),
                                  fixed_canvas=True, layers=False, transforms=(), height=320, visible=False,
                                  brush=gr.Brush(colors=PALETTE, default_color=PALETTE[0], color_mode="fixed",
                                                 default_size=8),
                                  label=t("zeroshot.sketch"), elem_id="zeroshot-sketch")
            upload = CheckedImage(type="filepath", image_mode=None, sources=["upload", "clipboard"], visible=False,
                                  height=240, label=t("zeroshot.upload"), elem_id="zeroshot-upload")
            preview = gr.Image(label=t("zeroshot.preview"), format="png", interactive=False, height=200, buttons=[],
                               elem_classes=["pixelated"], elem_id="zeroshot-preview")
        with gr.Column(scale=5, min_width=320):
            result = gr.Markdown(elem_id="zeroshot-result")
            bars = gr.Plot(show_label=False, elem_id="zeroshot-bars")
            log_tau = ui.Slider(LOG_TAU_MIN, LOG_TAU_MAX, value=-1.15, step=0.01, label=t("zeroshot.log_tau"))
            with gr.Row(equal_height=True):
                learned = gr.Checkbox(value=True, label=t("zeroshot.learned"), scale=2)
                top_k = ui.Slider(1, TOP_K_MAX, value=8, step=1, label=t("zeroshot.top_k"), scale=3)
            classify_button = gr.Button(t("zeroshot.classify"), variant="primary", size="sm")
    gr.Markdown(t("zeroshot.compare_heading"), elem_id="zeroshot-compare-heading")
    with gr.Row(equal_height=False):
        n_per_pair = ui.Slider(COMPARE_MIN, compare_max(), value=min(COMPARE_DEFAULT, compare_max()), step=1,
                               label=t("zeroshot.n_per_pair"), scale=3).limited_by("max_test_set")
        with gr.Column(scale=1, min_width=200):
            compare_button = gr.Button(t("zeroshot.compare"), variant="primary", elem_id="zeroshot-compare")
            greedy_button = gr.Button(t("zeroshot.greedy"), elem_id="zeroshot-greedy")
    compare_summary = gr.Markdown(elem_id="zeroshot-compare-summary")
    with gr.Row(equal_height=False):
        compare_table = gr.Dataframe(interactive=False, wrap=True, visible=False, show_label=False,
                                     elem_id="zeroshot-compare-table")
        compare_plot = gr.Plot(show_label=False, visible=False, elem_id="zeroshot-compare-plot")
    greedy_summary = gr.Markdown(elem_id="zeroshot-greedy-summary")
    with gr.Row(equal_height=False):
        greedy_table = gr.Dataframe(interactive=False, wrap=True, visible=False, show_label=False,
                                    elem_id="zeroshot-greedy-table")
        greedy_plot = gr.Plot(show_label=False, visible=False, elem_id="zeroshot-greedy-plot")
    gr.Markdown(t("zeroshot.worth_heading"), elem_id="zeroshot-worth-heading")
    with gr.Row(equal_height=False):
        gr.Markdown(t("zeroshot.worth_lead"))
        worth_button = gr.Button(t("zeroshot.worth"), variant="primary", elem_id="zeroshot-worth", scale=0,
                                 min_width=240)
    worth_summary = gr.Markdown(t("zeroshot.worth_hint"), elem_id="zeroshot-worth-summary")
    worth_styles = gr.Plot(show_label=False, visible=False, elem_id="zeroshot-worth-styles")
    worth_orange = gr.Plot(show_label=False, visible=False, elem_id="zeroshot-worth-orange")
    worth_probe = gr.Plot(show_label=False, visible=False, elem_id="zeroshot-worth-probe")
    checkpoint(ctx, Question("held_out", QUIZ_CHOICES, held_out_measured, QUIZ_STRINGS), [templates])
    body.render()

    inputs = [classes, templates, ensemble, source, pair, variant, sketch, upload, log_tau, learned, top_k]
    outputs = [preview, bars, result]
    classify = keep_session(classify_image)
    run = dict(inputs=inputs, outputs=[ctx.session, *outputs], show_progress="hidden", trigger_mode="always_last")
    # the page redraws the bars while the temperature moves (assets/live.js) and unticks the learned τ;
    # the server redraws when the slider is released
    live.wire(log_tau, "class_bars", ["#zeroshot-bars"], [log_tau], [result, learned])
    ctx.on(functools.partial(gr.on, [classify_button.click, classes.submit, classes.blur, templates.blur,
                                      ensemble.input, pair.input, variant.input, log_tau.release, learned.input,
                                      top_k.input, sketch.change, upload.change]),
           classify, api_name="zeroshot_classify", **run)
    ctx.on(class_set.input(class_preset, class_set, classes, api_name="zeroshot_class_preset").then,
           classify, api_visibility="private", **run)
    ctx.on(template_set.input(template_preset, template_set, templates, api_name="zeroshot_template_preset").then,
           classify, api_visibility="private", **run)

    def show_source(choice):
        return (gr.update(visible=choice == "test"), gr.update(visible=choice == "sketch"),
                gr.update(visible=choice == "upload"))

    ctx.on(source.input(show_source, source, [test_controls, sketch, upload], api_visibility="private", queue=False,
                        show_progress="hidden").then, classify, api_visibility="private", **run)
    ctx.on(learned.input, lambda session, use: learned_tau(session) if use else gr.update(), [learned], log_tau,
           api_visibility="private", show_progress="hidden")
    ctx.on(compare_button.click, keep_session(compare_templates), [classes, templates, n_per_pair],
           [ctx.session, compare_table, compare_plot, compare_summary], api_name="zeroshot_compare")
    ctx.on(greedy_button.click, keep_session(greedy_selection), [classes, templates, ensemble, n_per_pair],
           [ctx.session, greedy_table, greedy_plot, greedy_summary], api_name="zeroshot_greedy")

    worth_outputs = [worth_summary, worth_styles, worth_orange, worth_probe]
    ctx.on(worth_button.click, keep_session(prompt_worth), [], [ctx.session, *worth_outputs],
           api_name="zeroshot_prompts")

    def on_load(session, classes, templates, ensemble, source, pair, variant, sketch, upload, log_tau, learned,
                top_k):
        log_tau = learned_tau(session)  # the slider starts at the model's learned temperature
        class_name, classes, template_name, templates = localized_presets(session, classes, templates)
        return (class_name, classes, template_name, templates, gr.update(choices=pair_choices(session)), log_tau,
                *classify_image(session, classes, templates, ensemble, source, pair, variant, sketch, upload,
                                log_tau, learned, top_k))

    ctx.refresh(on_load, inputs, [class_set, classes, template_set, templates, pair, log_tau, *outputs],
                api_name="zeroshot_refresh")
    ctx.shareable(LESSON_ID, {"class_set": class_set, "classes": classes, "template_set": template_set,
                              "templates": templates, "ensemble": ensemble},
                  redraw=(classify, [ctx.session, *inputs], run["outputs"]))
    ctx.refresh(clear_results, [], [compare_table, compare_plot, compare_summary, greedy_table, greedy_plot,
                                    greedy_summary, *worth_outputs])
