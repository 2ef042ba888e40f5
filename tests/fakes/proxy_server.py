"""A local forward proxy for tests: HTTP CONNECT tunnels and absolute-URI forwarding, counted.

What an operator's proxy (squid, Clash's HTTP port) does, on 127.0.0.1: a client asks it for
`GET http://host:port/path HTTP/1.1` (plain-HTTP targets, such as the fakes) and it forwards
the request to that host; or `CONNECT host:port` (HTTPS targets) and it opens a raw tunnel.
Every request is recorded, so a test proves its traffic really went through the proxy. With
`username`/`password` it demands `Proxy-Authorization: Basic …` (407 otherwise).

    with FakeProxy() as proxy:
        settings = make_settings(proxy=proxy.url, ...)
        ...
        assert proxy.hits(fake_port) > 0

Each forwarded request goes upstream on a connection of its own with `Connection: close`, and
its response comes back with `Connection: close`: simple, and every request is seen.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

_HEAD_END = b"\r\n\r\n"
_HOP_BY_HOP = (b"connection", b"proxy-connection", b"proxy-authorization", b"keep-alive")


@dataclass(frozen=True)
class Seen:
    """One request the proxy handled: `CONNECT` or the forwarded method, and its target."""

    method: str
    host: str
    port: int
    path: str


class FakeProxy:
    def __init__(self, *, username: str | None = None, password: str | None = None) -> None:
        self.username, self.password = username, password
        self.seen: list[Seen] = []
        self.refused = 0  # requests answered 407
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        auth = f"{self.username}:{self.password}@" if self.username else ""
        return f"http://{auth}127.0.0.1:{self.port}"

    def hits(self, port: int) -> int:
        """Requests (forwarded or tunnelled) to 127.0.0.1:`port` so far."""
        with self._lock:
            return sum(1 for seen in self.seen if seen.port == port)

    def start(self) -> FakeProxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop
        )
        self._server = future.result(timeout=5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:  # open tunnels and connections
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> FakeProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(_HEAD_END)
            method, target, lines = _parse_head(head)
            if not self._authorized(lines):
                self.refused += 1
                writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                             b'Proxy-Authenticate: Basic realm="fake"\r\n'
                             b"Content-Length: 0\r\nConnection: close\r\n\r\n")  # fmt: skip
            elif method == "CONNECT":
                await self._tunnel(target, reader, writer)
            else:
                await self._forward(method, target, lines, reader, writer)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            await _close(writer)

    def _authorized(self, lines: list[bytes]) -> bool:
        if self.username is None:
            return True
        expected = b"basic " + base64.b64encode(f"{self.username}:{self.password}".encode())
        for line in lines:
            name, _, value = line.partition(b":")
            scheme, _, token = value.strip().partition(b" ")
            if name.strip().lower() == b"proxy-authorization":
                return scheme.lower() + b" " + token == expected
        return False

    async def _tunnel(
        self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, _, port = target.rpartition(":")
        self._record(Seen("CONNECT", host, int(port), ""))
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            await writer.drain()
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            await _close(up_writer)

    async def _forward(
        self,
        method: str,
        target: str,
        lines: list[bytes],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        url = urlsplit(target)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"not an absolute http URI: {target}")
        port = url.port or 80
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        self._record(Seen(method, url.hostname, port, path))
        kept = [line for line in lines if line.split(b":")[0].strip().lower() not in _HOP_BY_HOP]
        length = _content_length(kept)
        body = await reader.readexactly(length) if length else b""
        up_reader, up_writer = await asyncio.open_connection(url.hostname, port)
        try:
            request_line = f"{method} {path} HTTP/1.1\r\n".encode()
            up_writer.write(request_line + b"".join(line + b"\r\n" for line in kept))
            up_writer.write(b"Connection: close\r\n\r\n" + body)
            await up_writer.drain()
            response = await up_reader.read()  # the upstream closes after its answer
        finally:
            await _close(up_writer)
        head, _, rest = response.partition(_HEAD_END)
        status, *headers = head.split(b"\r\n")
        kept_headers = [h for h in headers if h.split(b":")[0].strip().lower() not in _HOP_BY_HOP]
        writer.write(b"\r\n".join([status, *kept_headers, b"Connection: close"]) + _HEAD_END)
        writer.write(rest)


def _parse_head(head: bytes) -> tuple[str, str, list[bytes]]:
    request_line, *lines = head[: -len(_HEAD_END)].split(b"\r\n")
    method, target, _version = request_line.decode("latin-1").split(" ", 2)
    return method, target, lines


def _content_length(lines: list[bytes]) -> int:
    for line in lines:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
        if name.strip().lower() == b"transfer-encoding":
            raise ValueError("chunked request bodies are not supported by this fake")
    return 0


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.write_eof()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError, asyncio.CancelledError):
        await writer.wait_closed()
