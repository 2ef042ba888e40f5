"""Our WeChat callback on the real HTTP server (Starlette on uvicorn, a free port) with demo
data, and the fake WeChat in front."""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bot.commands.context import Deps, PaperFetcher
from bot.server.app import build_app
from bot.server.serve import serving
from bot.wechat.server import PATH, WeChatServer
from jobs.demo import run_demo
from storage.db import Database
from tests.conftest import make_settings
from tests.fakes.wechat_client import FakeWeChat

TOKEN = "wx-callback-token"
APP_ID = "wx0123456789abcdef"


def new_aes_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@dataclass
class Outbox:
    """Records what the server hands to the customer-service API (`send_later`)."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_later(self, openid: str, text: str) -> None:
        self.sent.append((openid, text))
        self.arrived.set()


@dataclass
class Harness:
    server: WeChatServer
    wechat: FakeWeChat
    outbox: Outbox
    db: Database


@asynccontextmanager
async def serve(
    db: Database,
    *,
    aes_key: str | None = None,
    fetch_paper: PaperFetcher | None = None,
    answer_within: float = 4.5,
    **settings: object,
) -> AsyncIterator[Harness]:
    app_id = str(settings.pop("wechat_app_id", APP_ID))
    config = make_settings(
        database_url=db.url, wechat_token=TOKEN, wechat_aes_key=aes_key, wechat_app_id=app_id,
        **settings,
    )  # fmt: skip
    await run_demo(config, db)
    outbox = Outbox()
    deps = Deps(settings=config, db=db, fetch_paper=fetch_paper)
    server = WeChatServer(deps, send_later=outbox.send_later, answer_within=answer_within)
    try:
        async with listening(server) as port:
            wechat = FakeWeChat(f"http://127.0.0.1:{port}{PATH}", TOKEN, aes_key, app_id)
            yield Harness(server, wechat, outbox, db)
    finally:
        await server.close()


@asynccontextmanager
async def listening(server: WeChatServer) -> AsyncIterator[int]:
    """`server`'s routes on the HTTP server `digestbot run` uses, at a free loopback port."""
    async with serving(build_app(server.routes()), "127.0.0.1:0") as port:
        yield port
