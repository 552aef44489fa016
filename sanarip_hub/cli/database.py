"""``db upgrade|downgrade|current``, ``backup FILE`` and ``restore FILE``."""

from __future__ import annotations

from pathlib import Path

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.log import get_logger
from sanarip_hub.storage import backup as backups
from sanarip_hub.storage import migrate
from sanarip_hub.storage.engine import safe_url

log = get_logger("sanarip_hub.cli")


@click.group()
def db() -> None:
    """Database schema: migrations up and down, and the current revision."""


@db.command()
@click.argument("revision", default="head")
@pass_hub
def upgrade(hub: Hub, revision: str) -> None:
    """Migrate the schema up to REVISION (default: the newest)."""
    before = migrate.current_revision(hub.engine)
    migrate.upgrade(hub.engine, revision)
    after = migrate.current_revision(hub.engine)
    log.info("db.upgrade", database=safe_url(hub.engine.url), before=before, after=after)
    click.echo(f"database at revision {after} ({safe_url(hub.engine.url)})")


@db.command()
@click.argument("revision")
@pass_hub
def downgrade(hub: Hub, revision: str) -> None:
    """Migrate the schema down to REVISION ('base' removes every hub table)."""
    migrate.downgrade(hub.engine, revision)
    after = migrate.current_revision(hub.engine)
    log.info("db.downgrade", database=safe_url(hub.engine.url), after=after)
    click.echo(f"database at revision {after or 'base'}")


@db.command()
@pass_hub
def current(hub: Hub) -> None:
    """Print the schema revision of the database and the newest this code knows."""
    click.echo(f"current: {migrate.current_revision(hub.engine) or 'base'}  head: {migrate.head_revision()}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_hub
def backup_command(hub: Hub, file: Path, force: bool) -> None:
    """Write a consistent backup of the database to FILE (the hub may keep running).

    The database is not all the evidence: the ledger's keys, the checkpoint log and the archive
    segments live in the data directory, and a warning names them, every time."""
    backups.backup(hub.engine, file, hub.settings.database.schema, force=force)
    log.info("db.backup", file=str(file), bytes=file.stat().st_size)
    click.echo(f"backup written to {file} ({file.stat().st_size} bytes)")
    settings = hub.settings
    ledger = settings.ledger
    needed = [settings.home_path(p) for p in (ledger.signing_key, ledger.public_key, ledger.pin_key)]
    needed.append(settings.home_path(ledger.checkpoint_log))
    archive = settings.home_path(ledger.archive_dir)
    segments = sorted(archive.glob("segment-*.zip")) if archive.is_dir() else []
    click.echo(
        "warning: this file holds the database only. Back up beside it (keys secretly): "
        + ", ".join(str(p) for p in needed if p.exists())
        + (f", and the {len(segments)} archive segment(s) in {archive}" if segments else "")
        + ". Without the PIN key the ledger cannot be searched by PIN; without the segments archived "
        "entries cannot be verified.",
        err=True,
    )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@pass_hub
def restore_command(hub: Hub, file: Path, force: bool) -> None:
    """Restore the database from FILE; refuses a non-empty database unless --force."""
    backups.restore(hub.engine, file, hub.settings.database.schema, force=force)
    log.info("db.restore", file=str(file), forced=force)
    click.echo(f"database restored from {file}")
