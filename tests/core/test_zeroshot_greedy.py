"""Greedy forward selection of prompt templates: a handmade case whose path is known, and the
properties every path must have (best single first, strictly rising accuracy, a true stop)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from clip_core.data import ShapesWorld
from clip_core.zeroshot import TEMPLATE_SETS, class_embeddings, evaluate_templates, greedy_template_selection


def direction(degrees: float) -> list[float]:
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


# Four images on the unit circle: class 0 at 0 and 30 degrees, class 1 at 60 and 90 degrees.
IMAGES = torch.tensor([direction(a) for a in (0, 30, 60, 90)])  # [4, 2]
LABELS = np.array([0, 0, 1, 1])
# Each template puts the two class vectors at two angles; an image goes to the nearer one.
T0 = [direction(20), direction(120)]  # boundary at 70 degrees: the image at 60 is wrong (3/4)
T1 = [direction(-40), direction(80)]  # boundary at 20 degrees: the image at 30 is wrong (3/4)
T2 = [direction(180), direction(270)]  # points away from every image: all wrong (0/4)
# T0 + T1 averaged: class vectors at -10 and 100 degrees, boundary at 45: all right (4/4).
# T0 + T2 averaged: class vectors at 100 and 195 degrees: both class-1 images go wrong (2/4).


def templates(*sets) -> torch.Tensor:
    return torch.tensor(sets)  # [T, C=2, d=2]


def test_handmade_case_adds_the_complementary_template_then_stops():
    path = greedy_template_selection(IMAGES, templates(T0, T1, T2), LABELS)
    assert [row["selected"] for row in path] == [[0], [0, 1]]
    assert [row["added"] for row in path] == [0, 1]
    assert [row["accuracy"] for row in path] == [0.75, 1.0]


def test_handmade_case_stops_at_once_when_no_template_helps():
    path = greedy_template_selection(IMAGES, templates(T0, T2), LABELS)
    assert [row["selected"] for row in path] == [[0]]
    assert path[0]["accuracy"] == 0.75


def test_ties_go_to_the_template_listed_first_and_groups_are_reported():
    path = greedy_template_selection(IMAGES, templates(T2, T1, T0), LABELS,
                                     groups={"first_two": np.array([True, True, False, False])})
    assert [row["selected"] for row in path] == [[1], [1, 2]]  # T1 and T0 both score 3/4 alone
    assert path[0]["first_two"] == 0.5 and path[1]["first_two"] == 1.0


def test_max_templates_caps_the_path_and_bad_ensemble_is_refused():
    assert len(greedy_template_selection(IMAGES, templates(T0, T1, T2), LABELS, max_templates=1)) == 1
    with pytest.raises(ValueError):
        greedy_template_selection(IMAGES, templates(T0, T1), LABELS, ensemble="vote")


def brute_accuracy(images, per_template, labels, chosen, ensemble, scale) -> float:
    if ensemble == "embedding":
        weights = F.normalize(F.normalize(per_template[chosen], dim=-1).mean(0), dim=-1)
        scores = images @ weights.T
    else:
        scores = (scale * torch.einsum("nd,tcd->tnc", images, per_template[chosen])).softmax(-1).mean(0)
    return float((scores.argmax(-1).numpy() == labels).mean())


@pytest.mark.parametrize("ensemble", ["embedding", "probability"])
@pytest.mark.parametrize("seed", range(6))
def test_random_cases_have_a_rising_path_and_a_true_stop(ensemble, seed):
    generator = torch.Generator().manual_seed(seed)
    images = F.normalize(torch.randn(40, 6, generator=generator), dim=-1)
    per_template = F.normalize(torch.randn(8, 5, 6, generator=generator), dim=-1)
    labels = torch.randint(0, 5, (40,), generator=generator).numpy()
    scale = 10.0
    path = greedy_template_selection(images, per_template, labels, ensemble=ensemble, logit_scale=scale)
    singles = [brute_accuracy(images, per_template, labels, [t], ensemble, scale) for t in range(8)]
    assert path[0]["accuracy"] == pytest.approx(max(singles))
    assert path[0]["selected"] == [int(np.argmax(singles))]
    for before, after in zip(path, path[1:], strict=False):
        assert after["accuracy"] > before["accuracy"]  # never decreases; it stops instead
        assert after["selected"][:-1] == before["selected"]
    for row in path:
        assert row["accuracy"] == pytest.approx(
            brute_accuracy(images, per_template, labels, row["selected"], ensemble, scale))
    last = path[-1]["selected"]
    if len(last) < 8:  # it stopped because no remaining template raises the accuracy
        for t in set(range(8)) - set(last):
            assert brute_accuracy(images, per_template, labels, last + [t], ensemble, scale) <= path[-1]["accuracy"]


def test_on_a_model_the_first_step_is_the_best_row_of_evaluate_templates(nano):
    world = ShapesWorld(0)
    test = world.test_set(1, "all")
    classnames = world.classes("colour_shape")
    labels = np.array([classnames.index(p) for p in test.attributes.pair_names()])
    templates_list = TEMPLATE_SETS["ensemble"]
    rows = evaluate_templates(nano, nano.tokenizer, test.images, labels, classnames, templates_list)
    with torch.no_grad():
        images = nano.encode_image(test.images)
    per_template = class_embeddings(nano, nano.tokenizer, classnames, templates_list, "probability")
    path = greedy_template_selection(images, per_template, labels)
    singles = [row["accuracy"] for row in rows[: len(templates_list)]]
    assert path[0]["accuracy"] == pytest.approx(max(singles))
    if len(path[-1]["selected"]) == len(templates_list):  # all of them: the paper's embedding ensemble
        assert path[-1]["accuracy"] == pytest.approx(rows[-2]["accuracy"])
