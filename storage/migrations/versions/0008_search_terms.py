"""search terms: PostgreSQL postings with precomputed impacts, so ranking covers every match

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

PostgreSQL only (SQLite's FTS5 ranks with bm25 itself). `paper_search_terms` holds one row per
(lexeme, paper) with the impact `storage.search_topk` ranks by, kept in step with
`paper_search` by a trigger (so every writer, `db copy` and reindexing included, maintains it)
and filled here from the tsvectors already stored. Lexemes compare bytewise (COLLATE "C") so a
prefix is one btree range. The SQL is spelled out here, not imported, so that this revision
means the same thing whatever the code later becomes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# BM25F-style: tf = title occurrences + a tenth of body ones (weights A and D), saturated with
# k1 = 1.2, damped by length with b = 0.75 over a fixed average of 120 lexemes. One expression
# (no FROM), so PostgreSQL inlines it into the bulk INSERT.
IMPACT_FUNCTION = """
CREATE OR REPLACE FUNCTION paper_search_impact(weights text[], lexemes integer) RETURNS real
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ((0.9 * cardinality(array_remove(weights, 'D')) + 0.1 * cardinality(weights)) * 2.2
    / ((0.9 * cardinality(array_remove(weights, 'D')) + 0.1 * cardinality(weights))
       + 1.2 * (0.25 + 0.75 * lexemes / 120.0)))::real
$$
"""

SYNC_FUNCTION = """
CREATE OR REPLACE FUNCTION paper_search_terms_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.document = NEW.document THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM paper_search_terms
     WHERE lexeme = ANY(tsvector_to_array(OLD.document)) AND paper_id = OLD.paper_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO paper_search_terms (lexeme, paper_id, impact)
    SELECT u.lexeme, NEW.paper_id, paper_search_impact(u.weights, length(NEW.document))
      FROM unnest(NEW.document) AS u;
  END IF;
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(IMPACT_FUNCTION)
    op.execute(
        # 20 million rows at 200k papers: fixed-width columns first and a 4-byte id (paper ids
        # are row numbers) keep each row and index entry 8 bytes narrower.
        "CREATE TABLE paper_search_terms ("
        " paper_id INTEGER NOT NULL,"
        " impact REAL NOT NULL,"
        ' lexeme TEXT COLLATE "C" NOT NULL,'
        # (lexeme, paper_id): a paper's impact for a lexeme, and matches in paper order.
        " CONSTRAINT pk_paper_search_terms PRIMARY KEY (lexeme, paper_id) INCLUDE (impact))"
    )
    op.execute(
        "INSERT INTO paper_search_terms (lexeme, paper_id, impact)"
        " SELECT u.lexeme, s.paper_id, paper_search_impact(u.weights, length(s.document))"
        " FROM paper_search AS s CROSS JOIN LATERAL unnest(s.document) AS u"
    )
    # A lexeme's papers best first: what ranking reads.
    op.execute(
        "CREATE INDEX ix_paper_search_terms_rank"
        " ON paper_search_terms (lexeme, impact DESC, paper_id DESC)"
    )
    op.execute(SYNC_FUNCTION)
    op.execute(
        "CREATE TRIGGER paper_search_terms_sync"
        " AFTER INSERT OR DELETE OR UPDATE OF document ON paper_search"
        " FOR EACH ROW EXECUTE FUNCTION paper_search_terms_sync()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS paper_search_terms_sync ON paper_search")
    op.execute("DROP FUNCTION IF EXISTS paper_search_terms_sync()")
    op.execute("DROP TABLE IF EXISTS paper_search_terms")
    op.execute("DROP FUNCTION IF EXISTS paper_search_impact(text[], integer)")
