"""The pretrained CLIP in the app, offline: the test server's picker offers a tiny random
transformers CLIPModel saved to a folder (tests/conftest.py `tiny_pretrained`, as if the app were
started with --pretrained FOLDER). Numbers the app shows must equal CLIPModel's own."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from api_data import decode, plotly_json
from helpers import number_after
from PIL import Image

import app
from lessons.common.images import read_picture
from lessons.common.session import SHARED, Session
from lessons.page.header import pretrained_note

CAPTIONS = ["a red circle", "a blue square", "dog", "two green triangles"]


@pytest.fixture
def learner(app_url):
    """A fresh session with the pretrained CLIP picked."""
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    picker, lang, status = client.predict("en", api_name="/start_session")
    assert "pretrained" in [value for _, value in picker["choices"]]
    client.predict("pretrained", api_name="/pick_model")
    return client


@pytest.fixture(scope="module")
def photo_files(tmp_path_factory) -> list[str]:
    """Uploads of mixed sizes and modes (RGB, RGBA, greyscale, palette)."""
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(0)
    pictures = [Image.fromarray(rng.integers(0, 256, (48, 40, 3), dtype=np.uint8)),
                Image.fromarray(rng.integers(0, 256, (20, 30, 4), dtype=np.uint8), "RGBA"),
                Image.fromarray(rng.integers(0, 256, (64, 64), dtype=np.uint8), "L"),
                Image.fromarray(rng.integers(0, 256, (33, 90, 3), dtype=np.uint8)).convert("P")]
    paths = []
    for i, picture in enumerate(pictures):
        path = folder / f"photo{i}.png"
        picture.save(path)
        paths.append(str(path))
    return paths


def clipmodel_logits(tiny, pictures, texts) -> torch.Tensor:
    """logits_per_image straight from transformers (CLIPProcessor + CLIPModel)."""
    inputs = tiny["processor"](text=texts, images=pictures, padding=True, truncation=True, max_length=32,
                               return_tensors="pt")  # the tiny vocabulary spells long captions in > 32 pieces
    with torch.no_grad():
        return tiny["reference"](**inputs).logits_per_image


def clipmodel_embeddings(tiny, pictures, texts):
    inputs = tiny["processor"](text=texts, images=pictures, padding=True, truncation=True, max_length=32,
                               return_tensors="pt")
    with torch.no_grad():
        out = tiny["reference"](**inputs)
    return out.image_embeds, out.text_embeds, tiny["reference"].logit_scale.exp().item()


def defaults(client, api_name: str) -> list:
    """The default value of every parameter of an endpoint (what the page would send)."""
    info = client.view_api(return_format="dict", print_info=False)["named_endpoints"][api_name]
    return [p.get("parameter_default") if p.get("parameter_has_default") else None for p in info["parameters"]]


def heatmap_z(figure) -> np.ndarray:
    (trace,) = [t for t in plotly_json(figure)["data"] if t["type"] == "heatmap"]
    return decode(trace["z"])


def test_picking_pretrained_loads_it_once_and_tells_what_it_is(learner, app_url, tiny_pretrained):
    from gradio_client import Client

    other = Client(app_url, verbose=False)
    picker, _, status = other.predict("en", api_name="/start_session")
    label = dict((value, label) for label, value in picker["choices"])["pretrained"]
    assert tiny_pretrained["folder"].name in label and "local folder" in label
    session, picker, status = app.pick_model(Session(pretrained_source=str(tiny_pretrained["folder"])), "pretrained")
    assert session.model_name == "pretrained" and "Pretrained CLIP" in status and "parameters" in status
    assert session.model() is Session(pretrained_source=str(tiny_pretrained["folder"])).load_pretrained()  # shared
    assert SHARED.loaded(("pretrained", str(tiny_pretrained["folder"])))
    assert not any(p.requires_grad for p in session.model().parameters())


def test_logits_lesson_on_toy_pictures_equals_clipmodel(learner, reference, tiny_pretrained):
    figure, _, summary, _ = learner.predict(4, 3, -1.0, True, "logits", False, False, api_name="/logits_render")
    batch = reference.batch(4, 3)
    pixels = (batch.images.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    pictures = [Image.fromarray(np.ascontiguousarray(p)) for p in pixels]  # the documented 8-bit conversion
    expected = clipmodel_logits(tiny_pretrained, pictures, batch.captions).numpy()
    difference = np.abs(heatmap_z(figure) - expected).max()
    print(f"\nlogits lesson (toy pictures) vs CLIPModel.logits_per_image: max abs difference {difference:.2e}")
    assert difference < 1e-4


def test_photos_logits_equal_clipmodel(learner, tiny_pretrained, photo_files):
    from gradio_client import handle_file

    files = [handle_file(p) for p in photo_files]
    figure, summary = learner.predict(files, "\n".join(CAPTIONS), "logits", -1.0, True, api_name="/photos_logits")
    pictures = [read_picture(p) for p in photo_files]  # the app's decoding: RGBA on white, palette and L to RGB
    expected = clipmodel_logits(tiny_pretrained, pictures, CAPTIONS).numpy()
    z = heatmap_z(figure)
    difference = np.abs(z - expected).max()
    print(f"\nphotos logits vs CLIPModel.logits_per_image: max abs difference {difference:.2e}")
    assert z.shape == (4, 4) and difference < 1e-4
    loss = (F.cross_entropy(torch.tensor(expected), torch.arange(4))
            + F.cross_entropy(torch.tensor(expected).T, torch.arange(4))).item() / 2
    assert number_after(summary, "Loss (both directions, averaged)") == pytest.approx(loss, abs=1e-3)
    assert number_after(summary, "ln 4 =") == pytest.approx(np.log(4), abs=1e-3)
    assert "unknown" not in summary.lower()  # CLIP's own BPE tokenizer: no toy-vocabulary warnings


def test_photos_zero_shot_equals_direct_computation(learner, tiny_pretrained, photo_files):
    from gradio_client import handle_file

    classes, templates = ["red circle", "blue square", "dog"], ["a photo of a {}.", "{}"]
    figure, summary = learner.predict([handle_file(p) for p in photo_files], ", ".join(classes), "\n".join(templates),
                                      api_name="/photos_classify")
    pictures = [read_picture(p) for p in photo_files]
    image_embeds, _, scale = clipmodel_embeddings(tiny_pretrained, pictures, ["x"])
    per_template = [clipmodel_embeddings(tiny_pretrained, pictures[:1], [t.format(c) for c in classes])[1]
                    for t in templates]
    weights = F.normalize(torch.stack(per_template).mean(dim=0), dim=-1)
    expected = (scale * image_embeds @ weights.T).softmax(dim=-1).numpy()
    z = heatmap_z(figure)
    difference = np.abs(z - expected).max()
    print(f"\nphotos zero-shot probabilities vs direct computation: max abs difference {difference:.2e}")
    assert z.shape == (4, 3) and difference < 1e-5
    np.testing.assert_allclose(z.sum(axis=1), 1.0, atol=1e-5)
    assert "4 picture(s) × 3 classes" in summary.replace("**", "")


def test_photos_search_ranks_by_cosine(learner, tiny_pretrained, photo_files):
    from gradio_client import handle_file

    items, summary = learner.predict([handle_file(p) for p in photo_files], "a red circle", 3,
                                     api_name="/photos_search")
    pictures = [read_picture(p) for p in photo_files]
    image_embeds, text_embeds, _ = clipmodel_embeddings(tiny_pretrained, pictures, ["a red circle"])
    cosines = (image_embeds @ text_embeds[0]).numpy()
    order = np.argsort(-cosines)[:3]
    assert [item["caption"].split(" · ")[0].split(". ")[1] for item in items] == [f"photo{i}.png" for i in order]
    shown = [float(item["caption"].rsplit("cos ", 1)[1]) for item in items]
    np.testing.assert_allclose(shown, cosines[order], atol=1e-3)


def test_every_lesson_answers_with_the_pretrained_model(learner):
    """The toy lessons run on toy pictures with the pretrained CLIP; none breaks."""
    for api_name in ("/overview_refresh", "/toy_world_reference", "/logits_refresh", "/temperature_refresh",
                     "/logit_refresh", "/zeroshot_refresh", "/search_refresh"):
        assert learner.predict(*defaults(learner, api_name), api_name=api_name) is not None
    # the photos tab fills itself with example pictures and shows all three views
    files, captions, classes, templates, query, log_tau, preview, status, logits_plot, logits_summary, *rest = (
        learner.predict(None, "", "p_image_to_text", -1.15, True, "", "", "", 6, api_name="/photos_on_load"))
    assert len(files) == 6 and len(captions.splitlines()) == 6 and "6 picture(s) ready" in status
    assert heatmap_z(logits_plot).shape == (6, 6) and "Loss" in logits_summary
    assert learner.predict(*defaults(learner, "/zeroshot_classify"), api_name="/zeroshot_classify")[0] is not None


def test_toy_only_lessons_say_so():
    session = Session()
    assert pretrained_note(session, "train") == "" and "toy CLIP" in pretrained_note(session, "photos")
    session.models["pretrained"], session.model_name = session.model("shipped"), "pretrained"  # stand-in
    notes = {lesson: pretrained_note(session, lesson) for lesson in ("train", "toy_world", "zeroshot", "photos")}
    assert "Training is toy-only" in notes["train"] and "never saw" in notes["toy_world"]
    assert "Held-out pairs" in notes["zeroshot"] and notes["photos"] == ""
    session.lang = "zh"
    assert "只针对玩具模型" in pretrained_note(session, "train")


def test_unreachable_hub_gives_the_clear_message_quickly(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    session = Session(pretrained_source="openai/clip-vit-base-patch32")
    session.model()
    start = time.perf_counter()
    session, picker, status = app.pick_model(session, "pretrained")
    seconds = time.perf_counter() - start
    print(f"\nunreachable hub: clear message in {seconds:.2f} s")
    assert seconds < 10
    assert session.model_name == "shipped" and picker["value"] == "shipped"
    assert "--pretrained" in status and "CLIP_LAB_PRETRAINED" in status and "internet" in status
    assert session.model() is session.model("shipped")  # the session keeps working with its toy model


def test_missing_folder_gives_the_clear_message(tmp_path):
    session = Session(pretrained_source=str(tmp_path / "no-such-folder"))
    session, picker, status = app.pick_model(session, "pretrained")
    assert "no folder" in status and "--pretrained" in status
    assert picker["value"] == "shipped" and session.model_name == "shipped"
