"""Vote counts for editors on real SQLite and PostgreSQL (`core.services.ranking_votes`
through the review service): per paper, per issue, on similar past papers, and since a time."""

from __future__ import annotations

from datetime import timedelta

from core.services import editor_votes, ranking
from core.services.ranking_votes import Tally
from storage.db import Database
from storage.types import utcnow
from tests.factories import make_paper, store_paper
from tests.integration.test_ranking_service import _ids, _world


async def test_counts_per_paper_issue_and_neighbourhood(db: Database) -> None:
    issue, readers = await _world(db)
    first = issue.included_items[0].paper
    async with db.session() as session:
        past = await store_paper(
            session, make_paper(title=first.meta.title, abstract=first.meta.abstract)
        )
    await ranking.record_feedback(db, readers[0], past, vote=1)
    await ranking.record_feedback(db, readers[1], past, vote=1, saved=True)
    await ranking.record_feedback(db, readers[2], _ids(issue)[3], vote=-1)

    votes = await editor_votes.issue_votes(db, issue)

    assert votes.own == Tally(0, 1, 0)
    assert [p.paper_id for p in votes.papers] == _ids(issue)
    near = votes.papers[0].similar
    assert near.tally == Tally(2, 0, 1) and near.papers == 1 and near.approval > 0.5
    assert votes.papers[3].own == Tally(0, 1, 0)
    assert all(p.similar.papers == 0 for p in votes.papers[1:] if p.paper_id != past)
    week = await editor_votes.votes_since(db, since=utcnow() - timedelta(days=7))
    assert week == Tally(2, 1, 1)
    assert await editor_votes.votes_since(db, since=utcnow() + timedelta(minutes=1)) == Tally()
