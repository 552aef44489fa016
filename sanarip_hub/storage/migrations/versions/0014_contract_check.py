"""contracts: the outcome of each check of a consumed service's contract against our model

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contract_check",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("service", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("breaking", sa.Integer(), nullable=False),
        sa.Column("differences", sa.Text(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_check")),
    )
    op.create_index("ix_contract_check_name_id", "contract_check", ["name", "id"])


def downgrade() -> None:
    op.drop_index("ix_contract_check_name_id", table_name="contract_check")
    op.drop_table("contract_check")
