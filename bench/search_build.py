"""Build (or reuse) the search benchmark's databases: N synthetic papers, indexed.

SQLite: a file under bench/.cache/, schema by our Alembic migration, rows by executemany, FTS5
rows from `build_document`, then an FTS5 'optimize' merge. PostgreSQL: a schema in the test
database, rows by COPY, tsvectors computed by the server from COPYed text with the same
expression the application uses (`document_sql`), on two connections at once, then the postings
(`paper_search_terms`) from the tsvectors with the migration's `paper_search_impact` (the
row-by-row trigger is off during the load), and the indexes built after the load. Both are
cached, keyed by N and a hash of every file that shapes the index.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import resource
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench.search_corpus import FakePaper, FakeSummary, load_pool, make_paper
from storage.db import Database
from storage.search import build_document
from storage.search_postgres import document_sql

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FINGERPRINT_FILES = (
    "bench/search_corpus.py",
    "bench/search_build.py",
    "storage/search.py",
    "storage/search_sqlite.py",
    "storage/search_postgres.py",
    "storage/textseg.py",
    "storage/migrations/versions/0001_initial_schema.py",
    "storage/migrations/versions/0008_search_terms.py",
)
ISSUE_EVERY = 50  # every 50th paper appeared in an issue, so hits carry issue numbers
PAPER_COLUMNS = (
    "id, arxiv_id, version, title, authors, abstract, categories, primary_category,"
    " published_at, updated_at, comment, first_seen_at, last_fetched_at"
)
SUMMARY_COLUMNS = (
    "id, paper_id, paper_version, language, model, prompt_version, source, title_translated,"
    " tldr, background, method, contributions, results, future_work, rating, rating_reason,"
    " keywords, abstract_translated, flags, tokens_in, tokens_out, cost_usd, created_at"
)
NOW = datetime(2026, 11, 21, tzinfo=UTC)


def fingerprint(n: int) -> str:
    """The cache key; BENCH_CORPUS_KEY reuses a corpus built under another key, for a change
    that leaves the rows the same (the run migrates the copy forward): a rebuild takes ~35 min."""
    if reused := os.environ.get("BENCH_CORPUS_KEY", "").strip():
        return reused
    digest = hashlib.sha256(str(n).encode())
    for name in FINGERPRINT_FILES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:10]


def corpus(n: int) -> Iterator[tuple[FakePaper, FakeSummary | None]]:
    pool = load_pool()
    for paper_id in range(1, n + 1):
        yield make_paper(pool, paper_id)


def _paper_row(p: FakePaper, fmt: Callable[[datetime], Any]) -> tuple:
    stamp = fmt(p.published_at)
    authors, cats = json.dumps(p.authors), json.dumps(p.categories)
    return (
        p.id,
        p.arxiv_id,
        1,
        p.title,
        authors,
        p.abstract,
        cats,
        p.categories[0],
        stamp,
        stamp,
        p.comment,
        stamp,
        stamp,
    )


def _summary_row(s: FakeSummary, fmt: Callable[[datetime], Any]) -> tuple:
    return (
        s.paper_id,
        s.paper_id,
        1,
        "zh",
        "bench-model",
        "p1",
        "llm",
        s.title_translated,
        s.tldr,
        "",
        "",
        json.dumps(s.contributions, ensure_ascii=False),
        "",
        "",
        3,
        "",
        json.dumps(s.keywords, ensure_ascii=False),
        "",
        "[]",
        0,
        0,
        0.0,
        fmt(NOW),
    )


def _issue_rows(n: int, fmt: Callable[[datetime], Any]) -> tuple[list[tuple], list[tuple]]:
    issues, items = [], []
    for number in range(1, n // (ISSUE_EVERY * 20) + 2):
        issues.append(
            (
                number,
                number,
                f"第{number}期",
                "zh",
                "2026-11-01",
                "2026-11-01",
                "published",
                fmt(NOW),
            )
        )
    for position, paper_id in enumerate(range(ISSUE_EVERY, n + 1, ISSUE_EVERY)):
        items.append((position + 1, position // 20 + 1, paper_id, position % 20, True))
    return issues, items


ISSUE_SQL = (
    "issues (id, number, title, language, period_start, period_end, status, created_at)",
    "issue_items (id, issue_id, paper_id, position, included)",
)


def _sqlite_stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def build_sqlite(n: int) -> dict:
    """Returns where the file is and what building it cost (0 s when the cache had it)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    path = CACHE / f"search-{n}-{fingerprint(n)}.db"
    if path.exists():
        return {"path": str(path), "build_seconds": 0.0, "cached": True}
    for old in CACHE.glob(f"search-{n}-*.db*"):
        old.unlink()
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = Database(f"sqlite+aiosqlite:///{partial}")
    asyncio.run(_upgrade(db))
    _load_sqlite(partial, n)
    partial.rename(path)
    return {
        "path": str(path),
        "build_seconds": time.perf_counter() - started,
        "cached": False,
        "build_maxrss_mb": _maxrss_mb(),
    }


