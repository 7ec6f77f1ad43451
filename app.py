"""CLIP Lab: assemble the lessons into one Gradio app and serve it (python app.py).

Thin on purpose: the header (title, model picker, language), the tabs in order from
`lessons.LESSONS`, and launch on 127.0.0.1:7860 with analytics off.
"""

from __future__ import annotations

import argparse
import os

# before gradio is imported: no telemetry, no hub calls at start-up
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from lessons import BEYOND, BEYOND_ID, LESSONS  # noqa: E402
from lessons.common.live import head as live_head  # noqa: E402
from lessons.common.session import ASSETS, Session, ensure, with_session  # noqa: E402
from lessons.page import share as share_links  # noqa: E402
from lessons.page.accessibility import HEAD_SCRIPT  # noqa: E402
from lessons.page.context import LessonContext  # noqa: E402
from lessons.page.header import model_status, picker_update, pretrained_note  # noqa: E402
from lessons.page.language import LanguageScript  # noqa: E402
from lessons.page.strings import all_strings, tr  # noqa: E402
from lessons.page.teacher import teacher_js  # noqa: E402

LANG_JS = """() => {
  const lang = (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
  return [lang];
}"""

SWITCH_JS = """(choice) => {
  const url = new URL(window.location.href);
  url.searchParams.set("lang", choice);
  window.location.href = url.toString();
}"""


def _css() -> str:
    return (ASSETS / "style.css").read_text(encoding="utf-8")


def start_session(lang: str, session: Session | None = None, pretrained: str | None = None):
    """Page load: create this browser's session in its language."""
    session = ensure(session, "zh" if str(lang).startswith("zh") else "en")
    session.pretrained_source = pretrained_source(pretrained)
    session.model()  # the shipped checkpoint (read once per process, shared read-only)
    return session, picker_update(session, I18N), session.lang, model_status(session)


def pick_model(session: Session | None, name: str, progress=gr.Progress(track_tqdm=True)):  # noqa: B008 (gradio injects it)
    """The header's model picker. The pretrained CLIP loads on first pick (maybe a download, with
    progress); when it cannot be had, the message says what to do and the previous model stays."""
    session = ensure(session)
    if name not in session.available_models():
        raise gr.Error(f"no model named {name!r} in this session; choose one of {session.available_models()}")
    if name == "pretrained" and "pretrained" not in session.models:
        from clip_core.pretrained import PretrainedUnavailable

        source = session.pretrained_source or pretrained_source()
        progress(0, desc=tr(session.lang, "app.model.loading").format(name=source))
        try:
            session.load_pretrained(source)
        except (PretrainedUnavailable, ValueError) as error:
            gr.Warning(str(error), duration=None)
            return session, picker_update(session, I18N), model_status(session, error=str(error))
    session.model_name = name
    session.cache.clear()
    return session, picker_update(session, I18N), model_status(session)


def forget(session: Session | None) -> None:
    """A session's state is being deleted (its tab closed a while ago): stop and release everything."""
    if session is None:
        return
    session.stop_runs()
    session.cache.clear()
    session.models.clear()  # shared read-only models stay loaded for the other sessions


def pretrained_source(cli_value: str | None = None) -> str:
    from clip_core.pretrained import pretrained_source as source  # light: transformers is not imported

    return source(cli_value)


I18N = gr.I18n(**{"en": all_strings()["en"], "zh": all_strings()["zh"], "zh-CN": all_strings()["zh"]})


