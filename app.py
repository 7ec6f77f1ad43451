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

from lessons import LESSONS, LessonContext, all_strings, picker_update  # noqa: E402
from lessons.session import Session, ensure  # noqa: E402

ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets")

# The interface language comes from ?lang=, else the learner's last choice, else the browser.
# Gradio's front end reads navigator.language once, while it starts, so this script must run
# before Gradio's own module: _LanguageScript puts it at the top of the page's <head>.
LANGUAGE_SCRIPT = b"""<script>
(function () {
  var q = new URLSearchParams(window.location.search).get("lang");
  if (q === "en" || q === "zh") { try { localStorage.setItem("clip-lab-lang", q); } catch (e) {} }
  var saved = null; try { saved = localStorage.getItem("clip-lab-lang"); } catch (e) {}
  var lang = q || saved;
  if (!lang) return;
  var tag = lang === "zh" ? "zh-CN" : "en";
  Object.defineProperty(navigator, "language", { get: function () { return tag; } });
  Object.defineProperty(navigator, "languages", { get: function () { return [tag]; } });
})();
</script>"""


class _LanguageScript:
    """ASGI middleware: insert LANGUAGE_SCRIPT at the start of <head> of the app's page."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") != "/":
            return await self.app(scope, receive, send)
        start: dict = {}
        chunks: list[bytes] = []

        async def rewrite(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            if any(k.lower() == b"content-type" and b"text/html" in v for k, v in headers):
                body = body.replace(b"<head>", b"<head>" + LANGUAGE_SCRIPT, 1)
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


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
    with open(os.path.join(ASSETS, "style.css"), encoding="utf-8") as f:
        return f.read()


def start_session(lang: str, session: Session | None = None):
    """Page load: create this browser's session in its language."""
    session = ensure(session, "zh" if str(lang).startswith("zh") else "en")
    session.model()  # load the shipped checkpoint once for this session
    return session, picker_update(session, I18N), session.lang


def pick_model(session: Session | None, name: str):
    session = ensure(session)
    if name not in session.available_models():
        raise gr.Error(f"no model named {name!r} in this session; choose one of {session.available_models()}")
    session.model_name = name
    return session


I18N = gr.I18n(**{"en": all_strings()["en"], "zh": all_strings()["zh"], "zh-CN": all_strings()["zh"]})


def build_app() -> gr.Blocks:
    t = I18N
    with gr.Blocks(title="CLIP Lab") as demo:
        session = gr.State(None)
        with gr.Row(elem_id="header", equal_height=True):
            gr.Markdown("# CLIP Lab", elem_id="title")
            model_picker = gr.Dropdown(choices=[(t("app.model.shipped"), "shipped"), (t("app.model.random"), "random")],
                                       value="shipped", label=t("app.model"), scale=2, elem_id="model-picker")
            language = gr.Radio([("English", "en"), ("中文", "zh")], value="en", label=t("app.language"),
                                 scale=1, elem_id="language")
        ctx = LessonContext(session=session, model_picker=model_picker, i18n=t)
        with gr.Tabs(elem_id="lessons"):
            for lesson in LESSONS:
                with gr.Tab(t(f"{lesson.LESSON_ID}.tab"), id=lesson.LESSON_ID, elem_id=f"tab-{lesson.LESSON_ID}"):
                    lesson.build(ctx)

        lang_box = gr.Textbox(visible=False)
        loaded = demo.load(start_session, [lang_box, session], [session, model_picker, language], js=LANG_JS,
                           api_name="start_session")
        for hook in ctx.on_load:
            loaded.then(_session_first(hook.fn), [session, *hook.inputs], hook.outputs,
                        api_name=hook.api_name, api_visibility="public" if hook.api_name else "private")
        changed = model_picker.input(pick_model, [session, model_picker], [session], api_name="pick_model")
        for event in [changed, *ctx.model_change_events]:
            for hook in ctx.on_model_change:
                event.then(_session_first(hook.fn), [session, *hook.inputs], hook.outputs, api_visibility="private")
        language.input(None, language, None, js=SWITCH_JS)
    return demo


def _session_first(fn):
    def handler(session, *values):
        return fn(ensure(session), *values)

    return handler


def serve(host: str = "127.0.0.1", port: int | None = 7860, share: bool = False, **launch_kwargs) -> gr.Blocks:
    """Build and launch the app; tests pass prevent_thread_lock=True and a free port."""
    demo = build_app()
    demo.queue(default_concurrency_limit=4)
    demo.launch(server_name=host, server_port=port, share=share, i18n=I18N, css=_css(),
                app_kwargs={"middleware": [Middleware(_LanguageScript)]},
                theme=gr.themes.Soft(primary_hue="blue"), footer_links=["gradio"], **launch_kwargs)
    return demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve CLIP Lab, an interactive lesson on CLIP.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--share", action="store_true", help="also open a public gradio.live link (needs internet)")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.share)


if __name__ == "__main__":
    main()
