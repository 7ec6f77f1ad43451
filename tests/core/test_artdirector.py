"""CLIP as an art director (clip_core.artdirector): the gradient reaches the pixels and equals an
independent autograd computation, the model's weights and buffers never change, the similarity
climbs past real pictures of the caption on the shipped checkpoint, runs are deterministic under a
seed, and jitter, blur and the smoothness penalty each change the computation as documented."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from clip_core import build_model, checkpoint, get_preset
from clip_core.artdirector import (
    ArtDirector,
    ArtDirectorConfig,
    caption_attributes,
    caption_words,
    gaussian_blur,
    image_encoder,
    real_pictures,
    total_variation,
)
from clip_core.data import COLOURS, SHAPES, ShapesWorld
from clip_core.zeroshot import classify

SHIPPED = Path(__file__).resolve().parents[2] / "assets" / "toy_clip"
PLAIN = dict(jitter=0, copies=1, blur=0.0, tv_weight=0.0)  # bare gradient ascent: no regulariser at all


@pytest.fixture(scope="module")
def shipped():
    if not SHIPPED.is_dir():
        pytest.skip(f"no shipped checkpoint at {SHIPPED} (make checkpoint)")
    return checkpoint.load(SHIPPED).eval()  # requires_grad True, as a freshly loaded model has it


def state(model) -> dict[str, torch.Tensor]:
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def test_gradients_reach_the_pixels_and_equal_autograd_of_the_cosine(shipped):
    director = ArtDirector(shipped, "a red circle", ArtDirectorConfig(**PLAIN, lr=0.05))
    z = director.logits.detach().clone().requires_grad_(True)
    before = director.picture().detach().clone()
    director.step()
    gradient = director.last_gradient
    assert gradient.shape == (1, 3, 32, 32) and torch.isfinite(gradient).all()
    assert (gradient != 0).float().mean() > 0.99  # every pixel of every channel feeds the ViT
    assert all(p.grad is None for p in shipped.parameters())  # only the pixels got a gradient
    # independently: -cos(encode_image(sigmoid(z)), encode_text(caption)), differentiated by autograd
    T_e = F.normalize(shipped.encode_text(shipped.tokenizer(["a red circle"])), dim=-1)[0].detach()
    loss = -(shipped.encode_image(torch.sigmoid(z))[0] @ T_e)
    (expected,) = torch.autograd.grad(loss, [z])
    torch.testing.assert_close(gradient, expected, rtol=1e-4, atol=1e-7)
    # Adam's first step moves every pixel logit by about lr against the gradient's sign
    moved = director.logits.detach() - z.detach()  # [1, 3, H, W]
    assert torch.equal(torch.sign(moved)[gradient != 0], -torch.sign(gradient)[gradient != 0])
    assert moved.abs().max().item() == pytest.approx(0.05, rel=1e-3)
    assert not torch.equal(director.picture().detach(), before)


@pytest.mark.parametrize("settings", [PLAIN, dict(jitter=3, copies=4, blur=1.0, tv_weight=0.5)])
def test_the_model_weights_and_buffers_never_change(shipped, settings):
    before = state(shipped)
    flags = [p.requires_grad for p in shipped.parameters()]
    director = ArtDirector(shipped, "a small blue square at the top left", ArtDirectorConfig(steps=15, **settings))
    for _ in director.run():
        pass
    after = state(shipped)
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert all(p.grad is None for p in shipped.parameters())
    assert [p.requires_grad for p in shipped.parameters()] == flags
    assert not shipped.training


def test_batchnorm_statistics_stay_put_and_a_model_in_training_mode_is_refused():
    # a ResNet image tower has BatchNorm: a forward pass in training mode would update its statistics
    config = dataclasses.replace(get_preset("nano").model, image_encoder="resnet", vision_layers=1)
    resnet = build_model(config, ShapesWorld(0), seed=0).eval()
    buffers = {k: v.clone() for k, v in resnet.named_buffers()}
    for _ in ArtDirector(resnet, "a green ring", ArtDirectorConfig(steps=5)).run():
        pass
    assert any("running_mean" in k for k in buffers)
    assert all(torch.equal(buffers[k], v) for k, v in resnet.named_buffers())
    with pytest.raises(ValueError, match="eval mode"):
        ArtDirector(copy.deepcopy(resnet).train(), "a green ring")


# every other colour, each with another shape, and one caption naming every attribute
RISING_CAPTIONS = [f"a {colour} {SHAPES[i % len(SHAPES)]}" for i, colour in enumerate(COLOURS) if i % 2 == 1] + [
    "a small white cross at the top right"]


@pytest.mark.parametrize("caption", [RISING_CAPTIONS[0], *(pytest.param(c, marks=pytest.mark.slow)
                                                             for c in RISING_CAPTIONS[1:])])
def test_similarity_rises_past_real_pictures_of_the_caption(shipped, caption):
    """The lesson's claim, with its default recipe: the optimised picture outscores the best of eight
    real pictures of its caption, and zero-shot classification takes it for the caption's class."""
    world = ShapesWorld(0)
    director = ArtDirector(shipped, caption, ArtDirectorConfig())
    records = list(director.run())
    similarity = np.array([r.similarity for r in records])
    assert len(similarity) == 301 and similarity[-1] > similarity[0] + 0.2
    assert similarity[-1] > 0.9
    assert (np.diff(similarity[:6]) > 0).sum() >= 4  # at first it climbs at (nearly) every step
    named = caption_attributes(caption)
    real = director.similarity(real_pictures(world, named, n=8)[0])
    assert real.min() > 0.3  # the caption does describe them: the yardstick is meaningful
    assert similarity[-1] > real.max().item()  # the adversarial point of the lesson
    classnames = world.classes("colour_shape")
    probs = classify(shipped, shipped.tokenizer, director.picture().detach(), classnames, ["a photo of a {}."])
    top3 = [classnames[i] for i in probs[0].topk(3).indices]
    assert f"{named['colour']} {named['shape']}" in top3, top3  # zero-shot reads the caption's class into it


