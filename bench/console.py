"""Benchmark: console pages over a ledger of 1 M entries, server time, SQLite and PostgreSQL.

    .venv/bin/python bench/console.py                          # 1,000,000 entries, both back ends
    .venv/bin/python bench/console.py --entries 200000 --backends sqlite

The ledger is filled through the ledger itself (hash chain, Merkle frontier, sealed subjects), with
exchanges spread over 30 days: 8 services, 12 clients, 3 % faults, one data subject each.  Then
``sanarip-hub serve`` runs and an operator's session asks for each page; the server time is the
page's ``Server-Timing`` header (session, queries and rendering), median of 15 after a warm-up.
Peers in the same run: OFFSET pagination to the same depth (what a naive log does) and the
dashboard's aggregates over the whole ledger instead of its 24-hour window.  Prints a table;
asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from producer import free_port  # noqa: E402

from sanarip_hub.config import load_settings  # noqa: E402
from sanarip_hub.domain.exchange import OK, Channel, Direction, Exchange  # noqa: E402
from sanarip_hub.ledger.store import Ledger  # noqa: E402
from sanarip_hub.storage.engine import make_engine  # noqa: E402

PG_URL = os.environ.get("SANARIP_HUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
HUB = [str(ROOT / ".venv/bin/python"), "-m", "sanarip_hub"]
PASSWORD = "Tunduk-console-2026"  # not containing the user name: the console refuses that since 2026-12-03
SERVICES = [f"SERVICE:central-server/GOV/70000050/sanaripaymak-service/{code}/v1" for code in (
    "householdByPin", "familyComposition", "socialPassportByPin", "landQueuePosition", "lsgPassport",
    "statAggregates", "municipalPropertyList", "municipalPropertyByEni")]  # fmt: skip
CLIENTS = [f"SUBSYSTEM:central-server/GOV/7000{n:04d}/subsystem-{n}" for n in range(12)]


def hub(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([*HUB, *args], env={**os.environ, **env}, input=stdin, capture_output=True,
                            text=True, check=False)  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"sanarip-hub {' '.join(args)}: {result.stderr}")
    return result.stdout


def bench_pins() -> list[str]:
    rng = random.Random(7)
    return [
        f"{rng.choice('12')}{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}19{rng.randint(50, 99)}"
        f"9{rng.randint(0, 9999):04d}"
        for _ in range(5000)
    ]


def filled(env: dict[str, str]) -> int:
    """Entries already in the ledger of this home (0 when there is no database yet)."""
    try:
        settings = load_settings(environ=env)
        engine = make_engine(settings)
        from sqlalchemy import text

        with engine.connect() as connection:
            return int(connection.execute(text("SELECT size FROM ledger_head")).scalar() or 0)
    except Exception:
        return 0


def fill(env: dict[str, str], entries: int) -> tuple[list[str], float]:
    """``entries`` exchanges over the last 30 days through the real ledger; returns PINs used, rate."""
    settings = load_settings(environ=env)
    engine = make_engine(settings)
    ledger = Ledger.for_settings(engine, settings)
    rng = random.Random(7)
    pins = bench_pins()
    now = int(time.time() * 1000)
    start = now - 30 * 86_400_000
    step = (now - start) / entries
    started = time.perf_counter()
    batch: list[Exchange] = []
    for index in range(entries):
        fault = rng.random() < 0.03
        batch.append(
            Exchange(
                Direction.IN,
                Channel.SOAP,
                service_id=rng.choice(SERVICES),
                outcome="Server.ServerProxy.ServiceFailed" if fault else OK,
                message_id=f"bench-{index}",
                client_id=rng.choice(CLIENTS),
                user_id="bench",
                issue="bench",
                subjects=(rng.choice(pins),),
                duration_ms=int(rng.lognormvariate(3, 0.6)),
                time_ms=int(start + index * step),
            )
        )
        if len(batch) == 5000:
            ledger.append_many(batch)
            batch = []
            if index % 100_000 < 5000:
                print(f"  {index + 1:,} entries", flush=True)
    if batch:
        ledger.append_many(batch)
    rate = entries / (time.perf_counter() - started)
    engine.dispose()
    return pins, rate


def server_ms(
    client: httpx.Client, path: str, params: dict[str, str] | None = None, rounds: int = 15
) -> float:
    client.get(path, params=params)  # warm-up
    times = []
    for _ in range(rounds):
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.status_code)
        times.append(float(re.search(r"dur=([0-9.]+)", response.headers["server-timing"]).group(1)))  # type: ignore[union-attr]
    return statistics.median(times)


def peer_ms(env: dict[str, str], sql: str, rounds: int = 5) -> float:
    settings = load_settings(environ=env)
    engine = make_engine(settings)
    from sqlalchemy import text

    times = []
    with engine.connect() as connection:
        for _ in range(rounds + 1):
            began = time.perf_counter()
            connection.execute(text(sql)).all()
            times.append((time.perf_counter() - began) * 1000)
    engine.dispose()
    return statistics.median(times[1:])


def run(backend: str, entries: int, workdir: Path) -> list[tuple[str, float, str]]:
    env = {"SANARIP_HUB_HOME": str(workdir / f"home-{backend}"), "SANARIP_HUB_HUB_LOG_FORMAT": "json"}
    if backend == "postgresql":
        env["SANARIP_HUB_DATABASE_URL"] = PG_URL
        env["SANARIP_HUB_DATABASE_SCHEMA"] = f"bench_console_{os.getpid()}"
    if backend == "sqlite" and filled(env) >= entries:  # --workdir of an earlier run: reuse its ledger
        pins = bench_pins()
        print(f"{backend}: reusing {filled(env):,} ledger entries", flush=True)
    else:
        hub(env, "db", "upgrade")
        hub(env, "seed", "--households", "300", "--lsg", "2", "--seed", "3")
        hub(env, "keys", "init")
        hub(env, "users", "add", "bench-op", "--role", "operator", "--password-stdin", stdin=PASSWORD + "\n")
        print(f"{backend}: filling {entries:,} ledger entries …", flush=True)
        pins, rate = fill(env, entries)
        print(f"{backend}: {rate:,.0f} entries/s appended; serving", flush=True)
    port = free_port()
    log = (Path(env["SANARIP_HUB_HOME"]) / "server.log").open("ab")
    server = subprocess.Popen([*HUB, "serve", "--port", str(port)], env={**os.environ, **env}, stdout=log,
                              stderr=log)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        client = httpx.Client(base_url=f"{base}/console", timeout=120)
        page = client.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"csrf": csrf, "username": "bench-op", "password": PASSWORD})
        log_path = "/operator/exchanges"
        middle = str(entries // 2)
        faults = {"service": SERVICES[2], "outcome": "Server.ServerProxy.ServiceFailed"}
        moment = time.gmtime(time.time() - 86_400)
        day_ago = time.strftime("%Y-%m-%dT%H:%M", moment)
        week_from = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() - 17 * 86_400))
        week_to = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() - 10 * 86_400))
        rows = [
            ("dashboard (24-hour window)", server_ms(client, "/operator"), "< 500"),
            ("exchange log, first page, no filter", server_ms(client, log_path), "< 300"),
            ("exchange log, filter client", server_ms(client, log_path, {"client": CLIENTS[3]}), "< 300"),
            ("exchange log, filter service + outcome", server_ms(client, log_path, faults), "< 300"),
            ("exchange log, filter PIN", server_ms(client, log_path, {"pin": pins[11]}), "< 300"),
            ("exchange log, last 24 hours", server_ms(client, log_path, {"since": day_ago}), "< 300"),
            ("exchange log, client + a week 10 days ago",
             server_ms(client, log_path, {"client": CLIENTS[5], "since": week_from, "until": week_to}),
             "< 300"),
            ("exchange log, client by part of its identifier (1 in 12 entries)",
             server_ms(client, log_path, {"client": "subsystem-3"}), "< 300"),
            ("exchange log, service by part of its code, any case (1 in 8)",
             server_ms(client, log_path, {"service": "landqueue"}), "< 300"),
            ("exchange log, part of a name nobody has (reads the whole ledger)",
             server_ms(client, log_path, {"client": "no-such-body"}), ""),
            ("exchange log, filter message id",
             server_ms(client, log_path, {"message_id": f"bench-{middle}"}), "< 300"),
            ("exchange log, page at half depth (keyset)",
             server_ms(client, log_path, {"before": middle}), "< 300"),
        ]  # fmt: skip
        rows.append((
            "peer: OFFSET pagination to half depth (query only)",
            peer_ms(env, f"SELECT seq FROM ledger_entry ORDER BY seq DESC LIMIT 50 OFFSET {entries // 2}"),
            "",
        ))  # fmt: skip
        rows.append((
            "peer: dashboard aggregates over the whole ledger (query only)",
            peer_ms(env, "SELECT service_id, count(*) FROM ledger_entry GROUP BY service_id"),
            "",
        ))  # fmt: skip
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)
        if backend == "postgresql":
            from sqlalchemy import create_engine, text

            with create_engine(PG_URL).begin() as connection:
                connection.execute(
                    text(f'DROP SCHEMA IF EXISTS "{env["SANARIP_HUB_DATABASE_SCHEMA"]}" CASCADE')
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workdir", type=Path, help="keep (and on SQLite reuse) the filled homes here")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-console-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = {backend: run(backend, args.entries, workdir) for backend in args.backends}
    print(
        f"\nconsole server time (ms, median of 15), {args.entries:,} ledger entries, {os.cpu_count()} cores"
    )
    header = f"{'page':<62}" + "".join(f"{b:>12}" for b in args.backends) + f"{'goal':>8}"
    print(header)
    for index, (name, _, goal) in enumerate(results[args.backends[0]]):
        print(f"{name:<62}" + "".join(f"{results[b][index][1]:>12.1f}" for b in args.backends) + f"{goal:>8}")


if __name__ == "__main__":
    main()
