"""Training slots for a job that runs on several processes at once.

Every lesson that trains runs its Start event in Gradio's "training" concurrency group, whose
limit is the operator's CLIP_LAB_TRAINING_SLOTS: one running event, one slot. A distributed run
keeps W CPU processes busy, so it must hold W slots. Its event holds one like any other; the
W - 1 more are taken from the same group's count while the run lasts (`SlotLoan`), so other
learners' trainings wait in the queue exactly as if W trainings were running.

Gradio's queue has no public call for this; the group's counter is read and changed on the
server's event loop (the only place the queue itself touches it), so a check-and-take cannot
interleave with the queue starting another event. tests/app/test_distributed_api.py checks that
the loan really holds the slots, so a Gradio change that breaks it fails a test.
"""

from __future__ import annotations

import anyio.from_thread

from lessons.common import limits

TRAINING_GROUP = "training"
TRAINING_SLOTS = limits.LIMITS.training_slots  # concurrent trainings; further learners wait in the queue


class SlotLoan:
    """Extra slots of a Gradio concurrency group, held by a running event until `give_back`.

    Args:
        blocks: the app's gr.Blocks (its queue exists once the app is launched).
        extra: slots to take beside the one the event itself holds.
    """

    def __init__(self, blocks, extra: int, group: str = TRAINING_GROUP):
        self.blocks, self.extra, self.group = blocks, extra, group
        self.held = 0

    def _event_queue(self):
        queue = getattr(self.blocks, "_queue", None)
        return None if queue is None else queue.event_queue_per_concurrency_id.get(self.group)

    def _on_loop(self, fn):
        """Run fn on the server's event loop (from a handler's worker thread), or here if already on it."""
        try:
            return anyio.from_thread.run_sync(fn)
        except RuntimeError:  # not in an AnyIO worker thread: the event loop itself, or no server at all
            return fn()

    def busy(self) -> tuple[int, int] | None:
        """(slots in use, limit) of the group, or None when there is no server queue (a direct call)."""
        event_queue = self._event_queue()
        if event_queue is None or event_queue.concurrency_limit is None:
            return None
        return self._on_loop(lambda: (event_queue.current_concurrency, event_queue.concurrency_limit))

    def try_take(self) -> bool:
        """Take the extra slots if they are free now. Without a server queue there is nothing to take."""
        event_queue = self._event_queue()
        if self.extra <= 0 or event_queue is None or event_queue.concurrency_limit is None:
            return True

        def take() -> bool:
            if event_queue.current_concurrency + self.extra <= event_queue.concurrency_limit:
                event_queue.current_concurrency += self.extra
                self.held = self.extra
                return True
            return False

        return self._on_loop(take)

    def give_back(self) -> None:
        event_queue = self._event_queue()
        if not self.held or event_queue is None:
            return
        held, self.held = self.held, 0

        def release() -> None:
            event_queue.current_concurrency -= held

        self._on_loop(release)
