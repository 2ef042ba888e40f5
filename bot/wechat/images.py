"""A key figure fitted to what the 公众号's `media/uploadimg` takes: JPEG or PNG, at most 1 MB.

A figure WeChat takes as stored goes as is; any other (a WebP or GIF, a PNG over 1 MB) is
re-encoded as JPEG on white, downscaled step by step until it fits. The stored figure was
already checked by decoding (its pixel count bounded) when the paper was read, so decoding it
again here is safe. None when even the smallest step is over the limit, or it does not decode:
the article then goes without that figure, and the caller says why in the log.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

MAX_BYTES = 1024 * 1024  # uploadimg refuses larger images (errcode 40009)
TAKEN_AS_IS = {"image/png": "png", "image/jpeg": "jpg"}
SCALES = (1.0, 0.75, 0.5, 0.35, 0.25)
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Fitted:
    data: bytes
    filename: str
    mime_type: str


def fit_image(data: bytes, mime_type: str) -> Fitted | None:
    """The image as uploadimg takes it, or None (see the module's docstring)."""
    extension = TAKEN_AS_IS.get(mime_type)
    if extension is not None and len(data) <= MAX_BYTES:
        return Fitted(data, f"figure.{extension}", mime_type)
    try:
        with Image.open(io.BytesIO(data)) as image:
            flat = _on_white(image)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    for scale in SCALES:
        size = (max(1, round(flat.width * scale)), max(1, round(flat.height * scale)))
        scaled = flat if scale == 1.0 else flat.resize(size, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        scaled.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        if out.tell() <= MAX_BYTES:
            return Fitted(out.getvalue(), "figure.jpg", "image/jpeg")
    return None


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, transparency flattened onto white (JPEG has no alpha; figures assume white)."""
    image.seek(0)  # an animated GIF's first frame
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat
