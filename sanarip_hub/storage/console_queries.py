"""What the console's pages read (the pages themselves are in :mod:`sanarip_hub.console`).

Each query is bounded: a time window on an indexed column, or keyset pagination by sequence number,
so pages stay fast over millions of ledger entries."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, func, or_, select

from sanarip_hub.domain.codes import MismatchStatus, SyncRunStatus
from sanarip_hub.domain.exchange import OK, Direction
from sanarip_hub.storage.contract_checks import CheckedService, latest_checks
from sanarip_hub.storage.models import (
    AteUnit,
    LedgerEntryRow,
    LedgerHead,
    LedgerSubject,
    LedgerVerification,
    LsgBody,
    Mismatch,
    MismatchEvent,
    Person,
    SyncChunk,
    SyncRun,
)
from sanarip_hub.storage.sync_runs import claim_alive


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
class Traffic:
    """One direction's exchanges in the dashboard's window: per service (busiest first) and per
    hour, faults, and latency percentiles of the newest :data:`LATENCY_SAMPLE` calls."""

    services: list[dict[str, Any]] = field(default_factory=list)  # service, total, faults
    series: dict[str, list[int]] = field(default_factory=dict)  # service → per hour, oldest first (24)
    total: int = 0
    faults: int = 0
    p50: int | None = None
    p95: int | None = None
    p99: int | None = None

    @property
    def fault_rate(self) -> float:
        return self.faults / self.total if self.total else 0.0


@dataclass
class Dashboard:
    """The operator's dashboard: exchanges with other bodies apart from the console's own views.

    ``served`` is what other bodies asked of the hub over X-Road (direction ``in``), ``called`` what
    the hub asked of the registries (``out``, reconciliation runs, retries included); a console page
    view is a ledger entry too (``internal``), counted in ``console_views`` and nowhere else, so
    neither the chart, the fault rate nor the latency mixes them."""

    served: Traffic
    called: Traffic
    console_views: int
    hours: list[int]  # the hours' start times (ms)
    clients: list[dict[str, Any]]
    ledger_size: int
    last_checkpoint_ms: int | None
    verification: Any
    runs: list[dict[str, Any]]  # the newest runs, each with its state (see _with_state)
    open_by_lsg: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[CheckedService] = field(default_factory=list)  # each consumed service's last check


LAST_VERIFICATION = select(LedgerVerification).order_by(LedgerVerification.id.desc()).limit(1)


def last_verification(engine: Engine) -> Any:
    """The newest recorded verification of the ledger (console, CLI or scheduler), or None."""
    with engine.connect() as connection:
        return connection.execute(LAST_VERIFICATION).first()


def _latency(connection: Any, window: tuple[Any, ...], direction: str) -> list[int]:
    e = LedgerEntryRow
    return sorted(
        d
        for (d,) in connection.execute(
            select(e.duration_ms)
            .where(*window, e.direction == direction, e.duration_ms.is_not(None))
            .order_by(e.time_ms.desc())
            .limit(LATENCY_SAMPLE)
        )
        if d is not None
    )


def dashboard(
    engine: Engine, at_ms: int | None = None, service_name: Callable[[str, str], str] | None = None
) -> Dashboard:
    """The last 24 hours.  ``service_name(direction, service_id)`` names the line a service's
    exchanges are counted on (the published service's code, or one line for every code a refused
    request made up); by default the service id itself."""
    end = at_ms or now_ms()
    start = end - DAY_MS
    e = LedgerEntryRow
    window = (e.time_ms >= start, e.time_ms < end)
    name = service_name or (lambda _direction, service_id: service_id)
    with engine.connect() as connection:
        hour = (e.time_ms - start) // HOUR_MS
        rows = connection.execute(
            select(
                e.direction,
                e.service_id,
                hour.label("hour"),
                func.count().label("total"),
                func.count().filter(e.outcome != OK).label("faults"),
            )
            .where(*window)
            .group_by(e.direction, e.service_id, hour)
        ).all()
        clients = connection.execute(
            select(e.client_id, func.count().label("total"))
            .where(*window, e.direction == Direction.IN.value)
            .group_by(e.client_id)
            .order_by(func.count().desc())
            .limit(10)
        ).all()
        latencies = {d: _latency(connection, window, d) for d in (Direction.IN.value, Direction.OUT.value)}
        head = connection.execute(select(LedgerHead.size, LedgerHead.last_checkpoint_ms)).first()
        verification = connection.execute(LAST_VERIFICATION).first()
        runs = _newest_runs(connection, 10, datetime.fromtimestamp(end / 1000, UTC))
        open_by_lsg = connection.execute(
            select(LsgBody.name_ky, LsgBody.soate_code, func.count().label("open"))
            .select_from(Mismatch)
            .join(Person, Person.id == Mismatch.person_id)
            .join(LsgBody, LsgBody.id == Person.lsg_id)
            .where(Mismatch.status.in_(OPEN))
            .group_by(LsgBody.name_ky, LsgBody.soate_code)
            .order_by(func.count().desc())
        ).all()
    traffic = {d: Traffic() for d in latencies}
    console_views = 0
    totals: dict[str, dict[str, list[int]]] = {d: defaultdict(lambda: [0, 0]) for d in traffic}
    series: dict[str, dict[str, list[int]]] = {d: defaultdict(lambda: [0] * 24) for d in traffic}
    for direction, service_id, bucket, total, faults in rows:
        if direction not in traffic:
            console_views += total
            continue
        line = name(direction, service_id)
        totals[direction][line][0] += total
        totals[direction][line][1] += faults or 0
        if 0 <= bucket < 24:
            series[direction][line][int(bucket)] += total
    for direction, one in traffic.items():
        one.services = [
            {"service": s, "total": t, "faults": f}
            for s, (t, f) in sorted(totals[direction].items(), key=lambda item: (-item[1][0], item[0]))
        ]
        one.series = dict(series[direction])
        one.total = sum(t for t, _ in totals[direction].values())
        one.faults = sum(f for _, f in totals[direction].values())
        ordered = latencies[direction]
        one.p50, one.p95, one.p99 = (percentile(ordered, share) for share in (0.50, 0.95, 0.99))
    return Dashboard(
        served=traffic[Direction.IN.value],
        called=traffic[Direction.OUT.value],
        console_views=console_views,
        hours=[start + i * HOUR_MS for i in range(24)],
        clients=[{"client": c, "total": t} for c, t in clients],
        ledger_size=head.size if head else 0,
        last_checkpoint_ms=head.last_checkpoint_ms if head and head.last_checkpoint_ms else None,
        verification=verification,
        runs=runs,
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
    issue: str | None = None  # exact: a reconciliation run's calls carry the run's issue
    denied: bool = False
    staff: bool | None = None  # True: only console views (internal); False: only exchanges with bodies
    # the client and service filters match part of the identifier (any case); a client also matches
    # when its identifier contains one of these (members whose published names matched the text)
    client_members: tuple[str, ...] = ()


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
    # a whole identifier (pasted from an entry) is one backward scan of its (column, seq) index; part
    # of one, or of a member's name, reads the newest entries until a page of them matches
    partial = False  # a filter no index can find: read back in windows (_newest_first_in_windows)
    if where.client and where.client.startswith(("SUBSYSTEM:", "MEMBER:")):
        query = query.where(e.client_id == where.client)
    elif where.client:
        partial = True
        query = query.where(
            or_(
                e.client_id.icontains(where.client, autoescape=True),
                *(e.client_id.contains(member, autoescape=True) for member in where.client_members),
            )
        )
    if where.service and where.service.startswith("SERVICE:"):
        query = query.where(e.service_id == where.service)
    elif where.service:
        partial = True
        query = query.where(e.service_id.icontains(where.service, autoescape=True))
    for column, value in (
        (e.outcome, where.outcome),
        (e.message_id, where.message_id),
        (e.agreement_id, where.agreement),
        (e.issue, where.issue),
    ):
        if value:
            query = query.where(column == value)
    if where.denied:
        query = query.where(e.outcome != OK)
    if where.staff is not None:
        query = query.where(e.direction == "internal" if where.staff else e.direction != "internal")
    query = query.order_by(e.seq.desc())
    with engine.connect() as connection:
        if partial:
            rows = _newest_first_in_windows(connection, query, before, page)
        else:
            rows = list(
                connection.execute((query if before is None else query.where(e.seq < before)).limit(page))
            )
    return [row._asdict() for row in rows]


PARTIAL_WINDOW = 4096  # sequence numbers in the first window a part-of-a-name filter reads


def _newest_first_in_windows(connection: Any, query: Any, before: int | None, page: int) -> list[Any]:
    """A page of ``query``'s rows (part of a client's or service's name: no index can find them),
    read in windows of sequence numbers going back from ``before``, each twice the last.

    Asked for the newest 50 such entries at once, PostgreSQL scanned and sorted the whole ledger
    (a parallel sequential scan and a top-N sort: 189 ms over 200,000 entries for a client in 1 of 12,
    growing with the ledger) instead of reading back from the newest entry until a page was full.
    A window is a range of the primary key, so each is read through it; a common name fills the page
    from the first window, and one that matches nothing reads the ledger in log₂(size / 4096) steps."""
    e = LedgerEntryRow
    top = before
    if top is None:
        newest = connection.execute(select(func.max(e.seq))).scalar()
        top = 0 if newest is None else int(newest) + 1
    rows: list[Any] = []
    window = PARTIAL_WINDOW
    while top > 0 and len(rows) < page:
        low = max(0, top - window)
        rows.extend(connection.execute(query.where(e.seq < top, e.seq >= low).limit(page - len(rows))))
        top, window = low, window * 2
    return rows


def recent_values(engine: Engine, at_ms: int | None = None) -> tuple[list[str], list[str]]:
    """Service ids and fault codes seen in the last 24 hours (exchanges with other bodies): the
    exchange log's service and outcome filters offer them."""
    end = at_ms or now_ms()
    e = LedgerEntryRow
    window = (e.time_ms >= end - DAY_MS, e.time_ms <= end, e.direction != Direction.INTERNAL.value)
    with engine.connect() as connection:
        services, outcomes = (
            list(connection.scalars(select(column).where(*window).group_by(column).order_by(column)))
            for column in (e.service_id, e.outcome)
        )
    return services, [outcome for outcome in outcomes if outcome != OK]


