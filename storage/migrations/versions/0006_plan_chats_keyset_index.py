"""plan: an index for paging through a platform's active chats by id (delivery planning)

Planning an issue reads `chats WHERE platform = ? AND active AND id > ? ORDER BY id LIMIT n`
page after page; with this index every page is one index range, whatever the planner's
statistics say (without it, PostgreSQL fresh from a bulk import re-scanned the whole platform
for every page).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.create_index(
            "ix_chats_platform_active_id", ["platform", "active", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_index("ix_chats_platform_active_id")
