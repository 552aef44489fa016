"""Reconciliation runs: started or resumed, a chunk's flags and checkpoint in one transaction, finished."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, insert, select, update

from sanarip_hub.domain.codes import SyncRunStatus, SyncSource
from sanarip_hub.storage.mismatches import Flagged, flag, withdraw_stale
from sanarip_hub.storage.models import SyncRun
from sanarip_hub.storage.people import people_to_check

RUN: Table = SyncRun.__table__  # type: ignore[assignment]


class SyncRunTable:
    """The run store over the hub database (:class:`sync_jobs.reconcile.RunStore`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(
        self, source: SyncSource, lsg_id: int | None, limit: int | None, at: datetime
    ) -> tuple[Any, bool]:
        """The unfinished run of this source and scope (resumed), or a new one."""
        with self.engine.begin() as connection:
            running = connection.execute(
                select(SyncRun)
                .where(SyncRun.source == source, SyncRun.status == SyncRunStatus.RUNNING)
                .where(SyncRun.lsg_id.is_(None) if lsg_id is None else SyncRun.lsg_id == lsg_id)
                .order_by(SyncRun.id.desc())
                .limit(1)
            ).first()
            if running is not None:
                return running, True
            run_id = connection.execute(
                insert(RUN)
                .values(
                    source=source,
                    lsg_id=lsg_id,
                    person_limit=limit,
                    status=SyncRunStatus.RUNNING,
                    started_at=at,
                )
                .returning(RUN.c.id)
            ).scalar_one()
            return connection.execute(select(SyncRun).where(SyncRun.id == run_id)).one(), False

    def people(self, after: int, lsg_id: int | None, count: int, low_income_only: bool) -> list[Any]:
        return people_to_check(self.engine, after, lsg_id, count, low_income_only)

    def commit_chunk(
        self,
        run_id: int,
        source: SyncSource,
        flags: list[Any],
        compared: dict[int, tuple[frozenset[str], frozenset[str]]],
        checkpoint_person_id: int,
        counts: dict[str, int],
    ) -> tuple[int, int]:
        """A chunk's flags (upserts), the flags it no longer supports withdrawn, and the run's
        checkpoint and counts: one transaction, so a killed run resumes after the last chunk
        committed and never flags twice.  Returns (new flags, withdrawn flags)."""
        new = 0
        with self.engine.begin() as connection:
            for item in flags:
                found = flag(
                    connection,
                    person_id=item.person_id,
                    field=item.difference.field,
                    source=source,
                    hub_value=item.difference.hub_value,
                    registry_value=item.difference.registry_value,
                    message_id=item.message_id,
                    run_id=run_id,
                )
                new += found is Flagged.NEW
            withdrawn = withdraw_stale(connection, source=source, compared=compared, run_id=run_id)
            connection.execute(
                update(RUN)
                .where(RUN.c.id == run_id)
                .values(checkpoint_person_id=checkpoint_person_id, **counts)
            )
        return new, withdrawn

    def finish(self, run_id: int, duration_ms: int, at: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(RUN)
                .where(RUN.c.id == run_id)
                .values(status=SyncRunStatus.COMPLETED, finished_at=at, duration_ms=duration_ms)
            )
