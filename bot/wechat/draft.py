"""An approved issue becomes an article in the Official Account's draft box (`draft/add`).

Editors add a cover and press publish in the WeChat console; the article is WeChat-platform
work (rendered with `bot.render`, sent through `bot.wechat.api`), which the composition root
hands to approvals (chat `/approve`, `digestbot approve`). It only acts when WECHAT_APP_ID and
WECHAT_APP_SECRET are set, and returns a line for the admins instead of raising: a WeChat
failure never breaks an approval.

Each paper's key figure is shown in the article with its caption: WeChat shows only images
uploaded through its `media/uploadimg`, so each figure is uploaded (fitted to JPEG/PNG ≤ 1 MB
by `bot.wechat.images`) and the URL WeChat returns is kept per account (`FigureUploads`):
a re-run, or the next issue with the same paper, uploads nothing. A figure WeChat will not
take is left out with a logged reason; the article still goes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bot.render import render_article
from bot.render.context import one_line
from bot.web.links import public_issue_url
from bot.wechat.api import ApiError, Unavailable, WeChatApi, wechat_http
from bot.wechat.images import MAX_BYTES, fit_image
from core.config import Settings
from core.services.figure_uploads import FigureUploads
from core.services.issues import get_issue
from core.services.shared_tokens import DatabaseTokens
from domain.errors import DigestError
from domain.fulltext import FigureView
from domain.types import IssueView
from storage.db import Database

log = logging.getLogger(__name__)

MAX_ARTICLE_CHARS = 19_500  # WeChat refuses content of 20,000 characters or more
AUTHOR = "ML Papers"


@asynccontextmanager
async def _client(
    settings: Settings, http: httpx.AsyncClient | None
) -> AsyncIterator[httpx.AsyncClient]:
    if http is not None:
        yield http
        return
    async with wechat_http(settings.wechat) as own:
        yield own


async def create_draft(
    settings: Settings, db: Database, *, number: int, http: httpx.AsyncClient | None = None
) -> str | None:
    """Issue `number` as a draft article; the admins' line (None when WeChat is not set up)."""
    if not settings.wechat.api_enabled:
        return None
    try:
        async with _client(settings, http) as client:
            api = WeChatApi(settings.wechat, client, tokens=DatabaseTokens(db))
            media_id = await _add_draft(settings, db, api, number)
    except (ApiError, DigestError) as error:
        log.warning("WeChat draft of issue %s failed: %s", number, error)
        return f"公众号草稿失败 / WeChat draft failed (第{number}期): {error}"
    return f"公众号草稿已创建 / WeChat draft created (第{number}期): media_id {media_id}"


async def _add_draft(settings: Settings, db: Database, api: WeChatApi, number: int) -> str:
    issue = await get_issue(db, number=number, language=settings.digest_language)
    figures = await _figure_urls(FigureUploads(db, f"wechat:{api.app_id}"), api, issue)
    html = render_article(issue, figure_urls=figures)
    if len(html) > MAX_ARTICLE_CHARS:  # keep each paper's TL;DR, drop the long analysis
        html = render_article(issue, compact=True, figure_urls=figures)
    if len(html) > MAX_ARTICLE_CHARS:
        raise DigestError(f"the article is {len(html)} characters; WeChat takes under 20,000")
    items = issue.included_items
    digest = one_line(items[0].tldr) if items else ""
    base = settings.public_base_url
    source = public_issue_url(base, number, settings.digest_language) if base else ""
    return await api.add_draft(one_line(issue.title), html, digest, AUTHOR, source)


async def _figure_urls(uploads: FigureUploads, api: WeChatApi, issue: IssueView) -> dict[int, str]:
    """paper id → the uploadimg URL of its key figure, for the papers whose figure WeChat has."""
    urls: dict[int, str] = {}
    for item in issue.included_items:
        figure = item.paper.figure
        if figure is None:
            continue
        url = await uploads.remote(figure) or await _upload(uploads, api, figure)
        if url:
            urls[item.paper.id] = url
    return urls


async def _upload(uploads: FigureUploads, api: WeChatApi, figure: FigureView) -> str | None:
    image = await uploads.image(figure.paper_id)
    if image is None:
        return None
    stored, data = image
    fitted = fit_image(data, stored.mime_type)
    if fitted is None:
        log.warning(
            "key figure of paper %s left out of the 公众号 article: %s (%s bytes) does not fit "
            "WeChat's JPEG/PNG of %s bytes even downscaled",
            stored.paper_id, stored.mime_type, stored.size, MAX_BYTES,
        )  # fmt: skip
        return None
    try:
        url = await api.upload_image(fitted.data, fitted.filename, fitted.mime_type)
    except Unavailable:
        raise  # WeChat is down: the draft fails and is made again later
    except ApiError as error:  # this image refused: the article goes without it
        log.warning(
            "key figure of paper %s left out of the 公众号 article: %s", stored.paper_id, error
        )
        return None
    await uploads.remember(stored, url)
    return url
