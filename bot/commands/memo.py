"""Search queries behind paging buttons: callback data holds 64 bytes, a query may hold more.

A short key stands for the query; after a restart (or once evicted) the key is unknown and the
button answers "expired" instead of guessing. Keys belong to the conversation that got the
buttons, `platform:chat id` (see `scope_of`): a key from one platform's chat means nothing in
another's, even where the ids are equal. It is the chat, not the person, because in a group
anyone may press the buttons under a search.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from bot.commands.reply import Caller


def scope_of(caller: Caller) -> str:
    return f"{caller.platform}:{caller.chat_id}"


class QueryMemo:
    def __init__(self, capacity: int = 10_000) -> None:
        self._queries: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._capacity = capacity

    def remember(self, scope: str, query: str) -> str:
        key = hashlib.blake2s(query.encode("utf-8"), digest_size=6).hexdigest()
        self._queries[(scope, key)] = query
        self._queries.move_to_end((scope, key))
        while len(self._queries) > self._capacity:
            self._queries.popitem(last=False)
        return key

    def recall(self, scope: str, key: str) -> str | None:
        return self._queries.get((scope, key))
