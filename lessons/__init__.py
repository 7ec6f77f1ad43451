"""The lessons (tabs) of CLIP Lab, in order, and what they share.

Each lesson module exposes `LESSON_ID`, `STRINGS` ({"en": {...}, "zh": {...}} UI strings) and
`build(ctx)`, which creates the tab's components inside the surrounding gr.Blocks and wires its
events. `ctx` gives it the session state, the model picker and hooks to refresh on page load or
when the learner picks another model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import gradio as gr

from . import (
    artdirector,
    bagofwords,
    crosslingual,
    distributed,
    localize,
    logit,
    logits,
    mistakes,
    negatives,
    overview,
    photos,
    search,
    siglip,
    temperature,
    toy_world,
    train_live,
    zeroshot,
)
from .photos_strings import NOTES
from .quiz_strings import STRINGS as QUIZ_STRINGS
from .share import STRINGS as SHARE_STRINGS
from .share import Shared
from .text import lesson_text, placeholders
from .text_values import prose_values, server_values

LESSONS = [overview, toy_world, logits, temperature, train_live, zeroshot, search, logit]  # one tab each
# the last tab, "Beyond the basics", holds these as tabs of their own
BEYOND = [photos, mistakes, negatives, siglip, artdirector, localize, bagofwords, crosslingual, distributed]
ALL_LESSONS = LESSONS + BEYOND
BEYOND_ID = "beyond"

COMMON_STRINGS = {
    "en": {
        "app.title": "CLIP Lab",
        "app.model": "Model used by every lesson",
        "app.model.shipped": "toy CLIP (shipped)",
        "app.model.bilingual": "toy CLIP, bilingual: English + 中文 (shipped)",
        "app.model.trained": "my trained model (this session)",
        "app.model.random": "random init",
        "app.model.pretrained": "pretrained CLIP",
        "app.model.download": "~{mb} MB download on first pick",
        "app.model.local": "local folder",
        "app.model.cached": "downloaded",
        "app.model.loading": "Loading the pretrained CLIP {name} …",
        "app.model.loaded": ("**Pretrained CLIP** `{name}`: {params} parameters, {size}-px images, {dim}-d "
                             "embeddings, learned scale exp(t) = {scale:.1f}. Its weights are shared by everyone "
                             "on this server and never trained here."),
        "app.model.failed": "**The pretrained CLIP is not available.** {error}",
        "bilingual_note.toy_world": ("The header's model is the **bilingual** toy CLIP: samples drawn for it have "
                                     "captions in English or Chinese at random, as in its training."),
        "bilingual_note.logits": ("With the **bilingual** toy CLIP, the batch's captions are English or Chinese at "
                                  "random, as in its training. *Beyond the basics › Two languages* puts the two "
                                  "languages face to face."),
        "bilingual_note.train": ("The header's model is the **bilingual** toy CLIP: a new run trains on its kind "
                                 "of captions, each English or Chinese at random (pick the English one for English "
                                 "only)."),
        "app.language": "Language",
        "beyond.tab": "9 · Beyond the basics",
        "beyond.lead": ("The same CLIP, pushed further: a real pretrained CLIP on your own pictures; experiments that "
                        "show why each part of the recipe is there; CLIP beyond classification (guiding a picture, "
                        "finding an object) and where it fails (word order); two languages meeting through images; "
                        "and *Scaling out*: how CLIP trained across many workers, run live on worker processes. "
                        "Pick a topic below."),
        "common.export_png": "Export PNG",
        "common.png_file": "PNG file",
    },
    "zh": {
        "app.title": "CLIP 实验室",
        "app.model": "所有课程使用的模型",
        "app.model.shipped": "玩具 CLIP（随附）",
        "app.model.bilingual": "玩具 CLIP，双语：英文 + 中文（随附）",
        "app.model.trained": "我训练的模型（本次会话）",
        "app.model.random": "随机初始化",
        "app.model.pretrained": "预训练 CLIP",
        "app.model.download": "首次选择时下载约 {mb} MB",
        "app.model.local": "本地文件夹",
        "app.model.cached": "已下载",
        "app.model.loading": "正在加载预训练 CLIP {name}……",
        "app.model.loaded": ("**预训练 CLIP** `{name}`：{params} 个参数，图片 {size} 像素，嵌入 {dim} 维，"
                             "学到的缩放 exp(t) = {scale:.1f}。这份权重由本服务器上的所有人共用，在这里只看不训练。"),
        "app.model.failed": "**预训练 CLIP 不可用。** {error}",
        "bilingual_note.toy_world": ("页首选的是 **双语** 玩具 CLIP，所以这里的样本和它训练时一样："
                                     "每条描述随机是英文或中文。"),
        "bilingual_note.logits": ("用 **双语** 玩具 CLIP 时，批次里的描述和它训练时一样，随机是英文或中文。"
                                  "*进阶 › 中英互通* 把两种语言放在一起对比。"),
        "bilingual_note.train": ("页首选的是 **双语** 玩具 CLIP：新的训练也用这种描述，每条随机是英文或中文"
                                 "（只想用英文，请选英文模型）。"),
        "app.language": "语言",
        "beyond.tab": "9 · 进阶",
        "beyond.lead": ("同一个 CLIP，再往前走一步：在你自己的图片上使用真实的预训练 CLIP；用实验说明训练配方里"
                        "每一部分为什么必不可少；看 CLIP 在分类之外能做什么（引导生成图片、找出物体）、又在哪里失灵"
                        "（词序）；两种语言如何借图片相遇；以及*多进程训练*：CLIP 怎样分到许多 worker 上训练，"
                        "并在 worker 进程上实时运行。请在下面选择一个主题。"),
        "common.export_png": "导出 PNG",
        "common.png_file": "PNG 文件",
    },
}


def all_strings() -> dict[str, dict[str, str]]:
    """UI strings of the shell and every lesson, per language (for gr.I18n)."""
    merged: dict[str, dict[str, str]] = {lang: {**COMMON_STRINGS[lang], **NOTES[lang], **SHARE_STRINGS[lang],
                                                **QUIZ_STRINGS[lang]} for lang in ("en", "zh")}
    for lesson in ALL_LESSONS:
        for lang in merged:
            merged[lang].update(lesson.STRINGS.get(lang, lesson.STRINGS["en"]))
    return merged


def tr(lang: str, key: str) -> str:
    """A UI string on the server side (figure titles, messages), in the session's language."""
    table = all_strings()
    return table.get(lang, table["en"]).get(key) or table["en"].get(key, key)


