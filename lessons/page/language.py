"""The interface language: from ?lang=, else the learner's last choice, else the browser.

Gradio's front end reads navigator.language once, while it starts, so the script that sets it must
run before Gradio's own module: the LanguageScript middleware puts it at the top of the page's <head>.
"""

from __future__ import annotations

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


class LanguageScript:
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
