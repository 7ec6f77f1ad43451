"""Start distributed CLIP training: one worker's whole run, and a group of local worker processes.

A worker is `python -m clip_core.launch JOB.json` with torchrun's environment (MASTER_ADDR,
MASTER_PORT, RANK, WORLD_SIZE): `WorkerGroup` sets that environment itself on 127.0.0.1 and a free
port, so `--workers N` and `torchrun --nproc-per-node N` run the same code. Workers are separate
interpreters started with subprocess rather than torch.multiprocessing: a web server's __main__
must not be re-imported by every worker, and a worker that dies is seen by its exit code.

Rank 0 logs and saves: it appends one JSON line per step to the job's events file, writes the
first global logits matrix if asked, measures the model at the end and saves the checkpoint.
Anyone may end the run by creating the stop file, and workers whose parent died end it too: all
workers stop after the same step.
A worker that dies makes the group kill the others (a gloo collective would otherwise wait for it).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


@dataclass
class DistributedJob:
    """What every worker of a run does (written as JSON for the workers to read)."""

    model: dict  # ModelConfig.to_dict()
    train: dict  # TrainConfig.to_dict(); batch_size is the global batch, split over the workers
    gather: bool = True  # score against every worker's embeddings (False: each worker's own negatives)
    local_loss: bool = False  # own rows x all columns (open_clip's local_loss) instead of the whole matrix
    events: str | None = None  # rank 0 appends one JSON line per step (and a last "done" line) here
    stop_file: str | None = None  # when this file exists, every worker stops after the current step
    logits_file: str | None = None  # rank 0 saves the first step's global logits here (.npy)
    out: str | None = None  # rank 0 saves the trained model here (a checkpoint folder)
    evaluate: bool = True  # rank 0 measures in-batch and zero-shot accuracy at the end
    eval_batch_size: int = 64  # in-batch accuracy on fixed batches of this size, for any run
    zero_shot_per_pair: int = 4  # test images per colour-shape pair
    zero_shot_templates: list[str] | None = None  # None: zeroshot's own templates
    threads: int = 0  # torch threads per worker; 0: the machine's cores shared out
    timeout_seconds: float = 60.0  # a collective waits this long for a missing worker, then fails
    log_every: int = 0  # rank 0 prints a progress line every this many steps (0: silent)
    parent_pid: int | None = None  # the process that started the workers: if it dies, they stop

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def load(cls, path: str | Path) -> DistributedJob:
        return cls(**json.loads(Path(path).read_text()))


def under_torchrun() -> bool:
    """Whether this process was started by torchrun (or by a WorkerGroup) as one of several workers."""
    return all(name in os.environ for name in TORCHRUN_VARIABLES) and int(os.environ["WORLD_SIZE"]) > 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _event(job: DistributedJob, kind: str, **values) -> None:
    if job.events:
        with open(job.events, "a") as f:
            f.write(json.dumps({"event": kind, **values}) + "\n")


def run_worker(job: DistributedJob) -> dict | None:
    """One worker's whole run (every worker calls it); returns rank 0's final report, else None."""
    import numpy as np
    import torch
    import torch.distributed as dist

    from . import checkpoint
    from .config import ModelConfig, TrainConfig
    from .distributed import DistributedTrainer
    from .train import build_model, in_batch_accuracy, make_world
    from .zeroshot import zero_shot_report

    dist.init_process_group("gloo", timeout=timedelta(seconds=job.timeout_seconds))  # torchrun's env://
    rank, workers = dist.get_rank(), dist.get_world_size()
    torch.set_num_threads(job.threads or max(1, (os.cpu_count() or 1) // workers))
    model_config, train_config = ModelConfig.from_dict(job.model), TrainConfig.from_dict(job.train)
    world = make_world(model_config, train_config)
    model = build_model(model_config, world, seed=train_config.seed)
    trainer = DistributedTrainer(model, world, train_config, job.gather, job.local_loss)
    try:
        if rank == 0:
            _event(job, "start", workers=workers, local_batch=trainer.local_batch,
                   parameters=model.num_parameters())
        if job.logits_file:
            logits = trainer.global_logits()  # every worker takes part in the gather
            if rank == 0:
                np.save(job.logits_file, logits.numpy())
        for _ in range(train_config.steps - trainer.steps_done):
            orphaned = job.parent_pid is not None and os.getppid() != job.parent_pid
            stop = orphaned or (bool(job.stop_file) and os.path.exists(job.stop_file))
            metrics = trainer.step(stop)
            if rank == 0:
                _event(job, "step", **dataclasses.asdict(metrics))
                if job.log_every and (metrics.step % job.log_every == 0 or metrics.step == train_config.steps):
                    print(f"step {metrics.step}/{train_config.steps} loss {metrics.loss:.3f} "
                          f"acc {metrics.acc_image_to_text:.2f} scale {metrics.logit_scale:.1f} "
                          f"({metrics.pairs_seen / metrics.elapsed:.0f} pairs/s)", flush=True)
            if metrics.stop:
                break
    finally:
        trainer.close()  # before the group goes: see DistributedTrainer.close
        dist.destroy_process_group()
    if rank != 0:
        return None
    report = {"workers": workers, "threads": torch.get_num_threads(), "local_batch": trainer.local_batch,
              "gather": job.gather, "local_loss": job.local_loss, "train_config": train_config.to_dict(),
              "steps": trainer.steps_done, "train_seconds": round(trainer.elapsed, 3),
              "history": [{"step": m.step, "loss": round(m.loss, 5), "acc_image_to_text": m.acc_image_to_text,
                           "logit_scale": round(m.logit_scale, 4), "elapsed": round(m.elapsed, 3)}
                          for m in trainer.history]}
    if job.evaluate:
        report["in_batch_accuracy"] = in_batch_accuracy(model, world, job.eval_batch_size)
        report["zero_shot"] = zero_shot_report(model, world, job.zero_shot_per_pair, job.zero_shot_templates)
    if job.out:
        checkpoint.save(model, job.out, metrics=report)
    _event(job, "done", report=report)
    return report


class WorkerFailed(RuntimeError):
    """A worker process ended with an error or was killed; the others were stopped."""


@dataclass
class WorkerGroup:
    """`workers` local processes running one job, on 127.0.0.1 and a free port.

    Use as a context manager: leaving it kills whatever still runs and removes the run's folder.
    """

    job: DistributedJob
    workers: int
    echo: bool = False  # rank 0's output goes to this process's stdout (command line) instead of a file
    folder: Path = field(init=False)
    processes: list[subprocess.Popen] = field(init=False, default_factory=list)

    def __post_init__(self):
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        self.folder = Path(tempfile.mkdtemp(prefix="clip-lab-workers-"))
        self.job = dataclasses.replace(self.job, events=str(self.folder / "events.jsonl"),
                                       stop_file=str(self.folder / "stop"), parent_pid=os.getpid())
        self._read = 0

    def start(self) -> WorkerGroup:
        job_file = self.folder / "job.json"
        self.job.save(job_file)
        package_root = str(Path(__file__).resolve().parent.parent)
        port = free_port()
        for rank in range(self.workers):
            env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "RANK": str(rank),
                   "LOCAL_RANK": str(rank), "WORLD_SIZE": str(self.workers),
                   "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
            log = None if (self.echo and rank == 0) else open(self.folder / f"worker{rank}.log", "w")
            self.processes.append(subprocess.Popen([sys.executable, "-m", "clip_core.launch", str(job_file)], env=env,
                                                   stdout=log, stderr=subprocess.STDOUT if log else None,
                                                   stdin=subprocess.DEVNULL))
            if log:
                log.close()  # the child keeps its own handle
        return self

    def __enter__(self) -> WorkerGroup:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def events(self) -> list[dict]:
        """The events rank 0 wrote since the last call (complete lines only)."""
        path = Path(self.job.events)
        if not path.exists():
            return []
        with open(path) as f:
            f.seek(self._read)
            text = f.read()
        complete = text[:text.rfind("\n") + 1]
        self._read += len(complete.encode())
        return [json.loads(line) for line in complete.splitlines() if line]

    def failure(self) -> str | None:
        """Why the run failed (a worker's exit code and the end of its log), or None."""
        for rank, process in enumerate(self.processes):
            code = process.poll()
            if code not in (None, 0):
                log = self.folder / f"worker{rank}.log"
                tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
                how = f"was killed (signal {-code})" if code < 0 else f"exited with code {code}"
                return f"worker {rank} {how}" + (": " + " | ".join(tail) if tail else "")
        return None

    def finished(self) -> bool:
        return all(p.poll() == 0 for p in self.processes)

    def stop(self) -> None:
        """Ask every worker to stop after its current step (they keep in step with each other)."""
        Path(self.job.stop_file).touch()

    def close(self) -> None:
        """Kill what still runs, reap every process and remove the run's folder."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
        for process in self.processes:
            process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def follow(group: WorkerGroup, poll_seconds: float = 0.05) -> Iterator[dict]:
    """Yield rank 0's events until every worker has exited; raise WorkerFailed (after killing the
    rest) as soon as one fails. An event {"event": "idle"} comes every poll without news, so a
    caller can stop or time out the run."""
    while True:
        events = group.events()
        yield from events
        failure = group.failure()
        if failure:
            group.close()
            raise WorkerFailed(failure)
        if group.finished():
            yield from group.events()
            return
        if not events:
            yield {"event": "idle"}
            time.sleep(poll_seconds)


def train_command_line(preset, args) -> None:
    """`python -m clip_core.train ... --workers N` (start N local workers, follow rank 0's log) or the
    same command under torchrun (this process is one worker)."""
    if args.hard_negatives or preset.train.loss != "clip":
        raise SystemExit("distributed training runs CLIP's softmax loss: drop --hard-negatives / --loss siglip")
    workers = int(os.environ["WORLD_SIZE"]) if under_torchrun() else args.workers
    if preset.train.batch_size % workers:
        raise SystemExit(f"the batch of {preset.train.batch_size} does not split into {workers} equal parts")
    job = DistributedJob(preset.model.to_dict(), preset.train.to_dict(), gather=not args.no_gather,
                         local_loss=args.local_loss, out=args.out, threads=args.threads or 0,
                         log_every=max(1, preset.train.steps // 20))
    print(f"{workers} workers: global batch {preset.train.batch_size} = {workers} x "
          f"{preset.train.batch_size // workers}, {preset.train.steps} steps, "
          f"{'no gathering' if args.no_gather else 'local loss' if args.local_loss else 'global loss'}", flush=True)
    if under_torchrun():
        report = run_worker(job)
    else:
        with WorkerGroup(job, workers, echo=True) as group:
            report = next((e["report"] for e in follow(group) if e["event"] == "done"), None)
    if report:
        best = report.get("zero_shot", {}).get("best_template", {})
        print(f"trained in {report['train_seconds']:.1f} s "
              f"({report['steps'] * preset.train.batch_size / max(report['train_seconds'], 1e-9):.0f} pairs/s); "
              f"in-batch image->text {report['in_batch_accuracy']['image_to_text']:.3f}; zero-shot with "
              f"{best.get('template')!r}: seen {best.get('seen', 0):.3f}, held-out {best.get('held_out', 0):.3f}")
        if args.out:
            print(f"wrote {args.out}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        raise SystemExit("usage: python -m clip_core.launch JOB.json  (with torchrun's environment)")
    run_worker(DistributedJob.load(argv[0]))


if __name__ == "__main__":
    main()
