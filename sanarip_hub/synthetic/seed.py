"""``sanarip-hub seed``: load a synthetic country into the hub database.

The run is planned as shards of LSG bodies (:mod:`.shards`); the generators (:mod:`.book`,
:mod:`.modules`) produce tuples and :class:`~sanarip_hub.storage.bulk.BulkWriter` loads them with
COPY (PostgreSQL) or executemany (SQLite).  Into an empty database the load is one transaction;
with ``--append`` it is chunked.  A seed refuses a database that already holds households unless
``append`` is set, because mixing two synthetic countries silently would make every count in the
demo and the benchmarks wrong.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sanarip_hub.domain.codes import LandQueuePurpose
from sanarip_hub.errors import DatabaseNotEmpty, SeedError
from sanarip_hub.storage.bulk import BulkWriter, next_ids
from sanarip_hub.storage.inventory import household_count
from sanarip_hub.storage.migrate import require_current
from sanarip_hub.storage.register_load import RegisterLoad
from sanarip_hub.synthetic.country import COLUMNS, REFERENCE_YEAR, TABLE_ORDER, LsgState
from sanarip_hub.synthetic.parallel import load_in_parallel
from sanarip_hub.synthetic.shards import LsgJob, plan_jobs, run_shard
from sanarip_hub.synthetic.territory import AteRow, SyntheticLsg, build_territory

if TYPE_CHECKING:  # handed to storage
    from sqlalchemy import Engine

HOUSEHOLDS_PER_LSG = 6530  # 1.75 M households / 268 LSG bodies (FACTS §3, §10)
MAX_LSG = 268
FLUSH_ROWS = 60_000
PARALLEL_FROM_HOUSEHOLDS = 50_000  # measured: 40k households load as fast in one process as in two

Progress = Callable[[int], None]  # called with the number of households just written


@dataclass
class SeedReport:
    """What a seed run wrote."""

    households: int
    lsg_bodies: int
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def persons(self) -> int:
        return self.rows.get("person", 0)


def default_lsg_count(households: int) -> int:
    """About 6,500 households per LSG body, as in the real country; at least 1, at most 268."""
    return max(1, min(MAX_LSG, -(-households // HOUSEHOLDS_PER_LSG)))


def split_households(total: int, lsgs: list[SyntheticLsg]) -> list[int]:
    """Spread ``total`` over ``lsgs`` by weight (largest remainder), at least one each."""
    weights = [lsg.weight for lsg in lsgs]
    scale = (total - len(lsgs)) / sum(weights)
    shares = [w * scale for w in weights]
    counts = [1 + int(s) for s in shares]
    order = sorted(range(len(lsgs)), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def seed_country(
    engine: Engine,
    households: int,
    lsg_count: int | None = None,
    seed: int = 0,
    *,
    append: bool = False,
    progress: Progress | None = None,
    passport_period: str | None = None,
    workers: int | None = None,
) -> SeedReport:
    """Generate ``households`` households over ``lsg_count`` LSG bodies and load them.

    ``workers`` generator processes are used for a fresh PostgreSQL load (default:
    :func:`default_workers`); the rows are the same whatever their number.  LSG passports are derived
    from the loaded book afterwards, in their own transaction (they are derived data: re-deriving
    them is always safe).
    """
    started = time.perf_counter()
    if households < 1:
        raise SeedError("--households must be at least 1")
    count = lsg_count if lsg_count is not None else default_lsg_count(households)
    if not 1 <= count <= MAX_LSG:
        raise SeedError(f"--lsg must be between 1 and {MAX_LSG}, got {count}")
    if count > households:
        raise SeedError(
            f"--lsg {count} is more than --households {households}: every LSG body needs a household"
        )
    require_current(engine)
    existing = household_count(engine)
    if existing and not append:
        raise DatabaseNotEmpty(
            f"the database already holds {existing} households; use --append to add to them "
            "or restore an empty database first"
        )

    territory = build_territory()
    chosen = list(territory.lsgs[:count])
    register = RegisterLoad(engine)
    lsg_ids = _load_reference(register, territory.units, chosen)
    states = _lsg_states(register, chosen, lsg_ids)
    taken = register.taken_pins() if existing else set()

    jobs = plan_jobs(chosen, split_households(households, chosen), states, next_ids(engine, TABLE_ORDER))
    shards: dict[int, list[LsgJob]] = {}
    for job in jobs:
        shards.setdefault(job.shard, []).append(job)
    writer = BulkWriter(engine, COLUMNS, TABLE_ORDER, fresh=not existing)
    processes = min(workers if workers is not None else default_workers(households), len(shards))
    try:
        if writer.fresh and writer.is_postgres and processes > 1:
            load_in_parallel(writer, seed, shards, taken, processes, progress)
        else:
            _load_in_process(writer, seed, shards, taken, progress)
        writer.finish()
    except BaseException:
        writer.abort()
        raise

    register.derive_passports(
        [lsg_ids[lsg.soate_code] for lsg in chosen], passport_period or str(REFERENCE_YEAR)
    )
    return SeedReport(households, len(chosen), time.perf_counter() - started, dict(writer.written))


def default_workers(households: int) -> int:
    """Generator processes for a fresh PostgreSQL seed of ``households``.

    One core is left to the database and this process, but never fewer than two workers: measured
    on a 2-core machine (``bench/seed.py``, 200k households), one process with a background COPY
    thread took 27.3 s, two worker processes 19.5 s, three 22.5 s (the workers' COPY text is
    formatted by psycopg's C dumpers, so the parent's share is small).  Below
    ``PARALLEL_FROM_HOUSEHOLDS`` starting processes costs more than it gains: one.  Use ``--workers``
    to override.
    """
    if households < PARALLEL_FROM_HOUSEHOLDS:
        return 1
    return max(2, (os.cpu_count() or 1) - 1)


def _load_in_process(
    writer: BulkWriter, seed: int, shards: dict[int, list[LsgJob]], taken: set[str], progress: Progress | None
) -> None:
    """Generate every shard in this process, flushing the writer every ``FLUSH_ROWS`` rows."""
    done = 0

    def tick(households: int) -> None:
        nonlocal done
        done += households
        if writer.pending >= FLUSH_ROWS:
            writer.flush()
            if progress:
                progress(done)
            done = 0

    for shard in sorted(shards):
        run_shard(seed, shard, shards[shard], taken, writer.add, tick)
    if progress and done:
        progress(done)


def load_territory(engine: Engine) -> dict[str, int]:
    """The hub's map of the country (every СОАТЕ unit and LSG body), those not there yet inserted:
    what an import of real register files validates codes against.  LSG ids by code."""
    territory = build_territory()
    return _load_reference(RegisterLoad(engine), territory.units, list(territory.lsgs))


def _load_reference(
    register: RegisterLoad, units: tuple[AteRow, ...], chosen: list[SyntheticLsg]
) -> dict[str, int]:
    """The territory and the chosen LSG bodies, those not there yet inserted; LSG ids by code."""
    return register.load_reference(
        [
            {
                "soate_code": u.code,
                "name_ky": u.name_ky,
                "name_ru": u.name_ru,
                "name_en": u.name_en,
                "kind": u.kind,
                "parent_code": u.parent,
                "valid_from": date(2025, 1, 1),
            }
            for u in units
        ],
        [
            {"soate_code": lsg.soate_code, "kind": lsg.kind, "name_ky": lsg.name_ky, "name_ru": lsg.name_ru}
            for lsg in chosen
        ],
    )


def _lsg_states(
    register: RegisterLoad, chosen: list[SyntheticLsg], lsg_ids: dict[str, int]
) -> dict[str, LsgState]:
    """Continue each LSG body's numbering where an earlier seed left it."""
    states: dict[str, LsgState] = {}
    for lsg in chosen:
        held = register.lsg_holdings(lsg_ids[lsg.soate_code])
        states[lsg.soate_code] = LsgState(
            lsg_id=held.lsg_id,
            next_account=held.households + 1,
            next_passport=held.passports + 1,
            next_application=held.applications + 1,
            next_inventory=held.properties + 1,
            queue_ids={LandQueuePurpose(purpose): queue_id for purpose, queue_id in held.queues.items()},
        )
    return states
