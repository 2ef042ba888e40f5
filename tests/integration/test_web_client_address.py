"""Whose address the web's search limit counts: the connecting peer, unless HTTP_TRUSTED_PROXIES
names it as a proxy — then the X-Forwarded-For it sends (uvicorn's proxy headers, real server)."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.server.serve import serving


async def _peer(request: Request) -> PlainTextResponse:
    return PlainTextResponse(request.client.host if request.client else "")


async def _seen(trusted: tuple[str, ...]) -> str:
    app = Starlette(routes=[Route("/", _peer)])
    forwarded = {"X-Forwarded-For": "198.51.100.4"}
    async with (
        serving(app, "127.0.0.1:0", trusted_proxies=trusted) as port,
        httpx.AsyncClient() as client,
    ):
        response = await client.get(f"http://127.0.0.1:{port}/", headers=forwarded)
    return response.text


async def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted() -> None:
    assert await _seen(()) == "127.0.0.1"  # uvicorn alone would have believed loopback
    assert await _seen(("127.0.0.1",)) == "198.51.100.4"
    assert await _seen(("10.0.0.0/8",)) == "127.0.0.1"  # a header from elsewhere: ignored
