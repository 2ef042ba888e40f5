"""Shared fixtures: isolated settings, a real SQLite file per test, and the real PostgreSQL.

PostgreSQL tests run against TEST_POSTGRES_URL (default: the local server, database `test`).
Each test gets its own schema so tests never see each other's rows. When the server is absent
the tests skip with the reason, unless REQUIRE_POSTGRES=1 (CI), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest

from core.config import Settings
from storage.db import Database
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram

SHARED = Path(__file__).resolve().parents[2] / "shared"
FIXTURES = SHARED / "fixtures"
SEEDS = SHARED / "seeds"
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads the developer's .env or real keys."""
    for key in list(os.environ):
        if key.startswith(("OPENAI_", "TELEGRAM_", "DATABASE_URL", "ARXIV_", "LLM_", "DIGEST_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    monkeypatch.chdir(tmp_path)
    yield


def make_settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'digestbot.db'}")
    await db.upgrade()
    yield db
    await db.dispose()


def _postgres_admin_dsn() -> str:
    return POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(_postgres_admin_dsn(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}".strip()


@pytest.fixture
async def postgres_db() -> AsyncIterator[Database]:
    reason = _postgres_available()
    if reason:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_postgres_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in POSTGRES_URL else "?"
    db = Database(f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}")
    try:
        await db.upgrade()
        yield db
    finally:
        await db.dispose()
        with psycopg.connect(_postgres_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Database:
    """Runs the test once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    database: Database = request.getfixturevalue(fixture)
    return database


@pytest.fixture
def fake_arxiv() -> Iterator[FakeArxiv]:
    """A running fake arXiv (API + RSS) on 127.0.0.1; see `tests/fakes/arxiv_server.py`."""
    with FakeArxiv() as server:
        yield server


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A local OpenAI-compatible server (see tests/fakes/openai_server.py)."""
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A running fake Telegram Bot API on 127.0.0.1; see `tests/fakes/telegram_server.py`."""
    with FakeTelegram() as server:
        yield server
