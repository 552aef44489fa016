"""``demo``: the main job of ``make demo`` (see :mod:`sanarip_hub.entrypoints.demo`)."""

from __future__ import annotations

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.entrypoints.hub import Hub


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
@click.option("--no-producer", is_flag=True, help="Skip starting the producer for a sample call.")
@click.option(
    "--serve/--no-serve",
    default=None,
    help="At the end, keep serving the console and the producer it printed until Ctrl-C (default: "
    "when the output is a terminal; a script's `make demo` ends).",
)
@pass_hub
def demo(
    hub: Hub, households: int, lsg_count: int, seed_value: int, no_producer: bool, serve: bool | None
) -> None:
    """Upgrade the database, seed it if it is empty, print what it holds, then start the X-Road
    producer with demo agreements and show a sample SOAP and REST call, reconcile with the simulated
    registries, and sign in to the console once per role; then keep serving (on a terminal)."""
    import sys

    from sanarip_hub.entrypoints.demo import run_demo

    keep_serving = sys.stdout.isatty() if serve is None else serve
    run_demo(hub, households, lsg_count, seed_value, no_producer, keep_serving)
