"""What a prompt is worth: the CLIP paper's prompt-engineering effects, measured on the toy world.

Section 3.1.4 of the paper gives three reasons why the wording of zero-shot prompts matters, and
the toy world (data.py) has each cause built in, so each is measured here on fixed test sets:

1. Distribution gap: training captions are sentences, never the bare label. "a photo of a {}."
   against the bare "{}" on photos (the paper: +1.3 points on ImageNet).
2. Visual styles: templates that name the picture's style ("a sketch of a {}.") against those that
   name another style, on a test set per style.
3. Ensembles: the average of one template per style, in embedding space, against the average and
   the best single template, on a test set that mixes the styles (the paper: +3.5 points).
4. Polysemy: "orange" is a colour and a fruit-shaped object. Classifying colours (and shapes) with
   the bare label against a template whose context picks the sense.

And, as in the paper's figure 7, how many labelled pictures per class a linear probe on the same
image embeddings needs to match zero-shot classification (probe.py).
"""

from __future__ import annotations

import numpy as np
import torch

from .data import AMBIGUOUS_WORD, COLOURS, SHAPES, STYLES, ShapesWorld
from .probe import SHOTS, crossing_point, k_shot_curve
from .zeroshot import TEMPLATE_SETS, class_embeddings

BARE = "{}"
STYLE_TEMPLATES: dict[str, str] = dict(zip(STYLES, TEMPLATE_SETS["styles"], strict=True))  # style -> its template
# Context that picks a sense: "something orange" is the colour; "a photo of a orange." names a thing.
CONTEXT_TEMPLATES: dict[str, str] = {"colour": TEMPLATE_SETS["colour_context"][0], "shape": STYLE_TEMPLATES["photo"]}
ENSEMBLE = "ensemble"  # row name of the embedding-space average of STYLE_TEMPLATES
PROBE_POOL_SEED = 4321  # the probe's labelled pictures come from their own stream, never the test images


@torch.no_grad()
def _accuracy(image_embeddings: torch.Tensor, weights: torch.Tensor, labels: np.ndarray) -> np.ndarray:
    """Per-image correctness [N] of classifying unit image embeddings [N, d_e] with class weights [C, d_e]."""
    return (image_embeddings @ weights.T).argmax(dim=-1).numpy() == labels


@torch.no_grad()
def _weights(model, classnames: list[str], templates: list[str]) -> torch.Tensor:
    return class_embeddings(model, model.tokenizer, classnames, templates, "embedding")  # [C, d_e]


@torch.no_grad()
def style_table(model, world: ShapesWorld, n_per_pair: int = 4) -> dict:
    """Zero-shot accuracy over all colour-shape pairs: rows bare / one per style template / ensemble,
    columns one test set per style plus "mixed" (all of them together).

    Returns:
        {"rows": [row names], "columns": [*STYLES, "mixed"], "accuracy": {row: {column: float}},
         "n_images": {column: int}, "classes": int}.
    """
    model.eval()
    classnames = world.classes("colour_shape")
    rows = {BARE: [BARE], **{t: [t] for t in STYLE_TEMPLATES.values()}, ENSEMBLE: list(STYLE_TEMPLATES.values())}
    weights = {name: _weights(model, classnames, templates) for name, templates in rows.items()}
    hits: dict[str, dict[str, np.ndarray]] = {name: {} for name in rows}
    n_images = {}
    for style in STYLES:
        test = world.test_set(n_per_pair, "all", style=style)
        labels = np.array([classnames.index(p) for p in test.attributes.pair_names()])
        image_embeddings = model.encode_image(test.images)  # [N, d_e]
        n_images[style] = len(labels)
        for name in rows:
            hits[name][style] = _accuracy(image_embeddings, weights[name], labels)
    n_images["mixed"] = sum(n_images.values())
    accuracy = {name: {**{s: float(h[s].mean()) for s in STYLES},
                       "mixed": float(np.concatenate([h[s] for s in STYLES]).mean())} for name, h in hits.items()}
    return {"rows": list(rows), "columns": [*STYLES, "mixed"], "accuracy": accuracy, "n_images": n_images,
            "classes": len(classnames)}


def effects(table: dict) -> dict:
    """The three template effects read from a style_table, as differences in accuracy (0..1)."""
    acc = table["accuracy"]
    singles = list(STYLE_TEMPLATES.values())
    per_style = {}
    for style, matched in STYLE_TEMPLATES.items():
        others = [acc[t][style] for t in singles if t != matched]
        per_style[style] = {"matched": acc[matched][style], "mismatched_mean": float(np.mean(others)),
                            "mismatched_best": max(others), "bare": acc[BARE][style]}
    mean_single = float(np.mean([acc[t]["mixed"] for t in singles]))
    best_single = max(singles, key=lambda t: acc[t]["mixed"])
    return {
        "photo_vs_bare": acc[STYLE_TEMPLATES["photo"]]["photo"] - acc[BARE]["photo"],
        "per_style": per_style,
        "ensemble": {"accuracy": acc[ENSEMBLE]["mixed"], "mean_single": mean_single,
                     "best_single": acc[best_single]["mixed"], "best_single_template": best_single,
                     "bare": acc[BARE]["mixed"]},
    }


