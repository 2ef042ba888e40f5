"""Atom documents for the fake arXiv: papers, API pages, RSS announcements, real fixtures.

Generated entries copy the shape of arXiv's real responses (the recorded fixtures in
`../shared/fixtures/arxiv-api/`), so the real `arxiv` package parses them exactly as it parses
arXiv. The recorded fixtures themselves are indexed too: their raw entries answer `id_list`
queries for their ids, and their whole bodies answer the exact queries they were recorded for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
ARXIV_TZ = ZoneInfo("America/New_York")
_NS = (
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom"'
)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class FakePaper:
    """One version of a paper the fake arXiv knows."""

    arxiv_id: str
    title: str
    abstract: str
    published: datetime
    version: int = 1
    updated: datetime | None = None
    authors: tuple[str, ...] = ("Ada Lovelace",)
    categories: tuple[str, ...] = ("cs.LG",)
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    extra_links: tuple[str, ...] = ()

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}"

    def next_version(self, **changes: object) -> FakePaper:
        updated = (self.updated or self.published) + timedelta(days=1)
        values: dict[str, object] = {"version": self.version + 1, "updated": updated}
        values.update(changes)
        return replace(self, **values)  # type: ignore[arg-type]

    def entry_xml(self) -> str:
        vid = self.versioned_id
        links = [
            f'<link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
            f'<link href="https://arxiv.org/pdf/{vid}" rel="related" type="application/pdf" '
            'title="pdf"/>',
            *(f'<link href={quoteattr(href)} rel="related"/>' for href in self.extra_links),
        ]
        optional = [
            ("arxiv:comment", self.comment),
            ("arxiv:journal_ref", self.journal_ref),
            ("arxiv:doi", self.doi),
        ]
        return "\n".join(
            [
                "  <entry>",
                f"    <id>http://arxiv.org/abs/{vid}</id>",
                f"    <title>{escape(self.title)}</title>",
                f"    <updated>{_stamp(self.updated or self.published)}</updated>",
                *(f"    {link}" for link in links),
                f"    <summary>{escape(self.abstract)}</summary>",
                *(
                    f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
                    for c in self.categories
                ),
                f"    <published>{_stamp(self.published)}</published>",
                *(f"    <{tag}>{escape(value)}</{tag}>" for tag, value in optional if value),
                f"    <arxiv:primary_category term={quoteattr(self.categories[0])}/>",
                *(
                    f"    <author>\n      <name>{escape(a)}</name>\n    </author>"
                    for a in self.authors
                ),
                "  </entry>",
            ]
        )


def api_feed(entries: Sequence[str], *, total: int, start: int, per_page: int) -> str:
    """An API response page: opensearch header plus the given `<entry>` blocks."""
    return "\n".join(
        [
            "<?xml version='1.0' encoding='UTF-8'?>",
            f"<feed {_NS}>",
            "  <id>https://arxiv.org/api/fake</id>",
            "  <title>arXiv Query</title>",
            f"  <updated>{_stamp(datetime.now(UTC))}</updated>",
            f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>",
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
            *entries,
            "</feed>",
            "",
        ]
    )


def api_error_feed(bad_id: str) -> str:
    """What arXiv answers (with HTTP 400) for a malformed id."""
    anchor = f"https://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad_id)}"
    entry = (
        f"  <entry>\n    <id>{anchor}</id>\n    <title>Error</title>\n"
        f"    <updated>{_stamp(datetime.now(UTC))}</updated>\n"
        f"    <summary>incorrect id format for {escape(bad_id)}</summary>\n"
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>"
    )
    return api_feed([entry], total=1, start=0, per_page=1)


@dataclass(frozen=True)
class Announced:
    paper: FakePaper
    announce_type: str = "new"  # new | cross | replace | replace-cross


def rss_feed(items: Iterable[Announced], *, on: date, categories: Sequence[str]) -> str:
    """arXiv's RSS/Atom announcement feed for `on`; no items = the weekend/holiday feed."""
    midnight = datetime.combine(on, time(), tzinfo=ARXIV_TZ)
    name = "+".join(categories)
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<feed xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns="http://www.w3.org/2005/Atom" '
        'xml:lang="en-us">',
        f"  <id>http://rss.arxiv.org/atom/{escape(name)}</id>",
        f"  <title>{escape(name)} updates on arXiv.org</title>",
        f"  <updated>{midnight.astimezone(UTC).isoformat()}</updated>",
        f'  <link href="http://rss.arxiv.org/atom/{escape(name)}" rel="self" '
        'type="application/atom+xml"/>',
    ]
    for item in items:
        lines.append(_rss_entry(item, midnight))
    lines.append("</feed>\n")
    return "\n".join(lines)


