"""Predict-then-reveal checkpoints inside the lessons: a question, three or four answers to pick
from, and a Reveal button whose answer the app computes live with the session's model.

A lesson declares its question in its own quiz.py, `Question(id, choices, measure, strings)`, and
places it with `quiz.checkpoint(ctx, question, [controls the measurement reads])`. Which answer is
right is decided by the measured numbers themselves (the closest prediction wins), never by a
stored letter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

STRINGS = {
    "en": {
        "quiz.your_prediction": "Your prediction (pick one, then reveal)",
        "quiz.reveal": "Reveal the answer",
        "quiz.pick_first": "Pick a prediction first: the point is to commit before you see the numbers.",
        "quiz.bad_choice": "{choice!s} is not one of the answers ({choices}).",
        "quiz.right": "✓ **Right.** What the app measured supports {answer}.",
        "quiz.wrong": "✗ **Not this time.** What the app measured supports {answer}.",
        "quiz.none_fits": "none of the answers exactly",
    },
    "zh": {
        "quiz.your_prediction": "你的预测（先选一个，再揭晓）",
        "quiz.reveal": "揭晓答案",
        "quiz.pick_first": "请先选一个预测：关键是在看到数字之前先下判断。",
        "quiz.bad_choice": "{choice!s} 不是可选答案（{choices}）。",
        "quiz.right": "✓ **答对了。** 应用刚才测得的结果支持 {answer}。",
        "quiz.wrong": "✗ **这次没猜中。** 应用刚才测得的结果支持 {answer}。",
        "quiz.none_fits": "没有一个选项完全符合",
    },
}


@dataclass
class Measured:
    """What a reveal found: the choice(s) the numbers support, and those numbers as a sentence."""

    right: tuple[str, ...]
    numbers: str


@dataclass
class Question:
    """A lesson's question: its id (the keys of its strings, quiz.<id>.*), the answers to pick from,
    `measure(session, *values) -> Measured` and the question's strings (STRINGS-shaped)."""

    quiz_id: str
    choices: tuple[str, ...]
    measure: Callable
    strings: dict[str, dict[str, str]]


def strings(question_strings: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    """The checkpoint's own words and a question's, keys without the "quiz." prefix."""
    table = {**STRINGS.get(lang, STRINGS["en"]), **question_strings.get(lang, question_strings["en"])}
    return {key.split(".", 1)[1]: value for key, value in table.items()}


def reveal(question: Question, session, choice, *values) -> str:
    """The answer: was the learner's prediction right, and the numbers the app just measured."""
    quiz_id, choices = question.quiz_id, question.choices
    s = strings(question.strings, session.lang)
    if choice in (None, ""):
        return s["pick_first"]
    if choice not in choices:
        raise gr.Error(s["bad_choice"].format(choice=str(choice)[:40], choices=", ".join(choices)))
    measured = question.measure(session, *values)
    names = " / ".join(f"**{s[f'{quiz_id}.{key}']}**" for key in measured.right) or s["none_fits"]
    verdict = s["right" if choice in measured.right else "wrong"].format(answer=names)
    return f"{verdict}  \n{measured.numbers}  \n{s[f'{quiz_id}.why']}"


def checkpoint(ctx, question: Question, inputs: list) -> None:
    """A predict-then-reveal box here in the lesson; `inputs` are the controls its measurement reads."""
    t = ctx.i18n
    quiz_id, choices = question.quiz_id, question.choices
    with gr.Group(elem_classes=["quiz"], elem_id=f"quiz-{quiz_id}"):
        gr.Markdown(t(f"quiz.{quiz_id}.question"), elem_classes=["quiz-question"])
        choice = gr.Radio([(t(f"quiz.{quiz_id}.{key}"), key) for key in choices], value=None,
                          label=t("quiz.your_prediction"), elem_id=f"quiz-{quiz_id}-choice")
        button = gr.Button(t("quiz.reveal"), size="sm", variant="secondary", elem_id=f"quiz-{quiz_id}-reveal")
        answer = gr.Markdown(elem_id=f"quiz-{quiz_id}-answer", elem_classes=["quiz-answer"])

    def handler(session, picked, *values):
        return session, reveal(question, session, picked, *values)

    ctx.on(button.click, handler, [choice, *inputs], [ctx.session, answer], api_name=f"quiz_{quiz_id}")
