"""Shared fixtures: isolated settings, a real SQLite file per test, and the real PostgreSQL.

PostgreSQL tests run against TEST_POSTGRES_URL (default: the local server, database `test`).
Each test gets its own schema so tests never see each other's rows. When the server is absent
the tests skip with the reason, unless REQUIRE_POSTGRES=1 (CI), where they fail instead.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import ssl
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest
from sqlalchemy import event

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


def _share_default_ssl_context(transports: ModuleType) -> None:
    """Build the default SSL context once per test process, not once per HTTP client.

    Every `httpx.AsyncClient()` (and openai's `httpx2` fork) loads a whole CA bundle into a new
    `SSLContext`: about 30 ms of CPU, and the tests' own clients, PTB's, openai's and the WeChat
    client's are created by the thousand. They all talk plain HTTP to local fakes; the shared
    context is the very one the library would build for the same settings, and one SSLContext
    may serve many connections. Other verify settings (False, a path, a context, client certs)
    still go through the library's own code each time. The CLI subprocesses are untouched.
    """
    original = transports.create_ssl_context
    shared: dict[tuple[bool, str | None, str | None], ssl.SSLContext] = {}

    def create_ssl_context(
        verify: object = True, cert: object = None, trust_env: bool = True
    ) -> ssl.SSLContext:
        if verify is not True or cert is not None:
            return original(verify=verify, cert=cert, trust_env=trust_env)  # type: ignore[no-any-return]
        key = (trust_env, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if key not in shared:
            shared[key] = original(verify=True, cert=None, trust_env=trust_env)
        return shared[key]

    transports.create_ssl_context = create_ssl_context


for _transports in ("httpx._transports.default", "httpx2._transports.default"):
    with contextlib.suppress(ImportError):  # httpx2 comes with openai's current versions
        _share_default_ssl_context(importlib.import_module(_transports))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads the developer's .env or real keys."""
    for key in list(os.environ):
        if key.startswith(("OPENAI_", "TELEGRAM_", "DATABASE_URL", "ARXIV_", "LLM_", "DIGEST_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    monkeypatch.chdir(tmp_path)
    # In-process bots check for another poller with one instant getUpdates, not a 3-second
    # long poll (`digestbot run` subprocesses keep the real window: tests/e2e/test_single_instance)
    monkeypatch.setattr("bot.telegram.polling.PROBE_SECONDS", 0.0)
    yield


def make_settings(**overrides: object) -> Settings:
    """Settings without `.env`; the HTTP server on a free loopback port unless a test says
    otherwise (tests run in parallel: a fixed port would be taken)."""
    overrides.setdefault("http_listen", "127.0.0.1:0")
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")


def _fresh_migrations(request: pytest.FixtureRequest) -> bool:
    """Tests about the migrations themselves run Alembic on an empty database every time."""
    return request.node.get_closest_marker("fresh_migrations") is not None


class _SqliteTemplate:
    """One SQLite file per test process migrated to head by Alembic; each test gets a copy.

    Running the migrations costs ~0.1 s of CPU per test; copying the migrated file costs well
    under a millisecond. Every test still has a file of its own (nothing is shared but the bytes
    it starts from).
    """

    def __init__(self) -> None:
        self.path: Path | None = None

    async def copy_to(self, target: Path, folder: Path) -> None:
        if self.path is None:
            path = folder / "migrated-template.db"
            db = Database(f"sqlite+aiosqlite:///{path}")
            try:
                await db.upgrade()
            finally:
                await db.dispose()
            leftovers = [p for p in path.parent.glob(path.name + "-*") if p.stat().st_size]
            assert not leftovers, f"the template kept a journal: {leftovers}"
            self.path = path
        shutil.copyfile(self.path, target)


_SQLITE_TEMPLATE = _SqliteTemplate()


@pytest.fixture
async def sqlite_db(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    path = tmp_path / "digestbot.db"
    if not _fresh_migrations(request):
        await _SQLITE_TEMPLATE.copy_to(path, tmp_path_factory.getbasetemp())
    db = Database(f"sqlite+aiosqlite:///{path}")
    if _fresh_migrations(request):
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


_READS = ("SELECT", "SHOW")


class _PostgresTemplate:
    """The SQL that Alembic runs to migrate an empty PostgreSQL schema to head, recorded once
    per test process from a real `Database.upgrade()` and replayed into each test's new schema.

    Alembic's upgrade costs ~0.7 s per schema (script loading, reflection, ~60 round trips);
    replaying the recorded DDL and version rows in one transaction costs a few milliseconds.
    Every name in it is unqualified, so it lands in the schema on the search_path. The catalog
    queries Alembic makes to decide what to do (SELECT/SHOW) are left out: on an empty schema
    they always answer the same. (Checked when this was written: the catalog of a replayed
    schema — columns, defaults, indexes, constraints, triggers, version row — equals that of a
    migrated one.) Tests marked `fresh_migrations` (the migration tests) run Alembic for real.
    """

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] | None = None
        self.script: bytes | None = None

    def create(self, schema: str, *, migrated: bool) -> bool:
        """Create the schema, migrated too if the SQL is recorded (then True): one round trip."""
        with psycopg.connect(_postgres_admin_dsn()) as conn:
            conn.execute("SET LOCAL synchronous_commit TO off")
            if not migrated or self.statements is None:
                conn.execute(f'CREATE SCHEMA "{schema}"')
                return False
            if self.script is None:  # the exact text the server got: parameters bound
                cursor = psycopg.ClientCursor(conn)
                texts = [cursor.mogrify(statement, p) for statement, p in self.statements]
                self.script = "".join(f"{text.strip().rstrip(';')};\n" for text in texts).encode()
            head = f'CREATE SCHEMA "{schema}"; SET LOCAL search_path TO "{schema}";\n'
            conn.execute(head.encode() + self.script)  # no parameters: one simple query
        return True

    async def record(self, db: Database) -> None:
        """Run Alembic on `db` (an empty schema), keeping the SQL that wrote something."""
        recorded: list[tuple[str, Any]] = []

        def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            if not statement.lstrip().upper().startswith(_READS):
                recorded.append((statement, parameters))

        event.listen(db.engine.sync_engine, "before_cursor_execute", record)
        try:
            await db.upgrade()
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        self.statements = recorded


_POSTGRES_TEMPLATE = _PostgresTemplate()
_postgres_reason: list[str | None] = []


@pytest.fixture
async def postgres_db(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    if not _postgres_reason or _postgres_reason[0] is not None:
        _postgres_reason[:] = [_postgres_available()]
    reason = _postgres_reason[0]
    if reason:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    migrated = _POSTGRES_TEMPLATE.create(schema, migrated=not _fresh_migrations(request))
    sep = "&" if "?" in POSTGRES_URL else "?"
    db = Database(f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}")
    try:
        if _fresh_migrations(request):
            await db.upgrade()
        elif not migrated:
            await _POSTGRES_TEMPLATE.record(db)
        yield db
    finally:
        await db.dispose()
        _DROPS.append(_DROPPER.submit(_drop_schema, schema))


@pytest.fixture
async def other(postgres_db: Database) -> AsyncIterator[Database]:
    """A second instance's handle on `postgres_db`'s schema (fleet tests: two processes' pools)."""
    second = Database(postgres_db.url)
    try:
        yield second
    finally:
        await second.dispose()


def _drop_schema(schema: str) -> None:
    with psycopg.connect(_postgres_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


# A finished test's schema (nothing connects to it any more: its engine is disposed) is dropped
# by a thread of this process while the next test runs; the session waits for every drop.
_DROPPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-test-schema")
_DROPS: list[Future[None]] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    for drop in _DROPS:
        drop.result()
    _DROPPER.shutdown()


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
