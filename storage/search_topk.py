"""PostgreSQL ranking over every match: the best k papers from impact-ordered postings.

GIN finds matches but cannot hand them out best-first, and ranking every paper that says
"model" with ts_rank_cd would read 100k tsvectors. So ranking reads `paper_search_terms` (see
`storage.search_postings`) through two btrees:

* `(lexeme, impact DESC, paper_id DESC)`: the best papers for one lexeme, in order, by an
  index-only scan that stops after `depth` rows ("sorted access", sequential and cheap);
* the primary key `(lexeme, paper_id) INCLUDE (impact)`: a candidate's impact for a lexeme
  ("random access", an index probe, so spent only where it can change the answer).

Fagin's threshold algorithm, one SQL statement per round, proves the top k without reading
whole posting lists. After reading `depth` rows of each list, a paper's ceiling is its known
impacts plus, for each word it was not seen with, that word's last impact read (0 if its lists
ran out: then it lacks the word). Only the `lookups` highest ceilings are looked up exactly. The
answer is proven once the k-th exact score reaches both the next ceiling and the ceiling of a
paper seen nowhere; otherwise look up more or read deeper. Plain SQL on stock PostgreSQL, no
extension (RUM would need one that managed services lack).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.search_postings import Wanted

FIRST_DEPTH, FIRST_LOOKUPS = 512, 128  # rows read per lexeme, papers looked up: first round
GROWTH = 4  # an unproven round reads this many times deeper, or looks up as many again
MAX_DEPTH, MAX_LOOKUPS = 32_768, 4_096  # past these the best found so far is the answer


@dataclass(frozen=True)
class _Round:
    exact: list[tuple[int, float]]  # looked-up matches with their exact scores
    unseen: float | None  # the most a paper seen in no list can score; None: it cannot match
    rest: float | None  # the highest ceiling not looked up; None: every candidate was


async def top(
    session: AsyncSession, *, wanted: Sequence[Wanted], need: int
) -> list[tuple[int, float]]:
    """The `need` best papers matching every word, best first (ties: newer paper first)."""
    if not wanted or need <= 0:
        return []
    lexemes = sorted({lexeme for word in wanted for lexeme in word.lexemes})
    if len(lexemes) == 1:
        return await _one_list(session, lexemes[0], need)  # its list is the ranking
    # One generic plan for every round: its shape (materialized CTEs, per-lexeme index scans
    # that stop at `depth`, per-paper probes) does not depend on the lexemes, and planning
    # this statement afresh cost 1-4 ms a round on a loaded machine (prepared after psycopg's
    # fifth use; `resolve` had forced custom plans for the count's joins, which are done).
    # It holds for the rest of the transaction: the service runs one search per transaction.
    await session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    depth, skip, lookups = max(FIRST_DEPTH, need), 0, max(FIRST_LOOKUPS, 2 * need)
    scores: dict[int, float] = {}  # exact scores stay true whatever the depth
    while True:
        found = await _round(session, wanted, depth=depth, skip=skip, lookups=lookups, need=need)
        scores.update(found.exact)
        ranked = sorted(scores.items(), key=lambda pair: (-pair[1], -pair[0]))[:need]
        kth = ranked[need - 1][1] if len(ranked) == need else -1.0
        deeper = found.unseen is not None and kth < found.unseen and depth < MAX_DEPTH
        wider = found.rest is not None and kth < found.rest and lookups < MAX_LOOKUPS
        if deeper:  # new ceilings: look up from the top again (known scores are kept)
            depth, skip = depth * GROWTH, 0
        elif wider:  # same ceilings: look up the next ones
            skip, lookups = lookups, lookups * GROWTH
        else:  # proven, or as far as this query may go
            return ranked


async def _one_list(session: AsyncSession, lexeme: str, need: int) -> list[tuple[int, float]]:
    result = await session.execute(
        text(
            "SELECT paper_id, impact FROM paper_search_terms WHERE lexeme = :lexeme"
            " ORDER BY impact DESC, paper_id DESC LIMIT :need"
        ),
        {"lexeme": lexeme, "need": need},
    )
    return [(int(paper_id), float(impact)) for paper_id, impact in result]


async def _round(
    session: AsyncSession,
    wanted: Sequence[Wanted],
    *,
    depth: int,
    skip: int,
    lookups: int,
    need: int,
) -> _Round:
    # (lexeme, word) pairs: a lexeme can serve two words ("general gener").
    pairs = [(lexeme, index) for index, word in enumerate(wanted) for lexeme in word.lexemes]
    result = await session.execute(
        ROUND,
        {
            "lexemes": [lexeme for lexeme, _ in pairs],
            "words": [index for _, index in pairs],
            "depth": depth,
            "skip": skip,
            "lookups": lookups,
            "words_needed": len(wanted),
            "need": need,
        },
    )
    rows = result.all()
    exact = [(int(r.paper_id), float(r.score)) for r in rows if r.paper_id is not None]
    summary = rows[0]
    unseen = float(summary.unseen) if summary.open else None
    rest = float(summary.rest) if summary.rest is not None else None
    return _Round(exact=exact, unseen=unseen, rest=rest)


# One round of the threshold algorithm (see the module docstring). A word's `last` is the
# highest last impact among its lexemes (a valid ceiling for a prefix's several lists; exact for
# one), so a paper's ceiling is the unseen ceiling raised by what it is known to have; a paper
# lacking a word whose lists all ran out cannot match. A paper seen with every word (at no less
# than the word's last) is settled: its score is known without a lookup. `OFFSET 0` keeps each
# lookup a per-paper index probe: flattened, the planner would hash-join whole posting lists.
ROUND = text(
    """
