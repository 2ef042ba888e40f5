"""Publishing to WeChat followers by customer-service message, and the 公众号 draft on approval.

Real parts throughout: the ledger and planner on SQLite and PostgreSQL, the real API client
over HTTP against the fake WeChat API, and approval through the real Telegram admin path.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.wechat.draft import create_draft
from bot.wechat.targets import OUTSIDE_WINDOW
from cli.platforms import ConfiguredPlatforms, configured_platforms
from core.config import Settings
from core.services.chats import get_chat_state, start_chat, update_settings
from core.services.subscriptions import subscribe
from domain.types import IssueStatus
from jobs.publish_everywhere import publish_everywhere
from storage.db import Database
from storage.queries import chats as chat_queries
from storage.queries import deliveries as ledger
from storage.queries.issues import get_issue_view
from storage.types import utcnow
from tests.conftest import make_settings
from tests.e2e.admin_harness import editors, running_admin_bot
from tests.e2e.publish_helpers import make_issue
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatApi, check_article_html

WX = "wechat"
FOLLOWER, SILENT, EVERYTHING = "o-follower-cv", "o-silent-3-days", "o-all-papers"


@pytest.fixture
def fake() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi() as server:
        yield server


def _wechat(fake: FakeWeChatApi, db: Database, **extra: object) -> dict[str, object]:
    return {
        "database_url": db.url, "wechat_app_id": APP_ID, "wechat_app_secret": APP_SECRET,
        "wechat_api_base_url": fake.base_url, "wechat_thumb_media_id": "THUMB", **extra,
    }  # fmt: skip


async def _follower(db: Database, openid: str, topic: str | None, *, seen_ago: timedelta) -> None:
    await start_chat(db, platform=WX, chat_id=openid, chat_type="private", language_code="zh")
    if topic is not None:
        await subscribe(db, platform=WX, chat_id=openid, text=topic)
        await update_settings(db, platform=WX, chat_id=openid, digest_mode="topics")
    state = await get_chat_state(db, platform=WX, chat_id=openid)
    async with db.session() as session:
        values = {"last_seen_at": utcnow() - seen_ago}
        await chat_queries.update_chat(session, chat_id=state.id, values=values)


async def _publish_to_wechat(settings: Settings, db: Database) -> str:
    """The publishing job with WeChat the one configured platform: its report line."""
    platforms = ConfiguredPlatforms(settings, db)
    (report,) = await publish_everywhere(settings.delivery, db, platforms, number=1, actor="test")
    return report.line


async def test_followers_inside_the_window_get_their_papers_exactly_once(
    fake: FakeWeChatApi, db: Database
) -> None:
    arxiv_ids = await make_issue(db, status=IssueStatus.APPROVED)  # categories CL, CV, LG, CV
    await _follower(db, FOLLOWER, "cat:cs.CV", seen_ago=timedelta(hours=20))
    await _follower(db, EVERYTHING, None, seen_ago=timedelta(minutes=5))
    await _follower(db, SILENT, "cat:cs.CV", seen_ago=timedelta(days=3))
    fake.state.window |= {FOLLOWER, EVERYTHING}  # WeChat would refuse SILENT (45015)
    settings = make_settings(**_wechat(fake, db))

    line = await _publish_to_wechat(settings, db)

    assert line is not None and "2/3 delivered" in line and "1 skipped" in line
    (digest,) = fake.messages_to(FOLLOWER)
    assert [a in digest for a in arxiv_ids] == [False, True, False, True]  # only cs.CV
    assert digest.startswith("📰 ML Papers第1期") and "第2篇的要点。" in digest
    assert all(a in "".join(fake.messages_to(EVERYTHING)) for a in arxiv_ids)
    assert fake.messages_to(SILENT) == []
    silent = await get_chat_state(db, platform=WX, chat_id=SILENT)
    assert silent.active and silent.blocked_at is None  # outside the window is not blocked
    async with db.session() as session:
        view = await get_issue_view(session, number=1)
        assert view is not None and view.status is IssueStatus.PUBLISHED
        counts = await ledger.status_counts(session, issue_id=view.id, platform=WX)
    assert counts == {("subscriber", "sent"): 2, (OUTSIDE_WINDOW, "skipped"): 1}

    sent_before = len(fake.state.messages)
    fake.state.window.add(SILENT)  # wrote since: still not re-planned for an old issue
    again = await _publish_to_wechat(settings, db)
    assert again is not None and "resumed" in again
    assert len(fake.state.messages) == sent_before


async def test_a_follower_whose_window_closed_meanwhile_is_failed_not_blocked(
    fake: FakeWeChatApi, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    await _follower(sqlite_db, FOLLOWER, None, seen_ago=timedelta(hours=1))
    settings = make_settings(**_wechat(fake, sqlite_db))
    line = await _publish_to_wechat(settings, sqlite_db)  # 45015
    assert line is not None and "1 failed" in line and "0 blocked" in line
    state = await get_chat_state(sqlite_db, platform=WX, chat_id=FOLLOWER)
    assert state.active and state.blocked_at is None


async def test_not_configured_does_nothing(sqlite_db: Database) -> None:
    settings = make_settings(database_url=sqlite_db.url)
    assert "wechat" not in configured_platforms(settings)
    assert await create_draft(settings, sqlite_db, number=1) is None


async def test_draft_failure_is_a_line_for_the_admins(
    fake: FakeWeChatApi, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    settings = make_settings(**_wechat(fake, sqlite_db, wechat_thumb_media_id=None))
    line = await create_draft(settings, sqlite_db, number=1)
    assert line is not None and "WeChat draft failed" in line and "40007" in line
    assert fake.state.drafts == []


async def test_approving_in_the_admin_group_creates_the_draft(
    fake_telegram: FakeTelegram, fake: FakeWeChatApi, sqlite_db: Database
) -> None:
    admin, _, group = editors(fake_telegram)
    extra = _wechat(fake, sqlite_db)
    del extra["database_url"]
    async with running_admin_bot(fake_telegram, sqlite_db, **extra):
        fake_telegram.send_text(admin, "/approve 1", chat=group)
        approved, draft_line = await fake_telegram.wait_for_sent(group, count=2)
    assert "Issue 1 approved" in approved.text
    assert "WeChat draft created" in draft_line.text and "MEDIA-1" in draft_line.text
    (draft,) = fake.state.drafts
    assert draft["thumb_media_id"] == "THUMB" and draft["author"] == "ML Papers"
    assert "ML Papers第1期" in draft["content"] and check_article_html(draft["content"]) == []
    assert len(draft["content"]) < 20_000 and draft["digest"]
