"""uvicorn run inside our event loop, on a socket we bind ourselves.

Binding first gives the operator one line naming HTTP_LISTEN when the port is taken (exit 2,
no traceback), and tests port 0 with the bound port known. uvicorn is driven through
`startup()`/`main_loop()`/`shutdown()` rather than `serve()`, which would install signal
handlers of its own: `cli.run` owns SIGTERM/SIGINT. Its access log is off (it prints the
query string); `bot.server.access` writes ours.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

from core import config_rules as rules
from domain.errors import StartupRefused

log = logging.getLogger(__name__)
# uvicorn's own INFO lines ("Shutting down", "Waiting for connections…") repeat ours; its
# warnings and errors (a bad request, a bug's traceback) still show.
logging.getLogger("uvicorn.error").setLevel(logging.WARNING)

GRACEFUL_SECONDS = 10  # requests in flight at shutdown get this long (WeChat's need 4.5 s)


def host_and_port(listen: str) -> tuple[str, int]:
    """HTTP_LISTEN's parts: "" is every IPv4 address, "[::]" the IPv6 "::"."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)


def bind(listen: str) -> socket.socket:
    """A listening socket at `listen`; StartupRefused (one line naming HTTP_LISTEN) when the
    address is taken, not ours to use, or unknown."""
    host, port = host_and_port(listen)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return _listening_socket(family, host, port)
    except OSError as error:
        # create_server appends the address to strerror; the errno's own words are enough
        reason = (os.strerror(error.errno) if error.errno else type(error).__name__).lower()
        raise StartupRefused(rules.line(
            "http_listen", listen,
            f"cannot listen there ({reason}) — stop what uses that port or set HTTP_LISTEN to "
            "a free host:port",
        )) from None  # fmt: skip


def _listening_socket(family: socket.AddressFamily, host: str, port: int) -> socket.socket:
    """Like `socket.create_server`, but with the protocol named: asyncio sets TCP_NODELAY only
    on connections of a socket whose `proto` is IPPROTO_TCP, and without it every keep-alive
    response waits ~40 ms for the client's delayed ACK (Nagle; measured: bench/bench_http.py)."""
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()
    except OSError:
        sock.close()
        raise
    return sock


@asynccontextmanager
async def serving(
    app: ASGIApp, listen: str, *, describe: str = "", trusted_proxies: tuple[str, ...] = ()
) -> AsyncIterator[int]:
    """Serve `app` at `listen` for the block; yields the bound port (useful with port 0).

    X-Forwarded-For/-Proto are believed only from `trusted_proxies` (HTTP_TRUSTED_PROXIES):
    uvicorn's own default trusts 127.0.0.1 (or $FORWARDED_ALLOW_IPS), which would let anything
    on the host pick its client address for the web's per-client search limit."""
    sock = bind(listen)
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", http="h11", ws="none",
        server_header=False, timeout_graceful_shutdown=GRACEFUL_SECONDS,
        proxy_headers=bool(trusted_proxies), forwarded_allow_ips=list(trusted_proxies) or None,
    )  # fmt: skip
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup(sockets=[sock])
    host, port = sock.getsockname()[:2]
    log.info("HTTP server listening on http://%s:%d%s", _shown(host), port, describe)
    ticking = asyncio.create_task(server.main_loop())
    try:
        yield int(port)
    finally:
        server.should_exit = True
        await ticking
        await server.shutdown(sockets=[sock])


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host
