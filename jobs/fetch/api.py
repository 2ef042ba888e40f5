"""The arXiv API through the real `arxiv` package, made polite and robust (`jobs.fetch.gate`).

The package is synchronous (requests), sets no timeout, and retries immediately. `ArxivClient`
adds what arXiv's terms and real outages need: one request at a time per process, at least
`ARXIV_DELAY_SECONDS` apart; a timeout on every request; and retries with exponential backoff
for 429/5xx, network errors and spuriously empty pages. Callers run it via `asyncio.to_thread`.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

import arxiv
import requests

from core.config_groups import ArxivSettings
from core.proxy import requests_proxies, secret
from domain.errors import UpstreamError
from jobs.fetch.gate import RETRY_STATUSES, arxiv_retrying, arxiv_turn

ID_BATCH = 100  # arXiv answers id_list queries of up to 100 ids reliably in one page
PAGE_SIZE = 100


class _TimeoutSession(requests.Session):
    """A requests session that never waits forever (every request gets `timeout=`) and takes
    the route `core.proxy` decided. Per request, because only a request's own `proxies` can
    switch the environment's off (`no_proxy: *`); the session's are merged under them."""

    def __init__(self, timeout: float, proxies: dict[str, str]) -> None:
        super().__init__()
        self.timeout = timeout
        self.route = proxies

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("proxies", self.route)
        return super().request(*args, **kwargs)


def is_transient(error: BaseException) -> bool:
    """Worth retrying: throttling, server trouble, network trouble, or an empty page."""
    if isinstance(error, arxiv.HTTPError):
        return error.status in RETRY_STATUSES
    return isinstance(
        error, arxiv.UnexpectedEmptyPageError | requests.ConnectionError | requests.Timeout
    )


class ArxivClient(arxiv.Client):
    """`arxiv.Client` pointed at `ARXIV_API_URL`, with timeout, spacing and backoff retries."""

    def __init__(self, arxiv: ArxivSettings, *, page_size: int = PAGE_SIZE) -> None:
        # The package's own retry loop is immediate; ours (below) backs off instead.
        super().__init__(page_size=page_size, delay_seconds=0.0, num_retries=0)
        self.query_url_format = f"{arxiv.api_url}?{{}}"
        self.spacing = arxiv.delay_seconds
        self.retries = arxiv.retries
        route = requests_proxies(arxiv.api_url, secret(arxiv.proxy))
        self._session = _TimeoutSession(arxiv.timeout_seconds, route)

    def _parse_feed(
        self, url: str, first_page: bool = True, _try_index: int = 0
    ) -> arxiv.ParsedFeed:
        retrying = arxiv_retrying(
            retries=self.retries, delay_seconds=self.spacing, transient=is_transient
        )
        return retrying(self._one_request, url, first_page)

    def _one_request(self, url: str, first_page: bool) -> arxiv.ParsedFeed:
        with arxiv_turn(self.spacing):
            return super()._parse_feed(url, first_page=first_page)

    def close(self) -> None:
        self._session.close()


def describe(error: BaseException) -> str:
    """A one-line, secret-free description of an arXiv failure for reports and logs."""
    if isinstance(error, arxiv.HTTPError):
        return f"arXiv API answered HTTP {error.status}"
    if isinstance(error, arxiv.UnexpectedEmptyPageError):
        return "arXiv API kept returning an empty page"
    if isinstance(error, requests.Timeout):
        return "arXiv API timed out"
    if isinstance(error, requests.ConnectionError):
        return "could not connect to the arXiv API"
    return f"arXiv API error: {type(error).__name__}"


def fetch_by_ids(client: ArxivClient, ids: list[str]) -> list[arxiv.Result]:
    """Resolve ids (with or without version) in batches of at most 100 per request."""
    results: list[arxiv.Result] = []
    for start in range(0, len(ids), ID_BATCH):
        batch = ids[start : start + ID_BATCH]
        search = arxiv.Search(id_list=batch, max_results=len(batch))
        results.extend(client.results(search))
    return results


def window_query(categories: tuple[str, ...], start: datetime, end: datetime) -> str:
    """`submittedDate:[A TO B] AND (cat:x OR cat:y)`, minutes in UTC, both ends inclusive."""
    span = f"submittedDate:[{_minute(start)} TO {_minute(end)}]"
    if not categories:
        return span
    cats = " OR ".join(f"cat:{category}" for category in categories)
    return f"{span} AND ({cats})"


def _minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M")


def window_pages(
    client: ArxivClient, categories: tuple[str, ...], start: datetime, end: datetime
) -> Generator[list[arxiv.Result], None, None]:
    """The window's papers, oldest submission first, one API page per item."""
    search = arxiv.Search(
        query=window_query(categories, start, end),
        max_results=None,
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Ascending,
    )
    results = client.results(search)
    while page := list(itertools.islice(results, client.page_size)):
        yield page


def wrap_error(error: BaseException) -> UpstreamError:
    return UpstreamError(
        "arXiv is not answering right now; try again later.", detail=describe(error)
    )
