"""A fake WeCom group-robot webhook (`POST /cgi-bin/webhook/send?key=...`) on 127.0.0.1.

Enforced like WeCom: an unknown or missing key → errcode 93000; a body that is not JSON, or not
`{"msgtype": "markdown", "markdown": {"content": ...}}` → 40008/44004; content over 4096 bytes
of UTF-8 → 40058; more than `limit` accepted messages per key in any `period` seconds → 45009.
Markup outside the robot's markdown subset (tables, images, HTML tags other than
`<font color="info|comment|warning">`, unbalanced `**` or backticks, non-http links) is accepted,
as WeCom would show it garbled, and recorded in `violations`.

    with FakeWeComRobot(keys=("k1", "k2")) as robot:     # or the pytest fixture `wecom_robot`
        url = robot.url("k1")
        ...
        assert robot.messages["k1"] == [...]; assert robot.violations == []

Faults: `flood_next(times)` (45009), `fail_next(times, status=502)`. Observations: `messages`
(per key, accepted, in order), `answers` (every errcode sent back, in order), `requests`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_BYTES = 4096
PATH = "/cgi-bin/webhook/send"
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>?")
_FONT = re.compile(r'<font color="(?:info|comment|warning)">|</font>')
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$|^\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")
_LINK = re.compile(r"\[[^\[\]]*\]\(([^()\s]*)\)")


def markdown_violations(content: str) -> list[str]:
    """What in `content` falls outside WeCom robot markdown (empty: all within the subset)."""
    found = []
    if "![" in content:
        found.append("image")
    for line in content.splitlines():
        if _TABLE_ROW.match(line):
            found.append(f"table row: {line[:60]}")
        if line.count("**") % 2 or line.replace("**", "").count("`") % 2:
            found.append(f"unbalanced bold or code: {line[:60]}")
    tags = _TAG.findall(content)
    found += [f"tag {tag[:40]}" for tag in tags if not _FONT.fullmatch(tag)]
    if content.count("<font") != content.count("</font>"):
        found.append("unbalanced <font>")
    found += [f"link {url[:60]}" for url in _LINK.findall(content) if not _web(url)]
    return found


def _web(url: str) -> bool:
    return url.startswith(("http://", "https://"))


class FakeWeComRobot:
    """The fake endpoint; see the module docstring."""

    def __init__(
        self, keys: tuple[str, ...] = ("test-key-1",), *, limit: int = 20, period: float = 60.0
    ) -> None:
        self.keys = set(keys)
        self.limit, self.period = limit, period
        self.messages: dict[str, list[str]] = defaultdict(list)
        self.answers: list[tuple[str, int]] = []  # (key, errcode) for every request answered
        self.violations: list[str] = []
        self.requests = 0
        self._times: dict[str, deque[float]] = defaultdict(deque)
        self._floods = 0
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        # shutdown() waits for the serving thread's next poll: 50 ms, not the default 500 ms
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, key: str) -> str:
        return f"{self.base_url}{PATH}?key={key}"

    def flood_next(self, times: int = 1) -> None:
        with self._lock:
            self._floods += times

    def fail_next(self, times: int = 1, status: int = 502) -> None:
        with self._lock:
            self._failures += [status] * times

    def __enter__(self) -> FakeWeComRobot:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def answer(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """The HTTP status and JSON answer for one request (the handler's logic)."""
        with self._lock:
            self.requests += 1
            if self._failures:
                return self._failures.pop(0), {"errcode": -1, "errmsg": "server error"}
            key = parse_qs(urlsplit(path).query).get("key", [""])[0]
            code, message = self._accept(urlsplit(path).path, key, body)
            self.answers.append((key, code))
            return 200, {"errcode": code, "errmsg": message}

    def _accept(self, path: str, key: str, body: bytes) -> tuple[int, str]:
        if path != PATH or key not in self.keys:
            return (
                93000,
                "invalid webhook url, hint: [fake], more info at https://open.work.weixin.qq.com",
            )
        content, problem = _content(body)
        if problem is not None:
            return problem
        if len(content.encode()) > MAX_BYTES:
            return 40058, "markdown.content exceed max length 4096"
        if self._floods or not self._room(key):
            self._floods = max(0, self._floods - 1)
            return 45009, "api freq out of limit"
        self._times[key].append(time.monotonic())
        self.messages[key].append(content)
        self.violations += markdown_violations(content)
        return 0, "ok"

    def _room(self, key: str) -> bool:
        times, now = self._times[key], time.monotonic()
        while times and now - times[0] >= self.period:
            times.popleft()
        return len(times) < self.limit


def _content(body: bytes) -> tuple[str, tuple[int, str] | None]:
    try:
        data = json.loads(body)
    except ValueError:
        return "", (40001, "invalid json")
    if not isinstance(data, dict) or data.get("msgtype") != "markdown":
        return "", (40008, "invalid message type")
    content = (data.get("markdown") or {}).get("content")
    if not isinstance(content, str) or not content.strip():
        return "", (44004, "empty content")
    return content, None


def _handler(robot: FakeWeComRobot) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, answer = robot.answer(self.path, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the request line holds the key, and tests read `answers` instead."""

    return Handler
