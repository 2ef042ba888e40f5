"""The one HTTP server over real HTTP (Starlette on uvicorn, in-process, a free port): /healthz,
/readyz (200, and 503 when the database file is gone or its migrations are behind), /metrics
parsed by prometheus_client after a real job run and delivery, and the image's HEALTHCHECK
code run against it. Real `digestbot run` processes: tests/e2e/test_http_process.py."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
from alembic.script import ScriptDirectory
from sqlalchemy import text
from telegram import Bot

from bot.server.health import CachedProbe
from bot.wecom.sender import WeComSender
from cli.platforms import ConfiguredPlatforms
from cli.schedule import publisher
from core.metrics import CountedSender
from core.services.health import CheckResult
from domain.types import IssueStatus
from jobs.context import JobContext
from jobs.publish import publish_issue
from jobs.runs import run_job
from storage.db import Database
from storage.health import code_heads
from storage.migrate import alembic_config
from tests.conftest import make_settings
from tests.e2e.cli_process import closed_port
from tests.e2e.http_helpers import moved, scrape, served
from tests.e2e.platforms import ROBOT_KEY
from tests.e2e.publish_helpers import make_issue
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.wecom_robot import FakeWeComRobot
from tests.unit.test_container_files import healthcheck_code


async def _get(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url)


async def test_healthz_and_readyz_on_a_migrated_database(sqlite_db: Database) -> None:
    async with served(make_settings(database_url=sqlite_db.url), sqlite_db) as base:
        alive, ready = await _get(f"{base}/healthz"), await _get(f"{base}/readyz")
        missing = await _get(f"{base}/nowhere?signature=abc")
    assert (alive.status_code, alive.text) == (200, "ok")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "checks": {"database": "ok"}}
    assert missing.status_code == 404 and "abc" not in missing.text


async def test_readyz_is_503_when_migrations_are_behind(sqlite_db: Database) -> None:
    (head,) = code_heads()
    older = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    assert isinstance(older, str)
    async with served(make_settings(database_url=sqlite_db.url), sqlite_db) as base:
        async with sqlite_db.session() as session:
            await session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": older})
        behind = await _get(f"{base}/readyz")
        async with sqlite_db.session() as session:
            await session.execute(text("DELETE FROM alembic_version"))
        never = await _get(f"{base}/readyz")
        alive = await _get(f"{base}/healthz")
    assert behind.status_code == 503
    assert behind.json() == {"ready": False, "checks": {"database": "migrations not at head"}}
    assert never.json()["checks"]["database"] == "migrations not applied"
    assert alive.status_code == 200  # liveness never depends on the database


async def test_readyz_is_503_when_the_database_file_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.upgrade()
    try:
        async with served(make_settings(database_url=db.url), db) as base:
            assert (await _get(f"{base}/readyz")).status_code == 200
            _delete(tmp_path, "gone.db*")  # the file, its WAL and shared memory
            gone = await _get(f"{base}/readyz")
            metrics = await _get(f"{base}/metrics")  # counters are still served
    finally:
        await db.dispose()
    assert gone.status_code == 503
    assert gone.json()["checks"] == {"database": "database file missing"}
    assert not path.exists()  # the probe did not create an empty file in its place
    assert metrics.status_code == 200 and "digestbot_job_runs" in metrics.text


def _delete(folder: Path, pattern: str) -> None:
    for path in folder.glob(pattern):
        path.unlink()


async def test_metrics_count_a_real_job_run_and_its_delivery(db: Database) -> None:
    with FakeWeComRobot(keys=(ROBOT_KEY,)) as robot:
        await make_issue(db, status=IssueStatus.APPROVED)
        settings = make_settings(database_url=db.url, wecom_webhook_urls=robot.url(ROBOT_KEY))
        platforms = ConfiguredPlatforms(settings, db)
        ctx = JobContext(settings, db, publish=publisher(platforms), platforms=platforms)
        async with served(settings, db) as base:
            before = await scrape(base)
            result = await run_job("publish", ctx, trigger="cli")
            after = await scrape(base)
    assert result.status == "ok", result.summary
    delivered = len(robot.messages[ROBOT_KEY])
    assert delivered >= 1
    assert moved(before, after, "digestbot_messages_sent_total", platform="wecom") == delivered
    assert moved(before, after, "digestbot_messages_failed_total", platform="wecom") == 0
    assert moved(before, after, "digestbot_job_runs_total", job="publish", outcome="ok") == 1
    count = "digestbot_job_duration_seconds_count"
    assert moved(before, after, count, job="publish", outcome="ok") == 1
    depth = ("digestbot_delivery_queue_depth", frozenset({("platform", "wecom")}))
    assert after[depth] == 0  # the configured platform shows, nothing waiting


async def test_metrics_count_flood_control_apart(sqlite_db: Database) -> None:
    with FakeWeComRobot(keys=(ROBOT_KEY,)) as robot:
        await make_issue(sqlite_db, status=IssueStatus.APPROVED)
        settings = make_settings(database_url=sqlite_db.url,
                                 wecom_webhook_urls=robot.url(ROBOT_KEY))  # fmt: skip
        robot.flood_next(2)
        async with served(settings, sqlite_db) as base, httpx.AsyncClient() as http:
            before = await scrape(base)
            sender = CountedSender(WeComSender(settings.wecom_webhook_urls, http, flood_retry=0.05))
            report = await publish_issue(settings.delivery, sqlite_db, sender, number=1,
                                         actor="test:admin")  # fmt: skip
            after = await scrape(base)
    assert report.sent == 1
    assert moved(before, after, "digestbot_messages_rate_limited_total", platform="wecom") == 2
    assert moved(before, after, "digestbot_messages_failed_total", platform="wecom") == 2
    sent = moved(before, after, "digestbot_messages_sent_total", platform="wecom")
    assert sent == len(robot.messages[ROBOT_KEY])


async def test_telegram_readiness_is_a_cached_get_me(fake_telegram: FakeTelegram) -> None:
    bot = Bot(fake_telegram.token, base_url=f"{fake_telegram.url}/bot")
    async with bot:
        asked = len(fake_telegram.calls("getMe"))
        probe = CachedProbe(bot.get_me)
        first = await probe()
        fake_telegram.fail_next(times=10, status=500)
        again = await probe()  # within the cache: Telegram is not asked again
        calls = len(fake_telegram.calls("getMe")) - asked
    dead = Bot(fake_telegram.token, base_url=f"http://127.0.0.1:{closed_port()}/bot")
    unreachable = await CachedProbe(dead.get_me)()
    await dead.shutdown()
    assert first == again == CheckResult(True, "ok") and calls == 1
    assert unreachable == CheckResult(False, "unreachable (NetworkError)")


async def test_the_images_healthcheck_passes_on_healthz_and_fails_without_a_server(
    sqlite_db: Database,
) -> None:
    code = healthcheck_code()
    async with served(make_settings(database_url=sqlite_db.url), sqlite_db) as base:
        port = base.rsplit(":", 1)[1]
        healthy = await _run_python(code, HTTP_LISTEN=f"0.0.0.0:{port}")
    down = await _run_python(code, HTTP_LISTEN=f"0.0.0.0:{closed_port()}")
    assert healthy.returncode == 0, healthy.stderr
    assert down.returncode != 0


async def _run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.environ.get("PATH", ""), **env}
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", code], env=environment, capture_output=True,
        text=True, timeout=30, check=False,
    )  # fmt: skip


async def test_metrics_count_a_fetch_and_its_llm_usage(
    sqlite_db: Database, fake_openai: FakeOpenAI
) -> None:
    with FakeArxiv() as arxiv:
        settings = make_settings(
            database_url=sqlite_db.url, openai_api_key="sk-test",
            openai_base_url=fake_openai.base_url, llm_model="fake-model",
            **arxiv.settings_overrides(),
        )  # fmt: skip
        async with served(settings, sqlite_db) as base:
            before = await scrape(base)
            result = await run_job("fetch", JobContext(settings, sqlite_db), trigger="cli")
            after = await scrape(base)
    assert result.status == "ok", result.summary
    fetched = moved(before, after, "digestbot_fetched_papers_total", result="new")
    assert fetched >= 1 and f"fetched {int(fetched)} papers" in result.summary
    assert moved(before, after, "digestbot_fetch_runs_total", mode="rss", status="ok") == 1
    tokens_in = moved(before, after, "digestbot_llm_tokens_total", direction="input")
    assert tokens_in > 0 and moved(before, after, "digestbot_llm_cost_usd_total") > 0
    assert moved(before, after, "digestbot_job_runs_total", job="fetch", outcome="ok") == 1
