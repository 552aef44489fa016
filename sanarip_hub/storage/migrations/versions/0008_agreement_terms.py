"""agreements: field grants per service; oversight, confidential_days and statistics terms

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 00:00:00

``fields`` was one flat list applied to every service of an agreement; it becomes a table of lists
per service.  Existing agreements keep exactly what they granted: each name goes to every service
that had a field of that name (the v1 contract's names are frozen below, so this migration means
the same whatever the contract becomes).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

V1_FIELDS = {
    "householdByPin": {"accountNo", "address", "dwelling", "householdType", "landHa", "livestock", "lsgName",
                       "members", "updatedAt"},
    "familyComposition": {"certificate"},
    "socialPassportByPin": {"belowGmi", "incomeBand", "members", "nextReviewDue", "passportNumber",
                            "reviewedAt", "services", "status", "welfareCategory"},
    "landQueuePosition": {"applications"},
    "municipalPropertyByEni": {"address", "areaHa", "areaM2", "balanceHolder", "eni", "inventoryNo", "kind",
                               "lessees", "lsgName", "name", "useStatus", "yearBuilt"},
    "municipalPropertyList": {"items", "total"},
    "lsgPassport": {"areaKm2", "households", "lsgName", "migrantsOut", "period", "population",
                    "populationByAge", "settlements", "soate", "socialObjects", "unemployed"},
    "statAggregates": {"cells", "indicator", "soate"},
    "findUsage": {"usages"},
    "address-fact": {"accountNo", "flat", "house", "settlement", "soate", "street", "text", "updatedAt"},
    "family-members": {"members"},
}  # fmt: skip


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


def upgrade() -> None:
    with op.batch_alter_table("agreement") as batch:
        batch.add_column(sa.Column("oversight", sa.Boolean(), server_default="0", nullable=False))
        batch.add_column(sa.Column("confidential_days", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("statistics", sa.Boolean(), server_default="0", nullable=False))
    table = sa.table(
        "agreement", sa.column("id"), sa.column("services", sa.JSON), sa.column("fields", sa.JSON)
    )
    connection = op.get_bind()
    for row in list(connection.execute(sa.select(table.c.id, table.c.services, table.c.fields))):
        services, fields = _json(row.services), _json(row.fields)
        if not isinstance(fields, list):
            continue
        per_service = {
            service: ["*"] if fields == ["*"] else [f for f in fields if f in V1_FIELDS.get(service, ())]
            for service in services
        }
        connection.execute(table.update().where(table.c.id == row.id).values(fields=per_service))


def downgrade() -> None:
    table = sa.table("agreement", sa.column("id"), sa.column("fields", sa.JSON))
    connection = op.get_bind()
    for row in list(connection.execute(sa.select(table.c.id, table.c.fields))):
        fields = _json(row.fields)
        if isinstance(fields, dict):  # the union: what a flat list can say
            names = sorted({p.split(".")[0] for paths in fields.values() for p in paths})
            flat = ["*"] if "*" in names else names
            connection.execute(table.update().where(table.c.id == row.id).values(fields=flat))
    with op.batch_alter_table("agreement") as batch:
        batch.drop_column("statistics")
        batch.drop_column("confidential_days")
        batch.drop_column("oversight")