def entry(engine: Engine, seq: int) -> Any:
    with engine.connect() as connection:
        return connection.execute(select(LedgerEntryRow).where(LedgerEntryRow.seq == seq)).first()


RUN_COLUMNS = tuple(SyncRun.__table__.columns)
INTERRUPTED_AFTER = timedelta(minutes=15)  # a "running" run nobody has worked this long has no process


def _with_state(connection: Any, rows: list[Any], at: datetime) -> list[dict[str, Any]]:
    """Runs as dicts with ``state``: their status, or ``interrupted`` for a run still marked
    running whose processes are gone — not started, no chunk done, and (on SQLite, where claims are
    written) no chunk claimed by a live process within :data:`INTERRUPTED_AFTER`.  A killed ``sync
    run`` leaves its run "running"; the console must not show it so for ever."""
    running = [row.id for row in rows if row.status == SyncRunStatus.RUNNING]
    activity: dict[int, datetime] = {}
    claimed: dict[int, bool] = {}
    if running:
        c = SyncChunk
        for run_id, done, claims in connection.execute(
            select(c.run_id, func.max(c.done_at), func.max(c.claimed_at))
            .where(c.run_id.in_(running))
            .group_by(c.run_id)
        ):
            moments = [m for m in (done, claims) if m is not None]
            if moments:
                activity[run_id] = max(moments)
        for run_id, worker in connection.execute(
            select(c.run_id, c.claimed_by).where(
                c.run_id.in_(running), c.done_at.is_(None), c.claimed_by.is_not(None)
            )
        ):
            claimed[run_id] = claimed.get(run_id, False) or claim_alive(worker)
    views = []
    for row in rows:
        view = row._asdict()
        state = str(row.status)
        if row.status == SyncRunStatus.RUNNING and not claimed.get(row.id, False):
            latest = max(m for m in (row.started_at, activity.get(row.id)) if m is not None)
            if at - _aware(latest) > INTERRUPTED_AFTER:
                state = "interrupted"
        view["state"] = state
        views.append(view)
    return views


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def runs(engine: Engine, limit: int = 100, at: datetime | None = None) -> list[dict[str, Any]]:
    """The newest runs, each with its ``state`` (see :func:`_with_state`)."""
    with engine.connect() as connection:
        return _newest_runs(connection, limit, at or datetime.now(UTC))


