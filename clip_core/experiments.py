"""Experiments built from `Trainer` runs: a correct and a changed model side by side, and a sweep of
batch sizes at a fixed budget of training images.

`side_by_side` trains the correct CLIP and a variant (classic mistakes, mistakes.py, or SigLIP's
sigmoid loss, Zhai et al. 2023) from the same seed on the same batches, in lockstep.
`batch_size_sweep` asks what more negatives per image buy (the CLIP paper trains with batches of
32,768, section 2.5): the same number of training images at each batch size, measured along the
way. Neither changes how a step trains: each run is a plain `Trainer`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

import numpy as np

from .config import ModelConfig, TrainConfig, siglip_config
from .data import ShapesWorld
from .mistakes import Mistakes, mistaken_config
from .train import StepMetrics, Trainer, build_model, in_batch_accuracy, make_world
from .zeroshot import zero_shot_report


class SideBySide:
    """Two trainers on one world with the same seed, so the same initial weights and batches:
    the correct CLIP and a variant (some mistakes, or the sigmoid loss). Under
    `duplicate_captions` the variant's captions differ; its images stay the same."""

    def __init__(self, correct: Trainer, variant: Trainer):
        self.correct, self.variant = correct, variant

    def step(self) -> tuple[StepMetrics, StepMetrics]:
        return self.correct.step(), self.variant.step()

    def run(self, steps: int | None = None) -> Iterator[tuple[StepMetrics, StepMetrics]]:
        """Yield (correct, variant) metrics of `steps` more steps (default: the rest of the schedule)."""
        steps = self.correct.config.steps - self.correct.steps_done if steps is None else steps
        for _ in range(max(0, steps)):
            yield self.step()


def side_by_side(model_config: ModelConfig, train_config: TrainConfig, mistakes: Mistakes | None = None,
                 loss: str = "clip", world: ShapesWorld | None = None) -> SideBySide:
    """Build the correct CLIP and a variant from the same seed, ready to train in lockstep.

    Args:
        model_config, train_config: the correct run's recipe (its `loss` is forced to "clip").
        mistakes: switches for the variant (with loss "clip").
        loss: the variant's loss; "siglip" gives it a bias b and t' = log 10 (`siglip_config`).
        world: shared by both runs (default: a fresh one from `train_config`, see `make_world`).
    """
    world = world or make_world(model_config, train_config)
    mistakes = mistakes or Mistakes()
    correct_config = replace(train_config, loss="clip")
    correct = Trainer(build_model(model_config, world, train_config.seed), world, correct_config)
    variant_model_config = siglip_config(model_config) if loss == "siglip" else mistaken_config(model_config, mistakes)
    variant = Trainer(build_model(variant_model_config, world, train_config.seed), world,
                      replace(train_config, loss=loss), mistakes)
    return SideBySide(correct, variant)


@dataclass
class BudgetPoint:
    """One evaluation of one run of `batch_size_sweep` (accuracies 0..1)."""

    batch_size: int
    step: int
    steps: int  # this run's schedule: image_budget // batch_size
    images_seen: int  # step * batch_size
    elapsed: float  # training wall time so far in seconds (evaluations left out)
    loss: float  # mean training loss since the previous point; chance is ln(batch_size), so runs differ
    in_batch_image_to_text: float  # on the same fixed batches of eval_batch_size for every run
    in_batch_text_to_image: float
    zero_shot_seen: float  # over all colour-shape classes, with one template
    zero_shot_held_out: float

    def to_dict(self) -> dict:
        return asdict(self)


def batch_size_sweep(model_config: ModelConfig, train_config: TrainConfig, image_budget: int = 128 * 150,
                     batch_sizes: tuple[int, ...] = (8, 32, 128), evaluations: int = 5, eval_batch_size: int = 64,
                     template: str = "a photo of a {}.", n_per_pair: int = 4,
                     world: ShapesWorld | None = None) -> Iterator[BudgetPoint]:
    """Spend the same number of training images at each batch size; yield measured accuracy.

    Every run starts from the same seed with the same peak learning rate; only the batch size,
    hence the number of negatives per image (batch_size - 1) and the number of steps
    (image_budget // batch_size), differ. The warm-up is kept at the same number of images.

    Args:
        image_budget: training images per run.
        evaluations: points per run, evenly spaced in steps (the last at the end of the schedule).
        eval_batch_size: in-batch accuracy is measured at this size for every run.
        template: the zero-shot prompt; n_per_pair: test images per colour-shape pair.
    """
    world = world or make_world(model_config, train_config)
    warmup_images = train_config.warmup_steps * train_config.batch_size
    for batch_size in batch_sizes:
        steps = image_budget // batch_size
        if steps < 1:
            raise ValueError(f"an image budget of {image_budget} is less than one batch of {batch_size}")
        config = replace(train_config, batch_size=batch_size, steps=steps,
                         warmup_steps=max(1, round(warmup_images / batch_size)))
        trainer = Trainer(build_model(model_config, world, config.seed), world, config)
        marks = sorted({max(1, round(steps * k / evaluations)) for k in range(1, evaluations + 1)})
        losses: list[float] = []
        for metrics in trainer.run(steps):
            losses.append(metrics.loss)
            if metrics.step not in marks:
                continue
            accuracy = in_batch_accuracy(trainer.model, world, eval_batch_size, batches=4)
            zero_shot = zero_shot_report(trainer.model, world, n_per_pair, [template])["best_template"]
            yield BudgetPoint(
                batch_size=batch_size, step=metrics.step, steps=steps, images_seen=metrics.step * batch_size,
                elapsed=metrics.elapsed, loss=float(np.mean(losses)),
                in_batch_image_to_text=accuracy["image_to_text"], in_batch_text_to_image=accuracy["text_to_image"],
                zero_shot_seen=zero_shot["seen"], zero_shot_held_out=zero_shot["held_out"],
            )
            losses = []
