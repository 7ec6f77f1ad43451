"""Per-browser-session state, kept in a `gr.State`, and the read-only models sessions share.

A Session holds the learner's language, which model the lessons use, and the models themselves:
the shipped checkpoint (English captions), the shipped bilingual checkpoint (English and Chinese
captions, issue 10), a random initialisation of the same shape, once the learner trains one their
own model, and once they pick it the pretrained CLIP. A session in Chinese starts on the bilingual
model, so Chinese prompts work from the first page; one in English starts on the English one.

What is shared between learners, and why (`ReadOnlyModels`): the shipped toy checkpoints and the
pretrained CLIP are read from disk once per process and handed to every session as the same
object. Their weights are frozen (requires_grad False, eval mode) and no lesson writes to them;
training always starts from a new model and "my trained model" is a session's own copy. One copy
per process instead of one per learner matters: the pretrained CLIP is ~600 MB, and re-reading the
toy checkpoint and its metrics for every new tab cost a class of 24 about 1.7 s per page load.
"""

from __future__ import annotations

import copy
import functools
import inspect
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clip_core import ShapesWorld, TinyCLIP, build_model, checkpoint
from clip_core.config import ModelConfig
from clip_core.zeroshot import knows_language

# the repository's assets/ beside lessons/; an installed wheel has it beside lessons/ as clip_lab_assets/
_ROOT = Path(__file__).resolve().parents[2]  # the project root (or site-packages, installed)
ASSETS = next((d for d in (_ROOT / "clip_lab_assets", _ROOT / "assets") if d.is_dir()), _ROOT / "assets")
SHIPPED_CHECKPOINT = ASSETS / "toy_clip"
BILINGUAL_CHECKPOINT = ASSETS / "toy_clip_bilingual"  # python -m clip_core.train --captions mixed
MODEL_CHOICES = ("shipped", "bilingual", "trained", "random", "pretrained")
TOY_MODELS = ("shipped", "bilingual", "trained", "random")
SHARED_MODELS = ("shipped", "bilingual", "pretrained")  # read-only, one copy per process


