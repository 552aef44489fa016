"""What ``/metrics`` counts, read from the database: the ledger's new entries, its head, sync runs
and mismatches (:class:`sanarip_hub.metrics.MetricsSource`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from sanarip_hub.storage.contract_checks import latest_checks
from sanarip_hub.storage.models import Agreement, LedgerEntryRow, LedgerHead, Mismatch, SyncRun


class MetricsReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def agreement_clients(self) -> set[str]:
        """Every client that holds (or held) an agreement: the client label's known values."""
        with self.engine.connect() as connection:
            return set(connection.execute(select(Agreement.client).distinct()).scalars())

    def entries_after(self, seq: int, limit: int) -> list[Any]:
        """(seq, service_id, client_id, outcome, duration_ms) of entries after ``seq``, in order."""
        e = LedgerEntryRow
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(e.seq, e.service_id, e.client_id, e.outcome, e.duration_ms)
                    .where(e.seq > seq)
                    .order_by(e.seq)
                    .limit(limit)
                )
            )

    def ledger_head(self) -> Any:
        """(size, last_checkpoint_ms), or None before the first entry."""
        with self.engine.connect() as connection:
            return connection.execute(select(LedgerHead.size, LedgerHead.last_checkpoint_ms)).first()

    def run_totals(self) -> list[Any]:
        """Per (source, status): runs, and people checked, matched, mismatched, failed."""
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(
                        SyncRun.source,
                        SyncRun.status,
                        func.count(),
                        func.sum(SyncRun.checked),
                        func.sum(SyncRun.matched),
                        func.sum(SyncRun.mismatched),
                        func.sum(SyncRun.failed),
                    ).group_by(SyncRun.source, SyncRun.status)
                )
            )

    def mismatch_totals(self) -> list[Any]:
        """Per (source, status): how many mismatches."""
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(Mismatch.source, Mismatch.status, func.count()).group_by(
                        Mismatch.source, Mismatch.status
                    )
                )
            )

    def contract_checks(self) -> list[Any]:
        """Each consumed service's latest contract check."""
        return latest_checks(self.engine)
