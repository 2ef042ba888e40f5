"""The `like:` topic ("more like this"): parsing its arXiv id and showing it back.

Apart from `domain.topics` so that module stays about words; a like: topic has none. Its papers
are chosen by similarity to the anchor paper (`core.services.topic_likes`), never by text.
"""

from __future__ import annotations

from domain.arxiv_ids import try_parse_arxiv_id
from domain.errors import InvalidInput


def like_id(value: str, *, negated: bool, already: str | None) -> str:
    """The arXiv id (without version) of `like:VALUE`; InvalidInput says what to fix."""
    if negated:
        raise InvalidInput("Excluding like: is not supported", zh="暂不支持排除 like:")
    parsed = try_parse_arxiv_id(value)
    if parsed is None:
        raise InvalidInput(
            f"like: needs an arXiv id, e.g. like:2402.01399 (“{value[:40]}” is not one)",
            zh=f"like: 后面要写 arXiv 编号，例如 like:2402.01399（“{value[:40]}” 不是）",
        )
    if already:
        raise InvalidInput(
            "One like: paper per topic; subscribe to each separately",
            zh="一个话题只能有一篇 like: 论文，请分别订阅",
        )
    return parsed.arxiv_id


def alone() -> InvalidInput:
    """like: with words, a category or an author: similarity has nothing to combine with."""
    return InvalidInput(
        "like: stands alone: subscribe to it without words, categories or authors",
        zh="like: 要单独订阅，不能和关键词、分类或作者写在一起",
    )


def stored_like(value: object) -> str | None:
    """A stored topic's like field; ValueError when it is not an arXiv id."""
    if value is None:
        return None
    if not isinstance(value, str) or try_parse_arxiv_id(value) is None:
        raise ValueError("topic like is not an arXiv id")
    return value


def describe_like(arxiv_id: str, language: str, title: str | None) -> str:
    """`more like “title”` (the arXiv id when the title is unknown), plain text."""
    name = title[:60] if title else arxiv_id
    return f"像《{name}》这样的论文" if language == "zh" else f"more like “{name}”"
