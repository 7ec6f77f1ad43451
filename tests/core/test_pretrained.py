"""clip_core.pretrained against transformers itself, offline: a tiny random CLIPModel with a tiny BPE
vocabulary is saved to a folder, loaded through load_pretrained, and must give the same numbers
as calling CLIPModel directly on what CLIPProcessor makes of the same images and texts."""

from __future__ import annotations

import copy
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import tiny_clip
import torch
import torch.nn.functional as F
from PIL import Image

from clip_core import pretrained
from clip_core.pretrained import PretrainedUnavailable, load_pretrained
from clip_core.retrieval import search_images, similar_images
from clip_core.zeroshot import classify

CONTEXT_LENGTH = tiny_clip.CONTEXT_LENGTH
CAPTIONS = ["a red circle", "a photo of a small blue square.", "dog", "two green triangles at the top left"]
CLASSNAMES = ["red circle", "blue square", "green triangle"]
TEMPLATES = ["a photo of a {}.", "{}", "a drawing of a {}"]


@pytest.fixture(scope="module", params=["hub layout, pad = end of text", "processor layout, pad = '!'"])
def tiny(request, tmp_path_factory) -> dict:
    """A random tiny CLIP saved to a folder, its in-memory reference and processor, and the loaded wrapper.

    The two layouts are the hub's (tokenizer files + preprocessor_config.json, pad id equal to the
    end-of-text id as in openai/clip-vit-base-patch32) and transformers 5's processor_config.json
    with a distinct pad token (as in LAION's open_clip conversions).
    """
    hub_layout = request.param.startswith("hub")
    folder = tmp_path_factory.mktemp("tiny_clip")
    reference, processor = tiny_clip.save_tiny_clip(folder, hub_layout)
    return {"folder": folder, "reference": reference, "processor": processor,
            "model": load_pretrained(str(folder)), "pad_is_eot": hub_layout}


def toy_images(n: int = 4) -> torch.Tensor:
    """ShapesWorld-like float images [n, 3, 32, 32] in [0, 1]."""
    from clip_core.data import ShapesWorld

    return ShapesWorld(0).sample_batch(n).images


