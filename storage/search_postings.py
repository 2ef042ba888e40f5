"""PostgreSQL postings: query words as lexemes, and counting or scoring every match from them.

`paper_search_terms(lexeme, paper_id, impact)` (migration 0005, kept in step with
`paper_search` by a trigger) holds one row per lexeme of a paper with a precomputed BM25F-style
impact: title occurrences count ten times body ones, the term frequency saturates, long papers
are damped. A paper's score is, per query word, the impact of that word's lexeme (the best one
if the word is a prefix standing for several), summed over the words.

Its primary key `(lexeme, paper_id) INCLUDE (impact)` walks a lexeme's papers in id order,
index-only, so the papers holding every word come from a merge join that stops at the cap:
counting "language models" reads a few thousand index entries instead of checking thousands
of tsvectors (GIN would first build a bitmap of every paper saying "model").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.search_terms import Term

CONFIG = "english"
MAX_EXPANSION = 128  # lexemes one prefix may stand for ("optim": optim, optimis, optimum...)
KEPT = 50  # best matches a capped count hands on to `score_all` (a page is at most 50)


@dataclass(frozen=True)
class Wanted:
    """One query word as lexemes: a paper matches it if it has any of them (a prefix stands
    for several), and the word contributes the best impact among those it has."""

    lexemes: tuple[str, ...]


def exact_lexemes(wanted: Sequence[Wanted]) -> list[str] | None:
    """The lexemes, one per word, when no word is a prefix with several; else None."""
    if any(len(word.lexemes) != 1 for word in wanted):
        return None
    return [word.lexemes[0] for word in wanted]


async def resolve(session: AsyncSession, terms: Sequence[Term]) -> list[Wanted]:
    """Each word as the server's `english` configuration stems it; stop words drop out (as in
    to_tsquery), and a prefix becomes the lexemes in the index that start with it. Kept for
    the transaction: counting and ranking one query ask twice."""
    key = ("search_postings.resolve", tuple(terms))
    transaction = session.sync_session.get_transaction()
    cached = session.info.get(key)
    if cached is not None and cached[0] is transaction:
        return list(cached[1])
    wanted = await _resolve(session, terms)
    session.info[key] = (session.sync_session.get_transaction(), wanted)
    return list(wanted)


async def _resolve(session: AsyncSession, terms: Sequence[Term]) -> list[Wanted]:
    # Every query that follows must be planned for its real lexemes: a generic plan (psycopg
    # prepares repeated statements) might probe "model" once per paper of "language". The
    # setting rides on this statement (`set_config(..., true)` is SET LOCAL) to save a round
    # trip; if no word yields a lexeme it may not run, but then nothing follows.
    result = await session.execute(
        text(
            "SELECT w.i, l.lexeme FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS w(word, i)"
            f" CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('{CONFIG}', w.word)))"
            " AS l(lexeme)"
            " WHERE set_config('plan_cache_mode', 'force_custom_plan', true) IS NOT NULL"
            " ORDER BY w.i"
        ),
        {"words": [term.word for term in terms]},
    )
    wanted: list[Wanted] = []
    for index, lexeme in result.all():
        if terms[int(index) - 1].prefix:
            wanted.append(Wanted(await _expand(session, str(lexeme))))
        else:
            wanted.append(Wanted((str(lexeme),)))
    # A prefix that starts no lexeme in the index matches nothing, so neither does the query.
    return list(dict.fromkeys(wanted)) if all(word.lexemes for word in wanted) else []


async def _expand(session: AsyncSession, prefix: str) -> tuple[str, ...]:
    """Distinct lexemes starting with `prefix`: a skip scan, one index probe per lexeme."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    result = await session.execute(
        text(
            "WITH RECURSIVE e(lexeme) AS ("
            " (SELECT lexeme FROM paper_search_terms WHERE lexeme >= :lo AND lexeme < :hi"
            "  ORDER BY lexeme LIMIT 1)"
            " UNION ALL"
            " SELECT (SELECT t.lexeme FROM paper_search_terms AS t"
            "  WHERE t.lexeme > e.lexeme AND t.lexeme < :hi ORDER BY t.lexeme LIMIT 1)"
            " FROM e WHERE e.lexeme IS NOT NULL"
            ") SELECT lexeme FROM e WHERE lexeme IS NOT NULL LIMIT :cap"
        ),
        {"lo": prefix, "hi": upper, "cap": MAX_EXPANSION},
    )
    return tuple(str(lexeme) for (lexeme,) in result)


def _matches(lexemes: Sequence[str]) -> tuple[str, dict[str, str]]:
    """FROM/WHERE of the papers holding every lexeme, with `score` the sum of their impacts."""
    joins = "".join(
        f" JOIN paper_search_terms AS t{i} ON t{i}.lexeme = :l{i} AND t{i}.paper_id = t0.paper_id"
        for i in range(1, len(lexemes))
    )
    score = " + ".join(f"t{i}.impact" for i in range(len(lexemes)))
    sql = f"SELECT t0.paper_id, {score} AS score FROM paper_search_terms AS t0{joins}"
    return sql + " WHERE t0.lexeme = :l0", {f"l{i}": lex for i, lex in enumerate(lexemes)}


async def count(session: AsyncSession, lexemes: Sequence[str], cap: int) -> int:
    """Papers holding every lexeme, counted up to `cap` + 1.

    When there are at most `cap`, the same statement also returns the best `KEPT` of them
    scored (the matches are at hand anyway), so `score_all` on the first pages of a rare
    query needs no second round trip."""
    matches, params = _matches(lexemes)
    result = await session.execute(
        text(
            f"WITH m AS MATERIALIZED ({matches} LIMIT :cap), n AS (SELECT count(*) AS n FROM m)"
            " SELECT n.n, best.paper_id, best.score FROM n LEFT JOIN LATERAL ("
            "  SELECT paper_id, score FROM m WHERE n.n < :cap"
            "  ORDER BY score DESC, paper_id DESC LIMIT :kept) AS best ON true"
            " ORDER BY best.score DESC, best.paper_id DESC"
        ),
        {**params, "cap": cap + 1, "kept": KEPT},
    )
    rows = result.all()
    total = int(rows[0].n)
    if total <= cap:
        best = [(int(r.paper_id), float(r.score)) for r in rows if r.paper_id is not None]
        session.info[_scored_key(lexemes)] = (session.sync_session.get_transaction(), total, best)
    return total


async def score_all(
    session: AsyncSession, lexemes: Sequence[str], offset: int, limit: int
) -> list[tuple[int, float]]:
    """Every paper holding every lexeme scored, best first: for result sets known to be small."""
    kept = session.info.get(_scored_key(lexemes))
    if kept is not None and kept[0] is session.sync_session.get_transaction():
        _, total, best = kept
        if offset + limit <= len(best) or len(best) == total:
            return list(best[offset : offset + limit])
    matches, params = _matches(lexemes)
    result = await session.execute(
        text(f"{matches} ORDER BY score DESC, t0.paper_id DESC LIMIT :limit OFFSET :offset"),
        {**params, "limit": limit, "offset": offset},
    )
    return [(int(paper_id), float(score)) for paper_id, score in result]


def _scored_key(lexemes: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    return ("search_postings.scored", tuple(lexemes))
