"""A small public archive for the web's tests: published issues, a draft, a rejected issue,
hostile text (markup, `]]>`, control characters XML cannot hold) where readers will see it, and
a key figure (a real PNG, stored as the reader stores it) on each published issue's first
paper."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from domain.types import IssueStatus
from jobs.compose import compose_issue
from storage.db import Database
from storage.models import Issue, Paper
from storage.queries.fulltext import NewFigure, save_figure
from tests.conftest import make_settings
from tests.factories import make_paper, store_paper
from tests.seed_papers import load_seed_papers, seed_meta, seed_summary

HOSTILE = "<script>alert(1)</script> R&D ]]> <b>bold</b>\x01\x0b\x1f\ufffe end"
DRAFT_TITLE = "DRAFT-NOT-PUBLIC"
REJECTED_TITLE = "REJECTED-NOT-PUBLIC"
# issue number → status: 1 and 3 published, 2 a draft, 4 rejected
STATUSES = {
    1: IssueStatus.PUBLISHED,
    2: IssueStatus.DRAFT,
    3: IssueStatus.PUBLISHED,
    4: IssueStatus.REJECTED,
}


@dataclass(frozen=True)
class Archive:
    published: tuple[int, ...]
    hidden: tuple[int, ...]
    hidden_only_ids: tuple[str, ...]  # arXiv ids that appear only in hidden issues
    hostile_id: str  # a stored paper (in no issue) whose title is HOSTILE
    figure_ids: tuple[str, ...] = ()  # published papers with a key figure (caption: HOSTILE)


async def build_archive(db: Database) -> Archive:
    settings = make_settings(database_url=db.url, issue_max_papers=3)
    async with db.session() as s:
        for paper in load_seed_papers()[:12]:
            await store_paper(s, seed_meta(paper), seed_summary(paper))
    for _ in STATUSES:
        await compose_issue(settings.editorial, db)
    hidden_ids = await _set_statuses(db)
    figure_ids = await _add_figures(db)
    hostile = make_paper(title=f"Hostile {HOSTILE}", abstract=f"Abstract {HOSTILE}")
    async with db.session() as s:
        await store_paper(s, hostile)
    published = tuple(n for n, status in STATUSES.items() if status is IssueStatus.PUBLISHED)
    hidden = tuple(n for n in STATUSES if n not in published)
    return Archive(published, hidden, hidden_ids, hostile.arxiv_id, figure_ids)


async def _set_statuses(db: Database) -> tuple[str, ...]:
    hidden: list[int] = []
    async with db.session() as s:
        issues = await s.scalars(select(Issue).options(selectinload(Issue.items)))
        for issue in issues:
            status = STATUSES[issue.number]
            issue.status = status.value
            if status is IssueStatus.PUBLISHED:
                issue.published_at = datetime(2026, 11, issue.number, 9, 0, tzinfo=UTC)
                issue.title = f"{issue.title} {HOSTILE}"
                issue.items[0].title_override = f"Override {HOSTILE}"
                issue.items[0].editor_note = f"Note {HOSTILE}"
            else:
                issue.title = DRAFT_TITLE if status is IssueStatus.DRAFT else REJECTED_TITLE
                hidden += [item.paper_id for item in issue.items]
    return await _arxiv_ids(db, hidden)


async def _arxiv_ids(db: Database, paper_ids: list[int]) -> tuple[str, ...]:
    async with db.session() as s:
        rows = await s.scalars(select(Paper.arxiv_id).where(Paper.id.in_(paper_ids)))
        return tuple(rows)


async def _add_figures(db: Database) -> tuple[str, ...]:
    """A wide PNG on the first paper of every issue; the ids of the published ones, in order
    (a draft's or a rejected issue's figure must not reach a static copy either)."""
    out = io.BytesIO()
    Image.new("RGB", (1600, 500), "steelblue").save(out, format="PNG")
    ids: list[str] = []
    async with db.session() as s:
        issues = await s.scalars(
            select(Issue).order_by(Issue.number).options(selectinload(Issue.items))
        )
        for issue in issues:
            paper = await s.get(Paper, min(issue.items, key=lambda i: i.position).paper_id)
            assert paper is not None
            source = f"https://arxiv.org/html/{paper.arxiv_id}v1/x1.png"
            caption = f"Overview {HOSTILE}"
            figure = NewFigure("Figure 1", caption, "image/png", 1600, 500, source, out.getvalue())
            await save_figure(s, paper_id=paper.id, paper_version=1, figure=figure)
            if STATUSES[issue.number] is IssueStatus.PUBLISHED:
                ids.append(paper.arxiv_id)
    return tuple(ids)
