"""rank: a covering index that tells planning which readers have a model, and which version;
paper vectors from an embeddings model (EMBEDDINGS_MODEL)

Planning with "for you" on asks, page after page of chats, which of them have a trained model
with enough feedback and its stamp (trained revision, intercept), to use the models it keeps
in memory and read only the ones that changed. Without this index that question scans
`reader_models`, whose rows are ~2 kB of weights each; with it, it is one index range.
`paper_embeddings` holds each paper's vector per embeddings model (float32 bytes).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRAINED = sa.text("indices IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_reader_models_plan",
        "reader_models",
        ["chat_id", "examples", "trained_revision", "intercept"],
        unique=False,
        sqlite_where=TRAINED,
        postgresql_where=TRAINED,
    )
    op.create_table(
        "paper_embeddings",
        sa.Column("paper_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_paper_embeddings_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("paper_id", "model", name=op.f("pk_paper_embeddings")),
    )


def downgrade() -> None:
    op.drop_table("paper_embeddings")
    op.drop_index("ix_reader_models_plan", table_name="reader_models")
