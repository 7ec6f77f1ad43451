"""UI strings of the page around the lessons, and the one table gr.I18n and the server read.

The table merges the page's own strings with those of lessons/common (model names, export buttons,
quiz checkpoints) and every lesson's STRINGS (and QUIZ_STRINGS where a lesson has a quiz); it is
built once, at the first call.
"""

from __future__ import annotations

import functools

from lessons import ALL_LESSONS
from lessons.common import models, quiz, ui

PAGE_STRINGS = {
    "en": {
        "app.title": "CLIP Lab",
        "app.model": "Model used by every lesson",
        "app.model.loading": "Loading the pretrained CLIP {name} …",
        "app.model.loaded": ("**Pretrained CLIP** `{name}`: {params} parameters, {size}-px images, {dim}-d "
                             "embeddings, learned scale exp(t) = {scale:.1f}. Its weights are shared by everyone "
                             "on this server and never trained here."),
        "app.model.failed": "**The pretrained CLIP is not available.** {error}",
        "app.language": "Language",
        "beyond.tab": "9 · Beyond the basics",
        "beyond.lead": ("The same CLIP, pushed further: a real pretrained CLIP on your own pictures; experiments that "
                        "show why each part of the recipe is there; CLIP beyond classification (guiding a picture, "
                        "finding an object) and where it fails (word order); two languages meeting through images; "
                        "and *Scaling out*: how CLIP trained across many workers, run live on worker processes. "
                        "Pick a topic below."),
    },
    "zh": {
        "app.title": "CLIP 实验室",
        "app.model": "所有课程使用的模型",
        "app.model.loading": "正在加载预训练 CLIP {name}……",
        "app.model.loaded": ("**预训练 CLIP** `{name}`：{params} 个参数，图片 {size} 像素，嵌入 {dim} 维，"
                             "学到的缩放 exp(t) = {scale:.1f}。这份权重由本服务器上的所有人共用，在这里只看不训练。"),
        "app.model.failed": "**预训练 CLIP 不可用。** {error}",
        "app.language": "语言",
        "beyond.tab": "9 · 进阶",
        "beyond.lead": ("同一个 CLIP，再往前走一步：在你自己的图片上使用真实的预训练 CLIP；用实验说明训练配方里"
                        "每一部分为什么必不可少；看 CLIP 在分类之外能做什么（引导生成图片、找出物体）、又在哪里失灵"
                        "（词序）；两种语言如何借图片相遇；以及*多进程训练*：CLIP 怎样分到许多 worker 上训练，"
                        "并在 worker 进程上实时运行。请在下面选择一个主题。"),
    },
}


@functools.cache
def all_strings() -> dict[str, dict[str, str]]:
    """UI strings of the page, lessons/common and every lesson, per language (for gr.I18n)."""
    parts = [PAGE_STRINGS, models.STRINGS, ui.STRINGS, quiz.STRINGS]
    parts += [part for lesson in ALL_LESSONS for part in (lesson.STRINGS, getattr(lesson, "QUIZ_STRINGS", None)) if part]
    merged: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
    for part in parts:
        for lang in merged:
            merged[lang].update(part.get(lang, part["en"]))
    return merged


def tr(lang: str, key: str) -> str:
    """A UI string on the server side (figure titles, messages), in the session's language."""
    table = all_strings()
    return table.get(lang, table["en"]).get(key) or table["en"].get(key, key)
