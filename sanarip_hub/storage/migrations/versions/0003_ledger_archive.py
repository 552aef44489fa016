"""ledger archive segments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 19:09:54.069111
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_archive",
        sa.Column("segment", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("end_seq", sa.BigInteger(), nullable=False),
        sa.Column("file", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("segment", name=op.f("pk_ledger_archive")),
    )


def downgrade() -> None:
    op.drop_table("ledger_archive")
