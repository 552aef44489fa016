"""What the console's pages read (the pages themselves are in :mod:`sanarip_hub.console`).

Each query is bounded: a time window on an indexed column, or keyset pagination by sequence number,
so pages stay fast over millions of ledger entries."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine, func, select

from sanarip_hub.domain.codes import MismatchStatus
from sanarip_hub.domain.exchange import OK
from sanarip_hub.storage.contract_checks import CheckedService, latest_checks
from sanarip_hub.storage.models import (
    LedgerEntryRow,
    LedgerHead,
    LedgerSubject,
    LedgerVerification,
    LsgBody,
    Mismatch,
    MismatchEvent,
    Person,
    SyncRun,
)


class PinHashes(Protocol):
    """The ledger's keyed PIN hashes (:class:`sanarip_hub.ledger.keys.PinKey`): a PIN is looked up
    by its hash under every key the ledger has used."""

    def pin_hashes(self, pin: str) -> list[str]: ...


HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
PAGE = 50
LATENCY_SAMPLE = 20_000  # the newest entries of the window whose durations give the percentiles
OPEN = (MismatchStatus.OPEN, MismatchStatus.IN_REVIEW)


def now_ms() -> int:
    return int(time.time() * 1000)


def percentile(ordered: list[int], share: float) -> int | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Dashboard:
    services: list[dict[str, Any]]
    series: dict[str, list[int]]  # service → exchanges per hour, oldest first (24 points)
    hours: list[int]  # the hours' start times (ms)
    clients: list[dict[str, Any]]
    fault_rate: float
    p50: int | None
    p95: int | None
    p99: int | None
    ledger_size: int
    last_checkpoint_ms: int | None
    verification: Any
    runs: list[Any]
    open_by_lsg: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[CheckedService] = field(default_factory=list)  # each consumed service's last check


LAST_VERIFICATION = select(LedgerVerification).order_by(LedgerVerification.id.desc()).limit(1)


def last_verification(engine: Engine) -> Any:
    """The newest recorded verification of the ledger (console, CLI or scheduler), or None."""
    with engine.connect() as connection:
        return connection.execute(LAST_VERIFICATION).first()


def dashboard(engine: Engine, at_ms: int | None = None) -> Dashboard:
    end = at_ms or now_ms()
    start = end - DAY_MS
    e = LedgerEntryRow
    window = (e.time_ms >= start, e.time_ms < end)
    with engine.connect() as connection:
        hour = (e.time_ms - start) // HOUR_MS
        rows = connection.execute(
            select(
                e.service_id,
                hour.label("hour"),
                func.count().label("total"),
                func.count().filter(e.outcome != OK).label("faults"),
            )
            .where(*window)
            .group_by(e.service_id, hour)
        ).all()
        clients = connection.execute(
            select(e.client_id, func.count().label("total"))
            .where(*window)
            .group_by(e.client_id)
            .order_by(func.count().desc())
            .limit(10)
        ).all()
        durations: list[int] = sorted(
            d
            for (d,) in connection.execute(
                select(e.duration_ms)
                .where(*window, e.duration_ms.is_not(None))
                .order_by(e.time_ms.desc())
                .limit(LATENCY_SAMPLE)
            )
            if d is not None
        )
        head = connection.execute(select(LedgerHead.size, LedgerHead.last_checkpoint_ms)).first()
        verification = connection.execute(LAST_VERIFICATION).first()
        runs = connection.execute(select(SyncRun).order_by(SyncRun.id.desc()).limit(10)).all()
        open_by_lsg = connection.execute(
            select(LsgBody.name_ky, LsgBody.soate_code, func.count().label("open"))
            .select_from(Mismatch)
            .join(Person, Person.id == Mismatch.person_id)
            .join(LsgBody, LsgBody.id == Person.lsg_id)
            .where(Mismatch.status.in_(OPEN))
            .group_by(LsgBody.name_ky, LsgBody.soate_code)
            .order_by(func.count().desc())
        ).all()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    series: dict[str, list[int]] = defaultdict(lambda: [0] * 24)
    for service, bucket, total, faults in rows:
        totals[service][0] += total
        totals[service][1] += faults or 0
        if 0 <= bucket < 24:
            series[service][int(bucket)] += total
    all_total = sum(t for t, _ in totals.values())
    all_faults = sum(f for _, f in totals.values())
    services = [
        {"service": s, "total": t, "faults": f}
        for s, (t, f) in sorted(totals.items(), key=lambda item: -item[1][0])
    ]
    return Dashboard(
        services=services,
        series=dict(series),
        hours=[start + i * HOUR_MS for i in range(24)],
        clients=[{"client": c, "total": t} for c, t in clients],
        fault_rate=all_faults / all_total if all_total else 0.0,
        p50=percentile(durations, 0.50),
        p95=percentile(durations, 0.95),
        p99=percentile(durations, 0.99),
        ledger_size=head.size if head else 0,
        last_checkpoint_ms=head.last_checkpoint_ms if head and head.last_checkpoint_ms else None,
        verification=verification,
        runs=list(runs),
        open_by_lsg=[{"name": f"{n} ({s})", "open": o} for n, s, o in open_by_lsg],
        contracts=latest_checks(engine),
    )


@dataclass(frozen=True)
class LogFilter:
    since_ms: int | None = None
    until_ms: int | None = None
    client: str | None = None
    service: str | None = None
    outcome: str | None = None
    message_id: str | None = None
    pin: str | None = None
    agreement: str | None = None
    denied: bool = False
    staff: bool | None = None  # True: only console views (internal); False: only exchanges with bodies


ENTRY_COLUMNS = (
    LedgerEntryRow.seq,
    LedgerEntryRow.time_ms,
    LedgerEntryRow.direction,
    LedgerEntryRow.channel,
    LedgerEntryRow.client_id,
    LedgerEntryRow.service_id,
    LedgerEntryRow.outcome,
    LedgerEntryRow.agreement_id,
    LedgerEntryRow.duration_ms,
    LedgerEntryRow.message_id,
    LedgerEntryRow.user_id,
    LedgerEntryRow.issue,
)


def exchange_log(
    engine: Engine, pin_key: PinHashes, where: LogFilter, before: int | None = None, page: int = PAGE
) -> list[dict[str, Any]]:
    """One page of entries matching ``where``, newest first, older than sequence ``before``."""
    e = LedgerEntryRow
    query = select(*ENTRY_COLUMNS)
    if where.pin:
        query = query.join(LedgerSubject, LedgerSubject.seq == e.seq).where(
            LedgerSubject.pin_hash.in_(pin_key.pin_hashes(where.pin))
        )
    if where.since_ms is not None:
        query = query.where(e.time_ms >= where.since_ms)
    if where.until_ms is not None:
        query = query.where(e.time_ms < where.until_ms)
    for column, value in (
        (e.client_id, where.client),
        (e.service_id, where.service),
        (e.outcome, where.outcome),
        (e.message_id, where.message_id),
        (e.agreement_id, where.agreement),
    ):
        if value:
            query = query.where(column == value)
    if where.denied:
        query = query.where(e.outcome != OK)
    if where.staff is not None:
        query = query.where(e.direction == "internal" if where.staff else e.direction != "internal")
    if before is not None:
        query = query.where(e.seq < before)
    query = query.order_by(e.seq.desc()).limit(page)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [row._asdict() for row in rows]


def recent_services(engine: Engine, at_ms: int | None = None) -> list[str]:
    """Service ids seen in the last 24 hours: the exchange log's service filter offers them."""
    end = at_ms or now_ms()
    e = LedgerEntryRow
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(e.service_id)
                .where(e.time_ms >= end - DAY_MS, e.time_ms <= end)  # both bounds: the time index
                .group_by(e.service_id)
                .order_by(e.service_id)
            )
        )