def _newest_runs(connection: Any, limit: int, at: datetime) -> list[dict[str, Any]]:
    rows = connection.execute(select(*RUN_COLUMNS).order_by(SyncRun.id.desc()).limit(limit)).all()
    return _with_state(connection, list(rows), at)


@dataclass
class RunDetail:
    """One reconciliation run as its page shows it."""

    run: dict[str, Any]
    chunks: list[Any]
    calls: int  # the run's registry calls in the ledger (direction out, the run's issue)
    faults: list[tuple[str, int]]  # outcome → calls, failures only, most first
    flags: list[tuple[str, str, int]]  # field, status → mismatches the run flagged


def run_detail(engine: Engine, run_id: int, issue: str, at: datetime | None = None) -> RunDetail | None:
    """The run, its chunks, its calls' outcomes (ledger entries carrying ``issue``, read within the
    run's own time span on the time index) and the mismatches it flagged."""
    at = at or datetime.now(UTC)
    e = LedgerEntryRow
    with engine.connect() as connection:
        row = connection.execute(select(*RUN_COLUMNS).where(SyncRun.id == run_id)).first()
        if row is None:
            return None
        (run,) = _with_state(connection, [row], at)
        chunks = list(
            connection.execute(
                select(SyncChunk).where(SyncChunk.run_id == run_id).order_by(SyncChunk.chunk_no)
            )
        )
        first = int(_aware(row.started_at).timestamp() * 1000) - 60_000
        last = int(_aware(row.finished_at or at).timestamp() * 1000) + 60_000
        outcomes = connection.execute(
            select(e.outcome, func.count())
            .where(
                e.time_ms >= first, e.time_ms <= last, e.direction == Direction.OUT.value, e.issue == issue
            )
            .group_by(e.outcome)
        ).all()
        flags = connection.execute(
            select(Mismatch.field, Mismatch.status, func.count())
            .where(Mismatch.run_id == run_id)
            .group_by(Mismatch.field, Mismatch.status)
            .order_by(Mismatch.field, Mismatch.status)
        ).all()
    faults = sorted(((o, n) for o, n in outcomes if o != OK), key=lambda item: (-item[1], item[0]))
    return RunDetail(
        run=run,
        chunks=list(chunks),
        calls=sum(n for _, n in outcomes),
        faults=faults,
        flags=[(f, str(s), n) for f, s, n in flags],
    )


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
    Mismatch.status_at,
)
CLOSED = tuple(status for status in MismatchStatus if status not in OPEN)
QUEUE_SORTS = ("oldest", "newest", "field", "name")


