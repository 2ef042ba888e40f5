"""Who gets what when an issue is published: the plan that becomes the delivery ledger.

The platform-neutral rule, no platform code: each chat that receives digests gets all papers,
or in digest mode "topics" only those matching its topics. A chat with no match is `skipped`,
or gets a one-line note when its `no_match_note` setting is on. Languages are resolved at
delivery time (the chat's, else DIGEST_LANGUAGE), so a resumed delivery follows a chat that
changed its language.

Each platform adds its part through its `core.sending.Targeting` (the `Sender` handed to the
publish job): Telegram's channel (`bot/telegram/targets.py`), WeCom's group robots
(`bot/wecom/targets.py`), WeChat's 48-hour window (`bot/wechat/targets.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.sending import Targeting
from core.services.chats import active_chats
from core.services.subscriptions import papers_for_chat
from domain.types import ChatState, DigestMode, IssueView, PaperView
from storage.db import Database
from storage.queries import audit
from storage.queries import deliveries as ledger
from storage.queries.deliveries import NewDelivery
from storage.types import utcnow

SUBSCRIBER, NOTE = "subscriber", "note"

_NOTES = {
    "zh": "第{number}期没有与你关注的话题匹配的论文。发送 /settings 可改为接收全部论文。",
    "en": "Issue {number} has no papers matching your topics. Use /settings to get every paper.",
}


def no_match_note(number: int, language: str) -> str:
    """The one line a chat with `no_match_note` on gets instead of an empty digest."""
    return _NOTES.get(language, _NOTES["en"]).format(number=number)


async def plan_deliveries(
    db: Database, *, issue: IssueView, targets: Targeting
) -> list[NewDelivery]:
    """One row per target of `issue` on `targets.platform`, as that platform plans them from
    its active chats (oldest first) and the topic rule (`Targeting.plan_targets`)."""
    papers = [item.paper for item in issue.included_items]
    chats = await active_chats(db, platform=targets.platform)

    async def chat_row(chat: ChatState) -> NewDelivery:
        return await _chat_row(db, chat, papers)

    return await targets.plan_targets(issue, chats, chat_row)


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
