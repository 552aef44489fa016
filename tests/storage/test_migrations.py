"""Migrations go up and down on both back ends, and the models match them exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

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


def test_upgrade_is_idempotent(hub_db: HubDb) -> None:
    migrate.upgrade(hub_db.engine)
    assert migrate.current_revision(hub_db.engine) == migrate.head_revision()


def test_require_current(empty_db: HubDb) -> None:
    with pytest.raises(SchemaNotCurrent, match=r"an empty database.*sanarip-hub db upgrade"):
        migrate.require_current(empty_db.engine)
    migrate.upgrade(empty_db.engine)
    migrate.require_current(empty_db.engine)
