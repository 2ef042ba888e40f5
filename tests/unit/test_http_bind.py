"""HTTP_LISTEN to a listening socket: the parts, port 0, and a TCP socket asyncio will set
TCP_NODELAY on (without it every keep-alive answer waited ~40 ms: bench/bench_http.py)."""

from __future__ import annotations

import socket

import pytest

from bot.server.serve import bind, host_and_port
from domain.errors import StartupRefused


def test_listen_values_to_host_and_port() -> None:
    assert host_and_port("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert host_and_port(":8080") == ("0.0.0.0", 8080)
    assert host_and_port("[::]:443") == ("::", 443)
    assert host_and_port("localhost:0") == ("localhost", 0)


def test_port_0_binds_a_free_tcp_port() -> None:
    with bind("127.0.0.1:0") as sock:
        assert sock.getsockname()[1] > 0
        assert sock.proto == socket.IPPROTO_TCP  # asyncio's _set_nodelay checks exactly this


def test_a_taken_port_is_one_line_naming_http_listen() -> None:
    with bind("127.0.0.1:0") as taken:
        listen = f"127.0.0.1:{taken.getsockname()[1]}"
        with pytest.raises(StartupRefused) as refused:
            bind(listen)
    assert str(refused.value).startswith(f"HTTP_LISTEN='{listen}': cannot listen there (")
    assert "\n" not in str(refused.value)
