"""The names of the models a session can pick, in the session's language: one label function for
every place that names a model (the header's picker, read-outs that say which model measured).
"""

from __future__ import annotations

import os

from lessons.common import ui

STRINGS = {
    "en": {
        "app.model.shipped": "toy CLIP (shipped)",
        "app.model.bilingual": "toy CLIP, bilingual: English + 中文 (shipped)",
        "app.model.trained": "my trained model (this session)",
        "app.model.random": "random init",
        "app.model.pretrained": "pretrained CLIP",
        "app.model.download": "~{mb} MB download on first pick",
        "app.model.local": "local folder",
        "app.model.cached": "downloaded",
    },
    "zh": {
        "app.model.shipped": "玩具 CLIP（随附）",
        "app.model.bilingual": "玩具 CLIP，双语：英文 + 中文（随附）",
        "app.model.trained": "我训练的模型（本次会话）",
        "app.model.random": "随机初始化",
        "app.model.pretrained": "预训练 CLIP",
        "app.model.download": "首次选择时下载约 {mb} MB",
        "app.model.local": "本地文件夹",
        "app.model.cached": "已下载",
    },
}


def model_label(session, name: str | None = None) -> str:
    """"toy CLIP (shipped)", "my trained model (this session)", … for `name` (default: the session's
    model, or the shipped one if the session cannot use its pick)."""
    name = name or session.model_name
    if name not in session.available_models():
        name = "shipped"
    return _label(session.lang, name)


def _label(lang: str, name: str) -> str:
    return ui.lesson_strings(STRINGS, lang).get(f"model.{name}", name)


def pretrained_label(session) -> str:
    """"pretrained CLIP (openai/clip-vit-base-patch32, ~605 MB download on first pick)", in the session's language."""
    from clip_core.pretrained import (
        CHINESE_CLIP_DOWNLOAD_MB,
        CHINESE_CLIP_PRETRAINED,
        DEFAULT_DOWNLOAD_MB,
        DEFAULT_PRETRAINED,
        pretrained_source,
    )

    source = session.pretrained_source or pretrained_source()
    if os.path.isdir(os.path.expanduser(source)):
        where, source = _label(session.lang, "local"), os.path.basename(os.path.normpath(source)) or source
    elif "pretrained" in session.models or _in_hub_cache(source):
        where = _label(session.lang, "cached")
    else:
        sizes = {DEFAULT_PRETRAINED: DEFAULT_DOWNLOAD_MB, CHINESE_CLIP_PRETRAINED: CHINESE_CLIP_DOWNLOAD_MB}
        mb = sizes.get(source, "?")
        where = _label(session.lang, "download").format(mb=mb)
    return f"{_label(session.lang, 'pretrained')} ({source}, {where})"


def _in_hub_cache(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        return any(isinstance(try_to_load_from_cache(repo_id, name), str)
                   for name in ("model.safetensors", "pytorch_model.bin"))
    except Exception:  # not a valid repo id, no cache folder: simply not cached
        return False


def short_name(source: str) -> str:
    """A hub id as it is; a folder by its last part (no server paths on the page)."""
    return os.path.basename(os.path.normpath(source)) if os.path.isdir(os.path.expanduser(source)) else source
