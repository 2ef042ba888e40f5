"""The command table (`bot.commands.registry`) is complete and consistent, and /help, Telegram's
menu and WeChat's words are generated from it (nothing listed by hand elsewhere)."""

from __future__ import annotations

import re
from html import escape
from typing import Any, cast

import pytest

from bot.commands.budget import ACTION_BUDGETS, COMMAND_BUDGETS
from bot.commands.context import Context
from bot.commands.registry import (
    ACTION_TABLE,
    ADMIN_COMMANDS,
    BACKGROUND_COMMANDS,
    COMMAND_TABLE,
    COMMANDS,
    PUBLIC_COMMANDS,
    TYPING_COMMANDS,
    help_command,
)
from bot.commands.reply import Caller
from bot.i18n import LANGUAGES
from bot.telegram.app import menu_commands
from bot.wechat import commands as wechat

TELEGRAM_NAME = re.compile(r"[a-z0-9_]{1,32}")
ALIASES = [(word, spec.name) for spec in COMMAND_TABLE for word in spec.aliases]


def test_names_are_unique_and_telegram_shaped() -> None:
    names = [spec.name for spec in COMMAND_TABLE]
    assert len(names) == len(set(names)) == len(COMMANDS)
    assert all(TELEGRAM_NAME.fullmatch(name) for name in names)
    actions = [spec.name for spec in ACTION_TABLE]
    assert len(actions) == len(set(actions))


@pytest.mark.parametrize("spec", COMMAND_TABLE, ids=lambda spec: spec.name)
def test_every_command_has_help_example_menu_and_budget(spec: Any) -> None:
    for language in LANGUAGES:
        assert spec.help.of(language).strip() and spec.menu_text.of(language).strip()
        assert 1 <= len(spec.menu_text.of(language)) <= 256  # Telegram's BotCommand limit
    assert spec.help.zh != spec.help.en
    assert spec.example == f"/{spec.name}" or spec.example.startswith(f"/{spec.name} ")
    assert spec.name in COMMAND_BUDGETS


def test_budgets_cover_exactly_the_table() -> None:
    assert set(COMMAND_BUDGETS) == {spec.name for spec in COMMAND_TABLE}
    assert set(ACTION_BUDGETS) == {spec.name for spec in ACTION_TABLE}


def test_no_alias_collides() -> None:
    words = [word for word, _ in ALIASES]
    assert len(words) == len(set(words)), "one word, two commands"
    assert not set(words) & set(COMMANDS), "a word that is also a command name"
    assert all(word.strip() == word and word for word in words)


def test_background_and_admin_flags() -> None:
    assert {"paper", "similar", "compose"} == BACKGROUND_COMMANDS
    assert {"paper", "similar"} == TYPING_COMMANDS  # typing… only where a reader waits
    assert {spec.name for spec in ADMIN_COMMANDS} == {
        "review", "approve", "reject", "edit", "publish", "fetch", "compose", "stats", "broadcast"
    }  # fmt: skip
    assert {spec.name for spec in ACTION_TABLE if spec.admin} == {
        "rvp", "rvi", "rvm", "rva", "rvr", "bc"
    }  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
async def test_help_lists_exactly_the_public_commands_in_table_order(language: str) -> None:
    caller = Caller(platform="console", chat_id="c", user_id="operator")
    ctx = Context(caller=caller, language=language, deps=cast(Any, None))
    (reply,) = await help_command(ctx, "")
    listed = re.findall(r"^/([a-z_]+) — (.*)$", reply.html, re.M)
    assert [name for name, _ in listed] == [spec.name for spec in PUBLIC_COMMANDS]
    assert [line for _, line in listed] == [escape(s.help.of(language)) for s in PUBLIC_COMMANDS]
    assert not any(f"/{spec.name}" in reply.html for spec in ADMIN_COMMANDS)


@pytest.mark.parametrize("language", [*LANGUAGES, None])
def test_telegram_menu_is_generated_from_the_table(language: str | None) -> None:
    shown = language or "en"
    public = [(c.command, c.description) for c in menu_commands(language, admin=False)]
    assert public == [(s.name, s.menu_text.of(shown)) for s in PUBLIC_COMMANDS]
    admin = [(c.command, c.description) for c in menu_commands(language, admin=True)]
    assert admin == public + [(s.name, s.menu_text.of(shown)) for s in ADMIN_COMMANDS]


def test_wechat_words_are_generated_from_the_table() -> None:
    assert set(wechat.ZH_WORDS) == {(w, s.name) for s in PUBLIC_COMMANDS for w in s.aliases}
    assert {w: s.name for s in ADMIN_COMMANDS for w in s.aliases} == wechat.ADMIN_COMMANDS
    assert {spec.name for spec in PUBLIC_COMMANDS} == wechat.EN_WORDS
    for word, name in ALIASES:
        assert wechat.route(word) == wechat.Route("command", name, "")
        assert wechat.route(f"{word} 12") == wechat.Route("command", name, "12")


def test_wechat_admin_words_match_only_as_whole_words() -> None:
    for spec in ADMIN_COMMANDS:
        for word in spec.aliases:
            assert wechat.route(f"{word}12") == wechat.Route("command", spec.name, "12")
            assert wechat.route(f"{word}会") == wechat.Route("command", "search", f"{word}会")
