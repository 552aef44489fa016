"""Benchmark: how fast `sanarip-hub seed` loads a synthetic country, against a conventional peer.

    .venv/bin/python bench/seed.py                       # 100k households, SQLite and PostgreSQL
    .venv/bin/python bench/seed.py --households 1750000 --backends postgresql   # the whole country

For each back end it measures the hub's loader (PostgreSQL: fresh-load mode, with 1 and 2
generator processes) and, on a smaller sample, the peer: the same generated rows inserted the
conventional way, SQLAlchemy Core ``executemany`` inserts in 60k-row transactions into the fully
constrained schema.  Prints a table; asserts nothing.  PostgreSQL runs in a throw-away schema of
the ``test`` database (override with SANARIP_HUB_TEST_PG_URL).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, create_engine, text

from sanarip_hub.config import load_settings
from sanarip_hub.storage import migrate
from sanarip_hub.storage.bulk import next_ids
from sanarip_hub.storage.engine import make_engine
from sanarip_hub.storage.models import Base
from sanarip_hub.storage.register_load import RegisterLoad
from sanarip_hub.synthetic.country import COLUMNS, TABLE_ORDER, LsgState
from sanarip_hub.synthetic.seed import _load_reference, default_lsg_count, seed_country, split_households
from sanarip_hub.synthetic.shards import plan_jobs, run_shard
from sanarip_hub.synthetic.territory import build_territory

PG_URL = os.environ.get("SANARIP_HUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Result:
    backend: str
    method: str
    households: int
    persons: int
    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.households / self.seconds


def fresh_engine(backend: str, workdir: Path) -> tuple[Engine, Callable[[], None]]:
    """A migrated, empty hub database and a function that removes it."""
    if backend == "sqlite":
        home = Path(tempfile.mkdtemp(dir=workdir))
        engine = make_engine(load_settings(environ={"SANARIP_HUB_HOME": str(home)}))
        migrate.upgrade(engine)
        return engine, engine.dispose
    schema = f"bench_{secrets.token_hex(4)}"
    engine = make_engine(
        load_settings(environ={"SANARIP_HUB_DATABASE_URL": PG_URL, "SANARIP_HUB_DATABASE_SCHEMA": schema})
    )
    migrate.upgrade(engine)

    def drop() -> None:
        engine.dispose()
        admin = create_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return engine, drop


def hub_loader(engine: Engine, households: int, workers: int) -> tuple[int, int, float]:
    report = seed_country(engine, households, seed=1, workers=workers)
    return report.persons, sum(report.rows.values()), report.seconds


def peer_loader(engine: Engine, households: int) -> tuple[int, int, float]:
    """The same rows, inserted with SQLAlchemy Core executemany into the constrained schema."""
    started = time.perf_counter()
    territory = build_territory()
    chosen = list(territory.lsgs[: default_lsg_count(households)])
    lsg_ids = _load_reference(RegisterLoad(engine), territory.units, chosen)
    states = {lsg.soate_code: LsgState(lsg_id=lsg_ids[lsg.soate_code]) for lsg in chosen}
    jobs = plan_jobs(chosen, split_households(households, chosen), states, next_ids(engine, TABLE_ORDER))
    buffers: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLE_ORDER}
    counts = dict.fromkeys(TABLE_ORDER, 0)

    def emit(table: str, row: tuple[Any, ...]) -> None:
        buffers[table].append(dict(zip(COLUMNS[table], row, strict=True)))

    def flush() -> None:
        with engine.begin() as connection:
            for table in TABLE_ORDER:
                if buffers[table]:
                    connection.execute(Base.metadata.tables[table].insert(), buffers[table])
                    counts[table] += len(buffers[table])
                    buffers[table] = []

    def tick(_: int) -> None:
        if sum(len(b) for b in buffers.values()) >= 60_000:
            flush()

    for shard in sorted({job.shard for job in jobs}):
        run_shard(1, shard, [j for j in jobs if j.shard == shard], set(), emit, tick)
    flush()
    return counts["person"], sum(counts.values()), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--peer-households", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2", help="PostgreSQL generator processes to try")
    args = parser.parse_args()

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            runs: list[tuple[str, int, Callable[[Engine], tuple[int, int, float]]]] = []
            if backend == "postgresql":
                for w in (int(x) for x in args.workers.split(",")):
                    runs.append(
                        (
                            f"hub, {w} process{'es' if w > 1 else ''}",
                            args.households,
                            lambda e, w=w: hub_loader(e, args.households, w),
                        )
                    )
            else:
                runs.append(("hub", args.households, lambda e: hub_loader(e, args.households, 1)))
            if args.peer_households:
                runs.append(
                    (
                        "peer: SQLAlchemy executemany",
                        args.peer_households,
                        lambda e: peer_loader(e, args.peer_households),
                    )
                )
            for method, households, load in runs:
                engine, cleanup = fresh_engine(backend, Path(workdir))
                try:
                    persons, rows, seconds = load(engine)
                finally:
                    cleanup()
                results.append(Result(backend, method, households, persons, rows, seconds))
                print(
                    f"  {backend:10} {method:30} {households:>9,} households  {seconds:7.1f} s",
                    file=sys.stderr,
                )

    print(f"\nseed benchmark on {os.cpu_count()} cores (households per second, higher is better)\n")
    header = (
        f"| {'back end':10} | {'method':30} | {'households':>10} | {'persons':>9} | {'rows':>10} | "
        f"{'seconds':>8} | {'households/s':>12} | {'rows/s':>9} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for r in results:
        print(
            f"| {r.backend:10} | {r.method:30} | {r.households:>10,} | {r.persons:>9,} | {r.rows:>10,} | "
            f"{r.seconds:>8.1f} | {r.rate:>12,.0f} | {r.rows / r.seconds:>9,.0f} |"
        )
    country = 1_750_000
    for r in results:
        if r.method.startswith("hub") and r.backend == "postgresql":
            print(
                f"\nwhole country ({country:,} households) at {r.method}: about "
                f"{country / r.rate / 60:.1f} min (goal: under 3 min)"
            )


if __name__ == "__main__":
    main()
