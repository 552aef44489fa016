"""exchange and access ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 18:43:56.530972
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_checkpoint",
        sa.Column(
            "size", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("time_ms", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_ledger_checkpoint")),
    )
    op.create_table(
        "ledger_entry",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("time_ms", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("service_id", sa.String(length=300), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("client_id", sa.String(length=300), nullable=True),
        sa.Column("user_id", sa.String(length=200), nullable=True),
        sa.Column("issue", sa.String(length=300), nullable=True),
        sa.Column("represented_party", sa.String(length=300), nullable=True),
        sa.Column("agreement_id", sa.String(length=100), nullable=True),
        sa.Column("subjects_sealed", sa.Text(), nullable=True),
        sa.Column("request_sha256", sa.String(length=64), nullable=True),
        sa.Column("request_bytes", sa.BigInteger(), nullable=True),
        sa.Column("response_sha256", sa.String(length=64), nullable=True),
        sa.Column("response_bytes", sa.BigInteger(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_entry")),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entry_agreement", ["agreement_id", "time_ms"], unique=False)
        batch_op.create_index("ix_ledger_entry_client", ["client_id", "time_ms"], unique=False)
        batch_op.create_index("ix_ledger_entry_outcome", ["outcome", "time_ms"], unique=False)
        batch_op.create_index("ix_ledger_entry_time", ["time_ms"], unique=False)

    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("last_checkpoint_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    # The one head row every append locks: an empty ledger whose last hash is the genesis value.
    head = sa.table(
        "ledger_head",
        sa.column("id", sa.Integer()),
        sa.column("size", sa.BigInteger()),
        sa.column("last_hash", sa.LargeBinary()),
        sa.column("frontier", sa.LargeBinary()),
        sa.column("last_checkpoint_ms", sa.BigInteger()),
    )
    op.bulk_insert(
        head, [{"id": 1, "size": 0, "last_hash": bytes(32), "frontier": b"", "last_checkpoint_ms": 0}]
    )
    op.create_table(
        "ledger_subject",
        sa.Column("pin_hash", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"], ["ledger_entry.seq"], name=op.f("fk_ledger_subject_seq_ledger_entry"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pin_hash", "seq", name=op.f("pk_ledger_subject")),
    )


def downgrade() -> None:
    op.drop_table("ledger_subject")
    op.drop_table("ledger_head")
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entry_time")
        batch_op.drop_index("ix_ledger_entry_outcome")
        batch_op.drop_index("ix_ledger_entry_client")
        batch_op.drop_index("ix_ledger_entry_agreement")

    op.drop_table("ledger_entry")
    op.drop_table("ledger_checkpoint")
