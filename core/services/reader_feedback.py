"""What a reader's 👍 👎 ⭐ press means: a toggle on their own mark of one paper.

Pressing 👍 likes a paper and pressing it again takes the like back (as readers expect of
such buttons); 👎 likewise, and 👍 after 👎 turns the dislike into a like. ⭐ saves and
unsaves. The mark itself is written by `core.services.ranking.record_feedback` (one row per
reader and paper, so a vote counts once, and the reader's model is retrained). A reader's
marks are read only for that reader: nothing here ever answers with another chat's marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.services.ranking import Reader, record_feedback
from storage.db import Database
from storage.queries.ranking import chat_id_of
from storage.queries.reader_marks import marks_of


class Press(StrEnum):
    UP = "up"
    DOWN = "down"
    SAVE = "save"


@dataclass(frozen=True)
class Marks:
    """A reader's mark on one paper: vote +1, -1 or 0, and whether it is saved."""

    vote: int = 0
    saved: bool = False


async def marks(db: Database, reader: Reader, paper_ids: list[int]) -> dict[int, Marks]:
    """The reader's marks on `paper_ids` (unmarked papers: no vote, not saved)."""
    async with db.session() as session:
        chat = await chat_id_of(session, platform=reader.platform, external_id=reader.chat_id)
        found = {} if chat is None else await marks_of(session, chat_id=chat, paper_ids=paper_ids)
    return {pid: Marks(*found.get(pid, (0, False))) for pid in paper_ids}


def toggled(current: Marks, press: Press) -> Marks:
    """The mark after `press`: the same vote again takes it back; ⭐ flips saved."""
    if press is Press.SAVE:
        return Marks(current.vote, not current.saved)
    wanted = 1 if press is Press.UP else -1
    return Marks(0 if current.vote == wanted else wanted, current.saved)


async def press(db: Database, reader: Reader, paper_id: int, pressed: Press) -> Marks:
    """Apply one press (raises NotFound for an unknown paper or chat); the new mark."""
    current = (await marks(db, reader, [paper_id]))[paper_id]
    after = toggled(current, pressed)
    if pressed is Press.SAVE:
        await record_feedback(db, reader, paper_id, saved=after.saved)
    else:
        await record_feedback(db, reader, paper_id, vote=after.vote)
    return after


async def set_saved(db: Database, reader: Reader, paper_id: int, saved: bool) -> bool:
    """Save or unsave outright (`/saved`'s ✕, WeChat's 收藏 / 取消收藏); True when it changed."""
    return await record_feedback(db, reader, paper_id, saved=saved)


async def set_vote(db: Database, reader: Reader, paper_id: int, vote: int) -> bool:
    """Vote outright (WeChat's 赞 / 踩: typing it twice is one vote); True when it changed."""
    return await record_feedback(db, reader, paper_id, vote=vote)
