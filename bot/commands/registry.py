"""Command names and button actions → their handlers; the one table every front end uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.commands import admin_ops, admin_review, issues, paper, search, settings, subscriptions
from bot.commands.admin_preview import APPROVE, INCLUDE, MOVE, PAGE, REJECT
from bot.commands.context import Context
from bot.commands.help import help_command
from bot.commands.reply import Reply
from bot.i18n import user_error
from domain.errors import DigestError
from domain.numbers import bounded_int

MAX_ARG = 1_000_000  # issue numbers, pages, topic numbers: anything larger is forged
CommandHandler = Callable[[Context, str], Awaitable[list[Reply]]]
ActionHandler = Callable[[Context, tuple[str, ...]], Awaitable[list[Reply]]]

COMMANDS: dict[str, CommandHandler] = {
    "start": subscriptions.start,
    "stop": subscriptions.stop,
    "subscribe": subscriptions.subscribe,
    "unsubscribe": subscriptions.unsubscribe,
    "mysubs": subscriptions.mysubs,
    "topics": subscriptions.topics,
    "settings": settings.settings_command,
    "help": help_command,
    "latest": issues.latest,
    "issue": issues.issue,
    "issues": issues.issues,
    "search": search.search,
    "paper": paper.paper,
    # Admins only (each handler checks its platform's admins); not in /help or the public menu.
    "review": admin_review.review_command,
    "approve": admin_review.approve_command,
    "reject": admin_review.reject_command,
    "edit": admin_review.edit_command,
    "publish": admin_ops.publish_command,
    "fetch": admin_ops.fetch_command,
    "compose": admin_ops.compose_command,
    "stats": admin_ops.stats_command,
    "broadcast": admin_ops.broadcast_command,
}

# Commands whose work may take long (/paper: fetch + LLM; /compose: the compose job): front ends
# run them outside the chat's turn, so they hold up neither the chat nor anybody else.
# (/fetch, /publish and broadcasts already answer at once and report from a background task.)
BACKGROUND_COMMANDS = frozenset({"paper", "compose"})


def _expired() -> DigestError:
    return user_error("expired_button")


def _int(args: tuple[str, ...], index: int) -> int:
    value = bounded_int(args[index], MAX_ARG) if len(args) > index else None
    if value is None:
        raise _expired()
    return value


async def _issue_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    return await issues.show_issue(ctx, _int(args, 0))


async def _issues_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    return await issues.issues_page(ctx, _int(args, 0), edit=True)


async def _search_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if len(args) != 2:
        raise _expired()
    return await search.search_more(ctx, args[0], _int(args, 1))


async def _unsub_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    return await subscriptions.unfollow(ctx, _int(args, 0))


async def _sub_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if len(args) != 1:
        raise _expired()
    return await subscriptions.follow_remembered(ctx, args[0])


async def _set_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if len(args) != 2:
        raise _expired()
    return await settings.change(ctx, args[0], args[1])


ACTIONS: dict[str, ActionHandler] = {
    "unsub": _unsub_action,
    "sub": _sub_action,
    "set": _set_action,
    "issue": _issue_action,
    "issues": _issues_action,
    "search": _search_action,
    # Admin buttons: the draft preview and the broadcast confirmation (each checks the admins).
    PAGE: admin_review.page_action,
    INCLUDE: admin_review.include_action,
    MOVE: admin_review.move_action,
    APPROVE: admin_review.approve_action,
    REJECT: admin_review.reject_action,
    admin_ops.BROADCAST: admin_ops.broadcast_action,
}
