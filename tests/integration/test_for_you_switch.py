"""The "for you" switch on real SQLite and PostgreSQL: a chat that turns it off is not offered
to send-time ordering (`storage.queries.sendtime.trained_chats`) and keeps today's order even
with a trained model; turning it on again restores its own order. (The delivered order itself:
`tests/e2e/test_sendtime.py`.)"""

from __future__ import annotations

from core.services import ranking
from core.services.chats import active_chats, get_chat_state, update_settings
from core.services.ranking import Reader
from storage.db import Database
from storage.queries.ranking import chat_id_of
from storage.queries.sendtime import trained_chats
from tests.planning_world import store_chats, store_issue


async def test_for_you_off_keeps_todays_order(db: Database) -> None:
    issue = await store_issue(db)
    await store_chats(db, chats=3, seed=5)
    chat = (await active_chats(db, platform="telegram"))[0]
    reader = Reader("telegram", chat.chat_id)
    papers = [item.paper for item in issue.included_items]
    for paper in papers:  # likes computer vision, dislikes the rest: a model that reorders
        vote = 1 if paper.meta.primary_category == "cs.CV" else -1
        await ranking.record_feedback(db, reader, paper.id, vote=vote)
    ids = [p.id for p in papers]

    async def offered() -> set[int]:
        async with db.session() as session:
            own = await chat_id_of(session, platform="telegram", external_id=chat.chat_id)
            assert own is not None
            return set(await trained_chats(session, chat_ids=[own], min_examples=5))

    own, offered_on = await ranking.rank_for(db, reader, ids), await offered()
    await update_settings(db, platform="telegram", chat_id=chat.chat_id, for_you=False)
    state = await get_chat_state(db, platform="telegram", chat_id=chat.chat_id)
    off, offered_off = await ranking.rank_for(db, reader, ids), await offered()
    await update_settings(db, platform="telegram", chat_id=chat.chat_id, for_you=True)
    again = await ranking.rank_for(db, reader, ids)
    assert own != ids and set(own) == set(ids)  # its own order while on
    assert len(offered_on) == 1 and offered_off == set()
    assert state.for_you is False and off == ids  # today's order while off
    assert again == own
