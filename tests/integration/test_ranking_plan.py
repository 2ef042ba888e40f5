""" "For you" keeps readers' models in memory between deliveries
(`core.services.ranking_plan.ModelCache`, shared by send-time ordering and `rank_for`): a model
retrained since it was last read is read again, a forgotten one is never used, and a topic
subset keeps the model's order. Real SQLite and PostgreSQL, the 20 real papers of
`tests/planning_world.py`."""

from __future__ import annotations

from bot.telegram.targets import TelegramTargets
from core.services import ranking
from core.services.delivery import plan_deliveries
from core.services.ranking import Reader
from core.services.ranking_plan import ForYou
from domain.types import IssueView
from storage.db import Database
from storage.queries.ranking import chat_id_of
from tests.integration.test_ranking_service import _ids, _world


def _by_category(issue: IssueView, category: str) -> list[int]:
    return [i.paper.id for i in issue.included_items if i.paper.meta.primary_category == category]


async def _vote(db: Database, reader: Reader, liked: list[int], disliked: list[int]) -> None:
    for pid in liked:
        await ranking.record_feedback(db, reader, pid, vote=1)
    for pid in disliked:
        await ranking.record_feedback(db, reader, pid, vote=-1)


async def _planned(db: Database, issue: IssueView, reader: Reader) -> list[int]:
    return await ranking.rank_for(db, reader, _ids(issue), min_feedback=5)


async def test_a_retrained_model_is_read_again_and_a_forgotten_one_is_not_used(
    db: Database,
) -> None:
    issue, readers = await _world(db)
    vision, language = _by_category(issue, "cs.CV")[:4], _by_category(issue, "cs.CL")[:4]
    assert len(vision) >= 2 and len(language) >= 2
    reader = readers[0]
    plain = await plan_deliveries(db, issue=issue, targets=TelegramTargets())
    today = next(list(r.paper_ids) for r in plain if r.target == reader.chat_id)

    await _vote(db, reader, vision, language)
    first = await _planned(db, issue, reader)
    place = {pid: i for i, pid in enumerate(first)}
    assert max(place[p] for p in vision) < min(place[p] for p in language)

    await _vote(db, reader, language, vision)  # changed their mind: the model is retrained
    second = await _planned(db, issue, reader)
    place = {pid: i for i, pid in enumerate(second)}
    assert max(place[p] for p in language) < min(place[p] for p in vision)

    await ranking.forget(db, reader)
    assert await _planned(db, issue, reader) == today  # cached or not, no model any more


async def test_a_subset_of_the_issue_keeps_the_readers_order(db: Database) -> None:
    """A topic-matched subset (planning's other path) is the reader's whole order, filtered."""
    issue, readers = await _world(db)
    vision, language = _by_category(issue, "cs.CV")[:4], _by_category(issue, "cs.CL")[:4]
    await _vote(db, readers[0], vision, language)
    whole = await ranking.rank_for(db, readers[0], _ids(issue))
    subset = tuple(_ids(issue)[::3])
    async with db.session() as session:
        mine = await chat_id_of(session, platform="telegram", external_id=readers[0].chat_id)
        other = await chat_id_of(session, platform="telegram", external_id=readers[1].chat_id)
        assert mine is not None and other is not None
        for_you = await ForYou.prepare(session, paper_ids=_ids(issue), min_feedback=5)
        mine_order = await for_you.order_of(session, chat_id=mine, paper_ids=subset)
        other_order = await for_you.order_of(session, chat_id=other, paper_ids=subset)
        single = await for_you.order_of(session, chat_id=mine, paper_ids=subset[:1])
    assert list(mine_order) == [p for p in whole if p in subset] != list(subset)
    assert other_order == subset  # no model: as given
    assert single == subset[:1]
