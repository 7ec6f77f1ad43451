"""Zero-shot classification with prompt templates (CLIP paper section 3.1.4; open_clip
`zero_shot_classifier.py`).

A class's weight vector is the text embedding of its name put into a template ("a photo of a
{}."). With several templates, the paper averages the normalised embeddings and normalises the
mean again ("embedding" ensemble); averaging the per-template softmax outputs ("probability"
ensemble) is the alternative it compares against. Template sets whose name ends in "_zh" are
Simplified Chinese and take Chinese class names (`ShapesWorld.classes(kind, lang="zh")`).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .data import ShapesWorld

TEMPLATE_SETS: dict[str, list[str]] = {
    # the class name alone: no training caption looks like this
    "bare": ["{}"],
    # the paper's default prompt, a sentence like the training captions
    "photo": ["a photo of a {}."],
    # the same sentence for the two other visual styles
    "sketch": ["a sketch of a {}."],
    "pixel": ["pixel art of a {}."],
    # one template per style, averaged: a classifier for pictures of any style
    "styles": ["a photo of a {}.", "a sketch of a {}.", "pixel art of a {}."],
    # context for colour names: "something orange" is the colour, never the fruit
    "colour_context": ["a photo of something {}."],
    # the styles and the sentence forms that name size or position, averaged
    "ensemble": [
        "a photo of a {}.", "a sketch of a {}.", "pixel art of a {}.", "a photo of a small {}.",
        "a photo of a large {}.", "a sketch of a small {}.", "a sketch of a large {}.",
        "pixel art of a small {}.", "pixel art of a large {}.", "a photo of a {} in the center.",
    ],
    # Simplified Chinese, for Chinese class names such as "红色圆形"
    "bare_zh": ["{}"],
    "photo_zh": ["一张{}的照片"],
    "sketch_zh": ["一张{}的素描"],
    "pixel_zh": ["一张{}的像素画"],
    "styles_zh": ["一张{}的照片", "一张{}的素描", "一张{}的像素画"],
    "ensemble_zh": [
        "一张{}的照片", "一张{}的素描", "一张{}的像素画", "一张照片，上面是一个小的{}", "一张照片，上面是一个大的{}",
        "一张素描，上面是一个小的{}", "一张素描，上面是一个大的{}", "一张像素画，上面是一个小的{}",
        "一张像素画，上面是一个大的{}", "中间有一个{}",
    ],
}


def template_sets(lang: str = "en") -> dict[str, list[str]]:
    """The template sets of one language ("en" or "zh"), by name."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    return {name: templates for name, templates in TEMPLATE_SETS.items() if name.endswith("_zh") == (lang == "zh")}


def knows_language(tokenizer, world: ShapesWorld, lang: str) -> bool:
    """Whether the tokenizer knows every word of the colour-shape class names and templates of `lang`."""
    templates = dict.fromkeys(t for ts in template_sets(lang).values() for t in ts)
    names = world.classes("colour_shape", lang)
    return not any(tokenizer.unknown_words(t.format(name)) for t in templates for name in names)


def check_template(template: str) -> None:
    """Raise ValueError unless the template has exactly one '{}' and no other braces."""
    if template.count("{}") != 1 or template.replace("{}", "").count("{") or template.replace("{}", "").count("}"):
        raise ValueError(f"a template needs exactly one '{{}}' and no other braces: {template!r}")


def ensemble_embeddings(per_template: torch.Tensor) -> torch.Tensor:
    """The paper's prompt ensemble: each class's text embeddings over the templates, normalised,
    averaged and normalised again (open_clip `build_zero_shot_classifier`).

    Args:
        per_template: text embeddings [T, C, d_e] of C classes (or queries) in T templates.

    Returns:
        unit class embeddings [C, d_e].
    """
    return F.normalize(F.normalize(per_template, dim=-1).mean(dim=0), dim=-1)  # [C, d_e]


