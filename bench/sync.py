"""Benchmark: reconciliation persons/s against the simulator on loopback, and the comparison step.

    .venv/bin/python bench/sync.py                                # 20,000 persons on SQLite
    .venv/bin/python bench/sync.py --persons 100000 --backend postgresql

Whole job: ``run_sync`` for the civil registry (zagsDataByPin + asbAddress per person, retries,
ledger entries, flags) against ``sanarip-hub simulate`` in its own processes, once with the hub's
prepared consumer and once with the peer, zeep's AsyncClient (on fewer persons: it is slower).
Client and simulator share the machine's cores, so the table also gives the hub's own CPU per
person — what the job costs when the registry is a remote security server.  With
``--processes 1 2`` the same job also runs as ``sanarip-hub sync run`` in one and in two processes
at once working one run (chunks claimed by each, as on two hosts).  Comparison step alone:
``compare_civil_registry`` over answers collected once, beside the peer floor — the same fields
compared by plain equality with no normalisation.  Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from producer import free_port, prepare_home  # noqa: E402  (bench/producer.py)

from adapters.xroad.zeep_consumer import zeep_consumer  # noqa: E402
from mappings.registry import compare_civil_registry  # noqa: E402
from sanarip_hub.config import Settings, load_settings  # noqa: E402
from sanarip_hub.domain.codes import SyncSource  # noqa: E402
from sanarip_hub.entrypoints.hub import Hub  # noqa: E402
from sanarip_hub.entrypoints.jobs import DEFAULT_CROSSWALK, ConsumerFactory, checker_for, reconcile  # noqa: E402
from sanarip_hub.storage.engine import make_engine  # noqa: E402
from sanarip_hub.storage.people import people_to_check  # noqa: E402
from sync_jobs.reconcile import Checker  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (the simulator's workers), from /proc."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        pending.extend(int(child) for child in children)
    return total


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def whole_job(
    settings: Settings,
    persons: int,
    concurrency: int,
    simulator: int,
    consumer: ConsumerFactory | None = None,
) -> dict[str, float]:
    settings = replace(
        settings, limits=replace(settings.limits, sync_concurrency=concurrency, sync_chunk=500)
    )
    hub = Hub(_settings=settings)
    hub_cpu, sim_cpu = own_cpu(), tree_cpu(simulator)
    report = reconcile(hub, SyncSource.CIVIL_REGISTRY, limit=persons, consumer=consumer)
    hub_cpu, sim_cpu = own_cpu() - hub_cpu, tree_cpu(simulator) - sim_cpu
    hub.close()
    seconds = report.duration_ms / 1000
    return {
        "persons": report.checked + report.failed,
        "failed": report.failed,
        "rate": (report.checked + report.failed) / seconds,
        "hub_ms": hub_cpu * 1000 / max(1, report.checked),
        "sim_ms": sim_cpu * 1000 / max(1, report.checked),
    }


def processes_job(env: dict[str, str], persons: int, processes: int, simulator: int) -> dict[str, float]:
    """``sanarip-hub sync run`` in ``processes`` processes at once on one run (as on as many hosts):
    persons/s of the run, and the hub processes' CPU per person (from their rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sim_cpu = tree_cpu(simulator)
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/python"),
                "-m",
                "sanarip_hub",
                "sync",
                "run",
                "civil-registry",
                "--limit",
                str(persons),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(processes)
    ]
    outputs = [process.communicate()[0] for process in running]
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    hub_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    sim_cpu = tree_cpu(simulator) - sim_cpu
    failed = sum(int(out.split("failed ")[1].split(",")[0]) for out in outputs if "failed " in out[:400])
    return {
        "persons": persons,
        "failed": failed,
        "rate": persons / seconds,
        "hub_ms": hub_cpu * 1000 / persons,
        "sim_ms": sim_cpu * 1000 / persons,
    }


async def collect(checker: Checker, people: list[Any]) -> list[tuple[Any, Any, Any]]:
    await checker.open()
    try:
        answers = []
        for person in people:
            zags = await checker.consumers["civil_registry"].call(
                user_id="bench", issue="bench", pin=person.pin
            )
            asb = await checker.consumers["address_bureau"].call(
                user_id="bench", issue="bench", pin=person.pin
            )
            answers.append((person, zags.body, asb.body))
        return answers
    finally:
        await checker.close()


