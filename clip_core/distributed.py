"""CLIP's loss across processes with torch.distributed: how the paper trained with a batch of 32,768.

No worker holds the whole batch. Each of W workers encodes its own b pairs; the embeddings (not
the images) are all-gathered, so every worker sees all W * b image and text embeddings and scores
against all of them: more workers, more negatives. Gradients are averaged by DistributedDataParallel.
This follows open_clip's `gather_features` and `ClipLoss` (src/open_clip/loss.py):

    all_I_e, all_T_e = all_gather(I_e), all_gather(T_e)    # [W*b, d_e] each
    global loss:  logits = all_I_e @ all_T_e.T * exp(t)     # [W*b, W*b] on every worker
                  labels = arange(W*b)
    local loss:   logits_per_image = I_e @ all_T_e.T * exp(t)  # [b, W*b]: own rows, all columns
                  logits_per_text  = T_e @ all_I_e.T * exp(t)  # [b, W*b]
                  labels = arange(b) + rank * b
    loss = (CE(logits_per_image, labels) + CE(logits_per_text, labels)) / 2

The gather is `torch.distributed.nn.functional.all_gather`, whose backward sends each worker the
gradient of every worker's loss with respect to its own embeddings. With that, the DDP average of
the workers' gradients is exactly the gradient of one process training on all W * b pairs, for
the global and the local loss alike (open_clip's cheaper gather without gradient, which keeps only
the local slice's, needs `--gather-with-grad` for the same reason when the local loss is used).
With `gather=False` each worker only uses its own b - 1 negatives: the loss is the mean of W
independent b-batch losses.

Data: every worker draws the same global batch of W * b pairs from the same seeded stream and
keeps its own slice. So no caption repeats across workers (a repeat would be a false negative
once gathered), and W workers see exactly the pairs one process with batch W * b sees. A real
data loader would shard a data set instead (DistributedSampler); rendering the toy world is cheap.
"""

from __future__ import annotations

import gc
import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
import torch.distributed.nn.functional as dist_nn
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from .config import TrainConfig
from .data import ShapesWorld
from .model import TinyCLIP
from .train import StepMetrics, lr_at, make_optimizer


def gather_features(image_features: torch.Tensor, text_features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """All workers' embeddings, in rank order; gradients flow back to the worker that made them.

    Args:
        image_features, text_features: this worker's [b, d_e] embeddings (the same b on every worker).

    Returns:
        ([W*b, d_e], [W*b, d_e]): rows rank*b .. rank*b + b - 1 are this worker's own.
    """
    with warnings.catch_warnings():  # torch 2.13 points to a private replacement; this is the documented one
        warnings.simplefilter("ignore", FutureWarning)
        all_image_features = torch.cat(dist_nn.all_gather(image_features), dim=0)  # [W*b, d_e]
        all_text_features = torch.cat(dist_nn.all_gather(text_features), dim=0)  # [W*b, d_e]
    return all_image_features, all_text_features


def distributed_clip_loss(I_e: torch.Tensor, T_e: torch.Tensor, scale: torch.Tensor, gather: bool = True,
                          local_loss: bool = False) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """CLIP's symmetric loss for one worker of a process group.

    Args:
        I_e, T_e: this worker's L2-normalised embeddings, [b, d_e] each.
        scale: exp(t), the logit scale.
        gather: score against every worker's embeddings (False: only this worker's own b pairs).
        local_loss: with gather, only this worker's rows and columns of the global matrix (open_clip's
            local_loss): [b, W*b] logits instead of [W*b, W*b], the same gradient after DDP averaging.

    Returns:
        (loss, logits_per_image, logits_per_text, labels): the rows this worker scored in each
        direction ([W*b, W*b] for the global loss, [b, W*b] local, [b, b] without gathering) and the
        column of each row's correct partner.
    """
    if not gather or not dist.is_initialized() or dist.get_world_size() == 1:
        logits_per_image = I_e @ T_e.T * scale  # [b, b]
        labels = torch.arange(I_e.shape[0])  # [b]
        logits_per_text = logits_per_image.T
    else:
        all_I_e, all_T_e = gather_features(I_e, T_e)  # [W*b, d_e] each
        if local_loss:
            logits_per_image = I_e @ all_T_e.T * scale  # [b, W*b]: own images against every text
            logits_per_text = T_e @ all_I_e.T * scale  # [b, W*b]: own texts against every image
            labels = torch.arange(I_e.shape[0]) + dist.get_rank() * I_e.shape[0]  # [b]: own diagonal block
        else:
            logits_per_image = all_I_e @ all_T_e.T * scale  # [W*b, W*b], the same on every worker
            logits_per_text = logits_per_image.T
            labels = torch.arange(all_I_e.shape[0])  # [W*b]
    loss = (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_text, labels)) / 2
    return loss, logits_per_image, logits_per_text, labels


class Towers(nn.Module):
    """Both encoders behind one forward, so DistributedDataParallel sees every parameter used."""

    def __init__(self, model: TinyCLIP):
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.model.encode_image(images), self.model.encode_text(tokens), self.model.scale()


