"""The bad-input matrix (issue #7), part 1: text and files. Templates, class lists, uploaded
pictures and uploaded checkpoints, each sent through the API: every one is refused with a message
that names the problem, or accepted with a sane result, and the same session answers a normal
request correctly afterwards. (Numbers are in test_bad_numbers_matrix.py.)"""

from __future__ import annotations

import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from safetensors.torch import save_file

from clip_core import checkpoint
from clip_core.config import ModelConfig
from clip_core.model import TinyCLIP

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/bad_files.py
import bad_files  # noqa: E402

CLASSES = "red circle, blue square, green ring"
CLASSIFY = dict(classes_text=CLASSES, templates_text="a photo of a {}.", ensemble="embedding", source="test",
                pair="red circle", variant=0, sketch=None, upload=None, log10_tau=-1.0, learned=True, top_k=3)


def classify(client, **overrides):
    return client.predict(**{**CLASSIFY, **overrides}, api_name="/zeroshot_classify")


def still_serves(client) -> None:
    """The same session answers a normal request, and answers it right (the shipped toy CLIP
    and any model trained on the toy world name this red circle)."""
    preview, _, text = classify(client)
    assert preview is not None
    assert "Top prediction: red circle" in text, text[:300]


def refused(call) -> str:
    with pytest.raises(AppError) as error:
        call()
    message = str(error.value)
    assert "upstream Gradio app has raised an exception" not in message, "a crash, not a message"
    return message


# ----- templates -----------------------------------------------------------------------------------

TEMPLATES = [  # (case, templates text, fragment of the message)
    ("no {}", "a photo of a", "Template on line 1 (“a photo of a”) must contain {} exactly once"),
    ("two {}", "a {} next to a {}", "Template on line 1 (“a {} next to a {}”) must contain {} exactly once"),
    ("{0}", "a photo of a {0}.", "not {0}"),
    ("{label}", "a photo of a {label}.", "not {label}"),
    ("%s", "a photo of a %s.", "not %s"),
    ("10,000 characters", "a {} " + "x" * 9995, "Template on line 1 is longer than 100 characters"),
    ("empty", "", "Type at least one template"),
]
TEMPLATE_ENDPOINTS = {
    "/zeroshot_classify": lambda client, templates: classify(client, templates_text=templates),
    "/zeroshot_compare": lambda client, templates: client.predict(CLASSES, templates, 2, api_name="/zeroshot_compare"),
    "/zeroshot_greedy": lambda client, templates: client.predict(CLASSES, templates, "embedding", 2,
                                                                 api_name="/zeroshot_greedy"),
}


@pytest.mark.parametrize("endpoint", list(TEMPLATE_ENDPOINTS))
@pytest.mark.parametrize(("case", "templates", "message"), TEMPLATES, ids=[t[0] for t in TEMPLATES])
def test_bad_templates_are_refused_by_line(module_client, endpoint, case, templates, message):
    text = refused(lambda: TEMPLATE_ENDPOINTS[endpoint](module_client, templates))
    assert message in text
    if case == "10,000 characters":
        assert "CLIP_LAB_MAX_TEMPLATE_CHARS" in text and len(text) < 1000  # names the limit, does not echo it
    still_serves(module_client)


# ----- class lists ---------------------------------------------------------------------------------

def test_empty_and_whitespace_class_lists_ask_for_names(module_client):
    for classes in ("", "   \n \t , ,"):
        assert "Type at least two class names" in refused(lambda c=classes: classify(module_client, classes_text=c))
        still_serves(module_client)


def test_duplicate_classes_are_named(module_client):
    text = refused(lambda: classify(module_client, classes_text="red circle, blue square, RED   circle"))
    assert "“RED circle” is in the class list twice" in text
    still_serves(module_client)


def test_five_hundred_classes_hit_the_operator_limit(module_client):
    names = ", ".join(f"class {i}" for i in range(500))
    for call in (lambda: classify(module_client, classes_text=names),
                 lambda: module_client.predict(names, "a {}", 2, api_name="/zeroshot_compare")):
        text = refused(call)
        assert "At most 100 classes, please (got 500)" in text and "CLIP_LAB_MAX_CLASSES" in text
        still_serves(module_client)


