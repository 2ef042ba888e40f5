"""The readers' side of personal relevance on real SQLite and PostgreSQL: a press toggles the
reader's own mark, marks are read back only for their reader, a replayed Telegram press is
refused by the database, and the reading list and `/similar` come back as views in order."""

from __future__ import annotations

import pytest

from bot.telegram.presses import first_press
from core.services import reader_feedback as rf
from core.services.chats import active_chats
from core.services.ranking import Reader
from core.services.reader_feedback import Marks, Press
from core.services.reading import saved_list, similar_papers, stored_paper_id
from domain.errors import InvalidInput, NotFound
from domain.types import IssueView
from storage.db import Database
from tests.planning_world import store_chats, store_issue


async def _world(db: Database) -> tuple[list[int], list[Reader]]:
    issue: IssueView = await store_issue(db)
    await store_chats(db, chats=3, seed=5)
    chats = await active_chats(db, platform="telegram")
    ids = [item.paper.id for item in issue.included_items]
    return ids, [Reader("telegram", chat.chat_id) for chat in chats]


def test_toggles_take_a_press_back() -> None:
    assert rf.toggled(Marks(), Press.UP) == Marks(1, False)
    assert rf.toggled(Marks(1, False), Press.UP) == Marks(0, False)
    assert rf.toggled(Marks(1, True), Press.DOWN) == Marks(-1, True)
    assert rf.toggled(Marks(-1, True), Press.SAVE) == Marks(-1, False)


async def test_presses_toggle_the_readers_own_marks(db: Database) -> None:
    ids, (ann, bob, _) = await _world(db)
    assert await rf.press(db, ann, ids[0], Press.UP) == Marks(1, False)
    assert await rf.press(db, ann, ids[0], Press.SAVE) == Marks(1, True)
    assert await rf.press(db, bob, ids[0], Press.DOWN) == Marks(-1, False)
    assert await rf.press(db, ann, ids[0], Press.UP) == Marks(0, True)  # taken back
    assert (await rf.marks(db, ann, ids[:2])) == {ids[0]: Marks(0, True), ids[1]: Marks()}
    assert (await rf.marks(db, bob, [ids[0]])) == {ids[0]: Marks(-1, False)}
    with pytest.raises(NotFound):
        await rf.press(db, ann, 10**9, Press.UP)


async def test_a_replayed_press_is_refused_by_the_database(db: Database) -> None:
    assert await first_press(db, "4321-query")
    assert not await first_press(db, "4321-query")
    assert await first_press(db, "4322-query")


async def test_saved_list_pages_latest_first(db: Database) -> None:
    ids, (ann, bob, _) = await _world(db)
    for pid in ids[:12]:
        await rf.set_saved(db, ann, pid, True)
    first = await saved_list(db, ann, 0, "en")
    second = await saved_list(db, ann, 1, "en")
    assert (first.total, first.pages, len(first.papers), len(second.papers)) == (12, 2, 10, 2)
    assert {p.id for p in first.papers + second.papers} == set(ids[:12])
    assert (await saved_list(db, bob, 0, "en")).total == 0


async def test_similar_papers_and_hostile_ids(db: Database) -> None:
    ids, _ = await _world(db)
    seed, near = await similar_papers(db, ids[0], "en", k=3)
    assert seed.id == ids[0] and 0 < len(near) <= 3 and ids[0] not in {p.id for p in near}
    assert await stored_paper_id(db, f"https://arxiv.org/abs/{seed.meta.arxiv_id}v3") == ids[0]
    for hostile in ("garbage", "https://evil.example/abs/2402.01399", "9" * 500, "2402.1"):
        with pytest.raises(InvalidInput):
            await stored_paper_id(db, hostile)
    with pytest.raises(NotFound):
        await stored_paper_id(db, "2402.99999")
    with pytest.raises(NotFound):
        await similar_papers(db, 10**9, "en")
