"""Send one announcement to every chat that receives digests, through any platform's sender.

Paced by the sender itself (Telegram's rate limiter); a chat that blocked us is marked so,
flood waits are honoured a few times, and a permanent failure skips that chat only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Protocol

from core.sending import SendBlocked, SendFailed, SendRetryLater
from core.services.chats import active_chats, mark_blocked
from storage.db import Database

log = logging.getLogger(__name__)

RETRIES = 3
MAX_WAIT = 60.0


class TextSender(Protocol):
    """Sends one HTML message to a chat of one platform (`core.sending.Sender` is one)."""

    platform: str

    async def send(self, target: str, text: str) -> str:
        """The message id; raises SendBlocked, SendRetryLater or SendFailed."""
        ...


async def broadcast(db: Database, senders: Mapping[str, TextSender], html: str) -> int:
    """Send `html` to each receiving chat on a platform we have a sender for; how many got it."""
    sent = 0
    for chat in await active_chats(db):
        sender = senders.get(chat.platform)
        if sender is not None and await _send_one(db, sender, chat.chat_id, html):
            sent += 1
    return sent


async def _send_one(db: Database, sender: TextSender, target: str, html: str) -> bool:
    for _ in range(RETRIES):
        try:
            await sender.send(target, html)
            return True
        except SendRetryLater as wait:
            await asyncio.sleep(min(wait.retry_after, MAX_WAIT))
        except SendBlocked:
            await mark_blocked(db, platform=sender.platform, chat_id=target)
            return False
        except SendFailed as error:
            log.warning("broadcast to %s failed: %s", target, error)
            return False
    log.warning("broadcast to %s gave up after %d flood waits", target, RETRIES)
    return False
