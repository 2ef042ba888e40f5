"""`like:` topics ("more like this"): which papers are in an anchor paper's neighbourhood.

A like: topic matches a paper when the cosine of their TF-IDF vectors (the ranking's own,
`core.services.ranking_vectors`: hashed unigrams and bigrams of title and abstract) is at least
`LIKE_THRESHOLD`. Why 0.04, measured on the 7,045 real ML papers of 18 announcement days
(`bench like`): cosines between these abstracts are small (the median nearest neighbour of a
paper is 0.094, its 20th nearest 0.038); at 0.04 an anchor has a median of 15 neighbours in
those 18 days (about one a day among ~390 new papers, like a focused keyword topic), 98 % of
anchors get at least one, and 73 % of neighbours share the anchor's primary category against
35 % of random pairs. At 0.06 a fifth of the anchors never match; at 0.03 the neighbourhood
more than triples (median 55) and only 69 % share the category: the merely same-field.

Planning matches each distinct anchor once per issue (`core.services.planning.TopicRule`), in
one sparse product against the issue's papers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import ranking_vectors as rv
from domain.types import PaperView
from storage.queries.topic_likes import anchors

LIKE_THRESHOLD = 0.04
MAX_LIKE_TOPICS = 5  # per chat: each is a similarity product per issue


async def like_masks(
    session: AsyncSession, likes: Collection[str], papers: Sequence[PaperView]
) -> dict[str, int]:
    """For each anchor arXiv id, a bit mask of `papers` (bit i: papers[i]) in its
    neighbourhood; an anchor not stored matches nothing. The anchor itself is never its own
    neighbour."""
    found = await anchors(session, arxiv_ids=likes)
    masks = dict.fromkeys(likes, 0)
    if not found or not papers:
        return masks
    anchor_ids = [pid for pid, _ in found.values()]
    paper_ids = [paper.id for paper in papers]
    ids, x = await rv.matrix_of(session, paper_ids=[*anchor_ids, *paper_ids])
    row = {pid: i for i, pid in enumerate(ids)}
    columns = [row[pid] for pid in paper_ids if pid in row]
    positions = [i for i, pid in enumerate(paper_ids) if pid in row]
    for arxiv_id, (anchor, _title) in found.items():
        if anchor not in row or not columns:
            continue
        cosines = np.asarray((x[columns] @ x[row[anchor]].T).toarray()).ravel()
        for position, cosine in zip(positions, cosines, strict=True):
            if cosine >= LIKE_THRESHOLD and paper_ids[position] != anchor:
                masks[arxiv_id] |= 1 << position
    return masks


async def anchor_titles(session: AsyncSession, likes: Collection[str]) -> dict[str, str]:
    """The stored title of each anchor paper (for /mysubs); unknown ids are absent."""
    return {aid: title for aid, (_pid, title) in (await anchors(session, arxiv_ids=likes)).items()}
