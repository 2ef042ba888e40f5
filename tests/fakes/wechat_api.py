"""A fake of the Official Account APIs we call: `cgi-bin/token`, customer-service messages and
`draft/add`, on 127.0.0.1 (ephemeral port) in a background thread.

It behaves as WeChat does where it matters to us: every error is HTTP 200 with an `errcode`;
tokens expire (`expire_tokens()` → 42001) or are revoked (`revoke_tokens()` → 40001); users not
in `window` are outside the 48-hour window (45015); a text over 2048 bytes is refused (45002);
a draft without `thumb_media_id` is refused (40007) and its HTML is checked the way the
editor would strip it — no <script>/<style>/<iframe>, no class or on* attributes, no image but
those `media/uploadimg` returned (45166). `media/uploadimg` takes a multipart `media` file that
decodes as JPEG or PNG (40005 otherwise, whatever its name says) of at most 1 MB (40009).
`fail_next(api, errcode)` injects one error. Calls, drafts and messages are recorded.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from html.parser import HTMLParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from PIL import Image

APP_ID, APP_SECRET = "wx-fake-app", "fake-secret-do-not-log"
FORBIDDEN_TAGS = frozenset({"script", "style", "iframe", "link", "meta", "form", "object"})
MAX_CONTENT_CHARS = 20_000
MAX_IMAGE_BYTES = 1024 * 1024
IMAGE_HOST = "http://mmbiz.qpic.cn/"


class ArticleHtmlChecker(HTMLParser):
    """Collects what WeChat's editor would strip or refuse in an article's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name == "class" or name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name == "href" and not (value or "").startswith(("https://", "http://")):
                self.problems.append(f"{tag}[href={value!r}]")
            if tag == "img" and name == "src" and not (value or "").startswith(IMAGE_HOST):
                self.problems.append(f"img[src={value!r}]")  # WeChat shows only its own

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_article_html(html: str) -> list[str]:
    checker = ArticleHtmlChecker()
    checker.feed(html)
    checker.close()
    return checker.problems


@dataclass
class WeChatState:
    token_ttl: int = 7200
    window: set[str] = field(default_factory=set)  # openids that wrote within 48 hours
    unfollowed: set[str] = field(default_factory=set)
    tokens_issued: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)
    messages: list[tuple[str, str]] = field(default_factory=list)  # (openid, content)
    drafts: list[dict[str, Any]] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)  # uploadimg URL → the bytes
    calls: list[str] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeWeChatApi:
    def __init__(self) -> None:
        self.state = WeChatState()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        # shutdown() waits for the serving thread's next poll: 50 ms, not the default 500 ms
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeWeChatApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def fail_next(self, api: str, errcode: int) -> None:
        with self.state.lock:
            self.state.failures.setdefault(api, []).append(errcode)

    def expire_tokens(self) -> None:
        with self.state.lock:
            self.state.expired_tokens |= self.state.valid_tokens
            self.state.valid_tokens.clear()

    def revoke_tokens(self) -> None:
        with self.state.lock:
            self.state.valid_tokens.clear()

    def messages_to(self, openid: str) -> list[str]:
        return [text for target, text in self.state.messages if target == openid]


@contextmanager
def fake_wechat_api() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi() as fake:
        yield fake


def _handler(state: WeChatState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._answer(self._route(json_body=None))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            kind = self.headers.get("Content-Type", "")
            if kind.lower().startswith("multipart/form-data"):
                self._answer(self._route(json_body=None, files=_files(kind, raw)))
                return
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                self._answer({"errcode": 47001, "errmsg": "data format error"})
                return
            self._answer(self._route(json_body=body))

        def _route(self, json_body: Any, files: dict[str, bytes] | None = None) -> dict[str, Any]:
            url = urlsplit(self.path)
            api, query = url.path.strip("/"), dict(parse_qsl(url.query))
            with state.lock:
                state.calls.append(api)
                if api == "cgi-bin/token":
                    return _token(state, query)
                problem = _token_problem(state, query.get("access_token", ""))
                if problem:
                    return problem
                injected = state.failures.get(api)
                if injected:
                    code = injected.pop(0)
                    return {"errcode": code, "errmsg": f"injected {code}"}
                if api == "cgi-bin/message/custom/send":
                    return _custom_send(state, json_body)
                if api == "draft/add":
                    return _draft_add(state, json_body)
                if api == "cgi-bin/media/uploadimg":
                    return _upload_image(state, files or {})
            return {"errcode": 404, "errmsg": "unknown api"}

        def _answer(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _token(state: WeChatState, query: dict[str, str]) -> dict[str, Any]:
    if query.get("grant_type") != "client_credential":
        return {"errcode": 40002, "errmsg": "invalid grant_type"}
    if query.get("appid") != APP_ID:
        return {"errcode": 40013, "errmsg": "invalid appid"}
    if query.get("secret") != APP_SECRET:
        return {"errcode": 40125, "errmsg": "invalid appsecret"}
    state.tokens_issued += 1
    token = f"TOKEN-{state.tokens_issued}-secret"
    state.valid_tokens.add(token)
    return {"access_token": token, "expires_in": state.token_ttl}


def _token_problem(state: WeChatState, token: str) -> dict[str, Any] | None:
    if token in state.valid_tokens:
        return None
    if token in state.expired_tokens:
        return {"errcode": 42001, "errmsg": "access_token expired"}
    return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}


def _custom_send(state: WeChatState, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or body.get("msgtype") != "text":
        return {"errcode": 40008, "errmsg": "invalid message type"}
    openid, content = str(body.get("touser", "")), str(body.get("text", {}).get("content", ""))
    if openid in state.unfollowed:
        return {"errcode": 43004, "errmsg": "require subscribe"}
    if openid not in state.window:
        return {
            "errcode": 45015,
            "errmsg": "response out of time limit or subscription is canceled",
        }
    if not content or len(content.encode()) > 2048:
        return {"errcode": 45002, "errmsg": "content size out of limit"}
    state.messages.append((openid, content))
    return {"errcode": 0, "errmsg": "ok"}


def _draft_add(state: WeChatState, body: Any) -> dict[str, Any]:
    articles = body.get("articles") if isinstance(body, dict) else None
    if not isinstance(articles, list) or not articles:
        return {"errcode": 44003, "errmsg": "empty news data"}
    for article in articles:
        if not article.get("thumb_media_id"):
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        content = str(article.get("content", ""))
        if not article.get("title") or not content:
            return {"errcode": 44004, "errmsg": "empty content"}
        if len(content) >= MAX_CONTENT_CHARS or check_article_html(content):
            return {"errcode": 45166, "errmsg": "invalid content"}
    state.drafts.append(articles[0])
    return {"media_id": f"MEDIA-{len(state.drafts)}"}


def _files(content_type: str, body: bytes) -> dict[str, bytes]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        files[str(name)] = payload if isinstance(payload, bytes) else b""
    return files


def _upload_image(state: WeChatState, files: dict[str, bytes]) -> dict[str, Any]:
    data = files.get("media")
    if data is None:
        return {"errcode": 41005, "errmsg": "media data missing"}
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except Exception:
        kind = None
    if kind not in ("JPEG", "PNG"):
        return {"errcode": 40005, "errmsg": "invalid file type"}
    if len(data) > MAX_IMAGE_BYTES:
        return {"errcode": 40009, "errmsg": "invalid image size"}
    url = f"{IMAGE_HOST}mmbiz_{kind.lower()}/{len(state.images) + 1}/0?wx_fmt={kind.lower()}"
    state.images[url] = data
    return {"url": url}
