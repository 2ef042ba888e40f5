"""Popular topics for /topics: what recent papers are about, ready to subscribe with a tap.

Drawn from the LLM's keywords of the last POPULAR_DAYS of stored papers (counted once per
paper, merged when they fold to the same topic: "LLMs" and "LLM"), plus the busiest primary
arXiv categories; only categories when nothing has keywords yet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from domain.errors import InvalidInput
from domain.topics import TopicQuery, parse_topic
from domain.types import PopularTopic, TopicKind
from storage.db import Database
from storage.queries import recent

POPULAR_DAYS = 30
MAX_KEYWORD_CHARS = 30  # longer "keywords" are sentences, and would not fit a button
CATEGORY_SLOTS = 3


async def popular_topics(
    db: Database, *, limit: int = 10, language: str | None = None
) -> tuple[PopularTopic, ...]:
    """Up to `limit` topics, most papers first: keywords (from summaries in `language`, or
    any language), then up to CATEGORY_SLOTS categories (all categories if no keywords)."""
    limit = max(limit, 0)
    async with db.session() as session:
        rows = await recent.recent_keywords(session, days=POPULAR_DAYS, language=language)
        categories = await recent.recent_primary_categories(session, days=POPULAR_DAYS)
    keywords = _keyword_topics(rows)
    by_category = _category_topics(categories)
    keyword_slots = max(limit - min(CATEGORY_SLOTS, len(by_category)), 0)
    chosen = keywords[:keyword_slots]
    return tuple(chosen + by_category[: limit - len(chosen)])


def _candidate(keyword: str) -> TopicQuery | None:
    keyword = " ".join(keyword.replace('"', " ").split())
    if not keyword or len(keyword) > MAX_KEYWORD_CHARS or keyword.startswith("-"):
        return None
    try:
        topic = parse_topic(f'"{keyword}"' if " " in keyword else keyword)
    except InvalidInput:
        return None
    # only plain words: a keyword like "cat:x" or "OR" must not turn into syntax
    return topic if topic.kind is TopicKind.KEYWORDS and not topic.excludes else None


def _keyword_topics(rows: Iterable[tuple[int, list[str]]]) -> list[PopularTopic]:
    papers: dict[str, set[int]] = {}
    spellings: dict[str, Counter[str]] = {}
    parsed: dict[str, TopicQuery | None] = {}
    for paper_id, keywords in rows:
        for keyword in keywords:
            if not isinstance(keyword, str):
                continue
            if keyword not in parsed:
                parsed[keyword] = _candidate(keyword)
            topic = parsed[keyword]
            if topic is None:
                continue
            papers.setdefault(topic.key, set()).add(paper_id)
            spellings.setdefault(topic.key, Counter())[topic.text] += 1
    topics = []
    for key, ids in papers.items():
        # the most used spelling; ties go to the first in sort order, so the pick is stable
        query = min(spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        label = query.strip('"')
        topics.append(
            PopularTopic(query=query, label=label, kind=TopicKind.KEYWORDS, paper_count=len(ids))
        )
    return sorted(topics, key=lambda t: (-t.paper_count, t.label.casefold()))


def _category_topics(categories: Counter[str]) -> list[PopularTopic]:
    topics = []
    for category, count in categories.items():
        try:
            topic = parse_topic(f"cat:{category}")
        except InvalidInput:
            continue  # not an arXiv category spelling we know
        topics.append(
            PopularTopic(
                query=topic.text,
                label=topic.category or category,
                kind=TopicKind.CATEGORY,
                paper_count=count,
            )
        )
    return sorted(topics, key=lambda t: (-t.paper_count, t.label))
