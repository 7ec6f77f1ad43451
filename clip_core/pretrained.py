"""A real pretrained CLIP from `transformers` (e.g. openai/clip-vit-base-patch32), behind TinyCLIP's interface.

`load_pretrained` reads a `CLIPModel` and its `CLIPProcessor` (BPE tokenizer + image processor)
from a local folder or the Hugging Face hub; `PretrainedCLIP` wraps them so that the lessons and
`clip_core.zeroshot` / `clip_core.retrieval` use it exactly like TinyCLIP: `encode_image`,
`encode_text`, `logit_scale`, `scale()`, `forward -> logits_per_image`, `.tokenizer`, `.config`.
The forward pass is the paper's pseudocode (Radford et al. 2021, Figure 3) over transformers'
towers and projections; its numbers equal `CLIPModel(...).logits_per_image` for the same inputs.

Chinese-CLIP checkpoints (Yang et al. 2022, arXiv:2211.01335; transformers' `ChineseCLIPModel` +
`ChineseCLIPProcessor`, e.g. OFA-Sys/chinese-clip-vit-base-patch16) load behind the same
interface. The two families differ in the text tower, its tokenizer, and where T_f is read:
CLIP's causal transformer is pooled at the first end-of-text token (the only position that has
seen the whole text); Chinese-CLIP's bidirectional BERT encoder is pooled at [CLS], position 0,
the raw last hidden state as in `ChineseCLIPModel.get_text_features` (no BERT tanh pooler).

transformers takes seconds to import, so it is imported inside the functions, never at module
import. Without a network, loading fails at once with `PretrainedUnavailable` saying what to do.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from .tokenizer import TokenReport

DEFAULT_PRETRAINED = "openai/clip-vit-base-patch32"
DEFAULT_DOWNLOAD_MB = 605  # its model.safetensors (151 M float32 parameters) plus a few small files
CHINESE_CLIP_PRETRAINED = "OFA-Sys/chinese-clip-vit-base-patch16"  # ViT-B/16 + RoBERTa-wwm-base text tower
# About: the hub lists its weights file (model.safetensors or pytorch_model.bin) at 753 MB, which is its
# 188.26 M float32 parameters x 4 bytes; vocab.txt and the JSON files add under 1 MB.
CHINESE_CLIP_DOWNLOAD_MB = 754
ENV_VARIABLE = "CLIP_LAB_PRETRAINED"  # a hub id or local folder, used when --pretrained is not given
HUB_TIMEOUT = 5.0  # seconds to wait for the hub before saying it cannot be reached


class PretrainedUnavailable(ValueError):
    """The pretrained weights cannot be had now (offline, hub unreachable, files missing)."""


def pretrained_source(cli_value: str | None = None) -> str:
    """What to load: the `--pretrained` value, else $CLIP_LAB_PRETRAINED, else the default hub id."""
    return cli_value or os.environ.get(ENV_VARIABLE) or DEFAULT_PRETRAINED


def _advice(name: str, reason: str) -> str:
    return (f"Cannot load the pretrained CLIP {name!r}: {reason}. Connect to the internet and try again, or "
            f"download it once on a connected machine (python -m clip_core.pretrained {name} --save FOLDER), "
            f"then point CLIP Lab to that local folder with the --pretrained PATH flag or the {ENV_VARIABLE} "
            "environment variable.")


@dataclass
class PretrainedCLIPConfig:
    """The shape of a pretrained CLIP, under TinyCLIP's ModelConfig field names (plus `name`)."""

    name: str  # hub id or folder it was loaded from
    image_encoder: str  # always "vit": transformers' CLIPModel and ChineseCLIPModel have a ViT image tower
    image_size: int  # the processor resizes (and, as configured, centre-crops) every image to this square
    patch_size: int
    vision_width: int
    vision_layers: int
    vision_heads: int
    vocab_size: int
    context_length: int  # text tokens including start and end of text ([CLS] and [SEP] for Chinese-CLIP)
    text_width: int
    text_layers: int
    text_heads: int
    embed_dim: int  # size of the joint image-text embedding space
    init_temperature: float = 0.07  # the paper's initial tau (the trained value is in logit_scale)
    learn_temperature: bool = False  # these weights are used, never trained, here
    max_logit_scale: float = 100.0  # scale() clamps exp(logit_scale) here, as in the paper
    model_type: str = "clip"  # transformers' model_type: "clip" or "chinese_clip"
    text_pooling: str = "end-of-text"  # where T_f is read: "end-of-text" (CLIP) or "[CLS]" (Chinese-CLIP)

    def to_dict(self) -> dict:
        return asdict(self)


