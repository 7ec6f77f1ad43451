"""One Chinese term per concept, in every Chinese UI string and every Chinese lesson text.

A learner who meets 词元 in one tab and 记号 or token in the next cannot tell whether they are the
same thing. Each rule names the term to use and the variants that must not appear. Code spans,
LaTeX and format fields ({tokens}) are left out of the check: they are not prose.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest  # noqa: E402

import lessons  # noqa: E402
from lessons import ALL_LESSONS  # noqa: E402
from lessons.common.prose import lesson_folder  # noqa: E402
from lessons.page.strings import all_strings  # noqa: E402

ZH_FILES = {f"{lesson.LESSON_ID}.md": lesson_folder(lesson.LESSON_ID) / "zh.md" for lesson in ALL_LESSONS}

# concept: (the term to use, a pattern of the variants that must not appear)
TERMS = {
    "nat": ("奈特", re.compile(r"\bnats?\b", re.IGNORECASE)),
    "token": ("词元", re.compile(r"记号|\btokens?\b", re.IGNORECASE)),
    "false negative": ("假负样本", re.compile(r"假负例|假阴性|伪负")),
    "held-out pair": ("留出组合", re.compile(r"未见组合|未见过的组合|保留组合")),
    "caption": ("描述", re.compile(r"说明文字|图注文字|标题文字")),
    "header": ("页首", re.compile(r"页头|页眉|页面顶部|页面上方")),
    "heatmap": ("热力图", re.compile(r"(?<!力)热图")),
    "app name": ("CLIP 实验室", re.compile(r"CLIP\s*Lab", re.IGNORECASE)),
    "PCA map": ("散点图", re.compile(r"地图")),
}
NOT_PROSE = re.compile(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|\{[\w.:!,+\-]*\}|<[^>\n]*>", re.DOTALL)
# lessons whose quotes are known to be stale (strict xfail, so the mark must go once they are clean); none now
STALE_QUOTES: set[str] = set()


def _zh_tables() -> dict[str, str]:
    """Every Chinese UI string: the lessons' STRINGS and any other module-level {"zh": ...} table."""
    texts = {f"string {key}": value for key, value in all_strings()["zh"].items()}
    for info in pkgutil.walk_packages(lessons.__path__, "lessons."):
        module = importlib.import_module(info.name)
        short = info.name.rsplit(".", 1)[-1]
        for name, value in vars(module).items():
            if not (isinstance(value, dict) and "zh" in value and "en" in value):
                continue
            zh = value["zh"]
            if isinstance(zh, str):
                texts[f"{short}.{name}"] = zh
            elif isinstance(zh, dict):
                texts.update({f"{short}.{name}[{key}]": text for key, text in zh.items() if isinstance(text, str)})
    return texts


def _zh_prose() -> dict[str, str]:
    return {f"zh/{name}": path.read_text(encoding="utf-8") for name, path in sorted(ZH_FILES.items())}


@pytest.fixture(scope="module")
def zh_texts() -> dict[str, str]:
    return {where: NOT_PROSE.sub(" ", text) for where, text in {**_zh_tables(), **_zh_prose()}.items()}


@pytest.mark.parametrize("concept", list(TERMS))
def test_one_chinese_term_per_concept(zh_texts, concept):
    term, variants = TERMS[concept]
    wrong = {where: variants.findall(text) for where, text in zh_texts.items() if variants.search(text)}
    assert not wrong, f"{concept}: write {term}, not {wrong}"
    assert any(term in text for text in zh_texts.values()), f"{concept}: {term} is used nowhere"


def test_the_check_sees_all_tables_and_texts(zh_texts):
    """Strings outside the lessons' STRINGS (limits, images, the diagram) are checked too."""
    assert any(where.startswith("limits.") for where in zh_texts)
    assert any(where.startswith("diagram.") for where in zh_texts)
    assert sum(where.startswith("zh/") for where in zh_texts) >= 15


def test_not_prose_keeps_prose():
    cleaned = NOT_PROSE.sub(" ", "未知词元 `<unk>` 和 {tokens} 与 $\\text{nats}$ 之外，记号仍会被发现")
    assert "记号" in cleaned and "nats" not in cleaned and "tokens" not in cleaned


ZH_PROSE_FILES = [pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason="rewritten with the toy world")]
                               if name in STALE_QUOTES else [])
                  for name in sorted(ZH_FILES)]


@pytest.mark.parametrize("name", ZH_PROSE_FILES)
def test_chinese_prose_uses_chinese_punctuation(name):
    """Chinese quotation marks “” instead of ASCII quotes, and …… rather than a lone …, outside code and maths."""
    text = NOT_PROSE.sub(" ", ZH_FILES[name].read_text(encoding="utf-8"))
    assert '"' not in text, f"zh/{name}: use “” around quotations"
    assert not re.search(r"(?<!…)…(?!…)", text), f"zh/{name}: write ……"


def test_chinese_strings_use_a_full_ellipsis():
    lone = {where: text for where, text in _zh_tables().items() if re.search(r"(?<!…)…(?!…)", NOT_PROSE.sub(" ", text))}
    assert not lone, f"write …… in Chinese: {lone}"
