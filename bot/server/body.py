"""A request body read up to a limit, so a client cannot make us buffer megabytes.

uvicorn has no body-size limit of its own (tornado had `max_body_size`); each endpoint states
what it accepts and gets `None` past it, to answer 413 itself.
"""

from __future__ import annotations

from starlette.requests import Request


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is (or announces itself) longer than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
