"""Shareable links: the open lesson and its key settings live in the page's query string.

A lesson declares its key settings in one line, `ctx.shareable(LESSON_ID, {"n": n, ...}, redraw=...)`.
A link reads `?lesson=temperature&n=16&log_scale=1.5` (plus `lang=` and `teacher=1`). Opening it
selects the tab, puts each value into its control and redraws the lesson with them; every value is
checked against its control (range, whole number, choices, length), and what cannot be used is
named in a message and left at its default. "Copy link" writes the current lesson's settings.
"""

from __future__ import annotations

import math
import urllib.parse
from dataclasses import dataclass, field

import gradio as gr

from lessons.common.session import with_session

MAX_QUERY_CHARS = 8_000  # longer links are refused whole (browsers and servers cut them anyway)
MAX_TEXT_CHARS = 2_000  # a text field in a link (class names, templates)
RESERVED = ("lesson", "lang", "teacher")  # keys every link may carry, whatever the lesson

STRINGS = {
    "en": {
        "share.copy": "Copy link",
        "share.link": "Link to this view (lesson and its settings)",
        "share.ignored": "**Some of this link's settings were ignored:** {problems}",
        "share.unknown_lesson": "there is no lesson `{value}`",
        "share.unknown_key": "`{key}` is not a setting of this lesson",
        "share.bad_value": "`{key}={value}`: {reason}",
        "share.too_long": "the link is longer than {max} characters",
        "share.not_number": "not a number",
        "share.out_of_range": "must be from {lo} to {hi}",
        "share.not_whole": "must be a whole number",
        "share.not_choice": "must be one of {choices}",
        "share.not_bool": "must be 1 or 0",
        "share.too_much_text": "longer than {max} characters",
        "share.not_redrawn": "the lesson could not use these settings ({error})",
    },
    "zh": {
        "share.copy": "复制链接",
        "share.link": "当前视图的链接（课程及其设置）",
        "share.ignored": "**这个链接里有些设置没有采用：** {problems}",
        "share.unknown_lesson": "没有名为 `{value}` 的课程",
        "share.unknown_key": "`{key}` 不是这一课的设置",
        "share.bad_value": "`{key}={value}`：{reason}",
        "share.too_long": "链接超过 {max} 个字符",
        "share.not_number": "不是数字",
        "share.out_of_range": "必须在 {lo} 到 {hi} 之间",
        "share.not_whole": "必须是整数",
        "share.not_choice": "必须是 {choices} 之一",
        "share.not_bool": "必须是 1 或 0",
        "share.too_much_text": "超过 {max} 个字符",
        "share.not_redrawn": "这一课无法使用这些设置（{error}）",
    },
}


def _s(lang: str, key: str) -> str:
    return STRINGS.get(lang, STRINGS["en"])[key]


@dataclass
class Shared:
    """One lesson's shareable settings: URL key -> control, and how to redraw the lesson with them."""

    lesson_id: str
    fields: dict  # key -> gradio component
    redraw: tuple | None = None  # (fn, inputs, outputs) run with the link's values in place of the controls'
    # values (key -> value, the link's over the controls') -> {key: gr.update} replacing that control's
    # plain value update, for controls whose range depends on another (a row slider bounded by n)
    fit: object = None


@dataclass
class Link:
    """A parsed query string: the lesson it opens, its checked values, what was wrong with it."""

    lesson: str | None = None
    values: dict = field(default_factory=dict)  # key -> value as the control holds it
    problems: list[str] = field(default_factory=list)  # localized, one per ignored part
    teacher: bool = False


class InvalidValue(ValueError):
    """A link's value that its control cannot hold; `reason` is a share.* string key and its fields."""

    def __init__(self, reason: str, **fields):
        super().__init__(reason)
        self.reason, self.fields = reason, fields


def _choice_values(component) -> list:
    return [choice[1] if isinstance(choice, (tuple, list)) else choice for choice in component.choices]


def _is_whole(component) -> bool:
    if isinstance(component, gr.Number):
        return component.precision == 0
    return float(component.step).is_integer() and float(component.minimum).is_integer()


def parse_value(component, text: str):
    """The value `text` (from a link) stands for in `component`, or InvalidValue saying why not."""
    text = text.strip()
    if isinstance(component, gr.Checkbox):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise InvalidValue("share.not_bool")
    if isinstance(component, (gr.CheckboxGroup, gr.Radio, gr.Dropdown)):
        allowed = {str(value): value for value in _choice_values(component)}
        items = [item.strip() for item in text.split(",")] if isinstance(component, gr.CheckboxGroup) else [text]
        if not all(item in allowed for item in items):
            raise InvalidValue("share.not_choice", choices=", ".join(allowed))
        picked = [allowed[item] for item in dict.fromkeys(items)]
        return picked if isinstance(component, gr.CheckboxGroup) else picked[0]
    if isinstance(component, (gr.Slider, gr.Number)):
        try:
            number = float(text)
        except ValueError:
            raise InvalidValue("share.not_number") from None
        lo = -math.inf if component.minimum is None else component.minimum
        hi = math.inf if component.maximum is None else component.maximum
        if not math.isfinite(number) or not lo <= number <= hi:
            raise InvalidValue("share.out_of_range", lo=f"{lo:g}", hi=f"{hi:g}")
        if _is_whole(component):
            if not number.is_integer():
                raise InvalidValue("share.not_whole")
            return int(number)
        return number
    if isinstance(component, gr.Textbox):
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidValue("share.too_much_text", max=MAX_TEXT_CHARS)
        return text
    raise TypeError(f"a {type(component).__name__} cannot be shared in a link")


