"""Inline-button data: `action|arg|…|signature`, at most 64 bytes, verified on arrival.

The signature (HMAC-SHA256 under a key derived from the bot token, truncated) makes forged or
tampered button data fail verification instead of reaching a command.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from bot.commands.reply import Button

MAX_BYTES = 64
SEPARATOR = "|"
SIGNATURE_CHARS = 10


class CallbackSigner:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"digestbot-callback:" + secret.encode("utf-8")).digest()

    def encode(self, button: Button) -> str:
        payload = SEPARATOR.join((button.action, *button.args))
        data = f"{payload}{SEPARATOR}{self._sign(payload)}"
        if len(data.encode("utf-8")) > MAX_BYTES or any(SEPARATOR in a for a in button.args):
            raise ValueError(f"button data does not fit Telegram's 64 bytes: {payload!r}")
        return data

    def decode(self, data: str | None) -> tuple[str, tuple[str, ...]] | None:
        """(action, args), or None for data we did not sign (forged, stale format, garbage)."""
        if not data or len(data.encode("utf-8")) > MAX_BYTES:
            return None
        payload, _, signature = data.rpartition(SEPARATOR)
        if not payload or not hmac.compare_digest(signature, self._sign(payload)):
            return None
        action, *args = payload.split(SEPARATOR)
        return action, tuple(args)

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[:SIGNATURE_CHARS]
