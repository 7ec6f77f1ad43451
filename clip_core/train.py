"""A plain training loop for TinyCLIP on ShapesWorld (nanoGPT-style: it knows no UI).

`Trainer.step()` runs one optimisation step and returns its metrics; `Trainer.run(steps)` yields
them one by one so a caller (a progress bar, a Gradio generator, a benchmark) decides what to
show. AdamW with linear warm-up and cosine decay, weight decay on matrices only, and the logit
scale clamped to log(100) after each step, as in the CLIP paper (section 2.5) and open_clip.
What a step optimises (CLIP's softmax loss or SigLIP's sigmoid loss, hard negatives, classic
mistakes) is an `objectives.Objective` chosen once from the recipe; experiments made of several
runs (a correct and a changed model side by side, a batch-size sweep) are in experiments.py.

Command line: python -m clip_core.train --preset default --out assets/toy_clip
(add --captions mixed for a model that reads English and Chinese; --workers N, or torchrun, trains
across processes: see clip_core.distributed).
"""

from __future__ import annotations

import argparse
import copy
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import numpy as np
import torch

from .bagofwords import bag_of_words_report
from .config import ModelConfig, TrainConfig, get_preset, siglip_config
from .data import CAPTION_LANGUAGES, ShapesWorld
from .mistakes import Mistakes
from .model import TinyCLIP
from .objectives import LOSSES, objective_for
from .prompts import prompt_report
from .scenes import RelationWorld
from .tokenizer import Tokenizer
from .zeroshot import knows_language, zero_shot_report

WORLDS = ("shapes", "relations")


@dataclass
class StepMetrics:
    """What one training step measured (accuracies are in-batch retrieval, 0..1)."""

    step: int
    loss: float
    acc_image_to_text: float
    acc_text_to_image: float
    logit_scale: float  # the scale the logits are multiplied by after the step (exp(t), clamped)
    lr: float
    grad_norm: float
    data_seconds: float  # time spent sampling, rendering and tokenising the batch
    step_seconds: float  # wall time of the whole step, data included
    elapsed: float  # training wall time so far
    finite: bool = True  # False when the loss was NaN or inf (the step was not applied)
    logit_bias: float | None = None  # SigLIP's learned bias b after the step (None for CLIP)

    def to_dict(self) -> dict:
        return asdict(self)


_BUILD_LOCK = threading.Lock()


def build_model(config: ModelConfig, world: ShapesWorld, seed: int = 0) -> TinyCLIP:
    """A freshly initialised TinyCLIP whose tokenizer knows the world's vocabulary."""
    config = ModelConfig.from_dict(config.to_dict())
    config.image_size = world.image_size
    with _BUILD_LOCK:  # torch's global generator: two learners building at once must not interleave
        torch.manual_seed(seed)
        return TinyCLIP(config, Tokenizer(world.vocabulary(), config.context_length))


def make_world(model_config: ModelConfig, train_config: TrainConfig) -> ShapesWorld:
    """The world a recipe trains on: its kind, world seed and caption language, the model's image size."""
    if train_config.world not in WORLDS:
        raise ValueError(f"world must be one of {WORLDS}, not {train_config.world!r}")
    if train_config.world == "relations":
        if train_config.caption_language != "en":
            raise ValueError("two-object scenes have English captions only")
        return RelationWorld(seed=train_config.world_seed, image_size=model_config.image_size,
                             pair_fraction=train_config.pair_fraction)
    return ShapesWorld(seed=train_config.world_seed, image_size=model_config.image_size,
                       caption_language=train_config.caption_language)


def lr_at(step: int, config: TrainConfig) -> float:
    """Linear warm-up to `lr`, then cosine decay to `lr * min_lr_ratio` at `steps`."""
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    progress = min(1.0, (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps))
    floor = config.lr * config.min_lr_ratio
    return floor + (config.lr - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def make_optimizer(model: TinyCLIP, config: TrainConfig) -> torch.optim.AdamW:
    """AdamW with the paper's betas and eps; weight decay on matrices only (not gains, biases, scale)."""
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and p.requires_grad]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2 and p.requires_grad]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=config.lr, betas=(0.9, 0.98), eps=1e-6,
    )


