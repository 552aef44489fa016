"""register: a person's registered address (прописка) as its own fact, apart from the household's

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("registered_soate", sa.String(14), nullable=True))
        batch.add_column(sa.Column("registered_address", sa.String(400), nullable=True))
        batch.create_foreign_key(
            op.f("fk_person_registered_soate_ate_unit"), "ate_unit", ["registered_soate"], ["soate_code"]
        )


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint(op.f("fk_person_registered_soate_ate_unit"), type_="foreignkey")
        batch.drop_column("registered_address")
        batch.drop_column("registered_soate")
