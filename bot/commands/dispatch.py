"""From typed text or a pressed button to replies: the part every front end shares.

Commands and buttons are looked up in the table (`bot.commands.registry`); for the rows it flags
admin, the admin check happens here, once, before the handler runs. Errors we raise on purpose
(`DigestError`) become a reply in the chat's language here; anything else propagates to the
front end's error handler, which logs it and tells the admins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.commands.budget import Refusal
from bot.commands.context import Context, Deps, platform_language
from bot.commands.registry import ACTIONS_BY_NAME, BY_NAME
from bot.commands.reply import Caller, Reply, replies
from bot.i18n import t, user_error
from core.services.chats import touch_chat
from core.services.review import require_admin
from domain.errors import DigestError
from domain.types import ChatType

CHAT_TYPES = frozenset(kind.value for kind in ChatType)

MAX_INPUT = 4000
UNREADABLE = "<not text>"  # no command has this name: it spends the unknown-command budget
_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")


@dataclass(frozen=True)
class ParsedCommand:
    name: str  # lower-case, without the slash; not always one we know (or even well formed)
    argument: str
    addressed_to: str | None  # the @botname in `/search@botname`, if any ("" for `/search@`)


def parse_command(text: str) -> ParsedCommand | None:
    """`/search@digestbot 对齐` → ("search", "对齐", "digestbot"); text that does not start
    with `/` and a non-space → None.

    Anything else is a command attempt, however odd (`/x@a@b`, `/命令`, a 200-character name,
    `/help@`): it parses, so the chat gets an answer (an unknown name gets "no such command")
    instead of silence.
    """
    stripped = text.strip()
    if len(stripped) < 2 or stripped[0] != "/" or stripped[1].isspace():
        return None
    head, *rest = stripped[1:].split(maxsplit=1)
    name, at, bot = head.partition("@")
    if _NAME.fullmatch(name):
        name = name.lower()
    return ParsedCommand(name, rest[0].strip() if rest else "", bot if at else None)


async def make_context(deps: Deps, caller: Caller) -> Context:
    """Registers the chat on first contact (not subscribed) and answers in its language."""
    state = await touch_chat(
        deps.db, platform=caller.platform, chat_id=caller.chat_id,
        chat_type=_chat_type(caller.chat_type), language_code=_own_language(caller),
    )  # fmt: skip
    fallback = platform_language(caller.language_code, deps.settings.digest_language)
    return Context(caller=caller, language=state.language or fallback, deps=deps)


def _own_language(caller: Caller) -> str | None:
    """A private chat speaks its user's language; a group keeps its own (set in /settings)."""
    return caller.language_code if caller.chat_type == "private" else None


def _chat_type(chat_type: str) -> str:
    return chat_type if chat_type in CHAT_TYPES else "private"


async def run_command(deps: Deps, caller: Caller, name: str, argument: str) -> list[Reply]:
    if (refusal := await deps.budgets.spend_command(caller, name)) is not None:
        return await slow_down(deps, caller, refusal)
    ctx = await make_context(deps, caller)
    spec = BY_NAME.get(name)
    try:
        if spec is None:
            raise user_error("unknown_command", command=f"/{name[:32]}")
        if len(argument) > MAX_INPUT:
            raise user_error("too_long", limit=MAX_INPUT)
        return await spec.handler(_checked(ctx, spec.admin), argument)
    except DigestError as error:
        return error_replies(error, ctx.language)


async def run_action(deps: Deps, caller: Caller, action: str, args: tuple[str, ...]) -> list[Reply]:
    if (refusal := await deps.budgets.spend_action(caller, action)) is not None:
        return await slow_down(deps, caller, refusal)
    ctx = await make_context(deps, caller)
    spec = ACTIONS_BY_NAME.get(action)
    try:
        if spec is None:
            raise user_error("expired_button")
        return await spec.handler(_checked(ctx, spec.admin), args)
    except DigestError as error:
        return error_replies(error, ctx.language)


def _checked(ctx: Context, admin: bool) -> Context:
    """The one admin check, for every platform: a row flagged admin runs only for one of its
    platform's admins (NotAllowed otherwise), and gets their identity on the context."""
    if not admin:
        return ctx
    caller = ctx.caller
    return replace(ctx, admin_identity=require_admin(ctx.settings, caller.platform, caller.user_id))


async def run_unreadable(deps: Deps, caller: Caller) -> list[Reply]:
    """A private message we cannot read (a photo, sticker, voice note…) still gets an answer,
    from the unknown-command budget so a sticker flood earns no flood of answers."""
    if (refusal := await deps.budgets.spend_command(caller, UNREADABLE)) is not None:
        return await slow_down(deps, caller, refusal)
    ctx = await make_context(deps, caller)
    return replies(t(ctx.language, "text_only"))


async def slow_down(deps: Deps, caller: Caller, refusal: Refusal) -> list[Reply]:
    """Over budget: say so once per wait, in the chat's language; otherwise no answer at all
    (and no database work: a flood costs next to nothing)."""
    if not refusal.tell:
        return []
    ctx = await make_context(deps, caller)
    return replies(t(ctx.language, "slow_down", seconds=refusal.seconds))


def error_replies(error: DigestError, language: str) -> list[Reply]:
    """Error messages are plain text (they may quote the user); renderers escape them."""
    return replies(error.message_for(language))
