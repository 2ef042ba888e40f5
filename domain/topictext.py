"""Folded paper text for topic matching: built once per paper, then probed with plain lookups.

Topics are matched on word boundaries, case- and accent-insensitively, with simple plural
tolerance (`model` ↔ `models`). Rather than run a pattern per topic per paper, each paper is
folded once into (a) the set of its words, for single-word terms, and (b) one string of
space-separated words, for phrases and Chinese terms, which are substring probes. Chinese is
matched as a substring of the Han runs, not via jieba: a short query and the same words inside a
long sentence can segment differently, so segmentation would miss real matches, while a
two-character substring rarely matches by accident.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from domain.types import PaperView

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script
_FIELD_BREAK = "\n"  # between fields, so a phrase never spans title and abstract


def fold(text: str) -> str:
    """NFKC (full-width → plain), accents dropped (Müller → muller), case folded."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():  # most of an English abstract: nothing to decompose
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def is_han(word: str) -> bool:
    return _HAN_RUN.fullmatch(word) is not None


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Singular-ish form of an English word, the same on both sides of a match."""
    if len(word) <= 3 or not (word.isascii() and word.isalpha()):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"  # policies → policy
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]  # classes → class, approaches → approach
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]  # models → model; keeps loss, corpus, analysis
    return word


def words(text: str) -> list[str]:
    """Folded, stemmed words; each Han run is one word (matched by substring later)."""
    spaced = _HAN_RUN.sub(lambda m: f" {m.group()} ", fold(text))
    return [stem(word) for word in _WORD.findall(spaced)]


def name_words(text: str) -> list[str]:
    """Words of a person's name: folded, never stemmed (Davis is not Davi)."""
    return _WORD.findall(_HAN_RUN.sub(lambda m: f" {m.group()} ", fold(text)))


@dataclass(frozen=True, slots=True)
class Needle:
    """One term or phrase, compiled: a set lookup for one English word, else a substring."""

    word: str | None
    fragment: str

    @classmethod
    def of(cls, tokens: Sequence[str]) -> Needle:
        left = "" if is_han(tokens[0]) else " "
        right = "" if is_han(tokens[-1]) else " "
        single = tokens[0] if len(tokens) == 1 and not is_han(tokens[0]) else None
        return cls(word=single, fragment=left + " ".join(tokens) + right)

    def found_in(self, text: PaperText) -> bool:
        if self.word is not None:
            return self.word in text.words
        return self.fragment in text.text


@dataclass(frozen=True, slots=True)
class PaperText:
    """A paper folded for matching: words, joined text, author names, categories."""

    text: str
    words: frozenset[str]
    authors: str
    categories: frozenset[str]


def _joined(
    fields: Iterable[str], split: Callable[[str], list[str]] = words
) -> tuple[str, set[str]]:
    parts: list[str] = []
    seen: set[str] = set()
    for field_text in fields:
        tokens = split(field_text)
        seen.update(tokens)
        parts.append(" " + " ".join(tokens) + " ")
    return _FIELD_BREAK.join(parts), seen


def build_paper_text(paper: PaperView) -> PaperText:
    meta = paper.meta
    fields = [meta.title, meta.abstract]
    if paper.summary is not None:
        content = paper.summary.content
        fields += [content.title_translated, content.tldr, *content.keywords]
    text, seen = _joined(fields)
    authors, _ = _joined(meta.authors, split=name_words)
    categories = {c.casefold() for c in (*meta.categories, meta.primary_category)}
    return PaperText(
        text=text, words=frozenset(seen), authors=authors, categories=frozenset(categories)
    )


class _IdentityCache:
    """PaperText per PaperView object, dropped when the view is garbage-collected.

    Keyed by identity, not by paper id: two views of one paper can carry different summaries,
    and PaperView is not hashable (its summary holds a pydantic model).
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[PaperView], PaperText]] = {}

    def get(self, paper: PaperView) -> PaperText:
        key = id(paper)
        entry = self._entries.get(key)
        if entry is not None and entry[0]() is paper:
            return entry[1]
        text = build_paper_text(paper)
        self._entries[key] = (weakref.ref(paper, lambda _ref: self._entries.pop(key, None)), text)
        return text

    def __len__(self) -> int:
        return len(self._entries)


_cache = _IdentityCache()


def paper_text(paper: PaperView) -> PaperText:
    """The folded text of `paper`, built on first use and reused while the view lives."""
    return _cache.get(paper)