class PretrainedTokenizer:
    """CLIP's own byte-pair tokenizer behind clip_core.tokenizer.Tokenizer's interface.

    Every text becomes start-of-text, BPE pieces, end-of-text, truncated to context_length with
    end-of-text kept last; a batch is right-padded to its longest text with the tokenizer's pad
    id (which may equal the end-of-text id, as in openai/clip-vit-base-patch32).
    """

    def __init__(self, hf_tokenizer, context_length: int):
        self.hf_tokenizer = hf_tokenizer
        self.context_length = context_length
        self.sot_id, self.eot_id = hf_tokenizer.bos_token_id, hf_tokenizer.eos_token_id
        self.pad_id = hf_tokenizer.pad_token_id if hf_tokenizer.pad_token_id is not None else self.eot_id
        self.unk_id = hf_tokenizer.unk_token_id

    @property
    def vocab_size(self) -> int:
        return len(self.hf_tokenizer)

    def encode(self, text: str) -> list[int]:
        """Token ids of one text, start and end of text included, truncated to context_length."""
        return self.hf_tokenizer(text, truncation=True, max_length=self.context_length)["input_ids"]

    def decode(self, ids: list[int]) -> str:
        return self.hf_tokenizer.decode(ids, skip_special_tokens=True)

    def pieces(self, text: str) -> list[str]:
        """The BPE pieces of a text (without special tokens), e.g. for showing how CLIP reads it."""
        return self.hf_tokenizer.tokenize(text)

    def unknown_words(self, text: str) -> list[str]:
        """Always empty: byte-level BPE spells any word out of known pieces."""
        return []

    def report(self, text: str) -> TokenReport:
        n_tokens = len(self.hf_tokenizer(text, verbose=False)["input_ids"])  # not truncated; no length warning
        return TokenReport(self.unknown_words(text), n_tokens > self.context_length, n_tokens)

    def __call__(self, texts: list[str] | str) -> torch.LongTensor:
        """Encode texts into a padded LongTensor [n, L], L = the longest text's length."""
        if isinstance(texts, str):
            texts = [texts]
        encoded = [self.encode(text) for text in texts]
        length = max((len(ids) for ids in encoded), default=2)
        tokens = torch.full((len(texts), length), self.pad_id, dtype=torch.long)
        for i, ids in enumerate(encoded):
            tokens[i, : len(ids)] = torch.tensor(ids)
        return tokens

    def attention_mask(self, tokens: torch.Tensor) -> torch.Tensor:
        """1 up to and including each row's first end-of-text, 0 on the padding after it [n, L].

        Counted from end-of-text rather than compared with pad_id because the two ids may be equal.
        """
        is_eot = tokens == self.eot_id  # [n, L]
        if not bool(is_eot.any(dim=1).all()):
            raise ValueError("every row of tokens needs an end-of-text token; use model.tokenizer(texts)")
        first_eot = is_eot.int().argmax(dim=1, keepdim=True)  # [n, 1]
        return (torch.arange(tokens.shape[1], device=tokens.device) <= first_eot).long()  # [n, L]


class WordPieceTokenizer(PretrainedTokenizer):
    """Chinese-CLIP's BERT WordPiece tokenizer behind the same interface: [CLS] pieces [SEP], padded with [PAD].

    [CLS] and [SEP] play start and end of text (sot_id, eot_id), so `attention_mask` is 1 up to
    the first [SEP], as ChineseCLIPProcessor's mask is. BERT lower-cases and splits every CJK
    character off on its own, so Chinese text is one piece per character, and `decode` joins the
    pieces with spaces as BERT does ("一张照片" comes back as "一 张 照 片"). Unlike byte-level BPE,
    WordPiece maps a word it cannot spell to [UNK]; `unknown_words` names such words.
    """

    def __init__(self, hf_tokenizer, context_length: int):
        super().__init__(hf_tokenizer, context_length)
        self.sot_id, self.eot_id = hf_tokenizer.cls_token_id, hf_tokenizer.sep_token_id

    def unknown_words(self, text: str) -> list[str]:
        """The words of `text` that become [UNK], in order, without repeats."""
        encoded = self.hf_tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        pairs = zip(encoded["input_ids"], encoded["offset_mapping"], strict=True)
        return list(dict.fromkeys(text[start:end] for token, (start, end) in pairs if token == self.unk_id))


