"""A small world for publishing tests: an issue of four papers summarized in zh and en, and
subscribers registered both with the fake Telegram and in our database.

`expected_parts` renders what a chat should receive with the real renderer, so tests compare
the exact messages that arrived, in order, with what each reader should get.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot.commands.context import Deps
from bot.telegram.app import telegram_sender
from bot.telegram.sender import TelegramSender
from core.config import Settings
from core.services.chats import start_chat, update_settings
from core.services.delivery import no_match_note
from core.services.subscriptions import subscribe
from domain.types import IssueStatus, SummaryContent
from jobs.publish import PublishReport, publish_issue
from storage.db import Database
from storage.queries.issues import NewItem, create_issue, get_issue_view
from tests.e2e.telegram_harness import bot_settings
from tests.factories import make_paper, store_paper
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_spacing import assert_send_spacing
from tests.fakes.telegram_state import FakeUser

TG = "telegram"
CATEGORIES = ("cs.CL", "cs.CV", "cs.LG", "cs.CV")  # papers 1..4; two match cat:cs.CV
_LONG = "We revisit the problem with a careful experimental protocol and report every number. " * 14


def _content(n: int, language: str) -> SummaryContent:
    zh = language == "zh"
    return SummaryContent(
        title_translated=f"中文标题{n}" if zh else f"English title {n}",
        tldr=f"第{n}篇的要点。" if zh else f"Key point of paper {n}.",
        background=_LONG,
        method=_LONG,
        results=_LONG,
        keywords=["测试"] if zh else ["test"],
    )


async def make_issue(db: Database, *, number: int = 1, status: IssueStatus) -> list[str]:
    """Issue `number` with four papers (summaries in zh and en); the papers' arXiv ids."""
    ids, arxiv_ids = [], []
    async with db.session() as session:
        for n, category in enumerate(CATEGORIES, start=1):
            meta = make_paper(categories=(category,), primary_category=category)
            paper_id = await store_paper(session, meta, _content(n, "zh"), language="zh")
            await store_paper(session, meta, _content(n, "en"), language="en")
            ids.append(paper_id)
            arxiv_ids.append(meta.arxiv_id)
        await create_issue(
            session, number=number, title=f"ML Papers 第{number}期", language="zh",
            period_start=date(2026, 11, 20), period_end=date(2026, 11, 20),
            items=[NewItem(paper_id=i, summary_id=None) for i in ids], status=status,
        )  # fmt: skip
    return arxiv_ids


async def subscriber(
    fake: FakeTelegram,
    db: Database,
    *,
    language: str = "zh",
    topic: str | None = None,
    note: bool = False,
) -> FakeUser:
    """A user who sent /start; with `topic`, in digest mode "topics" following it."""
    user = fake.user(language_code=language)
    chat_id = str(user.id)
    await start_chat(db, platform=TG, chat_id=chat_id, chat_type="private", language_code=language)
    if topic is not None:
        await subscribe(db, platform=TG, chat_id=chat_id, text=topic)
        await update_settings(db, platform=TG, chat_id=chat_id, digest_mode="topics")
    if note:
        await update_settings(db, platform=TG, chat_id=chat_id, no_match_note=True)
    return user


async def expected_parts(
    db: Database, *, number: int, language: str, categories: tuple[str, ...] | None = None
) -> list[str]:
    """The messages a reader in `language` should get: papers in `categories` (None: all)."""
    async with db.session() as session:
        view = await get_issue_view(session, number=number, language=language)
    assert view is not None
    items = tuple(
        item
        for item in view.items
        if categories is None or item.paper.meta.primary_category in categories
    )
    if not items:
        return [no_match_note(number, language)]
    return TelegramSender(bot=None).render(replace(view, items=items), language=language)  # type: ignore[arg-type]


def received(fake: FakeTelegram, chat: Any) -> list[str]:
    """What the bot sent to a chat, as the raw HTML it sent, oldest first."""
    return [message.html for message in fake.sent(chat)]


def settings_for(fake: FakeTelegram, db: Database, **extra: Any) -> Settings:
    return bot_settings(fake, db, **extra)


@asynccontextmanager
async def sender_for(settings: Settings, db: Database) -> AsyncIterator[TelegramSender]:
    async with telegram_sender(Deps(settings=settings, db=db)) as sender:
        yield sender


async def publish(
    fake: FakeTelegram, db: Database, *, number: int = 1, **extra: Any
) -> PublishReport:
    """Publish through the real PTB application (AIORateLimiter) against the fake."""
    settings = settings_for(fake, db, **extra)
    async with sender_for(settings, db) as sender:
        return await publish_issue(settings.delivery, db, sender, number=number, actor="test:admin")


def guard_send_spacing(request: pytest.FixtureRequest) -> Iterator[None]:
    """For an autouse fixture: after a test that used the fake Telegram, no 1-second window
    holds over 30 accepted sends and no minute over 20 to one group or channel."""
    uses_fake = "fake_telegram" in request.fixturenames
    fake = request.getfixturevalue("fake_telegram") if uses_fake else None
    yield
    if fake is not None:
        assert_send_spacing(fake)
