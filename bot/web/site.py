"""How this process's web archive is shaped: where it lives and what it offers.

The live server reads it from the settings (`from_settings`); `site build` (the static copy)
builds its own: a base path such as `/repo`, directory links, and no search (a static host
cannot run it).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.web.links import DEFAULT_LANGUAGE, Links, base_path_of
from core.config import Settings

SITE_NAME = {"zh": "ML Papers 论文速递", "en": "ML Papers Digest"}


@dataclass(frozen=True)
class WebConfig:
    """`base_path` is prepended to every link; `origin` (scheme://host) makes canonical and
    Open Graph URLs absolute; `directory` writes links as `/issues/3/`; `search` False leaves
    the search form and search links out (a static copy); `issues_per_page` pages /issues."""

    base_path: str = ""
    origin: str = ""
    directory: bool = False
    search: bool = True
    issues_per_page: int = 30

    @classmethod
    def from_settings(cls, settings: Settings) -> WebConfig:
        """Links under PUBLIC_BASE_URL's path (a proxy strips it before us), absolute there."""
        url = settings.public_base_url
        parts = urlsplit(url) if url else None
        origin = f"{parts.scheme}://{parts.netloc}" if parts else ""
        return cls(base_path=base_path_of(url), origin=origin)

    def links(self, language: str = DEFAULT_LANGUAGE) -> Links:
        return Links(language, self.base_path, self.origin, self.directory)
