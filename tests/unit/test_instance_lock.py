"""The SQLite run lock: which URLs take one, and a second holder refused (same process:
flock locks belong to open file descriptions, so two opens conflict like two processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.instance_lock import AnotherInstance, lock_path, single_run


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:///data/digestbot.db", Path("data/digestbot.db.run.lock")),
        ("sqlite:////srv/bot/db.sqlite", Path("/srv/bot/db.sqlite.run.lock")),
        ("sqlite+aiosqlite://", None),
        ("sqlite+aiosqlite:///:memory:", None),
        ("sqlite+aiosqlite:///file:shared?mode=memory&cache=shared&uri=true", None),
        ("postgresql+psycopg://bot:pw@db/digestbot", None),
    ],
)
def test_lock_path(url: str, expected: Path | None) -> None:
    assert lock_path(url) == expected


def test_a_second_holder_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    refused = pytest.raises(AnotherInstance, match=r"already running on .*bot\.db \(pid \d+ on ")
    with single_run(url), refused, single_run(url):
        pass
    with single_run(url):  # released
        pass


def test_no_lock_for_memory_databases() -> None:
    with single_run("sqlite+aiosqlite:///:memory:"), single_run("sqlite+aiosqlite:///:memory:"):
        pass
