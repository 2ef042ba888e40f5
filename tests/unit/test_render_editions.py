"""Telegram's editions (`bot.telegram.editions`): which papers become photos, captions within
1024 characters once parsed and never broken HTML, the fallback to a short caption plus text,
feedback rows per listed paper, and the same parts on every render."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.render.split import visible
from bot.telegram.editions import GROUP, PRIVATE, edition_of, edition_parts, sendable_photo
from bot.telegram.targets import CHANNEL
from domain.fulltext import FigureView
from domain.types import IssueView, SummaryContent
from tests.fakes.telegram_html import check_message, parse_html
from tests.unit.test_render import HOSTILE, make_issue

BASE = "https://digest.example.org/"


def figure(paper_id: int, **changes: object) -> FigureView:
    view = FigureView(
        paper_id, "Figure 1", "Overview <of> the & pipeline " * 3, "image/png", 800, 600, 90_000,
        "https://arxiv.org/html/2404.00001v1/x1.png",
    )  # fmt: skip
    return replace(view, **changes)  # type: ignore[arg-type]


def with_figures(issue: IssueView, *positions: int, **changes: object) -> IssueView:
    items = tuple(
        replace(item, paper=replace(item.paper, figure=figure(item.paper.id, **changes)))
        if item.position in positions else item
        for item in issue.items
    )  # fmt: skip
    return replace(issue, items=items)


def parts(issue: IssueView, edition: str, **options: bool) -> list:
    flags = {"photos": True, "buttons": True, **options}
    return edition_parts(issue, edition, web_url="", public_base_url=BASE, **flags)


def test_editions_follow_the_row() -> None:
    assert edition_of(CHANNEL, "@digest") == CHANNEL
    assert edition_of("subscriber", "123456") == PRIVATE
    assert edition_of("subscriber", "-100123456") == GROUP
    assert edition_of("subscriber", "-42") == GROUP


@pytest.mark.parametrize("language", ["zh", "en"])
def test_channel_photos_have_valid_captions_and_every_paper_once(language: str) -> None:
    issue = with_figures(make_issue(language=language), 1, 3, 4)
    rendered = parts(issue, CHANNEL)
    photos = [p for p in rendered if p.photo is not None]
    assert [p.photo.paper_id for p in photos] == [1, 3, 4]
    for part in rendered:
        limit = 1024 if part.photo is not None else 4096
        assert check_message(part.text, limit=limit) is None, part.text[:200]
        assert part.buttons == ()
    for ref in range(1, 7):  # every paper's title line appears, in order, photo or text
        assert sum(f"<b>{ref}. " in p.text for p in rendered) >= 1
    assert parts(issue, CHANNEL) == rendered  # deterministic: the ledger resumes by index


def test_a_short_card_is_one_photo_and_a_long_one_a_photo_and_its_rest() -> None:
    issue = with_figures(make_issue(language="en", extractive=(1,)), 1, 3)
    first_paper = issue.items[0].paper
    meta = replace(first_paper.meta, abstract="A short abstract.")
    short = replace(first_paper, meta=meta, summary=None)
    issue = replace(issue, items=(replace(issue.items[0], paper=short), *issue.items[1:]))
    rendered = parts(issue, CHANNEL)
    first = rendered[1]  # after the header
    assert first.photo is not None and visible(first.text) <= 1024
    assert "<b>2. " in rendered[2].text  # paper 1 took one message: its whole card
    long = next(i for i, p in enumerate(rendered) if p.photo and p.photo.paper_id == 3)
    assert visible(rendered[long].text) <= 1024 and "💡" in rendered[long].text
    rest = rendered[long + 1]
    assert rest.photo is None and rest.text.startswith("<b>3. ") and "<blockquote" in rest.text


def test_hostile_titles_never_break_a_caption() -> None:
    issue = make_issue(language="en")
    items = []
    for item, bad in zip(issue.items, HOSTILE * 2, strict=False):
        content = SummaryContent(title_translated=(bad + " ") * 200, tldr=(bad + " ") * 80)
        summary = replace(item.paper.summary, content=content)
        items.append(replace(item, paper=replace(item.paper, summary=summary)))
    issue = with_figures(replace(issue, items=tuple(items)), 1, 2, 3, 4, 5, 6)
    for part in parts(issue, CHANNEL):
        assert check_message(part.text, limit=1024 if part.photo else 4096) is None
        assert parse_html(part.text).text.strip()


@pytest.mark.parametrize(
    "changes",
    [
        {"mime_type": "image/gif"},
        {"size": 10 * 1024 * 1024 + 1},
        {"width": 9000, "height": 1001},
        {"width": 2100, "height": 100},
    ],
)
def test_figures_telegram_would_refuse_stay_text(changes: dict[str, object]) -> None:
    assert not sendable_photo(figure(1, **changes))
    issue = with_figures(make_issue(language="en"), 1, **changes)
    assert all(part.photo is None for part in parts(issue, CHANNEL))


def test_private_gets_a_figure_link_and_a_row_per_listed_paper() -> None:
    issue = with_figures(make_issue(language="zh"), 2)
    rendered = parts(issue, PRIVATE)
    assert all(p.photo is None for p in rendered)
    assert sum(f'🖼 <a href="{BASE}figures/' in p.text for p in rendered) == 1
    for part in rendered:
        listed = [n for n in range(1, 7) if f"<b>{n}. " in part.text]
        labels = [row[0].label for row in part.buttons]
        assert labels == [f"👍 {n}" for n in listed]
        assert all(len(row) == 3 and row[0].action == "fb" for row in part.buttons)
    assert next(row[0].args for p in rendered for row in p.buttons) == ("1", "up")


def test_groups_and_button_less_senders_get_the_private_text_alone() -> None:
    issue = with_figures(make_issue(language="zh"), 2)
    private = parts(issue, PRIVATE)
    assert [p.text for p in parts(issue, GROUP)] == [p.text for p in private]
    assert all(p.buttons == () for p in parts(issue, GROUP))
    assert all(p.buttons == () for p in parts(issue, PRIVATE, buttons=False))
    channel_text = parts(issue, CHANNEL, photos=False)  # no figure store: text, no links
    assert all(p.photo is None and "🖼" not in p.text for p in channel_text)
