""" "For you" at send time, through the real PTB stack on the fake Bot API, on real SQLite and
PostgreSQL (`core.services.sendtime`): a trained reader receives their papers in their model's
order, kept in the ledger row; a resumed row keeps that order after the model changed; chats
with "for you" off or too little feedback get the issue's order; in "topics" mode a trained
reader also gets a few papers beyond their topics, marked "Recommended for you".

The issue is the 20 real papers of `tests/planning_world.py` (no summaries: each card is the
paper's title, links and abstract), so the models learn from real text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select, update

from core.services import ranking
from core.services.chats import update_settings
from core.services.delivery import no_match_note
from core.services.ranking import Reader
from core.services.sendtime import MAX_RECOMMENDED
from domain.types import IssueView
from storage.db import Database
from storage.models import Delivery
from storage.queries.papers import upsert_papers
from storage.types import utcnow
from tests.e2e.publish_helpers import guard_send_spacing, publish, received, subscriber
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_state import FakeUser
from tests.planning_world import issue_papers, store_issue

FOR_YOU = {"ranking_for_you": True, "ranking_min_feedback": 5}
MARK = "✨ <i>Recommended for you</i>"


@pytest.fixture(autouse=True)
def _send_spacing(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from guard_send_spacing(request)


def _ids(issue: IssueView) -> list[int]:
    return [item.paper.id for item in issue.included_items]


def _category(issue: IssueView, category: str) -> list[int]:
    return [i.paper.id for i in issue.included_items if i.paper.meta.primary_category == category]


async def _teach(db: Database, user: FakeUser, liked: list[int], disliked: list[int]) -> Reader:
    reader = Reader("telegram", str(user.id))
    for pid in liked:
        await ranking.record_feedback(db, reader, pid, vote=1)
    for pid in disliked:
        await ranking.record_feedback(db, reader, pid, vote=-1)
    return reader


def _order(issue: IssueView, html: str) -> list[int]:
    """The issue's papers in the order their titles appear in what a chat received."""
    at = {
        item.paper.id: html.find(f". {escape(item.paper.meta.title)}</b>")
        for item in issue.included_items
    }
    return sorted((pid for pid, where in at.items() if where >= 0), key=lambda pid: at[pid])


async def _row(db: Database, user: FakeUser) -> Delivery:
    async with db.session() as session:
        row = await session.scalar(select(Delivery).where(Delivery.target == str(user.id)))
    assert row is not None
    return row


