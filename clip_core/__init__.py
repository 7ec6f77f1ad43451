"""clip_core: a small, correct CLIP in pure PyTorch, and the toy world it learns from.

Never imports gradio or plotly; `pretrained` (transformers) is imported only on demand.
"""

from .config import PRESETS, ModelConfig, TrainConfig, get_preset, siglip_config
from .data import ShapesWorld
from .experiments import BudgetPoint, SideBySide, batch_size_sweep, side_by_side
from .loss import clip_loss, hard_negative_clip_loss, loss_breakdown, siglip_loss
from .mistakes import MistakenCLIP, Mistakes
from .model import TinyCLIP
from .scenes import RelationWorld
from .tokenizer import Tokenizer
from .train import StepMetrics, Trainer, build_model, make_world

__all__ = [
    "PRESETS", "ModelConfig", "TrainConfig", "get_preset", "siglip_config", "ShapesWorld", "clip_loss",
    "loss_breakdown", "siglip_loss", "hard_negative_clip_loss", "Mistakes", "MistakenCLIP", "TinyCLIP", "Tokenizer",
    "StepMetrics", "Trainer",
    "RelationWorld", "build_model", "make_world", "side_by_side", "SideBySide", "batch_size_sweep", "BudgetPoint",
]