@torch.no_grad()
def class_embeddings(model, tokenizer, classnames: list[str], templates: list[str],
                     ensemble: str = "embedding") -> torch.Tensor:
    """Text-side classifier weights.

    Args:
        ensemble: "embedding" returns [C, d_e]: normalize(mean_t(normalize(embed(t(c))))), as in
            the paper (`ensemble_embeddings`); "probability" returns the per-template embeddings [T, C, d_e] for
            averaging probabilities in `classify`.
    """
    for template in templates:
        check_template(template)
    texts = [template.format(name) for template in templates for name in classnames]
    per_template = model.encode_text(tokenizer(texts)).view(len(templates), len(classnames), -1)  # [T, C, d_e]
    if ensemble == "embedding":
        return ensemble_embeddings(per_template)  # [C, d_e]
    if ensemble == "probability":
        return per_template
    raise ValueError(f"ensemble must be 'embedding' or 'probability', not {ensemble!r}")


@torch.no_grad()
def classify(model, tokenizer, images: torch.Tensor, classnames: list[str], templates: list[str],
             ensemble: str = "embedding", logit_scale: float | None = None,
             image_embeddings: torch.Tensor | None = None, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Class probabilities [N, C] for images [N, 3, H, W].

    Args:
        logit_scale: softmax scale; defaults to the model's learned exp(t).
        image_embeddings: pass precomputed unit image embeddings to skip the image tower.
        weights: pass precomputed `class_embeddings(..., ensemble)` to skip the text tower.
    """
    model.eval()
    I_e = model.encode_image(images) if image_embeddings is None else image_embeddings  # [N, d_e]
    scale = model.scale().item() if logit_scale is None else logit_scale
    if weights is None:
        weights = class_embeddings(model, tokenizer, classnames, templates, ensemble)
    if ensemble == "embedding":
        return (scale * I_e @ weights.T).softmax(dim=-1)  # [N, C]
    return (scale * torch.einsum("nd,tcd->tnc", I_e, weights)).softmax(dim=-1).mean(dim=0)  # [N, C]


@torch.no_grad()
def evaluate_templates(model, tokenizer, images: torch.Tensor, labels: np.ndarray, classnames: list[str],
                       templates: list[str], groups: dict[str, np.ndarray] | None = None,
                       ensembles: bool = True, image_embeddings: torch.Tensor | None = None) -> list[dict]:
    """Accuracy of each template alone and of both ensembles over all templates.

    Args:
        labels: [N] index into classnames of each image's true class.
        groups: optional boolean masks [N] (e.g. {"seen": ..., "held_out": ...}); each row then
            also reports the accuracy inside every group.
        image_embeddings: the images' unit embeddings [N, d_e], if already computed (skips the image tower).

    Returns:
        rows like {"template": "a photo of a {}.", "accuracy": 0.97, "seen": 0.99, "held_out": 0.9}.
    """
    model.eval()
    labels = np.asarray(labels)
    groups = groups or {}
    I_e = model.encode_image(images) if image_embeddings is None else image_embeddings  # [N, d_e]
    per_template = class_embeddings(model, tokenizer, classnames, templates, "probability")  # [T, C, d_e]
    scale = model.scale().item()
    probs = (scale * torch.einsum("nd,tcd->tnc", I_e, per_template)).softmax(dim=-1)  # [T, N, C]

    def row(name: str, p: torch.Tensor) -> dict:
        correct = p.argmax(dim=-1).numpy() == labels
        out = {"template": name, "accuracy": float(correct.mean())}
        for group, mask in groups.items():
            out[group] = float(correct[mask].mean()) if mask.any() else float("nan")
        return out

    rows = [row(t, probs[i]) for i, t in enumerate(templates)]
    if ensembles and len(templates) > 1:
        weights = ensemble_embeddings(per_template)  # [C, d_e]
        rows.append(row("ensemble (embedding)", (scale * I_e @ weights.T).softmax(dim=-1)))
        rows.append(row("ensemble (probability)", probs.mean(dim=0)))
    return rows


def zero_shot_report(model, world: ShapesWorld, n_per_pair: int = 8,
                     templates: list[str] | None = None, lang: str = "en") -> dict:
    """Zero-shot accuracy over all colour-shape classes, split into seen and held-out pairs.

    Every test image is classified among all colour-shape pairs (seen and held out alike), so a
    model that never learned to compose colour and shape cannot score on held-out pairs.

    Args:
        templates: default every template of `lang`'s sets.
        lang: the language of the class names ("red circle" or "红色圆形") and default templates.
    """
    templates = templates or list(dict.fromkeys(t for ts in template_sets(lang).values() for t in ts))
    english = world.classes("colour_shape")
    classnames = world.classes("colour_shape", lang)  # the same order as `english`
    test = world.test_set(n_per_pair, "all")
    labels = np.array([english.index(p) for p in test.attributes.pair_names()])
    held = world.is_held_out(test.attributes)
    rows = evaluate_templates(model, model.tokenizer, test.images, labels, classnames, templates,
                              groups={"seen": ~held, "held_out": held})
    singles = [r for r in rows if not r["template"].startswith("ensemble")]
    best = max(singles, key=lambda r: (r["seen"] + r["held_out"], r["held_out"]))
    return {"n_per_pair": n_per_pair, "n_images": int(len(labels)), "templates": rows, "best_template": best}


@torch.no_grad()
def greedy_template_selection(image_embeddings: torch.Tensor, template_embeddings: torch.Tensor, labels: np.ndarray,
                              ensemble: str = "embedding", logit_scale: float = 100.0,
                              max_templates: int | None = None,
                              groups: dict[str, np.ndarray] | None = None) -> list[dict]:
    """Forward selection of a template ensemble (openai/CLIP "Prompt_Engineering_for_ImageNet").

    Starts from the best single template, then repeatedly adds the template whose addition
    raises the ensemble's accuracy the most, and stops as soon as no addition raises it (or at
    `max_templates`). Ties go to the template listed first. Accuracy along the returned path
    therefore strictly increases. The selection is scored on the same labelled images it is
    chosen on, so its last accuracy is an optimistic estimate.

    Args:
        image_embeddings: unit image embeddings [N, d_e].
        template_embeddings: unit text embeddings per template and class [T, C, d_e], e.g.
            `class_embeddings(..., ensemble="probability")`.
        labels: [N] index of each image's true class.
        ensemble: "embedding" (average unit embeddings, re-normalise) or "probability" (average
            the per-template softmax outputs).
        logit_scale: softmax scale for the probability ensemble (the embedding ensemble's argmax
            does not depend on it).
        groups: optional boolean masks [N] (e.g. {"seen": ..., "held_out": ...}); every step then
            also reports the accuracy inside each group (the selection uses overall accuracy).

    Returns:
        the path, one dict per step: {"step": 1, "added": index of the template added,
        "selected": indices chosen so far, "accuracy": ensemble accuracy with them, and one
        entry per group}.
    """
    if ensemble not in ("embedding", "probability"):
        raise ValueError(f"ensemble must be 'embedding' or 'probability', not {ensemble!r}")
    labels = torch.as_tensor(np.asarray(labels))
    T_e = F.normalize(template_embeddings, dim=-1)  # [T, C, d_e]
    cosines = torch.einsum("nd,tcd->tnc", image_embeddings, T_e)  # [T, N, C]
    probs = (logit_scale * cosines).softmax(dim=-1)  # [T, N, C]

    def correct(chosen: list[int]) -> torch.Tensor:
        if ensemble == "embedding":
            weights = ensemble_embeddings(template_embeddings[chosen])  # [C, d_e]
            scores = image_embeddings @ weights.T  # [N, C]
        else:
            scores = probs[chosen].mean(dim=0)  # [N, C]
        return scores.argmax(dim=-1) == labels  # [N]

    def accuracy(chosen: list[int]) -> float:
        return int(correct(chosen).sum()) / len(labels)  # exact counts: equal accuracies compare equal

    def step(number: int, added: int, chosen: list[int]) -> dict:
        hits = correct(chosen).numpy()
        row = {"step": number, "added": added, "selected": chosen, "accuracy": int(hits.sum()) / len(hits)}
        for group, mask in (groups or {}).items():
            row[group] = float(hits[mask].mean()) if np.any(mask) else float("nan")
        return row

    n_templates = len(template_embeddings)
    limit = n_templates if max_templates is None else min(max_templates, n_templates)
    singles = [accuracy([t]) for t in range(n_templates)]
    best = int(np.argmax(singles))  # argmax keeps the first of equal scores
    path = [step(1, best, [best])]
    while len(path[-1]["selected"]) < limit:
        chosen, current = path[-1]["selected"], path[-1]["accuracy"]
        gains = [(accuracy(chosen + [t]), t) for t in range(n_templates) if t not in chosen]
        score, added = max(gains, key=lambda pair: (pair[0], -pair[1]))
        if score <= current:
            break
        path.append(step(len(path) + 1, added, chosen + [added]))
    return path
