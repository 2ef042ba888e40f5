"""Optional paper vectors from an embeddings model (`EMBEDDINGS_MODEL`), for "similar papers".

The hashed TF-IDF vectors need no network and stay what readers' models are trained on; an
embeddings endpoint (OpenAI, Qwen, Ollama and vLLM serve the same API) can give similarity
that knows synonyms. Each paper is embedded once per model, newest first, in batches, after
a fetch like its TF-IDF vector (`jobs.rank`); `similar` answers from them when the paper has
one, and the caller falls back to TF-IDF otherwise. The call itself is injected (`Embed`):
`core` never holds an HTTP client. Vectors are validated (count, size, finite) and stored at
unit length, so a dot product is the cosine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import numpy as np

from core.services import ranking_model as rm
from storage.db import Database
from storage.queries import ranking as rq

Embed = Callable[[list[str]], Awaitable[Sequence[Sequence[float]]]]
EMBED_BATCH = 64  # inputs per request: well under the API's 2,048, small enough to retry
SIMILAR_PAGE = 5000


class BadEmbeddings(ValueError):
    """The endpoint answered with vectors we cannot use (wrong count or size, NaN)."""


def _unit_rows(vectors: Sequence[Sequence[float]], count: int) -> np.ndarray:
    rows = np.asarray(vectors, dtype=np.float32)
    if rows.ndim != 2 or rows.shape[0] != count or rows.shape[1] < 1:
        raise BadEmbeddings(f"expected {count} vectors of one size, got shape {rows.shape}")
    if not np.isfinite(rows).all():
        raise BadEmbeddings("the vectors hold NaN or infinity")
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1, norms)


async def embed_papers(
    db: Database, embed: Embed, *, model: str, at_most: int | None = None
) -> int:
    """Embed the newest papers that have no vector from `model` yet; how many were added."""
    added = 0
    while at_most is None or added < at_most:
        limit = EMBED_BATCH if at_most is None else min(EMBED_BATCH, at_most - added)
        async with db.session() as session:
            todo = await rq.unembedded(session, model=model, limit=limit)
        if not todo:
            break
        texts = [rm.paper_text(title, text).strip() or "untitled" for _, title, text in todo]
        rows = _unit_rows(await embed(texts), len(todo))
        ids = [pid for pid, _, _ in todo]
        packed = [(pid, row.astype("<f4").tobytes()) for pid, row in zip(ids, rows, strict=True)]
        async with db.session() as session:
            await rq.store_embeddings(session, model=model, rows=packed)
        added += len(todo)
        if len(todo) < limit:
            break
    return added


async def similar(
    db: Database, *, paper_id: int, model: str, k: int
) -> list[tuple[int, float]] | None:
    """The `k` papers nearest to `paper_id` by `model`'s vectors, best first; None when the
    paper has none (the caller uses TF-IDF instead)."""
    async with db.session() as session:
        seed = dict(await rq.embeddings_page(session, model=model, limit=1, before_id=paper_id + 1))
        if paper_id not in seed:
            return None
        mine = np.frombuffer(seed[paper_id], "<f4")
        best: list[tuple[int, float]] = []
        before: int | None = None
        while page := await rq.embeddings_page(
            session, model=model, limit=SIMILAR_PAGE, before_id=before
        ):
            before = page[-1][0]
            found = await asyncio.to_thread(_nearest, mine, page, paper_id, k)
            best = sorted(best + found, key=lambda hit: (-hit[1], -hit[0]))[:k]
    return best


def _nearest(
    mine: np.ndarray, page: list[tuple[int, bytes]], paper_id: int, k: int
) -> list[tuple[int, float]]:
    usable = [(pid, v) for pid, v in page if pid != paper_id and len(v) == mine.nbytes]
    if not usable or k < 1:
        return []
    matrix = np.frombuffer(b"".join(v for _, v in usable), "<f4").reshape(len(usable), -1)
    similarity = matrix @ mine
    top = np.argsort(-similarity, kind="stable")[:k]
    return [(usable[i][0], float(similarity[i])) for i in top if np.isfinite(similarity[i])]
