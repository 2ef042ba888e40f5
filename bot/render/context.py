"""What a template sees of a paper: plain strings, already merged with editor overrides.

Templates stay free of logic (no None checks on summaries, no fallbacks): a paper without an
LLM summary simply has empty LLM-only fields and `extractive=True`. Guard flags stay out of
here on purpose: they are for the editor's review, not for readers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from bot.render.labels import labels_for
from domain.fulltext import FigureView
from domain.rating import score_text, stars
from domain.types import IssueItemView, IssueView, PaperMeta, PaperView, SummarySource
from domain.venue import detect_venue
from domain.web_paths import public_figure_url

MAX_AUTHORS = 6  # all names up to six, as seed 002 lists them; more: the first three and 等
SHOWN_WHEN_MANY = 3
MAX_ALT = 120  # alt text: the caption's start, enough to say what the figure shows


@dataclass(frozen=True)
class PaperCard:
    ref: int
    title: str  # as on arXiv
    display_title: str  # translated, or the editor's
    authors: str
    venue: str
    year: int
    abs_url: str
    pdf_url: str
    code_url: str
    tldr: str
    background: str = ""
    method: str = ""
    contributions: tuple[str, ...] = ()
    results: str = ""
    future_work: str = ""
    summary: str = ""  # 摘要: the 本文 summary (empty in summaries written before it existed)
    overview: str = ""  # 内容概要 prose
    rating: float | None = None
    rating_reason: str = ""
    keywords: str = ""
    abstract: str = ""
    abstract_translated: str = ""
    editor_note: str = ""
    recommended: bool = False  # "为你推荐 / Recommended for you" (`core.services.sendtime`)
    extractive: bool = False
    summarized: bool = True
    figure: FigureView | None = None  # the key figure; where it is served depends on the page
    figure_caption: str = ""  # "Figure 1: …" on one line
    figure_alt: str = ""  # the caption shortened (or the title): the image's alt text
    figure_url: str = ""  # absolute under PUBLIC_BASE_URL, when the renderer was given it

    @property
    def has_analysis(self) -> bool:
        fields = (self.background, self.method, self.results, self.future_work)
        return any(fields) or bool(self.contributions)

    @property
    def venue_year(self) -> str:
        """`ICLR 2025 (Oral)` when the venue names its year, else `arXiv cs.CL · 2026`."""
        return self.venue if str(self.year) in self.venue else f"{self.venue} · {self.year}"

    @property
    def stars(self) -> str:
        """`★★★½` for 3.5: every renderer shows the score this way."""
        return stars(self.rating)

    @property
    def score(self) -> str:
        """`3.5`, `4`: the number beside the stars."""
        return score_text(self.rating) if self.rating is not None else ""

    @property
    def show_original_title(self) -> bool:
        return self.display_title.casefold() != self.title.casefold()


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def card_from_paper(
    paper: PaperView,
    *,
    ref: int,
    language: str,
    title_override: str | None = None,
    tldr_override: str | None = None,
    editor_note: str | None = None,
    public_base_url: str | None = None,
) -> PaperCard:
    """The card of `paper`; `public_base_url` (PUBLIC_BASE_URL) gives its figure an absolute
    URL for documents read elsewhere (Markdown)."""
    meta, summary = paper.meta, paper.summary
    content = summary.content if summary else None
    translated = content.title_translated if content else ""
    venue, year = _venue(meta)
    return PaperCard(
        ref=ref,
        title=one_line(meta.title),
        display_title=one_line(title_override or translated or meta.title),
        authors=_authors(meta.authors, language),
        venue=venue,
        year=year,
        abs_url=meta.abs_url,
        pdf_url=meta.pdf_url,
        code_url=_web_url((content.code_url if content else None) or meta.code_url),
        tldr=(tldr_override or (content.tldr if content else "")).strip(),
        editor_note=(editor_note or "").strip(),
        abstract=meta.abstract.strip(),
        extractive=summary is None or summary.source == SummarySource.EXTRACTIVE,
        summarized=summary is not None,
        **_figure_fields(paper, public_base_url),
        **(_content_fields(content.model_dump(), language) if content else {}),
    )


def _content_fields(content: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "background": content["background"].strip(),
        "method": content["method"].strip(),
        "contributions": tuple(c.strip() for c in content["contributions"] if c.strip()),
        "results": content["results"].strip(),
        "future_work": content["future_work"].strip(),
        "summary": content.get("summary", "").strip(),
        "overview": content.get("overview", "").strip(),
        "rating": content["rating"],
        "rating_reason": content["rating_reason"].strip(),
        "keywords": labels_for(language)["list_sep"].join(
            one_line(k) for k in content["keywords"] if k.strip()
        ),
        "abstract_translated": content["abstract_translated"].strip(),
    }


def _figure_fields(paper: PaperView, public_base_url: str | None) -> dict[str, Any]:
    figure = paper.figure
    if figure is None:
        return {}
    caption = one_line(": ".join(part for part in (figure.label, figure.caption) if part.strip()))
    alt = caption or one_line(paper.meta.title)
    url = public_figure_url(public_base_url, paper.meta.arxiv_id, figure) if public_base_url else ""
    return {
        "figure": figure,
        "figure_caption": caption,
        "figure_alt": alt if len(alt) <= MAX_ALT else alt[: MAX_ALT - 1].rstrip() + "…",
        "figure_url": url,
    }


def _web_url(url: str | None) -> str:
    """Only http(s) links become links: a `javascript:` URL must never reach a reader."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) and " " not in url else ""


def _venue(meta: PaperMeta) -> tuple[str, int]:
    """(`ICLR 2025 (Oral)`, 2025) from the comment or journal reference, else arXiv's."""
    venue = detect_venue(meta.comment, meta.journal_ref)
    if venue is None:
        return f"arXiv {meta.primary_category}".strip(), meta.published_at.year
    return one_line(venue.label), venue.year or meta.published_at.year


def _authors(authors: tuple[str, ...], language: str) -> str:
    """Every name up to MAX_AUTHORS; beyond that the first three and `等` / `et al.`."""
    names = [one_line(name) for name in authors if name.strip()]
    if len(names) <= MAX_AUTHORS:
        return ", ".join(names)
    return f"{', '.join(names[:SHOWN_WHEN_MANY])} {labels_for(language)['more_authors']}"


def card_from_item(
    item: IssueItemView, *, ref: int, language: str, public_base_url: str | None = None
) -> PaperCard:
    card = card_from_paper(
        item.paper,
        ref=ref,
        language=language,
        title_override=item.title_override,
        tldr_override=item.tldr_override,
        editor_note=item.editor_note,
        public_base_url=public_base_url,
    )
    return replace(card, recommended=True) if item.recommended else card


def issue_cards(issue: IssueView, public_base_url: str | None = None) -> list[PaperCard]:
    """The included papers, numbered 1..n in the editor's order."""
    return [
        card_from_item(item, ref=ref, language=issue.language, public_base_url=public_base_url)
        for ref, item in enumerate(issue.included_items, start=1)
    ]
