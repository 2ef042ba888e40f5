"""Real clients through a real (local) forward proxy: PTB, openai, arxiv/requests, httpx.

Each service's client is built the way the code builds it (`bot.telegram.request`,
`jobs.summarize.llm`, `jobs.fetch`, `bot.wechat.api`, the `digestbot check` probes) against the
local fakes, with PROXY / TELEGRAM_PROXY pointing at `tests/fakes/proxy_server.py`; the proxy's
log proves the traffic went through it. A dead proxy in the shell's environment must not break
the loopback fakes (`core.proxy`: the environment's proxies never apply to loopback hosts).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import arxiv
import pytest
from telegram import Bot

from bot.telegram.request import UPDATES_POOL, telegram_request
from bot.wechat.api import WeChatApi, wechat_http
from cli.check import check_arxiv, check_proxy
from cli.check_services import llm_check, telegram_checks
from core.config import Settings
from jobs.fetch.api import ArxivClient
from jobs.fetch.rss import download_feed
from jobs.summarize.llm import LLMSummarizer
from tests.conftest import make_settings
from tests.fakes.arxiv_feeds import make_papers
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.proxy_server import FakeProxy
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatApi

DEAD = "http://127.0.0.1:9"  # nothing listens there: any request through it fails


def _port(url: str) -> int:
    return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def _telegram(fake: FakeTelegram, **overrides: object) -> Settings:
    return make_settings(telegram_bot_token=fake.token, telegram_api_base_url=fake.url, **overrides)


async def _get_me_and_updates(settings: Settings) -> str | None:
    base = settings.telegram_api_base_url
    bot = Bot(
        settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else "",
        base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
        request=telegram_request(settings.telegram),
        get_updates_request=telegram_request(settings.telegram, pool_size=UPDATES_POOL),
    )  # fmt: skip
    async with bot:
        await bot.get_updates(timeout=0)
        return bot.username


async def test_telegram_goes_through_telegram_proxy_not_proxy(fake_telegram: FakeTelegram) -> None:
    with FakeProxy(username="alice", password="s3cret-pw") as tg, FakeProxy() as general:
        settings = _telegram(fake_telegram, telegram_proxy=tg.url, proxy=general.url)
        assert await _get_me_and_updates(settings) == fake_telegram.bot_username
        (checked, _channel) = await telegram_checks(settings)  # `digestbot check`'s getMe
    port = _port(fake_telegram.url)
    paths = [seen.path.rsplit("/", 1)[-1] for seen in tg.seen]
    assert {"getMe", "getUpdates"} <= set(paths) and tg.hits(port) == len(tg.seen)
    assert tg.refused == 0 and general.seen == []
    assert checked.status == "ok"
    assert len(fake_telegram.calls("getUpdates")) == 1


async def test_llm_goes_through_proxy(fake_openai: FakeOpenAI) -> None:
    with FakeProxy() as proxy:
        settings = make_settings(
            openai_base_url=fake_openai.base_url, openai_api_key="sk-test-key-1", proxy=proxy.url
        )
        summarizer = LLMSummarizer(settings.llm)
        try:
            model = await summarizer.client.models.retrieve("gpt-4o-mini")
        finally:
            await summarizer.close()
        checked = await llm_check(settings)
    assert model.id == "gpt-4o-mini" and checked.status == "ok", checked.line
    methods = [(seen.method, seen.path) for seen in proxy.seen]
    assert ("GET", "/v1/models/gpt-4o-mini") in methods
    assert ("POST", "/v1/chat/completions") in methods
    assert proxy.hits(_port(fake_openai.base_url)) == len(proxy.seen)


async def test_arxiv_rss_and_api_go_through_proxy(fake_arxiv: FakeArxiv) -> None:
    paper = make_papers(1, start=datetime(2026, 11, 20, tzinfo=UTC))[0]
    fake_arxiv.add_papers(paper)
    fake_arxiv.serve_rss_fixture()
    with FakeProxy() as proxy:
        settings = make_settings(**fake_arxiv.settings_overrides(), proxy=proxy.url)
        feed = await download_feed(settings.arxiv)
        client = ArxivClient(settings.arxiv)
        found = list(client.results(arxiv.Search(id_list=[paper.arxiv_id])))
        (checked,) = await check_arxiv(settings)
    assert b"<" in feed and [r.get_short_id().split("v")[0] for r in found] == [paper.arxiv_id]
    assert checked.status == "ok"
    paths = [seen.path.split("?")[0] for seen in proxy.seen]
    assert paths.count("/api/query") == 2 and any(p.startswith("/rss") for p in paths)
    assert len(fake_arxiv.api_requests) == 2 and len(fake_arxiv.rss_requests) == 1


async def test_the_fake_proxy_tunnels_connect(fake_openai: FakeOpenAI) -> None:
    """HTTPS clients use CONNECT: the fake opens a raw tunnel to the target (here plain HTTP)."""
    port = _port(fake_openai.base_url)
    with FakeProxy() as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(
            f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        )
        established = await reader.readuntil(b"\r\n\r\n")
        writer.write(b"GET /v1/models/m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = await reader.read()
        writer.close()
        await writer.wait_closed()
    assert established.startswith(b"HTTP/1.1 200") and b'"id": "m"' in answer.replace(
        b'":"', b'": "'
    )
    assert [(seen.method, seen.port) for seen in proxy.seen] == [("CONNECT", port)]


async def test_wechat_api_goes_through_proxy() -> None:
    with FakeWeChatApi() as wechat, FakeProxy() as proxy:
        settings = make_settings(
            wechat_app_id=APP_ID, wechat_app_secret=APP_SECRET,
            wechat_api_base_url=wechat.base_url, proxy=proxy.url,
        )  # fmt: skip
        async with wechat_http(settings.wechat, timeout=5) as http:
            token = await WeChatApi(settings.wechat, http).access_token()
    assert token and [seen.path.split("?")[0] for seen in proxy.seen] == ["/cgi-bin/token"]


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "HTTPS_PROXY"])
async def test_a_proxy_in_the_environment_leaves_loopback_direct(
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    fake_telegram: FakeTelegram,
    fake_openai: FakeOpenAI,
    fake_arxiv: FakeArxiv,
) -> None:
    monkeypatch.setenv(variable, DEAD)
    paper = make_papers(1, start=datetime(2026, 11, 20, tzinfo=UTC))[0]
    fake_arxiv.add_papers(paper)
    fake_arxiv.serve_rss_fixture()
    settings = make_settings(
        **fake_arxiv.settings_overrides(), openai_base_url=fake_openai.base_url,
        openai_api_key="sk-test-key-1", telegram_bot_token=fake_telegram.token,
        telegram_api_base_url=fake_telegram.url,
    )  # fmt: skip
    assert await _get_me_and_updates(settings) == fake_telegram.bot_username
    assert (await llm_check(settings)).status == "ok"
    assert await download_feed(settings.arxiv)
    assert list(ArxivClient(settings.arxiv).results(arxiv.Search(id_list=[paper.arxiv_id])))
    routes = await check_proxy(settings)  # the default WeChat host may use the environment
    assert all("Telegram direct; arXiv direct; LLM direct; WeChat/WeCom " in r.line for r in routes)


async def test_check_shows_each_route_without_credentials() -> None:
    settings = make_settings(
        proxy="http://bob:hunter2-pw@10.0.0.6:3128", telegram_proxy="socks5://10.0.0.5:1080"
    )
    (route,) = await check_proxy(settings)
    assert route.line == (
        "✓ proxy: Telegram socks5://10.0.0.5:1080 (TELEGRAM_PROXY); "
        "arXiv http://***@10.0.0.6:3128 (PROXY); LLM http://***@10.0.0.6:3128 (PROXY); "
        "WeChat/WeCom http://***@10.0.0.6:3128 (PROXY)"
    )
