"""Reconciliation runs, worked in chunks by every process (or host) that runs ``sync run``.

A run is planned once, when it starts: the people it checks are cut into chunks of
``[limits] sync_chunk`` people by person id (``after_id < id <= up_to_id``; the last chunk of a run
without a limit is open-ended).  A process works a chunk by *claiming* it:

* on PostgreSQL, ``SELECT … FOR UPDATE SKIP LOCKED`` in a transaction the process holds until the
  chunk's flags, withdrawals and counts are written and the chunk is marked done — in that same
  transaction.  Two hosts never get the same chunk; a host killed mid-chunk loses its connection,
  its transaction rolls back, and the chunk is free for the next claim at once;
* on SQLite (one host: the database is a file), by writing ``claimed_by`` (host and process id)
  and ``claimed_at`` in a short transaction; a claim whose process is gone, or older than
  ``STALE_CLAIM``, is taken over.

The run is completed by whichever process finds no chunk left undone.  Its counts are the sums of
the chunks' (each added in the chunk's transaction), so several processes never overwrite each
other's.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, or_, select, text, update

from sanarip_hub.domain.codes import SyncRunStatus, SyncSource
from sanarip_hub.storage.acting_lock import SCHEMA_KEYED
from sanarip_hub.storage.mismatches import Flagged, flag, withdraw_stale
from sanarip_hub.storage.models import Person, SyncChunk, SyncRun
from sanarip_hub.storage.people import HubPerson, people_to_check, to_check

RUN: Table = SyncRun.__table__  # type: ignore[assignment]
CHUNK: Table = SyncChunk.__table__  # type: ignore[assignment]
STALE_CLAIM = timedelta(minutes=15)  # SQLite: a claim this old is taken over even if its process lives
WORKER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Claim:
    """A chunk this process works: on PostgreSQL with its open transaction (``connection``)."""

    run_id: int
    chunk_no: int
    after_id: int
    up_to_id: int | None
    connection: Connection | None = None


def claim_alive(worker: str | None) -> bool:
    """Whether the process named ``host:pid`` may still be working (another host's: assume so)."""
    if not worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SyncRunTable:
    """The run store over the hub database (:class:`sync_jobs.reconcile.RunStore`)."""

    def __init__(self, engine: Engine, worker: str = WORKER) -> None:
        self.engine = engine
        self.worker = worker
        self.postgres = engine.dialect.name == "postgresql"

    # -- runs ----------------------------------------------------------------------------------------

    def start(
        self,
        source: SyncSource,
        lsg_id: int | None,
        limit: int | None,
        at: datetime,
        chunk: int = 250,
        low_income_only: bool = False,
    ) -> tuple[Any, bool]:
        """The unfinished run of this source and scope (resumed, and planned if it never was), or a
        new one planned.  Processes starting at once find the same run: the start is serialised."""
        with self.engine.connect() as connection:
            if self.postgres:
                # "SYNC", keyed by schema like the acting scheduler's lock (advisory locks are database-wide)
                connection.execute(text(f"SELECT pg_advisory_xact_lock{SCHEMA_KEYED}"), {"k": 0x53594E43})
            else:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            running = connection.execute(
                select(SyncRun)
                .where(SyncRun.source == source, SyncRun.status == SyncRunStatus.RUNNING)
                .where(SyncRun.lsg_id.is_(None) if lsg_id is None else SyncRun.lsg_id == lsg_id)
                .order_by(SyncRun.id.desc())
                .limit(1)
            ).first()
            resumed = running is not None
            if running is None:
                run_id = connection.execute(
                    insert(RUN)
                    .values(source=source, lsg_id=lsg_id, person_limit=limit, status=SyncRunStatus.RUNNING,
                            started_at=at)
                    .returning(RUN.c.id)
                ).scalar_one()  # fmt: skip
            else:
                run_id = running.id
            planned = connection.execute(select(func.count()).where(CHUNK.c.run_id == run_id)).scalar_one()
            if not planned:  # new, or interrupted before chunks existed: plan from its checkpoint
                run = connection.execute(select(SyncRun).where(SyncRun.id == run_id)).one()
                left = None if run.person_limit is None else run.person_limit - run.checked - run.failed
                self._plan(connection, run_id, run.checkpoint_person_id, lsg_id, left, chunk, low_income_only)
            row = connection.execute(select(SyncRun).where(SyncRun.id == run_id)).one()
            connection.commit()
        return row, resumed

    @staticmethod
    def _plan(
        connection: Connection, run_id: int, after: int, lsg_id: int | None, limit: int | None, chunk: int,
        low_income_only: bool,
    ) -> None:  # fmt: skip
        """Cut the people to check into chunks of ``chunk`` by id."""
        ranked = to_check(
            select(Person.id, func.row_number().over(order_by=Person.id).label("rank")).where(
                Person.id > after
            ),
            lsg_id,
            low_income_only,
        )
        numbered = ranked.subquery()
        total = int(connection.execute(select(func.count()).select_from(numbered)).scalar_one())
        stop = total if limit is None else min(limit, total)
        ends = select(numbered.c.id).where(
            or_(numbered.c.rank % chunk == 0, numbered.c.rank == stop), numbered.c.rank <= stop
        )
        bounds = [int(row.id) for row in connection.execute(ends.order_by(numbered.c.id))]
        rows: list[dict[str, Any]] = []
        previous = after
        for number, bound in enumerate(bounds):
            rows.append({"run_id": run_id, "chunk_no": number, "after_id": previous, "up_to_id": bound})
            previous = bound
        if limit is None:  # the rest, and anyone given a PIN while the run is on
            rows.append({"run_id": run_id, "chunk_no": len(bounds), "after_id": previous, "up_to_id": None})
        for offset in range(0, len(rows), 5000):
            connection.execute(insert(CHUNK), rows[offset : offset + 5000])

    def finish(self, run_id: int, duration_ms: int, at: datetime) -> bool:
        """Add this process's working time; complete the run if no chunk is left undone."""
        with self.engine.begin() as connection:
            connection.execute(
                update(RUN)
                .where(RUN.c.id == run_id)
                .values(duration_ms=func.coalesce(RUN.c.duration_ms, 0) + duration_ms)
            )
            undone = (
                select(CHUNK.c.chunk_no).where(CHUNK.c.run_id == run_id, CHUNK.c.done_at.is_(None)).exists()
            )
            done = connection.execute(
                update(RUN)
                .where(RUN.c.id == run_id, RUN.c.status == SyncRunStatus.RUNNING, ~undone)
                .values(status=SyncRunStatus.COMPLETED, finished_at=at)
            )
            return bool(done.rowcount)

    def live(
        self, at: datetime, quiet: timedelta = timedelta(minutes=2)
    ) -> list[tuple[SyncSource, int | None]]:
        """Unfinished runs someone is working: started, or a chunk done, within ``quiet`` of
        ``at`` (a run left unfinished by a dead registry is not live: joining it would only call
        the dead registry again)."""
        recent = at - quiet
        done_lately = (
            select(CHUNK.c.chunk_no).where(CHUNK.c.run_id == RUN.c.id, CHUNK.c.done_at >= recent).exists()
        )
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(RUN.c.source, RUN.c.lsg_id)
                .where(RUN.c.status == SyncRunStatus.RUNNING, or_(RUN.c.started_at >= recent, done_lately))
                .order_by(RUN.c.id)
            )
            return [(SyncSource(source), lsg_id) for source, lsg_id in rows]

    def totals(self, run_id: int) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(select(SyncRun).where(SyncRun.id == run_id)).one()

    # -- chunks ----------------------------------------------------------------------------------------

    def claim(self, run_id: int, at: datetime) -> Claim | None:
        """The next chunk nobody works (None: every chunk is done or being worked)."""
        pending = (
            select(CHUNK.c.chunk_no, CHUNK.c.after_id, CHUNK.c.up_to_id)
            .where(CHUNK.c.run_id == run_id, CHUNK.c.done_at.is_(None))
            .order_by(CHUNK.c.chunk_no)
        )
        if self.postgres:
            connection = self.engine.connect()
            try:
                row = connection.execute(pending.limit(1).with_for_update(skip_locked=True)).first()
                if row is None:
                    connection.rollback()
                    connection.close()
                    return None
                connection.execute(
                    update(CHUNK)
                    .where(CHUNK.c.run_id == run_id, CHUNK.c.chunk_no == row.chunk_no)
                    .values(claimed_by=self.worker, claimed_at=at)
                )
            except BaseException:
                connection.close()
                raise
            return Claim(run_id, row.chunk_no, row.after_id, row.up_to_id, connection)
        with self.engine.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            for row in connection.execute(pending.add_columns(CHUNK.c.claimed_by, CHUNK.c.claimed_at)):
                free = (
                    row.claimed_by is None
                    or row.claimed_at is None
                    or row.claimed_at < at - STALE_CLAIM
                    or not claim_alive(row.claimed_by)
                )
                if free:
                    connection.execute(
                        update(CHUNK)
                        .where(CHUNK.c.run_id == run_id, CHUNK.c.chunk_no == row.chunk_no)
                        .values(claimed_by=self.worker, claimed_at=at)
                    )
                    connection.commit()
                    return Claim(run_id, row.chunk_no, row.after_id, row.up_to_id)
            connection.rollback()
        return None

    def people(self, claim: Claim, lsg_id: int | None, chunk: int, low_income_only: bool) -> list[HubPerson]:
        count = None if claim.up_to_id is not None else chunk  # the open last chunk: at most one more
        return people_to_check(
            self.engine, claim.after_id, lsg_id, count, low_income_only, up_to=claim.up_to_id
        )

    def release(self, claim: Claim) -> None:
        """Give a chunk back unworked (the process stops: the registry went down, an error).
        Releasing twice, or after the chunk's transaction ended, does nothing."""
        if self.postgres:  # the claim is the transaction: ending it frees the row
            if claim.connection is not None:
                claim.connection.rollback()
                claim.connection.close()
                claim.connection = None
            return
        with self.engine.begin() as connection:
            connection.execute(
                update(CHUNK)
                .where(CHUNK.c.run_id == claim.run_id, CHUNK.c.chunk_no == claim.chunk_no,
                       CHUNK.c.claimed_by == self.worker, CHUNK.c.done_at.is_(None))
                .values(claimed_by=None, claimed_at=None)
            )  # fmt: skip

    def commit_chunk(
        self,
        claim: Claim,
        source: SyncSource,
        flags: list[Any],
        compared: dict[int, tuple[frozenset[str], frozenset[str]]],
        counts: dict[str, int],
        at: datetime,
    ) -> tuple[int, int]:
        """A chunk's flags (upserts), the flags it no longer supports withdrawn, its counts added to
        the run's and the chunk marked done: one transaction (the claim's own on PostgreSQL), so a
        chunk is either wholly done or free to be done again, and never flagged twice.
        Returns (new flags, withdrawn flags)."""
        if claim.connection is not None:
            connection = claim.connection
            try:
                result = self._write(connection, claim, source, flags, compared, counts, at)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                connection.close()
                claim.connection = None
            return result
        with self.engine.begin() as connection:
            return self._write(connection, claim, source, flags, compared, counts, at)

    def _write(
        self, connection: Connection, claim: Claim, source: SyncSource, flags: list[Any],
        compared: dict[int, tuple[frozenset[str], frozenset[str]]], counts: dict[str, int], at: datetime,
    ) -> tuple[int, int]:  # fmt: skip
        new = 0
        for item in flags:
            found = flag(
                connection,
                person_id=item.person_id,
                field=item.difference.field,
                source=source,
                hub_value=item.difference.hub_value,
                registry_value=item.difference.registry_value,
                message_id=item.message_id,
                run_id=claim.run_id,
            )
            new += found is Flagged.NEW
        withdrawn = withdraw_stale(connection, source=source, compared=compared, run_id=claim.run_id)
        people = sum(counts[name] for name in ("checked", "failed"))
        connection.execute(
            update(CHUNK)
            .where(CHUNK.c.run_id == claim.run_id, CHUNK.c.chunk_no == claim.chunk_no)
            .values(done_at=at, people=people, claimed_by=self.worker)
        )
        last = claim.up_to_id if claim.up_to_id is not None else max(compared, default=claim.after_id)
        connection.execute(
            update(RUN)
            .where(RUN.c.id == claim.run_id)
            .values(
                checkpoint_person_id=func.max(RUN.c.checkpoint_person_id, last)
                if connection.dialect.name == "sqlite"
                else func.greatest(RUN.c.checkpoint_person_id, last),
                **{name: getattr(RUN.c, name) + value for name, value in counts.items()},
            )
        )
        return new, withdrawn
