"""the seeds' voice: a 本文 summary, a 内容概要 overview, a title topic, half-point scores

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Columns are only added (SQLite adds them in place, no table rebuild): `summary`, `overview` and
`topic` start empty for old rows, which render as before. The half-point score gets its own
column, `rating_score`; `rating` keeps the whole number, so rows written before this revision
(and code older than it) read exactly as they did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_COLUMNS = ("summary", "overview", "topic")


def upgrade() -> None:
    with op.batch_alter_table("summaries", schema=None) as batch_op:
        for name in _TEXT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("rating_score", sa.Float(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35 and PostgreSQL): a batch rebuild would drop and recreate
    # `summaries`, and with foreign keys on that nulls every issue item's summary_id.
    for name in ("rating_score", *reversed(_TEXT_COLUMNS)):
        op.execute(f"ALTER TABLE summaries DROP COLUMN {name}")
