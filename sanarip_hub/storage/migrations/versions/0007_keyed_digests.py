"""ledger entries keep keyed digests of request and response: the columns say so

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 00:00:00

Entries written before keep their plain SHA-256 digests (schema 1 in their hashed bytes); the
hashed bytes never change, only the column names do.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entry") as batch:
        batch.alter_column("request_sha256", new_column_name="request_digest")
        batch.alter_column("response_sha256", new_column_name="response_digest")


def downgrade() -> None:
    with op.batch_alter_table("ledger_entry") as batch:
        batch.alter_column("request_digest", new_column_name="request_sha256")
        batch.alter_column("response_digest", new_column_name="response_sha256")
