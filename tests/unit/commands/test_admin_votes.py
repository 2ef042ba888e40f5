"""Readers' votes as editors see them: /review adds the counts on the issue's papers and on
each one's most similar past papers (a draft's papers have none of their own yet), /stats the
week's totals; counts only, never who voted. A real SQLite database (the demo's draft)."""

from __future__ import annotations

from bot.commands import admin_ops, admin_review
from bot.commands.context import Deps
from core.services import ranking
from core.services.chats import touch_chat
from core.services.issues import get_issue
from core.services.ranking import Reader
from domain.identity import CONSOLE
from tests.factories import make_paper, store_paper
from tests.unit.commands.conftest import context, only, paragraphs, text_of


async def _readers(deps: Deps, n: int) -> list[Reader]:
    for i in range(n):
        await touch_chat(deps.db, platform=CONSOLE, chat_id=f"voter-{i}")
    return [Reader(CONSOLE, f"voter-{i}") for i in range(n)]


async def test_review_shows_votes_on_the_issue_and_on_similar_past_papers(demo: Deps) -> None:
    ctx = await context(demo)
    issue = await get_issue(demo.db, number=1, language="en")
    first, second = (item.paper for item in issue.included_items[:2])
    async with demo.db.session() as session:  # a past paper about what paper 1 is about
        past = await store_paper(
            session, make_paper(title=first.meta.title, abstract=first.meta.abstract)
        )
    voters = await _readers(demo, 3)
    await ranking.record_feedback(demo.db, voters[0], past, vote=1)
    await ranking.record_feedback(demo.db, voters[1], past, vote=-1)
    await ranking.record_feedback(demo.db, voters[2], past, saved=True)
    await ranking.record_feedback(demo.db, voters[0], second.id, vote=1)

    preview, votes = await admin_review.review_command(ctx, "1")

    lines = [p.text for p in paragraphs(votes.content)]
    assert lines[0] == "🗳 Reader votes (editors only, counts only): this issue 👍 1 · 👎 0 · ⭐ 0"
    assert paragraphs(votes.content)[0].runs[1].style == "bold"
    assert "Paper 1: 👍 0 · 👎 0 · ⭐ 0 | 1 similar past: 👍 1 · 👎 1 · ⭐ 1" in lines
    assert any(line.startswith("Paper 2: 👍 1 · 👎 0 · ⭐ 0 |") for line in lines)
    assert "voter" not in text_of([votes])  # counts, never who
    assert text_of([preview]).startswith("📝 issue 1 · draft")


async def test_review_without_any_vote_is_the_preview_alone(demo: Deps) -> None:
    (preview,) = await admin_review.review_command(await context(demo), "1")
    assert "🗳" not in text_of([preview])


async def test_stats_count_the_weeks_votes(demo: Deps) -> None:
    ctx = await context(demo, "zh")
    issue = await get_issue(demo.db, number=1, language="zh")
    ids = [item.paper.id for item in issue.included_items]
    voters = await _readers(demo, 2)
    await ranking.record_feedback(demo.db, voters[0], ids[0], vote=1, saved=True)
    await ranking.record_feedback(demo.db, voters[1], ids[0], vote=1)
    await ranking.record_feedback(demo.db, voters[1], ids[1], vote=-1)
    await ranking.record_feedback(demo.db, voters[1], ids[1], vote=-1)  # counted once
    await ranking.record_feedback(demo.db, voters[0], ids[2], vote=1)
    await ranking.record_feedback(demo.db, voters[0], ids[2], vote=0)  # taken back

    lines = [p.text for p in paragraphs(only(await admin_ops.stats_command(ctx, "")))]

    assert lines[-1] == "近 7 天读者投票：👍 2 · 👎 1 · ⭐ 1"
