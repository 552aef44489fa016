"""certificates: the register of issued certificates

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issued_certificate",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_pin", sa.String(length=14), nullable=False),
        sa.Column("asked_pin", sa.String(length=14), nullable=False),
        sa.Column("lsg_soate", sa.String(length=20), nullable=True),
        sa.Column("lsg_name", sa.String(length=300), nullable=True),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.String(length=1000), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_valid_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("key_holder", sa.String(length=10), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.Column("revocation_reason", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_issued_certificate")),
    )
    op.create_index("ix_issued_certificate_subject", "issued_certificate", ["subject_pin", "issued_at"])
    op.create_index("ix_issued_certificate_issued_at", "issued_certificate", ["issued_at"])


def downgrade() -> None:
    op.drop_index("ix_issued_certificate_issued_at", table_name="issued_certificate")
    op.drop_index("ix_issued_certificate_subject", table_name="issued_certificate")
    op.drop_table("issued_certificate")
