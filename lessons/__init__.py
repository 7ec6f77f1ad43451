"""The lessons of CLIP Lab in tab order: the registry, and nothing else.

Each lesson is a package (lessons/<id>/, the "Beyond the basics" ones under lessons/beyond/<id>/)
whose __init__ exposes `LESSON_ID`, `STRINGS` ({"en": {...}, "zh": {...}} UI strings) and
`build(ctx)`, which creates the tab's components inside the surrounding gr.Blocks and wires its
events (ctx: lessons.page.context.LessonContext). What lessons share is in lessons/common; the page
around them (header, links, strings table) in lessons/page. docs/ARCHITECTURE.md has the layers.
"""

from __future__ import annotations

from lessons import logit, logits, overview, search, temperature, toy_world, train, zeroshot
from lessons.beyond import (
    artdirector,
    bagofwords,
    crosslingual,
    distributed,
    localize,
    mistakes,
    negatives,
    photos,
    siglip,
)

LESSONS = [overview, toy_world, logits, temperature, train, zeroshot, search, logit]  # one tab each
# the last tab, "Beyond the basics", holds these as tabs of their own
BEYOND = [photos, mistakes, negatives, siglip, artdirector, localize, bagofwords, crosslingual, distributed]
ALL_LESSONS = LESSONS + BEYOND
BEYOND_ID = "beyond"
