"""A world on every platform for the "each platform stands alone" tests: an approved issue, a
Telegram reader, WeChat followers inside and outside the 48-hour window, a WeCom robot; the
settings (as environment variables, for `digestbot` itself) that switch each platform on; and
what each platform should receive, rendered by the real senders.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from bot.wechat.api import WeChatApi
from bot.wechat.sender import WeChatCustomerSender
from bot.wecom.sender import WeComSender
from cli.main import main
from core.config import get_settings
from core.services.chats import get_chat_state, start_chat
from domain.types import IssueStatus, IssueView
from storage.db import Database
from storage.queries import chats as chat_queries
from storage.queries.issues import get_issue_view
from storage.types import utcnow
from tests.conftest import make_settings
from tests.e2e.publish_helpers import expected_parts, make_issue, subscriber
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_state import FakeUser
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatApi
from tests.fakes.wecom_robot import FakeWeComRobot

ROBOT_KEY = "robot-secret-key-0001"
NEAR, AWAY = "o-wrote-an-hour-ago", "o-wrote-3-days-ago"
PLATFORM_KEYS = ("TELEGRAM_", "WECOM_", "WECHAT_", "ADMIN_", "DATABASE_URL")


@dataclass
class World:
    db: Database
    reader: FakeUser | None = None


def telegram_env(fake: FakeTelegram) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.url}


def wecom_env(robot: FakeWeComRobot) -> dict[str, str]:
    return {"WECOM_WEBHOOK_URLS": robot.url(ROBOT_KEY)}


def wechat_env(api: FakeWeChatApi) -> dict[str, str]:
    return {
        "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_API_BASE_URL": api.base_url, "WECHAT_THUMB_MEDIA_ID": "THUMB",
    }  # fmt: skip


def use_env(monkeypatch: pytest.MonkeyPatch, db: Database, env: dict[str, str]) -> None:
    """Exactly these platform settings (and the test's database) for `digestbot`."""
    import os

    for key in list(os.environ):
        if key.startswith(PLATFORM_KEYS):
            monkeypatch.delenv(key)
    for key, value in {"DATABASE_URL": db.url, "PTB_TIMEDELTA": "true", **env}.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


async def digestbot(*argv: str) -> int:
    """`digestbot …` in this process (its own event loop, in a thread), settings from the env."""
    try:
        return await asyncio.to_thread(main, list(argv))
    finally:
        get_settings.cache_clear()


async def world(
    db: Database,
    fake: FakeTelegram | None,
    api: FakeWeChatApi | None,
    *,
    status: IssueStatus = IssueStatus.APPROVED,
) -> World:
    """Issue 1 (approved); a Telegram reader (with `fake`); two WeChat followers (with `api`)."""
    await make_issue(db, status=status)
    reader = await subscriber(fake, db) if fake is not None else None
    if api is not None:
        for openid, ago in ((NEAR, timedelta(hours=1)), (AWAY, timedelta(days=3))):
            await _follower(db, openid, ago)
        api.state.window.add(NEAR)  # WeChat itself would refuse AWAY (45015)
    return World(db, reader)


async def _follower(db: Database, openid: str, seen_ago: timedelta) -> None:
    await start_chat(db, platform="wechat", chat_id=openid, chat_type="private",
                     language_code="zh")  # fmt: skip
    state = await get_chat_state(db, platform="wechat", chat_id=openid)
    async with db.session() as session:
        values = {"last_seen_at": utcnow() - seen_ago}
        await chat_queries.update_chat(session, chat_id=state.id, values=values)


async def wecom_expected(db: Database) -> list[str]:
    view = await _view(db)
    async with httpx.AsyncClient() as http:
        return WeComSender((), http).render(view, language="zh")


async def wechat_expected(db: Database) -> list[str]:
    view = await _view(db)
    async with httpx.AsyncClient() as http:
        api = WeChatApi(make_settings(wechat_app_id=APP_ID).wechat, http)
        return WeChatCustomerSender(api).render(view, language="zh")


async def telegram_expected(db: Database) -> list[str]:
    return await expected_parts(db, number=1, language="zh")


async def _view(db: Database) -> IssueView:
    async with db.session() as session:
        view = await get_issue_view(session, number=1, language="zh")
    assert view is not None
    return view
