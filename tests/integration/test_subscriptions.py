"""Topics through the services on both databases: subscribe with a preview, duplicates, limits,
forged ids, unsubscribe by id / text / number, popular topics, and what a chat receives."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.services.subscriptions import (
    MAX_TOPICS_PER_CHAT,
    list_topics,
    papers_for_chat,
    popular_topics,
    start_chat,
    subscribe,
    unsubscribe,
    update_settings,
)
from domain.errors import InvalidInput, NotFound
from domain.types import PaperView, SummaryContent, SummarySource, TopicKind
from storage.db import Database
from storage.queries.paper_views import paper_views
from storage.queries.papers import upsert_papers
from storage.queries.summaries import save_summary
from tests.factories import make_paper, store_paper
from tests.seed_papers import load_seed_papers, seed_meta, seed_summary

TG = "telegram"
SEED = load_seed_papers()


async def _store_seed(db: Database) -> list[int]:
    ids = []
    async with db.session() as s:
        for paper in SEED:
            ids.append(await store_paper(s, seed_meta(paper), seed_summary(paper)))
    return ids


async def _views(db: Database, ids: list[int]) -> list[PaperView]:
    async with db.session() as s:
        views = await paper_views(s, paper_ids=ids, language="zh")
    return [views[i] for i in ids]


async def _chat(db: Database, chat_id: str = "1") -> None:
    await start_chat(db, platform=TG, chat_id=chat_id, chat_type="private", language_code="zh")


async def test_subscribe_previews_on_recent_papers(db: Database) -> None:
    await _store_seed(db)  # published one day apart, newest = ref 1
    await _chat(db)
    result = await subscribe(db, platform=TG, chat_id="1", text="large language models -pruning")
    assert result.topic.query == "large language models -pruning"
    assert result.topic.kind is TopicKind.KEYWORDS and result.chat.topic_count == 1
    assert result.window_days == 7 and result.recent_papers == 8  # refs 1..8 within 7 days
    titles = [p.meta.title for p in result.examples]
    assert titles == [SEED[1].title, SEED[6].title]  # newest first; LaCo (8) excluded
    assert result.recent_matches == 2
    assert result.examples[0].summary is not None  # in the chat's language


async def test_subscribe_on_an_empty_database(db: Database) -> None:
    await _chat(db)
    result = await subscribe(db, platform=TG, chat_id="1", text="cat:cs.CL")
    assert (result.recent_matches, result.recent_papers, result.examples) == (0, 0, ())
    assert result.topic.kind is TopicKind.CATEGORY and result.topic.query == "cat:cs.CL"


async def test_duplicates_however_typed_are_refused(db: Database) -> None:
    await _chat(db)
    await subscribe(db, platform=TG, chat_id="1", text="Reward Models RLHF")
    for retyped in ("rlhf reward model", "  RLHF   reward models "):
        with pytest.raises(InvalidInput) as error:
            await subscribe(db, platform=TG, chat_id="1", text=retyped)
        assert "Reward Models RLHF" in error.value.user_message
    assert len(await list_topics(db, platform=TG, chat_id="1")) == 1


async def test_topic_limit_per_chat(db: Database) -> None:
    await _chat(db)
    for i in range(MAX_TOPICS_PER_CHAT):
        await subscribe(db, platform=TG, chat_id="1", text=f"topic{i}")
    with pytest.raises(InvalidInput) as error:
        await subscribe(db, platform=TG, chat_id="1", text="one more")
    assert str(MAX_TOPICS_PER_CHAT) in error.value.user_message
    with pytest.raises(InvalidInput, match="already"):  # a duplicate still says so
        await subscribe(db, platform=TG, chat_id="1", text="topic3")
    await _chat(db, "2")  # the limit is per chat
    await subscribe(db, platform=TG, chat_id="2", text="one more")


async def test_bad_topics_and_unknown_chats(db: Database) -> None:
    with pytest.raises(NotFound):
        await subscribe(db, platform=TG, chat_id="1", text="RLHF")
    await _chat(db)
    for text in ("", "x" * 4000, "cat:nope", "🤖", "RLHF OR DPO"):
        with pytest.raises(InvalidInput):
            await subscribe(db, platform=TG, chat_id="1", text=text)
    assert await list_topics(db, platform=TG, chat_id="1") == ()


async def test_forged_topic_ids_delete_nothing(db: Database) -> None:
    await _chat(db, "alice")
    await _chat(db, "mallory")
    alice = await subscribe(db, platform=TG, chat_id="alice", text="diffusion")
    for forged in (alice.topic.id, alice.topic.id + 1000, -1, 0):
        with pytest.raises(NotFound):
            await unsubscribe(db, platform=TG, chat_id="mallory", topic_id=forged)
    assert [t.id for t in await list_topics(db, platform=TG, chat_id="alice")] == [alice.topic.id]
    removed = await unsubscribe(db, platform=TG, chat_id="alice", topic_id=alice.topic.id)
    assert removed.query == "diffusion"
    with pytest.raises(NotFound):  # stale button
        await unsubscribe(db, platform=TG, chat_id="alice", topic_id=alice.topic.id)


async def test_unsubscribe_by_text_or_number(db: Database) -> None:
    await _chat(db)
    for text in ("RLHF", "cat:cs.CL", 'author:"Yejin Choi"'):
        await subscribe(db, platform=TG, chat_id="1", text=text)
    assert (await unsubscribe(db, platform=TG, chat_id="1", text="cat:CS.cl")).query == "cat:cs.CL"
    assert (await unsubscribe(db, platform=TG, chat_id="1", text="#2")).topic.author == (
        "Yejin Choi"
    )
    with pytest.raises(NotFound):
        await unsubscribe(db, platform=TG, chat_id="1", text="9")
    with pytest.raises(NotFound):
        await unsubscribe(db, platform=TG, chat_id="1", text="not followed")
    with pytest.raises(InvalidInput):
        await unsubscribe(db, platform=TG, chat_id="1")
    with pytest.raises(InvalidInput):
        await unsubscribe(db, platform=TG, chat_id="1", text="x" * 4000)
    assert [t.query for t in await list_topics(db, platform=TG, chat_id="1")] == ["RLHF"]


async def test_papers_for_chat_by_mode(db: Database) -> None:
    views = await _views(db, await _store_seed(db))
    await _chat(db)
    everything = await papers_for_chat(db, platform=TG, chat_id="1", papers=views)
    assert everything == views
    await update_settings(db, platform=TG, chat_id="1", digest_mode="topics")
    assert await papers_for_chat(db, platform=TG, chat_id="1", papers=views) == views  # no topics
    await subscribe(db, platform=TG, chat_id="1", text="locomotion")
    await subscribe(db, platform=TG, chat_id="1", text="剪枝")
    chosen = await papers_for_chat(db, platform=TG, chat_id="1", papers=views)
    assert [v.meta.arxiv_id for v in chosen] == [SEED[4].arxiv_id, SEED[7].arxiv_id]
    await update_settings(db, platform=TG, chat_id="1", digest_mode="all")
    assert len(await papers_for_chat(db, platform=TG, chat_id="1", papers=views)) == len(views)
    with pytest.raises(NotFound):
        await papers_for_chat(db, platform=TG, chat_id="404", papers=views)


async def _keywords(db: Database, keyword_sets: list[list[str]], days_apart: int = 1) -> None:
    async with db.session() as s:
        for i, keywords in enumerate(keyword_sets):
            meta = make_paper(
                primary_category="cs.CL" if i % 3 else "cs.LG",
                published_at=make_paper().published_at - timedelta(days=i * days_apart),
            )
            (pid,) = (await upsert_papers(s, papers=[meta])).paper_ids
            content = SummaryContent(title_translated="t", tldr="x", keywords=keywords)
            await save_summary(
                s,
                paper_id=pid,
                paper_version=1,
                language="en",
                model="m",
                prompt_version="p",
                source=SummarySource.LLM,
                content=content,
            )


async def test_popular_topics_merge_and_rank(db: Database) -> None:
    assert await popular_topics(db) == ()
    await _keywords(
        db,
        [
            ["RLHF", "reward model"],
            ["rlhf", "Reward Models", "cat:cs.CL"],
            ["RLHF", "diffusion"],
            ["diffusion", "OR", "-x", "a" * 80, "的"],
            ["Reward models"],
        ],
    )
    topics = await popular_topics(db, limit=10)
    keywords = [(t.query, t.paper_count) for t in topics if t.kind is TopicKind.KEYWORDS]
    # merged across case and plural, most papers first, ties by label; junk and syntax
    # ("cat:cs.CL", "OR", "-x", overlong, one Han character) dropped
    assert keywords == [('"Reward Models"', 3), ("RLHF", 3), ("diffusion", 2)]
    categories = [(t.query, t.paper_count) for t in topics if t.kind is TopicKind.CATEGORY]
    assert categories == [("cat:cs.CL", 3), ("cat:cs.LG", 2)]
    for topic in topics:  # every one subscribes as offered
        await _chat(db)
        await subscribe(db, platform=TG, chat_id="1", text=topic.query)
    assert len(await popular_topics(db, limit=2)) == 2
    assert [t.kind for t in await popular_topics(db, limit=3)].count(TopicKind.CATEGORY) == 2


async def test_popular_topics_fall_back_to_categories_and_window(db: Database) -> None:
    await _keywords(db, [[], [], []])
    topics = await popular_topics(db, limit=10)
    assert [t.query for t in topics] == ["cat:cs.CL", "cat:cs.LG"]
    assert await popular_topics(db, limit=10, language="zh") == tuple(topics)
    await _keywords(db, [["old topic"]] * 1 + [["fresh"]], days_apart=0)
    await _keywords(db, [["x"], ["ancient"]], days_apart=60)  # 60 days before the newest
    names = [t.label for t in await popular_topics(db, limit=10)]
    assert "ancient" not in names and "fresh" in names
