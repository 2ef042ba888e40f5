"""RANKING_BLEND on real SQLite and PostgreSQL: the composed issue's order is the LLM's when
off, and moves with readers' votes on similar past papers when on — deterministically, on six
real abstracts (`tests/planning_world.py`), the same papers chosen either way."""

from __future__ import annotations

from dataclasses import replace

from core.services import ranking, review
from core.services.chats import touch_chat
from core.services.ranking import Reader
from domain.types import SummaryContent
from jobs.compose import compose_issue
from storage.db import Database
from tests.factories import store_paper
from tests.integration.schedule_helpers import NOW, context
from tests.planning_world import issue_papers

RATINGS = [5, 5, 4, 4, 3, 3]


async def _world(db: Database) -> tuple[list[int], list[int]]:
    """Six summarized candidates rated as RATINGS, and an unsummarized past copy of each."""
    metas = issue_papers()[: len(RATINGS)]
    ids, past = [], []
    async with db.session() as session:
        for i, (meta, rating) in enumerate(zip(metas, RATINGS, strict=True)):
            content = SummaryContent(title_translated=f"论文{i}", tldr="x", rating=rating)
            ids.append(await store_paper(session, meta, content))
            past.append(await store_paper(session, replace(meta, arxiv_id=f"2501.0000{i}")))
    return ids, past


async def _votes(db: Database, paper: int, vote: int) -> None:
    for n in range(3):
        await touch_chat(db, platform="telegram", chat_id=str(100 + n))
        await ranking.record_feedback(db, Reader("telegram", str(100 + n)), paper, vote=vote)


async def test_blend_moves_papers_by_votes_on_their_neighbours(db: Database) -> None:
    ids, past = await _world(db)
    await _votes(db, past[0], -1)  # readers disliked what the first 5-rated paper is about
    await _votes(db, past[5], +1)  # and liked what the last 3-rated one is about

    off = await compose_issue(context(db).settings.editorial, db, now=NOW)
    off_order = [item.paper.id for item in off.items]
    # Rejected, its papers are candidates again: compose them once more, blended.
    await review.reject(db, number=off.number, admin_id="cli", reason="compose it blended")
    on = await compose_issue(context(db, ranking_blend="on").settings.editorial, db, now=NOW)
    on_order = [item.paper.id for item in on.items]

    assert set(off_order) == set(ids)
    assert [RATINGS[ids.index(p)] for p in off_order] == sorted(RATINGS, reverse=True)
    assert set(on_order) == set(off_order)  # the same papers, only the order moves
    # 5 − 0.75 (three 👎: approval −3/4) and 3 + 0.75: each passes its equal, no one else.
    assert on_order == [ids[1], ids[0], *_in(off_order, ids[2:4]), ids[5], ids[4]]
    assert on_order != off_order


def _in(order: list[int], some: list[int]) -> list[int]:
    return [pid for pid in order if pid in some]
