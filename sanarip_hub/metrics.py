"""``/metrics`` in the Prometheus text format, derived from the database rather than kept in memory.

The hub runs several worker processes, and the ledger already records every exchange; counting
from it gives every worker the same, restart-proof totals without a multiprocess metrics store.
Each scrape reads only what is new: exchange counts and latency buckets are kept per process up to
the last sequence number seen and advanced from there (the primary key), so a scrape costs one
range scan of the entries since the previous one; the first scrape of a process reads them all once.

Label values are never what a caller chose: a service is one the hub publishes or calls (or a
console view), a client one that holds an agreement (or the hub itself); anything else is counted
under ``other``.  PageRefused requests with made-up service codes once became label values, one time
series each.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from sanarip_hub.config import Settings
from sanarip_hub.domain.contract_drift import CheckStatus

BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BATCH = 200_000
OTHER = "other"


def known_services(settings: Settings) -> frozenset[str]:
    """The service identifiers the ledger's entries may carry for the hub's own services (SOAP with
    its version, REST without) and for the registry services it calls."""
    from sanarip_hub.domain.hub_contract import REST_SERVICES, SERVICE_VERSION, SERVICES
    from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId

    provider = ClientId.parse(settings.xroad.subsystem)
    own = {str(ServiceId(provider, s.code, SERVICE_VERSION)) for s in SERVICES}
    own |= {f"SERVICE:{provider.path()}/{s.code}" for s in REST_SERVICES}
    consumers = settings.consumers
    called = {
        str(ServiceId.parse(text))
        for text in (consumers.civil_registry, consumers.address_bureau, consumers.pin_search, consumers.tax)
    }
    return frozenset(own | called)


class MetricsSource(Protocol):
    """What the metrics are counted from (:class:`sanarip_hub.storage.metrics_queries.MetricsReader`)."""

    def agreement_clients(self) -> set[str]: ...

    def entries_after(self, seq: int, limit: int) -> list[Any]: ...

    def ledger_head(self) -> Any: ...

    def run_totals(self) -> list[Any]: ...

    def mismatch_totals(self) -> list[Any]: ...

    def contract_checks(self) -> list[Any]: ...


class HubCollector(Collector):
    def __init__(
        self, source: MetricsSource, services: frozenset[str] = frozenset(), own_client: str = ""
    ) -> None:
        self.source = source
        self.services = services
        self.own_client = own_client
        self._lock = threading.Lock()
        self._seen = -1  # highest ledger sequence counted
        self._exchanges: dict[tuple[str, str, str], int] = defaultdict(int)
        self._latency: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS_MS) + 1))
        self._latency_sum: dict[str, float] = defaultdict(float)

    def _service(self, service: str) -> str:
        return service if service in self.services or service.startswith("console:") else OTHER

    def _advance(self) -> None:
        clients = self.source.agreement_clients() | {self.own_client}
        while True:
            rows = self.source.entries_after(self._seen, BATCH)
            for seq, raw_service, raw_client, outcome, duration in rows:
                service = self._service(raw_service)
                client = raw_client if raw_client in clients else (OTHER if raw_client else "")
                self._exchanges[(service, client, outcome if len(outcome) <= 60 else OTHER)] += 1
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
        head = self.source.ledger_head()
        runs = self.source.run_totals()
        mismatches = self.source.mismatch_totals()
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
        yield from contract_metrics(self.source.contract_checks())


def contract_metrics(checks: list[Any]) -> Iterator[Any]:
    """Each consumed service's last contract check: drift (1: a difference that breaks the nightly
    run; alert on it), its status, breaking differences and when it was checked."""
    drift = GaugeMetricFamily(
        "sanarip_contract_drift",
        "1 when the consumed service's contract drifted from our model (contracts check)",
        labels=["service"],
    )
    status = GaugeMetricFamily(
        "sanarip_contract_status", "The last contract check's status (1 for the current one)",
        labels=["service", "status"],
    )  # fmt: skip
    breaking = GaugeMetricFamily(
        "sanarip_contract_breaking_differences", "Breaking differences found by the last check",
        labels=["service"],
    )  # fmt: skip
    checked = GaugeMetricFamily(
        "sanarip_contract_checked_timestamp_seconds", "When the contract was last checked",
        labels=["service"],
    )  # fmt: skip
    for checked_service in checks:
        check = checked_service.check
        drift.add_metric([check.name], 1 if check.status is CheckStatus.DRIFT else 0)
        status.add_metric([check.name, str(check.status)], 1)
        breaking.add_metric([check.name], len(check.breaking))
        checked.add_metric([check.name], checked_service.checked_at.timestamp())
    yield from (drift, status, breaking, checked)


def metrics_registry(source: MetricsSource, settings: Settings) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    own = f"SUBSYSTEM:{settings.xroad.subsystem}"
    registry.register(HubCollector(source, known_services(settings), own))
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
