"""A seed killed with SIGKILL mid-load leaves the database as it was: no rows, every constraint.

A fresh seed is one transaction on both back ends, so there is nothing half-written to clean up,
and the next seed starts over on an empty book.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from sanarip_hub.config import load_settings
from sanarip_hub.storage.engine import make_engine
from sanarip_hub.storage.models import Base, Household, Person
from tests.cli.test_cli import run

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


def test_kill_9_during_seed_loses_nothing_and_leaves_nothing(cli_env: dict[str, str]) -> None:
    assert run(["db", "upgrade"], cli_env).returncode == 0
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SANARIP_HUB_")} | cli_env
    process = subprocess.Popen(
        [sys.executable, "-m", "sanarip_hub", "seed", "--households", "400000", "--workers", "1"],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    engine = make_engine(load_settings(environ=cli_env))
    try:
        # Wait until rows are being written (the load is well under way), then kill without warning.
        deadline = time.monotonic() + 60
        time.sleep(4)
        assert process.poll() is None, "the seed finished before it could be killed; raise --households"
        assert time.monotonic() < deadline
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL

        for _ in range(100):  # PostgreSQL notices the dead client and rolls back
            try:
                with engine.connect() as connection:
                    if engine.dialect.name == "postgresql":
                        connection.exec_driver_sql("SET lock_timeout = '200ms'")
                    households = connection.execute(select(func.count()).select_from(Household)).scalar_one()
                    persons = connection.execute(select(func.count()).select_from(Person)).scalar_one()
                    drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
                break
            except Exception:
                time.sleep(0.2)
        else:
            pytest.fail("the database stayed locked after the seed was killed")
        assert (households, persons) == (0, 0)
        assert drift == []
    finally:
        if process.poll() is None:
            process.kill()
        engine.dispose()

    again = run(["seed", "--households", "200", "--lsg", "2"], cli_env)
    assert again.returncode == 0, again.stderr
    assert "seeded 200 households" in again.stdout
