"""The photos tab's inputs through the API: every picture of the bad-file matrix, caption and
query mistakes, too many files, and a server path smuggled into a file input (never read)."""

from __future__ import annotations

import json
import urllib.request

import pytest
from bad_files import CASES, REASONS

from lessons.common.limits import LIMITS

GOOD = CASES[0]  # 1x1: accepted


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photo_matrix")
    return {case.name: str(case.make(folder)) for case in CASES}


@pytest.fixture(scope="module")
def learner(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    client.predict("en", api_name="/start_session")
    return client


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_bad_picture_is_used_or_refused_with_its_reason(learner, files, case):
    from gradio_client import handle_file

    items, summary = learner.predict([handle_file(files[case.name])], "a red circle", 3, api_name="/photos_search")
    if case.outcome == "accepted":
        assert len(items) == 1 and "Ranked 1 picture" in summary, summary
    else:
        assert items == [] and REASONS[case.name] in summary, summary
        assert case.make.__name__ and "Skipped" in summary
    # the session keeps working: a good picture right after
    items, _ = learner.predict([handle_file(files[GOOD.name])], "a red circle", 3, api_name="/photos_search")
    assert len(items) == 1


def test_a_mixed_upload_keeps_the_good_pictures(learner, files):
    from gradio_client import handle_file

    chosen = ["1x1", "zero bytes", "CMYK JPEG", "text file named .png"]
    figure, summary = learner.predict([handle_file(files[name]) for name in chosen], "one\ntwo", "logits", -1.0, True,
                                      api_name="/photos_logits")
    assert figure is not None and "2 × 2 logits" in summary.replace("**", "")
    refused = summary.split("Skipped:")[1]
    assert "empty.png: The file is empty" in refused and "notes.png: That file is not an image" in refused


@pytest.mark.parametrize("captions, message", [
    ("only one", "2 picture(s) but 1 caption(s)"),
    ("a\nb\nc", "2 picture(s) but 3 caption(s)"),
    ("", "2 picture(s) but 0 caption(s)"),
    ("x" * (LIMITS.max_text_chars + 1) + "\nb", "longer than"),
])
def test_caption_mistakes_are_named(learner, files, captions, message):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    pair = [handle_file(files["1x1"]), handle_file(files["CMYK JPEG"])]
    with pytest.raises(AppError, match=message.replace("(", r"\(").replace(")", r"\)")):
        learner.predict(pair, captions, "logits", -1.0, True, api_name="/photos_logits")


@pytest.mark.parametrize("query, k, message", [
    ("", 3, "Type a description"), ("   ", 3, "Type a description"),
    ("x" * 10_000, 3, "longer than"), ("a red circle", 0, "less than minimum value 1"),
    ("a red circle", 10_000, "greater than maximum"), ("a red circle", "three", "Expected a number"),
])
def test_query_mistakes_are_named(learner, files, query, k, message):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        learner.predict([handle_file(files["1x1"])], query, k, api_name="/photos_search")


def test_no_pictures_says_what_to_do(learner):
    items, summary = learner.predict(None, "a red circle", 3, api_name="/photos_search")
    assert items == [] and "Upload some pictures" in summary


def test_more_files_than_the_limit_uses_the_first(learner, files, monkeypatch):
    from gradio_client import handle_file

    import lessons.common.limits

    monkeypatch.setattr(lessons.common.limits, "LIMITS", LIMITS.__class__(max_photos=2))
    items, summary = learner.predict([handle_file(files["1x1"])] * 3, "a red circle", 2, api_name="/photos_search")
    assert len(items) == 2 and "at most 2 pictures" in summary and "CLIP_LAB_MAX_PHOTOS" in summary


def test_a_server_path_in_a_file_input_is_never_read(app_url):
    """Raw HTTP, as a curious learner might send it: a FileData pointing at a server file."""
    payload = {"data": [[{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}], "root", 3]}
    request = urllib.request.Request(app_url + "gradio_api/call/photos_search", data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{app_url}gradio_api/call/photos_search/{event_id}", timeout=30) as response:
        stream = response.read().decode()
    assert "event: error" in stream and "root:x:0:0" not in stream


def test_examples_then_refresh_show_every_view(learner):
    """The 'Use example pictures' button, then the refresh its click chains (as after an upload)."""
    files, captions, classes, query = learner.predict(api_name="/photos_examples")
    assert len(files) == 6 and len(captions.splitlines()) == 6 and "red circle" in classes
    from gradio_client import handle_file

    uploads = [handle_file(f) for f in files]
    preview, status, logits_plot, logits_summary, zs_plot, zs_summary, results, search_summary = learner.predict(
        uploads, captions, "p_image_to_text", -1.0, True, classes, "a photo of a {}.", query, 3,
        api_name="/photos_refresh")
    assert len(preview) == 6 and "6 picture(s) ready" in status
    assert logits_plot is not None and "6 × 6 logits" in logits_summary.replace("**", "")
    assert zs_plot is not None and "6 picture(s) × 6 classes" in zs_summary.replace("**", "")
    assert len(results) == 3 and "red-circle.png" in results[0]["caption"]  # the toy finds its own shape
    # a mistake in one view is shown in that view's read-out; the others still answer
    *_, zs_plot, zs_summary, results, _ = learner.predict(
        uploads, captions, "p_image_to_text", -1.0, True, "", "a photo of a {}.", query, 3, api_name="/photos_refresh")
    assert zs_plot is None and "Type at least two class names" in zs_summary and len(results) == 3
