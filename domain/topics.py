"""The topic language of /subscribe, and matching a topic against a paper.

    RLHF reward model        every word must appear (title, abstract, LLM keywords, TL;DR)
    "reward model"           these words, in this order
    cat:cs.CL                the paper is in this arXiv category (cat:cs = any cs.*)
    author:"Yejin Choi"      an author's name contains these words (author:Choi works too)
    -survey  -"position paper"   none of these may appear; combine with any of the above
    like:2402.01399          papers similar to this one ("more like this"), on its own

A `like:` topic has no words to find: its papers are those whose text vectors are near the
anchor paper's (`core.services.topic_likes` matches them), so `matches` here never picks a
paper for it.

A topic is plain words, never a pattern: punctuation, emoji and search-engine operators are
just not words, so nothing a user types can change how matching works. Error messages are
in both languages (`user_message` English, `zh` Chinese), like every error in `domain.errors`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.errors import InvalidInput
from domain.topic_like import alone, describe_like, like_id, stored_like
from domain.topictext import Needle, is_han, name_words, paper_text, words
from domain.types import PaperView, TopicKind

MAX_TOPIC_CHARS = 200
MAX_TERMS = 10  # words + phrases + exclusions
MAX_WORD_CHARS = 64

ARCHIVES = frozenset(
    [
        "astro-ph",
        "cond-mat",
        "cs",
        "econ",
        "eess",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "physics",
        "q-bio",
        "q-fin",
        "quant-ph",
        "stat",
    ]
)
_CATEGORY = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")
_FIELD = re.compile(r"(cat|category|author|au|like):", re.IGNORECASE)
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»「」『』〝〞", '"'))
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_EXAMPLES = 'RLHF reward model · cat:cs.CL · author:"Yejin Choi"'


@dataclass(frozen=True)
class TopicQuery:
    """A parsed topic. Build it with `parse_topic` (user text) or `from_json` (stored)."""

    terms: tuple[str, ...] = ()  # as typed; bare words (GPT-4 is one term, matched as a phrase)
    phrases: tuple[str, ...] = ()  # quoted
    excludes: tuple[str, ...] = ()  # words or phrases (with spaces) that must not appear
    category: str | None = None
    author: str | None = None
    like: str | None = None  # an arXiv id (no version): "more like this" paper
    _needles: tuple[Needle, ...] = field(init=False, repr=False, compare=False)
    _excluded: tuple[Needle, ...] = field(init=False, repr=False, compare=False)
    _author: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once per topic, so matching a paper is set lookups and substring probes.
        object.__setattr__(self, "_needles", _compile((*self.terms, *self.phrases)))
        object.__setattr__(self, "_excluded", _compile(self.excludes))
        tokens = name_words(self.author) if self.author else []
        object.__setattr__(self, "_author", " " + " ".join(tokens) + " " if tokens else None)

    @property
    def kind(self) -> TopicKind:
        if self.like:
            return TopicKind.LIKE
        if self.author:
            return TopicKind.AUTHOR
        if self.category and not (self.terms or self.phrases):
            return TopicKind.CATEGORY
        return TopicKind.KEYWORDS

    @property
    def text(self) -> str:
        """The canonical query, as the user would retype it."""
        if self.like:
            return f"like:{self.like}"
        parts = [*self.terms, *(f'"{p}"' for p in self.phrases)]
        if self.category:
            parts.append(f"cat:{self.category}")
        if self.author:
            parts.append(
                f'author:"{self.author}"' if " " in self.author else f"author:{self.author}"
            )
        parts += [f'-"{e}"' if " " in e else f"-{e}" for e in self.excludes]
        return " ".join(parts)

    @property
    def key(self) -> str:
        """Equal for topics that match the same papers however they were typed or ordered."""
        if self.like:
            return f"like:{self.like}"
        positive = sorted(" ".join(words(t)) for t in (*self.terms, *self.phrases))
        negative = sorted(" ".join(words(e)) for e in self.excludes)
        author = " ".join(name_words(self.author)) if self.author else ""
        category = (self.category or "").casefold()
        return "|".join([",".join(positive), category, author, ",".join(negative)])[:255]

    def to_json(self) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "terms": list(self.terms),
            "phrases": list(self.phrases),
            "excludes": list(self.excludes),
            "category": self.category,
            "author": self.author,
        }
        return {**stored, "like": self.like} if self.like else stored

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TopicQuery:
        """Rebuild a stored topic; ValueError if `data` is not one `to_json` wrote."""

        def strings(name: str) -> tuple[str, ...]:
            values = data.get(name) or []
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ValueError(f"topic field {name!r} is not a list of strings")
            return tuple(values)

        category, author, like = data.get("category"), data.get("author"), data.get("like")
        if not isinstance(category, str | None) or not isinstance(author, str | None):
            raise ValueError("topic category/author must be strings")
        query = cls(
            strings("terms"), strings("phrases"), strings("excludes"), category, author,
            stored_like(like),
        )  # fmt: skip
        if not (query._needles or query.category or query._author or query.like):
            raise ValueError("stored topic has nothing to match")
        return query


def _compile(texts: tuple[str, ...]) -> tuple[Needle, ...]:
    return tuple(Needle.of(tokens) for tokens in map(words, texts) if tokens)


def matches(query: TopicQuery, paper: PaperView) -> bool:
    """Whether `paper` is about `query`: every condition holds and no exclusion appears."""
    if query.like:
        return False  # matched by similarity, not text (`core.services.topic_likes`)
    text = paper_text(paper)
    if query.category and not _in_category(query.category.casefold(), text.categories):
        return False
    if query._author and query._author not in text.authors:
        return False
    if not all(needle.found_in(text) for needle in query._needles):
        return False
    return not any(needle.found_in(text) for needle in query._excluded)


def _in_category(category: str, categories: frozenset[str]) -> bool:
    if "." in category:
        return category in categories
    return category in categories or any(c.startswith(category + ".") for c in categories)


def matches_any(queries: Iterable[TopicQuery], paper: PaperView) -> bool:
    """Whether any of `queries` matches (a chat with several topics)."""
    return any(matches(query, paper) for query in queries)


# --- parsing -------------------------------------------------------------------------------


def _invalid(zh: str, en: str) -> InvalidInput:
    return InvalidInput(en, zh=zh)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()


def _scan(text: str) -> Iterator[tuple[bool, str | None, str, bool]]:
    """(negated, field, value, quoted) per token; an unclosed quote runs to the end."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-"
        i += negated
        prefix = _FIELD.match(text, i)
        name = prefix.group(1).lower() if prefix else None
        i = prefix.end() if prefix else i
        if i < n and text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            yield negated, name, text[i + 1 : end], True
            i = end + 1
        else:
            end = i
            while end < n and not text[end].isspace():
                end += 1
            yield negated, name, text[i:end], False
            i = end


