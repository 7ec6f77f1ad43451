"""Operator limits: how much work one request or one training job may ask for.

Every limit has a default that suits a laptop serving a class, and an environment variable the
operator can set before starting the app (e.g. `CLIP_LAB_MAX_STEPS=5000 make run`). Values are read
when the app starts; a value that is not a positive number stops start-up with a clear message.
A request over a limit is refused with a message that names the variable (`over_limit`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields

PREFIX = "CLIP_LAB_"


def _limit(default, meaning: str):
    return field(default=default, metadata={"meaning": meaning})


@dataclass(frozen=True)
class Limits:
    """Caps on the work of one request or job; the defaults keep a 2-core laptop responsive."""

    max_upload_mb: float = _limit(10.0, "size of one uploaded image, in MB")
    max_checkpoint_mb: float = _limit(20.0, "size of one uploaded .safetensors model, in MB")
    max_image_side: int = _limit(4096, "pixels per side of an uploaded image (read from its header, before decoding)")
    max_photos: int = _limit(32, "images in one upload of the “Your photos” tab")
    max_captions: int = _limit(16, "captions of one logits matrix on your photos")
    max_classes: int = _limit(100, "class names in one zero-shot list")
    max_templates: int = _limit(32, "prompt templates in one zero-shot run")
    max_class_chars: int = _limit(40, "characters of one zero-shot class name")
    max_template_chars: int = _limit(100, "characters of one prompt template")
    max_text_chars: int = _limit(200, "characters of one caption or search query")
    max_gallery: int = _limit(480, "images in the search lesson's generated gallery (a multiple of the number of "
                                   "colour–shape pairs is used)")
    max_test_set: int = _limit(1920, "test images in one zero-shot template comparison (the same number per "
                                     "colour–shape pair)")
    max_batch: int = _limit(256, "training batch size")
    max_steps: int = _limit(20000, "steps of one training run")
    max_train_seconds: float = _limit(600.0, "wall time of one training job (start or resume); then it pauses, "
                                             "keeping its model, and frees its slot")
    training_slots: int = _limit(2, "trainings that run at once; other learners wait in a queue")

    @classmethod
    def from_environment(cls, environ=None) -> Limits:
        """The defaults, with every CLIP_LAB_<FIELD> variable set in `environ` (default os.environ)."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(variable(f.name))
            if raw is None or raw == "":
                continue
            kind = int if f.type in ("int", int) else float
            try:
                value = kind(raw)
            except ValueError:
                raise SystemExit(f"{variable(f.name)}={raw!r} must be a{'n' if kind is int else ''} "
                                 f"{'integer' if kind is int else 'number'}") from None
            if not (math.isfinite(value) and value > 0):
                raise SystemExit(f"{variable(f.name)}={raw!r} must be a positive finite number")
            values[f.name] = value
        return cls(**values)

    def table(self) -> list[tuple[str, str]]:
        """(environment variable, value) rows, e.g. for the README and the --limits flag."""
        return [(variable(f.name), str(getattr(self, f.name))) for f in fields(self)]

    def meanings(self) -> dict[str, str]:
        """environment variable -> what it limits."""
        return {variable(f.name): f.metadata["meaning"] for f in fields(self)}


def variable(name: str) -> str:
    """The environment variable of a limit: "max_steps" -> "CLIP_LAB_MAX_STEPS"."""
    return PREFIX + name.upper()


_HINT = {
    "en": "This is an operator limit: whoever runs CLIP Lab can raise it with {variable}.",
    "zh": "这是运行方设置的上限：运行 CLIP 实验室的人可以用 {variable} 调高它。",
}


def over_limit(name: str, lang: str = "en") -> str:
    """The sentence added to a refusal caused by limit `name`, in the learner's language."""
    return _HINT.get(lang, _HINT["en"]).format(variable=variable(name))


LIMITS = Limits.from_environment()  # fixed configuration, read once at start-up (not per-user state)
