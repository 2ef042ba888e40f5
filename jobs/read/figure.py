"""The key figure: which one explains the paper, and whether its bytes are a safe image.

The choice: the first figure (outside the appendix) whose caption says it shows the whole
method — an overview, framework, architecture or pipeline — else the first figure. The check
decodes with Pillow instead of trusting the URL's extension or the Content-Type: the format
must be PNG, JPEG, GIF or WebP, the header's pixel count at most `MAX_PIXELS` (checked before
the pixels are decoded: Pillow's own guard against decompression bombs is set to the same
bound), and the whole image must decode.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from PIL import Image

from domain.fulltext import FigureCandidate

MAX_BYTES = 3_000_000  # arXiv's figures are PNGs of 50 KB–2 MB; beyond this, no figure
MAX_PIXELS = 25_000_000  # 5000 × 5000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
_EXPLAINS = re.compile(
    r"\b(overview|framework|architecture|pipeline|illustration of (?:our|the proposed)|"
    r"overall (?:structure|design|workflow)|schematic|workflow)\b",
    re.IGNORECASE,
)


# Pillow's process-wide bomb guard at our bound: it warns past it and refuses twice it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class BadImage(ValueError):
    """The bytes are not an image we keep (type, size, or they do not decode)."""


@dataclass(frozen=True)
class CheckedImage:
    mime_type: str
    width: int
    height: int


def choose_figure(candidates: Sequence[FigureCandidate], page_url: str) -> FigureCandidate | None:
    """The figure that explains the paper, among those served by the page's own host."""
    usable = [c for c in candidates if same_origin(c.image_url, page_url)]
    body = [c for c in usable if not c.in_appendix] or usable
    for candidate in body:
        if _EXPLAINS.search(candidate.caption):
            return candidate
    return body[0] if body else None


def same_origin(url: str, page_url: str) -> bool:
    """Images are fetched only from where the page came from: an HTML page cannot send us
    to an internal address or a third party."""
    a, b = urlsplit(url), urlsplit(page_url)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port) and bool(a.hostname)


def check_image(data: bytes) -> CheckedImage:
    """Decode `data` fully within the limits, or raise `BadImage` saying why."""
    if len(data) > MAX_BYTES:
        raise BadImage(f"{len(data)} bytes is over {MAX_BYTES}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _decode(data)
    except BadImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise BadImage(f"decompression bomb: {error}") from None
    except (OSError, ValueError, SyntaxError, Image.UnidentifiedImageError) as error:
        raise BadImage(f"does not decode: {type(error).__name__}") from None


def _decode(data: bytes) -> CheckedImage:
    with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
        width, height = image.size
        if width * height > MAX_PIXELS or width < 1 or height < 1:
            raise BadImage(f"{width}×{height} pixels is over {MAX_PIXELS}")
        mime_type = FORMATS[str(image.format)]
        image.load()  # every pixel decodes, or this raises
    return CheckedImage(mime_type, width, height)