def format_value(component, value) -> str:
    """A control's value as it is written in a link (parse_value reads it back)."""
    if isinstance(component, gr.Checkbox):
        return "1" if value else "0"
    if isinstance(component, gr.CheckboxGroup):
        return ",".join(str(item) for item in value or [])
    if isinstance(component, (gr.Slider, gr.Number)) and value is not None:
        number = float(value)
        return str(int(number)) if _is_whole(component) and number.is_integer() else f"{number:.6g}"
    return "" if value is None else str(value)


def _shown(value: str) -> str:
    """A value from a link, safe to show inside `code` in a message."""
    value = value.replace("`", "'").replace("\n", " ")
    return value if len(value) <= 40 else value[:40] + "…"


def parse_link(query: str, shared: dict[str, Shared], lesson_ids: list[str], lang: str = "en") -> Link:
    """Read a query string ("?lesson=...&key=value"): the lesson to open and its checked values.

    Args:
        shared: lesson id -> its Shared settings.
        lesson_ids: every lesson a link may open (tabs without shared settings included).
    """
    link = Link()
    query = (query or "").lstrip("?")
    if len(query) > MAX_QUERY_CHARS:
        link.problems.append(_s(lang, "share.too_long").format(max=MAX_QUERY_CHARS))
        return link
    pairs = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))  # the last of a repeated key wins
    link.teacher = pairs.get("teacher", "") in ("1", "true", "yes", "on")
    lesson = pairs.get("lesson")
    if lesson is None:
        return link
    if lesson not in lesson_ids:
        link.problems.append(_s(lang, "share.unknown_lesson").format(value=_shown(lesson)))
        return link
    link.lesson = lesson
    fields = shared[lesson].fields if lesson in shared else {}
    for key, text in pairs.items():
        if key in RESERVED:
            continue
        if key not in fields:
            link.problems.append(_s(lang, "share.unknown_key").format(key=_shown(key)))
            continue
        try:
            link.values[key] = parse_value(fields[key], text)
        except InvalidValue as error:
            reason = _s(lang, error.reason).format(**error.fields)
            link.problems.append(_s(lang, "share.bad_value").format(key=key, value=_shown(text), reason=reason))
    return link


def link_query(lesson: str, shared: dict[str, Shared], values: dict, lang: str | None = None,
               teacher: bool = False) -> str:
    """The query string of a link to `lesson` with its settings `values` (key -> control value)."""
    pairs = [("lesson", lesson)]
    fields = shared[lesson].fields if lesson in shared else {}
    pairs += [(key, format_value(component, values[key])) for key, component in fields.items() if key in values]
    if lang in ("en", "zh"):
        pairs.append(("lang", lang))
    if teacher:
        pairs.append(("teacher", "1"))
    return "?" + urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote, safe=",{}")


def restorer(entry: Shared, shared: dict[str, Shared], lesson_ids: list[str]):
    """The page-load handler that puts a link's values into `entry`'s controls and redraws its
    lesson: `fn(query, *redraw_inputs) -> (*control updates, *redraw outputs)`; skips everything
    when the link is for another lesson or has no usable value for this one."""
    components = list(entry.fields.values())
    fn, inputs, outputs = entry.redraw or (None, [], [])
    key_of = {id(component): key for key, component in entry.fields.items()}

    def restore(query, *current):
        link = parse_link(query, shared, lesson_ids)
        nothing = tuple(gr.skip() for _ in range(len(components) + len(outputs)))
        if link.lesson != entry.lesson_id or not link.values:
            return nothing
        updates = tuple(gr.update(value=link.values[key]) if key in link.values else gr.skip()
                        for key in entry.fields)
        if fn is None:
            return updates
        args = [link.values.get(key_of.get(id(component)), value) if id(component) in key_of else value
                for component, value in zip(inputs, current, strict=True)]
        try:
            result = with_session(fn)(*args)
        except gr.Error as error:  # values each fine alone but not together (e.g. a row beyond n)
            session = args[0] if args else None
            lang = getattr(session, "lang", "en")
            gr.Warning(_s(lang, "share.not_redrawn").format(error=error.message))
            return nothing
        if entry.fit is not None:
            values = {key_of[id(component)]: value for component, value in zip(inputs, args, strict=True)
                      if id(component) in key_of}
            fitted = entry.fit(values)
            updates = tuple(fitted.get(key, update) for key, update in zip(entry.fields, updates, strict=True))
        return (*updates, *(result if isinstance(result, tuple) else (result,)))

    return restore, inputs, [*components, *outputs]


# ----- the page: open a link on load, copy the current view's link ---------------------------------

QUERY_JS = "() => [window.location.search]"


# which lesson is on screen: the outer tab, or inside "Beyond the basics" the inner one
CURRENT_LESSON_JS = """(lesson, teacher, ...rest) => {
  const on = (id) => {
    const button = document.getElementById("tab-" + id + "-button");
    return !!button && button.getAttribute("aria-selected") === "true";
  };
  let picked = %s.find(on) || %s;
  if (picked === %s) picked = %s.find(on) || picked;
  return [picked, document.documentElement.classList.contains("teacher"), ...rest];
}"""

COPY_JS = """(query) => {
  if (!query || !query.startsWith("?")) return query;
  const url = window.location.origin + window.location.pathname + query;
  try { window.history.replaceState(null, "", url); } catch (e) {}
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).catch(() => {});
  return url;
}"""


def open_link_handler(shared: dict[str, Shared], top_ids: list[str], beyond_id: str, beyond_ids: list[str]):
    """`fn(session, query) -> (outer tabs, inner tabs, notice)`: select the link's lesson, name what was ignored."""
    lesson_ids = [*top_ids, beyond_id, *beyond_ids]

    def open_link(session, query):
        lang = getattr(session, "lang", "en")
        link = parse_link(query, shared, lesson_ids, lang)
        notice = ""
        if link.problems:
            notice = _s(lang, "share.ignored").format(problems="; ".join(link.problems))
            gr.Warning(notice.replace("**", ""))
        if link.lesson is None:
            return gr.skip(), gr.skip(), notice
        if link.lesson in beyond_ids:
            return gr.update(selected=beyond_id), gr.update(selected=link.lesson), notice
        return gr.update(selected=link.lesson), gr.skip(), notice

    return open_link


def share_link_handler(shared: dict[str, Shared], lesson_ids: list[str]):
    """`fn(lesson, teacher, lang, *values of every shared control) -> link box update`. Values a
    control could not hold (API callers can send anything) are left out of the link."""
    order = [(entry.lesson_id, key, component) for entry in shared.values() for key, component in entry.fields.items()]

    def share_link(lesson, teacher, lang, *values):
        if lesson not in lesson_ids:
            raise gr.Error(f"no lesson named {lesson!r}; one of {lesson_ids}")
        kept = {}
        for (owner, key, component), value in zip(order, values, strict=True):
            if owner != lesson:
                continue
            try:
                kept[key] = parse_value(component, format_value(component, value))
            except (InvalidValue, TypeError, ValueError):
                continue
        query = link_query(lesson, shared, kept, lang if lang in ("en", "zh") else None, bool(teacher))
        return gr.update(value=query, visible=True)

    return share_link, [component for _, _, component in order]


@dataclass
class Page:
    """The parts of the page links read and write."""

    query: gr.Textbox  # the page's own ?query, filled on load
    session: gr.State
    loaded: object  # the page-load event that starts the session
    hook_events: list  # (outputs, event) of every lesson's page-load hook, in order
    tabs: gr.Tabs
    beyond_tabs: gr.Tabs
    notice: gr.Markdown  # what a link's ignored values were
    copy_button: gr.Button
    link_box: gr.Textbox
    language: gr.Radio


def connect(shared: dict[str, Shared], page: Page) -> None:
    """Wire links into the page: after page load select the link's tab and restore each lesson's
    settings (after that lesson's own load hooks, which would otherwise overwrite them); "copy link"
    writes the current view's link into `link_box`, the address bar and the clipboard.

    The lessons' ids come from the registry (lessons.LESSONS, lessons.BEYOND).
    """
    import json

    from lessons import BEYOND, BEYOND_ID, LESSONS

    top_ids, beyond_id, beyond_ids = [lesson.LESSON_ID for lesson in LESSONS], BEYOND_ID, [
        lesson.LESSON_ID for lesson in BEYOND]
    lesson_ids = [*top_ids, beyond_id, *beyond_ids]
    page.loaded.then(open_link_handler(shared, top_ids, beyond_id, beyond_ids), [page.session, page.query],
                     [page.tabs, page.beyond_tabs, page.notice], api_name="open_link", show_progress="hidden")
    for entry in shared.values():
        fn, inputs, outputs = restorer(entry, shared, lesson_ids)
        written = {id(component) for component in outputs}
        after = [event for hook_outputs, event in page.hook_events if written & {id(c) for c in hook_outputs}]
        # after the last load hook that writes these controls or views: theirs first, the link's last
        (after[-1] if after else page.loaded).then(fn, [page.query, *inputs], outputs,
                                                   api_name=f"{entry.lesson_id}_restore", show_progress="hidden")

    build, components = share_link_handler(shared, lesson_ids)
    lesson_box, teacher_box = gr.Textbox(visible=False), gr.Checkbox(visible=False)
    pick = CURRENT_LESSON_JS % (json.dumps([*top_ids, beyond_id]), json.dumps(top_ids[0]), json.dumps(beyond_id),
                                json.dumps(beyond_ids))
    page.copy_button.click(build, [lesson_box, teacher_box, page.language, *components], page.link_box, js=pick,
                           api_name="share_link", queue=False).then(None, page.link_box, page.link_box, js=COPY_JS)
