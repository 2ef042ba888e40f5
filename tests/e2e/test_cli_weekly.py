"""`digestbot weekly`, `show w1` and `approve w1` end to end on a real SQLite file (the default
one under the test's working directory), output read as an operator would read it."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from cli.main import main
from core.config import get_settings
from storage.db import Database
from tests.integration.weekly_helpers import published_week


@pytest.fixture(autouse=True)
def _fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_weekly_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert await _main(["weekly"]) == 1  # nothing published this week: one line, exit 1
    assert "No daily issue was published from" in capsys.readouterr().err
    settings = get_settings()
    db = Database(settings.database_url)
    try:
        await published_week(db, [4, 5, 3], day=datetime.now(settings.tz).date())
    finally:
        await db.dispose()
    assert await _main(["weekly"]) == 0
    composed = capsys.readouterr().out
    assert await _main(["show", "w1", "--format", "text"]) == 0
    shown = capsys.readouterr().out
    assert await _main(["approve", "w1"]) == 0
    approved = capsys.readouterr().out
    assert await _main(["show", "w2"]) == 1
    missing = capsys.readouterr().err
    assert "composed 周报第1期 (3 papers, draft): 【极速前进】" in composed
    assert shown.startswith("【极速前进】") and "\n一、" in shown and "\n三、" in shown
    assert "approved 周报第1期 (3 papers); to publish: digestbot publish w1" in approved
    assert "Weekly 2 does not exist; the latest is /issue w1." in missing


async def _main(argv: list[str]) -> int:
    """`main` runs its own event loop, so run it in a worker thread from this async test."""
    return await asyncio.to_thread(main, argv)
