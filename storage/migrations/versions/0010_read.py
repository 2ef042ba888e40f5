"""full text: each paper's text as read and its key figure; the source of each summary

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

`paper_texts` caches what the reader made of arXiv's HTML or PDF (so a re-run downloads
nothing), `paper_figures` keeps the key figure's image and caption in the database (backed up
and copied with everything else), and `summaries.text_source` says what each summary was
written from (existing summaries were all written from the abstract).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _paper_key(table: str) -> list[Any]:
    return [
        sa.Column("id", ID, nullable=False),
        sa.Column("paper_id", ID, nullable=False),
        sa.Column("paper_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name=op.f(f"fk_{table}_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("paper_id", name=op.f(f"uq_{table}_paper_id")),
    ]  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "paper_texts",
        *_paper_key("paper_texts"),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("downloaded_bytes", sa.Integer(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "paper_figures",
        *_paper_key("paper_figures"),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("mime_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column(
        "summaries",
        sa.Column("text_source", sa.String(length=16), nullable=False, server_default="abstract"),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35 and PostgreSQL): a batch rebuild would drop and recreate
    # `summaries`, and with foreign keys on that nulls every issue item's summary_id.
    op.execute("ALTER TABLE summaries DROP COLUMN text_source")
    op.drop_table("paper_figures")
    op.drop_table("paper_texts")
