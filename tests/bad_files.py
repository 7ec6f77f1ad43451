"""Picture files that learners upload by accident or to poke at the app, written on demand.

Each maker takes a folder and returns the path of the file it wrote there. `CASES` lists every
file with the outcome an upload must have: "accepted" (decoded to a usable RGB picture) or
"rejected" (refused with a message; `REASONS` holds a fragment of the English message). Used by
the zero-shot upload tests and by any other tab that takes pictures.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image


def _noise(width: int, height: int, mode: str = "RGB", seed: int = 0) -> Image.Image:
    channels = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, channels), dtype=np.uint8)
    return Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels, mode)


def one_pixel(folder: Path) -> Path:
    path = folder / "one_pixel.png"
    Image.new("RGB", (1, 1), (200, 30, 30)).save(path)
    return path


def huge_8000(folder: Path) -> Path:
    """8000 × 8000 px but a small file (one colour): only the header check can catch it cheaply."""
    path = folder / "huge_8000.png"
    Image.new("1", (8000, 8000), 1).save(path, optimize=False)
    return path


def cmyk_jpeg(folder: Path) -> Path:
    path = folder / "cmyk.jpg"
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(path, quality=90)  # red in CMYK
    return path


def grey_16bit_png(folder: Path) -> Path:
    path = folder / "grey_16bit.png"
    ramp = np.linspace(0, 65535, 48 * 32).reshape(32, 48).astype(np.uint16)
    Image.fromarray(ramp).save(path)  # mode I;16
    return path


def rgb_16bit_png(folder: Path) -> Path:
    """A 48-bit RGB PNG (PIL cannot write one: the chunks are written by hand)."""
    width, height = 24, 16
    pixels = np.zeros((height, width, 3), dtype=">u2")
    pixels[..., 2] = 65535  # blue
    raw = b"".join(b"\0" + row.tobytes() for row in pixels)  # filter byte 0 before every row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)  # bit depth 16, colour type RGB
    path = folder / "rgb_16bit.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
                     + chunk(b"IEND", b""))
    return path


def rgba_png(folder: Path) -> Path:
    path = folder / "rgba.png"
    picture = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    picture.paste((30, 200, 30, 255), (10, 10, 30, 30))
    picture.save(path)
    return path


def palette_transparent_png(folder: Path) -> Path:
    path = folder / "palette.png"
    picture = Image.new("P", (20, 20), 0)
    picture.putpalette([0, 0, 0, 255, 255, 0] + [0] * 762)
    picture.paste(1, (5, 5, 15, 15))
    picture.save(path, transparency=0)
    return path


def animated_gif(folder: Path) -> Path:
    path = folder / "animated.gif"
    frames = [Image.new("RGB", (32, 32), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def rotated_jpeg(folder: Path) -> Path:
    """A phone photo: stored landscape, EXIF orientation 6 (shown rotated 90°)."""
    path = folder / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (60, 20), (255, 255, 255)).save(path, exif=exif)
    return path


def truncated_png(folder: Path) -> Path:
    path = folder / "truncated.png"
    _noise(96, 96).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def truncated_jpeg(folder: Path) -> Path:
    path = folder / "truncated.jpg"
    _noise(96, 96).save(path, quality=95)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def text_named_png(folder: Path) -> Path:
    path = folder / "notes.png"
    path.write_text("these are not pixels\n")
    return path


def zero_bytes(folder: Path) -> Path:
    path = folder / "empty.png"
    path.write_bytes(b"")
    return path


def postscript_named_png(folder: Path) -> Path:
    """PostScript: PIL would hand it to Ghostscript, a program; it must be refused unread."""
    path = folder / "script.png"
    path.write_text("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    return path


def svg_file(folder: Path) -> Path:
    path = folder / "drawing.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/>'
                    '</svg>')
    return path


def heavy_file(folder: Path) -> Path:
    """A PNG signature followed by 10 MB + 1 byte: over the default upload limit."""
    path = folder / "heavy.png"
    path.write_bytes(b"\x89PNG" + b"\0" * (10 * 2**20 + 1))
    return path


class BadFile(NamedTuple):
    name: str
    make: Callable[[Path], Path]
    outcome: str  # "accepted" or "rejected"


CASES: list[BadFile] = [
    BadFile("1x1", one_pixel, "accepted"),
    BadFile("8000x8000", huge_8000, "rejected"),
    BadFile("CMYK JPEG", cmyk_jpeg, "accepted"),
    BadFile("16-bit grey PNG", grey_16bit_png, "accepted"),
    BadFile("16-bit RGB PNG", rgb_16bit_png, "accepted"),
    BadFile("RGBA PNG", rgba_png, "accepted"),
    BadFile("palette PNG with transparency", palette_transparent_png, "accepted"),
    BadFile("animated GIF", animated_gif, "accepted"),
    BadFile("EXIF-rotated JPEG", rotated_jpeg, "accepted"),
    BadFile("truncated PNG", truncated_png, "rejected"),
    BadFile("truncated JPEG", truncated_jpeg, "rejected"),
    BadFile("text file named .png", text_named_png, "rejected"),
    BadFile("zero bytes", zero_bytes, "rejected"),
    BadFile("PostScript named .png", postscript_named_png, "rejected"),
    BadFile("SVG", svg_file, "rejected"),
    BadFile("over 10 MB", heavy_file, "rejected"),
]

REASONS = {  # a fragment of the English refusal, for the rejected cases
    "8000x8000": "The image is 8000 × 8000 px",
    "truncated PNG": "damaged or cut short",
    "truncated JPEG": "damaged or cut short",
    "text file named .png": "That file is not an image",
    "zero bytes": "The file is empty",
    "PostScript named .png": "That file is not an image",
    "SVG": "That file is not an image",
    "over 10 MB": "The file is 10.0 MB; at most 10 MB",
}
