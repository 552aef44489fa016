"""Backup and restore: SQLite's online backup API, and pg_dump/pg_restore for PostgreSQL.

A restore onto a database that holds data is refused unless forced, because a restore replaces
the register book wholesale: an operator must say so explicitly.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect, make_url

from sanarip_hub.errors import BackupError, DatabaseNotEmpty
from sanarip_hub.storage.inventory import household_count


def _libpq_url(engine: Engine) -> str:
    return make_url(engine.url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def backup(engine: Engine, target: Path, schema: str = "", *, force: bool = False) -> None:
    """Write a consistent copy of the database to ``target`` while the hub keeps running; an
    existing file only with ``force``, and never into a folder that does not exist."""
    if target.exists() and not force:
        raise BackupError(f"{target} exists; use --force to replace it")
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    try:
        partial.touch()
    except OSError as exc:
        raise BackupError(f"cannot write the backup to {target}: {exc.strerror}") from None
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)
        except sqlite3.Error as exc:
            raise BackupError(f"SQLite backup failed: {exc}") from None
        finally:
            destination.close()
            source.close()
    else:
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
        if schema:
            command.append(f"--schema={schema}")
        _run([*command, f"--dbname={_libpq_url(engine)}"], "pg_dump")
    os.replace(partial, target)  # a crash mid-backup never leaves a file that looks complete


def restore(engine: Engine, source: Path, schema: str = "", *, force: bool = False) -> None:
    """Replace the database's contents with the backup in ``source``."""
    if not source.is_file():
        raise BackupError(f"backup file not found: {source}")
    existing = household_count(engine)
    if existing and not force:
        raise DatabaseNotEmpty(
            f"the database holds {existing} households; restoring would replace them (use --force)"
        )
    if engine.dialect.name == "sqlite":
        _restore_sqlite(engine, source)
    else:
        _restore_postgres(engine, source, schema)


def _restore_sqlite(engine: Engine, source: Path) -> None:
    with source.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{source} is not a SQLite backup")
    engine.dispose()  # no pooled connection may hold the file while it is replaced
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in backup_db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            raise BackupError(f"{source} is not a Sanarip Hub backup (no alembic_version table)")
        target = sqlite3.connect(_sqlite_path(engine))
        try:
            backup_db.backup(target)
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite restore failed: {exc}") from None
    finally:
        backup_db.close()


def _restore_postgres(engine: Engine, source: Path, schema: str) -> None:
    engine.dispose()
    # Clear the target first (the caller has checked it is empty or that the operator forced it):
    # pg_restore --clean cannot drop tables the dump does not know, nor a schema it is about to create.
    with engine.begin() as connection:
        if schema:  # the dump re-creates its schema
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        else:
            for name in inspect(connection).get_table_names():
                connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    _run([*command, f"--dbname={_libpq_url(engine)}", str(source)], "pg_restore")


def _run(command: list[str], tool: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools are needed for backups)")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit status {result.returncode}"
        raise BackupError(f"{tool} failed: {detail}")
