"""HTTP_LISTEN: host:port with a real port (0: any free one), or no start at all."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.conftest import make_settings

BAD_PORTS = ["65536", "70000", "99999", "-1", "-8080", "+80", "8o80", "", " ", "８０８０",
             "٨٠٨٠", "²", "80.0", "1e3", "0x50", "9" * 5000, "80 80"]  # fmt: skip
BAD_VALUES = [f"0.0.0.0:{port}" for port in BAD_PORTS] + [
    "0.0.0.0", "8080x", "localhost", "[::]", "127.0.0.1:", ":"
]  # fmt: skip
GOOD = ["0.0.0.0:1", "127.0.0.1:8080", ":8080", "localhost:65535", "[::]:443", "example.org:80",
        "127.0.0.1:0"]  # fmt: skip


def test_ports_outside_0_to_65535_are_refused() -> None:
    for value in BAD_VALUES:
        with pytest.raises(ValidationError) as raised:
            make_settings(http_listen=value)
        message = str(raised.value)
        assert "expected host:port with port 0–65535" in message, value
        assert "http_listen" in message


def test_every_real_port_is_accepted() -> None:
    for value in GOOD + [f"0.0.0.0:{port}" for port in range(0, 65536, 997)] + ["h:65535"]:
        assert make_settings(http_listen=value).http_listen == value.strip()


def test_empty_means_the_default_of_each_mode() -> None:
    assert make_settings(http_listen="").http_listen is None
    assert make_settings(http_listen="  ").http_listen is None