async def test_each_reader_gets_their_models_order_or_the_issues(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    issue = await store_issue(db)
    vision, language = _category(issue, "cs.CV"), _category(issue, "cs.CL")[:4]
    trained, cold, off, few = [await subscriber(fake_telegram, db, language="en") for _ in "1234"]
    reader = await _teach(db, trained, vision, language)
    await _teach(db, off, vision, language)
    await update_settings(db, platform="telegram", chat_id=str(off.id), for_you=False)
    await _teach(db, few, vision[:1], language[:1])  # 2 marks: too few for its own order
    expected = await ranking.rank_for(db, reader, _ids(issue))

    report = await publish(fake_telegram, db, **FOR_YOU)

    html = {u.id: "".join(received(fake_telegram, u)) for u in (trained, cold, off, few)}
    assert report.sent == 4
    assert _order(issue, html[trained.id]) == expected != _ids(issue)
    assert (await _row(db, trained)).paper_ids == expected  # kept in the ledger row
    assert (await _row(db, trained)).recommended_ids == []  # mode "all": nothing to add
    for user in (cold, off, few):
        assert _order(issue, html[user.id]) == _ids(issue)
        assert (await _row(db, user)).recommended_ids is None  # never ordered
    assert MARK not in "".join(html.values())


async def test_for_you_off_on_the_server_keeps_the_issues_order(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    issue = await store_issue(db)
    user = await subscriber(fake_telegram, db, language="en")
    await _teach(db, user, _category(issue, "cs.CV"), _category(issue, "cs.CL")[:4])

    await publish(fake_telegram, db)  # RANKING_FOR_YOU off (the default)

    assert _order(issue, "".join(received(fake_telegram, user))) == _ids(issue)


async def test_a_resumed_row_keeps_its_order_after_the_model_changed(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    issue = await store_issue(db)
    vision, language = _category(issue, "cs.CV"), _category(issue, "cs.CL")
    user = await subscriber(fake_telegram, db, language="en")
    reader = await _teach(db, user, vision, language[:4])
    first = await publish(fake_telegram, db, **FOR_YOU)
    parts = received(fake_telegram, user)
    assert len(parts) >= 2 and first.messages == len(parts)
    await _crash_after_first_part(db)
    await _teach(db, user, language, vision)  # changed their mind: the model now differs
    assert await ranking.rank_for(db, reader, _ids(issue)) != _order(issue, "".join(parts))

    resumed = await publish(fake_telegram, db, **FOR_YOU)

    assert received(fake_telegram, user) == parts + parts[1:]  # the same parts, same order
    assert (resumed.resumed, resumed.messages) == (1, len(parts) - 1)


async def test_topics_readers_get_marked_recommendations_only_when_trained(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    issue = await store_issue(db)
    vision, language = _category(issue, "cs.CV"), _category(issue, "cs.CL")
    picky, untrained, off, everything = [
        await subscriber(fake_telegram, db, language="en", topic=topic)
        for topic in ("cat:cs.CL", "cat:cs.CL", "cat:cs.CL", None)
    ]
    for user in (picky, off, everything):
        await _teach(db, user, vision, language[:4])
    await update_settings(db, platform="telegram", chat_id=str(off.id), for_you=False)
    zh = await subscriber(fake_telegram, db, language="zh", topic="cat:cs.CL")
    await _teach(db, zh, vision, language[:4])

    await publish(fake_telegram, db, **FOR_YOU)

    row, untrained_row = await _row(db, picky), await _row(db, untrained)
    recommended = row.recommended_ids or []
    assert 1 <= len(recommended) <= MAX_RECOMMENDED
    assert set(recommended) <= set(_ids(issue)) - set(untrained_row.paper_ids)  # beyond topics
    assert set(row.paper_ids) == set(untrained_row.paper_ids) | set(recommended)
    html = "".join(received(fake_telegram, picky))
    assert html.count(MARK) == len(recommended)
    for pid in recommended:  # the mark sits under the recommended paper's title
        title = next(i.paper.meta.title for i in issue.included_items if i.paper.id == pid)
        assert f"{escape(title)}</b>\n{MARK}" in html
    assert "✨ <i>为你推荐</i>" in "".join(received(fake_telegram, zh))
    for user in (untrained, off, everything):
        assert MARK not in "".join(received(fake_telegram, user))
        assert not (await _row(db, user)).recommended_ids
    assert (await _row(db, off)).paper_ids == untrained_row.paper_ids


async def test_a_row_ordered_but_never_sent_is_not_reordered(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    """Claimed and ordered, then handed back before its first part (a run stopped, claimed
    rows released): the next run sends the order kept in the row, not the newer model's."""
    issue = await store_issue(db)
    vision, language = _category(issue, "cs.CV"), _category(issue, "cs.CL")
    user = await subscriber(fake_telegram, db, language="en")
    reader = await _teach(db, user, vision, language[:4])
    await publish(fake_telegram, db, **FOR_YOU)
    parts = received(fake_telegram, user)
    async with db.session() as session:  # as `Deliverer._release_claimed` leaves a row
        await session.execute(
            update(Delivery).values(
                status="pending", messages_sent=0, message_ids=[], sent_at=None
            )
        )  # fmt: skip
    await _teach(db, user, language, vision)
    assert await ranking.rank_for(db, reader, _ids(issue)) != _order(issue, "".join(parts))

    await publish(fake_telegram, db, **FOR_YOU)

    assert received(fake_telegram, user) == parts + parts


NOTHING = "zebrafish"  # a topic none of the issue's 20 ML papers matches


async def _coral_papers(db: Database) -> list[int]:
    """Five papers outside the issue, about nothing the issue is about: a reader who likes
    only these and marks every paper of the issue 👎 has a model that calls none a "yes"."""
    base = issue_papers()[0]
    texts = ["coral reef bleaching", "deep sea sponges", "tidal pool crabs", "kelp forest otters",
             "reef fish spawning"]  # fmt: skip
    metas = [
        replace(base, arxiv_id=f"2606.9990{n}", title=f"Field notes on {text}",
                abstract=f"We survey {text} along the coast, {text} over ten seasons.",
                categories=("q-bio.PE",), primary_category="q-bio.PE")
        for n, text in enumerate(texts)
    ]  # fmt: skip
    async with db.session() as session:
        return list((await upsert_papers(session, papers=metas)).paper_ids)


async def test_a_trained_reader_nothing_matched_gets_recommendations_alone(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    """Topics that matched nothing: a trained reader's row is kept for their model, which
    fills it with marked recommendations (instead of the note, when they asked for it);
    untrained readers get the note or nothing, exactly as before."""
    issue = await store_issue(db)
    vision, language = _category(issue, "cs.CV"), _category(issue, "cs.CL")[:4]
    trained, noted, cold, cold_noted, off = [
        await subscriber(fake_telegram, db, language="en", topic=NOTHING, note=note)
        for note in (False, True, False, True, False)
    ]
    for user in (trained, noted, off):
        await _teach(db, user, vision, language)
    await update_settings(db, platform="telegram", chat_id=str(off.id), for_you=False)

    report = await publish(fake_telegram, db, **FOR_YOU)

    for user in (trained, noted):
        row, html = await _row(db, user), "".join(received(fake_telegram, user))
        assert 1 <= len(row.recommended_ids or []) <= MAX_RECOMMENDED
        assert row.paper_ids == _order(issue, html)  # in the model's order, all marked
        assert set(row.paper_ids) == set(row.recommended_ids or [])
        marked = len(row.paper_ids)
        assert (row.kind, row.status, html.count(MARK)) == ("subscriber", "sent", marked)
        assert no_match_note(1, "en") not in html
    for user in (cold, off):  # no model, or "for you" off: skipped in planning, as before
        assert received(fake_telegram, user) == []
        assert ((await _row(db, user)).status, (await _row(db, user)).recommended_ids) == (
            "skipped", None
        )  # fmt: skip
    assert received(fake_telegram, cold_noted) == [no_match_note(1, "en")]
    assert (report.sent, report.notes, report.skipped, report.failed) == (2, 1, 2, 0)

    before = received(fake_telegram, trained)
    again = await publish(fake_telegram, db, **FOR_YOU)  # a re-run sends nothing twice
    assert (again.messages, received(fake_telegram, trained)) == (0, before)


async def test_a_model_that_likes_nothing_leaves_the_note_or_nothing(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    """The kept row gets no recommendation when the model scores every paper ≤ 0: the reader
    gets their note if they asked for it, else nothing, and nothing counts as a failure."""
    issue = await store_issue(db)
    coral = await _coral_papers(db)
    quiet, noted = [
        await subscriber(fake_telegram, db, language="en", topic=NOTHING, note=note)
        for note in (False, True)
    ]
    for user in (quiet, noted):
        await _teach(db, user, coral, _ids(issue))

    report = await publish(fake_telegram, db, **FOR_YOU)

    quiet_row, noted_row = await _row(db, quiet), await _row(db, noted)
    assert received(fake_telegram, quiet) == []
    assert (quiet_row.kind, quiet_row.status, quiet_row.paper_ids) == ("subscriber", "skipped", [])
    assert quiet_row.recommended_ids == []  # ordered at send time: the model had nothing
    assert received(fake_telegram, noted) == [no_match_note(1, "en")]
    assert (noted_row.kind, noted_row.status, noted_row.recommended_ids) == ("note", "sent", [])
    assert (report.sent, report.notes, report.skipped, report.failed, report.messages) == (
        0, 1, 1, 0, 1
    )  # fmt: skip


async def test_without_for_you_a_trained_reader_nothing_matched_is_skipped(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    issue = await store_issue(db)
    user = await subscriber(fake_telegram, db, language="en", topic=NOTHING)
    await _teach(db, user, _category(issue, "cs.CV"), _category(issue, "cs.CL")[:4])

    report = await publish(fake_telegram, db)  # RANKING_FOR_YOU off

    assert received(fake_telegram, user) == []
    assert ((await _row(db, user)).status, report.skipped, report.messages) == ("skipped", 1, 0)


async def test_a_resumed_recommendations_row_keeps_them(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    """A note row turned into recommendations, interrupted after its first part: the resumed
    row sends the rest of the same parts (not the note, not the newer model's picks)."""
    issue = await store_issue(db)
    vision, language = _category(issue, "cs.CV"), _category(issue, "cs.CL")
    user = await subscriber(fake_telegram, db, language="en", topic=NOTHING, note=True)
    await _teach(db, user, vision, language[:4])
    await publish(fake_telegram, db, **FOR_YOU)
    parts = received(fake_telegram, user)
    kept = await _row(db, user)
    assert len(parts) >= 2 and kept.kind == "subscriber"
    await _crash_after_first_part(db)
    await _teach(db, user, language, vision)  # changed their mind: other picks now

    resumed = await publish(fake_telegram, db, **FOR_YOU)

    assert received(fake_telegram, user) == parts + parts[1:]
    assert (resumed.resumed, resumed.messages, resumed.notes) == (1, len(parts) - 1, 0)
    row = await _row(db, user)
    assert (row.paper_ids, row.recommended_ids) == (kept.paper_ids, kept.recommended_ids)


async def _crash_after_first_part(db: Database) -> None:
    """Every row as a crash leaves it once its first part was confirmed: still `sending`, its
    lease long silent, so the next publish takes it over and resumes after part 1."""
    async with db.session() as session:
        await session.execute(
            update(Delivery).values(
                status="sending", messages_sent=1, message_ids=["1"], attempts=1,
                updated_at=utcnow() - timedelta(seconds=60), sent_at=None,
            )
        )  # fmt: skip
