"""The search vocabulary shared by both engines: index documents and query terms.

A query is reduced to plain words before any SQL is built, so quotes, `*`, `NEAR`, `-`, `:`,
`AND`/`OR`, brackets and backslashes are just text. Each engine module turns `Term`s into its own
query language from these safe words.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.textseg import is_han, segment

MAX_QUERY_CHARS = 1000  # a longer query is cut: nobody means the 1001st character
MAX_TERMS = 16  # every term is ANDed; beyond this a query only gets slower, not better
MIN_PREFIX_CHARS = 3  # "optim" finds "optimization"; "ai" does not find "aim"


@dataclass(frozen=True)
class IndexDocument:
    """One paper's index row, already segmented into space-separated words."""

    paper_id: int
    title: str
    body: str


@dataclass(frozen=True)
class Term:
    """One query word: lower-cased letters/digits or Han characters only, never syntax."""

    word: str
    prefix: bool


def query_terms(query: str) -> list[Term]:
    """The distinct words of a user's query, in order, at most MAX_TERMS of them."""
    terms: list[Term] = []
    seen: set[str] = set()
    for word in segment(query[:MAX_QUERY_CHARS]):
        word = word.lower()
        if word in seen:
            continue
        seen.add(word)
        terms.append(Term(word=word, prefix=_wants_prefix(word)))
        if len(terms) == MAX_TERMS:
            break
    return terms


def _wants_prefix(word: str) -> bool:
    return len(word) >= MIN_PREFIX_CHARS and not word.isdigit() and not is_han(word)
