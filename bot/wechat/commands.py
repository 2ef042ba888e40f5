"""What a WeChat user types → the shared command layer, and its answer as one WeChat text.

WeChat has no slash-command menu, so words work too, in Chinese and English (`订阅 强化学习`,
`第12期`, `search rlhf`, `赞 3`); `/command` forms work as on Telegram and any other text searches.
Buttons become typed hints (`下一页`, `b2`), remembered per user like the console's `b1`.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from bot.commands.context import Deps
from bot.commands.dispatch import make_context, parse_command, run_action, run_command
from bot.commands.marks import MARK
from bot.commands.registry import ADMIN_COMMANDS as ADMIN_TABLE
from bot.commands.registry import PUBLIC_COMMANDS
from bot.commands.reply import Button, Caller, Reply
from bot.wechat.feedback import mark_words
from bot.wechat.text import (
    MAX_BYTES,
    Answer,
    fit,
    hint,
    is_next,
    is_prev,
    issue_overview,
    issue_part,
    render,
)
from core.services.issues import get_issue, latest_issue
from domain.errors import DigestError
from domain.identity import valid_openid


def _zh_words() -> tuple[tuple[str, str], ...]:
    """(word, command) for the readers' words in the table, longest first, so 我的订阅 wins
    over 订阅. They match as a prefix: `订阅强化学习` follows 强化学习."""
    pairs = [(word, spec.name) for spec in PUBLIC_COMMANDS for word in spec.aliases]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _admin_words() -> re.Pattern[str]:
    """The editors' words in the table (WECHAT_ADMIN_OPENIDS; anyone else is refused like on
    Telegram). Only as a whole word — `发布 12`, `批准12`, `审核` — so a search for 发布会
    stays a search."""
    words = "|".join(re.escape(word) for spec in ADMIN_TABLE for word in spec.aliases)
    return re.compile(rf"^(?P<word>{words})(?=$|\s|[0-9])\s*(?P<rest>.*)$", re.S)


# All generated from the command table (bot.commands.registry).
ZH_WORDS = _zh_words()
EN_WORDS = frozenset(spec.name for spec in PUBLIC_COMMANDS)  # `search rlhf`, without the slash
ADMIN_WORDS = _admin_words()
ADMIN_COMMANDS = {word: spec.name for spec in ADMIN_TABLE for word in spec.aliases}
NEXT_WORDS = frozenset(("下一页", "n", "next"))
PREV_WORDS = frozenset(("上一页", "p", "prev", "previous"))
ID_COMMANDS = frozenset(("paper", "similar"))  # their argument is an arXiv id or URL
MORE_WORDS = frozenset(("更多", "m", "more"))
_ISSUE = re.compile(r"^第\s*([0-9]{1,7})\s*期(?:\s+([0-9]{1,4}))?$")
_ISSUE_ARG = re.compile(r"^(?:第)?\s*#?([0-9]{1,7})\s*(?:期)?(?:\s+([0-9]{1,4}))?$")
_WEEKLY = re.compile(r"^周报\s*第?\s*([0-9]{1,7})\s*期?$")
_BUTTON = re.compile(r"^b([0-9]{1,3})$")
MAX_USERS = 10_000  # remembered buttons/parts: the least recently active users are forgotten


@dataclass(frozen=True)
class Route:
    """`kind`: command (name, argument), press (argument: next|prev|bN), more, mark (name:
    what, argument: which paper)."""

    kind: str
    name: str = ""
    argument: str = ""


def route(text: str) -> Route:
    """`订阅 强化学习` → command subscribe; `下一页` → press next; anything else → search."""
    text = " ".join(text.split())
    lowered = text.lower()
    if lowered in NEXT_WORDS or lowered in PREV_WORDS:
        return Route("press", argument="next" if lowered in NEXT_WORDS else "prev")
    if lowered in MORE_WORDS:
        return Route("more")
    if _BUTTON.match(lowered):
        return Route("press", argument=lowered)
    if (issue := _ISSUE.match(text)) is not None:
        return Route("command", "issue", " ".join(g for g in issue.groups() if g))
    if (mark := mark_words(text)) is not None:
        return Route("mark", mark[0], mark[1])
    if (weekly := _WEEKLY.match(text)) is not None:  # 周报3: the weekly round-up numbered 3
        return Route("command", "issue", f"w{weekly[1]}")
    parsed = parse_command(text)
    if parsed is not None:
        return Route("command", parsed.name, parsed.argument)
    return _word_route(text)


def _word_route(text: str) -> Route:
    if (admin := ADMIN_WORDS.match(text)) is not None:
        return Route("command", ADMIN_COMMANDS[admin["word"]], admin["rest"].strip())
    for word, name in ZH_WORDS:
        if text.startswith(word) and not _search_instead(name, text[len(word) :].strip()):
            return Route("command", name, text[len(word) :].strip())
    first, _, rest = text.partition(" ")
    if first.lower() in EN_WORDS:
        return Route("command", first.lower(), rest.strip())
    return Route("command", "search", text)


def _search_instead(name: str, rest: str) -> bool:
    """`相似度 学习`, `论文写作`: words after an id command's word without any digit in them
    are a search that happens to start with the word, not an arXiv id."""
    return name in ID_COMMANDS and bool(rest) and not any("0" <= ch <= "9" for ch in rest)


def sender_openid(message: Any) -> str | None:
    """The sender's openid when the message names one sender and one receiver, each a plain id;
    None for a repeated or nested FromUserName/ToUserName (a list or dict once parsed), so no
    stringified list ever becomes an id."""
    source, target = getattr(message, "source", None), getattr(message, "target", None)
    if not (isinstance(source, str) and isinstance(target, str)):
        return None
    return source if valid_openid(source) and valid_openid(target) else None


def issue_argument(argument: str) -> tuple[str, int]:
    """`12 2` / `第12期 2` → ("12", 2); anything else goes to /issue as typed (part 1)."""
    match = _ISSUE_ARG.match(argument.strip())
    if match is None:
        return argument, 1
    return match[1], int(match[2] or 1)


class _Memory:
    """Per user: the buttons and remaining parts of the last answer (bounded, in memory)."""

    def __init__(self) -> None:
        self._answers: OrderedDict[str, Answer] = OrderedDict()

    def keep(self, openid: str, answer: Answer) -> None:
        self._answers[openid] = answer
        self._answers.move_to_end(openid)
        while len(self._answers) > MAX_USERS:
            self._answers.popitem(last=False)

    def last(self, openid: str) -> Answer | None:
        return self._answers.get(openid)


class WeChatBot:
    """Answers one WeChat text message (or event) from one user with one text."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._memory = _Memory()

    @staticmethod
    def caller(openid: str) -> Caller:
        return Caller(platform="wechat", chat_id=openid, user_id=openid, chat_type="private")

    async def language(self, openid: str) -> str:
        return (await make_context(self.deps, self.caller(openid))).language

    async def answer(self, openid: str, text: str) -> str:
        """The reply text (at most 2048 bytes); never raises for what a user typed."""
        language = await self.language(openid)
        step = route(text)
        if step.kind == "more":
            return self._more(openid, language)
        if step.kind == "press":
            return await self._press(openid, step.argument, language)
        if step.kind == "mark":
            marked = await run_action(
                self.deps, self.caller(openid), MARK, (step.name, step.argument)
            )
            return self._show(openid, marked, language)
        if step.name in ("latest", "issue"):
            return await self._issue(openid, step, language)
        replies = await run_command(self.deps, self.caller(openid), step.name, step.argument)
        return self._show(openid, replies, language)

    async def on_follow(self, openid: str) -> str:
        """A user followed the account: /start (subscribed, welcomed)."""
        replies = await run_command(self.deps, self.caller(openid), "start", "")
        return self._show(openid, replies, await self.language(openid))

    async def on_unfollow(self, openid: str) -> None:
        """A user unfollowed: /stop (no more deliveries; topics kept for a return)."""
        await run_command(self.deps, self.caller(openid), "stop", "")

    def _show(self, openid: str, replies: list[Reply], language: str) -> str:
        answer = fit(render(replies), language)
        self._memory.keep(openid, answer)
        return answer.text

    def _more(self, openid: str, language: str) -> str:
        last = self._memory.last(openid)
        if last is None or not last.rest:
            return hint(language, "no_more")
        following = Answer(last.rest[0], last.buttons, last.rest[1:])
        self._memory.keep(openid, following)
        return following.text

    async def _press(self, openid: str, which: str, language: str) -> str:
        button = self._button(openid, which)
        if button is None:
            return hint(language, "no_more")
        pressed = await run_action(self.deps, self.caller(openid), button.action, button.args)
        return self._show(openid, pressed, language)

    def _button(self, openid: str, which: str) -> Button | None:
        last = self._memory.last(openid)
        buttons = last.buttons if last is not None else ()
        if which in ("next", "prev"):
            wanted = is_next if which == "next" else is_prev
            return next((b for b in buttons if wanted(b)), None)
        index = int(which[1:]) - 1
        return buttons[index] if 0 <= index < len(buttons) else None

    async def _issue(self, openid: str, step: Route, language: str) -> str:
        argument, part = issue_argument(step.argument)
        replies = await run_command(self.deps, self.caller(openid), step.name, argument)
        rendered = render(replies)
        whole = fit(rendered, language)
        if not whole.rest and part == 1:
            self._memory.keep(openid, whole)
            return whole.text
        try:
            view = await (
                latest_issue(self.deps.db, language=language)
                if step.name == "latest"
                else get_issue(self.deps.db, number=int(argument), language=language)
            )
        except (DigestError, ValueError):  # the command already said what was wrong
            return self._show(openid, replies, language)
        self._memory.keep(openid, Answer("", whole.buttons))
        if part > 1:
            return issue_part(rendered, view.number, part, language)
        return issue_overview(view, language, self.deps.settings.public_base_url, MAX_BYTES)
