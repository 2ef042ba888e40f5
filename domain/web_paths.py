"""The web archive's URL rules that renderers outside `bot.web` need too: a key figure's path.

A paper's key figure is served once for every language at `/figures/<arXiv id>.<ext>`
(`/figures/2402.01399.png`, `/figures/hep-th/9901001.jpg`): its own prefix, so it never
competes with `/papers/{id:path}` where old-style ids carry a slash, and a real file
extension, so a static host (`digestbot site build`) serves it with the right type. The link
carries `?v=<version>` (a hash of what was stored), so a figure replaced by a newer version of
the paper gets a new URL and the old one may be cached for a year. `bot.web.links` (pages) and
`bot.render` (Markdown, under PUBLIC_BASE_URL) both build their links from here.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote, urlencode, urlsplit

from domain.fulltext import FigureView

FIGURES_PREFIX = "/figures/"
# The image types the reader keeps (decoded by Pillow), by the extension their URL carries.
FIGURE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def figure_path(arxiv_id: str, figure: FigureView) -> str:
    """`/figures/<id>.<ext>` within the site (no base path, no language prefix)."""
    return f"{FIGURES_PREFIX}{quote(arxiv_id, safe='/.')}.{figure.extension}"


def figure_version(figure: FigureView) -> str:
    """A short hash of what was stored: a new download (a newer version) changes it."""
    key = f"{figure.source_url}|{figure.mime_type}|{figure.size}|{figure.width}x{figure.height}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def figure_query(figure: FigureView) -> dict[str, str | int]:
    return {"v": figure_version(figure)}


def split_figure_name(name: str) -> tuple[str, str] | None:
    """`2402.01399.png` → ("2402.01399", "png"); None when it names no image type we keep."""
    stem, dot, extension = name.strip("/").rpartition(".")
    if not dot or not stem or extension.lower() not in FIGURE_TYPES:
        return None
    return stem, extension.lower()


def public_figure_url(public_base_url: str, arxiv_id: str, figure: FigureView) -> str:
    """The figure's absolute URL under PUBLIC_BASE_URL (`https://x.org/digest/figures/…?v=…`):
    the same URL the web archive serves it at."""
    parts = urlsplit(public_base_url)
    root = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return f"{root}{figure_path(arxiv_id, figure)}?{urlencode(figure_query(figure))}"
