"""send-time "for you": deliveries.recommended_ids (NULL: not ordered at send time yet)

The deliverer orders a reader's papers when it first claims the row and stores that order in
`paper_ids`; `recommended_ids` lists which of them are recommendations (digest mode "topics"),
and its being set marks the row as ordered, so a resumed row keeps its order and its marks.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recommended_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("recommended_ids")
