"""`LOG_FORMAT=json` through the real `digestbot` entry point: with every secret set and DEBUG
logging (tests/e2e/test_no_secrets' world of fakes), every line on stderr is one JSON object
with time, level, logger and message — what a log shipper needs — and no secret is anywhere in
the output. `LOG_FORMAT=xml` is one line naming the key, like every other bad setting."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from domain.types import IssueStatus
from tests.e2e.cli_process import Ran, base_env, digestbot
from tests.e2e.publish_helpers import make_issue
from tests.e2e.test_no_secrets import LLM_KEY, World
from tests.factories import make_paper, store_paper

FIELDS = {"time", "level", "logger", "message"}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    world = World(tmp_path)
    with world.telegram, world.openai, world.wechat, world.wecom:
        yield world


def json_lines(ran: Ran) -> list[dict[str, str]]:
    """Every stderr line as JSON (json.loads raises on any other line)."""
    entries = [json.loads(line) for line in ran.err_lines]
    assert entries, "no log lines"
    for entry in entries:
        assert FIELDS <= set(entry) <= FIELDS | {"exception", "stack"}, entry
        assert datetime.fromisoformat(entry["time"]).utcoffset() == timedelta(0)
    return entries


async def test_publish_logs_are_json_lines_without_secrets(world: World) -> None:
    db = await world.database()
    await make_issue(db, status=IssueStatus.APPROVED)
    await db.dispose()
    ran = await world.run("publish", "1", LOG_FORMAT="json")  # asserts nothing leaked
    assert ran.code == 0, ran.output[-2000:]
    entries = json_lines(ran)
    assert {"DEBUG", "INFO"} <= {entry["level"] for entry in entries}
    assert any(entry["logger"].startswith("httpx") for entry in entries)  # token-bearing URLs


async def test_llm_failures_log_json_without_the_key(world: World) -> None:
    db = await world.database()
    async with db.session() as session:
        await store_paper(session, make_paper())
    await db.dispose()
    world.openai.api_key = "sk-proj-the-server-wants-another-key"
    ran = await world.run("summarize", OPENAI_API_KEY=LLM_KEY, LOG_FORMAT="json")
    assert ran.code == 0 and "1 extractive" in ran.stdout, ran.output[-2000:]
    entries = json_lines(ran)
    assert any("1 errors" in entry["message"] for entry in entries), ran.stderr[-2000:]


def test_text_is_the_default(tmp_path: Path) -> None:
    ran = digestbot("issues", env=base_env(tmp_path, LOG_LEVEL="DEBUG"), cwd=tmp_path)
    assert ran.code == 0 and ran.err_lines, ran.output
    assert not any(line.startswith("{") for line in ran.err_lines)


def test_a_bad_log_format_is_one_line(tmp_path: Path) -> None:
    ran = digestbot("issues", env=base_env(tmp_path, LOG_FORMAT="xml"), cwd=tmp_path)
    assert ran.code == 2 and ran.stdout == ""
    assert ran.err_lines == [
        "LOG_FORMAT='xml': expected text (one line per record) or json (one JSON object per line)"
    ]
