"""No secret in any output, at any log level: each entry point runs as a real subprocess with
real-looking secrets and LOG_LEVEL=DEBUG through the failures that used to print them (Telegram
answering 401 — whose exception text carries the token —, Telegram unreachable or 5xx, arXiv
unreachable, the LLM answering 401 or 5xx, a WeCom publish whose robot URL holds its key), then
stdout, stderr and the database file are scanned for every secret and its URL-encoded forms."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from domain.types import IssueStatus
from storage.db import Database
from tests.conftest import POSTGRES_URL, _postgres_available
from tests.e2e.cli_process import Ran, base_env, closed_port, digestbot
from tests.e2e.publish_helpers import make_issue
from tests.factories import make_paper, store_paper
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.wechat_api import FakeWeChatApi
from tests.fakes.wecom_robot import FakeWeComRobot

TOKEN = "7312345678:AAHk3xPq9vWmZt2LrYs8NcBd4FgJh6KuE0i"
LLM_KEY = "sk-proj-Q2x8vN4mK7pR1tY6wE3zL9aB5cD0fG"
APP_SECRET = "3f9a1c7e5b2d4068a1c3e5f7092b4d6e"
CALLBACK_TOKEN = "Wx7callbackTok3n9"
AES_KEY = "kT4mQ8rW2yE6uI0oP3aS7dF1gH5jK9lZ2xC6vB0nM4q"
WEBHOOK_SECRET = "whsec_8Hq2Lm5Np0Rt3Vx"
WECOM_KEY = "693a91f6-7e1b-4bc4-97a0-0ec2a1f69a2d"
DB_PASSWORD = "s3cr3t/p@ss:w0rd"
SECRETS = (TOKEN, TOKEN.split(":")[1], LLM_KEY, APP_SECRET, CALLBACK_TOKEN, AES_KEY,
           WEBHOOK_SECRET, WECOM_KEY, DB_PASSWORD)  # fmt: skip


def forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}


def assert_nothing_leaked(ran: Ran, tmp: Path) -> None:
    stored = b"".join(path.read_bytes() for path in tmp.glob("digestbot.db*"))
    for secret in SECRETS:
        for form in forms(secret):
            assert form not in ran.output, f"{form!r} printed:\n{ran.output[-3000:]}"
            assert form.encode() not in stored, f"{form!r} in the database"


class World:
    """Every secret set, every service a local fake (or a closed port), DEBUG logging."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.telegram = FakeTelegram(token=TOKEN)
        self.openai = FakeOpenAI(api_key=LLM_KEY)
        self.wechat = FakeWeChatApi()
        self.wecom = FakeWeComRobot(keys=(WECOM_KEY,))

    def env(self, **changes: str) -> dict[str, str]:
        dead = f"http://127.0.0.1:{closed_port()}"
        values = dict(
            LOG_LEVEL="DEBUG",
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=self.telegram.url,
            TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
            OPENAI_API_KEY=LLM_KEY,
            OPENAI_BASE_URL=self.openai.base_url,
            LLM_MODEL="fake-model",
            LLM_MAX_RETRIES="0",
            LLM_TIMEOUT_SECONDS="5",
            ARXIV_API_URL=f"{dead}/api/query",
            ARXIV_RSS_URL=f"{dead}/rss",
            ARXIV_RETRIES="0",
            ARXIV_DELAY_SECONDS="0",
            ARXIV_TIMEOUT_SECONDS="2",
            WECHAT_TOKEN=CALLBACK_TOKEN,
            WECHAT_AES_KEY=AES_KEY,
            WECHAT_APP_ID="wx-fake-app",
            WECHAT_APP_SECRET=APP_SECRET,
            WECHAT_API_BASE_URL=self.wechat.base_url,
            HTTP_LISTEN="127.0.0.1:0",
            WECOM_WEBHOOK_URLS=self.wecom.url(WECOM_KEY),
        )
        return base_env(self.tmp, **{**values, **changes})

    async def run(self, *args: str, **changes: str) -> Ran:
        env = self.env(**changes)
        ran = await asyncio.to_thread(digestbot, *args, env=env, cwd=self.tmp, timeout=90)
        assert "DEBUG" in ran.stderr  # the level the secrets used to show at
        assert_nothing_leaked(ran, self.tmp)
        return ran

    async def database(self) -> Database:
        db = Database(f"sqlite+aiosqlite:///{self.tmp / 'digestbot.db'}")
        await db.upgrade()
        return db


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    world = World(tmp_path)
    with world.telegram, world.openai, world.wechat, world.wecom:
        yield world


@pytest.mark.parametrize("fault", ["401", "unreachable", "500"])
async def test_run_with_telegram_failing_at_start(world: World, fault: str) -> None:
    changes: dict[str, str] = {}
    if fault == "401":
        world.telegram.api.token = "1111111:other-token-the-server-knows"
    elif fault == "unreachable":
        changes["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{closed_port()}"
    else:
        world.telegram.fail_next(times=10, status=500)
    ran = await world.run("run", **changes)
    assert ran.code == 2


async def test_fetch_with_arxiv_unreachable(world: World) -> None:
    ran = await world.run("fetch")
    assert ran.code == 1, ran.output[-2000:]


@pytest.mark.parametrize("fault", ["401", "500"])
async def test_summarize_with_the_llm_failing(world: World, fault: str) -> None:
    db = await world.database()
    async with db.session() as session:
        for _ in range(2):
            await store_paper(session, make_paper())
    await db.dispose()
    changes = {"OPENAI_API_KEY": LLM_KEY}
    if fault == "401":
        world.openai.api_key = "sk-proj-the-server-wants-another-key"
    else:
        world.openai.default_step = "500"
    ran = await world.run("summarize", **changes)
    assert ran.code == 0 and "2 extractive" in ran.stdout, ran.output[-2000:]


async def test_check_with_refusals(world: World) -> None:
    world.telegram.api.token = "1111111:other-token-the-server-knows"
    world.openai.api_key = "sk-proj-the-server-wants-another-key"
    ran = await world.run("check")
    assert ran.code == 1 and "✗ Telegram" in ran.stdout and "✗ LLM" in ran.stdout


async def test_publish_to_wecom_and_telegram(world: World) -> None:
    db = await world.database()
    await make_issue(db, status=IssueStatus.APPROVED)
    await db.dispose()
    ran = await world.run("publish", "1")
    assert ran.code == 0, ran.output[-2000:]
    assert world.wecom.messages[WECOM_KEY]  # the robot got the issue
    assert world.telegram.calls("getMe")  # PTB used the token (in every URL, at DEBUG)


async def test_postgres_password_never_shown(world: World) -> None:
    if _postgres_available() is not None:
        pytest.skip("PostgreSQL not reachable")
    user_at = POSTGRES_URL.split("://", 1)[1].split("@", 1)[0]
    url = POSTGRES_URL.replace(f"{user_at}@", f"{user_at}:{quote(DB_PASSWORD, safe='')}@", 1)
    ran = await world.run("check", DATABASE_URL=url)
    assert "database" in ran.stdout
    dead = f"postgresql+psycopg://digest:{quote(DB_PASSWORD, safe='')}@127.0.0.1:{closed_port()}/x"
    ran = await world.run("issues", DATABASE_URL=dead)
    assert ran.code == 2 and "DATABASE_URL" in ran.stderr
