"""/latest, /issue, /issues, /search and /paper through their content: laid-out issues and
papers are blocks holding the view, lists and links are structure."""

from __future__ import annotations

import pytest

from bot.commands import issues, paper, search
from bot.commands.context import Deps
from domain.content import Heading, IssueMessage, Link, NumberedList, PaperMessage, bold, italic
from domain.errors import InvalidInput, NotFound
from tests.factories import make_paper, store_paper
from tests.seed_papers import load_seed_papers, seed_summary
from tests.unit.commands.conftest import context, only, paragraphs, text_of


async def test_latest_is_the_issue_as_its_messages_with_the_nav_on_the_last(demo: Deps) -> None:
    answer = await issues.latest(await context(demo, "zh"), "")
    blocks = [reply.content for reply in answer]
    assert all(len(c) == 1 and isinstance(c[0], IssueMessage) for c in blocks)
    assert [c[0].part for c in blocks] == list(range(len(answer)))  # type: ignore[union-attr]
    assert blocks[0][0].issue.number == 1  # type: ignore[union-attr]
    assert all(not reply.buttons for reply in answer[:-1])
    assert answer[-1].buttons == ((),)  # the only issue: neither older nor newer


async def test_issue_by_number_and_a_bad_number(demo: Deps) -> None:
    ctx = await context(demo)
    (message, *_) = await issues.issue(ctx, "第1期")
    assert isinstance(message.content[0], IssueMessage)
    with pytest.raises(InvalidInput):
        await issues.issue(ctx, "abc")
    with pytest.raises(NotFound):
        await issues.issue(ctx, "99")


async def test_issues_lists_issues_with_a_bold_heading_and_buttons(demo: Deps) -> None:
    (listing,) = await issues.issues(await context(demo), "")
    title = paragraphs(listing.content)[0]
    assert title.runs[0] == bold("Past issues") and "(1 in all)" in title.text
    assert paragraphs(listing.content)[1].text.startswith("issue 1 · ")
    assert paragraphs(listing.content)[-1].text == "page 1/1"
    (pick,) = listing.buttons[0]
    assert (pick.label, pick.action, pick.args) == ("issue 1", "issue", ("1",))


async def test_issues_when_there_are_none(deps: Deps) -> None:
    assert "no issues" in text_of(await issues.issues(await context(deps), ""))


async def test_search_hits_are_a_loose_numbered_list_of_links(demo: Deps) -> None:
    (page,) = await search.search(await context(demo), "learning")
    heading, _, hits = page.content
    assert isinstance(heading, Heading) and heading.text.startswith("Results 1–5 of")
    assert isinstance(hits, NumberedList) and hits.loose and hits.start == 1
    title, _, facts, *_ = hits.items[0]
    assert isinstance(title, Link) and title.url.startswith("https://arxiv.org/abs/")
    assert facts == italic(facts.text) and "in issue 1" in facts.text
    *feedback, pager = page.buttons
    assert [b.label for b in feedback[0]] == ["👍 1", "👎 1", "⭐ 1"]  # a row per hit
    assert len(feedback) == 5 and {b.action for row in feedback for b in row} == {"fb"}
    assert [b.label for b in pager] == ["Next ▶"]


async def test_search_next_page_and_nothing_found(demo: Deps) -> None:
    ctx = await context(demo)
    (page,) = await search.search(ctx, "learning")
    key, _ = page.buttons[-1][0].args  # the pager, under the hits' feedback rows
    (second,) = await search.search_more(ctx, key, 2)
    assert second.edit and second.content[0].text.startswith("Results 6–10")  # type: ignore[union-attr]
    none = only(await search.search(ctx, "zzzzqqq <b>"))
    assert "“zzzzqqq <b>”" in paragraphs(none)[0].text
    with pytest.raises(InvalidInput):
        await search.search(ctx, "  ")


async def test_paper_shows_a_stored_paper_as_its_card(deps: Deps) -> None:
    async with deps.db.session() as session:
        meta = make_paper(arxiv_id="2611.00999", title="Tom & Jerry <3")
        await store_paper(session, meta, seed_summary(load_seed_papers()[0]), language="en")
    (card,) = await paper.paper(await context(deps), "https://arxiv.org/abs/2611.00999")
    (block,) = card.content
    assert isinstance(block, PaperMessage) and block.language == "en"
    assert block.paper.meta.title == "Tom & Jerry <3"


async def test_paper_usage_and_unknown_paper_without_a_fetcher(deps: Deps) -> None:
    ctx = await context(deps)
    with pytest.raises(InvalidInput):
        await paper.paper(ctx, "")
    with pytest.raises(NotFound):
        await paper.paper(ctx, "2611.77777")
