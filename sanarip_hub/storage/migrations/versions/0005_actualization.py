"""actualization: sync runs, mismatches, their events, person field history

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_run",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "source",
            sa.Enum("civil-registry", "tax", name="sync_source", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("lsg_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("person_limit", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "completed",
                "failed",
                name="sync_run_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "checkpoint_person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            server_default="0",
            nullable=False,
        ),
        sa.Column("checked", sa.Integer(), server_default="0", nullable=False),
        sa.Column("matched", sa.Integer(), server_default="0", nullable=False),
        sa.Column("mismatched", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["lsg_id"], ["lsg_body.id"], name=op.f("fk_sync_run_lsg_id_lsg_body")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run")),
    )
    op.create_table(
        "mismatch",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "civil-registry", "tax", name="mismatch_source", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("hub_value", sa.Text(), nullable=True),
        sa.Column("registry_value", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_review",
                "actualized",
                "rejected",
                "escalated",
                name="mismatch_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_mismatch_person_id_person")),
        sa.ForeignKeyConstraint(["run_id"], ["sync_run.id"], name=op.f("fk_mismatch_run_id_sync_run")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mismatch")),
    )
    op.create_index(op.f("ix_mismatch_person_id"), "mismatch", ["person_id"], unique=False)
    op.create_index("ix_mismatch_status", "mismatch", ["status", "detected_at"], unique=False)
    op.create_index(
        "uq_mismatch_open",
        "mismatch",
        ["person_id", "field", "source"],
        unique=True,
        sqlite_where=sa.text("status IN ('open', 'in_review')"),
        postgresql_where=sa.text("status IN ('open', 'in_review')"),
    )
    op.create_table(
        "mismatch_event",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("mismatch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "open",
                "in_review",
                "actualized",
                "rejected",
                "escalated",
                name="from_mismatch_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "open",
                "in_review",
                "actualized",
                "rejected",
                "escalated",
                name="to_mismatch_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["mismatch_id"],
            ["mismatch.id"],
            name=op.f("fk_mismatch_event_mismatch_id_mismatch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mismatch_event")),
    )
    op.create_index(op.f("ix_mismatch_event_mismatch_id"), "mismatch_event", ["mismatch_id"], unique=False)
    op.create_table(
        "person_field_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("mismatch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["mismatch_id"], ["mismatch.id"], name=op.f("fk_person_field_history_mismatch_id_mismatch")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_field_history_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_field_history")),
    )
    op.create_index(
        op.f("ix_person_field_history_person_id"), "person_field_history", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_person_field_history_person_id"), table_name="person_field_history")
    op.drop_table("person_field_history")
    op.drop_index(op.f("ix_mismatch_event_mismatch_id"), table_name="mismatch_event")
    op.drop_table("mismatch_event")
    op.drop_index("uq_mismatch_open", table_name="mismatch")
    op.drop_index("ix_mismatch_status", table_name="mismatch")
    op.drop_index(op.f("ix_mismatch_person_id"), table_name="mismatch")
    op.drop_table("mismatch")
    op.drop_table("sync_run")