def view_statuses(history: bool) -> tuple[MismatchStatus, ...]:
    """The statuses a queue view lists: the decided ones for the history, else those to decide."""
    return CLOSED if history else OPEN


@dataclass(frozen=True)
class QueueFilter:
    """What a clerk narrows the queue to.  ``history``: the decided mismatches (newest decision
    first) instead of those still to decide; the other fields are exact codes or a minimum age."""

    history: bool = False
    field: str | None = None
    source: str | None = None
    status: str | None = None
    older_than_days: int | None = None
    sort: str = "oldest"


def queue(
    engine: Engine,
    lsg_id: int,
    wanted: QueueFilter = QueueFilter(),
    limit: int = 200,
    now: datetime | None = None,
) -> list[Any]:
    """The mismatches of one LSG body's people that ``wanted`` asks for: by default those still to
    decide (open and in review), oldest first."""
    statuses = view_statuses(wanted.history)
    if wanted.status is not None:
        statuses = tuple(status for status in statuses if status == wanted.status)
    query = (
        select(*MISMATCH_COLUMNS)
        .join(Person, Person.id == Mismatch.person_id)
        .where(Person.lsg_id == lsg_id, Mismatch.status.in_(statuses))
    )
    if wanted.field is not None:
        query = query.where(Mismatch.field == wanted.field)
    if wanted.source is not None:
        query = query.where(Mismatch.source == wanted.source)
    if wanted.older_than_days:
        cutoff = (now or datetime.now(UTC)) - timedelta(days=wanted.older_than_days)
        query = query.where(Mismatch.detected_at < cutoff)
    order = {
        "oldest": (Mismatch.detected_at, Mismatch.id),
        "newest": (Mismatch.detected_at.desc(), Mismatch.id.desc()),
        "field": (Mismatch.field, Mismatch.detected_at, Mismatch.id),
        "name": (Person.surname, Person.given_name, Mismatch.id),
    }[wanted.sort if wanted.sort in QUEUE_SORTS else "oldest"]
    if wanted.history and wanted.sort == "oldest":
        order = (Mismatch.status_at.desc(), Mismatch.id.desc())  # the latest decisions first
    with engine.connect() as connection:
        return list(connection.execute(query.order_by(*order).limit(limit)))


