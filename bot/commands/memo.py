"""Search queries behind paging buttons: callback data holds 64 bytes, a query may hold more.

A short key stands for the query; after a restart (or once evicted) the key is unknown and the
button answers "expired" instead of guessing.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict


class QueryMemo:
    def __init__(self, capacity: int = 10_000) -> None:
        self._queries: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def remember(self, query: str) -> str:
        key = hashlib.blake2s(query.encode("utf-8"), digest_size=6).hexdigest()
        self._queries[key] = query
        self._queries.move_to_end(key)
        while len(self._queries) > self._capacity:
            self._queries.popitem(last=False)
        return key

    def recall(self, key: str) -> str | None:
        return self._queries.get(key)