class Trainer:
    """Trains a model on a world; owns its optimiser and its own data stream.

    Args:
        model: a TinyCLIP with a tokenizer.
        world: where batches come from (only its 'train' split: held-out pairs never appear), with
            captions in the world's own caption_language (`make_world` builds it from a config).
        config: batch size, schedule, seed and loss. The same seed gives the same batches and curve.
        mistakes: classic mistakes to train with (CLIP loss only); None or all off is the correct CLIP.
    """

    def __init__(self, model: TinyCLIP, world: ShapesWorld, config: TrainConfig, mistakes: Mistakes | None = None):
        if model.tokenizer is None:
            raise ValueError("the model needs a tokenizer to read captions")
        if config.hard_negatives and not isinstance(world, RelationWorld):
            raise ValueError("hard negatives are swapped two-object captions: train them on the relations world")
        self.model, self.world, self.config = model, world, config
        self.mistakes = mistakes or Mistakes()
        self.tokenizer = model.tokenizer
        self.objective = objective_for(model, config, self.mistakes)
        # how this run scores pairs: the model itself, or a view with the mistakes in its forward
        self.scoring_model = self.objective.model
        self.rng = np.random.default_rng([world.seed, config.seed])
        self.optimizer = make_optimizer(model, config)
        self.history: list[StepMetrics] = []
        self.steps_done = 0
        self.elapsed = 0.0

    def step(self) -> StepMetrics:
        """One optimisation step on a fresh batch."""
        start = time.perf_counter()
        batch = self.world.sample_batch(self.config.batch_size, "train", self.rng,
                                        allow_ambiguous=self.objective.allow_ambiguous)
        tokens = self.tokenizer(self.objective.captions(batch))  # [n + extra captions, L]
        data_seconds = time.perf_counter() - start

        self.model.train()
        lr = lr_at(self.steps_done, self.config)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        loss, logits_per_image = self.objective(batch.images, tokens)  # logits over the true captions: [n, n]
        finite = bool(torch.isfinite(loss))
        grad_norm = float("nan")
        self.optimizer.zero_grad(set_to_none=True)
        if finite:  # a NaN or inf loss is reported, not applied
            loss.backward()
            clip = self.config.grad_clip if self.config.grad_clip > 0 else float("inf")
            grad_norm = float(torch.nn.utils.clip_grad_norm_(self.model.parameters(), clip))
            self.optimizer.step()
            with torch.no_grad():  # exp(t) <= max_logit_scale, as open_clip (unbounded under the no_clamp mistake)
                self.model.logit_scale.clamp_(0, self.objective.max_log_scale())

        with torch.no_grad():
            labels = torch.arange(len(batch.images))  # [n]
            acc_i = (logits_per_image.argmax(dim=1) == labels).float().mean().item()
            acc_t = (logits_per_image.argmax(dim=0) == labels).float().mean().item()
        self.steps_done += 1
        step_seconds = time.perf_counter() - start
        self.elapsed += step_seconds
        metrics = StepMetrics(
            step=self.steps_done, loss=loss.item(), acc_image_to_text=acc_i, acc_text_to_image=acc_t,
            logit_scale=self.scoring_model.scale().item(), lr=lr, grad_norm=grad_norm,
            data_seconds=data_seconds, step_seconds=step_seconds, elapsed=self.elapsed, finite=finite,
            logit_bias=None if self.model.logit_bias is None else self.model.logit_bias.item(),
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

    from . import checkpoint, launch

    parser = argparse.ArgumentParser(description="Train a TinyCLIP on ShapesWorld.")
    parser.add_argument("--preset", default="default", help="named preset (see clip_core.config.PRESETS)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (default: the preset's)")
    parser.add_argument("--seed", type=int, default=None, help="training seed (default: the preset's)")
    parser.add_argument("--out", default=None, help="folder to write model.safetensors, config.json, metrics.json")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--loss", choices=sorted(LOSSES), default=None, help="training loss (default: the preset's)")
    parser.add_argument("--hard-negatives", action="store_true",
                        help="relations world: train with each caption's swapped versions as extra negatives (NegCLIP)")
    parser.add_argument("--captions", choices=CAPTION_LANGUAGES, default=None,
                        help="caption language: English, Chinese, or each caption either at random "
                             "(default: the preset's)")
    parser.add_argument("--workers", type=int, default=1,
                        help="train in this many local processes (torch.distributed, gloo, 127.0.0.1); the preset's "
                             "batch is the global batch, split over them. Under torchrun its processes are the workers")
    parser.add_argument("--local-loss", action="store_true",
                        help="with several workers: each scores its own rows against all columns "
                             "(open_clip's local_loss)")
    parser.add_argument("--no-gather", action="store_true",
                        help="with several workers: each uses only its own pairs as negatives (no all-gather)")
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    preset = get_preset(args.preset)
    if args.steps is not None:
        preset.train.steps = args.steps
    if args.seed is not None:
        preset.train.seed = args.seed
    if args.loss == "siglip" and preset.train.loss != "siglip":
        preset.model = siglip_config(preset.model)
    if args.loss is not None:
        preset.train.loss = args.loss
    if args.captions is not None:
        preset.train.caption_language = args.captions
    if args.hard_negatives:
        preset.train.hard_negatives = True
    if args.workers > 1 or launch.under_torchrun():
        launch.train_command_line(preset, args)
        return
    world = make_world(preset.model, preset.train)
    model = build_model(preset.model, world, seed=preset.train.seed)
    trainer = Trainer(model, world, preset.train)
    print(f"preset {args.preset}: {model.num_parameters():,} parameters, {preset.train.steps} steps "
          f"of batch {preset.train.batch_size}, captions {preset.train.caption_language}, world {preset.train.world}"
          + (" with hard negatives" if preset.train.hard_negatives else ""))
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
    if knows_language(model.tokenizer, world, "zh"):  # Chinese class names and templates
        report["zero_shot_zh"] = zero_shot_report(model, world, lang="zh")
    if not isinstance(world, RelationWorld):  # what a prompt is worth: styles, ensembles, "orange", probes
        report["prompts"] = prompt_report(model, world)
        gains = report["prompts"]["effects"]
        print(f"prompts: 'a photo of a {{}}.' vs bare on photos {100 * gains['photo_vs_bare']:+.1f} points; "
              f"style ensemble {100 * gains['ensemble']['accuracy']:.1f} % (mean single "
              f"{100 * gains['ensemble']['mean_single']:.1f} %); zero-shot worth "
              f"{report['prompts']['probe']['crossing'] or '> 16'} labelled pictures per class")
    if isinstance(world, RelationWorld):  # two-object retrieval and the swapped-caption test
        report["bag_of_words"] = bag_of_words_report(model, world)
        swaps = report["bag_of_words"]["swaps"]
        print(f"two objects: retrieval image->text {report['bag_of_words']['retrieval']['image_to_text']:.3f}; "
              f"truth beats colours swapped {swaps['attributes']['accuracy']:.3f}, "
              f"objects swapped {swaps['objects']['accuracy']:.3f} (chance 0.5)")
    best = report["zero_shot"]["best_template"]
    print(f"trained in {trainer.elapsed:.1f} s; in-batch image->text "
          f"{report['in_batch_accuracy']['image_to_text']:.3f}; zero-shot with {best['template']!r}: "
          f"seen {best['seen']:.3f}, held-out {best['held_out']:.3f}")
    if "zero_shot_zh" in report:
        best = report["zero_shot_zh"]["best_template"]
        print(f"Chinese prompts: zero-shot with {best['template']!r}: seen {best['seen']:.3f}, "
              f"held-out {best['held_out']:.3f}")
    if args.out:
        # a relations checkpoint records its world; one-object checkpoints keep the format they always had
        checkpoint.save(model, args.out, metrics=report, world=world if isinstance(world, RelationWorld) else None)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
