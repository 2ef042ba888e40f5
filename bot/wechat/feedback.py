"""WeChat's words for marking a paper: `赞 3`, `踩 3`, `收藏 3`, `取消收藏 3` (paper 3 of the
latest issue) or the same with an arXiv id (`收藏 2402.01399`).

WeChat has no buttons under each paper, so readers type what Telegram readers tap. A word
counts only with a number or an id after it (or alone, to learn the usage): `赞美诗` and
`收藏 扩散模型` stay searches. The shared `mark` action does the rest (`bot.commands.marks`).
"""

from __future__ import annotations

import re

WORDS: dict[str, str] = {
    "赞": "up",
    "踩": "down",
    "取消赞": "unvote",
    "取消踩": "unvote",
    "收藏": "save",
    "取消收藏": "unsave",
}
_ALTERNATIVES = "|".join(sorted(map(re.escape, WORDS), key=len, reverse=True))
# A number, or something id-like (digits with dots, slashes, letters: ids and arXiv URLs).
_MARK = re.compile(rf"^(?P<word>{_ALTERNATIVES})(?:\s*(?P<which>[0-9]{{1,4}}|\S*[0-9]\S*))?$")


def mark_words(text: str) -> tuple[str, str] | None:
    """(what, which) for `收藏 3` → ("save", "3"); None when `text` is not a mark."""
    match = _MARK.match(text)
    if match is None:
        return None
    return WORDS[match["word"]], match["which"] or ""