def test_a_nudged_test_picture_passes_real_pictures_while_barely_changing(shipped):
    world = ShapesWorld(0)
    test = world.test_set(1, "all")
    start = test.images[test.attributes.pair_names().index("blue square")]
    director = ArtDirector(shipped, "a red circle", ArtDirectorConfig(steps=200, lr=0.01, **PLAIN), start=start)
    first = next(director.run())
    np.testing.assert_allclose(first.image, start.clamp(1e-3, 1 - 1e-3).numpy(), atol=1e-6)  # starts exactly there
    for _ in director.run():
        pass
    real = director.similarity(real_pictures(world, {"colour": "red", "shape": "circle"})[0])
    assert first.similarity < real.min().item() - 0.2  # it starts far below every real picture of the caption
    assert director.similarity().item() > real.mean().item()
    assert (director.picture().detach()[0] - start).abs().mean() < 0.12  # mean change on a 0-1 scale


def test_records_stream_the_picture_every_k_steps_and_at_the_ends(shipped):
    records = list(ArtDirector(shipped, "a red circle", ArtDirectorConfig(steps=23, image_every=5)).run())
    assert [r.step for r in records] == list(range(24))
    assert [r.step for r in records if r.image is not None] == [0, 5, 10, 15, 20, 23]
    assert np.isnan(records[0].objective) and records[0].gradient_norm == 0
    assert all(r.gradient_norm > 0 and np.isfinite(r.loss) for r in records[1:])
    image = records[-1].image
    assert image.shape == (3, 32, 32) and image.min() >= 0 and image.max() <= 1


def test_runs_are_deterministic_under_a_seed(shipped):
    def run(seed: int):
        director = ArtDirector(shipped, "a yellow triangle", ArtDirectorConfig(steps=30, jitter=3, copies=3,
                                                                                 seed=seed))
        records = list(director.run())
        return [r.similarity for r in records], [r.objective for r in records[1:]], records[-1].image

    a, b, c = run(7), run(7), run(8)
    assert a[0] == b[0] and a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])
    assert a[0][0] != c[0][0]  # another seed: other starting noise
    assert not np.array_equal(a[2], c[2])


