"""hardening: replay-proof WeChat nonces, job-run liveness, bounded summary retries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "seen_nonces",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seen_nonces")),
        sa.UniqueConstraint("scope", "nonce", name="scope_nonce"),
    )
    with op.batch_alter_table("seen_nonces", schema=None) as batch_op:
        batch_op.create_index("ix_seen_nonces_seen_at", ["seen_at"], unique=False)

    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))

    op.create_table(
        "summary_failures",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("paper_id", _ID, nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_summary_failures_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_failures")),
        sa.UniqueConstraint("paper_id", "language", name="paper_language"),
    )


def downgrade() -> None:
    op.drop_table("summary_failures")
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_column("pid")
        batch_op.drop_column("host")
        batch_op.drop_column("heartbeat_at")
    with op.batch_alter_table("seen_nonces", schema=None) as batch_op:
        batch_op.drop_index("ix_seen_nonces_seen_at")
    op.drop_table("seen_nonces")
