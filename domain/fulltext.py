"""The words for a paper read in full: where its text came from, its sections, its key figure.

A summary is only as good as what the model read. `PaperText` is what the reader
(`jobs.read`) made of arXiv's HTML rendering, else the PDF, else the abstract alone; every
summary records which (`TextSource`). `FigureView` is the one figure a reader is shown beside
the summary, with its caption; the image bytes stay in storage until a renderer asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TextSource(StrEnum):
    HTML = "html"  # arXiv's LaTeXML rendering: sections, figures, tables
    PDF = "pdf"  # the PDF's text layer, sections guessed from its headings
    ABSTRACT = "abstract"  # neither could be had: the abstract alone


class SectionKind(StrEnum):
    """What a section is for, as far as an input budget cares (classified by its title)."""

    ABSTRACT = "abstract"
    INTRODUCTION = "introduction"
    METHOD = "method"
    EXPERIMENTS = "experiments"
    CONCLUSION = "conclusion"
    OTHER = "other"  # related work, background, discussion…: kept when there is room
    REFERENCES = "references"  # dropped first, with the two below
    APPENDIX = "appendix"
    BOILERPLATE = "boilerplate"  # acknowledgements, ethics, checklists, contributions


# What the model never needs to read: dropped before anything is trimmed.
DROPPED_KINDS = frozenset({SectionKind.REFERENCES, SectionKind.APPENDIX, SectionKind.BOILERPLATE})
# The core of a paper; OTHER sections get only what these leave of the budget.
CORE_KINDS = frozenset(
    {
        SectionKind.INTRODUCTION,
        SectionKind.METHOD,
        SectionKind.EXPERIMENTS,
        SectionKind.CONCLUSION,
    }
)


@dataclass(frozen=True)
class Section:
    title: str
    kind: SectionKind
    text: str  # plain text: math as its LaTeX, tables as caption plus rows of cells


@dataclass(frozen=True)
class FigureCandidate:
    """A figure the HTML shows: its label ("Figure 1"), caption and absolute image URL."""

    label: str
    caption: str
    image_url: str
    in_appendix: bool = False


@dataclass(frozen=True)
class PaperText:
    """A paper as read: its sections in document order, the links it gives, its figures."""

    source: TextSource
    sections: tuple[Section, ...] = ()
    links: tuple[str, ...] = ()
    figures: tuple[FigureCandidate, ...] = field(default=(), compare=False)

    @property
    def is_full(self) -> bool:
        return self.source is not TextSource.ABSTRACT and bool(self.sections)

    def plain(self) -> str:
        """Every kept section's text, for checks that look for a number or a link in it."""
        return "\n".join(s.text for s in self.sections if s.kind not in DROPPED_KINDS)


@dataclass(frozen=True)
class FigureView:
    """The paper's key figure as stored: what a renderer needs to show it and its caption."""

    paper_id: int
    label: str
    caption: str
    mime_type: str  # image/png, image/jpeg, image/gif, image/webp: decoded, not guessed
    width: int
    height: int
    size: int  # bytes
    source_url: str  # where it was downloaded from (arXiv's URL for the image)

    @property
    def extension(self) -> str:
        return self.mime_type.removeprefix("image/").replace("jpeg", "jpg")
