"""Zero-shot classification: template ensembles, probabilities, template validation."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from clip_core.data import ShapesWorld
from clip_core.zeroshot import (
    TEMPLATE_SETS,
    check_template,
    class_embeddings,
    classify,
    ensemble_embeddings,
    evaluate_templates,
)

CLASSES = ["red circle", "blue square", "green ring", "white cross"]
TEMPLATES = TEMPLATE_SETS["ensemble"][:4]  # "a {}", "a photo of a {}.", "a small {}", "a large {}"


@pytest.fixture
def images():
    return ShapesWorld(0).test_set(1, "all").images[:10]


def _per_template_embeddings(model, templates, classnames) -> torch.Tensor:
    with torch.no_grad():
        return torch.stack([model.encode_text(model.tokenizer([t.format(c) for c in classnames]))
                            for t in templates])  # [T, C, d_e]


def test_embedding_ensemble_is_normalized_mean_of_normalized_embeddings(nano):
    per_template = _per_template_embeddings(nano, TEMPLATES, CLASSES)
    expected = F.normalize(F.normalize(per_template, dim=-1).mean(dim=0), dim=-1)  # [C, d_e]
    weights = class_embeddings(nano, nano.tokenizer, CLASSES, TEMPLATES, ensemble="embedding")
    assert weights.shape == (len(CLASSES), nano.config.embed_dim)
    assert torch.allclose(weights, expected, atol=1e-5)
    assert torch.allclose(weights.norm(dim=-1), torch.ones(len(CLASSES)), atol=1e-5)
    # the ensemble is not just one of its templates
    assert not torch.allclose(weights, per_template[0], atol=1e-3)


def test_ensemble_embeddings_weigh_every_template_alike_and_return_unit_vectors():
    generator = torch.Generator().manual_seed(0)
    per_template = torch.randn(3, 5, 8, generator=generator)  # [T, C, d_e], not unit length
    weights = ensemble_embeddings(per_template)
    expected = torch.stack([sum(F.normalize(per_template[t], dim=-1) for t in range(3))[c] for c in range(5)])
    assert torch.allclose(weights, F.normalize(expected, dim=-1), atol=1e-6)
    assert torch.allclose(weights.norm(dim=-1), torch.ones(5), atol=1e-6)
    # a template whose embeddings happen to be longer does not count for more
    louder = per_template.clone()
    louder[0] *= 10
    assert torch.allclose(ensemble_embeddings(louder), weights, atol=1e-6)
    assert torch.allclose(ensemble_embeddings(per_template[:1]), F.normalize(per_template[0], dim=-1), atol=1e-6)


def test_probability_ensemble_returns_per_template_embeddings(nano):
    per_template = class_embeddings(nano, nano.tokenizer, CLASSES, TEMPLATES, ensemble="probability")
    assert torch.allclose(per_template, _per_template_embeddings(nano, TEMPLATES, CLASSES), atol=1e-5)
    with pytest.raises(ValueError):
        class_embeddings(nano, nano.tokenizer, CLASSES, TEMPLATES, ensemble="vote")


def test_classify_embedding_ensemble(nano, images):
    with torch.no_grad():
        I_e = nano.encode_image(images)
    weights = F.normalize(F.normalize(_per_template_embeddings(nano, TEMPLATES, CLASSES), dim=-1).mean(0), dim=-1)
    expected = (nano.scale() * I_e @ weights.T).softmax(dim=-1)
    probs = classify(nano, nano.tokenizer, images, CLASSES, TEMPLATES, ensemble="embedding")
    assert probs.shape == (len(images), len(CLASSES))
    assert torch.allclose(probs, expected, atol=1e-5)
    assert torch.allclose(probs.sum(dim=-1), torch.ones(len(images)), atol=1e-5)


def test_classify_probability_ensemble_is_mean_of_per_template_softmaxes(nano, images):
    with torch.no_grad():
        I_e = nano.encode_image(images)
    per_template = _per_template_embeddings(nano, TEMPLATES, CLASSES)
    softmaxes = [(nano.scale() * I_e @ per_template[t].T).softmax(dim=-1) for t in range(len(TEMPLATES))]
    expected = torch.stack(softmaxes).mean(dim=0)
    probs = classify(nano, nano.tokenizer, images, CLASSES, TEMPLATES, ensemble="probability")
    assert torch.allclose(probs, expected, atol=1e-5)
    assert torch.allclose(probs.sum(dim=-1), torch.ones(len(images)), atol=1e-5)
    # the two ensembles are different computations
    embedding = classify(nano, nano.tokenizer, images, CLASSES, TEMPLATES, ensemble="embedding")
    assert not torch.allclose(probs, embedding, atol=1e-4)


def test_classify_uses_the_given_scale_and_embeddings(nano, images):
    with torch.no_grad():
        I_e = nano.encode_image(images)
    sharp = classify(nano, nano.tokenizer, images, CLASSES, ["a {}"], logit_scale=100.0)
    flat = classify(nano, nano.tokenizer, images, CLASSES, ["a {}"], logit_scale=0.0)
    assert torch.allclose(flat, torch.full_like(flat, 1 / len(CLASSES)), atol=1e-6)
    assert sharp.max() > flat.max()
    precomputed = classify(nano, nano.tokenizer, images, CLASSES, ["a {}"], image_embeddings=I_e)
    assert torch.allclose(precomputed, classify(nano, nano.tokenizer, images, CLASSES, ["a {}"]), atol=1e-6)


@pytest.mark.parametrize("template", ["no braces", "{} {}", "{0}", "{label}", "a {} }", "a { {}"])
def test_check_template_rejects(template):
    with pytest.raises(ValueError):
        check_template(template)


@pytest.mark.parametrize("template", ["{}", "a photo of a {}.", "a {} in the center"])
def test_check_template_accepts(template):
    check_template(template)  # does not raise


def test_class_embeddings_rejects_a_bad_template(nano):
    with pytest.raises(ValueError):
        class_embeddings(nano, nano.tokenizer, CLASSES, ["a {label}"])


def test_evaluate_templates_agrees_with_classify(nano):
    world = ShapesWorld(0)
    test = world.test_set(2, "all")
    classnames = world.classes("colour_shape")
    labels = np.array([classnames.index(p) for p in test.attributes.pair_names()])
    held = world.is_held_out(test.attributes)
    templates = ["a {}", "a photo of a {}."]
    rows = evaluate_templates(nano, nano.tokenizer, test.images, labels, classnames, templates,
                              groups={"seen": ~held, "held_out": held})
    assert [r["template"] for r in rows] == [*templates, "ensemble (embedding)", "ensemble (probability)"]
    cases = [([t], "embedding") for t in templates] + [(templates, "embedding"), (templates, "probability")]
    for row, (used, ensemble) in zip(rows, cases, strict=True):
        correct = classify(nano, nano.tokenizer, test.images, classnames, used, ensemble).argmax(-1).numpy() == labels
        assert row["accuracy"] == pytest.approx(correct.mean())
        assert row["seen"] == pytest.approx(correct[~held].mean())
        assert row["held_out"] == pytest.approx(correct[held].mean())


_TEMPLATE_ORDER_SCRIPT = textwrap.dedent("""
    import json
    import clip_core.zeroshot as zeroshot
    from clip_core.data import ShapesWorld

    def fake_evaluate(model, tokenizer, images, labels, classnames, templates, groups=None, ensembles=True):
        return [{"template": t, "accuracy": 0.0, "seen": 0.0, "held_out": 0.0} for t in templates]

    class NoModel:
        tokenizer = None

    zeroshot.evaluate_templates = fake_evaluate
    report = zeroshot.zero_shot_report(NoModel(), ShapesWorld(0), n_per_pair=1)
    print(json.dumps([row["template"] for row in report["templates"]]))
""")


@pytest.mark.slow
def test_zero_shot_report_template_order_does_not_depend_on_hash_seed():
    # metrics.json written by one process must list its rows in the same order as any other run
    processes = []
    for hash_seed in ("0", "1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        processes.append(subprocess.Popen([sys.executable, "-c", _TEMPLATE_ORDER_SCRIPT], env=env,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    orders = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        orders.append(json.loads(out.strip().splitlines()[-1]))
    assert all(order == orders[0] for order in orders), orders
