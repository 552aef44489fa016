"""The acting scheduler's lock: one hub instance runs the scheduled jobs, the others stand by.

On PostgreSQL a session-level advisory lock held by one connection for as long as the instance
acts (it goes away with the process); advisory locks are database-wide, so the lock is keyed by the
installation's schema too (:data:`SCHEMA_KEYED`): installations, or parallel test runs, in separate
schemas of one database each have their own acting scheduler.  On SQLite an exclusive ``flock`` on a
file beside the database, which the kernel releases when the process dies.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from sanarip_hub.config import Settings
from sanarip_hub.log import get_logger

log = get_logger("sanarip_hub.scheduler")
LOCK_KEY = 0x5A4E_4152  # "ZNAR": the hub's advisory-lock key for the acting scheduler
# The two-key form (int4, int4): the hub's key, and the schema the connection works in.
SCHEMA_KEYED = "(:k, hashtext(current_schema()))"


@contextmanager
def acting_lock(
    engine: Engine, settings: Settings, wait: float = 5.0, standby: Callable[[], None] | None = None
) -> Iterator[None]:
    """Block until this instance is the one acting scheduler; release on exit.  ``standby`` is
    called between tries while another instance acts (a standby host joins live runs there)."""

    def stand_by() -> None:
        log.info("scheduler.standby", reason="another instance holds the lock")
        if standby is not None:
            standby()
        time.sleep(wait)

    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        try:
            while not connection.execute(
                text(f"SELECT pg_try_advisory_lock{SCHEMA_KEYED}"), {"k": LOCK_KEY}
            ).scalar():
                stand_by()
            yield
        finally:
            connection.execute(text(f"SELECT pg_advisory_unlock{SCHEMA_KEYED}"), {"k": LOCK_KEY})
            connection.close()
        return
    path = settings.hub.home / "scheduler.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                stand_by()
        yield
    finally:
        os.close(handle)
