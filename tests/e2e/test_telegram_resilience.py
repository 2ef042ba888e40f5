"""Webhook settings (the webhook itself: tests/e2e/test_http_process.py), flood control,
on-demand /paper and the admin report, on the real PTB stack."""

from __future__ import annotations

import asyncio
from functools import partial

import pytest
from pydantic import ValidationError

from jobs.on_demand import fetch_and_summarize
from tests.conftest import make_settings
from tests.e2e.telegram_harness import ADMIN_CHAT, bot_settings, running_bot
from tests.fakes.arxiv_server import FakeArxiv


async def test_webhook_without_secret_refuses_to_start(fake_telegram, sqlite_db) -> None:
    """The settings refuse it, before any call to Telegram (more: tests/e2e/test_config_errors)."""
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        bot_settings(fake_telegram, sqlite_db, telegram_webhook_url="https://example.invalid/hook")
    assert fake_telegram.calls("getMe") == []


async def test_flood_wait_is_retried_and_delivered_once(fake_telegram, sqlite_db) -> None:
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.force_flood(times=1, retry_after=1, methods=["sendMessage"])
        fake_telegram.send_text(ann, "/help")
        (reply,) = await fake_telegram.wait_for_sent(ann, timeout=10)
        await asyncio.sleep(0.3)  # a duplicate send would arrive right after the retry
    statuses = [call.status for call in fake_telegram.calls("sendMessage")]
    assert statuses == [429, 200]
    assert len(fake_telegram.sent(ann)) == 1 and "/subscribe" in reply.text


async def test_paper_on_demand_fetches_and_summarizes(fake_telegram, sqlite_db) -> None:
    ann = fake_telegram.user(language_code="en")
    with FakeArxiv() as arxiv:
        fetch_settings = make_settings(database_url=sqlite_db.url, **arxiv.settings_overrides())
        fetcher = partial(fetch_and_summarize, fetch_settings, sqlite_db)
        async with running_bot(fake_telegram, sqlite_db, fetch_paper=fetcher):
            fake_telegram.send_text(ann, "/paper https://arxiv.org/abs/1605.08386")
            (card,) = await fake_telegram.wait_for_sent(ann, timeout=15)
            fake_telegram.send_text(ann, "/paper 2612.99999")
            (missing,) = await fake_telegram.wait_for_sent(ann, timeout=15)
    assert "Heat-bath random walks with Markov bases" in card.text
    assert "extractive" in card.text  # no LLM key: the summary says what it is
    assert "arXiv has no paper 2612.99999" in missing.text


async def test_unexpected_error_reaches_the_admin_chat(fake_telegram, sqlite_db) -> None:
    async def broken_fetcher(arxiv_id: str, language: str) -> int | None:
        raise RuntimeError("database on fire")

    ann = fake_telegram.user(language_code="en")
    admins = fake_telegram.group(id=ADMIN_CHAT, title="admins")
    async with running_bot(fake_telegram, sqlite_db, fetch_paper=broken_fetcher):
        fake_telegram.send_text(ann, "/paper 2501.00001")
        (sorry,) = await fake_telegram.wait_for_sent(ann, timeout=10)
        (report,) = await fake_telegram.wait_for_sent(admins, timeout=10)
    assert "Something went wrong" in sorry.text
    assert "database on fire" in report.text