def _rss_entry(item: Announced, midnight: datetime) -> str:
    paper = item.paper
    return "\n".join(
        [
            "  <entry>",
            f"    <id>oai:arXiv.org:{paper.versioned_id}</id>",
            f"    <title>{escape(paper.title)}</title>",
            f"    <updated>{midnight.astimezone(UTC).isoformat()}</updated>",
            f'    <link href="https://arxiv.org/abs/{paper.arxiv_id}" rel="alternate" '
            'type="text/html"/>',
            f"    <summary>arXiv:{paper.versioned_id} Announce Type: {item.announce_type}\n"
            f"Abstract: {escape(paper.abstract)}</summary>",
            *(f"    <category term={quoteattr(c)}/>" for c in paper.categories),
            f"    <published>{midnight.isoformat()}</published>",
            f"    <arxiv:announce_type>{item.announce_type}</arxiv:announce_type>",
            f"    <dc:creator>{escape(', '.join(paper.authors))}</dc:creator>",
            "  </entry>",
        ]
    )


def make_papers(
    count: int,
    *,
    start: datetime,
    step: timedelta = timedelta(minutes=7),
    categories: tuple[str, ...] = ("cs.LG",),
    yymm: str = "2611",
    first_number: int = 1,
) -> list[FakePaper]:
    """`count` deterministic papers submitted `step` apart from `start`."""
    papers = []
    for n in range(count):
        number = first_number + n
        papers.append(
            FakePaper(
                arxiv_id=f"{yymm}.{number:05d}",
                title=f"Synthetic study {number} of\n  sparse attention",
                abstract=f"We study problem {number}. Accuracy improves by {n % 40 + 1}.5%.\n"
                "  Code is at https://github.com/fake-lab/study-"
                f"{number}.",
                published=start + n * step,
                authors=(f"Author {number}", "Grace Hopper"),
                categories=categories,
            )
        )
    return papers


@dataclass
class RecordedFixtures:
    """The recorded API responses: whole bodies by query, raw entries by arXiv id."""

    bodies: dict[tuple[str, str, str, str], tuple[int, str]] = field(default_factory=dict)
    entries: dict[str, dict[int, str]] = field(default_factory=dict)


def query_key(params: dict[str, str]) -> tuple[str, str, str, str]:
    keys = ("search_query", "id_list", "start", "max_results")
    return tuple(params.get(key, "") for key in keys)  # type: ignore[return-value]


_ENTRY_RE = re.compile(r"  <entry>.*?</entry>", re.DOTALL)
_ENTRY_ID_RE = re.compile(r"<id>https?://arxiv\.org/abs/(?P<id>.+?)v(?P<v>\d+)</id>")


def load_recorded(directory: Path = FIXTURES / "arxiv-api") -> RecordedFixtures:
    recorded = RecordedFixtures()
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        params = dict(parse_qsl(urlsplit(data["url"]).query, keep_blank_values=True))
        recorded.bodies[query_key(params)] = (data["status_code"], data["body"])
        for raw in _ENTRY_RE.findall(data["body"]):
            if match := _ENTRY_ID_RE.search(raw):
                versions = recorded.entries.setdefault(match["id"], {})
                versions[int(match["v"])] = raw
    return recorded


RSS_FIXTURE = FIXTURES / "arxiv-rss" / "cs.AI-atom-2025-08-20.xml"
_RSS_ENTRY_RE = re.compile(r"<entry>(.*?)</entry>", re.DOTALL)


def rss_fixture_papers(path: Path = RSS_FIXTURE) -> list[FakePaper]:
    """API-side papers for the real RSS fixture's entries, so its ids resolve."""
    papers = []
    for body in _RSS_ENTRY_RE.findall(path.read_text(encoding="utf-8")):
        vid = re.search(r"<id>oai:arXiv\.org:(.+?)</id>", body)
        title = re.search(r"<title>(.*?)</title>", body, re.DOTALL)
        summary = re.search(r"Abstract: (.*?)</summary>", body, re.DOTALL)
        creators = re.search(r"<dc:creator>(.*?)</dc:creator>", body, re.DOTALL)
        if not (vid and title and summary and creators):
            continue
        arxiv_id, _, version = vid[1].rpartition("v")
        papers.append(
            FakePaper(
                arxiv_id=arxiv_id,
                version=int(version),
                title=_unescape(title[1]),
                abstract=_unescape(summary[1]),
                published=datetime(2025, 8, 18, 17, 30, tzinfo=UTC),
                authors=tuple(_unescape(creators[1]).split(", ")),
                categories=tuple(re.findall(r'<category term="([^"]+)"', body)),
            )
        )
    return papers


def _unescape(text: str) -> str:
    from xml.sax.saxutils import unescape

    return unescape(text)
