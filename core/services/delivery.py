"""Who gets what when an issue is published: the plan that becomes the delivery ledger.

Pure domain decisions, no platform code: the channel (when CHANNEL_ID is set) gets every
included paper; each chat that receives digests gets all papers, or in digest mode "topics"
only those matching its topics. A chat with no match is `skipped`, or gets a one-line note
when its `no_match_note` setting is on. Languages are resolved at delivery time (the chat's,
else DIGEST_LANGUAGE), so a resumed delivery follows a chat that changed its language.

On WeCom each configured group robot (WECOM_WEBHOOK_URLS) gets every included paper in
DIGEST_LANGUAGE. Its ledger target is `robot_id(url)`, a hash: the URL holds the robot's secret
key and must never be stored.

WeChat allows an Official Account to message a follower only within 48 hours of the
follower's last message. On platform "wechat" a chat last seen longer ago than
`WECHAT_WINDOW` (47 h: an hour's margin for a long delivery) gets a `skipped` row of kind
`window` instead: the ledger records that it was left out, so a re-run resumes rather than
re-plans, and the reader gets the papers on their next message (`最新`) and in the article.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from core.config import Settings
from core.services.chats import active_chats
from core.services.subscriptions import papers_for_chat
from domain.types import ChatPlatform, ChatState, DigestMode, IssueView, PaperView
from storage.db import Database
from storage.queries import audit
from storage.queries import deliveries as ledger
from storage.queries.deliveries import NewDelivery
from storage.types import utcnow

CHANNEL, SUBSCRIBER, NOTE = "channel", "subscriber", "note"
GROUP_ROBOT = "group_robot"
WECOM = "wecom"  # the platform name of WeCom group robots in the ledger
OUTSIDE_WINDOW = "window"  # a WeChat follower outside the 48-hour window: skipped
WECHAT_WINDOW = timedelta(hours=47)

_NOTES = {
    "zh": "第{number}期没有与你关注的话题匹配的论文。发送 /settings 可改为接收全部论文。",
    "en": "Issue {number} has no papers matching your topics. Use /settings to get every paper.",
}


def no_match_note(number: int, language: str) -> str:
    """The one line a chat with `no_match_note` on gets instead of an empty digest."""
    return _NOTES.get(language, _NOTES["en"]).format(number=number)


def robot_id(url: str) -> str:
    """A WeCom robot's stable, non-secret id: `robot-` and 10 hex digits of its URL's SHA-256."""
    return f"robot-{hashlib.sha256(url.strip().encode()).hexdigest()[:10]}"


def robot_rows(settings: Settings, issue: IssueView) -> list[NewDelivery]:
    """One row per configured WeCom robot (duplicates once), every included paper."""
    ids = tuple(item.paper.id for item in issue.included_items)
    robots = dict.fromkeys(robot_id(url.get_secret_value()) for url in settings.wecom_webhook_urls)
    return [
        NewDelivery(target=robot, kind=GROUP_ROBOT, chat_id=None, paper_ids=ids) for robot in robots
    ]


async def plan_deliveries(
    settings: Settings, db: Database, *, issue: IssueView, platform: str = ChatPlatform.TELEGRAM
) -> list[NewDelivery]:
    """One row per target of `issue` on `platform`, channel first, then chats oldest first
    (on WeCom: one row per group robot)."""
    if platform == WECOM:
        return robot_rows(settings, issue)
    papers = [item.paper for item in issue.included_items]
    rows: list[NewDelivery] = []
    if settings.channel_id and platform == ChatPlatform.TELEGRAM:
        ids = tuple(paper.id for paper in papers)
        rows.append(
            NewDelivery(target=settings.channel_id, kind=CHANNEL, chat_id=None, paper_ids=ids)
        )
    opened_after = utcnow() - WECHAT_WINDOW if platform == ChatPlatform.WECHAT else None
    for chat in await active_chats(db, platform=platform):
        if opened_after is not None and not _in_window(chat, opened_after):
            rows.append(_outside_window_row(chat))
            continue
        rows.append(await _chat_row(db, chat, papers))
    return rows


def _in_window(chat: ChatState, opened_after: datetime) -> bool:
    return chat.last_seen_at is not None and chat.last_seen_at >= opened_after


def _outside_window_row(chat: ChatState) -> NewDelivery:
    return NewDelivery(
        target=chat.chat_id, kind=OUTSIDE_WINDOW, chat_id=chat.id, status=ledger.SKIPPED
    )


async def _chat_row(db: Database, chat: ChatState, papers: Sequence[PaperView]) -> NewDelivery:
    chosen = await _papers_of(db, chat, papers)
    ids = tuple(paper.id for paper in chosen)
    if ids:
        return NewDelivery(target=chat.chat_id, kind=SUBSCRIBER, chat_id=chat.id, paper_ids=ids)
    status = ledger.PENDING if chat.no_match_note else ledger.SKIPPED
    kind = NOTE if chat.no_match_note else SUBSCRIBER
    return NewDelivery(target=chat.chat_id, kind=kind, chat_id=chat.id, status=status)


async def _papers_of(
    db: Database, chat: ChatState, papers: Sequence[PaperView]
) -> Sequence[PaperView]:
    # Mode "all" or no topics means every paper; skip the per-chat topic query then.
    if chat.digest_mode is DigestMode.ALL or chat.topic_count == 0:
        return papers
    return await papers_for_chat(db, platform=chat.platform, chat_id=chat.chat_id, papers=papers)


async def start_publication(
    db: Database,
    *,
    issue: IssueView,
    platform: str,
    rows: Sequence[NewDelivery],
    actor: str,
) -> bool:
    """Mark the issue published (audit `issue.publish`) and write its ledger in one transaction,
    so a crash leaves either nothing or a complete plan. False when it was published already
    and has a ledger on `platform` (left as it is: a re-run resumes, it does not re-plan, so
    chats that subscribed since do not get an old issue)."""
    async with db.session() as session:
        published_now = await ledger.mark_issue_published(session, issue_id=issue.id, at=utcnow())
        count = await ledger.count_deliveries(session, issue_id=issue.id, platform=platform)
        if not published_now and count:
            return False
        created = await ledger.create_deliveries(
            session, issue_id=issue.id, platform=platform, rows=rows
        )
        if published_now:
            detail = {"number": issue.number, "targets": created, "platform": platform}
            await audit.record(
                session, actor=actor[:64], action="issue.publish", target=f"issue:{issue.id}",
                detail=detail,
            )  # fmt: skip
    return True
