"""fleet: several instances on one PostgreSQL — each fire time once, shared budgets and tokens

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rows that hold their fire time; the same text as storage.models.FIRE_TIME_TAKEN.
_TAKEN = "scheduled_for IS NOT NULL AND status IN ('running', 'ok')"

# Older rows that would break the new unique index (a fire time recorded twice) keep their
# history but give up the fire time: the lowest id keeps it.
_UNDOUBLE = f"""
UPDATE job_runs SET scheduled_for = NULL
WHERE {_TAKEN} AND id > (
    SELECT min(first.id) FROM job_runs AS first
    WHERE first.name = job_runs.name AND first.scheduled_for = job_runs.scheduled_for
      AND first.status IN ('running', 'ok')
)
"""


def upgrade() -> None:
    op.execute(_UNDOUBLE)
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.create_index(
            "uq_job_runs_fire_time",
            ["name", "scheduled_for"],
            unique=True,
            sqlite_where=sa.text(_TAKEN),
            postgresql_where=sa.text(_TAKEN),
        )
    op.create_table(
        "command_budgets",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_command_budgets")),
    )
    op.create_table(
        "shared_tokens",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_shared_tokens")),
    )


def downgrade() -> None:
    op.drop_table("shared_tokens")
    op.drop_table("command_budgets")
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_index("uq_job_runs_fire_time")