def comparison(settings: Settings) -> tuple[float, float]:
    engine = make_engine(settings)
    checker = checker_for(settings, SyncSource.CIVIL_REGISTRY)
    answers = asyncio.run(collect(checker, people_to_check(engine, 0, None, 300)))
    fields = ("surname", "name", "dateOfBirth", "deathDate", "pinBlocked")
    plain = [(p, SimpleNamespace(**{k: z.get(k) for k in fields})) for p, z, _ in answers if z.get("pin")]
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        for person, zags, asb in answers:
            compare_civil_registry(person, zags, asb)
    compare_rate = rounds * len(answers) / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(rounds):
        for person, zags in plain:
            _ = (person.surname != zags.surname, person.given_name != zags.name,
                 person.birth_date != zags.dateOfBirth, person.death_date != zags.deathDate)  # fmt: skip
    floor_rate = rounds * len(plain) / (time.perf_counter() - started)
    engine.dispose()
    return compare_rate, floor_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--peer-persons", type=int, default=3000, help="persons for the zeep peer run")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--simulator-workers", type=int, default=1)
    parser.add_argument(
        "--processes", nargs="*", type=int, default=[1, 2],
        help="also run `sync run` in this many processes at once on one run (several hosts)",
    )  # fmt: skip
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    env = prepare_home(args.backend, workdir, max(1, (args.persons + args.peer_persons) // 3))
    os.environ.update(env)
    port = free_port()
    simulator = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "-m", "sanarip_hub", "simulate", "--port", str(port),
         "--discrepancy-rate", "0.05", "--seed", "1", "--workers", str(args.simulator_workers),
         "--crosswalk", str(Path(env["SANARIP_HUB_HOME"]) / DEFAULT_CROSSWALK)],
        env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import httpx

    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    rows = []
    try:
        base = load_settings(environ=os.environ)
        base = replace(base, xroad=replace(base.xroad, security_server_url=f"http://127.0.0.1:{port}"))
        # each run is a new run from the first person (flags are upserts, so the second adds none)
        peer = whole_job(base, args.peer_persons, args.concurrency, simulator.pid, zeep_consumer)
        rows.append(("zeep AsyncClient (peer)", peer))
        rows.append(
            ("prepared consumer (hub)", whole_job(base, args.persons, args.concurrency, simulator.pid))
        )
        compare_rate, floor_rate = comparison(base)
        chunked = {
            **os.environ,
            "SANARIP_HUB_XROAD_SECURITY_SERVER_URL": f"http://127.0.0.1:{port}",
            "SANARIP_HUB_LIMITS_SYNC_CONCURRENCY": str(args.concurrency),
            "SANARIP_HUB_LIMITS_SYNC_CHUNK": "500",
        }
        for count in args.processes:
            label = f"sync run, {count} process{'es' if count > 1 else ''}"
            rows.append((label, processes_job(chunked, args.persons, count, simulator.pid)))
    finally:
        simulator.terminate()
        simulator.wait(timeout=30)
        if args.backend == "postgresql":  # leave the test database as it was
            from tests.conftest import drop_schema

            drop_schema(env["SANARIP_HUB_DATABASE_SCHEMA"])
    print(
        f"\nreconciliation, civil registry, {args.backend}, {os.cpu_count()} cores, concurrency "
        f"{args.concurrency}, simulator workers {args.simulator_workers}"
    )
    print(f"{'whole job (2 calls, ledger, flags)':<30}{'persons':>9}{'failed':>8}{'persons/s':>11}"
          f"{'hub CPU ms/person':>19}{'simulator CPU ms/person':>25}")  # fmt: skip
    for name, row in rows:
        print(f"{name:<30}{row['persons']:>9,.0f}{row['failed']:>8,.0f}{row['rate']:>11,.0f}"
              f"{row['hub_ms']:>19.2f}{row['sim_ms']:>25.2f}")  # fmt: skip
    hub_ms = next(row for name, row in rows if name.startswith("prepared"))["hub_ms"]
    print(f"hub alone on 2 cores (registry remote), from its CPU per person: ~{2000 / hub_ms:,.0f} persons/s")
    print(f"\n{'comparison step':<52}{'records/s':>12}")
    print(f"{'hub: normalised names, dates, address':<52}{compare_rate:>12,.0f}")
    print(f"{'peer floor: plain equality, no normalisation':<52}{floor_rate:>12,.0f}")
    print("goals: whole job ≥ 1,000 persons/s; comparison ≥ 100,000 records/s")


if __name__ == "__main__":
    main()
