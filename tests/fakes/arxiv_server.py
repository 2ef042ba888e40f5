"""A local fake of arXiv over real HTTP: the API (`/api/query`) and the RSS feed (`/rss/<cats>`).

The real `arxiv` package and httpx talk to it exactly as they talk to arXiv. It answers from the
recorded fixtures and from papers a test registers, and it can misbehave on purpose: HTTP
429/503, empty pages, slow replies. Every request is recorded with monotonic timestamps so a
test can check that requests were sequential and spaced.

    with FakeArxiv() as arxiv:
        arxiv.add_papers(*make_papers(5, start=...))
        settings = make_settings(**arxiv.settings_overrides())
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fakes.arxiv_feeds import (
    RSS_FIXTURE,
    Announced,
    FakePaper,
    api_error_feed,
    api_feed,
    load_recorded,
    query_key,
    rss_feed,
    rss_fixture_papers,
)
from tests.fakes.arxiv_pages import Pages

_ID_RE = re.compile(r"^(?P<id>\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$")
_WINDOW_RE = re.compile(r"submittedDate:\[(\d{12}) TO (\d{12})\]")
_CAT_RE = re.compile(r"cat:([\w.\-]+)")


@dataclass
class Fault:
    """Misbehaviour for matching requests: an HTTP status, an empty page, or a slow reply.

    `when` sees the query parameters (and `path`); `times=None` means every matching request.
    """

    kind: Literal["status", "empty", "slow"]
    path: str = "/api/query"
    status: int = 503
    delay: float = 0.0
    times: int | None = 1
    when: Callable[[dict[str, str]], bool] | None = None

    def matches(self, path: str, params: dict[str, str]) -> bool:
        if self.times == 0 or not path.startswith(self.path):
            return False
        return self.when is None or self.when(params)


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    params: dict[str, str]
    started: float  # time.monotonic()
    finished: float
    status: int
    fault: str | None = None


@dataclass
class _Feed:
    body: str | None = None  # None: serve the real recorded fixture
    items: list[Announced] = field(default_factory=list)
    on: date | None = None


class FakeArxiv:
    """The fake server; `start()`/`stop()` or use it as a context manager."""

    def __init__(self) -> None:
        self.recorded = load_recorded()
        self.papers: dict[str, dict[int, FakePaper]] = {}
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.use_recorded_bodies = True
        self.pages = Pages()  # papers in full: /html/<id>v<n>, their images, /pdf/<id>v<n>
        self._feed = _Feed()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self.add_papers(*rss_fixture_papers())

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeArxiv:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes slow replies
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeArxiv:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/query"

    @property
    def rss_url(self) -> str:
        return f"{self.base_url}/rss"

    @property
    def html_url(self) -> str:
        return f"{self.base_url}/html"

    @property
    def pdf_url(self) -> str:
        return f"{self.base_url}/pdf"

    def settings_overrides(self, **extra: Any) -> dict[str, Any]:
        """Settings keys pointing the app here, fast: no spacing, short timeout, quick retries."""
        values: dict[str, Any] = {
            "arxiv_api_url": self.api_url,
            "arxiv_rss_url": self.rss_url,
            "arxiv_html_url": self.html_url,
            "arxiv_pdf_url": self.pdf_url,
            "arxiv_delay_seconds": 0.0,
            "arxiv_timeout_seconds": 5.0,
            "arxiv_retries": 3,
        }
        values.update(extra)
        return values

    # -- content ---------------------------------------------------------------------------
    def add_papers(self, *papers: FakePaper) -> None:
        with self._lock:
            for paper in papers:
                self.papers.setdefault(paper.arxiv_id, {})[paper.version] = paper

    def announce(self, items: list[Announced], *, on: date) -> None:
        """Serve a generated announcement (and make its papers resolvable through the API)."""
        self.add_papers(*(item.paper for item in items))
        with self._lock:
            self._feed = _Feed(body="", items=list(items), on=on)

    def announce_nothing(self, *, on: date) -> None:
        """The weekend/holiday feed: a valid feed without entries."""
        self.announce([], on=on)

    def serve_rss_fixture(self) -> None:
        with self._lock:
            self._feed = _Feed()

    # -- misbehaviour ----------------------------------------------------------------------
    def inject(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def fail(
        self,
        status: int = 503,
        *,
        times: int | None = 1,
        path: str = "/api/query",
        when: Callable[[dict[str, str]], bool] | None = None,
    ) -> Fault:
        return self.inject(Fault("status", path=path, status=status, times=times, when=when))

    def empty_pages(
        self, *, times: int | None = 1, when: Callable[[dict[str, str]], bool] | None = None
    ) -> Fault:
        return self.inject(Fault("empty", times=times, when=when))

    def slow(self, delay: float, *, times: int | None = 1, path: str = "/api/query") -> Fault:
        return self.inject(Fault("slow", path=path, delay=delay, times=times))

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def _take_fault(self, path: str, params: dict[str, str]) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(path, params):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    # -- answers ---------------------------------------------------------------------------
    @property
    def api_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/api/query"]

    @property
    def rss_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith("/rss")]

    def answer(
        self, path: str, params: dict[str, str], empty: bool
    ) -> tuple[int, str, str | bytes]:
        if (full_text := self.pages.answer(path)) is not None:
            return full_text
        if path == "/api/query":
            status, body = self._answer_api(params, empty)
            return status, "application/atom+xml; charset=utf-8", body
        if path.startswith("/rss/"):
            return 200, "application/atom+xml; charset=utf-8", self._answer_rss(path)
        return 404, "text/plain", "not found"

    def _answer_rss(self, path: str) -> str:
        with self._lock:
            feed = self._feed
        if feed.body is None:
            return RSS_FIXTURE.read_text(encoding="utf-8")
        categories = unquote(path.removeprefix("/rss/")).replace(" ", "+").split("+")
        wanted = set(categories)
        items = [item for item in feed.items if wanted & set(item.paper.categories)]
        assert feed.on is not None
        return rss_feed(items, on=feed.on, categories=categories)

    def _answer_api(self, params: dict[str, str], empty: bool) -> tuple[int, str]:
        start = int(params.get("start") or 0)
        per_page = int(params.get("max_results") or 10)
        recorded = self.recorded.bodies.get(query_key(params))
        if recorded and self.use_recorded_bodies and not empty:
            return recorded
        ids = [part for part in params.get("id_list", "").split(",") if part]
        if ids:
            for raw in ids:
                if not _ID_RE.match(raw):
                    return 400, api_error_feed(raw)
            entries = [e for raw in ids if (e := self._entry_for(raw))]
        else:
            entries = [p.entry_xml() for p in self._window(params)]
        page = [] if empty else entries[start : start + per_page]
        return 200, api_feed(page, total=len(entries), start=start, per_page=per_page)

    def _entry_for(self, raw: str) -> str | None:
        match = _ID_RE.match(raw)
        assert match is not None
        arxiv_id, version = match["id"], match["v"]
        with self._lock:
            generated = dict(self.papers.get(arxiv_id, {}))
        recorded = self.recorded.entries.get(arxiv_id, {})
        versions: dict[int, str] = {**recorded, **{v: p.entry_xml() for v, p in generated.items()}}
        if not versions:
            return None
        if version is None:
            return versions[max(versions)]
        return versions.get(int(version))

    def _window(self, params: dict[str, str]) -> list[FakePaper]:
        query = params.get("search_query", "")
        window = _WINDOW_RE.search(query)
        if window is None:
            return []
        low, high = window.group(1), window.group(2)
        cats = set(_CAT_RE.findall(query))
        with self._lock:
            latest = [versions[max(versions)] for versions in self.papers.values()]
        chosen = [
            p
            for p in latest
            if low <= p.published.astimezone(UTC).strftime("%Y%m%d%H%M") <= high
            and (not cats or cats & set(p.categories))
        ]
        descending = params.get("sortOrder") == "descending"
        return sorted(chosen, key=lambda p: (p.published, p.arxiv_id), reverse=descending)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _handler_for(fake: FakeArxiv) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            started = time.monotonic()
            url = urlsplit(self.path)
            params = dict(parse_qsl(url.query, keep_blank_values=True))
            fault = fake._take_fault(url.path, params)
            if fault and fault.kind == "slow":
                fake._stopping.wait(fault.delay)
            if fault and fault.kind == "status":
                status, ctype, body = fault.status, "text/plain", f"fake error {fault.status}"
            else:
                empty = bool(fault and fault.kind == "empty")
                status, ctype, body = fake.answer(url.path, params, empty)
            # Recorded before the answer goes out: a client that has its answer must find the
            # request in the record (recording after sending raced the test's assertions).
            fake._record(
                RecordedRequest(
                    url.path,
                    params,
                    started,
                    time.monotonic(),
                    status,
                    fault.kind if fault else None,
                )
            )
            self._send(status, ctype, body)

        def _send(self, status: int, ctype: str, body: str | bytes) -> None:
            data = body.encode("utf-8") if isinstance(body, str) else body
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to do

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean; requests are recorded instead

    return Handler


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Shorthand for tests: `utc(2026, 11, 20, 18)`."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)
