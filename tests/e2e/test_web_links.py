"""With PUBLIC_BASE_URL set, every platform links an issue to its page on the web archive —
Telegram's issue header (sent and /issue in chat), WeChat's reply and the 公众号 article's
阅读原文 — and each link is a page the web app serves (a proxy strips the base path)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from bot.commands import issues
from bot.commands.context import Deps
from bot.telegram.sender import TelegramSender
from bot.web.routes import web_routes
from bot.wechat.draft import create_draft
from bot.wechat.text import issue_overview
from bot.wecom.sender import WeComSender
from core.services.issues import get_issue
from domain.content import IssueMessage
from domain.types import IssueStatus
from storage.db import Database
from tests.conftest import make_settings
from tests.e2e.publish_helpers import make_issue
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatApi
from tests.unit.commands.conftest import context

BASE = "https://digest.example/sub/"
PAGE = {"zh": "https://digest.example/sub/issues/1", "en": "https://digest.example/sub/en/issues/1"}


@pytest.fixture
def fake() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi() as server:
        yield server


async def served(db: Database, url: str) -> int:
    """The status the web app answers for `url` behind a proxy that strips /sub."""
    settings = make_settings(database_url=db.url, public_base_url=BASE)
    app = Starlette(routes=web_routes(Deps(settings=settings, db=db)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        return (await c.get(url.removeprefix("https://digest.example/sub"))).status_code


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_telegram_issue_header_links_the_web_page(sqlite_db: Database, language: str) -> None:
    await make_issue(sqlite_db, status=IssueStatus.PUBLISHED)
    view = await get_issue(sqlite_db, number=1, language=language)
    first = TelegramSender(bot=None, public_base_url=BASE).render(view, language=language)[0]  # type: ignore[arg-type]
    label = "网页版" if language == "zh" else "Read on the web"
    assert f'🌐 <a href="{PAGE[language]}">{label}</a>' in first
    assert await served(sqlite_db, PAGE[language]) == 200
    plain = TelegramSender(bot=None).render(view, language=language)[0]  # type: ignore[arg-type]
    assert "🌐" not in plain and 'href="https://digest.example' not in plain


async def test_wecom_issue_header_links_the_web_page(sqlite_db: Database) -> None:
    await make_issue(sqlite_db, status=IssueStatus.PUBLISHED)
    view = await get_issue(sqlite_db, number=1, language="zh")
    async with httpx.AsyncClient() as http:
        first = WeComSender((), http, public_base_url=BASE).render(view, language="zh")[0]
        plain = WeComSender((), http).render(view, language="zh")[0]
    assert f"🌐 [网页版]({PAGE['zh']})" in first
    assert "🌐" not in plain


async def test_issue_command_links_published_issues_only(sqlite_db: Database) -> None:
    await make_issue(sqlite_db, number=1, status=IssueStatus.PUBLISHED)
    await make_issue(sqlite_db, number=2, status=IssueStatus.DRAFT)
    settings = make_settings(database_url=sqlite_db.url, public_base_url=BASE)
    ctx = await context(Deps(settings=settings, db=sqlite_db), "zh")
    (published, *_) = await issues.issue(ctx, "1")
    (draft, *_) = await issues.issue(ctx, "2")
    assert isinstance(published.content[0], IssueMessage)
    assert isinstance(draft.content[0], IssueMessage)
    assert published.content[0].web_url == PAGE["zh"]
    assert draft.content[0].web_url == ""  # a draft's page would be 404
    assert await served(sqlite_db, f"{BASE}issues/2") == 404


async def test_wechat_reply_links_the_web_page(sqlite_db: Database) -> None:
    await make_issue(sqlite_db, status=IssueStatus.PUBLISHED)
    for language in ("zh", "en"):
        view = await get_issue(sqlite_db, number=1, language=language)
        assert PAGE[language] in issue_overview(view, language, BASE)
        assert await served(sqlite_db, PAGE[language]) == 200


async def test_wechat_article_reads_the_original_on_the_web(
    fake: FakeWeChatApi, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    common = {
        "database_url": sqlite_db.url, "wechat_app_id": APP_ID, "wechat_app_secret": APP_SECRET,
        "wechat_api_base_url": fake.base_url, "wechat_thumb_media_id": "THUMB",
    }  # fmt: skip
    assert await create_draft(make_settings(**common, public_base_url=BASE), sqlite_db, number=1)
    assert await create_draft(make_settings(**common), sqlite_db, number=1)
    with_link, without = fake.state.drafts
    assert with_link["content_source_url"] == PAGE["zh"]
    assert without["content_source_url"] == ""