@dataclass
class DistributedMetrics(StepMetrics):
    """A step's metrics averaged over the workers (loss and accuracies; rank 0's timings)."""

    pairs_seen: int = 0  # image-text pairs of every worker so far: step * W * b
    stop: bool = False  # some worker asked to stop (every worker stops after this same step)


class DistributedTrainer:
    """Trainer's recipe (AdamW, warm-up and cosine, clipping, the clamp at 100) on one worker.

    Args:
        model: built with the same seed on every worker (DDP also copies rank 0's weights at start).
        world: the same seeded world on every worker.
        config: `batch_size` is the global batch W * b; it must divide by the number of workers.
        gather, local_loss: see `distributed_clip_loss`.
    """

    def __init__(self, model: TinyCLIP, world: ShapesWorld, config: TrainConfig, gather: bool = True,
                 local_loss: bool = False):
        self.rank, self.workers = dist.get_rank(), dist.get_world_size()
        if config.batch_size % self.workers:
            raise ValueError(f"a batch of {config.batch_size} does not split into {self.workers} equal parts")
        if config.loss != "clip" or config.hard_negatives:
            raise ValueError("distributed training runs CLIP's softmax loss (loss='clip', no hard negatives)")
        self.model, self.world, self.config = model, world, config
        self.gather, self.local_loss = gather, local_loss
        self.local_batch = config.batch_size // self.workers
        self.towers = DistributedDataParallel(Towers(model))  # averages gradients over the workers
        self.optimizer = make_optimizer(model, config)
        self.rng = np.random.default_rng([world.seed, config.seed])  # as Trainer's: the same global batches
        self.history: list[DistributedMetrics] = []
        self.steps_done = 0
        self.elapsed = 0.0

    def local_slice(self):
        """(images [b, 3, H, W], tokens [b, L]) of this worker's slice of the next global batch."""
        batch = self.world.sample_batch(self.config.batch_size, "train", self.rng)
        own = slice(self.rank * self.local_batch, (self.rank + 1) * self.local_batch)
        return batch.images[own], self.model.tokenizer(batch.captions[own])

    def step(self, stop: bool = False) -> DistributedMetrics:
        """One step of every worker together (each must call it); `stop` from any worker ends them all."""
        start = time.perf_counter()
        images, tokens = self.local_slice()
        data_seconds = time.perf_counter() - start
        self.towers.train()
        lr = lr_at(self.steps_done, self.config)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        I_e, T_e, scale = self.towers(images, tokens)  # [b, d_e], [b, d_e], []
        loss, logits_per_image, logits_per_text, labels = distributed_clip_loss(I_e, T_e, scale, self.gather,
                                                                                self.local_loss)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()  # DDP averages the gradients over the workers here
        clip = self.config.grad_clip if self.config.grad_clip > 0 else float("inf")
        grad_norm = float(torch.nn.utils.clip_grad_norm_(self.model.parameters(), clip))
        self.optimizer.step()
        with torch.no_grad():  # keep exp(t) <= max_logit_scale, as Trainer does
            self.model.logit_scale.clamp_(0, math.log(self.model.config.max_logit_scale))
            acc_i = (logits_per_image.argmax(dim=1) == labels).float().mean()
            acc_t = (logits_per_text.argmax(dim=1) == labels).float().mean()
            # one small all-reduce: the mean loss and accuracies, and whether anyone wants to stop
            shared = torch.tensor([loss.item(), acc_i.item(), acc_t.item(), float(stop)])
            dist.all_reduce(shared)
        self.steps_done += 1
        step_seconds = time.perf_counter() - start
        self.elapsed += step_seconds
        n = self.workers
        metrics = DistributedMetrics(
            step=self.steps_done, loss=shared[0].item() / n, acc_image_to_text=shared[1].item() / n,
            acc_text_to_image=shared[2].item() / n, logit_scale=self.model.scale().item(), lr=lr,
            grad_norm=grad_norm, data_seconds=data_seconds, step_seconds=step_seconds, elapsed=self.elapsed,
            pairs_seen=self.steps_done * self.config.batch_size, stop=shared[3].item() > 0)
        self.history.append(metrics)
        return metrics

    def close(self) -> None:
        """Drop DDP (and its reducer) while the process group is still registered; call before
        `dist.destroy_process_group()`.

        Otherwise the reducer holds the group's last reference and destroys it from Python without
        releasing the GIL: ProcessGroupGloo's destructor joins its worker threads, and a worker thread
        still freeing a finished collective's tensors waits for the GIL: the process never exits.
        Destroyed by `destroy_process_group`, the group releases the GIL first.
        """
        self.towers = None
        gc.collect()  # DDP's hooks keep it in reference cycles

    @torch.no_grad()
    def global_logits(self) -> torch.Tensor:
        """The [W*b, W*b] logits of the next global batch as the workers compute them together
        (gathered embeddings); the data stream is left where it was."""
        state = self.rng.bit_generator.state
        images, tokens = self.local_slice()
        self.rng.bit_generator.state = state
        self.model.eval()
        I_e, T_e = self.model.encode_image(images), self.model.encode_text(tokens)  # [b, d_e] each
        all_I_e, all_T_e = gather_features(I_e, T_e)  # [W*b, d_e] each
        return all_I_e @ all_T_e.T * self.model.scale()  # [W*b, W*b]
