"""The headers every web page carries, and answers to conditional requests.

Security headers are added to every response of the archive (pages, errors, the stylesheet)
by `SecurityHeaders`, so no handler can forget them: a Content-Security-Policy that allows no
inline script or style (pages need no JavaScript at all), nosniff, and a referrer policy that
gives other sites only our origin. Each page carries an ETag (a hash of its bytes): published
issues are immutable, so they get a long lifetime and Last-Modified; lists and search a short
one. A matching If-None-Match (or, without it, If-Modified-Since) is answered 304.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' https: data:; script-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}
LONG_CACHE = "public, max-age=86400"  # a published issue: changes only with a new release
SHORT_CACHE = "public, max-age=300"  # the latest issue, lists, search, topics, papers
ERROR_CACHE = "no-store"
ASSET_CACHE = "public, max-age=31536000, immutable"  # named by its hash


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response of the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def cached(
    request: Request,
    body: bytes,
    *,
    media_type: str = "text/html; charset=utf-8",
    cache_control: str = SHORT_CACHE,
    last_modified: datetime | None = None,
    etag: str | None = None,
) -> Response:
    """200 with `body`, or 304 when the client's copy is current; the ETag is a hash of
    `body` unless the caller knows a tag that changes exactly when the body does."""
    etag = etag or f'"{hashlib.sha256(body).hexdigest()[:20]}"'
    answer = revalidated(request, etag, cache_control=cache_control, last_modified=last_modified)
    return answer or Response(body, media_type=media_type, headers=_validators(
        etag, cache_control, last_modified))  # fmt: skip


def revalidated(
    request: Request, etag: str, *, cache_control: str, last_modified: datetime | None = None
) -> Response | None:
    """304 when the client's copy (`etag`, `last_modified`) is current, else None: a page
    whose ETag is known before rendering answers this without rendering."""
    if not _not_modified(request, etag, last_modified):
        return None
    return Response(status_code=304, headers=_validators(etag, cache_control, last_modified))


def _validators(etag: str, cache_control: str, last_modified: datetime | None) -> dict[str, str]:
    headers = {"etag": etag, "cache-control": cache_control}
    if last_modified is not None:
        headers["last-modified"] = format_datetime(last_modified.astimezone(UTC), usegmt=True)
    return headers


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = _http_date(request.headers.get("if-modified-since"))
    return (
        since is not None
        and last_modified is not None
        and (last_modified.replace(microsecond=0) <= since)
    )


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def error_page(html: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return HTMLResponse(html, status, headers={"cache-control": ERROR_CACHE, **(headers or {})})