WITH q AS (
  SELECT * FROM unnest(CAST(:lexemes AS text[]), CAST(:words AS int[])) AS q(lexeme, word)
), s AS MATERIALIZED (
  SELECT q.lexeme, q.word, t.paper_id, t.impact FROM q CROSS JOIN LATERAL (
    SELECT paper_id, impact FROM paper_search_terms AS p WHERE p.lexeme = q.lexeme
    ORDER BY impact DESC, paper_id DESC LIMIT :depth) AS t
), lists AS (
  SELECT q.word, CASE WHEN count(s.paper_id) = :depth THEN min(s.impact) ELSE 0 END AS last
  FROM q LEFT JOIN s ON s.lexeme = q.lexeme AND s.word = q.word GROUP BY q.lexeme, q.word
), words AS MATERIALIZED (
  SELECT word, max(last) AS last FROM lists GROUP BY word
), unseen AS MATERIALIZED (
  SELECT sum(last) AS unseen, bool_and(last > 0) AS open,
    count(*) FILTER (WHERE last = 0) AS closed FROM words
), papers AS MATERIALIZED (
  SELECT k.paper_id, sum(k.best) AS known,
    u.unseen + sum(greatest(k.best, w.last) - w.last) AS ceiling,
    count(*) = :words_needed AND bool_and(k.best >= w.last) AS settled
  FROM (SELECT paper_id, word, max(impact) AS best FROM s GROUP BY paper_id, word) AS k
  JOIN words AS w ON w.word = k.word CROSS JOIN unseen AS u
  GROUP BY k.paper_id, u.unseen, u.closed
  HAVING count(*) FILTER (WHERE w.last = 0) = u.closed
), ceilings AS MATERIALIZED (
  SELECT paper_id, ceiling FROM papers WHERE NOT settled
  ORDER BY ceiling DESC, paper_id DESC LIMIT :lookups + 1
), rest AS (
  SELECT CASE WHEN count(*) > :lookups THEN min(ceiling) END AS rest FROM ceilings
), hits AS (
  SELECT c.paper_id, q.word, max(h.impact) AS best
  FROM (SELECT paper_id FROM ceilings ORDER BY ceiling DESC, paper_id DESC
        LIMIT :lookups - :skip OFFSET :skip) AS c
  CROSS JOIN LATERAL (
    SELECT lexeme, impact FROM paper_search_terms AS p
    WHERE p.paper_id = c.paper_id AND p.lexeme = ANY(CAST(:lexemes AS text[])) OFFSET 0) AS h
  JOIN q ON q.lexeme = h.lexeme
  GROUP BY c.paper_id, q.word
), exact AS (
  (SELECT paper_id, sum(best) AS score FROM hits GROUP BY paper_id
   HAVING count(*) = :words_needed)
  UNION ALL
  (SELECT paper_id, known FROM papers WHERE settled ORDER BY known DESC, paper_id DESC
   LIMIT :need)
)
SELECT exact.paper_id, exact.score, unseen.unseen, unseen.open, rest.rest
FROM unseen CROSS JOIN rest
LEFT JOIN (SELECT * FROM exact ORDER BY score DESC, paper_id DESC LIMIT :need) AS exact ON true
ORDER BY exact.score DESC, exact.paper_id DESC
"""
)
