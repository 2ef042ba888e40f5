"""The reader: a stored paper's full text (HTML, else PDF, else abstract) and its key figure.

Cached per paper and version in storage (`paper_texts`): a re-run downloads nothing. What is
cached is only a definite answer — a parsed page, a parsed PDF, or arXiv saying it has neither
(404) — never an outage: a paper read while arXiv fails is summarized from its abstract this
time and read again on a later run. Nothing here raises for arXiv's or a page's trouble.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from core.config_groups import ReaderSettings
from domain.fulltext import PaperText, TextSource
from domain.types import PaperMeta
from jobs.read.download import Fetched, TooLarge, fetch
from jobs.read.figure import MAX_BYTES as FIGURE_MAX_BYTES
from jobs.read.figure import BadImage, check_image, choose_figure
from jobs.read.html import parse_html
from jobs.read.pdf import parse_pdf
from storage.db import Database
from storage.queries import fulltext as q

log = logging.getLogger(__name__)

HTML_MAX_BYTES = 20_000_000  # math-heavy LaTeXML pages run to several MB
PDF_MAX_BYTES = 30_000_000
ABSTRACT_ONLY = PaperText(TextSource.ABSTRACT)


class Unavailable(Exception):
    """arXiv failed us after the retries: try this paper again on a later run."""


@dataclass(frozen=True)
class _Read:
    text: PaperText
    size: int
    page: Fetched | None = None  # the HTML page the figures came from


class PaperReader:
    def __init__(self, settings: ReaderSettings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.downloaded = 0  # bytes this reader fetched, for the run's report
        self.figures = 0
        # One download of ours at a time waits for the arXiv turn: the summarizer reads papers
        # concurrently, and each waiting download would otherwise hold a worker thread.
        self._turn = asyncio.Lock()

    async def read(self, paper_id: int, meta: PaperMeta) -> PaperText:
        """The paper's text: from the cache, else downloaded (and its key figure kept)."""
        async with self.db.session() as session:
            cached = await q.load_text(session, paper_id=paper_id, paper_version=meta.version)
        if cached is not None:
            return cached
        try:
            read = await self._download(meta)
        except Unavailable as error:
            log.warning("reading %s: %s; the abstract stands in", meta.arxiv_id, error)
            return ABSTRACT_ONLY
        async with self.db.session() as session:
            await q.save_text(
                session, paper_id=paper_id, paper_version=meta.version, text=read.text,
                size=read.size,
            )  # fmt: skip
        if read.page is not None:
            await self._keep_figure(paper_id, meta, read.text, read.page.url)
        return read.text

    async def _download(self, meta: PaperMeta) -> _Read:
        versioned = f"{meta.arxiv_id}v{meta.version}"
        page = await self._get(f"{self.settings.html_url}/{versioned}", HTML_MAX_BYTES)
        if page is not None:
            parsed = await _parse(parse_html, page.content, page.url)
            if parsed is not None:
                return _Read(parsed, len(page.content), page)
        pdf = await self._get(f"{self.settings.pdf_url}/{versioned}", PDF_MAX_BYTES)
        if pdf is not None:
            parsed = await _parse(parse_pdf, pdf.content)
            if parsed is not None:
                return _Read(parsed, len(pdf.content))
        return _Read(ABSTRACT_ONLY, 0)

    async def _get(self, url: str, max_bytes: int) -> Fetched | None:
        """The body, or None for "arXiv has none" (404, or too large to be worth reading)."""
        try:
            async with self._turn:
                fetched = await fetch(self.settings, url, max_bytes=max_bytes)
        except TooLarge as error:
            log.info("%s skipped: %s", url, error)
            return None
        except httpx.HTTPError as error:
            raise Unavailable(describe(error)) from None
        self.downloaded += len(fetched.content) if fetched else 0
        return fetched

    async def _keep_figure(
        self, paper_id: int, meta: PaperMeta, text: PaperText, page_url: str
    ) -> None:
        candidate = choose_figure(text.figures, page_url)
        if candidate is None:
            return
        try:
            async with self._turn:
                image = await fetch(self.settings, candidate.image_url, max_bytes=FIGURE_MAX_BYTES)
            if image is None:
                return
            checked = await asyncio.to_thread(check_image, image.content)
        except (TooLarge, BadImage, httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
            log.info("figure of %s not kept: %s", meta.arxiv_id, describe(error))
            return
        figure = q.NewFigure(
            candidate.label, candidate.caption, checked.mime_type, checked.width,
            checked.height, image.url, image.content,
        )  # fmt: skip
        async with self.db.session() as session:
            await q.save_figure(
                session, paper_id=paper_id, paper_version=meta.version, figure=figure
            )
        self.downloaded += len(image.content)
        self.figures += 1


async def _parse(parser: Callable[..., PaperText | None], *args: object) -> PaperText | None:
    """A parser run off the event loop; whatever a hostile page makes it raise means "no
    usable text here", never a failed summary."""
    try:
        return await asyncio.to_thread(parser, *args)
    except Exception as error:
        log.warning("unparseable paper (%s): %s", parser.__name__, type(error).__name__)
        return None


def describe(error: BaseException) -> str:
    """One secret-free line: the status or the kind of failure, never the request."""
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.TransportError):
        return f"network error ({type(error).__name__})"
    return str(error)[:200] or type(error).__name__
