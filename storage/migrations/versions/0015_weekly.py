"""weekly round-ups numbered apart: issues get a kind, unique per (kind, number); a weekly's
heading and explanation per paper

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

Every existing issue is a daily. SQLite cannot drop a table constraint in place, so `issues` is
rebuilt there; dropping the old table would cascade into its children (foreign keys are on and
cannot be turned off inside the migration's transaction), so their rows are kept aside in temp
tables and put back. Going down numbers the weeklies after the last daily (their titles still
say 【极速前进】), so the single numbering holds again and nothing is lost.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHILDREN = ("issue_items", "deliveries", "paid_broadcasts")  # ON DELETE CASCADE to issues


def upgrade() -> None:
    with op.batch_alter_table("issue_items", schema=None) as batch_op:  # added in place
        batch_op.add_column(sa.Column("heading", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("explanation", sa.Text(), nullable=True))
    with _children_kept(), op.batch_alter_table("issues", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=8), server_default="daily", nullable=False)
        )
        batch_op.drop_constraint("uq_issues_number", type_="unique")
        batch_op.create_unique_constraint(op.f("uq_issues_kind"), ["kind", "number"])


def downgrade() -> None:
    op.execute(
        "UPDATE issues SET number = number + COALESCE("
        "(SELECT MAX(d.number) FROM issues AS d WHERE d.kind = 'daily'), 0) WHERE kind = 'weekly'"
    )
    with _children_kept(), op.batch_alter_table("issues", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_issues_kind"), type_="unique")
        batch_op.drop_column("kind")
        batch_op.create_unique_constraint(op.f("uq_issues_number"), ["number"])
    for name in ("explanation", "heading"):  # plain DROP COLUMN: no rebuild of issue_items
        op.execute(f"ALTER TABLE issue_items DROP COLUMN {name}")


@contextmanager
def _children_kept() -> Iterator[None]:
    """On SQLite, the rows of the tables referencing `issues` survive its rebuild."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for child in _CHILDREN:
            op.execute(f"CREATE TEMP TABLE kept_{child} AS SELECT * FROM {child}")
    yield
    if sqlite:
        for child in _CHILDREN:
            op.execute(f"DELETE FROM {child}")
            op.execute(f"INSERT INTO {child} SELECT * FROM kept_{child}")
            op.execute(f"DROP TABLE kept_{child}")
