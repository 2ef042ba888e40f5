"""Topics a chat follows: /subscribe, /unsubscribe, /mysubs, and which papers a chat gets.

Every call names the chat by platform and the platform's chat id; a topic id from a button is
only ever looked up within that chat, so forged ids cannot touch another chat's topics. The chat
lifecycle functions (start_chat, stop_chat, ...) are re-exported from `core.services.chats` so a
front end can import everything subscription-related from here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from core.services.chats import (
    DEFAULT_LANGUAGE,
    active_chats,
    get_chat_state,
    mark_blocked,
    require_chat,
    start_chat,
    stop_chat,
    touch_chat,
    update_settings,
)
from core.services.popular import popular_topics
from core.services.topic_likes import MAX_LIKE_TOPICS, anchor_titles, like_masks
from domain.errors import InvalidInput, NotFound
from domain.numbers import is_ascii_digits
from domain.subscription import SubscribeResult, TopicView
from domain.topics import TopicQuery, matches_any, parse_topic
from domain.types import ChatState, DigestMode, PaperView, TopicKind
from storage.db import Database
from storage.queries import recent
from storage.queries import topics as queries
from storage.queries.paper_views import paper_views

__all__ = [
    "MAX_TOPICS_PER_CHAT",
    "active_chats",
    "get_chat_state",
    "list_topics",
    "mark_blocked",
    "papers_for_chat",
    "popular_topics",
    "start_chat",
    "stop_chat",
    "subscribe",
    "touch_chat",
    "unsubscribe",
    "update_settings",
]

log = logging.getLogger(__name__)

MAX_TOPICS_PER_CHAT = 20
RECENT_DAYS = 7  # the preview window, back from the newest stored paper
RECENT_LIMIT = 500
EXAMPLES = 3


def _view(row: queries.TopicRow) -> TopicView | None:
    """The stored topic as a view; None (logged) for a row no parser version can read."""
    try:
        topic = TopicQuery.from_json(row.parsed)
    except (ValueError, TypeError):
        try:
            topic = parse_topic(row.query)
        except InvalidInput:
            log.warning("topic %s of chat %s is unreadable; skipped", row.id, row.chat_id)
            return None
    return TopicView(
        id=row.id, kind=topic.kind, query=row.query, topic=topic, created_at=row.created_at
    )


async def _topics(session: AsyncSession, chat: ChatState) -> list[TopicView]:
    rows = await queries.list_topics(session, chat_id=chat.id)
    views = [view for view in map(_view, rows) if view is not None]
    likes = {view.topic.like for view in views if view.topic.like}
    titles = await anchor_titles(session, likes) if likes else {}
    return [
        replace(view, title=titles.get(view.topic.like)) if view.topic.like else view
        for view in views
    ]


async def subscribe(db: Database, *, platform: str, chat_id: str, text: str) -> SubscribeResult:
    """Save a topic (see `domain.topics` for the language) and preview it on recent papers.

    InvalidInput when the text does not parse, the chat already follows the same topic
    (however it was typed), or it follows MAX_TOPICS_PER_CHAT already; NotFound before /start.
    """
    topic = parse_topic(text)
    async with db.session() as session:
        chat = await require_chat(session, platform=platform, chat_id=chat_id, lock=True)
        title = await _check_like(session, chat, topic) if topic.like else None
        row = await _insert(session, chat, topic)
        ids = await recent.recent_paper_ids(session, days=RECENT_DAYS, limit=RECENT_LIMIT)
        language = chat.language or DEFAULT_LANGUAGE
        views = await paper_views(session, paper_ids=ids, language=language)
        recent_views = [views[i] for i in ids if i in views]
        matched = await _matching(session, [topic], recent_views)
    saved = TopicView(
        id=row.id, kind=topic.kind, query=row.query, topic=topic, created_at=row.created_at,
        title=title,
    )  # fmt: skip
    return SubscribeResult(
        topic=saved,
        chat=replace(chat, topic_count=chat.topic_count + 1),
        recent_matches=len(matched),
        recent_papers=len(ids),
        window_days=RECENT_DAYS,
        examples=tuple(matched[:EXAMPLES]),
    )


async def _check_like(session: AsyncSession, chat: ChatState, topic: TopicQuery) -> str:
    """A like: topic needs a stored paper, and a chat follows at most MAX_LIKE_TOPICS of
    them; the paper's title."""
    like = topic.like or ""
    titles = await anchor_titles(session, [like])
    if like not in titles:
        raise NotFound(
            f"{like} is not in our archive (send /paper {like} first to fetch it)",
            zh=f"存档里还没有 {like}（可先发送 /paper {like} 获取）",
        )
    rows = await queries.list_topics(session, chat_id=chat.id)
    if sum(row.kind == TopicKind.LIKE.value for row in rows) >= MAX_LIKE_TOPICS:
        raise InvalidInput(
            f"You can follow at most {MAX_LIKE_TOPICS} like: topics; /unsubscribe one first",
            zh=f"最多关注 {MAX_LIKE_TOPICS} 个 like: 话题，请先用 /unsubscribe 删掉一个",
        )
    return titles[like]


