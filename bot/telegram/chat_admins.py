"""Who administers a Telegram group, asked with getChatMember and remembered for a minute.

A group's settings belong to its own admins (as users of group bots expect), not to the digest's
editors. Pressing a settings button asks once; a burst of presses reuses the answer, and a
change of status is seen within `ttl`. Telegram failing to answer counts as "not an admin".
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


class ChatAdmins:
    def __init__(self, *, ttl: float = 60.0, capacity: int = 10_000) -> None:
        self._answers: OrderedDict[tuple[int, int], tuple[float, bool]] = OrderedDict()
        self._ttl = ttl
        self._capacity = capacity

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        key, now = (chat_id, user_id), time.monotonic()
        cached = self._answers.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as error:
            log.warning("getChatMember failed for chat %s: %s", chat_id, error)
            return False
        answer = member.status in ADMIN_STATUSES
        self._remember(key, now + self._ttl, answer)
        return answer

    def _remember(self, key: tuple[int, int], until: float, answer: bool) -> None:
        self._answers[key] = (until, answer)
        self._answers.move_to_end(key)
        while len(self._answers) > self._capacity:
            self._answers.popitem(last=False)