@dataclass
class _Draft:
    terms: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    category: str | None = None
    author: str | None = None
    like: str | None = None
    seen: set[tuple[bool, str]] = field(default_factory=set)

    def count(self) -> int:
        return len(self.terms) + len(self.phrases) + len(self.excludes)


def parse_topic(text: str) -> TopicQuery:
    """Parse what follows /subscribe; InvalidInput (en + zh) says what to fix."""
    cleaned = _clean(text)
    if not cleaned:
        raise _invalid(
            f"请告诉我要关注什么，例如 {_EXAMPLES}", f"What should I follow? e.g. {_EXAMPLES}"
        )
    if len(cleaned) > MAX_TOPIC_CHARS:
        raise _invalid(
            f"话题太长了（{len(cleaned)} 字），请控制在 {MAX_TOPIC_CHARS} 字以内",
            f"That topic is {len(cleaned)} characters long; please keep it under {MAX_TOPIC_CHARS}",
        )
    draft = _Draft()
    for negated, name, value, quoted in _scan(cleaned):
        if name in ("cat", "category"):
            _add_category(draft, value, negated)
        elif name in ("author", "au"):
            _add_author(draft, value, negated)
        elif name == "like":
            draft.like = like_id(value, negated=negated, already=draft.like)
        else:
            _add_words(draft, value, negated=negated, quoted=quoted)
    if draft.like:
        if draft.terms or draft.phrases or draft.excludes or draft.category or draft.author:
            raise alone()
        return TopicQuery(like=draft.like)
    if not (draft.terms or draft.phrases or draft.category or draft.author):
        raise _invalid(
            f"话题里没有可以匹配的词（排除词之外至少要有一个词、分类或作者），例如 {_EXAMPLES}",
            f"Nothing to match: besides -exclusions a topic needs a word, category or author, "
            f"e.g. {_EXAMPLES}",
        )
    return TopicQuery(
        tuple(draft.terms),
        tuple(draft.phrases),
        tuple(draft.excludes),
        draft.category,
        draft.author,
    )


