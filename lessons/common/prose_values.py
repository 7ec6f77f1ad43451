"""Numbers and lists that lesson prose shows, taken from the live world, model and server.

A sentence such as "the tokenizer knows 28 words" is true of one model only: the bilingual toy CLIP
knows twice as many, a retrained world changes the patterns, and the server sets its own thread
count. So the prose writes `{{vocab_size}}` and `lessons.common.prose.lesson_text` fills it in with the
values below, computed for the session's model whenever the prose is shown.
"""

from __future__ import annotations

import os

import torch

from clip_core.data import ShapesWorld
from clip_core.tokenizer import Tokenizer
from lessons.common import limits

_LANGUAGE_NAMES = {"en": {"en": "English", "zh": "Chinese"}, "zh": {"en": "英文", "zh": "中文"}}
_AND = {"en": " and ", "zh": "和"}
_LIST_SEPARATOR = {"en": ", ", "zh": "、"}


def caption_languages(tokenizer: Tokenizer, world: ShapesWorld) -> list[str]:
    """The caption languages whose every training word the tokenizer knows ("en", "zh")."""
    known = set(tokenizer.vocabulary)
    langs = [lang for lang in ("en", "zh") if set(world.vocabulary(lang)) <= known]
    return langs or ["en"]


def _names(world: ShapesWorld, kind: str, lang: str) -> str:
    """Class names as prose: "red, orange, …" in English, "红色（red）、橙色（orange）…" in Chinese."""
    english = world.classes(kind, "en")
    if lang != "zh":
        return ", ".join(english)
    chinese = world.classes(kind, "zh")
    return "、".join(f"{zh}（{en}）" for zh, en in zip(chinese, english, strict=True))


def _pattern_list(world: ShapesWorld, langs: list[str], lang: str) -> str:
    """A markdown list with one line per caption language: its patterns as code chips."""
    names = _LANGUAGE_NAMES.get(lang, _LANGUAGE_NAMES["en"])
    lines = []
    for caption_lang in langs:
        patterns = world.caption_patterns(caption_lang)
        chips = " · ".join(f"`{pattern}`" for pattern in patterns)
        count = f"（{len(patterns)}）：" if lang == "zh" else f" ({len(patterns)}): "
        lines.append(f"- **{names[caption_lang]}**{count}{chips}")
    return "\n".join(lines)


def world_values(world: ShapesWorld, tokenizer: Tokenizer, lang: str = "en") -> dict[str, str]:
    """What the prose may say about the toy world and a toy model's tokenizer, in language `lang`."""
    langs = caption_languages(tokenizer, world)
    names = _LANGUAGE_NAMES.get(lang, _LANGUAGE_NAMES["en"])
    counts = {kind: len(world.classes(kind)) for kind in ("colour", "shape", "size", "position", "style")}
    n_pairs, n_held = len(world.classes("colour_shape")), len(world.classes("held_out"))
    n_seen = len(world.classes("seen"))
    per_pair = counts["size"] * counts["position"] * counts["style"]  # scenes per colour-shape pair
    held = world.classes("held_out", "zh" if lang == "zh" else "en")
    return {
        "vocab_size": str(len(tokenizer.vocabulary)),
        "caption_languages": _AND.get(lang, _AND["en"]).join(names[code] for code in langs),
        "pattern_count": str(sum(len(world.caption_patterns(code)) for code in langs)),
        "pattern_list": _pattern_list(world, langs, lang),
        "colours": _names(world, "colour", lang),
        "shapes": _names(world, "shape", lang),
        "sizes": _names(world, "size", lang),
        "positions": _names(world, "position", lang),
        "styles": _names(world, "style", lang),
        "n_styles": str(counts["style"]),
        "n_colours": str(counts["colour"]),
        "n_shapes": str(counts["shape"]),
        "n_sizes": str(counts["size"]),
        "n_positions": str(counts["position"]),
        "n_scenes": str(n_pairs * per_pair),
        "n_pairs": str(n_pairs),
        "n_seen_pairs": str(n_seen),
        "n_seen_pairs_plus_one": str(n_seen + 1),
        "n_held_out": str(n_held),
        "held_out_list": _LIST_SEPARATOR.get(lang, ", ").join(held),
        "n_train_scenes": str(n_seen * per_pair),
    }


def server_values() -> dict[str, str]:
    """What the prose may say about the machine serving the app."""
    return {
        "cpu_threads": str(torch.get_num_threads()),
        "cpu_cores": str(os.cpu_count() or 1),
        "training_slots": str(limits.LIMITS.training_slots),
        "training_slots_variable": limits.variable("training_slots"),
    }


def prose_values(session=None) -> dict[str, str]:
    """Every placeholder value for a session (None: the English toy world and its vocabulary, as
    shown before a session exists). The toy model is the picked one, or the shipped one when the
    pretrained CLIP is picked, as in the toy-world tab."""
    if session is None:
        world = ShapesWorld(0)
        return {**world_values(world, Tokenizer(world.vocabulary()), "en"), **server_values()}
    model = session.toy_model()
    # one world per page load and lesson would cost more than the text: memoised per model and language
    values = session.memo(("prose_values", session.model_name, id(model), session.lang),
                          lambda: world_values(session.world, model.tokenizer, session.lang))
    return {**values, **server_values()}
