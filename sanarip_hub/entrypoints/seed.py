"""Seeding a synthetic country with a progress bar (``seed`` and ``demo``)."""

from __future__ import annotations

from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.progress import progress_bar
from sanarip_hub.log import get_logger
from sanarip_hub.synthetic.seed import SeedReport, seed_country

log = get_logger("sanarip_hub.seed")


def run_seed(
    hub: Hub,
    households: int,
    lsg_count: int | None,
    seed_value: int,
    append: bool,
    workers: int | None = None,
) -> SeedReport:
    """Seed the hub database with a progress bar; log what was loaded."""
    with progress_bar("seeding households", households) as advance:
        report = seed_country(
            hub.engine, households, lsg_count, seed_value, append=append, progress=advance, workers=workers
        )
    log.info(
        "seed.done",
        households=report.households,
        persons=report.persons,
        lsg=report.lsg_bodies,
        seconds=round(report.seconds, 2),
        rows=sum(report.rows.values()),
    )
    return report
