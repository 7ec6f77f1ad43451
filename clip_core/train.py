"""A plain training loop for TinyCLIP on ShapesWorld (nanoGPT-style: it knows no UI).

`Trainer.step()` runs one optimisation step and returns its metrics; `Trainer.run(steps)` yields
them one by one so a caller (a progress bar, a Gradio generator, a benchmark) decides what to
show. AdamW with linear warm-up and cosine decay, weight decay on matrices only, and the logit
scale clamped to log(100) after each step, as in the CLIP paper (section 2.5) and open_clip.

Command line: python -m clip_core.train --preset default --out assets/toy_clip
"""

from __future__ import annotations

import argparse
import copy
import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import numpy as np
import torch

from .config import ModelConfig, TrainConfig, get_preset
from .data import ShapesWorld
from .loss import clip_loss
from .model import TinyCLIP
from .tokenizer import Tokenizer


@dataclass
class StepMetrics:
    """What one training step measured (accuracies are in-batch retrieval, 0..1)."""

    step: int
    loss: float
    acc_image_to_text: float
    acc_text_to_image: float
    logit_scale: float  # exp(t) after the step
    lr: float
    grad_norm: float
    data_seconds: float  # time spent sampling, rendering and tokenising the batch
    step_seconds: float  # wall time of the whole step, data included
    elapsed: float  # training wall time so far
    finite: bool = True  # False when the loss was NaN or inf (the step was not applied)

    def to_dict(self) -> dict:
        return asdict(self)


def build_model(config: ModelConfig, world: ShapesWorld, seed: int = 0) -> TinyCLIP:
    """A freshly initialised TinyCLIP whose tokenizer knows the world's vocabulary."""
    config = ModelConfig.from_dict(config.to_dict())
    config.image_size = world.image_size
    torch.manual_seed(seed)
    return TinyCLIP(config, Tokenizer(world.vocabulary(), config.context_length))


def lr_at(step: int, config: TrainConfig) -> float:
    """Linear warm-up to `lr`, then cosine decay to `lr * min_lr_ratio` at `steps`."""
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    progress = min(1.0, (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps))
    floor = config.lr * config.min_lr_ratio
    return floor + (config.lr - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


class Trainer:
    """Trains a model on a world; owns its optimiser and its own data stream.

    Args:
        model: a TinyCLIP with a tokenizer.
        world: where batches come from (only its 'train' split: held-out pairs never appear).
        config: batch size, schedule and seed. The same seed gives the same batches and curve.
    """

    def __init__(self, model: TinyCLIP, world: ShapesWorld, config: TrainConfig):
        if model.tokenizer is None:
            raise ValueError("the model needs a tokenizer to read captions")
        self.model, self.world, self.config = model, world, config
        self.tokenizer = model.tokenizer
        self.rng = np.random.default_rng([world.seed, config.seed])
        decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and p.requires_grad]
        no_decay = [p for n, p in model.named_parameters() if p.ndim < 2 and p.requires_grad]
        self.optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=config.lr, betas=(0.9, 0.98), eps=1e-6,
        )
        self.history: list[StepMetrics] = []
        self.steps_done = 0
        self.elapsed = 0.0

    def step(self) -> StepMetrics:
        """One optimisation step on a fresh batch."""
        start = time.perf_counter()
        batch = self.world.sample_batch(self.config.batch_size, "train", self.rng)
        tokens = self.tokenizer(batch.captions)  # [n, L]
        data_seconds = time.perf_counter() - start

        self.model.train()
        lr = lr_at(self.steps_done, self.config)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        logits_per_image = self.model(batch.images, tokens)  # [n, n]
        loss = clip_loss(logits_per_image)
        finite = bool(torch.isfinite(loss))
        grad_norm = float("nan")
        self.optimizer.zero_grad(set_to_none=True)
        if finite:
            loss.backward()
            clip = self.config.grad_clip if self.config.grad_clip > 0 else float("inf")
            grad_norm = float(torch.nn.utils.clip_grad_norm_(self.model.parameters(), clip))
            self.optimizer.step()
            with torch.no_grad():  # keep exp(t) <= max_logit_scale (open_clip does the same)
                self.model.logit_scale.clamp_(0, math.log(self.model.config.max_logit_scale))

        with torch.no_grad():
            labels = torch.arange(len(tokens))
            acc_i = (logits_per_image.argmax(dim=1) == labels).float().mean().item()
            acc_t = (logits_per_image.argmax(dim=0) == labels).float().mean().item()
        self.steps_done += 1
        step_seconds = time.perf_counter() - start
        self.elapsed += step_seconds
        metrics = StepMetrics(
            step=self.steps_done, loss=loss.item(), acc_image_to_text=acc_i, acc_text_to_image=acc_t,
            logit_scale=self.model.scale().item(), lr=lr, grad_norm=grad_norm,
            data_seconds=data_seconds, step_seconds=step_seconds, elapsed=self.elapsed, finite=finite,
        )
        self.history.append(metrics)
        return metrics

    def run(self, steps: int | None = None) -> Iterator[StepMetrics]:
        """Yield the metrics of `steps` more steps (default: what is left of the schedule)."""
        steps = self.config.steps - self.steps_done if steps is None else steps
        for _ in range(max(0, steps)):
            yield self.step()

    def snapshot(self) -> dict:
        """A deep copy of everything needed to resume (model, optimiser, data stream)."""
        return copy.deepcopy({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                              "rng": self.rng.bit_generator.state, "steps_done": self.steps_done})

    def restore(self, snapshot: dict) -> None:
        self.model.load_state_dict(snapshot["model"])
        self.optimizer.load_state_dict(snapshot["optimizer"])
        self.rng.bit_generator.state = snapshot["rng"]
        self.steps_done = snapshot["steps_done"]
        del self.history[self.steps_done:]