def test_jitter_rolls_each_copy_by_a_random_shift_and_changes_the_gradient(shipped):
    plain = ArtDirector(shipped, "a cyan diamond", ArtDirectorConfig(**PLAIN))
    jittered = ArtDirector(shipped, "a cyan diamond", ArtDirectorConfig(**{**PLAIN, "jitter": 3, "copies": 4}))
    torch.testing.assert_close(plain.picture(), jittered.picture())  # same seed, same start
    picture = jittered.picture().detach()
    views = jittered.jittered(picture)
    assert views.shape == (4, 3, 32, 32)
    for view, (dy, dx) in zip(views, jittered.last_shifts, strict=True):
        assert -3 <= dy <= 3 and -3 <= dx <= 3
        assert torch.equal(view, torch.roll(picture[0], shifts=(dy, dx), dims=(1, 2)))
    shifts = set()
    for _ in range(5):
        plain.step()
        jittered.step()
        shifts.update(jittered.last_shifts)
        assert plain.last_shifts == [(0, 0)]
    assert len(shifts) > 3
    assert not torch.allclose(plain.last_gradient, jittered.last_gradient)


def test_blur_is_what_the_model_sees_and_smooths_the_picture(shipped):
    sharp = ArtDirector(shipped, "a cyan diamond", ArtDirectorConfig(**PLAIN))
    blurred = ArtDirector(shipped, "a cyan diamond", ArtDirectorConfig(**{**PLAIN, "blur": 1.0}))
    torch.testing.assert_close(blurred.picture(), gaussian_blur(torch.sigmoid(sharp.logits), 1.0))
    assert total_variation(blurred.picture()) < 0.5 * total_variation(sharp.picture())
    sharp.step()
    blurred.step()
    assert total_variation(blurred.last_gradient) < 0.7 * total_variation(sharp.last_gradient)  # smoothed too
    # the kernel sums to 1 (a flat picture stays flat) and spreads an impulse symmetrically
    flat = torch.full((1, 3, 16, 16), 0.3)
    torch.testing.assert_close(gaussian_blur(flat, 1.5), flat)
    impulse = torch.zeros(1, 3, 15, 15)
    impulse[..., 7, 7] = 1
    spread = gaussian_blur(impulse, 1.0)
    assert spread[0, 0, 7, 7] < 0.2 and spread[0, 0, 7, 8] == pytest.approx(spread[0, 0, 8, 7].item())
    assert spread.sum().item() == pytest.approx(3.0, rel=1e-5)
    assert torch.equal(gaussian_blur(impulse, 0.0), impulse)


def test_the_smoothness_penalty_adds_exactly_its_weight_times_the_tv_gradient(shipped):
    weight = 0.7
    plain = ArtDirector(shipped, "a purple ring", ArtDirectorConfig(**PLAIN))
    smooth = ArtDirector(shipped, "a purple ring", ArtDirectorConfig(**{**PLAIN, "tv_weight": weight}))
    z = plain.logits.detach().clone().requires_grad_(True)
    (tv_gradient,) = torch.autograd.grad(total_variation(torch.sigmoid(z)), [z])
    plain.step()
    smooth.step()
    torch.testing.assert_close(smooth.last_gradient - plain.last_gradient, weight * tv_gradient, rtol=1e-4,
                               atol=1e-7)


def test_the_caption_embedding_is_fixed_and_unit_length(shipped):
    director = ArtDirector(shipped, "a red circle", ArtDirectorConfig(steps=3))
    embedding = director.text_embedding.clone()
    assert embedding.norm().item() == pytest.approx(1.0, abs=1e-5) and not embedding.requires_grad
    for _ in director.run():
        pass
    assert torch.equal(director.text_embedding, embedding)


@pytest.mark.parametrize(("settings", "message"), [
    (dict(lr=float("nan")), "lr"), (dict(lr=0.0), "lr"), (dict(lr=float("inf")), "lr"), (dict(steps=-1), "steps"),
    (dict(copies=0), "copies"), (dict(jitter=-1), "jitter"), (dict(blur=float("nan")), "blur"),
    (dict(tv_weight=-0.1), "tv_weight"), (dict(image_every=0), "image_every"),
])
def test_settings_that_cannot_run_are_refused(nano, settings, message):
    with pytest.raises(ValueError, match=message):
        ArtDirector(nano, "a red circle", ArtDirectorConfig(**settings))


