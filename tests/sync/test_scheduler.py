"""Only one scheduler acts: the second waits on the lock until the first lets go."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from sanarip_hub.storage.acting_lock import acting_lock
from sync_jobs.scheduler import build_scheduler
from tests.conftest import HubDb


def test_a_second_scheduler_stands_by_until_the_first_stops(hub_db: HubDb) -> None:
    acting: list[str] = []
    release = threading.Event()

    def instance(name: str) -> None:
        with acting_lock(hub_db.engine, hub_db.settings, wait=0.05):
            acting.append(name)
            release.wait(5)

    first = threading.Thread(target=instance, args=("first",))
    first.start()
    time.sleep(0.3)
    second = threading.Thread(target=instance, args=("second",))
    second.start()
    time.sleep(0.5)
    assert acting == ["first"]  # the second is standing by
    release.set()
    first.join(5)
    second.join(5)
    assert acting == ["first", "second"]


def test_the_nightly_jobs_follow_the_configured_cron(hub_db: HubDb) -> None:
    jobs = {job.id: job for job in build_scheduler(hub_db.engine, hub_db.settings, print).get_jobs()}
    assert set(jobs) == {"reconcile-civil-registry", "reconcile-tax", "ledger-verify", "contracts-check"}
    assert "hour='4'" in str(jobs["ledger-verify"].trigger)
    contracts = str(jobs["contracts-check"].trigger)  # before the nightly runs: a drift can skip one
    assert "hour='1'" in contracts
    assert "minute='30'" in contracts
    trigger = str(jobs["reconcile-civil-registry"].trigger)
    assert "hour='2'" in trigger
    assert "minute='0'" in trigger
    assert "Asia/Bishkek" in str(jobs["reconcile-tax"].trigger.timezone)


def test_the_scheduled_verification_records_its_outcome(hub_db: HubDb) -> None:
    """The nightly job verifies the whole ledger and leaves its outcome where the dashboard reads it."""
    import os

    from sqlalchemy import select

    from sanarip_hub.entrypoints.jobs import run_scheduled
    from sanarip_hub.ledger.keys import init_keys
    from sanarip_hub.storage.models import LedgerVerification

    init_keys(hub_db.settings)
    saved = dict(os.environ)
    os.environ.update(hub_db.env)
    try:
        run_scheduled("ledger-verify")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    with hub_db.engine.connect() as connection:
        row = connection.execute(select(LedgerVerification).order_by(LedgerVerification.id.desc())).first()
    assert row is not None
    assert row.actor == "scheduler"
    assert row.ok is True
    assert row.detail.startswith("intact: 0 entries")


def test_installations_in_two_schemas_of_one_database_each_have_their_own_acting_scheduler(
    tmp_path: Path,
) -> None:
    """Schemas isolate tenants (and parallel test runs) in one PostgreSQL database: one installation's
    acting scheduler must not make another's stand by.  Advisory locks are database-wide, so the
    lock's key names the schema; before, the second installation stood by for as long as the first
    acted (in the suite, a scheduler test on one worker stalled another's)."""
    from sanarip_hub.config import load_settings
    from sanarip_hub.storage.engine import make_engine
    from tests.conftest import drop_schema, hub_environment

    installations = []
    for name in ("one", "two"):
        settings = load_settings(environ=hub_environment("postgresql", tmp_path / name))
        installations.append((settings, make_engine(settings)))
    acted: list[str] = []

    class StoodBy(Exception):
        pass

    def stood_by() -> None:
        raise StoodBy

    try:
        (first_settings, first_engine), (second_settings, second_engine) = installations
        with acting_lock(first_engine, first_settings, wait=0.05):
            with acting_lock(second_engine, second_settings, wait=0.05, standby=stood_by):
                acted.append("two")  # at once, beside the first (standing by would raise StoodBy)
            assert acted == ["two"]
            # within one installation the lock still excludes: another instance stands by
            with (
                pytest.raises(StoodBy),
                acting_lock(first_engine, first_settings, wait=0.05, standby=stood_by),
            ):
                pass
    finally:
        for settings, engine in installations:
            engine.dispose()
            drop_schema(settings.database.schema)