def as_pictures(images: torch.Tensor) -> list[Image.Image]:
    """The documented conversion of a [0, 1] tensor: 8-bit RGB pictures."""
    pixels = (images.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    return [Image.fromarray(np.ascontiguousarray(p)) for p in pixels]


def photos() -> list[Image.Image]:
    """Uploads of mixed sizes and modes; the processor resizes, crops and converts them to RGB."""
    rng = np.random.default_rng(0)
    return [Image.fromarray(rng.integers(0, 256, (48, 40, 3), dtype=np.uint8)),
            Image.fromarray(rng.integers(0, 256, (20, 30, 4), dtype=np.uint8), "RGBA"),
            Image.fromarray(rng.integers(0, 256, (64, 64), dtype=np.uint8), "L"),
            Image.fromarray(rng.integers(0, 256, (33, 90, 3), dtype=np.uint8))]


def reference_logits(tiny: dict, pictures: list[Image.Image], texts: list[str]) -> torch.Tensor:
    inputs = tiny["processor"](text=texts, images=pictures, padding=True, return_tensors="pt")
    with torch.no_grad():
        return tiny["reference"](input_ids=inputs["input_ids"], pixel_values=inputs["pixel_values"],
                                 attention_mask=inputs["attention_mask"]).logits_per_image


@pytest.mark.parametrize("kind", ["toy tensor", "PIL photos"])
def test_logits_equal_transformers_clipmodel(tiny, kind):
    model = tiny["model"]
    images = toy_images() if kind == "toy tensor" else photos()
    pictures = as_pictures(images) if kind == "toy tensor" else images
    with torch.no_grad():
        ours = model(images, model.tokenizer(CAPTIONS))  # [4, 4]
    expected = reference_logits(tiny, pictures, CAPTIONS)
    difference = (ours - expected).abs().max().item()
    print(f"\nlogits_per_image parity ({kind}; {'pad = eot' if tiny['pad_is_eot'] else 'pad != eot'}): "
          f"max abs difference {difference:.2e}, logits up to {expected.abs().max().item():.2f}")
    assert ours.shape == (len(pictures), len(CAPTIONS))
    assert difference < 1e-5


def test_tokens_and_mask_equal_clipprocessor(tiny):
    model = tiny["model"]
    expected = tiny["processor"].tokenizer(CAPTIONS, padding=True, return_tensors="pt")
    tokens = model.tokenizer(CAPTIONS)
    assert torch.equal(tokens, expected["input_ids"])
    assert torch.equal(model.tokenizer.attention_mask(tokens), expected["attention_mask"])
    assert (tokens == model.tokenizer.pad_id).any()  # the batch really is padded
    assert (model.tokenizer.pad_id == model.tokenizer.eot_id) == tiny["pad_is_eot"]


def test_zero_shot_probabilities_equal_direct_computation(tiny):
    model, reference, tokenizer = tiny["model"], tiny["reference"], tiny["processor"].tokenizer
    images = photos()
    probs = classify(model, model.tokenizer, images, CLASSNAMES, TEMPLATES)  # [4, 3]
    with torch.no_grad():
        pixel_values = tiny["processor"](images=images, return_tensors="pt")["pixel_values"]
        image_embeds = F.normalize(reference.get_image_features(pixel_values=pixel_values).pooler_output, dim=-1)
        per_template = []
        for template in TEMPLATES:
            texts = tokenizer([template.format(c) for c in CLASSNAMES], padding=True, return_tensors="pt")
            per_template.append(F.normalize(reference.get_text_features(**texts).pooler_output, dim=-1))
        weights = F.normalize(torch.stack(per_template).mean(dim=0), dim=-1)  # [3, d_e]
        expected = (reference.logit_scale.exp() * image_embeds @ weights.T).softmax(dim=-1)
    difference = (probs - expected).abs().max().item()
    print(f"\nzero-shot probability parity: max abs difference {difference:.2e}")
    assert probs.shape == (len(images), len(CLASSNAMES))
    assert torch.allclose(probs.sum(dim=-1), torch.ones(len(images)))
    assert difference < 1e-5


def test_embeddings_are_unit_and_unnormalised_ones_are_transformers_features(tiny):
    model, reference = tiny["model"], tiny["reference"]
    with torch.no_grad():
        I_e, T_e = model.encode_image(toy_images()), model.encode_text(model.tokenizer(CAPTIONS))
        raw = model.encode_image(photos(), normalize=False)
        features = reference.get_image_features(
            pixel_values=tiny["processor"](images=photos(), return_tensors="pt")["pixel_values"]).pooler_output
    assert I_e.shape == (4, model.config.embed_dim) and T_e.shape == (len(CAPTIONS), model.config.embed_dim)
    assert torch.allclose(I_e.norm(dim=-1), torch.ones(4), atol=1e-6)
    assert torch.allclose(T_e.norm(dim=-1), torch.ones(len(CAPTIONS)), atol=1e-6)
    assert (raw.norm(dim=-1) - 1).abs().max() > 1e-3  # normalize=False really skips the norm
    assert torch.allclose(raw, features, atol=1e-6)


def test_padding_and_batch_do_not_change_a_text_embedding(tiny):
    model = tiny["model"]
    with torch.no_grad():
        alone = model.encode_text(model.tokenizer(["dog"]))[0]
        in_batch = model.encode_text(model.tokenizer(CAPTIONS))[2]  # padded to the longest caption
    assert (alone - in_batch).abs().max() < 1e-6


def test_tokenizer_interface(tiny):
    tokenizer = tiny["model"].tokenizer
    long_text = "a very long caption about a red circle " * 4
    assert tokenizer.context_length == CONTEXT_LENGTH
    assert tokenizer.unknown_words("a zebra-like quokka") == []  # BPE spells every word
    report = tokenizer.report(long_text)
    assert report.truncated and report.n_tokens > CONTEXT_LENGTH and report.unknown == []
    assert not tokenizer.report("a red circle").truncated
    ids = tokenizer.encode(long_text)
    assert len(ids) == CONTEXT_LENGTH and ids[0] == tokenizer.sot_id and ids[-1] == tokenizer.eot_id
    assert tokenizer.decode(tokenizer.encode("A red  circle")) == "a red circle"
    assert tokenizer.pieces("red circle") == ["red</w>", "circle</w>"]
    assert tokenizer(long_text).shape == (1, CONTEXT_LENGTH)
    with pytest.raises(ValueError, match="end-of-text"):
        tokenizer.attention_mask(torch.tensor([[tokenizer.sot_id, 5, 6]]))


def test_tinyclip_interface(tiny):
    model, reference = tiny["model"], tiny["reference"]
    config = model.config
    assert (config.image_size, config.embed_dim, config.image_encoder) == (32, 16, "vit")
    assert model.name == str(tiny["folder"]) and config.to_dict()["name"] == model.name
    assert model.num_parameters() == sum(p.numel() for p in reference.parameters())
    assert model.logit_scale is model.clip.logit_scale  # log(1/tau), transformers' own parameter
    assert model.logit_scale.item() == reference.logit_scale.item()
    assert model.scale().item() == pytest.approx(math.exp(reference.logit_scale.item()), rel=1e-6)
    assert not model.training and not any(p.requires_grad for p in model.parameters())
    assert model.image_projection.shape == (32, 16) and model.text_projection.shape == (32, 16)
    assert model.visual(toy_images(2)).shape == (2, 32) and model.text(model.tokenizer(["dog"])).shape == (1, 32)
    clamped = copy.deepcopy(model)  # gr.State deep-copies what it holds
    with torch.no_grad():
        clamped.logit_scale.fill_(math.log(200.0))
    assert clamped.scale().item() == pytest.approx(100.0) and model.scale().item() < 20
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        model.encode_image(toy_images(1) * 255)


def test_retrieval_runs_on_a_pretrained_model(tiny):
    model = tiny["model"]
    gallery = toy_images(6)
    indices, scores = search_images(model, "a red circle", gallery, k=3)
    assert len(indices) == 3 and bool((scores[:-1] >= scores[1:]).all())
    indices, scores = similar_images(model, gallery[4], gallery, k=1)
    assert indices.tolist() == [4] and scores.item() == pytest.approx(1.0, abs=1e-5)
    with torch.no_grad():
        uploads = model.encode_image(photos())  # photos of any size: embed them, then search the embeddings
    indices, _ = search_images(model, "dog", uploads, k=2)
    assert len(indices) == 2


def test_offline_hub_id_fails_fast_with_advice(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(PretrainedUnavailable) as caught:
        load_pretrained("openai/clip-vit-base-patch32")
    seconds = time.perf_counter() - start
    print(f"\noffline hub id refused in {seconds:.2f} s: {caught.value}")
    assert seconds < 10
    message = str(caught.value)
    assert "--pretrained" in message and "CLIP_LAB_PRETRAINED" in message and "internet" in message
    assert isinstance(caught.value, ValueError)


def test_unreachable_hub_is_asked_once_with_a_timeout(monkeypatch):
    """Online but no route to the hub: one short question, then the advice, never transformers' retry loop."""
    import huggingface_hub

    asked, loads = [], []

    def unreachable(self, repo_id, timeout=None, **kwargs):
        asked.append(timeout)
        raise ConnectionError("[Errno -2] Name or service not known")

    def not_cached(source, name, local_files_only):
        loads.append(local_files_only)
        raise OSError("not in the cache")

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", unreachable)
    monkeypatch.setattr(pretrained, "_from_files", not_cached)
    start = time.perf_counter()
    with pytest.raises(PretrainedUnavailable, match="cannot be reached.*--pretrained"):
        load_pretrained("clip-lab-tests/no-such-model", local_files_only=False)
    assert time.perf_counter() - start < 2
    assert loads == [True]  # the cache was tried; no download once the hub had not answered
    assert asked == [pretrained.HUB_TIMEOUT] and pretrained.HUB_TIMEOUT <= 10


def test_folder_without_weights_or_not_a_clip(tiny, tmp_path):
    broken = tmp_path / "no_weights"
    shutil.copytree(tiny["folder"], broken)
    (broken / "model.safetensors").unlink()
    with pytest.raises(PretrainedUnavailable, match="--pretrained"):
        load_pretrained(str(broken))
    (broken / "model.safetensors").write_bytes((tiny["folder"] / "model.safetensors").read_bytes()[:1000])
    with pytest.raises(PretrainedUnavailable, match="damaged"):  # an interrupted copy
        load_pretrained(str(broken))
    with pytest.raises(PretrainedUnavailable, match="no folder"):
        load_pretrained(str(tmp_path / "missing" / "clip"))
    from transformers import BertConfig

    BertConfig(num_hidden_layers=1, hidden_size=8, num_attention_heads=1).save_pretrained(tmp_path / "bert")
    with pytest.raises(ValueError, match="not a CLIP") as caught:
        load_pretrained(str(tmp_path / "bert"))
    assert not isinstance(caught.value, PretrainedUnavailable)


def test_save_round_trip_and_source_choice(tiny, tmp_path, monkeypatch):
    tiny["model"].save(tmp_path / "copy")
    again = load_pretrained(str(tmp_path / "copy"))
    with torch.no_grad():
        assert torch.equal(again(toy_images(2), again.tokenizer(CAPTIONS)),
                           tiny["model"](toy_images(2), tiny["model"].tokenizer(CAPTIONS)))
    monkeypatch.delenv("CLIP_LAB_PRETRAINED", raising=False)
    assert pretrained.pretrained_source() == "openai/clip-vit-base-patch32"
    monkeypatch.setenv("CLIP_LAB_PRETRAINED", "/models/clip")
    assert pretrained.pretrained_source() == "/models/clip"
    assert pretrained.pretrained_source("./mine") == "./mine"


def test_importing_the_module_does_not_import_transformers():
    code = "import sys, clip_core.pretrained; assert 'transformers' not in sys.modules, 'transformers imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
