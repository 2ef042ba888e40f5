"""HTTP plumbing of the fake Bot API: routes `/bot<token>/<method>` and decodes request bodies.

HTTP/1.1 with keep-alive (PTB's httpx pool reuses connections) and Nagle off, so small JSON
answers are not held back by delayed ACKs. Parameters may come in the query string, a JSON
body, a urlencoded form or multipart/form-data (file uploads), exactly as Telegram accepts.
"""

from __future__ import annotations

import json
import re
import select
import socket
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
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


def handler_for(api: BotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test output stays readable; calls are recorded in fake.calls()

        def _serve(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            url = urlsplit(self.path)
            route = _ROUTE.fullmatch(url.path)
            if route is None:
                return self._send(404, NOT_FOUND)
            token, method = route.groups()
            if token != api.token:
                return self._send(401, UNAUTHORIZED)
            try:
                params, form = parse_body(self.headers.get("Content-Type", ""), body, url.query)
            except (ValueError, UnicodeDecodeError) as exc:
                return self._send(400, _bad(f"can't parse request body: {exc}"))
            answer = api.handle(method, params, form=form, client_alive=self._client_alive)
            if answer is None:  # an injected network drop
                self.close_connection = True
                return None
            return self._send(*answer)

        def _client_alive(self) -> bool:
            """False once the client closed its end (a cancelled long poll)."""
            try:
                readable, _, _ = select.select([self.connection], [], [], 0)
                return not readable or self.connection.recv(1, socket.MSG_PEEK) != b""
            except OSError:
                return False

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _bad(description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
