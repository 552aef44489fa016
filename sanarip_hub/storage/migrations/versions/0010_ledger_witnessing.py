"""ledger: tile cache for proofs, witnesses' cosignatures

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_tile",
        sa.Column("idx", SEQ, autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_ledger_tile")),
    )
    op.create_table(
        "ledger_cosignature",
        sa.Column("size", SEQ, autoincrement=False, nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("signed_at", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("size", "witness", name=op.f("pk_ledger_cosignature")),
    )


def downgrade() -> None:
    op.drop_table("ledger_cosignature")
    op.drop_table("ledger_tile")
