"""Benchmark: reconciliation persons/s against the simulator on loopback, and the comparison step.

    .venv/bin/python bench/sync.py                    # 5,000 persons on SQLite
    .venv/bin/python bench/sync.py --persons 100000 --backend postgresql

Whole job: ``run_sync`` for the civil registry (zagsDataByPin + asbAddress per person, retries,
ledger entries, flags) against ``sanarip-hub simulate`` in its own process.  Comparison step alone:
``compare_civil_registry`` over answers collected once, beside the peer floor — the same fields
compared by plain equality with no normalisation.  Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from producer import free_port, prepare_home  # noqa: E402  (bench/producer.py)

from mappings.registry import compare_civil_registry  # noqa: E402
from sanarip_hub.cli.context import HubContext  # noqa: E402
from sanarip_hub.cli.sync import checker_for  # noqa: E402
from sanarip_hub.config import load_settings  # noqa: E402
from sanarip_hub.domain.codes import SyncSource  # noqa: E402
from sanarip_hub.ledger.store import Ledger  # noqa: E402
from sanarip_hub.storage.engine import make_engine  # noqa: E402
from sync_jobs.reconcile import _people, run_sync  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    env = prepare_home(args.backend, workdir, max(1, args.persons // 3))
    os.environ.update(env)
    port = free_port()
    simulator = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "-m", "sanarip_hub", "simulate", "--port", str(port),
         "--discrepancy-rate", "0.05", "--seed", "1"],
        env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(3)
    try:
        settings = load_settings()
        settings = replace(
            settings, xroad=replace(settings.xroad, security_server_url=f"http://127.0.0.1:{port}")
        )
        engine = make_engine(settings)
        checker = checker_for(HubContext(None, False, settings, engine), SyncSource.CIVIL_REGISTRY)
        ledger = Ledger.for_settings(engine, settings)
        report = run_sync(engine, ledger, checker, limit=args.persons, concurrency=args.concurrency)  # type: ignore[arg-type]
        whole = report.checked / (report.duration_ms / 1000)

        people = _people(engine, 0, None, 2000)
        answers = []
        for person in people[:300]:
            zags = (
                checker.consumers["civil_registry"].call(user_id="bench", issue="bench", pin=person.pin).body
            )  # type: ignore[attr-defined]
            asb = (
                checker.consumers["address_bureau"].call(user_id="bench", issue="bench", pin=person.pin).body
            )  # type: ignore[attr-defined]
            answers.append((person, zags, asb))
        fields = ("surname", "name", "dateOfBirth", "deathDate", "pinBlocked")
        plain = [
            (p, SimpleNamespace(**{k: getattr(z, k) for k in fields}))
            for p, z, _ in answers
            if z is not None and z.pin is not None
        ]
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
    finally:
        simulator.terminate()
        simulator.wait(timeout=30)
    print(
        f"\nreconciliation, civil registry, {args.backend}, {os.cpu_count()} cores, "
        f"concurrency {args.concurrency}"
    )
    print(f"{'step':<52}{'persons/s':>12}")
    print(f"{'whole job (2 calls, ledger, flags) ' + str(report.checked) + ' persons':<52}{whole:>12,.0f}")
    print(f"{'comparison step (normalised names, dates, address)':<52}{compare_rate:>12,.0f}")
    print(f"{'peer floor: plain equality, no normalisation':<52}{floor_rate:>12,.0f}")
    print("goals: whole job ≥ 1,000 persons/s; comparison ≥ 100,000 records/s")


if __name__ == "__main__":
    main()
