"""Reading uploaded pictures safely: size and pixel count checked before decoding, only common
picture formats decoded, every one turned into one RGB picture, a clear message for anything else.

Handles what learners actually upload: CMYK JPEGs, 16-bit and palette PNGs, transparency (laid on
white, as a photo viewer shows it, or on a background the caller picks), animated GIFs (the first
frame), EXIF-rotated phone photos. The one decoder of uploads in the app.
"""

from __future__ import annotations

import io
import os

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from lessons.common import limits

# Only these decoders ever see an upload: PIL also reads PostScript (by running Ghostscript) and
# many rare formats nobody needs here. (Phone cameras' MPO files open through the JPEG decoder.)
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
WHITE = (255, 255, 255)  # under transparent parts, as a photo viewer shows them

MESSAGES = {
    "en": {
        "empty": "{name}: The file is empty.",
        "too_big": "{name}: The file is {mb:.1f} MB; at most {limit:g} MB per image, please. {hint}",
        "not_image": "{name}: That file is not an image CLIP Lab can read (use PNG, JPEG, WebP, GIF or BMP).",
        "too_many_pixels": "{name}: The image is {width} × {height} px; at most {limit} px per side, please. {hint}",
        "damaged": "{name}: The image file is damaged or cut short ({reason}).",
    },
    "zh": {
        "empty": "{name}：文件是空的。",
        "too_big": "{name}：文件有 {mb:.1f} MB，每张图片最多 {limit:g} MB。{hint}",
        "not_image": "{name}：CLIP 实验室读不了这个文件（请用 PNG、JPEG、WebP、GIF 或 BMP）。",
        "too_many_pixels": "{name}：图片尺寸为 {width} × {height} 像素，每边最多 {limit} 像素。{hint}",
        "damaged": "{name}：图片文件已损坏或不完整（{reason}）。",
    },
}


class ImageRejected(ValueError):
    """An upload that is not a usable picture; the message says why, in the learner's language."""


def read_picture(path: str | bytes, lang: str = "en", name: str | None = None,
                 background: tuple[int, int, int] = WHITE) -> Image.Image:
    """The picture in the file at `path` (or in these bytes: a drawing sent by the browser) as an
    RGB PIL image, fully decoded, transparent parts laid on `background`; ImageRejected otherwise."""
    s = MESSAGES.get(lang, MESSAGES["en"])
    in_memory = isinstance(path, (bytes, bytearray))
    name = name or ("image" if in_memory else os.path.basename(str(path)))
    limit = limits.LIMITS
    size = len(path) if in_memory else os.path.getsize(path)
    if size == 0:
        raise ImageRejected(s["empty"].format(name=name))
    if size > limit.max_upload_mb * 2**20:
        raise ImageRejected(s["too_big"].format(name=name, mb=size / 2**20, limit=limit.max_upload_mb,
                                                hint=limits.over_limit("max_upload_mb", lang)))
    Image.init()  # registers every plugin, so that FORMATS names loaded decoders
    try:
        picture = Image.open(io.BytesIO(path) if in_memory else path, formats=FORMATS)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ImageRejected(s["not_image"].format(name=name)) from None
    with picture:
        width, height = picture.size
        if max(width, height) > limit.max_image_side:  # from the header: nothing decoded yet
            raise ImageRejected(s["too_many_pixels"].format(name=name, width=width, height=height,
                                                            limit=limit.max_image_side,
                                                            hint=limits.over_limit("max_image_side", lang)))
        try:
            picture.seek(0)  # an animation: its first frame
            picture.load()
            return to_rgb(ImageOps.exif_transpose(picture), background)
        except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
            raise ImageRejected(s["damaged"].format(name=name, reason=_reason(error))) from None


def _reason(error: Exception) -> str:
    """PIL's own words when they are short and plain ("image file is truncated"), else its type."""
    text = str(error).split("(")[0].strip()
    return text if 0 < len(text) <= 60 else type(error).__name__


def to_rgb(picture: Image.Image, background: tuple[int, int, int] = WHITE) -> Image.Image:
    """Any PIL mode as 8-bit RGB: 16-bit greyscale scaled down, transparency laid on `background`."""
    if picture.mode in ("I;16", "I;16B", "I;16L", "I"):
        values = np.asarray(picture, dtype=np.float64)
        top = 65535.0 if values.max() > 255 else 255.0
        picture = Image.fromarray((values / top * 255).round().clip(0, 255).astype(np.uint8), "L")
    elif picture.mode == "F":
        values = np.asarray(picture, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        picture = Image.fromarray(((values - low) / max(high - low, 1e-12) * 255).astype(np.uint8), "L")
    if picture.mode in ("P", "PA", "LA", "RGBA", "La", "RGBa") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (*background, 255))
        return Image.alpha_composite(canvas, rgba).convert("RGB")
    return picture.convert("RGB")
