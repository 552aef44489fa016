"""Benchmark: `register export` and `register import` (households/s) beside the seed loader's rate.

    .venv/bin/python bench/register.py                         # 20k households, SQLite and PostgreSQL
    .venv/bin/python bench/register.py --households 1750000 --backends postgresql   # the whole country

For each back end: the seed loader fills a database (its rate is the reference: the same rows, by
COPY on PostgreSQL, with no validation and no natural keys), `register export` writes the JSON Lines
files, `register import` loads them into an empty database (validation, natural keys, history),
and a second import of the same files (everything unchanged) shows the cost of a re-import.
Prints a table; asserts nothing.  PostgreSQL runs in throw-away schemas of the ``test`` database
(override with SANARIP_HUB_TEST_PG_URL).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, create_engine, text

from sanarip_hub.config import load_settings
from sanarip_hub.register.exporter import export_register
from sanarip_hub.register.importer import import_register
from sanarip_hub.storage import migrate
from sanarip_hub.storage.engine import make_engine
from sanarip_hub.storage.register_books import RegisterBooks
from sanarip_hub.synthetic.seed import seed_country

PG_URL = os.environ.get("SANARIP_HUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TODAY = date(2026, 6, 1)


def database(backend: str, workdir: Path, schemas: list[str]) -> Engine:
    env = {"SANARIP_HUB_HOME": tempfile.mkdtemp(dir=workdir)}
    if backend == "postgresql":
        schema = f"bench_{secrets.token_hex(4)}"
        schemas.append(schema)
        env |= {"SANARIP_HUB_DATABASE_URL": PG_URL, "SANARIP_HUB_DATABASE_SCHEMA": schema}
    engine = make_engine(load_settings(environ=env))
    migrate.upgrade(engine)
    return engine


Row = tuple[str, str, int, float]


def timed(label: str, rows: list[Row], backend: str, count: int, run: Callable[[], object]) -> None:
    began = time.perf_counter()
    run()
    rows.append((backend, label, count, time.perf_counter() - began))
    print(f"  {backend}: {label} {count:,} households in {rows[-1][3]:.1f} s", flush=True)


def measure(backend: str, n: int, lsg: int, workdir: Path, schemas: list[str]) -> list[Row]:
    """Seed, export, import into an empty database, import again: one back end's rows."""
    rows: list[Row] = []
    source = database(backend, workdir, schemas)
    timed("seed loader (reference)", rows, backend, n, lambda: seed_country(source, n, lsg, 7, workers=1))
    out = workdir / f"export-{backend}"
    timed("register export", rows, backend, n, lambda: export_register(RegisterBooks(source), out))
    source.dispose()
    target = database(backend, workdir, schemas)
    books = RegisterBooks(target)
    timed("register import (empty hub)", rows, backend, n, lambda: import_register(books, out, TODAY))
    timed("register import (again, unchanged)", rows, backend, n, lambda: import_register(books, out, TODAY))
    target.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--lsg", type=int, default=8, help="LSG bodies (one export file each)")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    rows: list[Row] = []
    schemas: list[str] = []
    with tempfile.TemporaryDirectory() as directory:
        try:
            for backend in args.backends:
                rows += measure(backend, args.households, args.lsg, Path(directory), schemas)
        finally:
            if schemas:
                admin = create_engine(PG_URL)
                with admin.begin() as connection:
                    for schema in schemas:
                        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                admin.dispose()
    print()
    print("| back end   | step                               | households | seconds | households/s |")
    print("|------------|------------------------------------|-----------:|--------:|-------------:|")
    for backend, label, count, seconds in rows:
        print(f"| {backend:<10} | {label:<34} | {count:>10,} | {seconds:>7.1f} | {count / seconds:>12,.0f} |")


if __name__ == "__main__":
    main()
