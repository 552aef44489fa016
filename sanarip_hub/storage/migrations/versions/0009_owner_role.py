"""console role "owner": the system owner's report of unauthorized access (regulation clause 15.2)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("operator", "auditor", "lsg_user", "administrator")
AFTER = (*BEFORE, "owner")
NAME = "ck_console_user_console_role"


def _roles(roles: tuple[str, ...]) -> None:
    check = "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"
    if op.get_bind().dialect.name == "sqlite":  # SQLite alters a CHECK only by copying the table
        with op.batch_alter_table("console_user", recreate="always") as batch:
            batch.drop_constraint(op.f(NAME), type_="check")
            batch.create_check_constraint(op.f(NAME), check)
    else:
        op.drop_constraint(op.f(NAME), "console_user", type_="check")
        op.create_check_constraint(op.f(NAME), "console_user", check)


def upgrade() -> None:
    _roles(AFTER)


def downgrade() -> None:
    op.execute("UPDATE console_user SET disabled = true, role = 'auditor' WHERE role = 'owner'")
    _roles(BEFORE)