@pytest.mark.parametrize(("classes", "unknown"), [
    ("🐱, 🐶, 🐦", "🐱, 🐶, 🐦"),
    ("红色圆形, 蓝色方形", "红色圆形, 蓝色方形"),  # an English-only toy reads each Chinese run as one unknown word
])
def test_emoji_and_chinese_classes_are_read_with_a_warning(module_client, classes, unknown):
    """The toy CLIP knows only its English words: the names are accepted (a pretrained CLIP reads
    them), every unknown word is named, and so is the fact that they all read the same."""
    _, figure, text = classify(module_client, classes_text=classes)
    assert "Top prediction" in text and figure is not None
    assert f"Words the toy model does not know, read as `<unk>`: **{unknown}**" in text
    assert "cannot tell them apart" in text
    message = refused(lambda: module_client.predict(classes, "a {}", 2, api_name="/zeroshot_compare"))
    assert "every class name must be a colour, a shape or a colour–shape pair" in message  # no right answers known
    still_serves(module_client)


# ----- uploaded pictures ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", bad_files.CASES, ids=[case.name for case in bad_files.CASES])
def test_uploaded_pictures(module_client, tmp_path, case):
    path = case.make(tmp_path)
    call = lambda: classify(module_client, source="upload", upload=handle_file(str(path)))  # noqa: E731
    if case.outcome == "accepted":
        preview, figure, text = call()
        assert preview is not None and figure is not None
        assert "Top prediction" in text and "No right answer is known for a drawing or an upload" in text
    else:
        text = refused(call)
        assert bad_files.REASONS[case.name] in text
        assert text.split(":")[0].endswith(path.name), "the message names the file"
    still_serves(module_client)


@pytest.mark.parametrize("case", bad_files.CASES, ids=[case.name for case in bad_files.CASES])
def test_drawings_sent_as_files(module_client, tmp_path, case):
    """The drawing input takes files too (its background and layers, through the API)."""
    path = case.make(tmp_path)
    drawing = {"background": handle_file(str(path)), "layers": [handle_file(str(path))], "composite": None}
    call = lambda: classify(module_client, source="sketch", sketch=drawing)  # noqa: E731
    if case.outcome == "accepted":
        preview, _, text = call()
        assert preview is not None and "Top prediction" in text
    else:
        text = refused(call)
        assert text.startswith("drawing: ") and bad_files.REASONS[case.name] in text
    still_serves(module_client)


def test_a_picture_over_the_side_limit_is_refused_before_decoding(module_client, tmp_path):
    path = bad_files.huge_8000(tmp_path)
    started = time.perf_counter()
    text = refused(lambda: classify(module_client, source="upload", upload=handle_file(str(path))))
    assert "CLIP_LAB_MAX_IMAGE_SIDE" in text
    assert time.perf_counter() - started < 3.0  # decoding 64 M pixels would take longer


def test_no_file_of_the_server_can_be_read_or_passed_as_an_input(app_url, module_client, tmp_path):
    import httpx

    for path in ("/etc/passwd", "README.md", "assets/style.css", "assets/toy_clip/model.safetensors",
                 str(Path("lessons/common/limits.py").resolve())):
        assert httpx.get(f"{app_url}gradio_api/file={path}", timeout=10).status_code in (403, 404), path
    server_file = {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}
    for arguments in ([server_file], ):
        started = httpx.post(f"{app_url}gradio_api/call/train_upload", json={"data": arguments}, timeout=10)
        stream = httpx.get(f"{app_url}gradio_api/call/train_upload/{started.json()['event_id']}", timeout=30).text
        assert "event: error" in stream  # Gradio: "not uploaded by a user"
    still_serves(module_client)


# ----- uploaded checkpoints ------------------------------------------------------------------------

