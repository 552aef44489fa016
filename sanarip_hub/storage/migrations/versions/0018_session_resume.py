"""console: a session remembers where a request that found it ended was going (and its draft)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("console_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resume", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("console_session", schema=None) as batch_op:
        batch_op.drop_column("resume")
