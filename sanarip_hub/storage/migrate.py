"""Schema migrations (Alembic), driven from the hub's own settings.

``upgrade`` and ``downgrade`` run inside one transaction on PostgreSQL (transactional DDL), so a
failed migration leaves the schema as it was.  SQLite migrations use Alembic's batch mode.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

from sanarip_hub.domain.readiness import MIGRATIONS_AT, Check
from sanarip_hub.errors import SchemaNotCurrent, StorageError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations packaged"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``."""
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to ``revision`` (``base`` drops every hub table)."""
    _run(engine, "downgrade", revision)


def _run(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    except CommandError as exc:  # alembic's own words name its internals, not what to type
        if "Can't locate revision" in str(exc):
            raise StorageError(
                f"no migration {revision}: give a revision between 0001 and {head_revision()}, or head"
            ) from None
        raise StorageError(f"db {action} {revision}: {exc}") from None


def require_current(engine: Engine) -> None:
    """Raise :class:`SchemaNotCurrent` unless the database is at the head revision."""
    current = current_revision(engine)
    if current != head_revision():
        found = current or "an empty database"
        raise SchemaNotCurrent(
            f"database schema is at {found}, expected {head_revision()}: run 'sanarip-hub db upgrade'"
        )


def database_checks(engine: Engine, public: bool = False) -> list[Check]:
    """The database's part of ``/readyz`` and the health page: reachable, and at the revision the
    code expects.  ``public``: the database is "reachable", never its URL or a driver message."""
    from sqlalchemy import text

    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach it is the answer, not an error of the check
        detail = str(exc).splitlines()[0] if str(exc) else repr(exc)
        return [
            Check("database", False, "unreachable" if public else detail),
            Check("migrations", False, "database unreachable"),
        ]
    current, head = current_revision(engine), head_revision()
    return [
        Check("database", True, "reachable" if public else engine.url.render_as_string(hide_password=True)),
        Check("migrations", current == head, MIGRATIONS_AT, (("current", str(current)), ("head", head))),
    ]
