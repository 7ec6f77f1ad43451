"""Samples of the toy world as lessons show them: the seed range of the sample boxes, the seed a
Regenerate button asks for next, and (image, caption) items for a gr.Gallery."""

from __future__ import annotations

from lessons.common.plotting import to_pil

SEED_MAX = 2**31 - 1


def captioned(images, captions: list[str], pixels: int = 128) -> list[tuple]:
    """(image, caption) items for a gr.Gallery, upscaled without blurring."""
    return [(to_pil(image, pixels), caption) for image, caption in zip(images, captions, strict=True)]


def next_seed(seed) -> int:
    """The seed after this one (what Regenerate asks for); a cleared box starts again at 1."""
    try:
        value = int(seed)
    except (TypeError, ValueError):
        value = 0
    return (value + 1) % (SEED_MAX + 1)