class _Payload:
    """Unpickling this would create a file: the proof that nothing was unpickled is its absence."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def _save(model: TinyCLIP, folder: Path) -> Path:
    return checkpoint.save(model, folder)


def _with_config(path: Path, tensors: dict, config: dict) -> Path:
    """A .safetensors file holding `tensors` under a hand-written CLIP Lab header."""
    save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata={"clip_lab": json.dumps(config)})
    return path


def _variant(reference, **changes) -> TinyCLIP:
    config = ModelConfig.from_dict({**reference.model.config.to_dict(), **changes})
    torch.manual_seed(0)
    return TinyCLIP(config, reference.model.tokenizer)


def checkpoint_cases(reference, folder: Path) -> list[tuple[str, Path, str]]:
    """(case, file, fragment of the refusal, or "Loaded" when the file must be accepted)."""
    shipped = reference.model
    header = checkpoint.checkpoint_config(shipped)
    state = shipped.state_dict()
    cases = []

    path = folder / "random.safetensors"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    cases.append(("random bytes", path, "is not a safetensors file"))

    path = folder / "model.safetensors"
    path.write_bytes(pickle.dumps(_Payload(str(folder / "pwned.txt"))))
    cases.append(("pickle with a payload", path, "is not a safetensors file"))

    (folder / "other").mkdir()
    path = folder / "other" / "unrelated.safetensors"
    save_file({"encoder.weight": torch.zeros(8, 8), "decoder.bias": torch.zeros(8)}, path)
    cases.append(("another model's safetensors", path, "is a safetensors file but not a CLIP Lab checkpoint"))

    path = _save(_variant(reference, image_encoder="resnet", embed_dim=16), folder / "resnet")
    cases.append(("another TinyCLIP config, same image size", path, "Loaded"))

    path = _save(_variant(reference, image_size=64), folder / "big_images")
    cases.append(("another TinyCLIP config, other image size", path, "made for another image size"))

    smaller = _variant(reference, embed_dim=16).state_dict()
    path = _with_config(folder / "wrong_shapes.safetensors", smaller, header)
    cases.append(("right keys, wrong shapes", path, "its config does not describe the weights it holds"))

    huge = {**header, "model": {**header["model"], "vision_width": 10**6, "text_width": 10**6}}
    path = _with_config(folder / "huge.safetensors", state, huge)
    cases.append(("config asking for a huge model", path, "its config does not describe the weights it holds"))

    deep = {**header, "model": {**header["model"], "text_layers": 10**6}}
    path = _with_config(folder / "deep.safetensors", state, deep)
    cases.append(("config asking for a million layers", path, "1000000 layers in one tower"))

    poisoned = {k: v.clone() for k, v in state.items()}
    poisoned["logit_scale"] = torch.tensor(float("nan"))
    path = _with_config(folder / "nan.safetensors", poisoned, header)
    cases.append(("NaN weights", path, "holds NaN or infinite values"))

    path = folder / "heavy.safetensors"
    path.write_bytes(b"\0" * (20 * 2**20 + 1))
    cases.append(("over 20 MB", path, "That file is 20.0 MB"))
    return cases


def test_checkpoint_uploads(fresh_client, reference, tmp_path):
    cases = checkpoint_cases(reference, tmp_path)
    for case, path, expected in cases:
        started = time.perf_counter()
        if expected == "Loaded":
            message = fresh_client.predict(handle_file(str(path)), api_name="/train_upload")[-1]
            assert "Loaded your checkpoint" in message, case
            fresh_client.predict("shipped", api_name="/pick_model")  # the upload is untrained: back to the toy
        else:
            text = refused(lambda p=path: fresh_client.predict(handle_file(str(p)), api_name="/train_upload"))
            assert "Not loaded" in text or "CLIP_LAB_MAX_CHECKPOINT_MB" in text, (case, text)
            assert expected in text, (case, text)
        assert time.perf_counter() - started < 5.0, f"{case}: checking took too long"
        still_serves(fresh_client)
    assert not (tmp_path / "pwned.txt").exists()  # the pickle never ran
