"""One cheap query for what a rendered issue page depends on (`IssueStamp`).

The web archive keeps rendered issue pages and answers If-None-Match with 304; both need to know
whether the page would still come out the same without loading twenty papers and their
summaries. Summary and figure ids only grow (a new summary or figure is a new row), so the
newest id among the issue's papers says whether one arrived since the page was rendered.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import IssueKind, IssueStamp, IssueStatus
from storage.models import Issue, IssueItem, Summary
from storage.models_text import PaperFigure


def _stamp_query() -> Select[str, datetime | None, datetime, int | None, int | None]:
    """Built once with bound parameters: building it per request cost more than running it."""
    newest_summary = (
        select(func.max(Summary.id))
        .join(IssueItem, IssueItem.paper_id == Summary.paper_id)
        .where(IssueItem.issue_id == Issue.id, Summary.language == bindparam("language"))
        .correlate(Issue)
        .scalar_subquery()
    )
    newest_figure = (
        select(func.max(PaperFigure.id))
        .join(IssueItem, IssueItem.paper_id == PaperFigure.paper_id)
        .where(IssueItem.issue_id == Issue.id)
        .correlate(Issue)
        .scalar_subquery()
    )
    return select(
        Issue.status, Issue.published_at, Issue.created_at, newest_summary, newest_figure
    ).where(Issue.number == bindparam("number"), Issue.kind == bindparam("kind"))


_STAMP = _stamp_query()


async def issue_stamp(
    session: AsyncSession, *, number: int, language: str, kind: IssueKind = IssueKind.DAILY
) -> IssueStamp | None:
    """The stamp of issue `number` with summaries in `language`; None when there is no issue."""
    values = {"number": number, "language": language, "kind": kind.value}
    row = (await session.execute(_STAMP, values)).first()
    if row is None:
        return None
    status, published_at, created_at, summary_id, figure_id = row
    return IssueStamp(
        number=number,
        status=IssueStatus(status),
        published_at=published_at,
        created_at=created_at,
        latest_summary_id=int(summary_id or 0),
        latest_figure_id=int(figure_id or 0),
    )
