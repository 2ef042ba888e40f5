"""Every text that starts with `/` and a non-space is a command attempt, however odd: it parses
(so a private chat answers it) and never raises; anything else is not a command."""

from __future__ import annotations

import itertools

from bot.commands.dispatch import parse_command
from bot.commands.registry import COMMANDS

NAMES = [
    "help", "HELP", "Search", "x", "_", "a" * 64, "a" * 65, "b" * 200, "命令", "поиск", "ｈｅｌｐ",
    "help²", "issue٣", "he-lp", "he.lp", "😀", "", "/", "//", "\u200b", "x\u0301", "<b>", "&amp;",
]  # fmt: skip
MENTIONS = ["", "@", "@digest_test_bot", "@a", "@a@b", "@@", "@" + "c" * 200, "@😀", "@bot@"]
ARGUMENTS = ["", " 1", " ²", "  spaced   out ", "\n12", "\t对齐", " /help", " @x"]


def _typed() -> list[str]:
    return ["/" + n + m + a for n, m, a in itertools.product(NAMES, MENTIONS, ARGUMENTS)]


def test_generated_commands_parse_without_raising() -> None:
    typed = _typed()
    assert len(typed) > 1500
    for text in typed:
        parsed = parse_command(text)
        head = text.strip()[1:]
        if not head or head[0].isspace():
            assert parsed is None, text
            continue
        assert parsed is not None, text
        assert parsed.argument == parsed.argument.strip()
        assert "@" not in parsed.name


def test_well_formed_names_are_lower_cased_and_mentions_kept() -> None:
    for name, mention, argument in itertools.product(NAMES, MENTIONS, ARGUMENTS):
        parsed = parse_command(f"/{name}{mention}{argument}")
        if parsed is None or "@" in name or not name or name[0].isspace():
            continue
        well_formed = name.isascii() and name.replace("_", "a").isalnum() and len(name) <= 64
        assert parsed.name == (name.lower() if well_formed else name), name
        assert parsed.addressed_to == (mention[1:] if mention else None)
        assert parsed.argument == argument.strip()


def _parts(text: str) -> tuple[str, str, str | None] | None:
    parsed = parse_command(text)
    return None if parsed is None else (parsed.name, parsed.argument, parsed.addressed_to)


def test_known_commands_unchanged() -> None:
    assert _parts("/search@digestbot 对齐") == ("search", "对齐", "digestbot")
    assert _parts("  /Issue 12 ") == ("issue", "12", None)
    assert _parts("/help@") == ("help", "", "")
    assert _parts("/x@a@b c") == ("x", "c", "a@b")
    assert _parts("/@bot") == ("", "", "bot")
    for name in COMMANDS:
        assert _parts(f"/{name.upper()} arg") == (name, "arg", None)


def test_not_commands() -> None:
    for text in ("", "/", " / ", "/ help", "/\thelp", "hello /help", "／help", "\\help"):
        assert parse_command(text) is None, text
