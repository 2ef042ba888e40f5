"""`/subscribe like:<id>` on real SQLite and PostgreSQL: the topic is stored and shown by its
paper's title, unknown papers and too many like: topics are refused, and delivery planning
gives the chat the issue's papers near the anchor (cosine ≥ LIKE_THRESHOLD), nothing else."""

from __future__ import annotations

import pytest

from bot.telegram.targets import TelegramTargets
from core.services import ranking
from core.services.chats import start_chat, update_settings
from core.services.delivery import plan_deliveries
from core.services.subscriptions import list_topics, papers_for_chat, subscribe
from core.services.topic_likes import LIKE_THRESHOLD, MAX_LIKE_TOPICS
from domain.errors import InvalidInput, NotFound
from domain.types import IssueView, TopicKind
from storage.db import Database
from tests.planning_world import issue_papers, store_issue

CHAT = "424242"


async def _reader(db: Database) -> None:
    await start_chat(db, platform="telegram", chat_id=CHAT, chat_type="private")
    await update_settings(db, platform="telegram", chat_id=CHAT, digest_mode="topics")


async def _anchor(db: Database, issue: IssueView) -> tuple[int, list[int]]:
    """An issue paper with some, but not all, of the others near it; its neighbours."""
    ids = [item.paper.id for item in issue.included_items]
    for anchor in ids:
        near = [pid for pid, s in await ranking.similar(db, anchor, k=20) if s >= LIKE_THRESHOLD]
        if 0 < len(near) < len(ids) - 1:
            return anchor, [pid for pid in ids if pid in near]
    raise AssertionError("no paper of the issue has a neighbourhood")


async def test_a_like_topic_delivers_the_anchors_neighbourhood(db: Database) -> None:
    issue = await store_issue(db)
    await _reader(db)
    anchor, near = await _anchor(db, issue)
    anchor_view = next(i.paper for i in issue.included_items if i.paper.id == anchor)
    result = await subscribe(
        db, platform="telegram", chat_id=CHAT, text=f"like:{anchor_view.meta.arxiv_id}"
    )
    (shown,) = await list_topics(db, platform="telegram", chat_id=CHAT)
    plan = await plan_deliveries(db, issue=issue, targets=TelegramTargets())
    (row,) = [r for r in plan if r.target == CHAT]
    papers = [item.paper for item in issue.included_items]
    direct = await papers_for_chat(db, platform="telegram", chat_id=CHAT, papers=papers)
    assert result.topic.kind is TopicKind.LIKE and result.topic.title == anchor_view.meta.title
    assert result.recent_matches == len(near)  # the preview: the same neighbourhood
    assert shown.title == anchor_view.meta.title
    assert list(row.paper_ids) == near and anchor not in row.paper_ids
    assert [p.id for p in direct] == near  # the one rule, with or without the planner


async def test_unknown_papers_and_too_many_likes_are_refused(db: Database) -> None:
    await store_issue(db)
    await _reader(db)
    with pytest.raises(NotFound) as unknown:
        await subscribe(db, platform="telegram", chat_id=CHAT, text="like:2402.99999")
    assert "/paper 2402.99999" in unknown.value.user_message
    ids = [meta.arxiv_id for meta in issue_papers()]
    for arxiv_id in ids[:MAX_LIKE_TOPICS]:
        await subscribe(db, platform="telegram", chat_id=CHAT, text=f"like:{arxiv_id}")
    with pytest.raises(InvalidInput) as too_many:
        await subscribe(db, platform="telegram", chat_id=CHAT, text=f"like:{ids[-1]}")
    with pytest.raises(InvalidInput):  # the same paper twice, however typed
        await subscribe(db, platform="telegram", chat_id=CHAT, text=f"like:{ids[0]}v2")
    assert f"at most {MAX_LIKE_TOPICS} like:" in too_many.value.user_message
    assert len(await list_topics(db, platform="telegram", chat_id=CHAT)) == MAX_LIKE_TOPICS