def pixel_values(images, image_processor) -> torch.Tensor:
    """Images (tensor [n, 3, H, W] in [0, 1], or a list of PIL images) -> pixel_values [n, 3, S, S].

    A tensor is rounded to 8-bit RGB pictures first, as the image processor does itself with
    float input; then both kinds go through the processor (resize, centre crop, normalise).
    """
    if isinstance(images, Image.Image):
        images = [images]
    if isinstance(images, torch.Tensor):
        if images.ndim != 4 or images.shape[1] != 3 or not images.is_floating_point():
            raise ValueError(f"images must be a float tensor [n, 3, H, W], not {images.dtype} {list(images.shape)}")
        if images.numel() and (images.min() < -1e-3 or images.max() > 1 + 1e-3):
            raise ValueError("image tensors must hold values in [0, 1]")
        pixels = (images.detach().clamp(0, 1) * 255).round().to(torch.uint8)  # [n, 3, H, W]
        images = [Image.fromarray(np.ascontiguousarray(p.permute(1, 2, 0).cpu().numpy())) for p in pixels]
    return image_processor(images=list(images), return_tensors="pt")["pixel_values"]  # [n, 3, S, S]


class _ImageTower(nn.Module):
    """I_f: images -> the ViT's pooled class token (post-LayerNorm), before the projection."""

    def __init__(self, vision_model: nn.Module, image_processor):
        super().__init__()
        self.vision_model = vision_model
        self.image_processor = image_processor

    def forward(self, images) -> torch.Tensor:
        device = self.vision_model.embeddings.patch_embedding.weight.device
        pixels = pixel_values(images, self.image_processor).to(device)  # [n, 3, S, S]
        return self.vision_model(pixel_values=pixels).pooler_output  # [n, d_i]


class _TextTower(nn.Module):
    """T_f: token ids -> the causal transformer's state at the first end-of-text, before the projection."""

    def __init__(self, text_model: nn.Module, tokenizer: PretrainedTokenizer):
        super().__init__()
        self.text_model = text_model
        self.tokenizer = tokenizer

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        # The mask is what CLIPProcessor would pass. The pooled end-of-text state cannot see the
        # padding after it anyway (attention is causal), so it only makes the call identical.
        attention_mask = self.tokenizer.attention_mask(tokens)  # [n, L]
        return self.text_model(input_ids=tokens, attention_mask=attention_mask).pooler_output  # [n, d_t]


class _ClsTextTower(_TextTower):
    """T_f for Chinese-CLIP: the BERT encoder's last hidden state at [CLS] (position 0), before the projection.

    As in ChineseCLIPModel.get_text_features: the raw state, not BERT's tanh pooler (ChineseCLIPModel
    builds its text model without one).
    """

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        # attention is bidirectional: without the mask, [CLS] would attend to the padding
        attention_mask = self.tokenizer.attention_mask(tokens)  # [n, L]
        token_type_ids = torch.zeros_like(tokens)  # one segment, as the processor marks a single text
        hidden = self.text_model(input_ids=tokens, attention_mask=attention_mask,
                                 token_type_ids=token_type_ids).last_hidden_state  # [n, L, d_t]
        return hidden[:, 0, :]  # [n, d_t]


@dataclass(frozen=True)
class _Family:
    """What differs between the CLIP families that load_pretrained accepts."""

    model_class: str  # the transformers class that reads the weights
    tokenizer: type  # wrapper of the processor's tokenizer
    text_tower: type  # T_f, and so the text pooling
    text_pooling: str


FAMILIES = {
    "clip": _Family("CLIPModel", PretrainedTokenizer, _TextTower, "end-of-text"),
    "chinese_clip": _Family("ChineseCLIPModel", WordPieceTokenizer, _ClsTextTower, "[CLS]"),
}


