"""Several instances of one Official Account on one PostgreSQL: one access token for all of them
(WeChat invalidates the old one when a new one is fetched), and each message answered once even
when its retries reach different instances.

Two `Database` handles on one schema stand for two instances; the token endpoint is the fake
WeChat API, which counts the tokens it issued.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.commands.context import Deps
from bot.wechat.api import WeChatApi
from bot.wechat.server import WeChatServer
from bot.wechat.xml import parse_incoming
from core.services.shared_tokens import DatabaseTokens
from storage.db import Database
from tests.conftest import make_settings
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatApi
from tests.wechat_inputs import MESSAGE, body

OPENID = "o-inside-window"


@pytest.fixture
def fake() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi() as server:
        server.state.window.add(OPENID)
        yield server


@pytest.fixture
async def apis(
    fake: FakeWeChatApi, postgres_db: Database, other: Database
) -> AsyncIterator[list[WeChatApi]]:
    settings = make_settings(
        wechat_app_id=APP_ID, wechat_app_secret=APP_SECRET, wechat_api_base_url=fake.base_url
    )
    async with httpx.AsyncClient() as http:
        yield [
            WeChatApi(settings.wechat, http, tokens=DatabaseTokens(db))
            for db in (postgres_db, other, postgres_db)  # two instances, one with two clients
        ]


async def test_every_instance_uses_the_one_token_fetched_once(
    fake: FakeWeChatApi, apis: list[WeChatApi]
) -> None:
    sends = [apis[n % 3].send_text(OPENID, f"m{n}") for n in range(12)]
    assert await asyncio.gather(*sends) == [1] * 12
    assert fake.state.tokens_issued == 1
    assert sorted(fake.messages_to(OPENID)) == sorted(f"m{n}" for n in range(12))


async def test_a_refused_token_is_replaced_once_for_everyone(
    fake: FakeWeChatApi, apis: list[WeChatApi]
) -> None:
    await asyncio.gather(*(api.send_text(OPENID, "before") for api in apis))
    fake.revoke_tokens()  # 40001 for the token every instance holds
    await asyncio.gather(*(api.send_text(OPENID, "after") for api in apis))
    assert fake.state.tokens_issued == 2
    assert fake.messages_to(OPENID).count("after") == 3


async def test_without_the_shared_store_each_client_fetches_its_own(
    fake: FakeWeChatApi,
) -> None:
    """What the store prevents: each new token invalidates the others' (on the real API)."""
    settings = make_settings(
        wechat_app_id=APP_ID, wechat_app_secret=APP_SECRET, wechat_api_base_url=fake.base_url
    )
    async with httpx.AsyncClient() as http:
        for _ in range(2):
            await WeChatApi(settings.wechat, http).send_text(OPENID, "hi")
    assert fake.state.tokens_issued == 2


async def _never(openid: str, text: str) -> None:
    raise AssertionError("nothing is answered late here")


async def test_a_message_retried_on_another_instance_runs_once(
    postgres_db: Database, other: Database
) -> None:
    settings = make_settings(database_url=postgres_db.url, wechat_token="tok")
    servers = [
        WeChatServer(Deps(settings=settings, db=db), send_later=_never)
        for db in (postgres_db, other)
    ]
    message = parse_incoming(body({**MESSAGE, "Content": "help"}))
    first = await servers[0].reply_to(message)
    retry_elsewhere = await servers[1].reply_to(message)
    retry_here = await servers[0].reply_to(message)
    assert first and retry_here == first  # the first instance answers its retries the same
    assert retry_elsewhere == ""  # the other instance leaves it to the first
    fresh = parse_incoming(body({**MESSAGE, "Content": "help", "MsgId": "77"}))
    assert await servers[1].reply_to(fresh)  # a new message is answered wherever it lands