def picker_update(session, i18n: gr.I18n) -> dict:
    """The header's model picker for a session: the models it has, the one in use."""
    # plain strings in the session's language (gr.I18n labels inside an update do not survive raw HTTP calls)
    choices = [(pretrained_label(session) if name == "pretrained" else tr(session.lang, f"app.model.{name}"), name)
               for name in session.available_models()]
    return gr.update(choices=choices, value=session.model_name)


def pretrained_label(session) -> str:
    """"pretrained CLIP (openai/clip-vit-base-patch32, ~605 MB download on first pick)", in the session's language."""
    import os

    from clip_core.pretrained import (
        CHINESE_CLIP_DOWNLOAD_MB,
        CHINESE_CLIP_PRETRAINED,
        DEFAULT_DOWNLOAD_MB,
        DEFAULT_PRETRAINED,
        pretrained_source,
    )

    source = session.pretrained_source or pretrained_source()
    if os.path.isdir(os.path.expanduser(source)):
        where, source = tr(session.lang, "app.model.local"), os.path.basename(os.path.normpath(source)) or source
    elif "pretrained" in session.models or _in_hub_cache(source):
        where = tr(session.lang, "app.model.cached")
    else:
        sizes = {DEFAULT_PRETRAINED: DEFAULT_DOWNLOAD_MB, CHINESE_CLIP_PRETRAINED: CHINESE_CLIP_DOWNLOAD_MB}
        mb = sizes.get(source, "?")
        where = tr(session.lang, "app.model.download").format(mb=mb)
    return f"{tr(session.lang, 'app.model.pretrained')} ({source}, {where})"


