"""figure uploads: a platform's own reference to a key figure (Telegram file_id, 公众号 URL)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

Spelled out here (not imported from storage.models_text) so that this revision means the same
thing whatever the models later become.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "figure_uploads",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("paper_id", ID, nullable=False),
        sa.Column("place", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("remote", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_figure_uploads_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_uploads")),
        sa.UniqueConstraint("paper_id", "place", name=op.f("uq_figure_uploads_paper_id")),
    )


def downgrade() -> None:
    op.drop_table("figure_uploads")
