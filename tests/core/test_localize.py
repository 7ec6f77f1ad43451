"""Similarity maps and the localisation hit rate (clip_core.localize), each recomputed independently:
the patch map from the ViT's own modules with the patches cut out by hand, the window map by a
plain loop over crops, the pixel map pixel by pixel, and the hit rate by a direct loop over scenes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from clip_core import checkpoint, get_preset
from clip_core.config import ModelConfig
from clip_core.localize import (
    SimilarityMap,
    absent_objects,
    grid_chance,
    hit_rate,
    patch_scores,
    peak,
    query_embeddings,
    similarity_map,
    window_scores,
    window_starts,
    windows_to_pixels,
)
from clip_core.scenes import RelationWorld
from clip_core.train import build_model
from clip_core.zeroshot import class_embeddings

WORLD = RelationWorld(0)
RELATIONS = Path(__file__).resolve().parents[2] / "assets" / "toy_clip_relations"


@pytest.fixture(scope="module")
def vit():
    return build_model(get_preset("nano").model, WORLD, seed=3).eval()


@pytest.fixture(scope="module")
def scenes():
    return WORLD.pair_test_set(4, seed=11)


def queries_for(model, scenes, k: int = 0) -> torch.Tensor:
    return query_embeddings(model, [f"a {scenes.pairs.object_name(i, k)}" for i in range(len(scenes.images))])


def test_query_templates_are_averaged_as_zero_shot_class_embeddings(vit):
    queries, templates = ["red circle", "blue square"], ("{}", "a photo of a {}.", "a small {}")
    weights = class_embeddings(vit, vit.tokenizer, queries, list(templates))  # zero-shot's ensemble
    assert torch.allclose(query_embeddings(vit, queries, templates), weights, atol=1e-6)
    assert not torch.allclose(query_embeddings(vit, queries), weights, atol=1e-3)


@torch.no_grad()
def patch_map_by_hand(model, images: torch.Tensor, T_e: torch.Tensor) -> torch.Tensor:
    """Cut each 8-px patch out, embed it with the patchify weights, run the ViT's blocks, and send
    every patch token through ln_post and W_i, the class token's path."""
    visual, p = model.visual, model.config.patch_size
    g = images.shape[-1] // p
    x = images * 2 - 1
    patches = [F.conv2d(x[:, :, r * p:(r + 1) * p, c * p:(c + 1) * p], visual.patchify.weight,
                        visual.patchify.bias)[:, :, 0, 0] for r in range(g) for c in range(g)]  # g*g x [n, w]
    tokens = torch.stack([visual.class_embedding.expand(len(images), -1), *patches], dim=1)
    tokens = visual.ln_post(visual.blocks(visual.ln_pre(tokens + visual.positional_embedding)))
    assert torch.allclose(F.normalize(tokens[:, 0] @ model.image_projection, dim=-1), model.encode_image(images),
                          atol=1e-5)  # the class token's path is encode_image
    maps = torch.zeros(len(images), g, g)
    for i in range(len(images)):
        for r in range(g):
            for c in range(g):
                e = tokens[i, 1 + r * g + c] @ model.image_projection
                maps[i, r, c] = (e / e.norm()) @ T_e[i]
    return maps


def test_the_patch_map_matches_a_hand_computation(vit, scenes):
    T_e = queries_for(vit, scenes)
    mine = patch_scores(vit, scenes.images, T_e)
    assert mine.shape == (4, 4, 4)
    assert torch.allclose(mine, patch_map_by_hand(vit, scenes.images, T_e), atol=1e-5)
    assert mine.abs().max() <= 1 + 1e-6


@torch.no_grad()
def window_map_by_loop(model, image: torch.Tensor, T_e: torch.Tensor, size: int, stride: int) -> torch.Tensor:
    side = image.shape[-1]
    corners = list(range(0, side - size + 1, stride))
    if corners[-1] != side - size:
        corners.append(side - size)
    crops = [F.interpolate(image[None, :, y:y + size, x:x + size], size=(side, side), mode="bilinear",
                           align_corners=False)[0] for y in corners for x in corners]
    embeddings = model.encode_image(torch.stack(crops))  # one call for speed; row a * k + b is window (a, b)
    out = torch.zeros(len(corners), len(corners))
    for a in range(len(corners)):
        for b in range(len(corners)):
            out[a, b] = embeddings[a * len(corners) + b] @ T_e
    return out


@pytest.mark.parametrize("size, stride", [(16, 4), (12, 8)])
def test_the_window_map_matches_a_loop_over_crops(vit, scenes, size, stride):
    T_e = queries_for(vit, scenes, k=1)
    mine = window_scores(vit, scenes.images[:2], T_e[:2], size, stride, chunk=7)
    for i in range(2):
        assert torch.allclose(mine[i], window_map_by_loop(vit, scenes.images[i], T_e[i], size, stride), atol=1e-5)


def test_each_pixel_is_the_mean_of_the_windows_covering_it():
    side, size, stride = 32, 12, 8
    starts = window_starts(side, size, stride)
    assert starts == [0, 8, 16, 20]  # the last window reaches the far edge
    assert window_starts(32, 16, 4) == [0, 4, 8, 12, 16]
    scores = torch.randn(2, len(starts), len(starts), generator=torch.Generator().manual_seed(0))
    pixels = windows_to_pixels(scores, side, size, stride)
    for i in range(2):
        for y in range(0, side, 3):
            for x in range(0, side, 5):
                covering = [scores[i, a, b] for a, y0 in enumerate(starts) for b, x0 in enumerate(starts)
                            if y0 <= y < y0 + size and x0 <= x < x0 + size]
                assert pixels[i, y, x] == pytest.approx(float(sum(covering) / len(covering)), abs=1e-6)
    with pytest.raises(ValueError):
        window_starts(32, 40, 4)


