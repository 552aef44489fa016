"""``/metrics`` in the Prometheus text format, derived from the database rather than kept in memory.

The hub runs several worker processes, and the ledger already records every exchange; counting
from it gives every worker the same, restart-proof totals without a multiprocess metrics store.
Each scrape reads only what is new: exchange counts and latency buckets are kept per process up to
the last sequence number seen and advanced from there (the primary key), so a scrape costs one
range scan of the entries since the previous one; the first scrape of a process reads them all once.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from sanarip_hub.storage.models import LedgerEntryRow, LedgerHead, Mismatch, SyncRun

BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BATCH = 200_000


class HubCollector(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._seen = -1  # highest ledger sequence counted
        self._exchanges: dict[tuple[str, str, str], int] = defaultdict(int)
        self._latency: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS_MS) + 1))
        self._latency_sum: dict[str, float] = defaultdict(float)

    def _advance(self) -> None:
        e = LedgerEntryRow
        with self.engine.connect() as connection:
            while True:
                rows = connection.execute(
                    select(e.seq, e.service_id, e.client_id, e.outcome, e.duration_ms)
                    .where(e.seq > self._seen)
                    .order_by(e.seq)
                    .limit(BATCH)
                ).all()
                for seq, service, client, outcome, duration in rows:
                    self._exchanges[(service, client or "", outcome)] += 1
                    if duration is not None:
                        self._latency[service][bisect.bisect_left(BUCKETS_MS, duration)] += 1
                        self._latency_sum[service] += duration / 1000
                    self._seen = seq
                if len(rows) < BATCH:
                    return

    def collect(self) -> Iterator[Any]:
        with self._lock:
            self._advance()
            exchanges = CounterMetricFamily(
                "sanarip_exchanges", "Ledgered exchanges by service, client and outcome",
                labels=["service", "client", "outcome"],
            )  # fmt: skip
            for (service, client, outcome), count in sorted(self._exchanges.items()):
                exchanges.add_metric([service, client, outcome], count)
            yield exchanges
            latency = HistogramMetricFamily(
                "sanarip_exchange_duration_seconds",
                "Time to answer an exchange, by service",
                labels=["service"],
            )
            for service, counts in sorted(self._latency.items()):
                cumulative, buckets = 0, []
                for bound, count in zip((*BUCKETS_MS, None), counts, strict=True):
                    cumulative += count
                    buckets.append(("+Inf" if bound is None else str(bound / 1000), cumulative))
                latency.add_metric([service], buckets, self._latency_sum[service])
            yield latency
        with self.engine.connect() as connection:
            head = connection.execute(select(LedgerHead.size, LedgerHead.last_checkpoint_ms)).first()
            runs = connection.execute(
                select(
                    SyncRun.source,
                    SyncRun.status,
                    func.count(),
                    func.sum(SyncRun.checked),
                    func.sum(SyncRun.matched),
                    func.sum(SyncRun.mismatched),
                    func.sum(SyncRun.failed),
                ).group_by(SyncRun.source, SyncRun.status)
            ).all()
            mismatches = connection.execute(
                select(Mismatch.source, Mismatch.status, func.count()).group_by(
                    Mismatch.source, Mismatch.status
                )
            ).all()
        size = GaugeMetricFamily("sanarip_ledger_entries", "Entries in the ledger")
        size.add_metric([], head.size if head else 0)
        yield size
        since = GaugeMetricFamily(
            "sanarip_ledger_seconds_since_checkpoint", "Seconds since the last signed ledger checkpoint"
        )
        if head is not None and head.last_checkpoint_ms:
            since.add_metric([], max(0.0, time.time() - head.last_checkpoint_ms / 1000))
        yield since
        run_count = CounterMetricFamily(
            "sanarip_sync_runs", "Reconciliation runs", labels=["source", "status"]
        )
        people = CounterMetricFamily(
            "sanarip_sync_people", "People reconciled, by result", labels=["source", "result"]
        )
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for run_source, run_status, count, checked, matched, mismatched, failed in runs:
            run_count.add_metric([str(run_source), str(run_status)], count)
            for result, value in (("checked", checked), ("matched", matched), ("mismatched", mismatched),
                                  ("failed", failed)):  # fmt: skip
                totals[(str(run_source), result)] += int(value or 0)
        for (source, result), value in sorted(totals.items()):
            people.add_metric([source, result], value)
        yield run_count
        yield people
        flagged = GaugeMetricFamily(
            "sanarip_mismatches", "Mismatches by source and status", labels=["source", "status"]
        )
        for source, status, count in mismatches:
            flagged.add_metric([str(source), str(status)], count)
        yield flagged


def metrics_registry(engine: Engine) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HubCollector(engine))
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
