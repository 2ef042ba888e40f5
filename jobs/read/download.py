"""One GET to arXiv (an HTML paper, a figure, a PDF): paced, retried, timed out and capped.

Every request takes the process's arXiv turn (`jobs.fetch.gate`), the one rule the API client
follows too, and retries throttling and outages with the same backoff. A body over the cap is
abandoned mid-stream (never buffered whole), so a huge or endless answer costs at most
`max_bytes`. httpx's synchronous client runs in a worker thread, like the `arxiv` package.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from core.config_groups import ReaderSettings
from core.proxy import httpx_options, secret
from jobs.fetch.gate import RETRY_STATUSES, arxiv_retrying, arxiv_turn

USER_AGENT = "digestbot (full-text reader; one request at a time)"


class TooLarge(Exception):
    """The answer was longer than the cap allows."""


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL, after redirects: relative links resolve against it
    content: bytes
    content_type: str


def is_transient(error: BaseException) -> bool:
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code in RETRY_STATUSES
    return isinstance(error, httpx.TransportError)


async def fetch(reader: ReaderSettings, url: str, *, max_bytes: int) -> Fetched | None:
    """The body at `url`, or None when arXiv has none (404/410). Raises `TooLarge`, or the
    last httpx error once the retries are spent."""
    return await asyncio.to_thread(_fetch, reader, url, max_bytes)


def _fetch(reader: ReaderSettings, url: str, max_bytes: int) -> Fetched | None:
    retrying = arxiv_retrying(
        retries=reader.retries, delay_seconds=reader.delay_seconds, transient=is_transient
    )
    options = httpx_options(url, secret(reader.proxy))
    timeout = httpx.Timeout(reader.timeout_seconds)
    headers = {"User-Agent": USER_AGENT}
    with httpx.Client(timeout=timeout, follow_redirects=True, headers=headers, **options) as client:
        return retrying(_one, client, reader.delay_seconds, url, max_bytes)


def _one(client: httpx.Client, spacing: float, url: str, max_bytes: int) -> Fetched | None:
    with arxiv_turn(spacing), client.stream("GET", url) as response:
        if response.status_code in (404, 410):
            return None
        response.raise_for_status()
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(f"{declared} bytes declared, cap {max_bytes}")
        body = bytearray()
        for chunk in response.iter_bytes():
            body.extend(chunk)
            if len(body) > max_bytes:
                raise TooLarge(f"over {max_bytes} bytes")
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        return Fetched(str(response.url), bytes(body), ctype)
