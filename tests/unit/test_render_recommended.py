"""A recommendation ("for you" in digest mode "topics", `core.services.sendtime`) is marked in
every message format a delivery row is rendered in, in the reader's language, under that
paper's title only; HTML stays valid."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.render import MESSAGE_FORMATS, render_issue
from bot.wechat.sender import WeChatCustomerSender
from tests.fakes.telegram_html import check_message
from tests.unit.test_render import make_issue

LABEL = {"zh": "为你推荐", "en": "Recommended for you"}


@pytest.mark.parametrize("fmt", MESSAGE_FORMATS)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_only_the_recommended_paper_is_marked(fmt: str, language: str) -> None:
    issue = make_issue(language=language)
    items = list(issue.items)
    items[2] = replace(items[2], recommended=True)
    marked = "".join(render_issue(replace(issue, items=tuple(items)), fmt))
    plain = "".join(render_issue(issue, fmt))

    assert marked.count(LABEL[language]) == 1 and LABEL[language] not in plain
    after = marked.index(LABEL[language])
    assert marked.rfind("3. ", 0, after) > marked.rfind("2. ", 0, after)  # under paper 3
    assert marked.find("4. ", after) > after
    if fmt == "telegram":
        for message in render_issue(replace(issue, items=tuple(items)), fmt):
            check_message(message)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_wechat_followers_see_the_mark_under_the_title(language: str) -> None:
    """WeChat's customer-service digest has its own short layout (title, TL;DR, link)."""
    issue = make_issue(language=language)
    items = list(issue.items)
    items[0] = replace(items[0], recommended=True)
    sender = WeChatCustomerSender(api=None)  # type: ignore[arg-type]
    text = "\n".join(sender.render(replace(issue, items=tuple(items)), language=language))
    plain = "\n".join(sender.render(issue, language=language))

    assert text.count(f"✨ {LABEL[language]}") == 1 and LABEL[language] not in plain
    first_title = text.index("1. ")
    assert first_title < text.index(LABEL[language]) < text.index("2. ")