def build_app(pretrained: str | None = None, teacher: bool = False) -> gr.Blocks:
    """The app; `pretrained` is what the picker's pretrained CLIP loads (hub id or folder;
    default: $CLIP_LAB_PRETRAINED, else openai/clip-vit-base-patch32). `teacher`: every page opens
    in teacher mode (large type, advanced controls hidden) unless its link says ?teacher=0."""
    t = I18N
    # files the app hands to Gradio (PNG exports, model downloads, uploads) leave its cache after a day
    with gr.Blocks(title="CLIP Lab", delete_cache=(3600, 86400)) as demo:
        # gradio drops a closed tab's state after an hour; forget() then stops its training and frees its caches
        session = gr.State(None, delete_callback=forget)
        with gr.Row(elem_id="header", equal_height=True):
            gr.Markdown("# CLIP Lab", elem_id="title")
            model_picker = gr.Dropdown(choices=[(t("app.model.shipped"), "shipped"), (t("app.model.random"), "random")],
                                       value="shipped", label=t("app.model"), scale=2, elem_id="model-picker")
            language = gr.Radio([("English", "en"), ("中文", "zh")], value="en", label=t("app.language"),
                                 scale=1, elem_id="language")
            copy_link = gr.Button(t("share.copy"), size="sm", scale=0, min_width=130, elem_id="copy-link")
        link_box = gr.Textbox(label=t("share.link"), visible=False, interactive=False, buttons=["copy"],
                              elem_id="share-link")
        link_notice = gr.Markdown("", elem_id="share-notice")
        status = gr.Markdown("", elem_id="model-status")
        ctx = LessonContext(session=session, model_picker=model_picker, i18n=t)
        # "wrap": on a phone the tab bar takes two or three rows instead of hiding lessons in a "..." menu
        with gr.Tabs(elem_id="lessons", overflow_behavior="wrap") as tabs:
            for lesson in LESSONS:
                _lesson_tab(lesson, ctx)
            with gr.Tab(t(f"{BEYOND_ID}.tab"), id=BEYOND_ID, elem_id=f"tab-{BEYOND_ID}"):
                gr.Markdown(t(f"{BEYOND_ID}.lead"), elem_classes=["lesson-lead"])
                with gr.Tabs(elem_id="beyond-lessons", overflow_behavior="wrap") as beyond_tabs:
                    for lesson in BEYOND:
                        _lesson_tab(lesson, ctx)

        lang_box, query = gr.Textbox(visible=False), gr.Textbox(visible=False)
        demo.load(None, None, query, js=share_links.QUERY_JS)  # the page's own link, before anything reads it
        demo.load(None, js=teacher_js(teacher))
        loaded = demo.load(lambda lang, state: start_session(lang, state, pretrained), [lang_box, session],
                           [session, model_picker, language, status], js=LANG_JS, api_name="start_session")
        hook_events = [(hook.outputs, loaded.then(with_session(hook.fn), [session, *hook.inputs], hook.outputs,
                                                  api_name=hook.api_name,
                                                  api_visibility="public" if hook.api_name else "private"))
                       for hook in ctx.on_load]
        share_links.connect(ctx.shared, share_links.Page(
            query=query, session=session, loaded=loaded, hook_events=hook_events, tabs=tabs, beyond_tabs=beyond_tabs,
            notice=link_notice, copy_button=copy_link, link_box=link_box, language=language))
        changed = model_picker.input(pick_model, [session, model_picker], [session, model_picker, status],
                                     api_name="pick_model", show_progress_on=[status])
        for event in [changed, *ctx.model_change_events]:
            for hook in ctx.on_model_change:
                event.then(with_session(hook.fn), [session, *hook.inputs], hook.outputs, api_visibility="private")
        language.input(None, language, None, js=SWITCH_JS)
    return demo


def _lesson_tab(lesson, ctx: LessonContext) -> None:
    """One lesson's tab: the note on the picked model (hidden unless it has something to say), then the lesson."""
    with gr.Tab(ctx.i18n(f"{lesson.LESSON_ID}.tab"), id=lesson.LESSON_ID, elem_id=f"tab-{lesson.LESSON_ID}"):
        note = gr.Markdown("", visible=False, elem_classes=["pretrained-note"],
                           elem_id=f"pretrained-note-{lesson.LESSON_ID}")
        ctx.refresh(_note_for(lesson.LESSON_ID), [], [note])
        lesson.build(ctx)


