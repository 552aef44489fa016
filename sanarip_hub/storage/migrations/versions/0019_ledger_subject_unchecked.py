"""ledger: the data-subject index is written only with its entries, so its foreign key goes

Every subject row of an append paid a foreign-key check against the entry inserted in the same
statement (PostgreSQL: a trigger and a row lock each, ~10 µs of the server per subject, and a
household card's answer names every member).  The rows are written only by the ledger's append
statement, with their entries, and removed only with them (archiving deletes both, subjects first);
``ledger verify`` compares the index with each entry's canonical bytes, so a wrong or missing row is
named there, as an edited one already was.  The key enforced nothing verification does not check,
and anyone able to break it could also drop it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "fk_ledger_subject_seq_ledger_entry"


def upgrade() -> None:
    with op.batch_alter_table("ledger_subject", schema=None) as batch_op:
        batch_op.drop_constraint(KEY, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("ledger_subject", schema=None) as batch_op:
        batch_op.create_foreign_key(KEY, "ledger_entry", ["seq"], ["seq"], ondelete="CASCADE")
