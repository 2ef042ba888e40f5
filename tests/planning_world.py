"""A subscriber base for delivery planning: a real 20-paper issue and many chats with real topics.

Shared by the planning tests and `bench/bench_planning.py`. Papers are real arXiv papers from
`../shared/fixtures/arxiv-days` (the first 20 of 2026-06-01). Topics are written in the topic
language from the same corpus, so they match the way readers' topics do: the corpus's arXiv
categories (`cat:cs.CL`, archive-wide `cat:cs`), frequent two-word title phrases, authors, a few
Chinese terms and exclusions (`cat:cs.LG -survey`). A chat in digest mode "topics" follows 1-6
of them, drawn with a popularity skew (a few topics are very common); the rest take every paper.
Some chats are paused, stopped, or have the no-match note on. Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import cache
from itertools import pairwise, zip_longest
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from domain.errors import InvalidInput
from domain.topics import TopicQuery, parse_topic
from domain.types import IssueStatus, IssueView, PaperMeta
from storage.db import Database
from storage.models import Chat, Topic
from storage.queries.issues import NewItem, create_issue, get_issue_view
from storage.queries.papers import upsert_papers

DAYS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "arxiv-days"
ISSUE_DAY = "2026-06-01"
ISSUE_PAPERS = 20
FIRST_CHAT = 7_000_000
CHUNK = 5000
CHINESE = ("强化学习", "大型语言模型", "扩散模型", "图神经网络")
EXCLUDES = ("-survey", "-benchmark", '-"large language"', "-robot")
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{3,}")
_STOP = frozenset(
    {"with", "from", "that", "this", "their", "towards", "using", "based", "into", "over"}
    | {"under", "learning", "model", "models", "approach", "method", "data", "large", "neural"}
)


def _records(day: str) -> Iterator[dict[str, Any]]:
    with (DAYS / f"{day}.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def issue_papers() -> list[PaperMeta]:
    """The issue's 20 real papers."""
    at = datetime.fromisoformat(ISSUE_DAY).replace(hour=18, tzinfo=UTC)
    metas = []
    for record in list(_records(ISSUE_DAY))[:ISSUE_PAPERS]:
        categories = tuple(record["categories"])
        metas.append(
            PaperMeta(
                arxiv_id=record["id"], version=1, title=record["title"],
                authors=tuple(record["authors"]), abstract=record["abstract"],
                categories=categories, primary_category=categories[0], published_at=at,
                updated_at=at, comment=record.get("comment"),
            )
        )  # fmt: skip
    return metas


@cache
def topic_pool() -> tuple[TopicQuery, ...]:
    """Distinct topics, most popular first: categories, title phrases, authors, Chinese terms,
    exclusions; drawn from three days of the corpus (the issue's day included)."""
    records = [r for day in ("2026-06-01", "2026-06-02", "2026-06-03") for r in _records(day)]
    categories = Counter(c for r in records for c in r["categories"])
    phrases: Counter[str] = Counter()
    for r in records:
        words = [w.lower() for w in _WORD.findall(r["title"])]
        phrases.update(f"{a} {b}" for a, b in pairwise(words) if not {a, b} & _STOP)
    authors = Counter(a for r in records for a in r["authors"][:2])
    kinds = [
        [f"cat:{c}" for c, _ in categories.most_common(30)] + ["cat:cs", "cat:stat"],
        [f'"{p}"' if i % 2 else p for i, (p, _) in enumerate(phrases.most_common(400))],
        [f'author:"{a}"' for a, _ in authors.most_common(300)],
        [*CHINESE, *(f"cat:cs.LG {e}" for e in EXCLUDES), "reinforcement learning -robot"],
    ]
    texts = [text for group in zip_longest(*kinds) for text in group if text]  # kinds interleaved
    seen, pool = set(), []
    for text in texts:
        try:
            topic = parse_topic(text)
        except InvalidInput:
            continue
        if topic.key not in seen:
            seen.add(topic.key)
            pool.append(topic)
    return tuple(pool)


async def store_issue(db: Database) -> IssueView:
    """Issue 1 (approved) of the 20 real papers, as the publish job sees it."""
    async with db.session() as session:
        ids = (await upsert_papers(session, papers=issue_papers())).paper_ids
        await create_issue(
            session, number=1, title="ML Papers 第1期", language="zh",
            period_start=date(2026, 6, 1), period_end=date(2026, 6, 1),
            items=[NewItem(paper_id=i, summary_id=None) for i in ids],
            status=IssueStatus.APPROVED,
        )  # fmt: skip
        view = await get_issue_view(session, number=1)
    assert view is not None
    return view


def _chat_rows(first: int, n: int, rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for i in range(first, first + n):
        roll = rng.random()
        rows.append(
            {
                "platform": "telegram", "external_id": str(FIRST_CHAT + i), "chat_type": "private",
                "language": "zh" if rng.random() < 0.6 else "en", "language_source": "telegram",
                "digest_mode": "topics" if rng.random() < 0.55 else "all",
                "no_match_note": rng.random() < 0.1, "active": roll >= 0.03,
                "paused": 0.03 <= roll < 0.06, "created_at": now, "started_at": now,
                "last_seen_at": now,
            }
        )  # fmt: skip
    return rows


def _topic_rows(chat_ids: list[int], rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    pool = topic_pool()
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(pool))]  # a long tail
    rows = []
    for chat_id in chat_ids:
        chosen = {t.key: t for t in rng.choices(pool, weights, k=rng.randint(1, 6))}
        for topic in chosen.values():
            rows.append(
                {
                    "chat_id": chat_id, "kind": topic.kind.value, "query": topic.text,
                    "query_key": topic.key, "parsed": topic.to_json(), "created_at": now,
                }
            )  # fmt: skip
    return rows


async def store_chats(db: Database, *, chats: int, seed: int = 10, unreadable: int = 0) -> None:
    """`chats` Telegram chats (see the module docstring); `unreadable` of the topics-mode chats
    also get a stored topic no parser version can read (a reader's topics are kept then)."""
    rng, now = random.Random(seed), datetime.now(UTC)
    for start in range(0, chats, CHUNK):
        rows = _chat_rows(start, min(CHUNK, chats - start), rng, now)
        async with db.session() as session:
            before = await session.scalar(select(func.coalesce(func.max(Chat.id), 0)))
            await session.execute(insert(Chat), rows)
            found = await session.scalars(
                select(Chat.id)
                .where(Chat.id > before, Chat.digest_mode == "topics")
                .order_by(Chat.id)
            )
            chat_ids = list(found)
            topics = _topic_rows(chat_ids, rng, now)
            if start == 0 and unreadable and chat_ids:
                # the first follows only an unreadable topic; the next ones one besides theirs
                topics = [t for t in topics if t["chat_id"] != chat_ids[0]]
                topics += [_unreadable(chat_id, now) for chat_id in chat_ids[:unreadable]]
            for part in range(0, len(topics), CHUNK):
                await session.execute(insert(Topic), topics[part : part + CHUNK])


def _unreadable(chat_id: int, now: datetime) -> dict[str, Any]:
    return {
        "chat_id": chat_id, "kind": "keywords", "query": "-", "query_key": "unreadable",
        "parsed": {"terms": "not a list"}, "created_at": now,
    }  # fmt: skip
