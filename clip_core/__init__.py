"""clip_core: a small, correct CLIP in pure PyTorch, and the toy world it learns from.

Never imports gradio or plotly; `pretrained` (transformers) is imported only on demand.
"""

from .config import PRESETS, ModelConfig, TrainConfig, get_preset
from .data import ShapesWorld
from .loss import clip_loss, loss_breakdown
from .model import TinyCLIP
from .tokenizer import Tokenizer
from .train import StepMetrics, Trainer, build_model

__all__ = [
    "PRESETS", "ModelConfig", "TrainConfig", "get_preset", "ShapesWorld", "clip_loss", "loss_breakdown",
    "TinyCLIP", "Tokenizer", "StepMetrics", "Trainer", "build_model",
]
