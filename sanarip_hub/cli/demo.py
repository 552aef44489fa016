"""``demo``: the main job of ``make demo`` — migrate, seed a small country once, print a summary."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from sanarip_hub.cli.context import HubContext, pass_hub
from sanarip_hub.cli.seed import run_seed
from sanarip_hub.storage import migrate
from sanarip_hub.storage.engine import safe_url
from sanarip_hub.storage.inventory import household_count, table_counts


@click.command()
@click.option(
    "--households",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="Households to seed when the database is empty.",
)
@click.option(
    "--lsg",
    "lsg_count",
    type=click.IntRange(1, 268),
    default=4,
    show_default=True,
    help="LSG bodies to seed when the database is empty.",
)
@click.option("--seed", "seed_value", type=int, default=2026, show_default=True, help="Random seed.")
@pass_hub
def demo(hub: HubContext, households: int, lsg_count: int, seed_value: int) -> None:
    """Upgrade the database, seed it if it is empty, and print what it holds."""
    migrate.upgrade(hub.engine)
    click.echo(f"database: {safe_url(hub.engine.url)} (revision {migrate.current_revision(hub.engine)})")
    if household_count(hub.engine) == 0:
        run_seed(hub, households, min(lsg_count, households), seed_value, append=False)
    else:
        click.echo("database already seeded; leaving it as it is")
    table = Table(title="Sanarip Hub database", show_lines=False)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in table_counts(hub.engine).items():
        table.add_row(name, f"{count:,}")
    Console(width=100).print(table)
