"""The one pacing rule for every request to arXiv: one at a time per process, spaced.

arXiv asks for no more than one request every few seconds (`ARXIV_DELAY_SECONDS`), and it
means all of them: the API, the HTML papers, their figures and the PDFs. Each caller runs its
request inside `arxiv_turn` (from a worker thread: the clients are synchronous there) and
retries with `arxiv_retrying`, so a reader fetching papers and a fetch resolving ids at the
same time still queue behind one lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class _Gate:
    """Process-wide: the lock and when the last request ended."""

    lock = threading.Lock()
    last_request_at: float | None = None


@contextmanager
def arxiv_turn(spacing: float) -> Iterator[None]:
    """Hold the process's arXiv turn, starting at least `spacing` s after the last request."""
    with _Gate.lock:
        if _Gate.last_request_at is not None:
            wait = _Gate.last_request_at + spacing - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        try:
            yield
        finally:
            _Gate.last_request_at = time.monotonic()


def arxiv_retrying(
    *, retries: int, delay_seconds: float, transient: Callable[[BaseException], bool]
) -> Retrying:
    """Backoff retries for throttling and outages: `delay_seconds`, doubling, at most 60 s."""
    return Retrying(
        stop=stop_after_attempt(retries + 1),
        wait=wait_exponential(multiplier=max(delay_seconds, 0.05), max=60),
        retry=retry_if_exception(transient),
        reraise=True,
    )