async def _matching(
    session: AsyncSession, topics: Sequence[TopicQuery], papers: Sequence[PaperView]
) -> list[PaperView]:
    """The papers matching any of `topics`, in order: words by text, like: by similarity."""
    likes = {topic.like for topic in topics if topic.like}
    near = 0
    for mask in (await like_masks(session, likes, papers) if likes else {}).values():
        near |= mask
    return [p for i, p in enumerate(papers) if near >> i & 1 or matches_any(topics, p)]


async def _insert(session: AsyncSession, chat: ChatState, topic: TopicQuery) -> queries.TopicRow:
    existing = await queries.find_topic_by_key(session, chat_id=chat.id, query_key=topic.key)
    if existing is None and chat.topic_count < MAX_TOPICS_PER_CHAT:
        row = await queries.insert_topic(
            session,
            chat_id=chat.id,
            kind=topic.kind.value,
            query=topic.text,
            query_key=topic.key,
            parsed=topic.to_json(),
        )
        if row is not None:
            return row
    if chat.topic_count >= MAX_TOPICS_PER_CHAT and existing is None:
        raise InvalidInput(
            f"You can follow at most {MAX_TOPICS_PER_CHAT} topics; /unsubscribe some first",
            zh=f"最多关注 {MAX_TOPICS_PER_CHAT} 个话题，请先用 /unsubscribe 删掉一些",
        )
    shown = existing.query if existing else topic.text
    raise InvalidInput(f"You already follow: {shown}", zh=f"已经关注了：{shown}")


async def unsubscribe(
    db: Database,
    *,
    platform: str,
    chat_id: str,
    topic_id: int | None = None,
    text: str | None = None,
) -> TopicView:
    """Remove one of the chat's topics: by `topic_id` (buttons), or by `text` — the topic as
    typed (any spelling with the same meaning) or its number in `list_topics` order ("2", "#2").
    NotFound when the chat has no such topic, whoever's id it is."""
    if topic_id is None and (text is None or not text.strip()):
        raise InvalidInput(
            "Which topic? /mysubs lists yours", zh="要取消哪个话题？发送 /mysubs 查看"
        )
    async with db.session() as session:
        chat = await require_chat(session, platform=platform, chat_id=chat_id, lock=True)
        if topic_id is None and text is not None:
            topic_id = await _resolve(session, chat, text)
        row = await queries.delete_topic(session, chat_id=chat.id, topic_id=topic_id or 0)
    view = _view(row) if row is not None else None
    if view is None:
        raise NotFound(
            "No such topic; /mysubs lists yours",
            zh="没有找到这个话题，发送 /mysubs 查看",
            detail=f"topic {topic_id} not in chat {chat.id}",
        )
    return view


async def _resolve(session: AsyncSession, chat: ChatState, text: str) -> int | None:
    """The id of the topic `text` names in this chat, or None."""
    number = text.strip().removeprefix("#")
    if is_ascii_digits(number) and len(number) <= 3:
        rows = await queries.list_topics(session, chat_id=chat.id)
        index = int(number) - 1
        if 0 <= index < len(rows):
            return rows[index].id
    key = parse_topic(text).key
    row = await queries.find_topic_by_key(session, chat_id=chat.id, query_key=key)
    return row.id if row else None


async def list_topics(db: Database, *, platform: str, chat_id: str) -> tuple[TopicView, ...]:
    """The chat's topics in the order they were added (the numbering `unsubscribe` accepts)."""
    async with db.session() as session:
        chat = await require_chat(session, platform=platform, chat_id=chat_id)
        return tuple(await _topics(session, chat))


async def papers_for_chat(
    db: Database, *, platform: str, chat_id: str, papers: Sequence[PaperView]
) -> list[PaperView]:
    """The papers this chat should get, in the given order: all in digest mode "all" or when
    it has no topics, else those matching any of its topics."""
    async with db.session() as session:
        chat = await require_chat(session, platform=platform, chat_id=chat_id)
        topics = await _topics(session, chat) if chat.digest_mode is DigestMode.TOPICS else []
        if not topics:
            return list(papers)
        return await _matching(session, [view.topic for view in topics], papers)
