"""Conditional GET for what the web serves: ETag, Last-Modified, Cache-Control and 304.

The ETag is a hash of the body, so it changes exactly when the bytes do (a new issue, a new
matching paper) and needs no bookkeeping; Last-Modified is the newest thing the body shows.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def cached_response(
    request: Request, body: bytes, *, media_type: str, modified: datetime, max_age: int
) -> Response:
    """`body` with validators, or an empty 304 when the client's copy is still this one."""
    etag = etag_of(body)
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(modified.replace(microsecond=0), usegmt=True),
        "Cache-Control": f"public, max-age={max_age}",
    }
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _not_modified(request: Request, etag: str, modified: datetime) -> bool:
    matches = request.headers.get("if-none-match")
    if matches is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        return etag in {tag.strip().removeprefix("W/") for tag in matches.split(",")} or (
            matches.strip() == "*"
        )
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return modified.replace(microsecond=0) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):  # a malformed date is ignored, as RFC 9110 says
        return False
