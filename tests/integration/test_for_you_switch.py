"""The "for you" switch on real SQLite and PostgreSQL: a chat that turns it off keeps today's
order in its delivery even with a trained model; turning it on again restores its own order."""

from __future__ import annotations

from bot.telegram.targets import TelegramTargets
from core.services import ranking
from core.services.chats import active_chats, get_chat_state, update_settings
from core.services.delivery import plan_deliveries
from core.services.ranking import Reader
from storage.db import Database
from storage.queries.ranking import model_stamps_in_range
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
    ids = tuple(p.id for p in papers)
    targets = TelegramTargets()

    def row_of(plan: list) -> tuple[int, ...]:
        return next(r.paper_ids for r in plan if r.target == chat.chat_id)

    own = row_of(await plan_deliveries(db, issue=issue, targets=targets, for_you_min_feedback=5))
    await update_settings(db, platform="telegram", chat_id=chat.chat_id, for_you=False)
    state = await get_chat_state(db, platform="telegram", chat_id=chat.chat_id)
    off = row_of(await plan_deliveries(db, issue=issue, targets=targets, for_you_min_feedback=5))
    async with db.session() as session:
        models = await model_stamps_in_range(
            session, first_chat_id=chat.id, last_chat_id=chat.id, min_examples=1
        )
    ranked_off = await ranking.rank_for(db, reader, list(ids))
    await update_settings(db, platform="telegram", chat_id=chat.chat_id, for_you=True)
    again = row_of(await plan_deliveries(db, issue=issue, targets=targets, for_you_min_feedback=5))
    assert own != ids and set(own) == set(ids)  # its own order while on
    assert state.for_you is False and models == {}
    assert off == ids and ranked_off == list(ids)  # today's order while off
    assert again == own
