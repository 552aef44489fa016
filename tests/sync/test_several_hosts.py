"""Several processes (or hosts) on one run: ``sync run`` started twice at once works one run
together, each chunk done exactly once; a process killed mid-chunk leaves its chunk to the other.

Each process is a real ``sanarip-hub sync run`` against the registry simulator on loopback (with
latency, so that both are working at the same time), on both back ends.  What "exactly once" means
here is checked in the database: every chunk done once, the run's people counted once, each person
flagged at most once per field, every flag the simulator's truth.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sanarip_hub.config import load_settings
from sanarip_hub.storage.engine import make_engine
from sanarip_hub.storage.models import LedgerEntryRow, SyncChunk, SyncRun
from sanarip_hub.storage.people import count_to_check
from tests.conftest import BACKENDS
from tests.producer.conftest import HUB, run_hub
from tests.sync.conftest import REFUSED, flag_key, label_keys, simulated_world

pytestmark = pytest.mark.integration  # servers and processes on loopback

SMALL_CHUNKS = {"SANARIP_HUB_LIMITS_SYNC_CHUNK": "20", "SANARIP_HUB_LIMITS_SYNC_CONCURRENCY": "4"}


@pytest.fixture(params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[dict[str, str], list[dict[str, str]]]]:
    slow = ("--faults", "latency=0.02@1")  # every call takes a while: both processes are at work at once
    with simulated_world(
        str(request.param), tmp_path, "--discrepancy-rate", "0.2", "--seed", "8", *slow
    ) as world:
        try:
            yield world
        finally:  # a test that failed midway leaves no sync process holding locks in its schema
            while STARTED:
                process = STARTED.pop()
                if process.poll() is None:
                    process.kill()
                    process.communicate(timeout=30)


STARTED: list[subprocess.Popen[str]] = []  # this worker's sync processes, until the world ends


def sync_process(env: dict[str, str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [*HUB, "sync", "run", "civil-registry"],
        env={**os.environ, **env, **SMALL_CHUNKS},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    STARTED.append(process)
    return process


Chunks = list[tuple[int, int, str | None, bool]]


def zags_calls(env: dict[str, str]) -> int:
    """Calls of the civil registry in the ledger (without injected faults: one per person checked,
    zagsDataByPin by PIN, zagsPinsByNSPDate for a person without one)."""
    engine = make_engine(load_settings(environ={**os.environ, **env}))
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).where(
                        LedgerEntryRow.service_id.like("%/zagsDataByPin%")
                        | LedgerEntryRow.service_id.like("%/zagsPinsByNSPDate%")
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def state(env: dict[str, str]) -> tuple[Chunks, list[tuple[int, str, int, int]], int]:
    """Chunks (run, people, claimed by, done), runs (id, status, checked, failed), people to check."""
    engine = make_engine(load_settings(environ={**os.environ, **env}))
    try:
        # One snapshot for every read: processes are planning and working the run meanwhile (two
        # statements outside one saw 0 chunks, then 21, when a run was planned between them).
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")  # in place
                connection.begin()
            else:
                connection.exec_driver_sql("BEGIN")
            chunks = [
                (row.run_id, row.people, row.claimed_by, row.done_at is not None)
                for row in connection.execute(
                    select(SyncChunk).order_by(SyncChunk.run_id, SyncChunk.chunk_no)
                )
            ]
            runs = [
                (row.id, str(row.status), row.checked, row.failed)
                for row in connection.execute(select(SyncRun).order_by(SyncRun.id))
            ]
            assert connection.execute(select(func.count()).select_from(SyncChunk)).scalar_one() == len(chunks)
        return chunks, runs, count_to_check(engine, None)
    finally:
        engine.dispose()


def flags(env: dict[str, str]) -> list[tuple[str, str]]:
    listed = run_hub(env, "mismatches", "list", "--format", "json", "--limit", "1000000")
    return [
        flag_key(f["pin"], f["field"], f["registry_value"])
        for f in map(json.loads, listed.stdout.splitlines())
    ]


def assert_done_once(
    env: dict[str, str], truth: list[dict[str, str]]
) -> list[tuple[int, int, str | None, bool]]:
    chunks, runs, people = state(env)
    assert len(runs) == 1, runs  # one run, worked together
    _, status, checked, failed = runs[0]
    assert status == "completed"
    assert all(done for _, _, _, done in chunks)
    assert sum(count for _, count, _, _ in chunks) == people  # every person in exactly one done chunk
    assert checked + failed == people  # counted once
    keys = flags(env)
    assert len(keys) == len(set(keys))  # no duplicate flag
    assert set(keys) == label_keys(truth)
    return chunks


def test_two_processes_started_at_once_work_one_run_together(
    world: tuple[dict[str, str], list[dict[str, str]]],
) -> None:
    env, truth = world
    first, second = sync_process(env), sync_process(env)
    outputs = [process.communicate(timeout=300) for process in (first, second)]
    for process, (out, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, out + err
        assert f"failed {env[REFUSED]}," in out, out
    assert zags_calls(env) == state(env)[2]  # nobody's registry call was made twice
    chunks = assert_done_once(env, truth)
    workers = {claimed_by.rpartition(":")[2] for _, _, claimed_by, _ in chunks if claimed_by}
    assert workers == {str(first.pid), str(second.pid)}  # both did part of the work


def test_a_process_killed_mid_chunk_leaves_its_chunk_to_the_other(
    world: tuple[dict[str, str], list[dict[str, str]]],
) -> None:
    env, truth = world
    doomed = sync_process(env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        chunks, _, _ = state(env)
        if sum(done for *_, done in chunks) >= 2:
            break
        time.sleep(0.2)
    assert doomed.poll() is None, "the run ended before it could be killed"
    os.kill(doomed.pid, signal.SIGKILL)  # it holds a claimed chunk: it is always checking one
    doomed.wait()
    survivor = sync_process(env)
    out, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, out + err
    assert "(resumed)" in out
    chunks = assert_done_once(env, truth)
    assert any(claimed_by and claimed_by.endswith(f":{survivor.pid}") for _, _, claimed_by, _ in chunks)


def test_a_standby_scheduler_joins_the_run_another_host_works(
    world: tuple[dict[str, str], list[dict[str, str]]],
) -> None:
    """Two hosts run the scheduler: one acts (it starts the nightly jobs), the other stands by and
    works the chunks of any live run meanwhile.  The acting host's nightly job is what ``sync run``
    does (``entrypoints.jobs.run_scheduled`` calls the same ``reconcile``); it is started by hand here
    rather than waiting for 02:00."""
    env, truth = world
    schedulers = {**os.environ, **env, **SMALL_CHUNKS, "SANARIP_HUB_SCHEDULE_JOIN_EVERY": "0.5"}
    acting = subprocess.Popen([*HUB, "scheduler"], env=schedulers, stdout=subprocess.PIPE, text=True)
    assert acting.stdout is not None
    assert "scheduler acting" in acting.stdout.readline()
    standby = subprocess.Popen(
        [*HUB, "scheduler"], env=schedulers, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        nightly = sync_process(env)
        out, err = nightly.communicate(timeout=300)
        assert nightly.returncode == 0, out + err
        for _ in range(100):  # the standby host finishes the chunk it holds
            if state(env)[1][0][1] == "completed":
                break
            time.sleep(0.2)
        chunks = assert_done_once(env, truth)
        workers = {claimed_by.rpartition(":")[2] for _, _, claimed_by, _ in chunks if claimed_by}
        assert str(standby.pid) in workers  # the standby host worked part of the run
        assert str(nightly.pid) in workers
        assert str(acting.pid) not in workers  # the acting host waits for its cron, it joins nothing
    finally:
        for process in (acting, standby):
            process.terminate()
            process.wait(timeout=30)
