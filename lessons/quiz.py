"""Predict-then-reveal checkpoints inside the lessons: a question, three or four answers to pick
from, and a Reveal button whose answer the app computes live with the session's model.

A lesson adds one with `quiz.checkpoint(ctx, "cold_softmax", [n, seed, row, log_scale])`: the
inputs are the lesson's controls the computation reads. Which answer is right is decided by the
measured numbers themselves (the closest prediction wins), never by a stored letter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr
import numpy as np

from .quiz_strings import STRINGS
from .session import ensure
from .ui import check_number

WARM_SCALE, COLD_SCALE = 1.0, 1000.0  # tau = 1, and "tau -> 0": exp(t) = 1000, tau = 0.001
HELD_OUT_IMAGES_PER_PAIR = 6  # test images per colour-shape pair measured by the held-out question


@dataclass
class Measured:
    """What a reveal found: the choice(s) the numbers support, and those numbers as a sentence."""

    right: tuple[str, ...]
    numbers: str


def _s(lang: str) -> dict[str, str]:
    table = STRINGS.get(lang, STRINGS["en"])
    return {key.split(".", 1)[1]: value for key, value in table.items()}


# ----- the questions -----------------------------------------------------------------------------


def double_n(session, n) -> Measured:
    """Negatives lesson: the random model's loss on a real batch of n pairs and of 2n, against ln n."""
    from .negatives import N_MAX, N_MIN, random_model_loss

    s = _s(session.lang)
    n = check_number(n, N_MIN, N_MAX, "n", session.lang, integer=True)
    n = min(n, N_MAX // 2)  # 2n must be a batch the lesson can measure
    small, large = random_model_loss(session, n), random_model_loss(session, 2 * n)
    predictions = {"doubles": 2 * small, "plus_ln2": small + math.log(2), "same": small, "halves": small / 2}
    right = min(predictions, key=lambda k: abs(predictions[k] - large))
    numbers = s["double_n.numbers"].format(n=n, n2=2 * n, small=small, large=large, diff=large - small,
                                           ln2=math.log(2), ln_n=math.log(n), ln_2n=math.log(2 * n))
    return Measured((right,), numbers)


def cold_softmax(session, n, seed, row, log_scale) -> Measured:
    """Temperature lesson: this row's softmax at the slider's scale and at exp(t) = 1000 (tau = 0.001)."""
    from .temperature import _check, prepare_row, row_statistics

    s = _s(session.lang)
    n, seed, row, log_scale = _check(session, n, seed, row, log_scale)
    data = prepare_row(session, n, seed, row)
    scale = float(10.0**log_scale)
    stats = row_statistics(data.cosines, row, np.array([WARM_SCALE, scale, COLD_SCALE]))
    warm, now, cold = stats.probs  # [n] each
    top = int(np.argmax(data.cosines))
    right = []
    if cold[top] > 0.99:
        right.append("to_top")
        if top == row:
            right.append("to_correct")  # here the highest cosine is the correct caption: both come true
    if np.abs(cold - 1 / n).max() < 0.01:
        right.append("uniform")
    if np.abs(cold - warm).max() < 0.01:
        right.append("unchanged")
    numbers = s["cold_softmax.numbers"].format(warm=WARM_SCALE, p_top_warm=warm[top], h_warm=stats.entropy[0],
                                               scale=scale, tau=1 / scale, p_top_now=now[top], h_now=stats.entropy[1],
                                               cold=COLD_SCALE, cold_tau=1 / COLD_SCALE, p_top_cold=cold[top],
                                               h_cold=stats.entropy[2], top=top, row=row, n=n,
                                               p_row_warm=warm[row], p_row_cold=cold[row])
    numbers += "  \n" + s["cold_softmax.same_top" if top == row else "cold_softmax.wrong_top"].format(top=top, row=row)
    return Measured(tuple(right), numbers)


def held_out(session, templates_text) -> Measured:
    """Zero-shot lesson: accuracy on the held-out colour-shape pairs against the seen ones and chance."""
    from clip_core.zeroshot import evaluate_templates

    from .zeroshot import _measured_inputs, _model_label, class_preset

    s = _s(session.lang)
    classnames, templates, model, images, embeddings, labels, held = _measured_inputs(
        session, class_preset("colour_shape"), templates_text, HELD_OUT_IMAGES_PER_PAIR)
    rows = evaluate_templates(model, model.tokenizer, images, labels, classnames, templates,
                              groups={"seen": ~held, "held_out": held}, image_embeddings=embeddings)
    result = rows[-2] if len(rows) > len(templates) else rows[0]  # the paper's ensemble, or the one template
    chance = 1 / len(classnames)
    seen, held_acc = result["seen"], result["held_out"]
    if held_acc < 2 * chance:
        right = "chance"
    elif held_acc >= seen - 0.05:
        right = "like_seen"
    else:
        right = "between"
    numbers = s["held_out.numbers"].format(model=_model_label(session), held=100 * held_acc, seen=100 * seen,
                                           chance=100 * chance, c=len(classnames), t=len(templates),
                                           n_held=int(held.sum()), n_seen=int((~held).sum()))
    return Measured((right,), numbers)


QUIZZES: dict[str, tuple[tuple[str, ...], Callable]] = {
    "double_n": (("doubles", "plus_ln2", "same", "halves"), double_n),
    "cold_softmax": (("uniform", "to_top", "to_correct", "unchanged"), cold_softmax),
    "held_out": (("chance", "between", "like_seen"), held_out),
}


# ----- the reveal and the component --------------------------------------------------------------


def reveal(quiz_id: str, session, choice, *values) -> str:
    """The answer: was the learner's prediction right, and the numbers the app just measured."""
    choices, measure = QUIZZES[quiz_id]
    s = _s(session.lang)
    if choice in (None, ""):
        return s["pick_first"]
    if choice not in choices:
        raise gr.Error(s["bad_choice"].format(choice=str(choice)[:40], choices=", ".join(choices)))
    measured = measure(session, *values)
    names = " / ".join(f"**{s[f'{quiz_id}.{key}']}**" for key in measured.right) or s["none_fits"]
    verdict = s["right" if choice in measured.right else "wrong"].format(answer=names)
    return f"{verdict}  \n{measured.numbers}  \n{s[f'{quiz_id}.why']}"


def checkpoint(ctx, quiz_id: str, inputs: list) -> None:
    """A predict-then-reveal box here in the lesson; `inputs` are the controls its measurement reads."""
    t = ctx.i18n
    choices, _ = QUIZZES[quiz_id]
    with gr.Group(elem_classes=["quiz"], elem_id=f"quiz-{quiz_id}"):
        gr.Markdown(t(f"quiz.{quiz_id}.question"), elem_classes=["quiz-question"])
        choice = gr.Radio([(t(f"quiz.{quiz_id}.{key}"), key) for key in choices], value=None,
                          label=t("quiz.your_prediction"), elem_id=f"quiz-{quiz_id}-choice")
        button = gr.Button(t("quiz.reveal"), size="sm", variant="secondary", elem_id=f"quiz-{quiz_id}-reveal")
        answer = gr.Markdown(elem_id=f"quiz-{quiz_id}-answer", elem_classes=["quiz-answer"])

    def handler(session, picked, *values):
        session = ensure(session)
        return session, reveal(quiz_id, session, picked, *values)

    button.click(handler, [ctx.session, choice, *inputs], [ctx.session, answer], api_name=f"quiz_{quiz_id}")
