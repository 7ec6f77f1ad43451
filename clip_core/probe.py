"""Few-shot linear probes on frozen image embeddings: how many labelled pictures is a prompt worth?

The CLIP paper (section 3.1.5, figure 7) fits an L2-regularised logistic regression on k labelled
images per class, using the frozen image features, and compares it with zero-shot classification
from prompts on the same features: zero-shot CLIP matched a 4-shot probe on average. Here the
probe is fitted with full-batch L-BFGS on the same objective as scikit-learn's
`LogisticRegression(C=...)` (multinomial, unpenalised intercept), so a test can check it against
that reference; k-shot training sets are drawn at random several times to show the spread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

SHOTS: tuple[int, ...] = (1, 2, 4, 8, 16)
DEFAULT_C = 10.0  # inverse regularisation strength, as scikit-learn's C (fixed, not tuned per task)


@dataclass
class LinearProbe:
    """A multinomial logistic regression: logits = features @ weight.T + bias."""

    weight: torch.Tensor  # [C, d]
    bias: torch.Tensor  # [C]

    def predict(self, features: torch.Tensor) -> torch.Tensor:
        """Class index [n] of each row of features [n, d]."""
        return (features.double() @ self.weight.T + self.bias).argmax(dim=-1)


def fit_logistic(features: torch.Tensor, labels: np.ndarray | torch.Tensor, num_classes: int,
                 C: float = DEFAULT_C, max_iter: int = 500) -> LinearProbe:
    """Minimise C * sum_i CE(W x_i + b, y_i) + ||W||^2 / 2 with L-BFGS (scikit-learn's objective).

    Args:
        features: [n, d] frozen embeddings of the labelled images.
        labels: [n] class indices in [0, num_classes).
        C: inverse regularisation strength; larger fits the few labelled pictures more closely.
    """
    x = features.detach().double()  # [n, d]
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)  # [n]
    weight = torch.zeros(num_classes, x.shape[1], dtype=torch.float64, requires_grad=True)  # [C, d]
    bias = torch.zeros(num_classes, dtype=torch.float64, requires_grad=True)  # [C]
    optimizer = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=max_iter, tolerance_grad=1e-9,
                                  tolerance_change=1e-12, history_size=20, line_search_fn="strong_wolfe")

    def objective() -> torch.Tensor:
        optimizer.zero_grad()
        loss = C * F.cross_entropy(x @ weight.T + bias, y, reduction="sum") + 0.5 * (weight**2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(objective)
    return LinearProbe(weight.detach(), bias.detach())


def k_shot_indices(labels: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k random indices of every class present in labels (all of a class if it has fewer)."""
    chosen = [rng.choice(np.nonzero(labels == c)[0], size=min(k, int((labels == c).sum())), replace=False)
              for c in np.unique(labels)]
    return np.concatenate(chosen)


def k_shot_curve(train_features: torch.Tensor, train_labels: np.ndarray, test_features: torch.Tensor,
                 test_labels: np.ndarray, num_classes: int, shots: tuple[int, ...] = SHOTS, draws: int = 5,
                 seed: int = 0, C: float = DEFAULT_C) -> list[dict]:
    """Test accuracy of probes fitted on k labelled images per class, for each k, over several draws.

    Args:
        train_features, train_labels: the pool the k-shot sets are drawn from ([N, d], [N]); it must
            hold at least max(shots) images of every class for the largest k to be exact.
        test_features, test_labels: where every probe is scored ([M, d], [M]), disjoint from the pool.

    Returns:
        one row per k: {"k", "mean", "std", "min", "max", "accuracies": [one per draw]}.
    """
    train_labels, test_labels = np.asarray(train_labels), np.asarray(test_labels)
    rng = np.random.default_rng(seed)
    rows = []
    for k in shots:
        accuracies = []
        for _ in range(draws):
            index = k_shot_indices(train_labels, k, rng)
            probe = fit_logistic(train_features[torch.from_numpy(index)], train_labels[index], num_classes, C)
            accuracies.append(float((probe.predict(test_features).numpy() == test_labels).mean()))
        rows.append({"k": k, "mean": float(np.mean(accuracies)), "std": float(np.std(accuracies)),
                     "min": min(accuracies), "max": max(accuracies), "accuracies": accuracies})
    return rows


def crossing_point(curve: list[dict], zero_shot: float) -> float | None:
    """The k (interpolated on a log2 scale) at which the mean probe accuracy first reaches zero_shot.

    Returns None when no probe of the curve reaches it, and the first k when the smallest probe
    already beats it (zero-shot is then worth less than one labelled picture per class).
    """
    for before, after in zip([None, *curve[:-1]], curve, strict=True):
        if after["mean"] >= zero_shot:
            if before is None:
                return float(after["k"])
            gain = after["mean"] - before["mean"]
            fraction = (zero_shot - before["mean"]) / gain if gain > 0 else 1.0
            return float(2 ** (math.log2(before["k"]) + fraction * (math.log2(after["k"]) - math.log2(before["k"]))))
    return None
