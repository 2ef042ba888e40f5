"""Every command and button has a per-user budget; over it, one "slow down", then silence.

Run through `run_command` / `run_action` (what every front end calls) on a real database, with
a clock that stands still so no token refills mid-test.
"""

from __future__ import annotations

import pytest

from bot.commands.budget import ACTION_BUDGETS, COMMAND_BUDGETS, UNKNOWN_COMMAND, Budgets
from bot.commands.context import Deps
from bot.commands.dispatch import run_action, run_command
from bot.commands.registry import ACTIONS, COMMANDS
from bot.commands.reply import Caller, Reply
from bot.i18n import t
from storage.db import Database
from tests.conftest import make_settings

SLOW_DOWN_EN = t("en", "slow_down", seconds=0).split(" 0 ")[0]  # up to the number


def _deps(db: Database, now: list[float]) -> Deps:
    settings = make_settings(database_url=db.url)
    return Deps(settings=settings, db=db, budgets=Budgets(clock=lambda: now[0]))


def _caller(user: str, platform: str = "telegram", language: str = "en") -> Caller:
    return Caller(platform=platform, chat_id=user, user_id=user, language_code=language)


def _is_slow_down(replies: list[Reply]) -> bool:
    return len(replies) == 1 and replies[0].html.startswith(SLOW_DOWN_EN)


def test_the_table_covers_every_command_and_button() -> None:
    assert set(COMMAND_BUDGETS) == set(COMMANDS)
    assert set(ACTION_BUDGETS) == set(ACTIONS)


@pytest.mark.parametrize("name", sorted(COMMAND_BUDGETS))
async def test_each_command_refuses_once_past_its_burst_then_drops(
    sqlite_db: Database, name: str
) -> None:
    now = [1000.0]
    deps, alice = _deps(sqlite_db, now), _caller("42")
    burst = COMMAND_BUDGETS[name].burst
    answered = [await run_command(deps, alice, name, "") for _ in range(burst)]
    assert not any(_is_slow_down(r) for r in answered) and all(answered)

    refused = await run_command(deps, alice, name, "")
    assert _is_slow_down(refused)
    assert [await run_command(deps, alice, name, "") for _ in range(5)] == [[]] * 5  # silence

    # Separate budgets: another user, the same id on another platform, another command.
    assert not _is_slow_down(await run_command(deps, _caller("43"), name, ""))
    assert not _is_slow_down(await run_command(deps, _caller("42", "wechat"), name, ""))
    other = "help" if name != "help" else "mysubs"
    assert not _is_slow_down(await run_command(deps, alice, other, ""))

    now[0] += 3600  # the budget refills; refused again later, it says so again
    assert not _is_slow_down(await run_command(deps, alice, name, ""))


@pytest.mark.parametrize("action", sorted(ACTION_BUDGETS))
async def test_each_button_refuses_once_past_its_burst_then_drops(
    sqlite_db: Database, action: str
) -> None:
    deps, alice = _deps(sqlite_db, [1000.0]), _caller("42")
    burst = ACTION_BUDGETS[action].burst
    answered = [await run_action(deps, alice, action, ()) for _ in range(burst)]
    assert not any(_is_slow_down(r) for r in answered)
    assert _is_slow_down(await run_action(deps, alice, action, ()))
    assert await run_action(deps, alice, action, ()) == []
    assert not _is_slow_down(await run_action(deps, _caller("42", "console"), action, ()))


async def test_unknown_commands_share_one_budget_and_the_answer_is_in_the_users_language(
    sqlite_db: Database,
) -> None:
    deps, li = _deps(sqlite_db, [1000.0]), _caller("7", language="zh-hans")
    names = [f"nosuch{n}" for n in range(UNKNOWN_COMMAND.burst + 2)]
    answers = [await run_command(deps, li, name, "") for name in names]
    assert all("没有这个命令" in a[0].html for a in answers[:-2])
    assert answers[-2][0].html.startswith("太快了") and answers[-1] == []


async def test_plain_text_searches_spend_the_search_budget(sqlite_db: Database) -> None:
    deps, ann = _deps(sqlite_db, [1000.0]), _caller("8")
    for _ in range(COMMAND_BUDGETS["search"].burst):
        assert not _is_slow_down(await run_command(deps, ann, "search", "diffusion"))
    assert _is_slow_down(await run_command(deps, ann, "search", "anything"))
