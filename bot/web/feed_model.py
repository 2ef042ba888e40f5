"""What a feed says, once, for both formats: the newest issues or a search's papers as entries.

Atom (`feed_formats.atom_bytes`) and JSON Feed (`feed_formats.json_bytes`) are two spellings of
the same `FeedDoc`. Every string is made XML-safe here (`xml_safe`): titles and abstracts come
from arXiv and LLMs and may carry control characters that XML 1.0 cannot hold at all, escaped
or not, so they are dropped rather than let one paper break a reader's whole feed. URLs are
absolute (under PUBLIC_BASE_URL, else the request's own origin): a feed is read far from the
site; they are built by `bot.web.links.Links`, as the pages' own links are. A paper's key
figure is shown in its card and is the entry's image (an issue's: its first paper's that has
one), at its absolute `/figures/…` URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from jinja2 import Template

from bot.render.context import PaperCard, card_from_paper, issue_cards
from bot.render.engine import period
from bot.render.labels import labels_for
from bot.render.weekly import render_weekly
from bot.web.links import Links
from bot.web.render import environment
from domain.issue_ref import IssueRef
from domain.types import IssueKind, IssueView, PaperView, SearchHit

# XML 1.0's Char production, inverted: C0 controls but tab/newline/return, surrogates, FFFE/F.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (escaping cannot carry them)."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class FeedImage:
    """An entry's image: Atom's enclosure link, JSON Feed's `image`."""

    url: str  # absolute
    mime_type: str
    size: int  # bytes


@dataclass(frozen=True)
class FeedEntry:
    id: str  # the permalink: stable as long as the base URL is
    url: str
    title: str
    html: str  # the full content
    summary: str  # one line for readers that show a teaser
    published: datetime
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image: FeedImage | None = None


@dataclass(frozen=True)
class FeedDoc:
    title: str
    description: str
    home_url: str  # the page this feed follows
    feed_url: str  # where this document lives (rel="self")
    language: str
    entries: tuple[FeedEntry, ...] = field(default_factory=tuple)

    @property
    def updated(self) -> datetime:
        """The newest entry's date (the epoch for an empty feed: it never changed)."""
        return max((entry.published for entry in self.entries), default=EPOCH)


def _template() -> Template:
    """The entry template, from the pages' own environment (autoescape, the same filters)."""
    return environment().get_template("feed_entry.j2")


def _macro(language: str, name: str, *args: object) -> str:
    module = _template().make_module({"L": labels_for(language)})
    return xml_safe(str(getattr(module, name)(*args)).strip())


def issue_entry(view: IssueView, links: Links) -> FeedEntry:
    """One published issue, all its papers in the content; `links` absolute (with an origin)."""
    items = view.included_items
    images = [_image(item.paper, links) for item in items]
    cards = [
        _with_figure(card, image) for card, image in zip(issue_cards(view), images, strict=True)
    ]
    urls = [links.absolute(links.paper(i.paper.meta.arxiv_id)) for i in items]
    heading = labels_for(view.language)["issue_heading"].format(number=view.number)
    html = _macro(view.language, "issue", view, period(view), cards, urls)
    if view.kind is IssueKind.WEEKLY:  # seed 001's shape, as on its page
        heading = IssueRef(view.number, view.kind).label(view.language)
        html = xml_safe(render_weekly(view, "wechat", web_url="", measure=len)[0])
    url = links.absolute(links.issue(view.number, view.kind))
    return FeedEntry(
        id=url,
        url=url,
        title=xml_safe(f"{heading} · {view.title}"),
        html=html,
        summary=xml_safe(" · ".join(card.display_title for card in cards)[:500]),
        published=view.published_at or view.created_at,
        tags=tuple(sorted({xml_safe(c.venue) for c in cards})),
        image=next((image for image in images if image is not None), None),
    )


def paper_entry(hit: SearchHit, links: Links) -> FeedEntry:
    """One paper of a search, its card as the content."""
    language = links.language
    image = _image(hit.paper, links)
    card = _with_figure(card_from_paper(hit.paper, ref=0, language=language), image)
    meta = hit.paper.meta
    url = links.absolute(links.paper(meta.arxiv_id))
    return FeedEntry(
        id=url,
        url=url,
        title=xml_safe(card.display_title),
        html=_macro(language, "paper", card, url),
        summary=xml_safe(card.tldr or card.abstract[:500]),
        published=meta.published_at,
        authors=tuple(xml_safe(name) for name in meta.authors[:20]),
        tags=tuple(xml_safe(category) for category in meta.categories),
        image=image,
    )


def _image(paper: PaperView, links: Links) -> FeedImage | None:
    figure = paper.figure
    if figure is None:
        return None
    url = links.absolute(links.figure(paper.meta.arxiv_id, figure))
    return FeedImage(url, figure.mime_type, figure.size)


def _with_figure(card: PaperCard, image: FeedImage | None) -> PaperCard:
    """The card showing its figure from the feed image's absolute URL."""
    return replace(card, figure_url=image.url) if image is not None else card