def _add_category(draft: _Draft, value: str, negated: bool) -> None:
    value = value.strip()
    if negated:
        raise _invalid("暂不支持排除分类", "Excluding a category is not supported; use -word")
    if not value:
        raise _invalid("cat: 后面要写分类，例如 cat:cs.CL", "cat: needs a category, e.g. cat:cs.CL")
    if draft.category:
        raise _invalid(
            "一个话题只能有一个分类，请分别订阅",
            "One category per topic; subscribe to each category separately",
        )
    archive, dot, subject = value.partition(".")
    archive = archive.lower()
    if not _CATEGORY.match(value.lower()) or archive not in ARCHIVES or (dot and not subject):
        raise _invalid(
            f"“{value[:40]}” 不是 arXiv 分类，例如 cat:cs.CL、cat:stat.ML",
            f"“{value[:40]}” is not an arXiv category; e.g. cat:cs.CL or cat:stat.ML",
        )
    # arXiv spells two-letter subject classes in capitals (cs.CL) and longer ones in lower case
    subject = subject.upper() if len(subject) == 2 else subject.lower()
    draft.category = f"{archive}.{subject}" if subject else archive


def _add_author(draft: _Draft, value: str, negated: bool) -> None:
    name = " ".join(value.split())
    if negated:
        raise _invalid("暂不支持排除作者", "Excluding an author is not supported")
    if not name_words(name):
        raise _invalid(
            'author: 后面要写作者名，例如 author:"Yejin Choi"',
            'author: needs a name, e.g. author:"Yejin Choi" or author:Choi',
        )
    if draft.author:
        raise _invalid(
            "一个话题只能有一位作者，请分别订阅",
            "One author per topic; subscribe to each author separately",
        )
    if any(len(word) > MAX_WORD_CHARS for word in name_words(name)):
        raise _invalid("作者名太长了", "That author name is too long")
    draft.author = name


def _add_words(draft: _Draft, value: str, *, negated: bool, quoted: bool) -> None:
    if not quoted and value in ("OR", "NOT"):
        raise _invalid(
            "话题不支持 OR/NOT：所有词都要出现；要“或”请分别订阅，要排除请用 -词",
            "OR/NOT are not supported: every word must appear; subscribe to alternatives "
            "separately, and exclude with -word",
        )
    tokens = words(value)
    if not tokens or (not quoted and value == "AND"):
        return  # punctuation, emoji, a bare AND: nothing to match on
    _check_tokens(tokens)
    key = (negated, " ".join(tokens))
    if key in draft.seen:
        return
    draft.seen.add(key)
    display = " ".join(value.split()) if quoted else _EDGE_PUNCT.sub("", value)
    target = draft.excludes if negated else draft.phrases if quoted else draft.terms
    target.append(display)
    if draft.count() > MAX_TERMS:
        raise _invalid(
            f"一个话题最多 {MAX_TERMS} 个词，请拆成几个话题",
            f"At most {MAX_TERMS} words per topic; split it into several topics",
        )


def _check_tokens(tokens: list[str]) -> None:
    if any(len(token) > MAX_WORD_CHARS for token in tokens):
        raise _invalid(
            f"有个词超过 {MAX_WORD_CHARS} 个字符，请检查",
            f"One word is longer than {MAX_WORD_CHARS} characters; please check it",
        )
    if len(tokens) == 1 and is_han(tokens[0]) and len(tokens[0]) < 2:
        raise _invalid(
            f"单个汉字“{tokens[0]}”太宽泛了，请至少写两个字",
            f"A single Chinese character (“{tokens[0]}”) matches almost everything; use two",
        )


# --- showing a topic back --------------------------------------------------------------------

_LABELS = {
    "zh": {"category": "分类", "author": "作者", "excluding": "排除", "and": " + ", "sep": "；"},
    "en": {
        "category": "category",
        "author": "author",
        "excluding": "excluding",
        "and": " + ",
        "sep": "; ",
    },
}


def describe(query: TopicQuery, language: str, title: str | None = None) -> str:
    """A short plain-text description (no markup: the front end escapes and styles it); a
    like: topic by its paper's `title` when known."""
    if query.like:
        return describe_like(query.like, language, title)
    labels = _LABELS.get(language, _LABELS["en"])
    left, right = ("“", "”") if language == "zh" else ('"', '"')
    positive = [*query.terms, *(f"{left}{p}{right}" for p in query.phrases)]
    parts = [labels["and"].join(positive)] if positive else []
    if query.category:
        parts.append(f"{labels['category']} {query.category}")
    if query.author:
        parts.append(f"{labels['author']} {query.author}")
    if query.excludes:
        shown = [f"{left}{e}{right}" if " " in e else e for e in query.excludes]
        parts.append(f"{labels['excluding']} {('、' if language == 'zh' else ', ').join(shown)}")
    return labels["sep"].join(parts)