def entry(engine: Engine, seq: int) -> Any:
    with engine.connect() as connection:
        return connection.execute(select(LedgerEntryRow).where(LedgerEntryRow.seq == seq)).first()


def runs(engine: Engine, limit: int = 100) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)))


MISMATCH_COLUMNS = (
    Mismatch.id,
    Mismatch.field,
    Mismatch.source,
    Mismatch.hub_value,
    Mismatch.registry_value,
    Mismatch.message_id,
    Mismatch.status,
    Mismatch.version,
    Mismatch.detected_at,
    Mismatch.person_id,
    Person.pin,
    Person.surname,
    Person.given_name,
    Person.patronymic,
    Person.lsg_id,
)


def queue(engine: Engine, lsg_id: int, limit: int = 200) -> list[Any]:
    """The open and in-review mismatches of one LSG body's people, oldest first."""
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(*MISMATCH_COLUMNS)
                .join(Person, Person.id == Mismatch.person_id)
                .where(Person.lsg_id == lsg_id, Mismatch.status.in_(OPEN))
                .order_by(Mismatch.detected_at, Mismatch.id)
                .limit(limit)
            )
        )


def mismatch(engine: Engine, mismatch_id: int) -> tuple[Any, list[Any]] | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(*MISMATCH_COLUMNS)
            .join(Person, Person.id == Mismatch.person_id)
            .where(Mismatch.id == mismatch_id)
        ).first()
        if row is None:
            return None
        events = connection.execute(
            select(MismatchEvent).where(MismatchEvent.mismatch_id == mismatch_id).order_by(MismatchEvent.id)
        ).all()
    return row, list(events)
