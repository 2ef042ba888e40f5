"""personal relevance: readers' feedback, paper vectors, the IDF counts and reader models

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

Spelled out here (not imported from storage.models_ranking) so that this revision means the
same thing whatever the models later become.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "paper_vectors",
        sa.Column("paper_id", ID, nullable=False),
        sa.Column("indices", sa.LargeBinary(), nullable=False),
        sa.Column("values", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("paper_vectors", "paper_id", "papers"),
        sa.PrimaryKeyConstraint("paper_id", name=op.f("pk_paper_vectors")),
    )
    op.create_table(
        "ranking_vocab",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("frequencies", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ranking_vocab")),
    )
    op.create_table(
        "reader_feedback",
        sa.Column("chat_id", ID, nullable=False),
        sa.Column("paper_id", ID, nullable=False),
        sa.Column("vote", sa.SmallInteger(), nullable=False),
        sa.Column("saved", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("reader_feedback", "chat_id", "chats"),
        _fk("reader_feedback", "paper_id", "papers"),
        sa.PrimaryKeyConstraint("chat_id", "paper_id", name=op.f("pk_reader_feedback")),
    )
    op.create_index(
        op.f("ix_reader_feedback_paper_id"), "reader_feedback", ["paper_id"], unique=False
    )
    op.create_table(
        "reader_models",
        sa.Column("chat_id", ID, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("trained_revision", sa.Integer(), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("indices", sa.LargeBinary(), nullable=True),
        sa.Column("weights", sa.LargeBinary(), nullable=True),
        sa.Column("intercept", sa.Float(), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=True),
        _fk("reader_models", "chat_id", "chats"),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_reader_models")),
    )


def downgrade() -> None:
    op.drop_table("reader_models")
    op.drop_index(op.f("ix_reader_feedback_paper_id"), table_name="reader_feedback")
    op.drop_table("reader_feedback")
    op.drop_table("ranking_vocab")
    op.drop_table("paper_vectors")
