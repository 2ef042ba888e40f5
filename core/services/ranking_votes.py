"""Readers' votes as editors see them: counts per paper and per issue, and for papers nobody
could vote on yet (a draft's), the votes their most similar past papers got.

Only counts leave this module, and only towards editors (`/review`, `/stats`) and the blended
order (`RANKING_BLEND`, `blend_order`): which reader voted how is never shown to anyone.
"Similar" is the personal models' own TF-IDF cosine (`core.services.ranking_vectors`), over
the papers readers marked most recently (`VOTED_LIMIT`), so it costs one sparse product per
issue, never a scan of the archive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import ranking_vectors as rv
from domain.types import PaperView
from storage.queries import ranking as rq

NEIGHBOURS = 5  # past papers whose votes speak for a new one
MIN_SIMILARITY = 0.2  # cosine below which a past paper says nothing about this one
VOTED_LIMIT = 5000  # the most recently marked papers searched for neighbours


@dataclass(frozen=True)
class Tally:
    """👍, 👎 and ⭐ counts (each reader once per paper)."""

    up: int = 0
    down: int = 0
    saved: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.up + other.up, self.down + other.down, self.saved + other.saved)

    @property
    def marks(self) -> int:
        return self.up + self.down + self.saved

    @property
    def approval(self) -> float:
        """(👍 + ⭐ − 👎) / (marks + 1): in (−1, 1), shrunk towards 0 when few voted."""
        return (self.up + self.saved - self.down) / (self.marks + 1)


@dataclass(frozen=True)
class Neighbourhood:
    """The past papers most similar to one paper that readers marked: how many, their
    summed counts, and their approval averaged with cosine weights (0 without any)."""

    papers: int = 0
    tally: Tally = Tally()
    approval: float = 0.0


@dataclass(frozen=True)
class PaperVotes:
    position: int
    paper_id: int
    own: Tally
    similar: Neighbourhood


@dataclass(frozen=True)
class IssueVotes:
    papers: tuple[PaperVotes, ...]

    @property
    def own(self) -> Tally:
        return sum((p.own for p in self.papers), Tally())

    @property
    def similar(self) -> Tally:
        return sum((p.similar.tally for p in self.papers), Tally())


async def issue_votes(session: AsyncSession, *, items: Sequence[tuple[int, int]]) -> IssueVotes:
    """Votes on an issue's papers (`items`: (position, paper id)) and on their neighbours."""
    ids = [pid for _, pid in items]
    own = await rq.tallies_of(session, paper_ids=ids)
    near = await neighbourhoods(session, paper_ids=ids)
    return IssueVotes(
        tuple(
            PaperVotes(position, pid, Tally(*own.get(pid, (0, 0, 0))), near[pid])
            for position, pid in items
        )
    )


async def neighbourhoods(
    session: AsyncSession, *, paper_ids: Sequence[int]
) -> dict[int, Neighbourhood]:
    """For each paper, its `NEIGHBOURS` most similar marked papers outside `paper_ids` (the
    same issue's papers are not "past")."""
    empty = {pid: Neighbourhood() for pid in paper_ids}
    voted = await rq.voted_papers(session, limit=VOTED_LIMIT)
    for pid in paper_ids:
        voted.pop(pid, None)
    if not voted or not paper_ids:
        return empty
    idf = await rv.idf_weights(session)
    ids, x = await rv.matrix_of(session, paper_ids=paper_ids, idf=idf)
    past, y = await rv.matrix_of(session, paper_ids=list(voted), idf=idf)
    if not ids or not past:
        return empty
    similarity = await asyncio.to_thread(lambda: (x @ y.T).toarray())
    tallies = [Tally(*voted[pid]) for pid in past]
    return empty | {pid: _neighbourhood(similarity[row], tallies) for row, pid in enumerate(ids)}


def _neighbourhood(similarity: np.ndarray, tallies: list[Tally]) -> Neighbourhood:
    best = np.argsort(-similarity, kind="stable")[:NEIGHBOURS]
    near = [int(i) for i in best if similarity[i] >= MIN_SIMILARITY]
    if not near:
        return Neighbourhood()
    weights = similarity[near]
    approval = float(np.dot(weights, [tallies[i].approval for i in near]) / weights.sum())
    return Neighbourhood(len(near), sum((tallies[i] for i in near), Tally()), approval)


async def tally_since(session: AsyncSession, *, since: datetime) -> Tally:
    """All readers' marks set since `since` (`/stats`: this week's)."""
    return Tally(*await rq.tally_since(session, since=since))


BLEND_WEIGHT = 1.0  # at most one rating point, for a neighbourhood all readers approve


def blended(rating: float | None, near: Neighbourhood) -> float:
    """A paper's place under `RANKING_BLEND=on`:

        blended = rating + BLEND_WEIGHT × approval

    where `rating` is the LLM's 1–5 score (0 when unrated) and `approval` is the cosine-
    weighted mean, over its `NEIGHBOURS` most similar past papers that readers marked (cosine
    ≥ `MIN_SIMILARITY`), of (👍 + ⭐ − 👎) / (marks + 1) — in (−1, 1), near 0 when few
    voted, 0 when no neighbour. Readers' votes thus move a paper by under one point: they
    reorder papers the LLM rated alike, and overturn a full point only when unanimous."""
    return (rating or 0) + BLEND_WEIGHT * near.approval


async def blend_order(session: AsyncSession, papers: Sequence[PaperView]) -> list[PaperView]:
    """`papers` (in the composer's order) by `blended`, highest first; rated papers stay
    before unrated ones, and ties keep the composer's order."""
    near = await neighbourhoods(session, paper_ids=[p.id for p in papers])

    def key(paper: PaperView) -> tuple[bool, float]:
        rating = paper.summary.content.rating if paper.summary else None
        return rating is None, -blended(rating, near[paper.id])

    return sorted(papers, key=key)
