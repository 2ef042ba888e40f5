"""A `FeedDoc` as Atom (RFC 4287) or JSON Feed 1.1 bytes.

Atom is written by feedgen, which builds the document with lxml: well-formedness is the XML
serializer's job, not a template's, so no title or `]]>` in an abstract can break out of its
element, and feedgen refuses a feed missing what Atom requires (id, title, updated). JSON Feed
is plain JSON (json.dumps escapes everything a string can hold).
"""

from __future__ import annotations

import json

from feedgen.feed import FeedGenerator
from lxml import etree

from bot.web.feed_model import FeedDoc, FeedEntry

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "digestbot"
ATOM = "http://www.w3.org/2005/Atom"


def atom_bytes(doc: FeedDoc) -> bytes:
    """The feed as an Atom document (UTF-8), entries in the order given."""
    feed = FeedGenerator()
    feed.id(doc.feed_url)
    feed.title(doc.title)
    feed.subtitle(doc.description)
    feed.author({"name": GENERATOR})
    feed.link(href=doc.home_url, rel="alternate", type="text/html")
    feed.link(href=doc.feed_url, rel="self", type="application/atom+xml")
    feed.language(doc.language)
    feed.generator(GENERATOR)
    feed.updated(doc.updated)
    for entry in doc.entries:
        _atom_entry(feed, entry)
    return _with_enclosures(bytes(feed.atom_str(pretty=False)), doc.entries)


def _with_enclosures(atom: bytes, entries: tuple[FeedEntry, ...]) -> bytes:
    """Each entry's image as `<link rel="enclosure">`, added to the built tree: feedgen 1.0
    writes an entry's links without their `rel`, so an enclosure it wrote would read as a
    second alternate link (the entry's page) in every reader."""
    if not any(entry.image for entry in entries):
        return atom
    root = etree.fromstring(atom)
    for element, entry in zip(root.iterfind(f"{{{ATOM}}}entry"), entries, strict=True):
        if entry.image is not None:
            etree.SubElement(element, f"{{{ATOM}}}link", href=entry.image.url, rel="enclosure",
                             type=entry.image.mime_type, length=str(entry.image.size))  # fmt: skip
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _atom_entry(feed: FeedGenerator, entry: FeedEntry) -> None:
    item = feed.add_entry(order="append")  # feedgen prepends by default
    item.id(entry.id)
    item.title(entry.title)
    item.link(href=entry.url, rel="alternate", type="text/html")
    item.published(entry.published)
    item.updated(entry.published)
    item.summary(entry.summary)
    item.content(entry.html, type="html")
    for name in entry.authors:
        item.author({"name": name})
    for tag in entry.tags:
        item.category(term=tag)


def json_bytes(doc: FeedDoc) -> bytes:
    """The feed as JSON Feed 1.1 (UTF-8, non-ASCII kept as it is)."""
    feed = {
        "version": JSON_FEED_VERSION,
        "title": doc.title,
        "description": doc.description,
        "home_page_url": doc.home_url,
        "feed_url": doc.feed_url,
        "language": doc.language,
        "authors": [{"name": GENERATOR}],
        "items": [_json_item(entry) for entry in doc.entries],
    }
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode()


def _json_item(entry: FeedEntry) -> dict[str, object]:
    item: dict[str, object] = {
        "id": entry.id,
        "url": entry.url,
        "title": entry.title,
        "content_html": entry.html,
        "summary": entry.summary,
        "date_published": entry.published.isoformat(),
    }
    if entry.authors:
        item["authors"] = [{"name": name} for name in entry.authors]
    if entry.tags:
        item["tags"] = list(entry.tags)
    if entry.image is not None:
        item["image"] = entry.image.url
    return item
