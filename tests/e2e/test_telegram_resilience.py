"""Webhook mode, flood control, on-demand /paper and the admin report, on the real PTB stack."""

from __future__ import annotations

import asyncio
import socket
from functools import partial

import pytest
from pydantic import ValidationError

from bot.commands.context import Deps
from bot.telegram.app import run_telegram
from jobs.on_demand import fetch_and_summarize
from tests.conftest import make_settings
from tests.e2e.telegram_harness import ADMIN_CHAT, bot_settings, running_bot
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.telegram_server import FakeTelegram


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.02)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise TimeoutError(f"nothing listens on {port}")


async def test_webhook_checks_the_secret_on_every_request(fake_telegram: FakeTelegram, sqlite_db):
    port = _free_port()
    settings = bot_settings(
        fake_telegram, sqlite_db,
        telegram_webhook_url=f"http://127.0.0.1:{port}/tg-hook",
        telegram_webhook_secret="s3cret-token",
        telegram_webhook_listen=f"127.0.0.1:{port}",
    )  # fmt: skip
    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(Deps(settings=settings, db=sqlite_db), stop=stop))
    ann = fake_telegram.user(language_code="en")
    try:
        await fake_telegram.wait_until(lambda: fake_telegram.webhook, timeout=10)
        await _listening(port)  # PTB registers the webhook before its server starts
        update = fake_telegram.send_text(ann, "/help")
        forged = await fake_telegram.apost_webhook_update(update, secret="wrong")
        missing = await fake_telegram.apost_webhook_update(update, secret=None)
        accepted = await fake_telegram.apost_webhook_update(update)
        (reply,) = await fake_telegram.wait_for_sent(ann)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
    assert (forged, missing, accepted) == (403, 403, 200)
    assert "/subscribe" in reply.text
    assert fake_telegram.webhook["secret_token"] == "s3cret-token"


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
