"""The new-lesson example in docs/ARCHITECTURE.md section 5 runs as written: its handler returns the
session and a softmax that sums to 1, computed from the session's model."""

from __future__ import annotations

import re
import types
from pathlib import Path

import numpy as np
import pytest
import torch

from lessons.common.compute import demo_batch
from lessons.common.session import Session

DOC = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"


def example_source() -> str:
    section = DOC.read_text(encoding="utf-8").split("## 5.", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_example_is_about_thirty_lines():
    assert len(example_source().strip().splitlines()) <= 36


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_example_lesson_computes_a_softmax_of_its_model():
    source = example_source().replace("from .figures import bars_figure", "bars_figure = None")
    module = types.ModuleType("softmax_row")
    exec(compile(source, "ARCHITECTURE.md", "exec"), module.__dict__)  # noqa: S102 (our own documentation)
    shown = {}
    module.bars_figure = lambda probs, captions: shown.update(probs=probs, captions=captions) or "figure"
    session = Session()
    returned, figure = module.render(session, 0.5)
    assert returned is session and figure == "figure"
    batch = demo_batch(session.world, 8, 0)
    model = session.model()
    with torch.no_grad():
        cosines = (model.encode_image(batch.images)[0] @ model.encode_text(model.tokenizer(batch.captions)).T).numpy()
    expected = np.exp(cosines / 0.5) / np.exp(cosines / 0.5).sum()
    np.testing.assert_allclose(shown["probs"], expected, atol=1e-5)
    assert shown["captions"] == batch.captions and callable(module.build)
