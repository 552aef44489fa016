"""Reconciliation end to end against the simulators on loopback, on SQLite and PostgreSQL.

Precision and recall 1.0 against --truth with faults injected; a second run flags nothing new;
``kill -9`` in the middle of a run, then a rerun: the run completes, no flag is duplicated.
"""

from __future__ import annotations

import getpass
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BACKENDS
from tests.producer.conftest import HUB, free_port, prepared_home, run_hub
from tests.simulator.test_simulator import launch
from tests.sync.conftest import REFUSED, flag_key, label_keys, simulated_world

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


@pytest.fixture(params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[dict[str, str], list[dict[str, str]]]]:
    faults = (
        "fault=server.serverproxy.service_failed@0.04,fault=Server.ClientProxy.NetworkError@0.02,"
        "http500@0.02,malformed@0.01,latency=0.01@0.3"
    )
    simulator = ("--discrepancy-rate", "0.25", "--seed", "21", "--faults", faults)
    with simulated_world(str(request.param), tmp_path, *simulator) as world:
        yield world


def flags(env: dict[str, str]) -> list[dict[str, str]]:
    listed = run_hub(env, "mismatches", "list", "--format", "json", "--limit", "1000000")
    return [json.loads(line) for line in listed.stdout.splitlines()]


def test_every_injected_discrepancy_and_nothing_else_is_flagged(
    world: tuple[dict[str, str], list[dict[str, str]]],
) -> None:
    env, truth = world
    for source, refused in (("civil-registry", env[REFUSED]), ("tax", "0")):
        result = run_hub(env, "sync", "run", source)
        # every injected fault was retried away; the registry's refusals are the only people not checked
        assert f"failed {refused}," in result.stdout, result.stdout
    found = flags(env)
    assert {flag_key(f["pin"], f["field"], f["registry_value"]) for f in found} == {
        (t["pin"], t["field"]) for t in truth
    }
    assert all(f["status"] == "open" and f["source"] in ("civil-registry", "tax") for f in found)
    again = run_hub(env, "sync", "run", "civil-registry")
    assert "new flags 0" in again.stdout
    assert len(flags(env)) == len(found)


