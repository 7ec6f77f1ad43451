"""A tiny random transformers CLIPModel saved to a folder: the pretrained path, tested offline.

Built in milliseconds with a byte-level BPE vocabulary of single characters and a few merges, so
that `clip_core.pretrained.load_pretrained(folder)` reads it exactly as it reads a hub download.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import torch

SOT, EOT = "<|startoftext|>", "<|endoftext|>"
CONTEXT_LENGTH = 32


def write_vocabulary(folder: Path) -> tuple[Path, Path]:
    """A byte-level BPE vocabulary of single characters (as word pieces and word ends) and a few merges."""
    chars = list(string.ascii_lowercase + string.digits + ".,!'")
    merges = ["r e", "re d</w>", "c i", "ci r", "l e</w>", "cir c", "circ le</w>"]
    vocab: dict[str, int] = {}
    for token in chars + [c + "</w>" for c in chars] + [m.replace(" ", "") for m in merges] + [SOT, EOT]:
        vocab.setdefault(token, len(vocab))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    return folder / "vocab.json", folder / "merges.txt"


def save_tiny_clip(folder: Path, hub_layout: bool = True, seed: int = 0):
    """Write a random tiny CLIP to `folder`; return (the CLIPModel, its CLIPProcessor).

    hub_layout: the hub's files (tokenizer files + preprocessor_config.json, pad id equal to the
    end-of-text id as in openai/clip-vit-base-patch32); otherwise transformers 5's
    processor_config.json with a distinct pad token (as in LAION's open_clip conversions).
    """
    from transformers import CLIPConfig, CLIPModel, CLIPProcessor, CLIPTokenizer
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    folder = Path(folder)
    vocab_file, merges_file = write_vocabulary(folder / "_vocab")
    pad = EOT if hub_layout else "!"
    tokenizer = CLIPTokenizer(vocab=str(vocab_file), merges=str(merges_file), pad_token=pad,
                              model_max_length=CONTEXT_LENGTH)
    image_processor = CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    ids = tokenizer.convert_tokens_to_ids
    config = CLIPConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=CONTEXT_LENGTH,
                         bos_token_id=ids(SOT), eos_token_id=ids(EOT), pad_token_id=ids(pad)),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=16)
    torch.manual_seed(seed)
    reference = CLIPModel(config).eval()
    processor = CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer)
    reference.save_pretrained(folder)
    if hub_layout:
        tokenizer.save_pretrained(folder)
        image_processor.save_pretrained(folder)
    else:
        processor.save_pretrained(folder)
    return reference, processor


# Chinese-CLIP: a BERT WordPiece vocabulary of single Chinese characters, punctuation and English letters
# (the characters of ShapesWorld's Chinese class names and templates; no 鱼, so that one is unknown)
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
CHINESE_CHARACTERS = "一个三上下中十右圆在大字小左张形方有橙正照片环白的紫红绿色菱蓝角间青黄，。"


def save_tiny_chinese_clip(folder: Path, seed: int = 0):
    """Write a random tiny Chinese-CLIP to `folder`; return (the ChineseCLIPModel, its ChineseCLIPProcessor).

    The hub's layout for OFA-Sys/chinese-clip-vit-base-patch16: config.json, model.safetensors,
    vocab.txt (no tokenizer_config.json, so transformers picks BertTokenizer from the model_type)
    and preprocessor_config.json.
    """
    from transformers import BertTokenizer, ChineseCLIPConfig, ChineseCLIPModel, ChineseCLIPProcessor
    from transformers.models.chinese_clip import ChineseCLIPImageProcessorPil

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    letters = list(string.ascii_lowercase)
    vocabulary = BERT_SPECIALS + list(CHINESE_CHARACTERS) + letters + ["##" + c for c in letters]
    (folder / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer.from_pretrained(folder)
    image_processor = ChineseCLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    config = ChineseCLIPConfig(
        # bos/eos as in the hub's config.json (0 and 2): BERT has neither, and nothing may rely on them
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=CONTEXT_LENGTH,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=0, eos_token_id=2),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=16)
    torch.manual_seed(seed)
    reference = ChineseCLIPModel(config).eval()
    reference.save_pretrained(folder)
    image_processor.save_pretrained(folder)
    return reference, ChineseCLIPProcessor(image_processor=image_processor, tokenizer=tokenizer)