async def _upgrade(db: Database) -> None:
    await db.upgrade()
    await db.dispose()


def _load_sqlite(path: Path, n: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    papers, summaries, docs = [], [], []
    for paper, summary in corpus(n):
        papers.append(_paper_row(paper, _sqlite_stamp))
        if summary:
            summaries.append(_summary_row(summary, _sqlite_stamp))
        doc = build_document(paper, [summary] if summary else [])  # type: ignore[arg-type, list-item]
        docs.append((doc.paper_id, doc.title, doc.body))
        if len(papers) == 20000:
            _flush_sqlite(conn, papers, summaries, docs)
    _flush_sqlite(conn, papers, summaries, docs)
    issues, items = _issue_rows(n, _sqlite_stamp)
    for table, rows in zip(ISSUE_SQL, (issues, items), strict=True):
        marks = ",".join("?" * len(rows[0]))
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    conn.execute("INSERT INTO paper_search(paper_search) VALUES ('optimize')")
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _flush_sqlite(conn: sqlite3.Connection, papers: list, summaries: list, docs: list) -> None:
    conn.executemany(f"INSERT INTO papers ({PAPER_COLUMNS}) VALUES ({_marks(13)})", papers)
    if summaries:
        conn.executemany(
            f"INSERT INTO summaries ({SUMMARY_COLUMNS}) VALUES ({_marks(23)})", summaries
        )
    conn.executemany("INSERT INTO paper_search (rowid, title, body) VALUES (?, ?, ?)", docs)
    conn.commit()
    for rows in (papers, summaries, docs):
        rows.clear()


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def postgres_schema(n: int) -> str:
    return f"bench_search_{n}_{fingerprint(n)}"


def _dsn() -> str:
    return POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")


def postgres_url(schema: str) -> str:
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


def build_postgres(n: int) -> dict:
    schema = postgres_schema(n)
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        done = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s"
            " AND table_name = 'bench_done'",
            (schema,),
        ).fetchone()
        if done:
            return {"schema": schema, "build_seconds": 0.0, "cached": True}
        for (old,) in conn.execute(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
            (f"bench_search_{n}_%",),
        ).fetchall():
            conn.execute(f'DROP SCHEMA "{old}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{schema}"')
    started = time.perf_counter()
    asyncio.run(_upgrade(Database(postgres_url(schema))))
    index_seconds = _load_postgres(schema, n)
    return {
        "schema": schema,
        "build_seconds": time.perf_counter() - started,
        **index_seconds,
        "cached": False,
        "build_maxrss_mb": _maxrss_mb(),
    }