class ReadOnlyModels:
    """Process-wide cache of models nobody trains: loaded once per key, frozen, shared by sessions.

    Loads of different keys run in parallel; a second learner asking for a key that is loading
    waits for that load instead of starting another. A failed load is not cached (the next
    request tries again, e.g. after the network came back).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._key_locks: dict[Any, threading.Lock] = {}
        self._values: dict[Any, Any] = {}

    def get(self, key, load):
        with self._lock:
            if key in self._values:
                return self._values[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._values:
                value = load()
                model = value[0] if isinstance(value, tuple) else value
                model.requires_grad_(False).eval()
                with self._lock:
                    self._values[key] = value
            return self._values[key]

    def loaded(self, key) -> bool:
        with self._lock:
            return key in self._values

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class SharedResults:
    """Results every learner would compute identically from a shared model (e.g. the search
    gallery's embeddings under the pretrained CLIP: ~10 s on a laptop CPU), kept once per process.
    Bounded (least recently used entries go first); callers must treat values as read-only."""

    def __init__(self, max_entries: int = 48):
        self._lock = threading.Lock()
        self._values: dict = {}
        self.max_entries = max_entries

    def known(self, key) -> bool:
        with self._lock:
            return key in self._values

    def get(self, key, make):
        with self._lock:
            if key in self._values:
                self._values[key] = self._values.pop(key)  # most recently used last
                return self._values[key]
        value = make()  # outside the lock: two learners may compute the same result once each
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.max_entries:
                self._values.pop(next(iter(self._values)))
        return value


SHARED = ReadOnlyModels()  # read-only weights only: nothing per learner lives here
SHARED_RESULTS = SharedResults()  # results computed from those weights alone, the same for everyone


def _shipped_key(folder: Path) -> tuple:
    weights = folder / checkpoint.WEIGHTS
    stat = weights.stat() if weights.exists() else None
    return ("shipped", str(folder), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)


def load_shipped(folder: Path | None = None) -> tuple[TinyCLIP, dict]:
    """(model, slim metrics) of the shipped checkpoint, shared; re-read when the files change."""
    folder = Path(folder or SHIPPED_CHECKPOINT)

    def load():
        model = checkpoint.load(folder)
        metrics = checkpoint.read_metrics(folder) or {}
        # keep what the lessons read: the world seed and the learned-scale trajectory (not 300 KB of history)
        history = [{"step": m.get("step"), "logit_scale": m.get("logit_scale")}
                   for m in metrics.get("history", []) if isinstance(m, dict)]
        return model, {"train_config": metrics.get("train_config", {}), "history": history}

    return SHARED.get(_shipped_key(folder), load)


def load_bilingual() -> tuple[TinyCLIP, dict]:
    """(model, slim metrics) of the shipped bilingual checkpoint (trained with --captions mixed), shared."""
    return load_shipped(BILINGUAL_CHECKPOINT)


def bilingual_available() -> bool:
    return (Path(BILINGUAL_CHECKPOINT) / checkpoint.WEIGHTS).is_file()


def default_model(lang: str) -> str:
    """The model a new session starts on: the bilingual one for a Chinese interface (so typed
    Chinese prompts work at once), the English shipped one otherwise."""
    return "bilingual" if lang == "zh" and bilingual_available() else "shipped"


def load_checkpoint_shared(folder: Path) -> tuple[TinyCLIP, ShapesWorld, dict | None]:
    """(model, its world, its metrics) of a checkpoint folder, loaded once per process, shared and read-only."""
    folder = Path(folder)
    return SHARED.get(("checkpoint", *_shipped_key(folder)[1:]), lambda: checkpoint.load_with_world(folder))


def load_pretrained_shared(source: str):
    """The pretrained CLIP from `source` (hub id or folder), loaded once per process and shared."""
    from clip_core.pretrained import load_pretrained

    return SHARED.get(("pretrained", source), lambda: load_pretrained(source))


@dataclass
class Session:
    """One learner's state. Deep-copyable, as gr.State requires."""

    lang: str = "en"
    model_name: str = "shipped"
    models: dict[str, Any] = field(default_factory=dict)
    histories: dict[str, list[dict]] = field(default_factory=dict)  # learned-scale trajectories etc.
    world_seed: int = 0
    cache: dict = field(default_factory=dict)  # per-lesson memo of batches and embeddings
    runs: dict[str, Any] = field(default_factory=dict)  # lesson id -> its streaming run (lessons.common.run.Run)
    kept: dict[str, Any] = field(default_factory=dict)  # lesson id -> what it keeps across runs (a results table)
    starting: dict[str, Any] = field(default_factory=dict)  # lesson id -> a run being built (lessons.common.run.begin)
    pretrained_source: str | None = None  # what "pretrained" loads (the --pretrained value or default)

    def __deepcopy__(self, memo):
        # shared read-only models stay shared in a copy; everything else is copied
        shared = {name: model for name, model in self.models.items() if name in SHARED_MODELS}
        clone = copy.copy(self)
        clone.models = {**copy.deepcopy({k: v for k, v in self.models.items() if k not in shared}, memo), **shared}
        for name in ("histories", "cache", "runs", "kept", "starting"):
            setattr(clone, name, copy.deepcopy(getattr(self, name), memo))
        return clone

    @property
    def world(self) -> ShapesWorld:
        """The toy world of the picked model: English captions, English and Chinese for the bilingual one."""
        image_size = self.model("shipped").config.image_size  # first: loading it sets world_seed
        return ShapesWorld(self.world_seed, image_size=image_size,
                           caption_language="mixed" if self.model_name == "bilingual" else "en")

    @property
    def is_pretrained(self) -> bool:
        return self.model_name == "pretrained" and "pretrained" in self.models

    def model(self, name: str | None = None):
        """The named model (default: the one picked in the header), built on first use.

        "pretrained" must have been loaded with `load_pretrained` first (it may download).
        """
        name = name or self.model_name
        if name in ("trained", "pretrained") and name not in self.models:
            name = "shipped"
        if name not in self.models:
            if name in ("shipped", "bilingual"):
                model, metrics = load_shipped() if name == "shipped" else load_bilingual()
                self.models[name] = model
                if name == "shipped":  # both were trained on world seed 0; the English one sets it
                    self.world_seed = metrics.get("train_config", {}).get("world_seed", 0)
                self.histories[name] = metrics.get("history", [])
            elif name == "random":
                shipped = self.model("shipped")
                config = ModelConfig.from_dict(shipped.config.to_dict())
                world = ShapesWorld(self.world_seed, image_size=config.image_size)
                self.models["random"] = build_model(config, world, seed=0).eval()
            else:
                raise ValueError(f"unknown model {name!r}")
        return self.models[name]

    def toy_model(self) -> TinyCLIP:
        """The picked model if it is a toy one, else the shipped toy CLIP (for toy-only views)."""
        return self.model("shipped" if self.model_name == "pretrained" else None)

    def load_pretrained(self, source: str | None = None):
        """Load (or take from the shared cache) the pretrained CLIP; raises PretrainedUnavailable."""
        from clip_core.pretrained import pretrained_source

        source = source or self.pretrained_source or pretrained_source()
        self.models["pretrained"] = load_pretrained_shared(source)
        return self.models["pretrained"]

    def available_models(self) -> list[str]:
        """The models the picker offers: pretrained always (it loads on demand), trained once it
        exists, bilingual when its checkpoint is there."""
        return [name for name in MODEL_CHOICES
                if (name != "trained" or "trained" in self.models) and (name != "bilingual" or bilingual_available())]

    def reads_chinese(self) -> bool:
        """Whether the picked model was trained to read Chinese prompts: a toy model whose vocabulary
        holds every word of the Chinese class names and templates, or Chinese-CLIP. (OpenAI's CLIP
        spells Chinese out of byte pieces, but it was trained on English.)"""
        model = self.model()
        if self.is_pretrained:
            return getattr(model.config, "model_type", "") == "chinese_clip"
        return knows_language(model.tokenizer, self.world, "zh")

    def prompt_language(self) -> str:
        """The language of the default prompts and class names: Chinese when the interface is
        Chinese and the picked model reads it, else English."""
        return "zh" if self.lang == "zh" and self.reads_chinese() else "en"

    def stop_runs(self, lesson_id: str | None = None) -> None:
        """Ask a lesson's running training (or every run of this session) to stop after its current step."""
        runs = ([*self.runs.values(), *self.starting.values()] if lesson_id is None
                else [self.runs.get(lesson_id), self.starting.get(lesson_id)])
        for run in runs:
            if run is not None:
                run.stop_requested = True

    def set_trained(self, model: TinyCLIP, history: list[dict]) -> None:
        self.models["trained"] = copy.deepcopy(model).eval()
        self.histories["trained"] = history
        self.cache.clear()

    def memo_shared(self, key: tuple, make):
        """Like memo, but shared between sessions while the picked model is a shared read-only one
        (shipped, bilingual or pretrained): `key` must then depend only on the model and the inputs."""
        if self.model_name in SHARED_MODELS and self.model_name in self.models:
            model = self.models[self.model_name]
            return SHARED_RESULTS.get((id(model), self.world_seed, *key), make)
        return self.memo(key, make)

    def shared_result_known(self, key: tuple) -> bool:
        """Whether memo_shared(key, ...) would answer without computing."""
        if self.model_name in SHARED_MODELS and self.model_name in self.models:
            return SHARED_RESULTS.known((id(self.models[self.model_name]), self.world_seed, *key))
        return False

    def memo(self, key: tuple, make):
        """Memoise per-session work (a batch, its embeddings); a small bounded cache."""
        if key not in self.cache:
            if len(self.cache) > 32:
                self.cache.pop(next(iter(self.cache)))
            self.cache[key] = make()
        return self.cache[key]


def ensure(session: Session | None, lang: str | None = None) -> Session:
    """The session of a request; API calls without a browser session get a fresh one."""
    if session is None:
        session = Session(model_name=default_model(lang) if lang in ("en", "zh") else "shipped")
    if lang in ("en", "zh"):
        session.lang = lang
    return session


def with_session(fn):
    """`fn(session, *values)` as an event handler whose first input is the session state: `fn`
    always receives a Session (an API client without a page load gets a fresh one), never None.
    A generator function stays one, so Gradio streams what it yields."""
    if inspect.isgeneratorfunction(fn):
        def streaming(session, *values):
            yield from fn(ensure(session), *values)

        handler = streaming
    else:
        def handler(session, *values):
            return fn(ensure(session), *values)

    return functools.wraps(fn)(handler)  # Gradio names the API's parameters after fn's signature
