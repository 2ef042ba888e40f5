"""Which issues (第N期) each paper appeared in: shown next to search hits.

An appearance is an included item of an issue that was not rejected (drafts count: the editor
sees them too).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import IssueStatus
from storage.models import Issue, IssueItem
from storage.queries.batching import batches


async def issue_numbers(
    session: AsyncSession, *, paper_ids: Sequence[int]
) -> dict[int, tuple[int, ...]]:
    """Per paper id, the ascending numbers of the issues it appeared in (absent if none)."""
    found: dict[int, list[int]] = {}
    for chunk in batches(paper_ids):
        rows = await session.execute(
            select(IssueItem.paper_id, Issue.number)
            .join(Issue, Issue.id == IssueItem.issue_id)
            .where(
                IssueItem.paper_id.in_(chunk),
                IssueItem.included.is_(True),
                Issue.status != IssueStatus.REJECTED.value,
            )
            .order_by(Issue.number)
        )
        for paper_id, number in rows:
            found.setdefault(paper_id, []).append(number)
    return {paper_id: tuple(numbers) for paper_id, numbers in found.items()}
