"""The Official Account HTTP API we call: access token, customer-service text, draft box, and
the images an article shows (`media/uploadimg`).

wechatpy 1.8 is synchronous and has no draft API, so this is a small async client on the
process's `httpx.AsyncClient`. WeChat answers HTTP 200 with an `errcode` for almost every
error; `_call` turns those into the exceptions below, which say what the caller should do:

- `OutsideWindow` (45015, 45047): the user has not written within 48 hours (or we used up the
  window's message quota). Not a block: the user still follows us; they get their papers the
  next time they write.
- `Unfollowed` (43004): the user unfollowed the account; stop sending there.
- `Unavailable` (-1 busy, 45009 API quota, 5xx, network errors): retry later.
- `ApiError`: anything else (bad openid, bad media id…), a permanent failure.

The access token is cached until 5 minutes before it expires and refreshed once when WeChat
says it is invalid or expired (40001, 40014, 42001). With a `TokenStore`
(`core.services.shared_tokens`, which the composition root always passes) the token is the one
every instance and client of the account shares, fetched by one of them at a time: WeChat
invalidates the old token whenever a new one is fetched. Neither the app secret nor the token is
ever logged or put into an exception message: both travel in query strings, so no URL is.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from core.config_groups import WeChatSettings
from core.proxy import httpx_options, secret
from core.services.shared_tokens import DatabaseTokens

log = logging.getLogger(__name__)

MAX_TEXT_BYTES = 2048  # a customer-service text message, UTF-8
TOKEN_MARGIN = 300.0  # seconds before `expires_in` at which we fetch a new token
TIMEOUT = httpx.Timeout(15.0)
TOKEN_INVALID = frozenset({40001, 40014, 42001})
OUTSIDE_WINDOW = frozenset({45015, 45047})
UNFOLLOWED = frozenset({43004})
TRANSIENT = frozenset({-1, 45009})
MAX_TITLE, MAX_AUTHOR, MAX_DIGEST = 64, 16, 120  # characters WeChat accepts in a draft
UPLOAD_IMAGE = "cgi-bin/media/uploadimg"


class ApiError(Exception):
    """WeChat refused the call; `errcode`/`errmsg` as WeChat sent them."""

    def __init__(self, errcode: int, errmsg: str, *, api: str) -> None:
        super().__init__(f"WeChat {api}: errcode {errcode} {errmsg}".strip())
        self.errcode, self.errmsg, self.api = errcode, errmsg, api


class OutsideWindow(ApiError):
    """The 48-hour customer-service window is closed for this user."""


class Unfollowed(ApiError):
    """The user unfollowed the Official Account."""


class Unavailable(ApiError):
    """Busy, over quota, a 5xx or a network error: the same call may succeed later."""


class NotConfigured(Exception):
    """WECHAT_APP_ID / WECHAT_APP_SECRET are not set."""


def _error(errcode: int, errmsg: str, api: str) -> ApiError:
    for codes, kind in (
        (OUTSIDE_WINDOW, OutsideWindow),
        (UNFOLLOWED, Unfollowed),
        (TRANSIENT, Unavailable),
    ):
        if errcode in codes:
            return kind(errcode, errmsg, api=api)
    return ApiError(errcode, errmsg, api=api)


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """`text` as messages of at most `limit` UTF-8 bytes, cut at line ends where possible."""
    messages: list[str] = []
    current = ""
    for line in text.strip().split("\n"):
        for piece in _cut_line(line, limit):
            joined = f"{current}\n{piece}" if current else piece
            if len(joined.encode()) <= limit:
                current = joined
                continue
            messages.append(current)
            current = piece
    if current.strip():
        messages.append(current)
    return [message.strip() for message in messages if message.strip()]


def _cut_line(line: str, limit: int) -> list[str]:
    """A line longer than `limit` bytes in pieces that fit, never inside a character."""
    pieces: list[str] = []
    while len(line.encode()) > limit:
        cut = len(line.encode()[:limit].decode(errors="ignore"))
        pieces.append(line[:cut])
        line = line[cut:]
    return [*pieces, line]


def wechat_http(wechat: WeChatSettings, **options: Any) -> httpx.AsyncClient:
    """An HTTP client for the WeChat API and WeCom robots (both Tencent hosts), with PROXY
    applied for WECHAT_API_BASE_URL (`core.proxy`)."""
    return httpx.AsyncClient(**options, **httpx_options(wechat.api_base_url, secret(wechat.proxy)))


class WeChatApi:
    """One Official Account's API; share one instance per process (it holds the token)."""

    def __init__(
        self,
        wechat: WeChatSettings,
        http: httpx.AsyncClient,
        *,
        tokens: DatabaseTokens | None = None,
    ) -> None:
        if not wechat.app_id or wechat.app_secret is None:
            raise NotConfigured("WECHAT_APP_ID and WECHAT_APP_SECRET must both be set")
        self.app_id = wechat.app_id
        self._secret = wechat.app_secret
        self.base_url = wechat.api_base_url.rstrip("/")
        self.thumb_media_id = wechat.thumb_media_id
        self.http = http
        self._token: str | None = None
        self._token_until = 0.0
        self._token_lock = asyncio.Lock()
        self.tokens = tokens  # None: this client's own token, in memory

    def __repr__(self) -> str:
        return f"WeChatApi(app_id={self.app_id!r})"  # never the secret or the token

    async def send_text(self, openid: str, text: str) -> int:
        """Customer-service text to `openid`, split into ≤ 2048-byte messages at line ends;
        how many messages were sent. Raises OutsideWindow, Unfollowed, Unavailable, ApiError
        (on a failure after the first message, the earlier ones were delivered)."""
        parts = split_text(text)
        for part in parts:
            payload = {"touser": openid, "msgtype": "text", "text": {"content": part}}
            await self._call("cgi-bin/message/custom/send", payload)
        return len(parts)

    async def add_draft(
        self, title: str, html: str, digest: str, author: str, source_url: str = ""
    ) -> str:
        """Put one article into the draft box; its media_id. `source_url` is its 阅读原文 link
        (the issue's web page when PUBLIC_BASE_URL is set).

        WeChat requires a cover image (`thumb_media_id`, a permanent material): it is taken
        from WECHAT_THUMB_MEDIA_ID; without one the real API refuses the draft (errcode 40007).
        """
        article: dict[str, Any] = {
            "title": title[:MAX_TITLE],
            "author": author[:MAX_AUTHOR],
            "digest": digest[:MAX_DIGEST],
            "content": html,
            "content_source_url": source_url,
            "need_open_comment": 0,
            "only_fans_can_comment": 0,
        }
        if self.thumb_media_id:
            article["thumb_media_id"] = self.thumb_media_id
        answer = await self._call("draft/add", {"articles": [article]})
        return str(answer.get("media_id", ""))

    async def upload_image(self, data: bytes, filename: str, mime_type: str) -> str:
        """An image for use inside article content (`media/uploadimg`: JPEG or PNG, at most
        1 MB); the URL WeChat serves it from. Articles show no image from anywhere else."""

        async def upload(token: str) -> dict[str, Any]:
            return await self._request(
                "POST", UPLOAD_IMAGE, params={"access_token": token},
                files={"media": (filename, data, mime_type)},
            )  # fmt: skip

        answer = await self._with_token(upload)
        url = answer.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ApiError(-2, "no url in the answer", api=UPLOAD_IMAGE)
        return url

    async def access_token(self, *, refused: str | None = None) -> str:
        """The cached token, or a new one from `cgi-bin/token` when missing, old or `refused`
        (only if the refused one is still cached: concurrent callers refresh it once)."""
        async with self._token_lock:
            stale = self._token is None or time.monotonic() >= self._token_until
            if stale or (refused is not None and refused == self._token):
                await self._fetch_token(refused)
            assert self._token is not None
            return self._token

    async def _fetch_token(self, refused: str | None) -> None:
        if self.tokens is None:
            token, expires = await self._new_token()
            self._token = token
            self._token_until = time.monotonic() + max(0.0, expires - TOKEN_MARGIN)
            return
        shared = await self.tokens.token(
            f"wechat:{self.app_id}", self._new_token, refused=refused, margin=TOKEN_MARGIN
        )
        self._token = shared.value
        self._token_until = (
            time.monotonic() + (shared.expires_at - datetime.now(UTC)).total_seconds()
        )

    async def _new_token(self) -> tuple[str, float]:
        """A new token from WeChat (which invalidates the previous one) and its lifetime."""
        params = {
            "grant_type": "client_credential",
            "appid": self.app_id,
            "secret": self._secret.get_secret_value(),
        }
        answer = await self._request("GET", "cgi-bin/token", params=params)
        token, expires = answer.get("access_token"), answer.get("expires_in", 7200)
        if not isinstance(token, str) or not token:
            raise ApiError(-2, "no access_token in the answer", api="cgi-bin/token")
        log.info("WeChat access token refreshed (valid %ss)", expires)
        return token, float(expires)

    async def _call(self, api: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST `payload` with the access token; once more with a new token if it was refused."""
        return await self._with_token(lambda token: self._post(api, payload, token))

    async def _with_token(self, call: Callable[[str], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
        """`call(token)`; once more with a new token if WeChat refused this one."""
        token = await self.access_token()
        try:
            return await call(token)
        except ApiError as error:
            if error.errcode not in TOKEN_INVALID:
                raise
            log.warning("WeChat refused the access token (errcode %s); refreshing", error.errcode)
        return await call(await self.access_token(refused=token))

    async def _post(self, api: str, payload: dict[str, Any], token: str) -> dict[str, Any]:
        # ensure_ascii=False: some WeChat APIs store "\\u4e2d" escapes literally.
        body = json.dumps(payload, ensure_ascii=False).encode()
        return await self._request(
            "POST", api, params={"access_token": token}, content=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )  # fmt: skip

    async def _request(self, method: str, api: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{self.base_url}/{api}"
        try:
            response = await self.http.request(method, url, timeout=TIMEOUT, **kwargs)
        except httpx.HTTPError as exc:  # the message names no URL, so no secret leaks
            raise Unavailable(-3, f"network error: {type(exc).__name__}", api=api) from None
        if response.status_code >= 500:
            raise Unavailable(-4, f"HTTP {response.status_code}", api=api)
        return _decoded(response, api)


def _decoded(response: httpx.Response, api: str) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        raise ApiError(-5, f"HTTP {response.status_code}, not JSON", api=api) from None
    if not isinstance(answer, dict):
        raise ApiError(-5, "the answer is not a JSON object", api=api)
    errcode = answer.get("errcode", 0)
    if errcode:
        raise _error(int(errcode), str(answer.get("errmsg", "")), api)
    return answer