class PretrainedCLIP(nn.Module):
    """A transformers CLIPModel or ChineseCLIPModel with TinyCLIP's interface; scale() clamps at 100 where they do not.

    Images are a float tensor [n, 3, H, W] in [0, 1] (the toy world's format) or a list of PIL
    images; both go through the model's own image processor. A tensor is rounded to 8-bit RGB on
    the way, so there is no gradient with respect to its pixels. The weights are frozen
    (requires_grad False): CLIP Lab looks at this model, it never trains it. The text embedding
    is pooled as the family's reference does: CLIP at the first end-of-text, Chinese-CLIP at [CLS].

    Args:
        clip: a transformers `CLIPModel` or `ChineseCLIPModel`.
        processor: its `CLIPProcessor` or `ChineseCLIPProcessor` (`.tokenizer` and `.image_processor`).
        name: the hub id or folder it came from.
    """

    def __init__(self, clip: nn.Module, processor, name: str):
        super().__init__()
        self.clip = clip.eval()
        self.image_processor = processor.image_processor
        family = FAMILIES[clip.config.model_type]
        vision, text = clip.config.vision_config, clip.config.text_config
        context_length = min(text.max_position_embeddings, processor.tokenizer.model_max_length)
        self.tokenizer = family.tokenizer(processor.tokenizer, context_length)
        self.config = PretrainedCLIPConfig(
            name=name, image_encoder="vit", image_size=vision.image_size, patch_size=vision.patch_size,
            vision_width=vision.hidden_size, vision_layers=vision.num_hidden_layers,
            vision_heads=vision.num_attention_heads, vocab_size=text.vocab_size, context_length=context_length,
            text_width=text.hidden_size, text_layers=text.num_hidden_layers, text_heads=text.num_attention_heads,
            embed_dim=clip.config.projection_dim, model_type=clip.config.model_type, text_pooling=family.text_pooling)
        # the two towers as TinyCLIP names them; they share their parameters with self.clip
        self.visual = _ImageTower(clip.vision_model, self.image_processor)
        self.text = family.text_tower(clip.text_model, self.tokenizer)
        self.requires_grad_(False).eval()

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def logit_scale(self) -> nn.Parameter:
        """t of the paper: the learned log of 1/tau (log 100 for OpenAI's weights)."""
        return self.clip.logit_scale

    @property
    def image_projection(self) -> torch.Tensor:
        """W_i [d_i, d_e] (transformers stores it as a bias-free Linear, i.e. transposed)."""
        return self.clip.visual_projection.weight.T

    @property
    def text_projection(self) -> torch.Tensor:
        """W_t [d_t, d_e]."""
        return self.clip.text_projection.weight.T

    def scale(self) -> torch.Tensor:
        """exp(t), clamped at max_logit_scale like TinyCLIP."""
        return self.logit_scale.exp().clamp(max=self.config.max_logit_scale)

    def preprocess(self, images) -> torch.Tensor:
        """What the image tower sees: pixel_values [n, 3, S, S] (see `pixel_values`)."""
        return pixel_values(images, self.image_processor)

    def encode_image(self, images, normalize: bool = True) -> torch.Tensor:
        """Images -> embeddings [n, d_e] (unit length if normalize)."""
        I_f = self.visual(images)  # [n, d_i]
        I_e = I_f @ self.image_projection  # [n, d_e]
        return F.normalize(I_e, dim=-1) if normalize else I_e

    def encode_text(self, tokens: torch.Tensor, normalize: bool = True) -> torch.Tensor:
        """Token ids [n, L] from self.tokenizer -> embeddings [n, d_e] (unit length if normalize)."""
        T_f = self.text(tokens.to(self.logit_scale.device))  # [n, d_t]
        T_e = T_f @ self.text_projection  # [n, d_e]
        return F.normalize(T_e, dim=-1) if normalize else T_e

    def forward(self, images, tokens: torch.Tensor) -> torch.Tensor:
        """Return logits_per_image [n_images, n_texts]; logits_per_text is its transpose."""
        # joint multimodal embeddings, L2-normalised so that a dot product is a cosine
        I_e = self.encode_image(images)  # [n, d_e]
        T_e = self.encode_text(tokens)  # [m, d_e]
        # scaled pairwise cosine similarities
        return I_e @ T_e.T * self.scale()  # [n, m]

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())  # shared parameters counted once

    def save(self, folder: str | Path) -> None:
        """Write weights, tokenizer and image processor to a folder that load_pretrained reads offline."""
        self.clip.save_pretrained(folder)
        self.tokenizer.hf_tokenizer.save_pretrained(folder)
        self.image_processor.save_pretrained(folder)


def _hub_offline() -> bool:
    from huggingface_hub import constants

    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return constants.HF_HUB_OFFLINE or any(flag.upper() in ("1", "ON", "YES", "TRUE") for flag in flags)


def _looks_like_path(name: str) -> bool:
    # a hub id is "name" or "owner/name"; anything else is meant as a folder
    return name.startswith((".", "/", "~")) or "\\" in name or name.count("/") > 1 or os.path.exists(name)


