"""/settings: language (zh/en), digest mode (everything / only my topics), pause and resume, the
note when nothing matches, and "for you" ordering (issue 13).

Anyone may read a chat's settings; in a group or channel only the chat's own admins may change
them (the front end asks the platform, e.g. Telegram's getChatMember), as users of group bots
expect: one member must not switch a whole group's language or pause its digest.
"""

from __future__ import annotations

from typing import Any

from bot.commands.context import Context
from bot.commands.reply import Button, Reply, replies
from bot.i18n import t, user_error
from core.services import chats
from domain.content import Block, Field, Heading, runs
from domain.errors import InvalidInput, NotAllowed
from domain.types import ChatState, DigestMode

# What a settings button may set: field -> accepted values (anything else is forged data).
CHOICES: dict[str, tuple[str, ...]] = {
    "language": ("zh", "en"),
    "mode": ("all", "topics"),
    "paused": ("1", "0"),
    "note": ("1", "0"),
    "foryou": ("1", "0"),
}


async def settings_command(ctx: Context, argument: str) -> list[Reply]:
    state = await chats.get_chat_state(
        ctx.db, platform=ctx.caller.platform, chat_id=ctx.caller.chat_id
    )
    return _panel(ctx, state, edit=False)


async def change(ctx: Context, field: str, value: str) -> list[Reply]:
    if value not in CHOICES.get(field, ()):
        raise user_error("expired_button", InvalidInput)
    await check_may_change(ctx)
    c = ctx.caller
    state = await chats.update_settings(
        ctx.db, platform=c.platform, chat_id=c.chat_id, **_update(field, value)
    )
    language = state.language or ctx.language  # a language change answers in the new language
    return _panel(Context(caller=c, language=language, deps=ctx.deps), state, edit=True)


async def check_may_change(ctx: Context) -> None:
    """A private chat is its user's own; any other chat needs one of its admins."""
    if ctx.caller.chat_type == "private":
        return
    if ctx.caller.user_id is None or not await ctx.caller.is_chat_admin():
        raise user_error("settings_admins_only", NotAllowed)


def _update(field: str, value: str) -> dict[str, Any]:
    if field == "language":
        return {"language": value}
    if field == "mode":
        return {"digest_mode": value}
    flags = {"paused": "paused", "note": "no_match_note", "foryou": "for_you"}
    return {flags[field]: value == "1"}


def _panel(ctx: Context, state: ChatState, *, edit: bool) -> list[Reply]:
    L = ctx.language
    mode = t(L, "mode_all" if state.digest_mode is DigestMode.ALL else "mode_topics")
    status = (
        "state_stopped"
        if not state.active
        else ("state_paused" if state.paused else "state_active")
    )
    fields = (
        ("settings_language", "中文" if L == "zh" else "English"),
        ("settings_mode", mode),
        ("settings_paused", t(L, status)),
        ("settings_note", t(L, "on" if state.no_match_note else "off")),
        ("settings_for_you", _for_you(ctx, state)),
    )
    separator = t(L, "field_separator")
    blocks: list[Block] = [Heading(t(L, "settings_title"))]
    blocks += [Field(t(L, key), runs(value), separator) for key, value in fields]
    return replies(blocks, _buttons(ctx, state), edit=edit)


def _for_you(ctx: Context, state: ChatState) -> str:
    if not ctx.settings.ranking_for_you:  # RANKING_FOR_YOU off: no chat's switch does anything
        return t(ctx.language, "for_you_unavailable")
    if not state.for_you:
        return t(ctx.language, "for_you_off")
    return t(ctx.language, "for_you_on", count=ctx.settings.ranking_min_feedback)


def _buttons(ctx: Context, state: ChatState) -> tuple[tuple[Button, ...], ...]:
    L = ctx.language
    note = t(L, "note_toggle", value=t(L, "off" if state.no_match_note else "on"))
    for_you = t(L, "for_you_toggle", value=t(L, "off" if state.for_you else "on"))
    toggle = (Button(for_you, "set", ("foryou", "0" if state.for_you else "1")),)
    return (
        (Button("中文", "set", ("language", "zh")), Button("English", "set", ("language", "en"))),
        (
            Button(t(L, "mode_all"), "set", ("mode", "all")),
            Button(t(L, "mode_topics"), "set", ("mode", "topics")),
        ),
        (
            Button(t(L, "resume"), "set", ("paused", "0"))
            if state.paused
            else Button(t(L, "pause"), "set", ("paused", "1")),
        ),
        (Button(note, "set", ("note", "0" if state.no_match_note else "1")),),
        *((toggle,) if ctx.settings.ranking_for_you else ()),  # offered only where it works
    )
