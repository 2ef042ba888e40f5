"""`digestbot check` as an operator runs it after editing `.env`: the real entry point as a
subprocess against the fakes (Telegram Bot API, OpenAI, arXiv, WeChat API) and a real SQLite
file or PostgreSQL server. All good → every line ✓ and exit 0; each way a service can refuse
(401 token, wrong key, unknown model, unreachable host, bot not in the channel, wrong WeChat
secret, database not migrated or not there) → ✗ with a fix and exit 1; unconfigured → –."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from storage.db import Database
from storage.migrate import alembic_config
from tests.e2e.cli_process import Ran, base_env, closed_port, digestbot
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.proxy_server import FakeProxy
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatApi

TOKEN = "7312345678:AAHk3xPq9vWmZt2LrYs8NcBd4FgJh6KuE0i"
OTHER_TOKEN = "7312345678:AAHzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
LLM_KEY = "sk-proj-Q2x8vN4mK7pR1tY6wE3zL9aB5cD0fG"
CHANNEL = "@digest_channel"


class World:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.telegram = FakeTelegram(token=TOKEN)
        self.openai = FakeOpenAI(api_key=LLM_KEY, models={"fake-model"})
        self.arxiv = FakeArxiv()
        self.wechat = FakeWeChatApi()

    def env(self, **changes: str) -> dict[str, str]:
        values = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.telegram.url,
            "CHANNEL_ID": CHANNEL,
            "OPENAI_API_KEY": LLM_KEY,
            "OPENAI_BASE_URL": self.openai.base_url,
            "LLM_MODEL": "fake-model",
            "ARXIV_API_URL": self.arxiv.api_url,
            "WECHAT_APP_ID": APP_ID,
            "WECHAT_APP_SECRET": APP_SECRET,
            "WECHAT_API_BASE_URL": self.wechat.base_url,
            **changes,
        }
        return base_env(self.tmp, **{key: value for key, value in values.items() if value})

    async def check(self, **changes: str) -> Ran:
        env = self.env(**changes)
        return await asyncio.to_thread(digestbot, "check", env=env, cwd=self.tmp)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    world = World(tmp_path)
    with world.telegram, world.openai, world.arxiv, world.wechat:
        world.telegram.group(type="channel", title="Digest", username=CHANNEL[1:])
        yield world


async def _migrate(tmp: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp / 'digestbot.db'}")
    await db.upgrade()
    await db.dispose()


def _marks(ran: Ran) -> dict[str, str]:
    """First word after the mark → the mark, e.g. {"database": "✓", "Telegram": "✗"}."""
    marks: dict[str, str] = {}
    for line in ran.stdout.splitlines():
        mark, _, rest = line.partition(" ")
        marks.setdefault(rest.split(" ", 1)[0].rstrip(":"), mark)
    return marks


def _no_secrets(ran: Ran) -> None:
    for secret in (TOKEN, OTHER_TOKEN, LLM_KEY, APP_SECRET, TOKEN.split(":")[1]):
        assert secret not in ran.output


async def test_all_good_is_all_ticks_and_exit_0(world: World) -> None:
    await _migrate(world.tmp)
    ran = await world.check()
    assert ran.code == 0, ran.output
    lines = ran.stdout.splitlines()
    assert len(lines) == 7 and all(line.startswith("✓ ") for line in lines), ran.stdout
    assert "@digest_test_bot" in ran.stdout and f"channel {CHANNEL}" in ran.stdout
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert "'fake-model' answers" in ran.stdout and f"migrations at head ({head})" in ran.stdout
    assert world.wechat.state.tokens_issued == 1
    _no_secrets(ran)


async def test_through_a_proxy_every_service_is_reached_and_the_proxy_shown(world: World) -> None:
    await _migrate(world.tmp)
    with FakeProxy(username="operator", password="pr0xy-pa55") as proxy:
        ran = await world.check(PROXY=proxy.url)
    assert ran.code == 0, ran.output
    lines = ran.stdout.splitlines()
    assert len(lines) == 8 and all(line.startswith("✓ ") for line in lines), ran.stdout
    via = f"http://***@127.0.0.1:{proxy.port} (PROXY)"
    assert f"✓ proxy: Telegram {via}; arXiv {via}; LLM {via}; WeChat/WeCom {via}" in lines
    assert "pr0xy-pa55" not in ran.output and "operator" not in ran.output
    hosts = {seen.port for seen in proxy.seen}
    for url in (
        world.telegram.url,
        world.openai.base_url,
        world.arxiv.api_url,
        world.wechat.base_url,
    ):
        assert int(url.split(":")[2].split("/")[0]) in hosts, url
    _no_secrets(ran)


async def test_every_refusal_is_a_cross_with_its_fix(world: World) -> None:
    ran = await world.check(
        TELEGRAM_BOT_TOKEN=OTHER_TOKEN,
        OPENAI_API_KEY="sk-proj-wrongwrongwrongwrongwrong01",
        ARXIV_API_URL=f"http://127.0.0.1:{closed_port()}/api/query",
        WECHAT_APP_SECRET="not-the-app-secret-0123456789",
    )  # and the database was never migrated
    assert ran.code == 1, ran.output
    marks = _marks(ran)
    assert marks == {
        "settings": "✓", "database": "✗", "Telegram": "✗", "LLM": "✗", "arXiv": "✗", "WeChat": "✗",
    }  # fmt: skip
    crosses = [line for line in ran.stdout.splitlines() if line.startswith("✗")]
    assert all(" — fix: " in line for line in crosses)
    assert "401" in ran.stdout and "digestbot db upgrade" in ran.stdout
    assert "TELEGRAM_BOT_TOKEN" in ran.stdout and "OPENAI_API_KEY" in ran.stdout
    assert "40125" in ran.stdout  # WeChat's own errcode: invalid appsecret
    assert "Traceback" not in ran.output
    _no_secrets(ran)


async def test_missing_model_and_channel_and_unreachable_hosts(world: World) -> None:
    await _migrate(world.tmp)
    dead = f"http://127.0.0.1:{closed_port()}"
    ran = await world.check(LLM_MODEL="gpt-9-nonexistent", CHANNEL_ID="@not_our_channel")
    assert ran.code == 1
    assert "✗ LLM" in ran.stdout and "'gpt-9-nonexistent' not found" in ran.stdout
    assert "LLM_MODEL" in ran.stdout
    assert "✓ Telegram: @digest_test_bot" in ran.stdout
    assert "✗ Telegram channel @not_our_channel: Chat not found — fix: add @digest" in ran.stdout
    unreachable = await world.check(
        TELEGRAM_API_BASE_URL=dead, OPENAI_BASE_URL=f"{dead}/v1", WECHAT_API_BASE_URL=dead
    )
    assert unreachable.code == 1
    for what in ("Telegram", "LLM", "WeChat"):
        assert f"✗ {what}" in unreachable.stdout
    assert "unreachable" in unreachable.stdout
    _no_secrets(ran)
    _no_secrets(unreachable)


async def test_unconfigured_parts_are_skipped(world: World) -> None:
    await _migrate(world.tmp)
    ran = await world.check(
        TELEGRAM_BOT_TOKEN="", CHANNEL_ID="", OPENAI_API_KEY="", WECHAT_APP_SECRET=""
    )
    assert ran.code == 0, ran.output
    assert _marks(ran) == {
        "settings": "✓", "database": "✓", "Telegram": "–", "LLM": "–", "arXiv": "✓", "WeChat": "–",
    }  # fmt: skip


async def test_unreachable_postgres_and_bad_settings_are_crosses(world: World) -> None:
    url = f"postgresql+psycopg://digest:pa55-w0rd-xyz@127.0.0.1:{closed_port()}/test"
    ran = await world.check(DATABASE_URL=url)
    assert ran.code == 1
    assert "✗ database: DATABASE_URL: cannot connect" in ran.stdout
    assert "pa55-w0rd-xyz" not in ran.output
    bad = await world.check(TIMEZONE="Mars/Olympus", FETCH_CRON="0 9 31 2 *")
    assert bad.code == 1
    lines = bad.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("✗ settings: TIMEZONE='Mars/Olympus': expected")
    assert lines[1].startswith("✗ settings: FETCH_CRON='0 9 31 2 *': expected")
