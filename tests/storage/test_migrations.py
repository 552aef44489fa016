"""Migrations go up and down on both back ends, and the models match them exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from sanarip_hub.errors import SchemaNotCurrent
from sanarip_hub.storage import migrate
from sanarip_hub.storage.models import Base
from tests.conftest import HubDb


def hub_tables(db: HubDb) -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_db: HubDb) -> None:
    assert migrate.current_revision(empty_db.engine) is None
    migrate.upgrade(empty_db.engine)
    assert migrate.current_revision(empty_db.engine) == migrate.head_revision()
    assert hub_tables(empty_db) == set(Base.metadata.tables)

    migrate.downgrade(empty_db.engine, "base")
    assert migrate.current_revision(empty_db.engine) is None
    assert hub_tables(empty_db) == set()

    migrate.upgrade(empty_db.engine)
    assert hub_tables(empty_db) == set(Base.metadata.tables)


def test_models_and_migrations_agree(hub_db: HubDb) -> None:
    """Autogenerate finds nothing to do: a model change without a migration fails here."""
    with hub_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_pins_compare_byte_by_byte_whatever_the_databases_collation(empty_db: HubDb) -> None:
    """Autogenerate does not compare collations, so this checks migration 0020 and the models agree:
    on PostgreSQL the PIN columns (and so their unique indexes) use collation "C", after an upgrade
    and as the models create them; going down gives the database's default back."""
    if empty_db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite compares bytes already")
    tables = ("person", "person_pin_alias")

    def collations() -> dict[str, str | None]:
        with empty_db.engine.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT table_name, collation_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND column_name = 'pin'"
                    " AND table_name IN ('person', 'person_pin_alias')"
                )
            )
            return {str(table): collation for table, collation in found}

    migrate.upgrade(empty_db.engine)
    assert collations() == dict.fromkeys(tables, "C")
    assert {Base.metadata.tables[table].c.pin.type.dialect_impl(empty_db.engine.dialect).collation
            for table in tables} == {"C"}  # fmt: skip
    migrate.downgrade(empty_db.engine, "0019")
    assert collations() == dict.fromkeys(tables, None)


def test_upgrade_is_idempotent(hub_db: HubDb) -> None:
    migrate.upgrade(hub_db.engine)
    assert migrate.current_revision(hub_db.engine) == migrate.head_revision()


def test_require_current(empty_db: HubDb) -> None:
    with pytest.raises(SchemaNotCurrent, match=r"an empty database.*sanarip-hub db upgrade"):
        migrate.require_current(empty_db.engine)
    migrate.upgrade(empty_db.engine)
    migrate.require_current(empty_db.engine)
