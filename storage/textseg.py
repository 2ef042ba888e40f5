"""Turn free text into search words, the same way when indexing and when querying.

Full-text engines split on spaces and punctuation, which leaves a Chinese sentence as one giant
"word". So runs of Han characters are segmented with jieba (search mode, which also emits the
shorter words inside long ones: 强化学习 → 强化 学习 强化学习) and everything else is left for the
engine's own tokenizer (lower-casing, stemming). jieba loads its dictionary lazily, once per
process, and quietly.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from typing import Any

# CJK Unified Ideographs (+ extension A and compatibility ideographs): what jieba segments.
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# A word: letters and digits of any script; underscores and marks split words.
_WORD = re.compile(r"[^\W_]+")
MAX_TOKEN_CHARS = 64  # longer "words" are noise (base64, URLs squashed together)

_lock = threading.Lock()
_jieba: Any = None


def _tokenizer() -> Any:
    """jieba's default tokenizer, initialised once (~1 s) with its logging silenced."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def normalize(text: str) -> str:
    """NFKC folds full-width letters (ＲＬＨＦ) and compatibility forms to their plain ones."""
    return unicodedata.normalize("NFKC", text)


def _han_words(run: str) -> Iterator[str]:
    for word in _tokenizer().cut_for_search(run):
        word = word.strip()
        if word:
            yield word


def segment(text: str) -> list[str]:
    """The words of `text` in order: Han runs segmented by jieba, other words as written."""
    words: list[str] = []
    position = 0
    text = normalize(text)
    for match in _HAN_RUN.finditer(text):
        words.extend(_plain_words(text[position : match.start()]))
        words.extend(_han_words(match.group()))
        position = match.end()
    words.extend(_plain_words(text[position:]))
    return words


def _plain_words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text) if len(word) <= MAX_TOKEN_CHARS]


def segment_for_index(text: str) -> str:
    """`text` as space-separated words, ready for the engine's tokenizer."""
    if not text:
        return ""
    return " ".join(segment(text))


def is_han(word: str) -> bool:
    return _HAN_RUN.fullmatch(word) is not None
