"""Retrieval by cosine similarity: text -> image and image -> image."""

import pytest
import torch

from clip_core.data import ShapesWorld
from clip_core.retrieval import embed_gallery, search_images, similar_images


@pytest.fixture
def gallery() -> torch.Tensor:
    return ShapesWorld(0).test_set(1, "all").images  # one picture of every colour-shape pair


def test_embed_gallery_in_chunks_matches_one_pass(nano, gallery):
    with torch.no_grad():
        direct = nano.encode_image(gallery)
    chunked = embed_gallery(nano, gallery, batch_size=7)
    assert chunked.shape == direct.shape == (len(gallery), nano.config.embed_dim)
    assert torch.allclose(chunked, direct, atol=1e-5)


@pytest.mark.parametrize("k", [1, 5, 48, 100])
def test_search_images_returns_top_k_by_cosine(nano, gallery, k):
    indices, scores = search_images(nano, "a photo of a red circle.", gallery, k=k)
    expected_k = min(k, len(gallery))
    assert indices.shape == scores.shape == (expected_k,)
    assert len(set(indices.tolist())) == expected_k
    assert (scores[:-1] >= scores[1:]).all()  # best first

    with torch.no_grad():
        T_e = nano.encode_text(nano.tokenizer(["a photo of a red circle."]))[0]
        cosines = torch.nn.functional.cosine_similarity(nano.encode_image(gallery), T_e[None], dim=-1)  # [N]
    assert torch.allclose(scores, cosines[indices], atol=1e-5)
    # nothing outside the returned set scores higher than the last one returned
    rest = torch.ones(len(gallery), dtype=torch.bool)
    rest[indices] = False
    if rest.any():
        assert cosines[rest].max() <= scores[-1] + 1e-6
    assert indices[0] == cosines.argmax()


def test_search_accepts_precomputed_embeddings(nano, gallery):
    embeddings = embed_gallery(nano, gallery)
    from_images = search_images(nano, "a blue square", gallery, k=5)
    from_embeddings = search_images(nano, "a blue square", embeddings, k=5)
    assert torch.equal(from_images[0], from_embeddings[0])
    assert torch.allclose(from_images[1], from_embeddings[1], atol=1e-6)


def test_similar_images_returns_the_query_itself_first(nano, gallery):
    for query in (0, 17, 47):
        indices, scores = similar_images(nano, gallery[query], gallery, k=5)
        assert indices[0] == query
        assert scores[0] == pytest.approx(1.0, abs=1e-5)
        assert (scores[:-1] >= scores[1:]).all()


@pytest.mark.slow
def test_similar_images_finds_the_trained_neighbour(trained_nano):
    # a trained model: the nearest image to a red circle (other than itself) shares something with it
    model, world = trained_nano["model"], trained_nano["world"]
    gallery = world.test_set(2, "all")  # two images of every colour-shape pair
    pairs = gallery.attributes.pair_names()
    indices, scores = similar_images(model, gallery.images[0], gallery.images, k=3)
    assert indices[0] == 0 and scores[0] == pytest.approx(1.0, abs=1e-5)
    assert scores[1] < 0.9999  # different images: not collapsed onto one embedding
    colour, shape = pairs[0].split()
    assert any(word in pairs[indices[1]].split() for word in (colour, shape))
