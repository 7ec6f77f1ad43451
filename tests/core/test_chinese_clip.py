"""clip_core.pretrained on a Chinese-CLIP checkpoint, offline: a tiny random ChineseCLIPModel with a tiny
BERT vocabulary is saved to a folder in the hub's layout, loaded through load_pretrained, and must give
the same numbers as calling ChineseCLIPModel directly on what ChineseCLIPProcessor makes of the same
images and texts. Its text embedding is pooled at [CLS], not at the end of text as CLIP's is."""

from __future__ import annotations

import numpy as np
import pytest
import tiny_clip
import torch
import torch.nn.functional as F
from PIL import Image

from clip_core.pretrained import PretrainedUnavailable, WordPieceTokenizer, load_pretrained
from clip_core.retrieval import search_images
from clip_core.zeroshot import classify

CONTEXT_LENGTH = tiny_clip.CONTEXT_LENGTH
CAPTIONS = ["一张红色圆形的照片", "一个小的青色正方形，在右下角", "紫色十字", "a red circle 在左上角"]
CLASSNAMES = ["红色圆形", "蓝色正方形", "绿色三角形"]
TEMPLATES = ["一张{}的照片", "{}", "左上角有一个{}"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict:
    """A random tiny Chinese-CLIP saved to a folder, its in-memory reference and processor, and the loaded wrapper."""
    folder = tmp_path_factory.mktemp("tiny_chinese_clip")
    reference, processor = tiny_clip.save_tiny_chinese_clip(folder)
    return {"folder": folder, "reference": reference, "processor": processor, "model": load_pretrained(str(folder))}


def toy_images(n: int = 4) -> torch.Tensor:
    """ShapesWorld float images [n, 3, 32, 32] in [0, 1]."""
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
            Image.fromarray(rng.integers(0, 256, (64, 64), dtype=np.uint8), "L")]


@pytest.mark.parametrize("kind", ["toy tensor", "PIL photos"])
def test_logits_equal_transformers_chineseclipmodel(tiny, kind):
    model = tiny["model"]
    images = toy_images() if kind == "toy tensor" else photos()
    pictures = as_pictures(images) if kind == "toy tensor" else images
    with torch.no_grad():
        ours = model(images, model.tokenizer(CAPTIONS))  # [n, 4]
        inputs = tiny["processor"](text=CAPTIONS, images=pictures, padding=True, return_tensors="pt")
        expected = tiny["reference"](**inputs).logits_per_image
    difference = (ours - expected).abs().max().item()
    print(f"\nChinese-CLIP logits_per_image parity ({kind}): max abs difference {difference:.2e}, "
          f"logits from {expected.min().item():.3f} to {expected.max().item():.3f}")
    assert ours.shape == (len(pictures), len(CAPTIONS))
    assert difference < 1e-5


def test_tokens_and_mask_equal_chineseclipprocessor(tiny):
    model = tiny["model"]
    expected = tiny["processor"].tokenizer(CAPTIONS, padding=True, return_tensors="pt")
    tokens = model.tokenizer(CAPTIONS)
    assert torch.equal(tokens, expected["input_ids"])
    assert torch.equal(model.tokenizer.attention_mask(tokens), expected["attention_mask"])
    assert not expected["token_type_ids"].any()  # one segment: what the text tower passes
    assert (tokens == model.tokenizer.pad_id).any() and model.tokenizer.pad_id != model.tokenizer.eot_id
    assert isinstance(model.tokenizer, WordPieceTokenizer)


def test_zero_shot_probabilities_with_chinese_prompts_equal_direct_computation(tiny):
    model, reference, processor = tiny["model"], tiny["reference"], tiny["processor"]
    images = toy_images()
    probs = classify(model, model.tokenizer, images, CLASSNAMES, TEMPLATES)  # [4, 3]
    with torch.no_grad():
        pixel_values = processor(images=as_pictures(images), return_tensors="pt")["pixel_values"]
        image_embeds = F.normalize(reference.get_image_features(pixel_values=pixel_values).pooler_output, dim=-1)
        per_template = []
        for template in TEMPLATES:
            texts = processor.tokenizer([template.format(c) for c in CLASSNAMES], padding=True, return_tensors="pt")
            per_template.append(F.normalize(reference.get_text_features(**texts).pooler_output, dim=-1))
        weights = F.normalize(torch.stack(per_template).mean(dim=0), dim=-1)  # [3, d_e]
        expected = (reference.logit_scale.exp() * image_embeds @ weights.T).softmax(dim=-1)
    difference = (probs - expected).abs().max().item()
    print(f"\nChinese-CLIP zero-shot probability parity: max abs difference {difference:.2e}")
    assert probs.shape == (len(images), len(CLASSNAMES))
    assert torch.allclose(probs.sum(dim=-1), torch.ones(len(images)))
    assert difference < 1e-5


def test_text_features_are_the_cls_state_projected(tiny):
    model, reference, processor = tiny["model"], tiny["reference"], tiny["processor"]
    inputs = processor.tokenizer(CAPTIONS, padding=True, return_tensors="pt")
    with torch.no_grad():
        T_f = model.text(model.tokenizer(CAPTIONS))  # [4, d_t]
        cls_state = reference.text_model(**inputs).last_hidden_state[:, 0, :]  # [4, d_t]
        raw = model.encode_text(model.tokenizer(CAPTIONS), normalize=False)
        features = reference.get_text_features(**inputs).pooler_output
        last_real = inputs["attention_mask"].sum(dim=1) - 1  # the [SEP] positions, where CLIP would pool
        sep_state = reference.text_model(**inputs).last_hidden_state[torch.arange(len(CAPTIONS)), last_real]
    assert model.config.text_pooling == "[CLS]" and model.config.model_type == "chinese_clip"
    assert torch.allclose(T_f, cls_state, atol=1e-6)
    assert (T_f - sep_state).abs().max() > 1e-3  # pooling at [SEP] would be a different model
    assert torch.allclose(raw, features, atol=1e-6)


