"""WECHAT_LISTEN and TELEGRAM_WEBHOOK_LISTEN: host:port with a real port, or no start at all."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.conftest import make_settings

KEYS = ("wechat_listen", "telegram_webhook_listen")
BAD_PORTS = ["0", "65536", "70000", "99999", "-1", "-8080", "+80", "8o80", "", " ", "８０８０",
             "٨٠٨٠", "²", "80.0", "1e3", "0x50", "9" * 5000, "80 80"]  # fmt: skip
BAD_VALUES = [f"0.0.0.0:{port}" for port in BAD_PORTS] + [
    "0.0.0.0", "8080x", "localhost", "", "[::]", "127.0.0.1:", ":"
]  # fmt: skip
GOOD = ["0.0.0.0:1", "127.0.0.1:8080", ":8080", "localhost:65535", "[::]:443", "example.org:80"]


@pytest.mark.parametrize("key", KEYS)
def test_ports_outside_1_to_65535_are_refused(key: str) -> None:
    for value in BAD_VALUES:
        with pytest.raises(ValidationError) as raised:
            make_settings(**{key: value})
        message = str(raised.value)
        assert "expected host:port with port 1–65535" in message, value
        assert key in message


@pytest.mark.parametrize("key", KEYS)
def test_every_real_port_is_accepted(key: str) -> None:
    for value in GOOD + [f"0.0.0.0:{port}" for port in range(1, 65536, 997)] + ["h:65535"]:
        assert getattr(make_settings(**{key: value}), key) == value.strip()