def _load_postgres(schema: str, n: int) -> dict[str, float]:
    """Returns the seconds the search index took: tsvectors, postings, indexes."""
    with psycopg.connect(_dsn(), options=f"-csearch_path={schema}") as conn:
        conn.execute("DROP INDEX ix_paper_search_document")
        conn.execute("DROP INDEX ix_paper_search_terms_rank")
        conn.execute("ALTER TABLE paper_search_terms DROP CONSTRAINT pk_paper_search_terms")
        conn.execute("ALTER TABLE paper_search DISABLE TRIGGER paper_search_terms_sync")
        conn.execute(
            "CREATE UNLOGGED TABLE search_staging (paper_id bigint, title text, body text)"
        )
        _copy_rows(conn, n)
        conn.commit()
    started = time.perf_counter()
    _in_parts(
        schema,
        f"INSERT INTO paper_search (paper_id, document) SELECT paper_id,"
        f" {document_sql('title', 'body')} FROM search_staging WHERE paper_id % 2 = ",
    )
    tsvectors = time.perf_counter()
    _in_parts(schema, f"{TERMS_FILL} WHERE s.paper_id % 2 = ")
    postings = time.perf_counter()
    _in_parts(schema, *INDEXES)
    indexes = time.perf_counter()
    with psycopg.connect(_dsn(), options=f"-csearch_path={schema}", autocommit=True) as conn:
        conn.execute("ALTER TABLE paper_search ENABLE TRIGGER paper_search_terms_sync")
        conn.execute("DROP TABLE search_staging")
        conn.execute("VACUUM ANALYZE")
        conn.execute("CREATE TABLE bench_done (built_at timestamptz DEFAULT now())")
    return {
        "index_tsvector_seconds": tsvectors - started,
        "index_postings_seconds": postings - tsvectors,
        "index_btree_gin_seconds": indexes - postings,
    }


TERMS_FILL = (
    "INSERT INTO paper_search_terms (lexeme, paper_id, impact)"
    " SELECT u.lexeme, s.paper_id, paper_search_impact(u.weights, length(s.document))"
    " FROM paper_search AS s CROSS JOIN LATERAL unnest(s.document) AS u"
)
INDEXES = (  # two connections: GIN + rank index on one, the primary key on the other
    "CREATE INDEX ix_paper_search_document ON paper_search USING GIN (document);"
    " CREATE INDEX ix_paper_search_terms_rank"
    " ON paper_search_terms (lexeme, impact DESC, paper_id DESC)",
    "ALTER TABLE paper_search_terms ADD CONSTRAINT pk_paper_search_terms"
    " PRIMARY KEY (lexeme, paper_id) INCLUDE (impact)",
)


def _in_parts(schema: str, *statements: str) -> None:
    """Two connections at once (two cores). One statement ending in `= ` is split by
    `paper_id % 2`; several run one per connection."""
    parts = [statements[0] + "0", statements[0] + "1"] if len(statements) == 1 else statements

    def run(sql: str) -> None:
        with psycopg.connect(_dsn(), options=f"-csearch_path={schema}") as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute(sql)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, parts))


def _copy_rows(conn: psycopg.Connection, n: int) -> None:
    papers, summaries, docs = [], [], []
    for paper, summary in corpus(n):
        papers.append(_paper_row(paper, _identity))
        if summary:
            summaries.append(_summary_row(summary, _identity))
        doc = build_document(paper, [summary] if summary else [])  # type: ignore[arg-type, list-item]
        docs.append((doc.paper_id, doc.title, doc.body))
        if len(papers) == 20000:
            _copy_batch(conn, papers, summaries, docs)
    _copy_batch(conn, papers, summaries, docs)
    issues, items = _issue_rows(n, _identity)
    _copy(conn, ISSUE_SQL[0], issues)
    _copy(conn, ISSUE_SQL[1], items)


def _identity(value: datetime) -> datetime:
    return value


def _copy_batch(conn: psycopg.Connection, papers: list, summaries: list, docs: list) -> None:
    _copy(conn, f"papers ({PAPER_COLUMNS})", papers)
    _copy(conn, f"summaries ({SUMMARY_COLUMNS})", summaries)
    _copy(conn, "search_staging (paper_id, title, body)", docs)
    for rows in (papers, summaries, docs):
        rows.clear()


def _copy(conn: psycopg.Connection, target: str, rows: list) -> None:
    if not rows:
        return
    with conn.cursor() as cur, cur.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
