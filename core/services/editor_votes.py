"""What editors see of readers' marks: counts per issue, per paper and per week (never who).

`core.services.ranking_votes` counts over a session; this is the door front ends call, with a
database, for `/review` (an issue's papers and their most similar past papers) and `/stats`.
"""

from __future__ import annotations

from datetime import datetime

from core.services import ranking_votes
from domain.types import IssueView
from storage.db import Database


async def issue_votes(db: Database, issue: IssueView) -> ranking_votes.IssueVotes:
    """Readers' votes on `issue`'s included papers and, for each, on its most similar past
    papers (what a draft's papers can be judged by): counts only, for editors."""
    items = [(item.position, item.paper.id) for item in issue.included_items]
    async with db.session() as session:
        return await ranking_votes.issue_votes(session, items=items)


async def votes_since(db: Database, *, since: datetime) -> ranking_votes.Tally:
    """Every reader's votes and saves since `since`, counted (`/stats`)."""
    async with db.session() as session:
        return await ranking_votes.tally_since(session, since=since)
