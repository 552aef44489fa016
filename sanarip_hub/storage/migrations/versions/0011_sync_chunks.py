"""sync: a run's chunks, claimed by the hosts that work it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sync_chunk",
        sa.Column("run_id", ID, nullable=False),
        sa.Column("chunk_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("after_id", ID, nullable=False),
        sa.Column("up_to_id", ID, nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("people", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["sync_run.id"], name=op.f("fk_sync_chunk_run_id_sync_run")),
        sa.PrimaryKeyConstraint("run_id", "chunk_no", name=op.f("pk_sync_chunk")),
    )


def downgrade() -> None:
    op.drop_table("sync_chunk")
