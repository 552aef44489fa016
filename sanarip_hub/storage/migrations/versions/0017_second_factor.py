"""console: a second factor (TOTP) for administrators and auditors; the user's language kept

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("console_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_enrolled", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=5), nullable=True))
    with op.batch_alter_table("console_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pending_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.create_foreign_key(
            op.f("fk_console_session_pending_user_id_console_user"),
            "console_user",
            ["pending_user_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("console_session", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_console_session_pending_user_id_console_user"), type_="foreignkey")
        batch_op.drop_column("pending_user_id")
    with op.batch_alter_table("console_user", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enrolled")
        batch_op.drop_column("totp_secret")
