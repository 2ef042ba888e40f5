"""/start, /stop, /subscribe, /unsubscribe, /mysubs, /topics: what a chat receives."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.memo import scope_of
from bot.commands.reply import Button, Reply, grid, replies
from bot.i18n import say, t, user_error
from core.services import chats, popular, subscriptions
from domain.content import (
    Blank,
    Block,
    BulletList,
    Content,
    NumberedList,
    bold,
    code,
    italic,
    paragraph,
    runs,
)
from domain.errors import InvalidInput
from domain.subscription import SubscribeResult, TopicView
from domain.topics import describe
from domain.types import DigestMode

MAX_EXAMPLE_TITLE = 120


async def start(ctx: Context, argument: str) -> list[Reply]:
    c = ctx.caller
    state = await chats.start_chat(
        ctx.db, platform=c.platform, chat_id=c.chat_id, chat_type=c.chat_type,
        language_code=c.language_code,
    )  # fmt: skip
    if state.is_new or not state.topic_count:
        return replies(t(ctx.language, "start_new"))
    return replies(t(ctx.language, "start_again", count=state.topic_count))


async def stop(ctx: Context, argument: str) -> list[Reply]:
    await chats.stop_chat(ctx.db, platform=ctx.caller.platform, chat_id=ctx.caller.chat_id)
    return replies(t(ctx.language, "stop_done"))


async def subscribe(ctx: Context, argument: str) -> list[Reply]:
    if not argument.strip():
        return replies(_usage(ctx.language))
    return await follow(ctx, argument)


def _usage(language: str) -> Content:
    """How to write a topic: four examples, each as code with what it does."""
    examples = (
        say(
            language,
            f"subscribe_example_{n}_note",
            example=code(t(language, f"subscribe_example_{n}")),
        )
        for n in range(1, 5)
    )
    return (
        paragraph(t(language, "subscribe_usage")),
        *examples,
        paragraph(t(language, "subscribe_usage_end")),
    )


async def follow(ctx: Context, text: str) -> list[Reply]:
    c = ctx.caller
    result = await subscriptions.subscribe(
        ctx.db, platform=c.platform, chat_id=c.chat_id, text=text
    )
    undo = (Button(t(ctx.language, "undo"), "unsub", (str(result.topic.id),)),)
    return replies(_subscribed(ctx, result), (undo,))


def _subscribed(ctx: Context, result: SubscribeResult) -> list[Block]:
    topic = describe(result.topic.topic, ctx.language, result.topic.title)
    blocks: list[Block] = [
        say(
            ctx.language, "subscribed", topic=bold(topic),
            matches=result.recent_matches, papers=result.recent_papers, days=result.window_days,
        )
    ]  # fmt: skip
    if result.examples:
        blocks.append(paragraph(t(ctx.language, "subscribed_examples")))
        titles = (_title(ctx, p.meta.title, p.summary) for p in result.examples)
        blocks.append(BulletList(tuple(runs(title) for title in titles)))
    if result.chat.digest_mode is DigestMode.ALL:
        blocks += [Blank(), paragraph(italic(t(ctx.language, "mode_hint")))]
    return blocks


def _title(ctx: Context, title: str, summary: object) -> str:
    translated = getattr(getattr(summary, "content", None), "title_translated", "")
    text = translated or title
    return text if len(text) <= MAX_EXAMPLE_TITLE else text[: MAX_EXAMPLE_TITLE - 1] + "…"


async def unsubscribe(ctx: Context, argument: str) -> list[Reply]:
    if argument.strip():
        c = ctx.caller
        removed = await subscriptions.unsubscribe(
            ctx.db, platform=c.platform, chat_id=c.chat_id, text=argument
        )
        return _removed(ctx, removed, edit=False)
    topics = await _topics(ctx)
    if not topics:
        return replies(t(ctx.language, "no_topics"))
    return replies(t(ctx.language, "unsubscribe_pick"), _remove_buttons(ctx, topics))


async def unfollow(ctx: Context, topic_id: int) -> list[Reply]:
    """A tapped ✖ button (or ↩️ undo): only ever this chat's own topic."""
    c = ctx.caller
    removed = await subscriptions.unsubscribe(
        ctx.db, platform=c.platform, chat_id=c.chat_id, topic_id=topic_id
    )
    return _removed(ctx, removed, edit=True)


def _removed(ctx: Context, removed: TopicView, *, edit: bool) -> list[Reply]:
    shown = bold(describe(removed.topic, ctx.language, removed.title))
    return replies(say(ctx.language, "unsubscribed", topic=shown), edit=edit)


async def mysubs(ctx: Context, argument: str) -> list[Reply]:
    topics = await _topics(ctx)
    if not topics:
        return replies(t(ctx.language, "no_topics"))
    state = await chats.get_chat_state(
        ctx.db, platform=ctx.caller.platform, chat_id=ctx.caller.chat_id
    )
    limit = subscriptions.MAX_TOPICS_PER_CHAT
    heading = bold(t(ctx.language, "mysubs_heading"))
    mode = "mysubs_mode_all" if state.digest_mode is DigestMode.ALL else "mysubs_mode_topics"
    blocks = (
        say(ctx.language, "mysubs_title", title=heading, count=len(topics), limit=limit),
        NumberedList(tuple(runs(describe(v.topic, ctx.language, v.title)) for v in topics)),
        Blank(),
        paragraph(italic(t(ctx.language, mode))),
    )
    return replies(blocks, _remove_buttons(ctx, topics))


def _remove_buttons(ctx: Context, topics: tuple[TopicView, ...]) -> tuple[tuple[Button, ...], ...]:
    buttons = tuple(
        Button(f"✖ {n}. {_short(v.query)}", "unsub", (str(v.id),)) for n, v in enumerate(topics, 1)
    )
    return grid(buttons, 2)


async def topics(ctx: Context, argument: str) -> list[Reply]:
    offered = await popular.popular_topics(ctx.db, limit=12, language=ctx.language)
    if not offered:
        return replies(t(ctx.language, "topics_empty"))
    scope = scope_of(ctx.caller)
    buttons = tuple(
        Button(f"＋ {_short(p.label)}", "sub", (ctx.deps.memo.remember(scope, p.query),))
        for p in offered
    )
    heading = bold(t(ctx.language, "topics_heading"))
    return replies(say(ctx.language, "topics_title", title=heading), grid(buttons, 2))


async def follow_remembered(ctx: Context, key: str) -> list[Reply]:
    query = ctx.deps.memo.recall(scope_of(ctx.caller), key)
    if query is None:
        raise user_error("expired_button", InvalidInput)
    return await follow(ctx, query)


async def _topics(ctx: Context) -> tuple[TopicView, ...]:
    c = ctx.caller
    return await subscriptions.list_topics(ctx.db, platform=c.platform, chat_id=c.chat_id)


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
