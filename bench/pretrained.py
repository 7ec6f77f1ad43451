"""What the pretrained path costs on this CPU, without a download. Not a test: it prints.

A CLIPModel with openai/clip-vit-base-patch32's exact shape (transformers' default CLIPConfig:
ViT-B/32 image tower, 12-layer text tower, 512-d joint space; 151 M parameters) is built with random
weights and saved to a temporary folder with a 224-px image processor. Its speed is the real
model's speed; only its answers are meaningless. The tokenizer is the small test vocabulary from
tests/tiny_clip.py, so texts are spelled letter by letter (longer than real BPE: text timings are
an upper bound).

Measured, each the median of --repeats runs after one warm-up, through the same calls the app makes:
1. load_pretrained(folder): from disk into a PretrainedCLIP (what the picker's first pick costs
   after the download; the download itself, ~605 MB, depends on the network).
2. encode_image on 1, 8 and 32 uploaded pictures (400 x 300 RGB), and on a toy batch of 8 (32 px).
3. encode_text of 8 captions; zero-shot class weights for 6 classes x 2 templates.
4. The lessons' pretrained views through their own functions: the photos tab's logits view for
   6 pictures (embeddings memoised after the first call: the second call is a slider move) and the
   search lesson's default gallery (96 toy pictures) embedded once.
Baseline: the shipped toy CLIP doing the same calls in the same run (ratios pretrained / toy).

    .venv/bin/python bench/pretrained.py [--repeats 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from common import log, print_table, warn_if_loaded, write_json

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def save_base_sized_clip(folder: Path) -> None:
    """A random CLIPModel of ViT-B/32's shape, with a 224-px processor and the tiny test vocabulary."""
    import torch
    from tiny_clip import CONTEXT_LENGTH, EOT, SOT, write_vocabulary
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    vocab_file, merges_file = write_vocabulary(folder / "_vocab")
    tokenizer = CLIPTokenizer(vocab=str(vocab_file), merges=str(merges_file), pad_token=EOT, model_max_length=77)
    ids = tokenizer.convert_tokens_to_ids
    config = CLIPConfig(text_config=dict(bos_token_id=ids(SOT), eos_token_id=ids(EOT), pad_token_id=ids(EOT),
                                         vocab_size=49408, max_position_embeddings=77),
                        vision_config=dict())  # defaults: ViT-B/32 at 224 px, 512-d projection
    assert CONTEXT_LENGTH <= 77
    torch.manual_seed(0)
    CLIPModel(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    CLIPImageProcessorPil().save_pretrained(folder)  # 224 px resize + centre crop, CLIP's normalisation


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    import numpy as np
    import torch
    from PIL import Image

    from clip_core.pretrained import load_pretrained
    from clip_core.zeroshot import class_embeddings
    from lessons import search
    from lessons.beyond import photos
    from lessons.common.session import Session

    torch.set_num_threads(args.threads)
    warn_if_loaded(args.threads)
    rng = np.random.default_rng(0)
    uploads = [Image.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)) for _ in range(32)]
    captions = [f"a photo of a red circle number {i}" for i in range(8)]
    classes = ["red circle", "blue square", "green triangle", "dog", "cat", "car"]
    templates = ["a photo of a {}.", "{}"]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "clip-vit-b32-shape"
        log("building and saving a random CLIP of ViT-B/32's shape ...")
        save_base_sized_clip(folder)
        load_seconds = median_seconds(lambda: load_pretrained(str(folder)), max(1, args.repeats // 2))
        pretrained = load_pretrained(str(folder))
        toy = Session().model("shipped")
        toy_batch = Session().world.sample_batch(8).images

        def timings(model) -> dict[str, float]:
            uploads_in = photos.model_input(model, uploads)
            with torch.no_grad():
                return {
                    "encode 1 picture": median_seconds(
                        lambda: model.encode_image(photos.model_input(model, uploads[:1])), args.repeats),
                    "encode 8 pictures": median_seconds(lambda: model.encode_image(uploads_in[:8]), args.repeats),
                    "encode 32 pictures": median_seconds(lambda: model.encode_image(uploads_in), args.repeats),
                    "encode 8 toy pictures (32 px)": median_seconds(lambda: model.encode_image(toy_batch),
                                                                    args.repeats),
                    "encode 8 captions": median_seconds(lambda: model.encode_text(model.tokenizer(captions)),
                                                        args.repeats),
                    "zero-shot weights 6 x 2": median_seconds(
                        lambda: class_embeddings(model, model.tokenizer, classes, templates), args.repeats),
                }

        rows = {"pretrained": timings(pretrained), "toy": timings(toy)}

        # the app's own views, through a session that picked the model
        def session_for(model, name):
            session = Session()
            session.model()
            if name == "pretrained":
                session.models["pretrained"] = model
            session.model_name = name
            return session

        app_rows = {}
        for name, model in (("pretrained", pretrained), ("toy", toy)):
            session = session_for(model, "pretrained" if name == "pretrained" else "shipped")
            files = []
            for i, picture in enumerate(uploads[:6]):
                path = Path(tmp) / f"{name}-{i}.png"
                picture.save(path)
                files.append(str(path))
            text = "\n".join(captions[:6])
            start = time.perf_counter()
            photos.logits_view(session, files, text, "logits", -1.0, True)
            first = time.perf_counter() - start
            again = median_seconds(
                lambda s=session, f=files, c=text: photos.logits_view(s, f, c, "logits", -1.5, False), args.repeats)
            start = time.perf_counter()
            search.search_text(session, search.GALLERY_DEFAULT, 0, "a red circle", 8)
            gallery = time.perf_counter() - start
            app_rows[name] = {"photos logits, first (6 pictures)": first, "photos logits, slider move": again,
                              f"search lesson: embed gallery of {search.GALLERY_DEFAULT}": gallery}

    table = []
    results = {"load_pretrained_seconds": load_seconds, "calls": {}, "views": {}}
    for key in rows["pretrained"]:
        p, t = rows["pretrained"][key], rows["toy"][key]
        table.append((key, f"{1000 * p:.0f}", f"{1000 * t:.1f}", f"{p / t:.0f}x"))
        results["calls"][key] = {"pretrained_s": p, "toy_s": t}
    for key in app_rows["pretrained"]:
        p, t = app_rows["pretrained"][key], app_rows["toy"][key]
        table.append((key, f"{1000 * p:.0f}", f"{1000 * t:.1f}", f"{p / t:.0f}x"))
        results["views"][key] = {"pretrained_s": p, "toy_s": t}
    log(f"\nload_pretrained from a local folder: {load_seconds:.2f} s "
        f"({pretrained.num_parameters() / 1e6:.0f} M parameters)")
    print_table(f"ViT-B/32-shaped CLIP vs the shipped toy CLIP ({args.threads} threads, median of {args.repeats})",
                table, ("call", "pretrained ms", "toy ms", "ratio"))
    if args.json:
        write_json(args.json, results)


if __name__ == "__main__":
    main()
