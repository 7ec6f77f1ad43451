"""The header: /start_session (language) and /pick_model act on one browser session only.

gradio keeps a gr.State per client session hash, so two gradio_client.Client objects are two
learners: what one picks must not leak into the other. The pure handlers are tested too, with a
Session object, since the API does not expose the state itself.
"""

from __future__ import annotations

import gradio as gr
import numpy as np
import pytest
from api_data import decode, plotly_json
from helpers import number_after

import app
from lessons import logits, temperature
from lessons.common.session import Session


def logits_z(client, n=6, seed=2) -> tuple[np.ndarray, str]:
    figure, _, summary, _ = client.predict(n, seed, -1.0, False, "logits", False, False, api_name="/logits_render")
    (trace,) = [t for t in plotly_json(figure)["data"] if t["type"] == "heatmap"]
    return decode(trace["z"]), summary


def expected_logits(reference, model, n=6, seed=2) -> np.ndarray:
    I_e, T_e = reference.embed(reference.batch(n, seed), model=model)
    return (I_e @ T_e.T * 10.0).numpy()


def test_picking_random_changes_only_this_session(app_url, reference):
    from gradio_client import Client

    learner, other = Client(app_url, verbose=False), Client(app_url, verbose=False)
    shipped, random = expected_logits(reference, reference.model), expected_logits(reference, reference.random)
    assert not np.allclose(shipped, random, atol=1e-2)

    np.testing.assert_allclose(logits_z(learner)[0], shipped, atol=1e-4)
    picker, status = learner.predict("random", api_name="/pick_model")
    assert picker["value"] == "random" and status == ""  # the status line speaks only of a pretrained CLIP
    np.testing.assert_allclose(logits_z(learner)[0], random, atol=1e-4)
    np.testing.assert_allclose(logits_z(other)[0], shipped, atol=1e-4)  # the other learner is unaffected
    # every lesson of this session follows the pick
    _, _, summary = learner.predict(4, 0, api_name="/logit_clip_row")
    assert number_after(summary, "exp(t) =") == pytest.approx(reference.scale(reference.random), abs=6e-4)
    svg, _ = learner.predict(0, api_name="/overview_samples")
    assert "random init" in svg

    learner.predict("shipped", api_name="/pick_model")
    np.testing.assert_allclose(logits_z(learner)[0], shipped, atol=1e-4)


def test_start_session_sets_the_language_of_this_session_only(app_url):
    from gradio_client import Client

    learner, other = Client(app_url, verbose=False), Client(app_url, verbose=False)
    picker, lang, status = learner.predict("zh-CN", api_name="/start_session")
    assert lang == "zh" and status == ""
    assert picker["value"] == "bilingual"  # a Chinese session starts on the model that reads Chinese
    assert [value for _, value in picker["choices"]] == ["shipped", "bilingual", "random", "pretrained"]
    assert picker["choices"][0][0] == "玩具 CLIP（随附）"  # labels in the session's language
    assert picker["choices"][1][0] == "玩具 CLIP，双语：英文 + 中文（随附）"
    assert other.predict("en", api_name="/start_session")[0]["value"] == "shipped"
    assert "损失" in logits_z(learner)[1]
    assert "Loss" in logits_z(other)[1]
    assert learner.predict("en", api_name="/start_session")[1] == "en"
    assert "Loss" in logits_z(learner)[1]


def test_pick_model_handler_switches_the_lessons_of_that_session(reference):
    session, bystander = Session(), Session()
    assert app.pick_model(session, "random")[0] is session and session.model_name == "random"
    _, figure, _, _, _ = logits.render(session, 6, 2, -1.0, False, "logits", False, False)
    np.testing.assert_allclose(figure.data[0].z, expected_logits(reference, reference.random), atol=1e-4)
    _, figure, _, _, _ = logits.render(bystander, 6, 2, -1.0, False, "logits", False, False)
    np.testing.assert_allclose(figure.data[0].z, expected_logits(reference, reference.model), atol=1e-4)
    _, log_scale = temperature.learned_scale(session)
    assert 10**log_scale == pytest.approx(reference.scale(reference.random), rel=1e-2)


