"""The admin check is declared once, in the command table, and performed once, by dispatch:
every command and button flagged admin is refused to non-admins on every platform before its
handler runs, and an admin's handler gets their identity on the context."""

from __future__ import annotations

from dataclasses import replace
from html import escape

import pytest

from bot.commands import registry
from bot.commands.context import Context, Deps
from bot.commands.dispatch import run_action, run_command
from bot.commands.reply import Caller, Reply, replies
from domain.errors import NotAllowed
from domain.identity import CONSOLE_OPERATOR, Identity
from storage.db import Database
from tests.conftest import make_settings

TELEGRAM_ADMIN, WECHAT_ADMIN = "4242", "o-editor"
REFUSED = {
    escape("Sorry, only the digest's editors can do that."),
    "抱歉，只有本速递的编辑可以这样做。",
}
ADMINS = [
    Caller(platform="telegram", chat_id="1", user_id=TELEGRAM_ADMIN),
    Caller(platform="wechat", chat_id=WECHAT_ADMIN, user_id=WECHAT_ADMIN),
    Caller(platform="console", chat_id="console", user_id=CONSOLE_OPERATOR),
]
NOT_ADMINS = [
    Caller(platform="telegram", chat_id="1", user_id="4343"),
    Caller(platform="telegram", chat_id="-100", user_id=None, chat_type="supergroup"),  # a channel
    Caller(platform="wechat", chat_id="o-reader", user_id="o-reader"),
    Caller(platform="wechat", chat_id=TELEGRAM_ADMIN, user_id=TELEGRAM_ADMIN),
    Caller(platform="console", chat_id="console", user_id="someone"),
]
ADMIN_NAMES = [spec.name for spec in registry.ADMIN_COMMANDS]
ADMIN_ACTIONS = [spec.name for spec in registry.ACTION_TABLE if spec.admin]


class Spy:
    """Stands in for every handler: records the context it was called with."""

    def __init__(self) -> None:
        self.seen: list[Context] = []

    async def command(self, ctx: Context, argument: str) -> list[Reply]:
        self.seen.append(ctx)
        return replies("ran")

    async def action(self, ctx: Context, args: tuple[str, ...]) -> list[Reply]:
        self.seen.append(ctx)
        return replies("ran")


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    spy = Spy()
    commands = {n: replace(s, handler=spy.command) for n, s in registry.BY_NAME.items()}
    actions = {n: replace(s, handler=spy.action) for n, s in registry.ACTIONS_BY_NAME.items()}
    monkeypatch.setattr("bot.commands.dispatch.BY_NAME", commands)
    monkeypatch.setattr("bot.commands.dispatch.ACTIONS_BY_NAME", actions)
    return spy


def _deps(db: Database) -> Deps:
    settings = make_settings(
        database_url=db.url, admin_ids=(int(TELEGRAM_ADMIN),), wechat_admin_openids=(WECHAT_ADMIN,)
    )
    return Deps(settings=settings, db=db)


@pytest.mark.parametrize("caller", NOT_ADMINS, ids=lambda c: f"{c.platform}:{c.user_id}")
async def test_every_admin_command_and_button_is_refused_to_non_admins(
    sqlite_db: Database, spy: Spy, caller: Caller
) -> None:
    deps = _deps(sqlite_db)
    for name in ADMIN_NAMES:
        (reply,) = await run_command(deps, caller, name, "12")
        assert reply.html in REFUSED, name
    for action in ADMIN_ACTIONS:
        (reply,) = await run_action(deps, caller, action, ("1",))
        assert reply.html in REFUSED, action
    assert spy.seen == []  # refused before any handler ran


@pytest.mark.parametrize("caller", ADMINS, ids=lambda c: c.platform)
async def test_admins_reach_the_handler_with_their_identity(
    sqlite_db: Database, spy: Spy, caller: Caller
) -> None:
    deps = _deps(sqlite_db)
    for name in ADMIN_NAMES:
        assert [r.html for r in await run_command(deps, caller, name, "")] == ["ran"]
    for action in ADMIN_ACTIONS:
        assert [r.html for r in await run_action(deps, caller, action, ())] == ["ran"]
    assert caller.user_id is not None
    identity = Identity(caller.platform, caller.user_id)
    assert [ctx.admin for ctx in spy.seen] == [identity] * (len(ADMIN_NAMES) + len(ADMIN_ACTIONS))


async def test_public_commands_get_no_admin_identity(sqlite_db: Database, spy: Spy) -> None:
    deps = _deps(sqlite_db)
    for spec in registry.PUBLIC_COMMANDS:
        await run_command(deps, ADMINS[0], spec.name, "")
    assert [ctx.admin_identity for ctx in spy.seen] == [None] * len(registry.PUBLIC_COMMANDS)


async def test_a_handler_reached_without_the_flag_still_refuses(sqlite_db: Database) -> None:
    """`ctx.admin` never hands out a non-admin's identity, even when dispatch did not check."""
    deps = _deps(sqlite_db)
    reader = Context(caller=NOT_ADMINS[0], language="en", deps=deps)
    with pytest.raises(NotAllowed):
        _ = reader.admin
    editor = Context(caller=ADMINS[0], language="en", deps=deps)
    assert editor.admin == Identity("telegram", TELEGRAM_ADMIN)
    with pytest.raises(NotAllowed):
        await registry.BY_NAME["approve"].handler(reader, "1")
