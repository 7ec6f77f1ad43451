"""The k-shot linear probe (clip_core.probe) against scikit-learn's logistic regression, and its helpers."""

import numpy as np
import pytest
import torch

from clip_core.probe import crossing_point, fit_logistic, k_shot_curve, k_shot_indices


def _blobs(n_per_class: int, classes: int = 5, dim: int = 8, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, dim))
    labels = np.repeat(np.arange(classes), n_per_class)
    features = centres[labels] + 0.8 * rng.normal(size=(len(labels), dim))
    features /= np.linalg.norm(features, axis=1, keepdims=True)  # unit vectors, like CLIP embeddings
    return torch.tensor(features, dtype=torch.float32), labels


@pytest.mark.parametrize("C", [0.5, 10.0])
def test_the_probe_matches_scikit_learn(C):
    sklearn = pytest.importorskip("sklearn.linear_model")
    features, labels = _blobs(12)
    ours = fit_logistic(features, labels, num_classes=5, C=C)
    reference = sklearn.LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(features.double().numpy(), labels)
    np.testing.assert_allclose(ours.weight.numpy(), reference.coef_, atol=2e-4)
    # the intercept is unpenalised, so it is only defined up to a shift shared by every class
    np.testing.assert_allclose(ours.bias.numpy() - ours.bias.numpy().mean(),
                               reference.intercept_ - reference.intercept_.mean(), atol=2e-4)
    test, _ = _blobs(20, seed=1)
    assert np.array_equal(ours.predict(test).numpy(), reference.predict(test.double().numpy()))


def test_stronger_regularisation_shrinks_the_weights():
    features, labels = _blobs(6)
    loose, tight = fit_logistic(features, labels, 5, C=100.0), fit_logistic(features, labels, 5, C=0.01)
    assert tight.weight.norm() < 0.2 * loose.weight.norm()


def test_k_shot_indices_take_k_of_every_class():
    labels = np.repeat(np.arange(4), 10)
    index = k_shot_indices(labels, 3, np.random.default_rng(0))
    assert len(index) == 12 and len(set(index)) == 12
    assert np.array_equal(np.bincount(labels[index]), [3, 3, 3, 3])


def test_more_labelled_pictures_help_and_draws_differ():
    pool, pool_labels = _blobs(16, seed=2)
    test, test_labels = _blobs(30, seed=3)
    curve = k_shot_curve(pool, pool_labels, test, test_labels, num_classes=5, shots=(1, 16), draws=4)
    assert [row["k"] for row in curve] == [1, 16] and all(len(row["accuracies"]) == 4 for row in curve)
    assert curve[1]["mean"] > curve[0]["mean"]
    assert curve[0]["max"] > curve[0]["min"]  # one picture per class: the draw matters
    assert curve[1]["std"] == pytest.approx(0.0)  # 16 of 16: every draw is the whole pool


def test_crossing_point_interpolates_on_a_log_scale():
    curve = [{"k": 1, "mean": 0.2}, {"k": 2, "mean": 0.4}, {"k": 4, "mean": 0.6}, {"k": 8, "mean": 0.8}]
    assert crossing_point(curve, 0.6) == pytest.approx(4.0)
    assert crossing_point(curve, 0.7) == pytest.approx(2 ** 2.5)  # halfway between 4 and 8 in log2
    assert crossing_point(curve, 0.9) is None  # never reached
    assert crossing_point(curve, 0.1) == 1.0  # one picture already beats zero-shot
