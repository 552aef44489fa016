"""Benchmark: the X-Road producer's householdByPin under load, beside spyne and fastapi-xroad-soap.

    .venv/bin/python bench/producer.py                  # SQLite and PostgreSQL, 10 s per run
    .venv/bin/python bench/producer.py --duration 5 --backends sqlite

Load comes from wrk (Debian's package; installed with apt when missing) in its own process on
loopback, rotating over 200 PINs.  Every server runs 2 worker processes and answers the same request:

* sanarip-hub protocol path — the real app, SOAP endpoint, dispatcher and renderer over in-memory
  data (no database, no ledger);
* sanarip-hub full path — ``sanarip-hub serve``: database queries, agreement check, group-commit
  ledger append before the reply, one JSON log line per exchange;
* spyne 2.14 in its best setup (granian's WSGI server, one blocking thread per worker: the ratios are
  taken against this one), spyne on gunicorn gthread, and fastapi-xroad-soap (uvicorn), over the same
  in-memory data, in a separate virtualenv (``bench/.peers-venv``; bench-only dependencies, never
  the hub's).  Run it on a quiet machine: a busy one starves the peers more than the hub.

Each server is checked first (one request must come back as an OK householdByPin response with the
PIN in it, not a fault).  Prints a table of requests/s and p50/p99 latency at 32 and 64 connections;
asserts nothing.  The request carries no XML declaration, because fastapi-xroad-soap rejects one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from tests.producer.conftest import envelope, pin_body  # noqa: E402

PG_URL = os.environ.get("SANARIP_HUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PEERS_VENV = ROOT / "bench" / ".peers-venv"
PEER_PACKAGES = ["spyne==2.14.0", "fastapi-xroad-soap==0.4.7", "gunicorn", "uvicorn[standard]", "granian"]
HUB = [str(ROOT / ".venv" / "bin" / "python"), "-m", "sanarip_hub"]
BEST = "spyne 2.14 (granian WSGI, best)"
AGREEMENT = """
[[agreement]]
number = "SA-BENCH-1"
client = "SUBSYSTEM:central-server/GOV/70000003/sf-personal-data"
services = ["householdByPin"]
purpose = "benchmark"
valid_from = 2026-01-01
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ensure_tools() -> None:
    if shutil.which("wrk") is None:
        print("installing wrk (apt) …", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    if not all((PEERS_VENV / "bin" / tool).exists() for tool in ("gunicorn", "granian", "uvicorn")):
        print("creating bench/.peers-venv with spyne, fastapi-xroad-soap and their servers …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        subprocess.run([str(PEERS_VENV / "bin" / "pip"), "install", "-q", *PEER_PACKAGES], check=True)


def hub(env: dict[str, str], *args: str) -> None:
    subprocess.run([*HUB, *args], env={**os.environ, **env}, check=True, capture_output=True)


def prepare_home(backend: str, workdir: Path, households: int, schema: str | None = None) -> dict[str, str]:
    env = {"SANARIP_HUB_HOME": str(workdir / f"home-{backend}"), "SANARIP_HUB_HUB_LOG_FORMAT": "json"}
    if backend == "postgresql":
        env["SANARIP_HUB_DATABASE_URL"] = PG_URL
        env["SANARIP_HUB_DATABASE_SCHEMA"] = schema or f"bench_{os.getpid()}"
    hub(env, "db", "upgrade")
    hub(env, "seed", "--households", str(households), "--lsg", "4", "--seed", "11")
    hub(env, "keys", "init")
    agreements = workdir / "agreements.toml"
    agreements.write_text(AGREEMENT, encoding="utf-8")
    hub(env, "agreements", "import", str(agreements))
    return env


def export_data(env: dict[str, str], path: Path, count: int) -> list[str]:
    """The householdByPin answers of ``count`` people, as the in-memory servers will hold them."""
    from sanarip_hub.config import load_settings
    from sanarip_hub.storage.engine import make_engine
    from sanarip_hub.storage.service_data import HubData

    engine = make_engine(load_settings(environ=env))
    data = HubData(engine)
    with engine.connect() as connection:
        pins = [
            row[0]
            for row in connection.execute(
                text(
                    "select p.pin from person p join household_member m on m.person_id = p.id "
                    "where p.pin is not null and m.member_to is null order by p.id limit :n"
                ),
                {"n": count},
            )
        ]
    answers = {pin: data.household_by_pin(pin).values for pin in pins}
    engine.dispose()

    def plain(value: object) -> str:
        return value.isoformat() if isinstance(value, date | datetime) else str(value)

    path.write_text(json.dumps(answers, default=plain, ensure_ascii=False), encoding="utf-8")
    return pins


def lua_script(path: Path, pins: list[str]) -> None:
    bodies = [
        envelope("householdByPin", pin_body("householdByPin", pin), message_id=f"bench-{i}")
        .decode()
        .replace('<?xml version="1.0" encoding="UTF-8"?>', "")
        for i, pin in enumerate(pins)
    ]
    lines = ["local bodies = {"]
    lines += [f"  [[{body}]]," for body in bodies]
    lines += [
        "}",
        "local i = 0",
        'wrk.method = "POST"',
        'wrk.headers["Content-Type"] = "text/xml; charset=UTF-8"',
        'wrk.headers["SOAPAction"] = "householdByPin"',
        "request = function()",
        "  i = i % #bodies + 1",
        '  return wrk.format(nil, "/xroad", nil, bodies[i])',
        "end",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path = ROOT


def start(server: Server, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [part.replace("{port}", str(port)) for part in server.command]
    handle = log.open("ab")
    return subprocess.Popen(
        command, env={**os.environ, **server.env}, cwd=server.cwd, stdout=handle, stderr=handle
    )


@contextmanager
def serving(server: Server, log: Path, pin: str, script: Path) -> Iterator[str]:
    """``server`` started on a free port, checked (:func:`preflight`) and warmed up; its URL."""
    port = free_port()
    process = start(server, port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        preflight(url, pin)
        wrk(url, 16, 2, script)  # warm-up
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def preflight(url: str, pin: str) -> None:
    body = envelope("householdByPin", pin_body("householdByPin", pin)).replace(
        b'<?xml version="1.0" encoding="UTF-8"?>', b""
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            response = httpx.post(
                f"{url}/xroad",
                content=body,
                headers={"content-type": "text/xml; charset=UTF-8", "SOAPAction": "householdByPin"},
                timeout=10,
            )
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    if response.status_code != 200 or b"Fault>" in response.content or pin.encode() not in response.content:
        raise SystemExit(f"{url}: not a householdByPin answer: {response.status_code} {response.text[:300]}")
    if b">OK<" not in response.content:
        raise SystemExit(f"{url}: resultCode is not OK: {response.text[:300]}")


def wrk(url: str, connections: int, duration: int, script: Path) -> dict[str, float]:
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if match is None:
            return float("nan")
        factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
        return float(match.group(1)) * factor

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(rate.group(1)) if rate else float("nan"),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "non2xx": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket_errors else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--connections", nargs="+", type=int, default=[32, 64])
    parser.add_argument(
        "--only",
        nargs="+",
        default=[],
        metavar="WORD",
        help="measure only the servers whose name holds one of these words (spyne-best is always measured)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every server this many times, in turn (the machine's speed drifts over minutes: "
        "the table shows medians, each ratio is the median of the rounds' ratios)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (its servers.log)")
    args = parser.parse_args()
    ensure_tools()
    workdir = Path(tempfile.mkdtemp(prefix="bench-producer-"))
    homes = {backend: prepare_home(backend, workdir, args.households) for backend in args.backends}
    data_file = workdir / "households.json"
    pins = export_data(homes[args.backends[0]], data_file, 500)
    script = workdir / "requests.lua"
    lua_script(script, pins[:200])
    data_env = {"BENCH_DATA": str(data_file)}
    uvicorn_flags = ["--workers", "2", "--http", "httptools", "--loop", "uvloop", "--log-level", "warning"]
    servers = [
        Server(
            "sanarip-hub protocol path (in-memory)",
            [
                str(ROOT / ".venv/bin/uvicorn"),
                "bench.memory_app:create",
                "--factory",
                "--port",
                "{port}",
                *uvicorn_flags,
            ],
            data_env,
        ),
        *(
            Server(
                f"sanarip-hub full path ({backend})",
                [*HUB, "serve", "--port", "{port}", "--workers", "2"],
                env,
            )
            for backend, env in homes.items()
        ),
        *(  # PostgreSQL with a pool of request threads, as across a network (loopback: the loop)
            Server(
                "sanarip-hub full path (postgresql, 4 threads)",
                [*HUB, "serve", "--port", "{port}", "--workers", "2"],
                {**env, "SANARIP_HUB_PRODUCER_REQUEST_THREADS": "4"},
            )
            for backend, env in homes.items()
            if backend == "postgresql"
        ),
        Server(  # spyne's best setup: a blocking WSGI app on granian, one blocking thread per worker
            BEST,
            [
                str(PEERS_VENV / "bin/granian"),
                "--interface",
                "wsgi",
                "--workers",
                "2",
                "--blocking-threads",
                "1",
                "--no-ws",
                "--host",
                "127.0.0.1",
                "--port",
                "{port}",
                "--log-level",
                "warning",
                "spyne_app:application",
            ],
            data_env,
            ROOT / "bench" / "peers",
        ),
        Server(
            "spyne 2.14 (gunicorn gthread)",
            [
                str(PEERS_VENV / "bin/gunicorn"),
                "-w",
                "2",
                "-k",
                "gthread",
                "--threads",
                "16",
                "-b",
                "127.0.0.1:{port}",
                "--log-level",
                "warning",
                "spyne_app:application",
            ],
            data_env,
            ROOT / "bench" / "peers",
        ),
        Server(
            "fastapi-xroad-soap 0.4.7 (uvicorn)",
            [str(PEERS_VENV / "bin/uvicorn"), "fxs_app:app", "--port", "{port}", *uvicorn_flags],
            data_env,
            ROOT / "bench" / "peers",
        ),
    ]
    if args.only:
        servers = [s for s in servers if BEST in s.name or any(word in s.name for word in args.only)]
    rounds: list[dict[str, dict[int, dict[str, float]]]] = []
    for round_ in range(args.rounds):
        measured: dict[str, dict[int, dict[str, float]]] = {}
        for server in servers if round_ % 2 == 0 else servers[::-1]:  # drift falls on both sides
            with serving(server, workdir / "servers.log", pins[0], script) as url:
                measured[server.name] = {c: wrk(url, c, args.duration, script) for c in args.connections}
            print(f"  measured {server.name} (round {round_ + 1} of {args.rounds})", flush=True)
        rounds.append(measured)

    def summary(name: str, c: int, key: str) -> float:
        """The median over the rounds; for the error counts the largest (one bad round flags the row)."""
        values = [r[name][c][key] for r in rounds]
        return max(values) if key in ("non2xx", "socket_errors") else statistics.median(values)

    results = {
        name: {c: {key: summary(name, c, key) for key in rounds[0][name][c]} for c in args.connections}
        for name in rounds[0]
    }

    def ratio(name: str, c: int) -> float:
        """The median over the rounds of ``name``'s req/s against spyne-best's in the same round."""
        return statistics.median(r[name][c]["rps"] / r[BEST][c]["rps"] for r in rounds)

    print(
        f"\nhouseholdByPin, {args.duration} s per run, wrk -t2 on loopback, "
        f"2 workers per server, {os.cpu_count()} cores"
    )
    header = f"{'server':<40}" + "".join(
        f"{f'c={c} req/s':>13}{'p50 ms':>9}{'p99 ms':>9}" for c in args.connections
    )
    print(header)
    print("-" * len(header))
    for name, by_c in results.items():
        row = f"{name:<40}"
        for c in args.connections:
            r = by_c[c]
            flag = "*" if r["non2xx"] or r["socket_errors"] else " "
            row += f"{r['rps']:>12,.0f}{flag}{r['p50']:>9.1f}{r['p99']:>9.1f}"
        print(row)
    if args.rounds > 1:
        print(f"(medians of {args.rounds} rounds; ratios: medians of each round's ratio)")
        for name in rounds[0]:
            per_round = "  ".join(
                f"c={c}: " + " ".join(f"{r[name][c]['rps']:,.0f}" for r in rounds) for c in args.connections
            )
            print(f"  {name:<40} {per_round}")
    ours = (
        "sanarip-hub protocol path (in-memory)"
        if "sanarip-hub protocol path (in-memory)" in results
        else None
    )
    goals = {"postgresql": (2.0, 50.0), "sqlite": (1.0, 100.0)}
    for c in args.connections:
        if ours is not None:
            print(f"\nc={c}: protocol path / spyne-best = {ratio(ours, c):.1f}× (goal ≥ 5×)")
        for name, by_c in results.items():
            if not name.startswith("sanarip-hub full path"):
                continue
            full = by_c[c]
            goal, p99 = goals["postgresql" if "postgresql" in name else "sqlite"]
            label = name.removeprefix("sanarip-hub ")
            print(
                f"c={c}: {label} / spyne-best = {ratio(name, c):.2f}× "
                f"(goal ≥ {goal:g}×); p99 {full['p99']:.1f} ms (goal < {p99:g} ms)"
            )
    print("\n* = some responses were not 2xx or some sockets failed (see wrk)")
    if "postgresql" in homes:
        from tests.conftest import drop_schema

        drop_schema(homes["postgresql"]["SANARIP_HUB_DATABASE_SCHEMA"])
    if args.keep:
        print(f"work directory kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
