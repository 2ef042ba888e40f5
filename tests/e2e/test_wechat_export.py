"""`digestbot export N --format wechat`: the 公众号 article on stdout or into a file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cli.main import main
from core.config import get_settings
from tests.fakes.wechat_api import check_article_html


async def test_export_writes_the_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    # The demo writes to its own database; export from that one.
    monkeypatch.setenv("DEMO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        assert await asyncio.to_thread(main, ["demo"]) == 0
        capsys.readouterr()
        assert await asyncio.to_thread(main, ["export", "1", "--format", "wechat"]) == 0
        html = capsys.readouterr().out
        out = tmp_path / "issue1.html"
        assert await asyncio.to_thread(main, ["export", "1", "--out", str(out)]) == 0
        assert str(out) in capsys.readouterr().out
        assert await asyncio.to_thread(main, ["export", "99"]) == 1
        assert "99" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
    assert html.startswith("<section style=") and "ML Papers第1期</h1>" in html
    assert check_article_html(html) == []
    assert "https://arxiv.org/abs/2402.01399</a>" in html
    assert out.read_text(encoding="utf-8") == html
