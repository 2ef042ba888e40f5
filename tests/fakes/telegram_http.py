"""HTTP plumbing of the fake Bot API: routes `/bot<token>/<method>` and decodes request bodies.

HTTP/1.1 with keep-alive (PTB's httpx pool reuses connections) and Nagle off, so small JSON
answers are not held back by delayed ACKs; see HttpServer for why it is asyncio. Parameters
may come in the query string, a JSON body, a urlencoded form or multipart/form-data (file
uploads), exactly as Telegram accepts.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from email.parser import BytesParser
from email.policy import HTTP
from functools import partial
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.telegram_api import BotApi
from tests.fakes.telegram_spec import UploadedFile

_ROUTE = re.compile(r"/bot([^/]*)/([A-Za-z0-9_]+)/?")
NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}
UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}


def parse_body(content_type: str, body: bytes, query: str) -> tuple[dict[str, Any], bool]:
    """(parameters, form): form is True when every value arrived as text."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" and body.strip():
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise ValueError("the JSON body must be an object")
        if params:
            raise ValueError("parameters both in the query string and in a JSON body")
        return decoded, False
    if kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif kind == "multipart/form-data":
        params.update(_multipart(content_type, body))
    return params, True


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            fields[str(name)] = UploadedFile(filename, payload)
        else:
            fields[str(name)] = payload.decode("utf-8")
    return fields


class HttpServer:
    """An asyncio HTTP/1.1 server on its own thread and event loop.

    One loop serves every connection, so 50 keep-alive clients do not become 50 threads
    fighting over the GIL (a ThreadingHTTPServer managed a few hundred requests a second);
    only long-polling getUpdates, which blocks on the API's condition, goes to a thread pool.
    """

    def __init__(self, api: BotApi) -> None:
        self.api = api
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fake-telegram-poll")
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="fake-telegram")
        self._writers: set[asyncio.StreamWriter] = set()

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake Telegram server did not start")

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=512)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while await self._exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a client that hangs up mid-request is normal
        except asyncio.CancelledError:
            pass  # the fake is stopping; ending quietly keeps asyncio from logging it
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False when the connection should close."""
        request = await read_request(reader)
        if request is None:
            return False
        _verb, target, headers, body = request
        answer = await self._answer(target, headers, body, reader)
        if answer is None:  # an injected network drop
            return False
        status, payload = answer
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + data)
        await writer.drain()
        return headers.get("connection", "").lower() != "close"

    async def _answer(
        self, target: str, headers: dict[str, str], body: bytes, reader: asyncio.StreamReader
    ) -> tuple[int, dict[str, Any]] | None:
        url = urlsplit(target)
        route = _ROUTE.fullmatch(url.path)
        if route is None:
            return 404, NOT_FOUND
        token, method = route.groups()
        if token != self.api.token:
            return 401, UNAUTHORIZED
        try:
            params, form = parse_body(headers.get("content-type", ""), body, url.query)
        except (ValueError, UnicodeDecodeError) as exc:
            return 400, _bad(f"can't parse request body: {exc}")
        if method.lower() != "getupdates":
            return self.api.handle(method, params, form=form)
        # A long poll blocks until an update arrives: a pool thread waits, not this loop.
        call = partial(
            self.api.handle, method, params, form=form, client_alive=lambda: not reader.at_eof()
        )
        return await self._loop.run_in_executor(self._pool, call)


async def read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, dict[str, str], bytes] | None:
    """(verb, target, lower-cased headers, body) of the next request, None at end of stream."""
    line = await reader.readline()
    if not line.strip():
        return None
    verb, target, _version = line.decode("latin-1").split()
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return verb, target, headers, await _read_chunked(reader)
    return verb, target, headers, await reader.readexactly(int(headers.get("content-length", 0)))


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while size := int((await reader.readline()).split(b";")[0], 16):
        chunks.append(await reader.readexactly(size))
        await reader.readline()
    await reader.readline()  # the blank line after the last chunk (no trailers expected)
    return b"".join(chunks)


def _bad(description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