def _in_hub_cache(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        return any(isinstance(try_to_load_from_cache(repo_id, name), str)
                   for name in ("model.safetensors", "pytorch_model.bin"))
    except Exception:  # not a valid repo id, no cache folder: simply not cached
        return False


def model_status(session, error: str | None = None) -> str:
    """The line under the header: what the pretrained CLIP is, or why it could not be loaded."""
    if error:
        return tr(session.lang, "app.model.failed").format(error=error)
    if not session.is_pretrained:
        return ""
    model = session.model()
    config = model.config
    return tr(session.lang, "app.model.loaded").format(
        name=short_name(config.name), params=f"{model.num_parameters():,}", size=config.image_size,
        dim=config.embed_dim, scale=model.scale().item())


def short_name(source: str) -> str:
    """A hub id as it is; a folder by its last part (no server paths on the page)."""
    import os

    return os.path.basename(os.path.normpath(source)) if os.path.isdir(os.path.expanduser(source)) else source


def pretrained_note(session, lesson_id: str) -> str:
    """A lesson's note on what the picked model means for it ("" when there is nothing to say):
    toy-only lessons say so when the pretrained CLIP is picked; the photos tab warns about toy models;
    lessons that show training captions say that the bilingual model's are English or Chinese."""
    if session is None:
        return ""
    if lesson_id == "photos":
        return "" if session.is_pretrained else tr(session.lang, "photos.toy_note")
    if session.model_name == "bilingual":
        key = f"bilingual_note.{lesson_id}"
        return tr(session.lang, key) if key in all_strings()["en"] else ""
    if not session.is_pretrained:
        return ""
    key = f"pretrained_note.{lesson_id}"
    if key not in all_strings()["en"]:
        return ""  # nothing toy-specific to say about this lesson
    return tr(session.lang, key).format(size=session.model().config.image_size)


@dataclass
class Hook:
    fn: Callable
    inputs: list
    outputs: list
    api_name: str | None


@dataclass
class LessonContext:
    """What `build(ctx)` receives. Hooks run after the session exists (page load) and again
    whenever the learner picks another model in the header."""

    session: gr.State
    model_picker: gr.Dropdown
    i18n: gr.I18n
    on_load: list[Hook] = field(default_factory=list)
    on_model_change: list[Hook] = field(default_factory=list)
    model_change_events: list = field(default_factory=list)
    shared: dict[str, Shared] = field(default_factory=dict)  # lesson id -> its settings in shareable links

    def picker_update(self, session) -> dict:
        return picker_update(session, self.i18n)

    def model_changed_by(self, event) -> None:
        """Refresh every lesson after `event` (e.g. training finished and picked the new model)."""
        self.model_change_events.append(event)

    def refresh(self, fn: Callable, inputs: list, outputs: list, api_name: str | None = None,
                on_model_change: bool = True) -> None:
        """Run `fn(session, *inputs) -> outputs` on page load (and on model change)."""
        self.on_load.append(Hook(fn, inputs, outputs, api_name))
        if on_model_change:
            self.on_model_change.append(Hook(fn, inputs, outputs, None))

    def shareable(self, lesson_id: str, fields: dict, redraw: tuple | None = None, fit=None) -> None:
        """Put a lesson's key settings in shareable links (lessons.share): URL key -> control. A link
        puts its values into the controls on page load, then runs `redraw = (fn, inputs, outputs)`
        (usually the lesson's own render event) with them. `fit(values) -> {key: gr.update}` sets
        controls whose range depends on other values (see lessons.share.Shared)."""
        self.shared[lesson_id] = Shared(lesson_id, fields, redraw, fit)

    def prose(self, lesson_id: str, values: Callable | None = None) -> tuple[gr.Markdown, gr.Markdown]:
        """The lesson's lead (rendered here, above the controls) and its body (created unrendered:
        the lesson calls `body.render()` where the longer prose belongs), in the session's language.

        Placeholders such as `{{vocab_size}}` are filled from the session's model, world and server
        (lessons.text_values), plus `values(session) -> dict` for the lesson's own numbers; prose
        with placeholders is filled again when the learner picks another model."""
        text = lesson_text(lesson_id, "en", {**prose_values(None), **(values(None) if values else {})})
        lead = gr.Markdown(text.lead, elem_classes=["lesson-lead"], latex_delimiters=LATEX)
        body = gr.Markdown(text.body, elem_classes=["lesson-body"], latex_delimiters=LATEX, render=False)

        def fill(session):
            localized = prose_for(lesson_id, session, values)
            return localized.lead, localized.body

        # only prose that states something about the model needs refilling when another one is picked
        self.refresh(fill, [], [lead, body], on_model_change=bool(placeholders(lesson_id) - set(server_values())))
        return lead, body


def prose_for(lesson_id: str, session, values: Callable | None = None):
    """A lesson's prose for a session, its placeholders filled (see LessonContext.prose)."""
    lang = session.lang if session else "en"
    if not placeholders(lesson_id, lang):
        return lesson_text(lesson_id, lang)
    return lesson_text(lesson_id, lang, {**prose_values(session), **(values(session) if values else {})})


LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]