@torch.no_grad()
def in_batch_accuracy(model: TinyCLIP, world: ShapesWorld, batch_size: int = 64, batches: int = 8,
                      seed: int = 99) -> dict[str, float]:
    """Mean in-batch retrieval accuracy (both directions) on fresh training-split batches."""
    model.eval()
    rng = np.random.default_rng([world.seed, seed])
    acc_i, acc_t = [], []
    for _ in range(batches):
        batch = world.sample_batch(batch_size, "train", rng)
        logits = model(batch.images, model.tokenizer(batch.captions))
        labels = torch.arange(batch_size)
        acc_i.append((logits.argmax(1) == labels).float().mean().item())
        acc_t.append((logits.argmax(0) == labels).float().mean().item())
    return {"image_to_text": float(np.mean(acc_i)), "text_to_image": float(np.mean(acc_t))}


def main(argv: list[str] | None = None) -> None:
    from tqdm import tqdm

    from . import checkpoint
    from .zeroshot import zero_shot_report

    parser = argparse.ArgumentParser(description="Train a TinyCLIP on ShapesWorld.")
    parser.add_argument("--preset", default="default", help="named preset (see clip_core.config.PRESETS)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (default: the preset's)")
    parser.add_argument("--seed", type=int, default=None, help="training seed (default: the preset's)")
    parser.add_argument("--out", default=None, help="folder to write model.safetensors, config.json, metrics.json")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    preset = get_preset(args.preset)
    if args.steps is not None:
        preset.train.steps = args.steps
    if args.seed is not None:
        preset.train.seed = args.seed
    world = ShapesWorld(seed=preset.train.world_seed, image_size=preset.model.image_size)
    model = build_model(preset.model, world, seed=preset.train.seed)
    trainer = Trainer(model, world, preset.train)
    print(f"preset {args.preset}: {model.num_parameters():,} parameters, {preset.train.steps} steps "
          f"of batch {preset.train.batch_size}")
    with tqdm(total=preset.train.steps, unit="step", dynamic_ncols=True) as bar:
        for metrics in trainer.run():
            bar.update(1)
            if metrics.step % 10 == 0 or metrics.step == preset.train.steps:
                bar.set_postfix(loss=f"{metrics.loss:.3f}", acc=f"{metrics.acc_image_to_text:.2f}",
                                scale=f"{metrics.logit_scale:.1f}")
    report = {
        "preset": args.preset,
        "train_config": preset.train.to_dict(),
        "train_seconds": round(trainer.elapsed, 2),
        "in_batch_accuracy": in_batch_accuracy(model, world, preset.train.batch_size),
        "zero_shot": zero_shot_report(model, world),
        "history": [{"step": m.step, "loss": round(m.loss, 5), "acc_image_to_text": m.acc_image_to_text,
                     "acc_text_to_image": m.acc_text_to_image, "logit_scale": round(m.logit_scale, 4),
                     "elapsed": round(m.elapsed, 3)} for m in trainer.history],
    }
    best = report["zero_shot"]["best_template"]
    print(f"trained in {trainer.elapsed:.1f} s; in-batch image->text "
          f"{report['in_batch_accuracy']['image_to_text']:.3f}; zero-shot with {best['template']!r}: "
          f"seen {best['seen']:.3f}, held-out {best['held_out']:.3f}")
    if args.out:
        checkpoint.save(model, args.out, metrics=report)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
