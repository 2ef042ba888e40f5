"""A paper's key figure as an image file: `/figures/<arXiv id>.<ext>` (`domain.web_paths`).

The bytes are the ones the reader stored, typed by the MIME type it decoded (never guessed from
the name; the security headers add nosniff), and only for the types it keeps. A link from a page
carries `?v=<version>`: that URL names one image for good, so it is cached for a year; a request
without it (or with an old one) is cached briefly. Papers are public once stored, as their
pages are, and nothing here names an issue. Anything else is the archive's 404 page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.web.headers import ASSET_CACHE, SHORT_CACHE, cached
from core.services.archive import archive_figure
from domain.errors import InvalidInput, NotFound
from domain.web_paths import FIGURE_TYPES, figure_version, split_figure_name
from storage.db import Database

MAX_ID_CHARS = 64  # as for /papers: real ids are far shorter


class Figures:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def image(self, request: Request, lang: str) -> Response:
        named = split_figure_name(request.path_params["name"])
        if named is None or len(named[0]) > MAX_ID_CHARS:
            raise _missing()
        arxiv_id, extension = named
        try:
            figure, data = await archive_figure(self.db, arxiv_id=arxiv_id)
        except InvalidInput:  # not an arXiv id: for a file path, simply no such file
            raise _missing() from None
        if figure.extension != extension or FIGURE_TYPES[extension] != figure.mime_type:
            raise _missing()
        current = request.query_params.get("v") == figure_version(figure)
        cache = ASSET_CACHE if current else SHORT_CACHE
        return cached(request, data, media_type=figure.mime_type, cache_control=cache)


def _missing() -> NotFound:
    return NotFound("There is no figure here.", zh="这里没有配图。")
