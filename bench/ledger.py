"""Benchmark: ledger appends per second (1 and 2 writer processes) and verification speed.

    .venv/bin/python bench/ledger.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/ledger.py --verify-entries 1000000 --backends postgresql

Appends are measured one entry per transaction (what a request pays if it waits for its own commit)
and in batches (what a background group-commit writer achieves).  The peer is the floor: the same
rows (each entry and its data-subject index row) INSERTed in the same batches with no hashing, no
head-row lock, no chain and no checkpoint; the entry rows alone are measured beside it.  Each
measurement is the median of ``--repeat`` runs.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text

from sanarip_hub.config import Settings, load_settings
from sanarip_hub.entrypoints.verification import parallel_for
from sanarip_hub.ledger.keys import init_keys, ledger_origin, load_keys
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.ledger.turn import host_turn
from sanarip_hub.ledger.verify import verify_ledger
from sanarip_hub.storage import migrate
from sanarip_hub.storage.engine import make_engine
from sanarip_hub.storage.models import LedgerEntryRow, LedgerSubject
from tests.ledger.helpers import exchange, open_ledger

PG_URL = os.environ.get("SANARIP_HUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def environment(backend: str, workdir: str) -> dict[str, str]:
    env = {"SANARIP_HUB_HOME": tempfile.mkdtemp(dir=workdir)}
    if backend == "postgresql":
        env["SANARIP_HUB_DATABASE_URL"] = PG_URL
        env["SANARIP_HUB_DATABASE_SCHEMA"] = f"bench_{secrets.token_hex(4)}"
    return env


def prepare(env: dict[str, str]) -> Settings:
    settings = load_settings(environ=env)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    engine.dispose()
    init_keys(settings)
    return settings


def drop(env: dict[str, str]) -> None:
    if "SANARIP_HUB_DATABASE_SCHEMA" in env:
        admin = create_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{env["SANARIP_HUB_DATABASE_SCHEMA"]}" CASCADE'))
        admin.dispose()


def hub_writer(env: dict[str, str], worker: int, count: int, batch: int, start: object) -> None:
    os.environ.update(env)
    settings = load_settings(environ=env)
    # as serve's workers append: their engine (no ping per checkout, plans kept), taking turns
    ledger = Ledger(
        make_engine(settings, pre_ping=False, max_overflow=0, plan_once=True),
        load_keys(settings),
        ledger_origin(settings),
        300,
        turn=host_turn(settings),
    )
    items = [exchange(worker * 10_000_000 + n) for n in range(count)]
    ledger.append_many([exchange(worker * 10_000_000 + count + n) for n in range(batch)])  # warm up
    start.wait()  # type: ignore[attr-defined]
    for i in range(0, count, batch):
        ledger.append_many(items[i : i + batch])


def peer_writer(
    env: dict[str, str], worker: int, count: int, batch: int, start: object, subjects: bool = True
) -> None:
    """Plain INSERTs of rows of the same shape: no hash, no lock, no chain.  Each entry's row and its
    data-subject index row (the hub's bench entries all name the same one person), as an audit log
    searchable by person needs both; with ``subjects`` False the entry rows alone (the peer until
    2026-12-04, kept beside it: the index row costs this peer a second statement)."""
    engine = make_engine(load_settings(environ=env), pre_ping=False)  # its best: no ping per transaction
    base = 1 + worker * 10_000_000
    body = b"x" * 600

    def rows_of(first: int, last: int) -> list[dict[str, object]]:
        return [
            {
                "seq": base + n,
                "time_ms": 0,
                "direction": "in",
                "channel": "soap",
                "service_id": "svc",
                "outcome": "ok",
                "message_id": f"m{n}",
                "client_id": "c",
                "agreement_id": "a",
                "prev_hash": bytes(32),
                "entry_hash": bytes(32),
                "body": body,
            }
            for n in range(first, last)
        ]

    def subjects_of(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{"pin_hash": "5" * 64, "seq": row["seq"]} for row in rows]

    with engine.begin() as connection:  # warm up, like the hub's writer
        warm = rows_of(count, count + batch)
        connection.execute(insert(LedgerEntryRow), warm)
        if subjects:
            connection.execute(insert(LedgerSubject), subjects_of(warm))
    start.wait()  # type: ignore[attr-defined]
    for i in range(0, count, batch):
        rows = rows_of(i, min(i + batch, count))
        with engine.begin() as connection:
            connection.execute(insert(LedgerEntryRow), rows)
            if subjects:
                connection.execute(insert(LedgerSubject), subjects_of(rows))


def peer_entries_only(env: dict[str, str], worker: int, count: int, batch: int, start: object) -> None:
    peer_writer(env, worker, count, batch, start, subjects=False)


WRITERS = (
    ("hub ledger", hub_writer),
    ("peer: plain INSERT", peer_writer),
    ("peer: entry rows only", peer_entries_only),
)


def appends(backend: str, workdir: str, target: object, writers: int, count: int, batch: int) -> float:
    env = environment(backend, workdir)
    prepare(env)
    try:
        context = mp.get_context("spawn")
        start = context.Event()
        processes = [
            context.Process(target=target, args=(env, w, count, batch, start)) for w in range(writers)
        ]
        for process in processes:
            process.start()
        time.sleep(3)  # let every writer import and connect before the clock starts
        began = time.perf_counter()
        start.set()
        for process in processes:
            process.join()
        elapsed = time.perf_counter() - began
        if target is hub_writer:
            settings = load_settings(environ=env)
            engine = make_engine(settings)
            ledger = open_ledger(settings)
            verify_ledger(engine, ledger.keys.verifier, ledger_origin(settings))  # sanity: the chain holds
            engine.dispose()
        return writers * count / elapsed
    finally:
        drop(env)


def verification(backend: str, workdir: str, entries: int) -> tuple[float, float, float]:
    """Fill ``entries``, then verify them in one process (the peer: the walk as it was) and spread
    over one process per core (what ``ledger verify`` does for a large ledger)."""
    env = environment(backend, workdir)
    settings = prepare(env)
    try:
        ledger = open_ledger(settings, interval=60)
        began = time.perf_counter()
        batch = [exchange(n) for n in range(1000)]
        for _ in range(entries // 1000):
            ledger.append_many(batch)
            ledger.checkpoint()
        fill = time.perf_counter() - began
        began = time.perf_counter()
        result = verify_ledger(ledger.engine, ledger.keys.verifier, ledger.origin)
        one = time.perf_counter() - began
        assert result.entries == entries
        began = time.perf_counter()
        result = verify_ledger(
            ledger.engine, ledger.keys.verifier, ledger.origin, parallel=parallel_for(settings)
        )
        assert result.entries == entries
        return fill, one, time.perf_counter() - began
    finally:
        drop(env)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--appends",
        type=int,
        default=20_000,
        help="entries per writer process (3,000 was too few: "
        "a run of a third of a second measured mostly its first transactions)",
    )
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each append measurement, hub and peer alternating; the median is shown "
        "(one run of each varied by a third on this VM: checkpoints, autovacuum, neighbours)",
    )
    parser.add_argument("--verify-entries", type=int, default=200_000)
    args = parser.parse_args()
    rows: list[tuple[str, str, int, int, float]] = []
    verify_rows: list[tuple[str, int, float, float, float]] = []
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            for writers in (1, 2):
                for batch in (1, args.batch):
                    count = args.appends if batch > 1 else max(200, args.appends // 10)
                    rates: dict[str, list[float]] = {}
                    for _ in range(args.repeat):
                        for label, target in WRITERS:
                            rate = appends(backend, workdir, target, writers, count, batch)
                            rates.setdefault(label, []).append(rate)
                    for label, measured in rates.items():
                        rate = statistics.median(measured)
                        rows.append((backend, label, writers, batch, rate))
                        print(
                            f"  {backend:10} {label:21} writers={writers} batch={batch:<4} {rate:10,.0f}/s",
                            file=sys.stderr,
                        )
            fill, one, seconds = verification(backend, workdir, args.verify_entries)
            verify_rows.append((backend, args.verify_entries, fill, one, seconds))
            done = f"verify {args.verify_entries:,} entries: {one:.1f} s, parallel {seconds:.1f} s"
            print(f"  {backend:10} {done}", file=sys.stderr)
    print(f"\nledger appends on {os.cpu_count()} cores (entries per second, higher is better)\n")
    print("| back end   | method                | writers | batch | appends/s |")
    print("|------------|-----------------------|--------:|------:|----------:|")
    for backend, label, writers, batch, rate in rows:
        print(f"| {backend:10} | {label:21} | {writers:>7} | {batch:>5} | {rate:>9,.0f} |")
    print(
        "\n| back end   | entries   | fill s | verify s, 1 process (peer) | "
        f"verify s, {os.cpu_count()} processes | entries/s verified | 1 M entries (extrapolated) |"
    )
    print("|------------|-----------|-------:|---:|---:|---:|---:|")
    for backend, entries, fill, one, seconds in verify_rows:
        print(
            f"| {backend:10} | {entries:>9,} | {fill:>6.1f} | {one:.1f} | {seconds:.1f} | "
            f"{entries / seconds:>,.0f} | {1_000_000 / (entries / seconds):.1f} s |"
        )


if __name__ == "__main__":
    main()