def queue_fields(engine: Engine, lsg_id: int) -> list[str]:
    """The fields this LSG body's mismatches concern, for the queue's field filter."""
    with engine.connect() as connection:
        return sorted(
            connection.execute(
                select(Mismatch.field)
                .join(Person, Person.id == Mismatch.person_id)
                .where(Person.lsg_id == lsg_id)
                .distinct()
            ).scalars()
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


def place_names(engine: Engine, codes: list[str], language: str) -> dict[str, str]:
    """Each known СОАТЕ code as the place it names, from the unit up to its region ("Бел-Кайың,
    Молдо Кылыч, Ак-Талаа району"), in ``language`` (ky, ru; en where the classifier has it, else
    ru); unknown codes are left out.  A clerk reads places, not 14 digits."""
    names: dict[str, tuple[str, str | None]] = {}
    wanted = {code for code in codes if code}
    with engine.connect() as connection:
        while wanted - names.keys():
            rows = connection.execute(
                select(
                    AteUnit.soate_code, AteUnit.name_ky, AteUnit.name_ru, AteUnit.name_en, AteUnit.parent_code
                ).where(AteUnit.soate_code.in_(wanted - names.keys()))
            ).all()
            if not rows:
                break
            for code, ky, ru, en, parent in rows:
                names[code] = ({"ky": ky, "ru": ru}.get(language) or en or ru, parent)
                if parent:
                    wanted.add(parent)
    result = {}
    for code in codes:
        chain: list[str] = []
        at = code
        while at in names and len(chain) < 6:
            name, parent = names[at]
            chain.append(name)
            at = parent or ""
        if chain:
            result[code] = ", ".join(chain[:-1] if len(chain) > 2 else chain)  # the country is implied
    return result
