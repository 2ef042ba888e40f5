"""Who gets what when an issue is published: the plan that becomes the delivery ledger.

The platform-neutral rule, no platform code: each chat that receives digests gets all papers,
or in digest mode "topics" only those matching its topics. A chat with no match is `skipped`,
or gets a one-line note when its `no_match_note` setting is on (with "for you", a trained
reader's recommendations instead, when their model has some: `core.services.sendtime`).
Languages are resolved at delivery time (the chat's, else DIGEST_LANGUAGE), so a resumed
delivery follows a chat that changed its language. `core.services.planning` applies the rule
to chats in batches, with each distinct topic matched once per issue, so planning 200,000
chats is a few hundred queries.

Each platform adds its part through its `core.sending.Targeting` (the `Sender` handed to the
publish job): Telegram's channel (`bot/telegram/targets.py`), WeCom's group robots
(`bot/wecom/targets.py`), WeChat's 48-hour window (`bot/wechat/targets.py`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.sending import Targeting
from core.services.planning import NOTE, PLAN_BATCH, SUBSCRIBER, planned_batches
from domain.types import IssueView
from storage.db import Database
from storage.queries import audit
from storage.queries import deliveries as ledger
from storage.queries.deliveries import NewDelivery
from storage.types import utcnow

__all__ = [
    "NOTE",
    "SUBSCRIBER",
    "no_match_note",
    "plan_deliveries",
    "publish_plan",
    "start_publication",
]

_NOTES = {
    "zh": "第{number}期没有与你关注的话题匹配的论文。发送 /settings 可改为接收全部论文。",
    "en": "Issue {number} has no papers matching your topics. Use /settings to get every paper.",
}


def no_match_note(number: int, language: str) -> str:
    """The one line a chat with `no_match_note` on gets instead of an empty digest."""
    return _NOTES.get(language, _NOTES["en"]).format(number=number)


async def plan_deliveries(
    db: Database,
    *,
    issue: IssueView,
    targets: Targeting,
    batch_size: int = PLAN_BATCH,
    for_you: int | None = None,
) -> list[NewDelivery]:
    """Every row of `issue` on `targets.platform`, in delivery order, as a list (a preview,
    tests; publishing streams them into the ledger with `publish_plan` instead)."""
    async with db.session() as session:
        return [
            row
            async for rows in planned_batches(
                session, issue=issue, targets=targets, batch_size=batch_size, for_you=for_you
            )
            for row in rows
        ]


async def publish_plan(
    db: Database,
    *,
    issue: IssueView,
    targets: Targeting,
    actor: str,
    batch_size: int = PLAN_BATCH,
    for_you: int | None = None,
) -> bool:
    """`start_publication` with the plan streamed into the ledger batch by batch (bounded
    memory, each batch one statement), in the same single transaction. Every row is in the
    issue's order ("for you" is applied at send time, `core.services.sendtime`); `for_you`
    (the marks a model needs, None: off) keeps a row for trained readers nothing matched."""

    async def plan(session: AsyncSession) -> AsyncIterator[Sequence[NewDelivery]]:
        async for rows in planned_batches(
            session, issue=issue, targets=targets, batch_size=batch_size, for_you=for_you
        ):
            yield rows

    return await _publish(db, issue, targets.platform, actor, plan)


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

    async def plan(session: AsyncSession) -> AsyncIterator[Sequence[NewDelivery]]:
        yield rows

    return await _publish(db, issue, platform, actor, plan)


async def _publish(
    db: Database,
    issue: IssueView,
    platform: str,
    actor: str,
    plan: Callable[[AsyncSession], AsyncIterator[Sequence[NewDelivery]]],
) -> bool:
    """Claim the publication, write every batch of `plan`, audit the ledger's growth: one
    transaction."""
    async with db.session() as session:
        published_now = await _claim_publication(session, issue, platform)
        if published_now is None:
            return False
        before = await ledger.count_deliveries(session, issue_id=issue.id, platform=platform)
        async for rows in plan(session):
            await ledger.insert_deliveries(session, issue_id=issue.id, platform=platform, rows=rows)
        after = await ledger.count_deliveries(session, issue_id=issue.id, platform=platform)
        if published_now:
            await _audit_publish(session, issue, platform, after - before, actor)
    return True


async def _claim_publication(session: AsyncSession, issue: IssueView, platform: str) -> bool | None:
    """Mark the issue published: whether it was published now; None when it had been and has
    a ledger on `platform` already (leave it: a re-run resumes, it does not re-plan)."""
    published_now = await ledger.mark_issue_published(session, issue_id=issue.id, at=utcnow())
    count = await ledger.count_deliveries(session, issue_id=issue.id, platform=platform)
    return None if not published_now and count else published_now


async def _audit_publish(
    session: AsyncSession, issue: IssueView, platform: str, created: int, actor: str
) -> None:
    detail = {"number": issue.number, "targets": created, "platform": platform}
    await audit.record(
        session, actor=actor[:64], action="issue.publish", target=f"issue:{issue.id}",
        detail=detail,
    )  # fmt: skip
