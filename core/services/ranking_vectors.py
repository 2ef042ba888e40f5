"""Paper vectors, stored and counted incrementally, and "similar papers" over them.

A paper gets its vector the first time anything needs it (a delivery being planned with
"for you" on, a reader's vote, `/similar`), in the same transaction that adds its terms to the
IDF counts, so the counts hold exactly the stored vectors. Nothing here ever re-reads the
whole archive except `similar`, which scans it in pages (a few MB at a time) because it must
compare against every paper.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence

from scipy import sparse
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import ranking_model as rm
from storage.queries import ranking as rq

INDEX_BATCH = 500  # papers vectorized per step: bounded memory, one IDF write per step
SIMILAR_PAGE = 5000  # archive rows compared at once by `similar`
# New papers `similar` vectorizes before it answers (a few days' worth); an archive older than
# the feature is vectorized once by `core.services.ranking.index_papers`, not by a reader.
SIMILAR_CATCH_UP = 2000


async def ensure_vectors(
    session: AsyncSession, *, paper_ids: Sequence[int] | None = None, at_most: int | None = None
) -> int:
    """Vectorize the papers among `paper_ids` (None: any, newest first) that have no vector
    yet, at most `at_most` of them; how many were added."""
    added = 0
    while todo := await rq.unvectorized(
        session, paper_ids=paper_ids, limit=min(INDEX_BATCH, at_most or INDEX_BATCH)
    ):
        vectors = await asyncio.to_thread(
            rm.term_frequencies, [rm.paper_text(title, abstract) for _, title, abstract in todo]
        )
        ids = [paper_id for paper_id, _, _ in todo]
        new = await rq.store_vectors(
            session, rows=[(pid, v.pack()) for pid, v in zip(ids, vectors, strict=True)]
        )
        await _count(session, [v for pid, v in zip(ids, vectors, strict=True) if pid in new])
        added += len(new)
        if len(todo) < INDEX_BATCH or (at_most is not None and added >= at_most):
            break
    return added


async def _count(session: AsyncSession, vectors: list[rm.SparseVector]) -> None:
    if not vectors:
        return
    documents, packed = await rq.lock_vocab(session)
    idf = rm.Idf() if packed is None else rm.Idf.unpack(documents, packed)
    idf.add(vectors)
    await rq.save_vocab(session, documents=idf.documents, frequencies=idf.pack())


_IDF: weakref.WeakKeyDictionary[object, tuple[object, rm.Idf]] = weakref.WeakKeyDictionary()


async def idf_weights(session: AsyncSession) -> rm.Idf:
    """The IDF counts, kept per database (engine) while their version stands: unpacking
    them (4 MB) costs more than planning 5,000 readers' order."""
    engine = session.get_bind()
    version = await rq.vocab_version(session)
    kept = _IDF.get(engine)
    if version is not None and kept is not None and kept[0] == version:
        return kept[1]
    documents, packed = await rq.read_vocab(session)
    idf = rm.Idf() if packed is None else rm.Idf.unpack(documents, packed)
    if version is not None:
        _IDF[engine] = (version, idf)
    return idf


def unpack_all(rows: Sequence[rq.Packed]) -> sparse.csr_matrix:
    return rm.stack([rm.SparseVector.unpack(ix, vs) for ix, vs in rows])


async def matrix_of(
    session: AsyncSession, *, paper_ids: Sequence[int], idf: rm.Idf | None = None
) -> tuple[list[int], sparse.csr_matrix]:
    """The TF-IDF rows of `paper_ids` that exist (vectorizing missing ones), in that order."""
    await ensure_vectors(session, paper_ids=paper_ids)
    found = await rq.vectors_of(session, paper_ids=paper_ids)
    ids = [pid for pid in dict.fromkeys(paper_ids) if pid in found]
    weights = await idf_weights(session) if idf is None else idf
    tf = unpack_all([found[pid] for pid in ids])
    return ids, await asyncio.to_thread(rm.weighted, tf, weights)


async def similar(session: AsyncSession, *, paper_id: int, k: int) -> list[tuple[int, float]]:
    """The `k` papers of the archive nearest to `paper_id` (cosine of TF-IDF), best first,
    itself excluded; empty when the paper is unknown."""
    k = max(0, min(k, 100))
    await ensure_vectors(session, at_most=SIMILAR_CATCH_UP)  # papers added since the last call
    idf = await idf_weights(session)
    ids, seed = await matrix_of(session, paper_ids=[paper_id], idf=idf)
    if not ids or not k:
        return []
    best: list[tuple[int, float]] = []
    before: int | None = None
    while page := await rq.recent_vectors(session, limit=SIMILAR_PAGE, before_id=before):
        before = page[-1][0]
        page_ids = [pid for pid, _ in page]
        x = await asyncio.to_thread(rm.weighted, unpack_all([p for _, p in page]), idf)
        found = await asyncio.to_thread(rm.nearest, seed, x, k + 1)
        best += [(page_ids[i], s) for i, s in found if page_ids[i] != paper_id and s > 0]
        best = sorted(best, key=lambda hit: (-hit[1], -hit[0]))[:k]
    return best
