"""The `digestbot` command end to end: real arXiv/OpenAI clients against the local fakes,
a real SQLite file, output read as a user would read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.render import render_issue
from cli.commands import demo_url
from cli.main import build_parser, main
from core.config import get_settings
from core.services.issues import get_issue
from storage.db import Database
from storage.queries.fulltext import NewFigure, save_figure
from storage.queries.issues import next_issue_number
from storage.queries.papers import count_papers
from tests.conftest import make_settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_html import check_message


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, fake_arxiv: FakeArxiv, fake_openai: FakeOpenAI):
    for key, value in fake_arxiv.settings_overrides().items():
        monkeypatch.setenv(key.upper(), str(value))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-secret")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("LLM_MODEL", "fake-model")
    get_settings.cache_clear()
    yield fake_openai
    get_settings.cache_clear()


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    build_parser().print_help()
    out = capsys.readouterr().out
    for command in ("run", "demo", "db", "fetch", "summarize", "compose", "pipeline", "show"):
        assert command in out


async def test_pipeline_then_show_then_rerun(cli_env: FakeOpenAI, capsys) -> None:
    assert await _main(["pipeline"]) == 0
    out = capsys.readouterr().out
    assert "fetch: fetched" in out and "第1期" in out
    calls_after_first = cli_env.calls

    assert await _main(["show", "1", "--format", "telegram"]) == 0
    shown = capsys.readouterr().out
    db = Database(get_settings().database_url)
    issue = await get_issue(db, number=1, language="zh")
    await db.dispose()
    messages = render_issue(issue, "telegram")
    assert all(check_message(message) is None for message in messages)
    assert issue.included_items and issue.included_items[0].display_title in shown.replace(
        "&#39;", "'"
    )

    assert await _main(["pipeline"]) == 0
    again = capsys.readouterr().out
    assert "No new papers since issue 1" in again
    assert cli_env.calls == calls_after_first  # everything cached: zero LLM calls


async def test_markdown_shows_the_key_figure_under_public_base_url(
    cli_env: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path
) -> None:
    """seed 000's format: `![](…/figures/ID.png?v=…)` and the caption, only with a public URL."""
    assert await _main(["pipeline"]) == 0
    capsys.readouterr()
    db = Database(get_settings().database_url)
    issue = await get_issue(db, number=1, language="zh")
    paper = issue.included_items[0].paper
    async with db.session() as session:
        caption, source = "The pipeline <b>end to end</b>.", "https://arxiv.org/html/x1.png"
        figure = NewFigure("Figure 1", caption, "image/png", 2, 1, source, b"\x89PNG bytes")
        await save_figure(session, paper_id=paper.id, paper_version=1, figure=figure)
    await db.dispose()
    assert await _main(["show", "1", "--format", "md"]) == 0
    assert "![](" not in capsys.readouterr().out  # no public URL: no image
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://digest.example/d/")
    get_settings.cache_clear()
    out = tmp_path / "issue.md"
    assert await _main(["export", "1", "--format", "md", "--out", str(out)]) == 0
    document = out.read_text(encoding="utf-8")
    image = f"![](https://digest.example/d/figures/{paper.meta.arxiv_id}.png?v="
    assert image in document
    assert "Figure 1: The pipeline \\<b>end to end\\</b>." in document


async def test_rank_index_then_refresh(cli_env: FakeOpenAI, capsys) -> None:
    """`digestbot rank index|refresh` run the ranking jobs: the fetch already indexed its
    papers, so there is nothing left; no reader has voted, so nothing to retrain."""
    assert await _main(["fetch"]) == 0
    assert "rank: " not in capsys.readouterr().out  # fetch prints its own report only
    assert await _main(["rank", "index"]) == 0
    assert capsys.readouterr().out.strip() == "rank: 0 new paper vectors"
    assert await _main(["rank", "refresh"]) == 0
    assert capsys.readouterr().out.strip() == "rank: 0 new paper vectors, 0 reader models retrained"
    with pytest.raises(SystemExit):
        await _main(["rank", "everything"])
    assert "invalid choice: 'everything'" in capsys.readouterr().err


async def test_unknown_issue_is_a_clear_error(cli_env: FakeOpenAI, capsys) -> None:
    assert await _main(["show", "99"]) == 1
    assert "99" in capsys.readouterr().err


async def test_demo_twice_prints_issue_one(capsys: pytest.CaptureFixture[str]) -> None:
    get_settings.cache_clear()
    assert await _main(["demo"]) == 0
    first = capsys.readouterr().out
    assert await _main(["demo"]) == 0
    second = capsys.readouterr().out
    for out in (first, second):
        assert "ML Papers第1期" in out
        assert "https://arxiv.org/abs/2402.01399" in out
    assert "第2期" not in second


async def test_demo_leaves_the_real_database_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = f"sqlite+aiosqlite:///{tmp_path / 'real.db'}"
    monkeypatch.setenv("DATABASE_URL", real)
    monkeypatch.delenv("DEMO_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        assert await _main(["demo"]) == 0
        assert "ML Papers第1期" in capsys.readouterr().out
        assert (tmp_path / "real-demo.db").exists()  # the demo's own file, beside the real one
        db = Database(real)
        await db.upgrade()
        async with db.session() as session:
            assert await next_issue_number(session) == 1  # the operator's first real issue
            assert await count_papers(session) == 0
        await db.dispose()
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("database_url", "demo_database_url", "expected"),
    [
        ("sqlite:///data/digestbot.db", None, "sqlite:///data/digestbot-demo.db"),
        (
            "sqlite+aiosqlite:////srv/bot/main.sqlite3",
            None,
            "sqlite+aiosqlite:////srv/bot/main-demo.sqlite3",
        ),
        ("postgresql+psycopg://bot:pw@db/digest", None, "sqlite+aiosqlite:///data/demo.db"),
        ("sqlite+aiosqlite:///:memory:", None, "sqlite+aiosqlite:///data/demo.db"),
        ("sqlite:///data/digestbot.db", "sqlite:///elsewhere.db", "sqlite:///elsewhere.db"),
    ],
)
def test_demo_database_defaults(
    database_url: str, demo_database_url: str | None, expected: str
) -> None:
    settings = make_settings(database_url=database_url, demo_database_url=demo_database_url)
    assert demo_url(settings) == expected
    assert demo_url(settings) != settings.database_url


async def _main(argv: list[str]) -> int:
    """`main` runs its own event loop, so run it in a worker thread from this async test."""
    import asyncio

    return await asyncio.to_thread(main, argv)