def test_padding_and_batch_do_not_change_a_text_embedding(tiny):
    model = tiny["model"]
    with torch.no_grad():
        alone = model.encode_text(model.tokenizer(["紫色十字"]))[0]
        batch = model.tokenizer(CAPTIONS)  # "紫色十字" padded to the longest caption
        in_batch = model.encode_text(batch)[2]
        unmasked = model.clip.text_model(input_ids=batch).last_hidden_state[2, 0] @ model.text_projection
    difference = (alone - in_batch).abs().max().item()
    print(f"\nChinese-CLIP text embedding alone vs padded in a batch: max abs difference {difference:.2e}")
    assert difference < 1e-6
    assert (F.normalize(unmasked, dim=-1) - alone).abs().max() > 1e-4  # attention is bidirectional: the mask matters


def test_wordpiece_tokenizer_interface(tiny):
    tokenizer, hf_tokenizer = tiny["model"].tokenizer, tiny["processor"].tokenizer
    text = "一张红色圆形的照片"
    ids = tokenizer.encode(text)
    assert ids[0] == tokenizer.sot_id == hf_tokenizer.cls_token_id
    assert ids[-1] == tokenizer.eot_id == hf_tokenizer.sep_token_id
    assert len(ids) == len(text) + 2  # one piece per Chinese character
    assert tokenizer.pieces(text) == list(text)
    assert tokenizer.pieces("a Red") == ["a", "r", "##e", "##d"]  # lower-cased, spelled in word pieces
    decoded = tokenizer.decode(ids)
    assert decoded == hf_tokenizer.decode(ids, skip_special_tokens=True) == "一 张 红 色 圆 形 的 照 片"
    assert decoded.replace(" ", "") == text
    assert tokenizer.unknown_words(text) == [] and tokenizer.unknown_words("a red circle，在左上角") == []
    assert tokenizer.unknown_words("一张鱼的照片 zebra 鱼 dog🐟") == ["鱼", "dog🐟"]  # BERT drops the whole word
    assert tokenizer.report("一张鱼的照片").unknown == ["鱼"]
    long_text = text * 4
    report = tokenizer.report(long_text)
    assert report.truncated and report.n_tokens == len(long_text) + 2
    assert not tokenizer.report(text).truncated
    long_ids = tokenizer.encode(long_text)
    assert len(long_ids) == CONTEXT_LENGTH == tokenizer.context_length and long_ids[-1] == tokenizer.eot_id
    assert tokenizer(long_text).shape == (1, CONTEXT_LENGTH)
    with pytest.raises(ValueError, match="end-of-text"):
        tokenizer.attention_mask(torch.tensor([[tokenizer.sot_id, 5, 6]]))


def test_tinyclip_interface_and_chinese_search(tiny):
    model, reference = tiny["model"], tiny["reference"]
    config = model.config
    assert (config.image_size, config.embed_dim, config.text_width, config.context_length) == (32, 16, 32, 32)
    assert config.vocab_size == len(tiny["processor"].tokenizer) and config.to_dict()["text_pooling"] == "[CLS]"
    assert model.num_parameters() == sum(p.numel() for p in reference.parameters())
    assert model.logit_scale is model.clip.logit_scale
    assert model.scale().item() == pytest.approx(reference.logit_scale.exp().item(), rel=1e-6)
    assert not model.training and not any(p.requires_grad for p in model.parameters())
    with torch.no_grad():
        I_e = model.encode_image(toy_images(6))
    assert torch.allclose(I_e.norm(dim=-1), torch.ones(6), atol=1e-6)
    indices, scores = search_images(model, "一张红色圆形的照片", I_e, k=3)
    assert len(indices) == 3 and bool((scores[:-1] >= scores[1:]).all())


def test_save_round_trip(tiny, tmp_path):
    tiny["model"].save(tmp_path / "copy")
    again = load_pretrained(str(tmp_path / "copy"))
    assert isinstance(again.tokenizer, WordPieceTokenizer)
    with torch.no_grad():
        assert torch.equal(again(toy_images(2), again.tokenizer(CAPTIONS)),
                           tiny["model"](toy_images(2), tiny["model"].tokenizer(CAPTIONS)))


def test_other_models_are_still_refused(tmp_path):
    from transformers import BertConfig, ChineseCLIPTextConfig

    BertConfig(num_hidden_layers=1, hidden_size=8, num_attention_heads=1).save_pretrained(tmp_path / "bert")
    ChineseCLIPTextConfig(num_hidden_layers=1, hidden_size=8, num_attention_heads=1).save_pretrained(tmp_path / "text")
    for folder, model_type in [("bert", "bert"), ("text", "chinese_clip_text_model")]:  # a text tower alone too
        with pytest.raises(ValueError, match=f"'{model_type}' model, not a CLIP.*'clip' or 'chinese_clip'") as caught:
            load_pretrained(str(tmp_path / folder))
        assert not isinstance(caught.value, PretrainedUnavailable)
