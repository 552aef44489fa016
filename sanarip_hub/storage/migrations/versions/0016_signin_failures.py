"""console: failed sign-ins per account and address (the account-wide lock goes)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_signin_failure",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_signin_failure")),
    )
    op.create_index("ix_console_signin_failure_address", "console_signin_failure", ["address", "at"])
    op.create_index(
        "ix_console_signin_failure_username", "console_signin_failure", ["username", "address", "at"]
    )
    with op.batch_alter_table("console_user", schema=None) as batch_op:
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("console_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
    op.drop_index("ix_console_signin_failure_username", table_name="console_signin_failure")
    op.drop_index("ix_console_signin_failure_address", table_name="console_signin_failure")
    op.drop_table("console_signin_failure")