def _from_files(source: str, name: str, local_files_only: bool) -> PretrainedCLIP:
    import transformers
    from transformers import AutoConfig, AutoProcessor

    config = AutoConfig.from_pretrained(source, local_files_only=local_files_only)
    if config.model_type not in FAMILIES:
        accepted = " or ".join(repr(model_type) for model_type in FAMILIES)
        raise ValueError(f"{name!r} is a {config.model_type!r} model, not a CLIP (model_type {accepted})")
    model_class = getattr(transformers, FAMILIES[config.model_type].model_class)
    # safetensors only: a pickled pytorch_model.bin in the folder is never unpickled
    clip = model_class.from_pretrained(source, local_files_only=local_files_only, use_safetensors=True)
    processor = AutoProcessor.from_pretrained(source, local_files_only=local_files_only)
    return PretrainedCLIP(clip, processor, name)


def _check_hub(name: str) -> None:
    """Raise PretrainedUnavailable at once unless the hub answers for `name` within HUB_TIMEOUT."""
    from huggingface_hub import HfApi
    from huggingface_hub.utils import RepositoryNotFoundError

    try:
        HfApi().model_info(name, timeout=HUB_TIMEOUT)
    except RepositoryNotFoundError as error:
        reason = "the Hugging Face hub has no public model by that id (check the spelling)"
        raise PretrainedUnavailable(_advice(name, reason)) from error
    except Exception as error:  # DNS failure, refused, timeout, proxy: all mean "no download now"
        reason = f"the Hugging Face hub cannot be reached ({type(error).__name__}: {error})"
        raise PretrainedUnavailable(_advice(name, reason)) from error


def load_pretrained(name_or_path: str, local_files_only: bool | None = None) -> PretrainedCLIP:
    """Load a pretrained CLIP or Chinese-CLIP from a local folder or the Hugging Face hub, in eval mode.

    A hub id is taken from the local cache if it is there (no network); otherwise the hub is
    asked once, with a short timeout, before anything is downloaded, so that no network means a
    quick error rather than minutes of retries.

    Args:
        name_or_path: a hub id such as "openai/clip-vit-base-patch32" or
            "OFA-Sys/chinese-clip-vit-base-patch16", or a folder written by `PretrainedCLIP.save`,
            `save_pretrained` or a hub download.
        local_files_only: never use the network; None means "only if HF_HUB_OFFLINE is set".

    Raises:
        PretrainedUnavailable: offline, hub unreachable, unknown id, or files missing; the message
            says what to do. ValueError: the files are neither a CLIP nor a Chinese-CLIP.
    """
    try:
        import transformers  # noqa: F401
    except ImportError as error:
        raise PretrainedUnavailable("The pretrained CLIP needs transformers: pip install transformers") from error
    from safetensors import SafetensorError

    folder = Path(name_or_path).expanduser()
    if _looks_like_path(name_or_path):
        if not folder.is_dir():
            raise PretrainedUnavailable(_advice(name_or_path, f"there is no folder {folder}"))
        try:
            return _from_files(str(folder), name_or_path, local_files_only=True)
        except (OSError, SafetensorError) as error:  # a missing file, or a truncated copy of one
            raise PretrainedUnavailable(_advice(name_or_path, f"its files are missing or damaged ({error})")) from error
    offline = _hub_offline() if local_files_only is None else local_files_only
    try:
        return _from_files(name_or_path, name_or_path, local_files_only=True)  # the cache
    except OSError as error:
        if offline:
            reason = "it is not in the local cache and downloads are off (HF_HUB_OFFLINE)"
            raise PretrainedUnavailable(_advice(name_or_path, reason)) from error
    _check_hub(name_or_path)
    try:
        return _from_files(name_or_path, name_or_path, local_files_only=False)
    except OSError as error:
        raise PretrainedUnavailable(_advice(name_or_path, f"the download failed ({error})")) from error


def main(argv: list[str] | None = None) -> None:
    """`python -m clip_core.pretrained [ID] --save FOLDER`: download once, keep a folder for offline use."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("name", nargs="?", default=DEFAULT_PRETRAINED, help="hub id or folder")
    parser.add_argument("--save", metavar="FOLDER", help="write the model here for --pretrained FOLDER")
    args = parser.parse_args(argv)
    try:
        model = load_pretrained(args.name)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    print(f"{model.name}: {model.num_parameters():,} parameters, images {model.config.image_size} px, "
          f"embeddings {model.config.embed_dim}-d, logit scale {model.scale().item():.2f}")
    if args.save:
        model.save(args.save)
        print(f"saved to {args.save}; start CLIP Lab with --pretrained {args.save}")


if __name__ == "__main__":
    main()