def test_kill_9_mid_run_then_rerun_completes_without_duplicates(
    world: tuple[dict[str, str], list[dict[str, str]]],
) -> None:
    env, truth = world
    slow = {  # small checkpoints, one call at a time: the kill lands mid-run, between checkpoints
        "SANARIP_HUB_LIMITS_SYNC_CHUNK": "10",
        "SANARIP_HUB_LIMITS_SYNC_CONCURRENCY": "1",
    }
    process = subprocess.Popen(
        [*HUB, "sync", "run", "civil-registry"],
        env={**os.environ, **env, **slow},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(flags(env)) < 5:
        time.sleep(0.3)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = len(flags(env))
    assert partial >= 5
    resumed = run_hub(env, "sync", "run", "civil-registry")
    assert "(resumed)" in resumed.stdout
    found = flags(env)
    keys = [flag_key(f["pin"], f["field"], f["registry_value"]) for f in found]
    assert len(keys) == len(set(keys))  # no duplicate flag
    civil = label_keys(truth)
    assert set(keys) == civil


def test_a_dead_registry_stops_the_run_at_its_checkpoint_and_loses_nothing(
    world: tuple[dict[str, str], list[dict[str, str]]],
) -> None:
    from sanarip_hub.config import load_settings

    env, truth = world
    dead = {
        "SANARIP_HUB_XROAD_SECURITY_SERVER_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens
        "SANARIP_HUB_CONSUMERS_BREAKER_PAUSE": "0.2",
        "SANARIP_HUB_CONSUMERS_ATTEMPTS": "2",
    }
    down = subprocess.run(
        [*HUB, "sync", "run", "civil-registry"],
        env={**os.environ, **env, **dead},
        capture_output=True,
        check=False,
        text=True,
    )
    assert down.returncode == 1
    url = dead["SANARIP_HUB_XROAD_SECURITY_SERVER_URL"]
    # where it calls is said before anything else; why it stalls, the moment the circuit first opens
    settings = load_settings(environ={**env, **dead})
    assert down.stdout.startswith(f"calling {settings.consumers.civil_registry}, ")
    assert f"through the security server at {url}, as {settings.xroad.subsystem}\n" in down.stdout
    opened = [json.loads(line) for line in down.stderr.splitlines() if "consumer.circuit_opened" in line]
    assert opened[0]["url"] == url + "/"
    assert opened[0]["error"].startswith("Server.NetworkError: ")
    port = url.rsplit(":", 1)[1]
    assert f"connection refused by 127.0.0.1:{port}: nothing listens there" in opened[0]["error"]
    error = down.stderr.splitlines()[-1]
    assert f"at {url}/ keeps failing (circuit opened 3 times in a row); first error: " in error
    assert f"Server.NetworkError: transport: connection refused by 127.0.0.1:{port}" in error
    assert "stopped at its checkpoint — `sanarip-hub sync run civil-registry` resumes it" in down.stderr
    assert flags(env) == []  # nothing flagged from a registry that never answered
    searched = run_hub(env, "ledger", "search", "--denied", "--format", "json", "--limit", "100000")
    outcomes = {json.loads(line)["outcome"] for line in searched.stdout.splitlines()}
    assert outcomes <= {"Server.NetworkError", "CircuitOpen"}  # every failed call is in the ledger
    assert "Server.NetworkError" in outcomes
    assert "verified" in run_hub(env, "ledger", "verify").stdout.lower()
    resumed = run_hub(env, "sync", "run", "civil-registry", "--limit", "7")  # the registry is back
    assert "(resumed)" in resumed.stdout
    assert "was resumed with no limit: --limit 7 was ignored" in resumed.stdout  # said, and kept
    assert '"event": "sync.limit_ignored"' in resumed.stderr
    assert f"failed {env[REFUSED]}," in resumed.stdout
    keys = [flag_key(f["pin"], f["field"], f["registry_value"]) for f in flags(env)]
    assert len(keys) == len(set(keys))
    assert set(keys) == label_keys(truth)


def test_the_zeep_consumer_flags_the_same(world: tuple[dict[str, str], list[dict[str, str]]]) -> None:
    """zeep's AsyncClient from the committed model WSDLs, the independent client, finds exactly
    what the prepared consumer finds: the truth, in a whole run on the simulator with its faults."""
    from adapters.xroad.zeep_consumer import zeep_consumer
    from sanarip_hub.config import load_settings
    from sanarip_hub.domain.codes import SyncSource
    from sanarip_hub.entrypoints.hub import Hub
    from sanarip_hub.entrypoints.jobs import reconcile

    env, truth = world
    hub = Hub(_settings=load_settings(environ=env))
    try:
        report = reconcile(hub, SyncSource.CIVIL_REGISTRY, consumer=zeep_consumer)
    finally:
        hub.close()
    assert report.failed == int(env[REFUSED])
    assert report.checked > 300
    keys = {flag_key(f["pin"], f["field"], f["registry_value"]) for f in flags(env)}
    assert keys == label_keys(truth)


def test_zeep_is_not_a_production_consumer(tmp_path: Path) -> None:
    """The nightly jobs have one consumer path: asking for zeep is a configuration error that says
    where zeep went, before anything runs."""
    env = {"SANARIP_HUB_HOME": str(tmp_path), "SANARIP_HUB_CONSUMERS_CLIENT": "zeep"}
    result = run_hub(env, "sync", "run", "tax", check=False)
    assert result.returncode != 0
    assert "consumers.client" in result.stderr
    assert "zeep is no longer a production consumer" in result.stderr


def test_an_open_flag_the_registry_no_longer_supports_is_withdrawn(
    world: tuple[dict[str, str], list[dict[str, str]]],
) -> None:
    """The hub's record was corrected outside the workflow: the next run finds no difference and
    closes the open flag (rejected by "reconciliation", the run named); a flag someone is reviewing
    is left to them; nothing else changes."""
    from datetime import date

    from sqlalchemy import func, select, update

    from sanarip_hub.config import load_settings
    from sanarip_hub.storage.engine import make_engine
    from sanarip_hub.storage.models import LedgerEntryRow, LedgerSubject, Person

    env, truth = world
    run_hub(env, "sync", "run", "civil-registry")
    typos = [t for t in truth if t["kind"] == "birth_date_typo"]
    assert len(typos) >= 2
    corrected, reviewed = typos[0], typos[1]
    by_pin = {flag_key(f["pin"], f["field"], f["registry_value"]): f for f in flags(env)}
    review_id = str(by_pin[(reviewed["pin"], "birth_date")]["id"])
    run_hub(env, "mismatches", "resolve", review_id, "--to", "in_review", "--by", "clerk")
    engine = make_engine(load_settings(environ=env))
    with engine.begin() as connection:
        for label in (corrected, reviewed):  # both now agree with the registry
            connection.execute(
                update(Person)
                .where(Person.pin == label["pin"])
                .values(birth_date=date.fromisoformat(label["registry_value"]))
            )
    again = run_hub(env, "sync", "run", "civil-registry")
    assert "new flags 0, withdrawn 1," in again.stdout
    after = {flag_key(f["pin"], f["field"], f["registry_value"]): f for f in flags(env)}
    assert after[(corrected["pin"], "birth_date")]["status"] == "rejected"
    assert after[(reviewed["pin"], "birth_date")]["status"] == "in_review"
    shown = run_hub(env, "mismatches", "show", str(after[(corrected["pin"], "birth_date")]["id"])).stdout
    assert "reconciliation" in shown
    assert "no longer differs" in shown
    others = {k: f["status"] for k, f in after.items() if k[0] not in (corrected["pin"], reviewed["pin"])}
    assert set(others.values()) == {"open"}

    # the commands show people's data: each listing and each mismatch shown is an access-ledger entry
    # naming whose data (as the console's pages are); a table has its header; an empty one says so
    def cli_entries() -> list[tuple[str, str, int]]:
        with engine.connect() as connection:
            rows = connection.execute(
                select(LedgerEntryRow.service_id, LedgerEntryRow.user_id, func.count(LedgerSubject.seq))
                .outerjoin(LedgerSubject, LedgerSubject.seq == LedgerEntryRow.seq)
                .where(LedgerEntryRow.service_id.like("cli:mismatches%"))
                .group_by(LedgerEntryRow.seq)
                .order_by(LedgerEntryRow.seq)
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    me = f"cli:{getpass.getuser()}"
    before = cli_entries()
    assert before[-1] == ("cli:mismatches show", me, 1)  # the one just shown
    assert ("cli:mismatches list", me, len({f["pin"] for f in after.values() if f["pin"]})) in before
    table = run_hub(env, "mismatches", "list", "--status", "in_review").stdout.splitlines()
    assert table[0].split()[:5] == ["ID", "STATUS", "PIN", "FIELD", "SOURCE"]
    assert [line.split()[2] for line in table[1:]] == [reviewed["pin"]]
    none = run_hub(env, "mismatches", "list", "--status", "escalated", "--source", "tax").stdout
    assert none.strip() == "no mismatches with status escalated from tax"
    assert cli_entries() == [*before, ("cli:mismatches list", me, 1)]  # the empty one disclosed nobody
    engine.dispose()


def test_every_registry_call_is_a_full_ledger_entry(tmp_path: Path) -> None:
    """The audit: all 599 calls of a run shared two timestamps; failed calls had no message id, no
    call had its issue, digests or sizes."""
    from sqlalchemy import select

    from sanarip_hub.config import load_settings
    from sanarip_hub.ledger.keys import load_keys
    from sanarip_hub.storage.engine import make_engine
    from sanarip_hub.storage.models import LedgerEntryRow

    env = prepared_home("sqlite", tmp_path / "home")
    url, process = launch(
        env, tmp_path / "truth.jsonl", "--seed", "5", "--faults", "fault=Client.BadRequest@0.1"
    )
    try:
        env["SANARIP_HUB_XROAD_SECURITY_SERVER_URL"] = url
        result = run_hub(env, "sync", "run", "civil-registry", "--limit", "120")
        assert "failed 0" not in result.stdout  # Client.* faults are not retried: some people fail
    finally:
        process.terminate()
        process.wait(timeout=20)
    settings = load_settings(environ=env)
    engine = make_engine(settings)
    with engine.connect() as connection:
        calls = list(connection.execute(select(LedgerEntryRow).where(LedgerEntryRow.direction == "out")))
    engine.dispose()
    failed = [c for c in calls if c.outcome != "ok"]
    assert failed
    assert all(c.outcome == "Client.BadRequest" for c in failed)
    assert len(calls) > 120
    for call in calls:
        assert call.message_id, call.seq  # a failed call's too
        assert call.issue == "reconciliation-run-1"
        assert call.request_bytes
        assert call.request_digest
        assert call.response_bytes
        assert call.response_digest
    assert len({c.time_ms for c in calls}) > 20  # each call its own start time (was 2 for a whole run)
    digest = load_keys(settings).pin_key.message_digest
    assert all(len(c.request_digest) == 64 and c.request_digest != digest(b"") for c in calls)
