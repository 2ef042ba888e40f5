"""What a search hit shows, in one statement: the paper, its best summary, its issue numbers
and its key figure (without the bytes).

`/search` used to fetch these with three queries (papers, summaries, appearances); each is a
round trip that waits its turn on a loaded machine, so the page is now one SELECT: the paper,
joined to its best summary in the reader's language (the rule of
`storage.queries.summaries.best_summaries`: LLM over extractive, then the newest), with the
numbers of the issues it appeared in (included, in an issue not rejected) as one string, and
its key figure's description (an outer join on a unique key: one row per paper still).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, bindparam, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.fulltext import FigureView
from domain.types import IssueKind, IssueStatus, PaperView, SummarySource
from storage.models import Issue, IssueItem, Paper, Summary
from storage.models_text import PaperFigure
from storage.queries.batching import batches
from storage.queries.fulltext import FIGURE_VIEW_COLUMNS
from storage.queries.papers import to_meta
from storage.queries.summaries import to_stored


async def hit_views(
    session: AsyncSession, *, paper_ids: Sequence[int], language: str, published_only: bool = False
) -> dict[int, tuple[PaperView, tuple[int, ...]]]:
    """Per existing paper id, its view and the ascending numbers of its issues (any issue not
    rejected, or only published ones: what the public web may name)."""
    found: dict[int, tuple[PaperView, tuple[int, ...]]] = {}
    statement = PUBLISHED_HITS if published_only else HITS
    for chunk in batches(paper_ids):
        rows = await session.execute(statement, {"ids": list(chunk), "language": language})
        for paper, summary, numbers, *figure in rows:
            view = PaperView(
                id=paper.id,
                meta=to_meta(paper),
                summary=to_stored(summary) if summary is not None else None,
                figure=FigureView(*figure) if figure[0] is not None else None,
            )
            found[paper.id] = (view, _numbers(numbers))
    return found


def _statement(*, published_only: bool) -> Any:
    """Built once: composing this ORM statement costs more CPU than the database spends on it."""
    best = (
        select(Summary.id)
        .where(Summary.paper_id == Paper.id, Summary.language == bindparam("language"))
        .order_by(
            (Summary.source == SummarySource.LLM.value).desc(),
            Summary.created_at.desc(),
            Summary.id.desc(),
        )
        .limit(1)
        .correlate(Paper)
        .scalar_subquery()
    )
    issues = (
        select(func.aggregate_strings(cast(Issue.number, String), ","))
        .select_from(IssueItem)
        .join(Issue, Issue.id == IssueItem.issue_id)
        .where(
            IssueItem.paper_id == Paper.id,
            IssueItem.included.is_(True),
            Issue.kind == IssueKind.DAILY.value,  # a weekly repeats its dailies' papers
            Issue.status == IssueStatus.PUBLISHED.value
            if published_only
            else Issue.status != IssueStatus.REJECTED.value,
        )
        .correlate(Paper)
        .scalar_subquery()
    )
    return (
        select(Paper, Summary, issues, *FIGURE_VIEW_COLUMNS)
        .outerjoin(Summary, Summary.id == best)
        .outerjoin(PaperFigure, PaperFigure.paper_id == Paper.id)
        .where(Paper.id.in_(bindparam("ids", expanding=True)))
    )


HITS = _statement(published_only=False)
PUBLISHED_HITS = _statement(published_only=True)


def _numbers(joined: str | None) -> tuple[int, ...]:
    """The aggregate's order is unspecified in SQL: sort here."""
    return tuple(sorted(int(number) for number in joined.split(","))) if joined else ()
