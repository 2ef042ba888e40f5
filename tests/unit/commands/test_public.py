"""Readers' commands through their content: /help, /start, /stop, topics and /settings."""

from __future__ import annotations

import pytest

from bot.commands import settings, subscriptions
from bot.commands.context import Context, Deps
from bot.commands.registry import help_command
from bot.commands.reply import Caller
from domain.content import (
    Blank,
    Field,
    Heading,
    NumberedList,
    Paragraph,
    bold,
    code,
    italic,
    paragraph,
)
from domain.errors import NotAllowed
from storage.types import utcnow
from tests.factories import make_paper, store_paper
from tests.unit.commands.conftest import context, first, only, paragraphs, text_of


async def test_help_lists_every_command_with_its_example_as_code(deps: Deps) -> None:
    content = only(await help_command(await context(deps), ""))
    intro = paragraphs(content)[0]
    assert intro.runs[0] == bold("digestbot") and "arXiv" in intro.text
    assert content[1:3] == (Blank(), Heading("Commands"))
    paper = next(p for p in paragraphs(content) if p.text.startswith("/paper"))
    assert paper.runs[-1] == code("/paper 2402.01399")


async def test_help_in_chinese(deps: Deps) -> None:
    content = only(await help_command(await context(deps, "zh"), ""))
    assert Heading("命令") in content
    assert any("查看单篇论文卡片" in p.text for p in paragraphs(content))


async def test_start_welcomes_then_welcomes_back(deps: Deps) -> None:
    ctx = await context(deps)
    assert "Subscribed" in text_of(await subscriptions.start(ctx, ""))
    await subscriptions.follow(ctx, "reward model")
    assert "Welcome back" in text_of(await subscriptions.start(ctx, ""))
    assert "stopped" in text_of(await subscriptions.stop(ctx, ""))


async def test_subscribe_without_a_topic_shows_code_examples(deps: Deps) -> None:
    content = only(await subscriptions.subscribe(await context(deps), " "))
    examples = [p.runs[0] for p in paragraphs(content)[1:5]]
    assert examples[0] == code("/subscribe RLHF reward model")
    assert code('/subscribe author:"Yejin Choi"') in examples
    assert paragraphs(content)[0].text == "Usage: /subscribe <topic>, e.g."


async def test_subscribe_shows_the_topic_in_bold_with_an_undo_button(deps: Deps) -> None:
    ctx = await context(deps)
    (reply,) = await subscriptions.subscribe(ctx, "reinforcement learning -survey")
    sentence = paragraphs(reply.content)[0]
    assert sentence.runs[0] == paragraph("✅ Following ").runs[0]
    assert sentence.runs[1].text.startswith("reinforcement + learning")
    assert sentence.runs[1] == bold(sentence.runs[1].text)
    blank, hint = reply.content[-2:]
    assert blank == Blank() and isinstance(hint, Paragraph)
    assert hint.runs == (italic(hint.text),) and "digest mode" in hint.text
    ((undo,),) = reply.buttons
    assert (undo.action, undo.label) == ("unsub", "↩️ Undo")


async def test_mysubs_numbers_the_topics_and_unsubscribe_removes_one(deps: Deps) -> None:
    ctx = await context(deps)
    await subscriptions.follow(ctx, "diffusion")
    await subscriptions.follow(ctx, "cat:cs.CL")
    (listed,) = await subscriptions.mysubs(ctx, "")
    title, topics = paragraphs(listed.content)[0], first(listed.content, NumberedList)
    assert title.runs[0] == bold("Your topics") and "(2/" in title.text
    assert isinstance(topics, NumberedList) and len(topics.items) == 2
    assert [b.label.split()[1] for row in listed.buttons for b in row] == ["1.", "2."]
    removed = await subscriptions.unsubscribe(ctx, "diffusion")
    assert paragraphs(only(removed))[0].runs[1] == bold("diffusion")
    topic_id = listed.buttons[0][-1].args[0]
    assert "Unfollowed" in text_of(await subscriptions.unfollow(ctx, int(topic_id)))
    assert "no topics" in text_of(await subscriptions.mysubs(ctx, ""))


async def test_unsubscribe_without_topics_and_with_topics_offers_buttons(deps: Deps) -> None:
    ctx = await context(deps)
    assert "no topics" in text_of(await subscriptions.unsubscribe(ctx, ""))
    await subscriptions.follow(ctx, "diffusion")
    (pick,) = await subscriptions.unsubscribe(ctx, "")
    assert pick.buttons[0][0].label.startswith("✖ 1.")


async def test_popular_topics_as_buttons(deps: Deps) -> None:
    async with deps.db.session() as session:
        for _ in range(3):
            await store_paper(session, make_paper(published_at=utcnow(), updated_at=utcnow()))
    ctx = await context(deps)
    (offered,) = await subscriptions.topics(ctx, "")
    assert paragraphs(offered.content)[0].runs[0] == bold("Popular topics")
    press = offered.buttons[0][0]
    assert press.action == "sub" and press.label.startswith("＋")
    assert "Following" in text_of(await subscriptions.follow_remembered(ctx, press.args[0]))


async def test_topics_with_no_papers(deps: Deps) -> None:
    assert "Not enough papers" in text_of(await subscriptions.topics(await context(deps), ""))


async def test_settings_are_fields_and_a_change_answers_in_the_new_language(deps: Deps) -> None:
    ctx = await context(deps)
    await subscriptions.start(ctx, "")
    (panel,) = await settings.settings_command(ctx, "")
    assert panel.content[0] == Heading("Settings")
    fields = [b for b in panel.content if isinstance(b, Field)]
    assert [f.label for f in fields][:2] == ["Language", "Digest mode"]
    assert fields[0].value == paragraph("English").runs and fields[0].separator == ": "
    (changed,) = await settings.change(ctx, "language", "zh")
    assert changed.edit and changed.content[0] == Heading("设置")
    zh_fields = [b for b in changed.content if isinstance(b, Field)]
    assert (zh_fields[0].label, zh_fields[0].separator) == ("语言", "：")


async def test_group_settings_change_needs_a_group_admin(deps: Deps) -> None:
    member = Caller(platform="console", chat_id="g", user_id="reader", chat_type="group")
    with pytest.raises(NotAllowed):
        await settings.change(Context(caller=member, language="en", deps=deps), "paused", "1")