def test_pick_model_handler_rejects_a_model_the_session_does_not_have():
    session = Session()
    with pytest.raises(gr.Error, match="no model named 'trained'"):
        app.pick_model(session, "trained")  # only after the learner has trained one
    assert session.model_name == "shipped"


def test_start_session_handler_loads_the_model_and_offers_trained_once_there_is_one(reference):
    session, picker, lang, status = app.start_session("zh-TW")
    assert lang == "zh" and session.lang == "zh" and "bilingual" in session.models and status == ""
    assert session.model_name == "bilingual" and session.world.caption_language == "mixed"
    assert [value for _, value in picker["choices"]] == ["shipped", "bilingual", "random", "pretrained"]
    session.set_trained(reference.random, history=[])
    _, picker, _, _ = app.start_session("en", session)
    assert session.model_name == "bilingual"  # a language switch keeps the learner's model
    assert [value for _, value in picker["choices"]] == ["shipped", "bilingual", "trained", "random", "pretrained"]
    english, _, _, _ = app.start_session("en")
    assert english.model_name == "shipped" and english.world.caption_language == "en"
    assert app.pick_model(session, "trained")[0].model_name == "trained"


def test_forgetting_a_closed_session_stops_its_training_and_keeps_shared_models():
    from types import SimpleNamespace

    from lessons.common.session import load_shipped

    session = Session()
    shipped = session.model()
    session.memo(("x",), lambda: 1)
    session.runs["train"] = SimpleNamespace(stop_requested=False)
    app.forget(session)
    assert session.runs["train"].stop_requested and not session.cache and not session.models
    assert load_shipped()[0] is shipped  # still loaded, for everyone else
    assert Session().model() is shipped
    app.forget(None)  # a tab that never finished loading


def test_sessions_share_one_read_only_shipped_model_but_not_their_own():
    import copy

    first, second = Session(), Session()
    assert first.model() is second.model()  # read from disk once per process
    assert not any(p.requires_grad for p in first.model().parameters())
    assert first.model("random") is not second.model("random")  # cheap, and each learner's own
    clone = copy.deepcopy(first)  # gr.State may deep-copy; the shared model stays shared
    assert clone.model() is first.model() and clone.models["random"] is not first.models["random"]


def test_results_of_shared_models_are_computed_once_for_everyone():
    from lessons import search

    first, second, other = Session(), Session(), Session()
    first.model(), second.model(), other.model()
    other.model_name = "random"
    calls = []

    def make():
        calls.append(1)
        return object()

    key = ("test_shared_result", 123)
    value = first.memo_shared(key, make)
    assert second.memo_shared(key, make) is value and len(calls) == 1  # same shipped model: computed once
    assert other.memo_shared(key, make) is not value and len(calls) == 2  # a session's own model: its own
    assert second.shared_result_known(key) and not other.shared_result_known(key)
    # the search lesson's gallery embedding is such a result
    _, a, _, _ = search._gallery(first, 56, 5)
    _, b, _, reused = search._gallery(second, 56, 5)
    assert a is b and reused


def test_the_bilingual_model_is_shared_read_only_and_reads_chinese():
    import copy

    from lessons.common.session import load_bilingual

    chinese, english = Session(lang="zh", model_name="bilingual"), Session(model_name="bilingual")
    assert chinese.model() is english.model() is load_bilingual()[0]  # one copy per process
    assert not any(p.requires_grad for p in chinese.model().parameters())
    assert copy.deepcopy(chinese).model() is chinese.model()
    assert chinese.reads_chinese() and chinese.prompt_language() == "zh"
    assert english.prompt_language() == "en"  # an English interface keeps English presets
    on_english_model = Session(lang="zh")
    assert not on_english_model.reads_chinese() and on_english_model.prompt_language() == "en"