@torch.no_grad()
def sense_of_bare_word(model) -> dict:
    """Which sense a lone "orange" takes: cosine of its text embedding with the fruit sentence and
    with the colour sentence ("a photo of a orange." and "a photo of something orange.")."""
    model.eval()
    texts = [AMBIGUOUS_WORD, CONTEXT_TEMPLATES["shape"].format(AMBIGUOUS_WORD),
             CONTEXT_TEMPLATES["colour"].format(AMBIGUOUS_WORD)]
    bare, fruit, colour = model.encode_text(model.tokenizer(texts))  # 3 x [d_e]
    return {"fruit": float(bare @ fruit), "colour": float(bare @ colour)}


@torch.no_grad()
def ambiguity(model, world: ShapesWorld, n_per_pair: int = 6) -> dict:
    """Colour and shape classification with "orange" among the classes: bare label vs context template.

    Each task is scored on all pictures and on the contested ones, where the two senses compete:
    every fruit ("orange" the shape, in any colour) and every orange-coloured object of another
    shape. Asked for colours, a model that reads a bare "orange" as the fruit calls blue oranges
    "orange"; "a photo of something {}." says a colour is meant. Asked for shapes, a model that
    reads it as the colour calls orange circles "orange"; "a photo of a {}." says a thing is meant.

    Returns:
        {"sense": sense_of_bare_word, "tasks": {"colour"|"shape": {"classes", "templates": {template:
        {"all", "contested", "called": {"fruit"|"orange-coloured": {class: count}}}}}}, counts}.
    """
    model.eval()
    test = world.test_set(n_per_pair, "all", style=None)
    fruit = np.asarray(test.attributes.shape) == SHAPES.index(AMBIGUOUS_WORD)
    coloured = (np.asarray(test.attributes.colour) == list(COLOURS).index(AMBIGUOUS_WORD)) & ~fruit
    contested = fruit | coloured
    image_embeddings = model.encode_image(test.images)  # [N, d_e]
    out = {"sense": sense_of_bare_word(model), "n_images": int(len(fruit)), "n_fruit": int(fruit.sum()),
           "n_coloured": int(coloured.sum()), "n_contested": int(contested.sum()), "tasks": {}}
    for task, context in CONTEXT_TEMPLATES.items():
        classnames = world.classes(task)
        labels = np.asarray(getattr(test.attributes, task))
        rows = {}
        for template in (BARE, context):
            predicted = (image_embeddings @ _weights(model, classnames, [template]).T).argmax(dim=-1).numpy()  # [N]
            rows[template] = {
                "all": float((predicted == labels).mean()),
                "contested": float((predicted[contested] == labels[contested]).mean()),
                "called": {group: {name: int((predicted[mask] == i).sum()) for i, name in enumerate(classnames)}
                           for group, mask in (("fruit", fruit), ("orange-coloured", coloured))},
            }
        out["tasks"][task] = {"classes": classnames, "context": context, "templates": rows,
                              "gain": rows[context]["contested"] - rows[BARE]["contested"]}
    return out


@torch.no_grad()
def probe_vs_zero_shot(model, world: ShapesWorld, n_per_pair: int = 3, pool_per_pair: int = 16,
                       shots: tuple[int, ...] = SHOTS, draws: int = 5) -> dict:
    """k-shot linear probes on the frozen image embeddings against zero-shot (the style ensemble).

    Both are scored on the same mixed-style test set of every colour-shape pair; the probes learn
    from k pictures per class drawn from a separate pool of the same world.
    """
    model.eval()
    classnames = world.classes("colour_shape")
    test = world.test_set(n_per_pair, "all", style=None)
    pool = world.test_set(pool_per_pair, "all", seed=PROBE_POOL_SEED, style=None)
    test_labels = np.array([classnames.index(p) for p in test.attributes.pair_names()])
    pool_labels = np.array([classnames.index(p) for p in pool.attributes.pair_names()])
    test_embeddings = model.encode_image(test.images)  # [N, d_e]
    pool_embeddings = model.encode_image(pool.images)  # [P, d_e]
    zero_shot = float(_accuracy(test_embeddings, _weights(model, classnames, list(STYLE_TEMPLATES.values())),
                                test_labels).mean())
    curve = k_shot_curve(pool_embeddings, pool_labels, test_embeddings, test_labels, len(classnames), shots, draws)
    return {"zero_shot": zero_shot, "curve": curve, "crossing": crossing_point(curve, zero_shot),
            "n_test": len(test_labels), "classes": len(classnames), "draws": draws}


def prompt_report(model, world: ShapesWorld) -> dict:
    """Everything the zero-shot lesson shows about prompts, for one model (a few seconds on a CPU)."""
    table = style_table(model, world)
    return {"style_table": table, "effects": effects(table), "ambiguity": ambiguity(model, world),
            "probe": probe_vs_zero_shot(model, world)}
