"""Typed configurations and named presets for the tiny CLIP.

Field names follow the CLIP paper (Radford et al. 2021, section 2.4-2.5) and openai/CLIP's
`build_model`: widths, layers and heads per tower, a joint embedding size, and a temperature
stored as the log of 1/tau (`init_temperature=0.07`, clamped so that exp never exceeds 100).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass
class ModelConfig:
    """Shape of a TinyCLIP. Defaults are the app's `default` preset."""

    image_encoder: str = "vit"  # "vit" (patches + transformer) or "resnet" (small residual CNN)
    image_size: int = 32  # input images are [3, image_size, image_size]
    patch_size: int = 8  # ViT only: image_size must be a multiple of it
    vision_width: int = 64  # ViT token width, or the ResNet's last stage width
    vision_layers: int = 2  # ViT: transformer blocks; ResNet: residual blocks per stage
    vision_heads: int = 4  # ViT attention heads, and the ResNet attention-pool heads
    resnet_widths: tuple[int, ...] = (16, 32, 64)  # ResNet stage widths (each halves the resolution)
    resnet_pool: str = "attention"  # ResNet pooling: "attention" (as in CLIP) or "mean"
    vocab_size: int = 64  # set from the tokenizer's vocabulary when the model is built
    context_length: int = 16  # text tokens including <sot> and <eot>
    text_width: int = 64  # text transformer width
    text_layers: int = 2  # text transformer blocks
    text_heads: int = 4  # text attention heads
    embed_dim: int = 32  # size of the joint image-text embedding space
    init_temperature: float = 0.07  # tau at initialisation: logit scale starts at 1/0.07 ~ 14.3
    learn_temperature: bool = True  # False keeps the logit scale fixed at 1/init_temperature
    max_logit_scale: float = 100.0  # exp(logit_scale) is clamped here, as in the paper
    init_logit_bias: float | None = None  # None: no bias (CLIP); SigLIP learns a bias b, initialised -10

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        if data["init_logit_bias"] is None:  # CLIP models keep the config their checkpoints always had
            del data["init_logit_bias"]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown ModelConfig fields: {sorted(unknown)}")
        values = dict(data)
        if "resnet_widths" in values:
            values["resnet_widths"] = tuple(values["resnet_widths"])
        return cls(**values)


@dataclass
class TrainConfig:
    """How to train: AdamW with warm-up and cosine decay, as in the paper (section 2.5)."""

    batch_size: int = 64  # image-text pairs per batch; the loss at chance is ln(batch_size)
    lr: float = 2e-3  # peak learning rate
    weight_decay: float = 0.05  # decoupled weight decay on matrices only (not gains, biases, scale)
    warmup_steps: int = 50  # linear warm-up before cosine decay
    steps: int = 2000  # total steps of the schedule
    min_lr_ratio: float = 0.05  # the cosine decays to lr * min_lr_ratio
    grad_clip: float = 1.0  # max global gradient norm (0 turns clipping off)
    seed: int = 0  # seeds model init and the data stream
    world_seed: int = 0  # seeds ShapesWorld (its noise and sampling)
    loss: str = "clip"  # "clip" (softmax, Radford et al. 2021) or "siglip" (pairwise sigmoid, Zhai et al. 2023)
    caption_language: str = "en"  # captions of a world built from this recipe: "en", "zh" or "mixed" (both)
    world: str = "shapes"  # "shapes" (one object per image) or "relations" (also two-object scenes, scenes.py)
    pair_fraction: float = 0.5  # relations world: share of batches that hold two-object scenes
    hard_negatives: bool = False  # relations world: add each caption's swapped versions as negatives (NegCLIP)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Preset:
    """A named recipe: a model shape and a training schedule."""

    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    description: str = ""


STEPS_RELATIONS = 3000  # two kinds of batch: more steps than the default, so both kinds are learned well

PRESETS: dict[str, Preset] = {
    # Small enough for unit tests: trains to high in-batch accuracy in a few seconds.
    "nano": Preset(
        model=ModelConfig(vision_layers=1, text_layers=1),
        train=TrainConfig(batch_size=64, lr=2e-3, warmup_steps=10, steps=700),
        description="small model for tests: 1-layer ViT and 1-layer text transformer",
    ),
    # The shipped checkpoint and the app's starting point.
    "default": Preset(
        model=ModelConfig(),
        train=TrainConfig(),
        description="ViT image tower (4x4 patches of 8 px) and a 2-layer text transformer",
    ),
    # The second shipped checkpoint: the default model on one- and two-object scenes.
    "relations": Preset(
        model=ModelConfig(),
        train=TrainConfig(world="relations", steps=STEPS_RELATIONS),
        description="the default model trained on one-object scenes and two-object scenes with relation captions",
    ),
}


def siglip_config(config: ModelConfig) -> ModelConfig:
    """A copy of `config` set up for the sigmoid loss: t' = log 10 and b = -10 (Zhai et al. 2023, section 3.2)."""
    return dataclasses.replace(config, init_temperature=0.1, init_logit_bias=-10.0)


def get_preset(name: str) -> Preset:
    """Return a fresh copy of a named preset (so callers may edit it)."""
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    preset = PRESETS[name]
    return Preset(
        model=ModelConfig.from_dict(preset.model.to_dict()),
        train=TrainConfig.from_dict(preset.train.to_dict()),
        description=preset.description,
    )
