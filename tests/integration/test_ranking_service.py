"""Personal relevance on real SQLite and PostgreSQL: feedback counted once, models trained
from it, readers' own order (`rank_for`; in deliveries: `tests/e2e/test_sendtime.py`),
`/saved`, `/similar`, `/forget`, and input that must not crash anything. The papers are 20
real ones (`tests/planning_world.py`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from core.services import ranking
from core.services.chats import active_chats
from core.services.ranking import Reader
from domain.errors import InvalidInput, NotFound
from domain.types import IssueView
from storage.db import Database
from storage.models_ranking import PaperVector, RankingVocab, ReaderFeedback, ReaderModel
from tests.planning_world import store_chats, store_issue


async def _world(db: Database) -> tuple[IssueView, list[Reader]]:
    issue = await store_issue(db)
    await store_chats(db, chats=12, seed=5)
    chats = await active_chats(db, platform="telegram")
    return issue, [Reader("telegram", chat.chat_id) for chat in chats]


def _ids(issue: IssueView) -> list[int]:
    return [item.paper.id for item in issue.included_items]


async def _teach(db: Database, reader: Reader, issue: IssueView) -> tuple[set[int], set[int]]:
    """The reader likes the issue's computer-vision papers and dislikes its language ones:
    enough feedback for their own order."""
    papers = [item.paper for item in issue.included_items]
    liked = {p.id for p in papers if p.meta.primary_category == "cs.CV"}
    disliked = [p.id for p in papers if p.meta.primary_category == "cs.CL"][:4]
    for pid in liked:
        await ranking.record_feedback(db, reader, pid, vote=1)
    for pid in disliked:
        await ranking.record_feedback(db, reader, pid, vote=-1)
    return liked, set(disliked)


async def test_a_vote_counts_once_per_reader_and_paper(db: Database) -> None:
    issue, readers = await _world(db)
    paper = _ids(issue)[0]
    assert await ranking.record_feedback(db, readers[0], paper, vote=1)
    assert not await ranking.record_feedback(db, readers[0], paper, vote=1)  # replayed
    assert await ranking.record_feedback(db, readers[1], paper, vote=1)
    async with db.session() as session:
        votes = await session.scalar(
            select(func.sum(ReaderFeedback.vote)).where(ReaderFeedback.paper_id == paper)
        )
        revisions = (await session.scalars(select(ReaderModel.revision))).all()
    assert votes == 2
    assert sorted(revisions) == [1, 1]


async def test_feedback_trains_a_model_that_orders_the_readers_papers(db: Database) -> None:
    issue, readers = await _world(db)
    liked, disliked = await _teach(db, readers[0], issue)
    assert len(liked) >= 2

    order = await ranking.rank_for(db, readers[0], _ids(issue))
    cold = await ranking.rank_for(db, readers[1], _ids(issue))

    assert sorted(order) == sorted(_ids(issue))
    position = {pid: i for i, pid in enumerate(order)}
    assert max(position[p] for p in liked) < min(position[p] for p in disliked)
    assert cold == _ids(issue)  # no feedback: today's order


async def test_too_little_feedback_keeps_todays_order(db: Database) -> None:
    issue, readers = await _world(db)
    await ranking.record_feedback(db, readers[0], _ids(issue)[5], vote=1)
    await ranking.record_feedback(db, readers[0], _ids(issue)[0], vote=-1)
    assert await ranking.rank_for(db, readers[0], _ids(issue), min_feedback=5) == _ids(issue)
    assert (await ranking.rank_for(db, readers[0], _ids(issue), min_feedback=2))[0] == _ids(issue)[
        5
    ]


async def test_saved_is_a_paged_reading_list_and_forget_deletes_everything(db: Database) -> None:
    issue, readers = await _world(db)
    for pid in _ids(issue)[:7]:
        await ranking.record_feedback(db, readers[0], pid, saved=True)
    await ranking.record_feedback(db, readers[0], _ids(issue)[0], saved=False)  # removed

    first = await ranking.saved(db, readers[0], size=4)
    second = await ranking.saved(db, readers[0], page=1, size=4)
    assert first.total == 6
    assert len(first.paper_ids) == 4 and len(second.paper_ids) == 2
    assert set(first.paper_ids + second.paper_ids) == set(_ids(issue)[1:7])
    assert (await ranking.saved(db, readers[1])).total == 0  # never shown to other readers

    assert await ranking.forget(db, readers[0]) == 7
    assert (await ranking.saved(db, readers[0])).total == 0
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ReaderModel)) == 0


async def test_similar_finds_neighbours_in_the_archive(db: Database) -> None:
    issue, _ = await _world(db)
    seed = _ids(issue)[3]
    hits = await ranking.similar(db, seed, k=5)
    assert len(hits) == 5
    assert seed not in [pid for pid, _ in hits]
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1.0001 for s in scores)
    assert await ranking.similar(db, 10**9, k=5) == []  # unknown paper
    assert await ranking.similar(db, seed, k=-3) == []


async def test_vectors_are_added_once_and_counted_once(db: Database) -> None:
    issue, _ = await _world(db)
    await ranking.similar(db, _ids(issue)[0], k=3)  # vectorizes the archive's first papers
    await ranking.similar(db, _ids(issue)[1], k=3)
    assert await ranking.index_papers(db) == 0  # nothing left to do
    async with db.session() as session:
        vectors = await session.scalar(select(func.count()).select_from(PaperVector))
        documents = await session.scalar(select(RankingVocab.documents))
    assert vectors == documents >= 1


async def test_bad_input_is_refused_or_harmless(db: Database) -> None:
    issue, readers = await _world(db)
    with pytest.raises(InvalidInput):
        await ranking.record_feedback(db, readers[0], _ids(issue)[0], vote=2)
    with pytest.raises(NotFound):
        await ranking.record_feedback(db, readers[0], 10**9, vote=1)
    with pytest.raises(NotFound):
        await ranking.record_feedback(db, Reader("telegram", "999"), _ids(issue)[0], vote=1)
    assert await ranking.forget(db, Reader("wechat", "nobody")) == 0
    assert await ranking.rank_for(db, Reader("wechat", "nobody"), [3, 1, 2]) == [3, 1, 2]

    await _teach(db, readers[0], issue)
    async with db.session() as session:  # a damaged stored vector and model read as empty
        await session.execute(update(PaperVector).values(indices=b"\xff\xff\xff\x7f", values=b""))
        await session.execute(update(ReaderModel).values(weights=b"\x00"))
    order = await ranking.rank_for(db, readers[0], _ids(issue))
    assert sorted(order) == sorted(_ids(issue))