def test_the_peak_is_the_centre_of_the_best_cell_and_chance_counts_centres():
    scores = torch.zeros(2, 4, 4)
    scores[0, 2, 1] = 1.0  # row 2, column 1: centre (12, 20) px
    scores[1, 0, 0] = scores[1, 0, 3] = 1.0  # a tie: the mean of (4, 4) and (28, 4)
    centres = (np.arange(4) + 0.5) * 8
    x, y = np.meshgrid(centres, centres, indexing="xy")
    sim = SimilarityMap("patches", scores, np.stack([x, y], axis=-1), torch.zeros(2, 32, 32))
    assert peak(sim).tolist() == [[12.0, 20.0], [16.0, 4.0]]
    boxes = np.array([[0, 0, 16, 16], [0, 0, 32, 8]], dtype=np.float32)
    assert grid_chance(sim, boxes).tolist() == [4 / 16, 4 / 16]


def peak_by_loop(model, image: torch.Tensor, query: str, method: str) -> np.ndarray:
    """The centre (x, y) of the best patch or window for one query on one picture."""
    side = image.shape[-1]
    T_e = F.normalize(model.encode_text(model.tokenizer([query]))[0], dim=-1)
    if method == "patches":
        grid = patch_map_by_hand(model, image[None], T_e[None])[0]
        centres = (np.arange(grid.shape[0]) + 0.5) * (side // grid.shape[0])
    else:
        grid = window_map_by_loop(model, image, T_e, 16, 4)
        centres = np.array(window_starts(side, 16, 4)) + 8.0
    r, c = divmod(int(grid.argmax()), grid.shape[1])
    return np.array([centres[c], centres[r]])


def in_box(point, box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def hit_rate_by_loop(model, scenes, method: str) -> dict:
    """One scene and one query at a time: map, best cell, its centre, in which box."""
    hits = nearer = absent_on = 0
    names = absent_objects(scenes.pairs)
    for i, (image, boxes) in enumerate(zip(scenes.images, scenes.boxes, strict=True)):
        middle = [(b[:2] + b[2:]) / 2 for b in boxes]
        for k in range(2):
            point = peak_by_loop(model, image, f"a {scenes.pairs.object_name(i, k)}", method)
            hits += in_box(point, boxes[k])
            nearer += np.linalg.norm(point - middle[k]) < np.linalg.norm(point - middle[1 - k])
        point = peak_by_loop(model, image, f"a {names[i]}", method)
        absent_on += in_box(point, boxes[0]) or in_box(point, boxes[1])
    return {"hits": hits, "two_way_hits": nearer, "absent_on_object": absent_on, "queries": 2 * len(scenes.images)}


@pytest.mark.parametrize("method", ["patches", "windows"])
def test_the_hit_rate_matches_a_direct_loop(vit, scenes, method):
    result = hit_rate(vit, scenes, method)
    expected = hit_rate_by_loop(vit, scenes, method)
    assert {k: result[k] for k in expected} == expected
    assert result["rate"] == expected["hits"] / 8
    assert result["hits"] + result["on_other"] + result["background"] == 8
    assert 0 < result["area_chance"] < result["grid_chance"] < 0.5  # grid centres crowd the middle
    assert hit_rate(vit, scenes, method) == result  # deterministic


def test_absent_objects_share_nothing_with_the_scene(scenes):
    for i, name in enumerate(absent_objects(scenes.pairs)):
        colour, shape = name.split()
        for k in range(2):
            assert colour not in scenes.pairs.object_name(i, k) and shape not in scenes.pairs.object_name(i, k)
    assert absent_objects(scenes.pairs) == absent_objects(scenes.pairs)


def test_a_resnet_has_no_patch_map_but_windows_work(scenes):
    config = ModelConfig(image_encoder="resnet", vision_layers=1, vision_width=32, resnet_widths=(8, 16, 32))
    model = build_model(config, WORLD).eval()
    T_e = queries_for(model, scenes)
    with pytest.raises(ValueError, match="ViT"):
        similarity_map(model, scenes.images, T_e, "patches")
    sim = similarity_map(model, scenes.images[:2], T_e[:2], "windows")
    assert sim.scores.shape == (2, 5, 5) and sim.pixels.shape == (2, 32, 32)
    with pytest.raises(ValueError, match="method"):
        similarity_map(model, scenes.images, T_e, "pixels")


def test_the_two_object_checkpoint_finds_the_named_object_with_windows_not_with_patches():
    """What the lesson's figure and prose claim about the shipped two-object model: the windows'
    peak is nearer the named object almost always and inside its box well above chance; the patch
    tokens do no better than chance."""
    model, world, _ = checkpoint.load_with_world(RELATIONS)
    scenes = world.pair_test_set(64)
    windows = hit_rate(model, scenes, "windows")
    assert windows["two_way_rate"] > 0.9 and windows["rate"] > 1.5 * windows["grid_chance"], windows
    patches = hit_rate(model, scenes, "patches")
    assert patches["two_way_rate"] < 0.6 and patches["rate"] < 1.5 * patches["grid_chance"], patches
