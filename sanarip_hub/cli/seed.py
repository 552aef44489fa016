"""``seed``: load a synthetic country."""

from __future__ import annotations

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.seed import run_seed


@click.command()
@click.option("--households", type=click.IntRange(min=1), required=True, help="Households to generate.")
@click.option(
    "--lsg",
    "lsg_count",
    type=click.IntRange(1, 268),
    default=None,
    help="LSG bodies to spread them over (default: about 6,500 households each).",
)
@click.option("--seed", "seed_value", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--append", is_flag=True, help="Add to a database that already holds households.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help=(
        "Generator processes for a fresh PostgreSQL load "
        "(default: cores - 1, at least 2; one below 50,000 households)."
    ),
)
@pass_hub
def seed(
    hub: Hub,
    households: int,
    lsg_count: int | None,
    seed_value: int,
    append: bool,
    workers: int | None,
) -> None:
    """Generate a deterministic synthetic country and load it (PINs use the reserved 9xxxx serials)."""
    report = run_seed(hub, households, lsg_count, seed_value, append, workers)
    click.echo(
        f"seeded {report.households} households, {report.persons} persons in {report.lsg_bodies} LSG bodies "
        f"in {report.seconds:.1f} s ({report.households / report.seconds:,.0f} households/s)"
    )