def test_caption_words_read_english_and_chinese_attributes():
    assert caption_attributes("A small red circle at the top left.") == {
        "colour": "red", "shape": "circle", "size": "small", "position": "top left"}
    assert caption_attributes("a photo of a large blue square in the center.") == {
        "colour": "blue", "shape": "square", "size": "large", "position": "center", "style": "photo"}
    assert caption_attributes("a sketch of a orange ring.") == {"colour": "orange", "shape": "ring", "style": "sketch"}
    assert caption_attributes("pixel art of a blue orange.") == {"colour": "blue", "shape": "orange", "style": "pixel"}
    assert caption_attributes("a photo of something orange.") == {"colour": "orange", "style": "photo"}
    assert caption_attributes("一个小的红色圆形，在左上角") == {
        "colour": "red", "shape": "circle", "size": "small", "position": "top left"}
    assert caption_attributes("右下角有一个绿色的圆环") == {"colour": "green", "shape": "ring",
                                                   "position": "bottom right"}
    assert caption_attributes("a photo of a cat") == {"style": "photo"}
    assert caption_attributes("a cat") == {}
    assert caption_attributes("redder squares") == {}  # whole words only
    assert caption_words("a red blue circle") == {"colour": ["red", "blue"], "shape": ["circle"]}
    with pytest.raises(ValueError, match="more than one colour"):
        caption_attributes("a red blue circle")


def test_real_pictures_show_what_the_caption_names_and_vary_the_rest():
    world = ShapesWorld(0)
    images, attributes = real_pictures(world, {"colour": "green", "shape": "ring"}, n=16, seed=3)
    assert images.shape == (16, 3, 32, 32)
    assert set(attributes.pair_names()) == {"green ring"}
    assert len(set(attributes.size.tolist())) == 2 and len(set(attributes.position.tolist())) > 2
    again, _ = real_pictures(world, {"colour": "green", "shape": "ring"}, n=16, seed=3)
    assert torch.equal(images, again)
    fixed, attributes = real_pictures(world, {"colour": "red", "shape": "circle", "size": "small",
                                              "position": "top left"}, n=4)
    assert set(attributes.size.tolist()) == {0} and set(attributes.position.tolist()) == {0}
    # the shape sits in the top-left quarter: that is where the red is
    red = fixed[:, 0] - fixed[:, 2]  # [n, H, W]
    assert (red[:, :16, :16].mean() > 5 * red[:, 16:, 16:].mean()).item()


def test_a_pretrained_clip_gets_pixel_gradients_through_a_torch_preprocess(tmp_path):
    """transformers' CLIP rounds pictures to 8 bits in its image processor (no gradient); the art
    director redoes resize and normalisation in torch, and matches it on 8-bit pictures."""
    import tiny_clip

    from clip_core.pretrained import load_pretrained

    tiny_clip.save_tiny_clip(tmp_path)
    model = load_pretrained(str(tmp_path))
    pictures = (torch.rand(3, 3, 32, 32, generator=torch.Generator().manual_seed(0)) * 255).round() / 255
    encode = image_encoder(model)
    torch.testing.assert_close(encode(pictures), model.encode_image(pictures), rtol=1e-4, atol=1e-5)
    x = pictures.clone().requires_grad_(True)
    assert model.encode_image(x).grad_fn is None  # the wrapper's own path cuts the gradient
    encode(x).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    # a larger picture is resized to the model's input size on the way in
    assert encode(torch.rand(2, 3, 48, 48)).shape == (2, model.config.embed_dim)
    before = state(model)
    director = ArtDirector(model, "a red circle", ArtDirectorConfig(steps=20, lr=0.1, **PLAIN))
    records = list(director.run())
    assert records[-1].similarity > records[0].similarity
    after = state(model)
    assert all(torch.equal(before[k], after[k]) for k in before)