def _note_for(lesson_id: str):
    def note(session):
        text = pretrained_note(session, lesson_id)
        return gr.update(value=text, visible=bool(text))

    return note


def serve(host: str = "127.0.0.1", port: int | None = 7860, share: bool = False, pretrained: str | None = None,
          teacher: bool = False, **launch_kwargs) -> gr.Blocks:
    """Build and launch the app; tests pass prevent_thread_lock=True and a free port."""
    demo = build_app(pretrained, teacher=teacher)
    demo.queue(default_concurrency_limit=4)
    from lessons.common.limits import LIMITS

    # Gradio refuses larger uploads before writing them to disk (the lessons check again, with reasons)
    max_mb = int(max(LIMITS.max_upload_mb, LIMITS.max_checkpoint_mb)) + 1
    demo.launch(server_name=host, server_port=port, share=share, i18n=I18N, css=_css(), max_file_size=f"{max_mb}mb",
                app_kwargs={"middleware": [Middleware(LanguageScript)]}, head=HEAD_SCRIPT + live_head(),
                theme=theme(), footer_links=["gradio"], **launch_kwargs)
    return demo


def theme() -> gr.themes.Base:
    """Gradio's Soft theme with text colours that reach WCAG AA contrast (4.5:1): Soft draws labels,
    the selected tab, primary buttons and selected radio choices in blue-500 (3.0-3.7:1 against
    their backgrounds) and hints and placeholders in gray-400 (2.5:1)."""
    return gr.themes.Soft(primary_hue="blue").set(
        color_accent="*primary_600",  # selected tab, focus accents: 5.2:1 on white
        block_label_text_color="*primary_700",  # on the blue-100 label chip: 5.5:1
        block_title_text_color="*primary_700",
        button_primary_background_fill="*primary_600",  # white text: 5.2:1
        button_primary_background_fill_hover="*primary_700",
        checkbox_label_background_fill_selected="*primary_600",
        body_text_color_subdued="*neutral_600",  # info lines under sliders: 7.6:1
        input_placeholder_color="*neutral_500",  # 4.8:1
    )


TRUE = ("1", "true", "yes", "on")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve CLIP Lab, an interactive lesson on CLIP.")
    # Hugging Face Spaces and the Docker image set GRADIO_SERVER_NAME=0.0.0.0; otherwise only this machine
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1",
                        help="address to bind (default $GRADIO_SERVER_NAME, else 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=os.environ.get("GRADIO_SERVER_PORT") or "7860",
                        help="port (default $GRADIO_SERVER_PORT, else 7860)")
    parser.add_argument("--share", action="store_true",
                        help="also open a public gradio.live link (needs internet; anyone with the link can use it)")
    parser.add_argument("--teacher", action="store_true",
                        default=os.environ.get("CLIP_LAB_TEACHER", "").lower() in TRUE,
                        help="teacher mode for a projector: large type, advanced controls hidden (default "
                             "$CLIP_LAB_TEACHER; one page can ask for it with ?teacher=1 or opt out with ?teacher=0)")
    parser.add_argument("--pretrained", metavar="PATH_OR_ID",
                        help="the pretrained CLIP the model picker offers: a local folder (python -m "
                             "clip_core.pretrained --save FOLDER writes one) or a hub id; default "
                             "$CLIP_LAB_PRETRAINED, else openai/clip-vit-base-patch32 (downloaded on first pick)")
    args = parser.parse_args(argv)
    if args.share:
        print("Warning: --share publishes this app at a public gradio.live address: anyone with the link can use it "
              "and run training on this machine. Leave it off for a classroom on one network (use --host instead).")
    serve(args.host, args.port, args.share, pretrained=args.pretrained, teacher=args.teacher)


if __name__ == "__main__":
    main()
