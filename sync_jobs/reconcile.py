"""One reconciliation run: people of the hub against a registry, differences flagged for review.

Resumable and idempotent by construction: people are taken in id order in chunks; after each chunk
one transaction records its flags *and* advances the run's checkpoint, so a run killed at any point
resumes after the last committed chunk, and flags are upserts (one open flag per person, field and
source), so re-checking a person never duplicates one.  Every registry call is a ledger entry.

Calls are asynchronous (up to ``concurrency`` in flight on one event loop), and a chunk is written
(ledger entries, flags, checkpoint — in a worker thread) while the next chunk's calls are made, so
neither the registry's latency nor the database's commits leave the other idle.

The tax job asks only about members of low-income families (an active social passport): a new
business changes their eligibility, and the personal-data law allows no wider query.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from mappings.address_codes import Crosswalk
from mappings.registry import (
    Difference,
    Record,
    compare_civil_registry,
    compare_pin_search,
    compare_tax,
    registry_knows,
)
from sanarip_hub.domain.codes import SyncSource
from sanarip_hub.domain.exchange import OK, Channel, Direction, Exchange, run_issue
from sanarip_hub.domain.records import (
    AsbAddressRecord,
    TpDataByINNforBusinessActivityRecord,
    ZagsDataByPinRecord,
    ZagsPinsByNSPDateRecord,
)
from sanarip_hub.errors import ConsumerError, RegistryUnavailable
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.log import get_logger

log = get_logger("sanarip_hub.sync")
USER_ID = "sanarip-hub-reconciliation"


@dataclass
class Outcome:
    person_id: int
    pin: str | None  # None: a person the register has no PIN for
    differences: list[Difference] = field(default_factory=list)
    failed: str | None = None
    refusal: str | None = None  # the registry's own business error (faultstring), an answer
    unavailable: RegistryUnavailable | None = None  # the registry is down: the run must stop
    compared: frozenset[str] = frozenset()  # the fields this check really compared
    exchanges: list[Exchange] = field(default_factory=list)


@dataclass
class RunReport:
    run_id: int
    resumed: bool
    checked: int
    matched: int
    mismatched: int
    failed: int
    new_flags: int
    duration_ms: int
    withdrawn: int = 0  # open flags closed because the registry now agrees
    person_limit: int | None = None  # the run's own limit (a resumed run keeps it, whatever was asked)


class CallTrace(Protocol):
    """One attempt of a registry call as its ledger entry records it."""

    message_id: str
    started_ms: int
    request: bytes | None
    response: bytes | None


class RegistryAnswer(Protocol):
    """A registry's answer: its record, and the attempt that got it."""

    @property
    def body(self) -> Record: ...

    @property
    def trace(self) -> CallTrace | None: ...


class RegistryFeed(Protocol):
    """One registry service as the reconciliation calls it (:mod:`adapters.xroad.consumer`; in unit
    tests, the same consumer over an in-process transport to the simulator)."""

    @property
    def service(self) -> object: ...

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def call(self, *, user_id: str, issue: str, **params: Any) -> RegistryAnswer: ...


def outgoing_exchange(
    service_id: str,
    trace: CallTrace | None,
    outcome: str,
    channel: Channel,
    *,
    client_id: str,
    user_id: str,
    issue: str,
    subjects: tuple[str, ...],
    started: float,
    digest: Callable[[bytes], str] | None,
) -> Exchange:
    """A call the hub made as a full ledger entry: its own time and message id (a failed call's
    too), the issue, keyed digests and sizes of what was sent and received."""
    request = trace.request if trace is not None else None
    response = trace.response if trace is not None else None
    return Exchange(
        Direction.OUT,
        channel,
        service_id=service_id,
        outcome=outcome,
        message_id=trace.message_id if trace is not None else None,
        client_id=client_id,
        user_id=user_id,
        issue=issue,
        subjects=subjects,
        request_digest=digest(request) if digest is not None and request is not None else None,
        request_bytes=len(request) if request is not None else None,
        response_digest=digest(response) if digest is not None and response is not None else None,
        response_bytes=len(response) if response is not None else None,
        duration_ms=int((time.perf_counter() - started) * 1000),
        time_ms=trace.started_ms if trace is not None else None,
    )


class Checker:
    """Calls the registry services of one source for one person and compares."""

    def __init__(
        self,
        source: SyncSource,
        consumers: Mapping[str, RegistryFeed],
        client_id: str,
        crosswalk: Crosswalk | None = None,
    ) -> None:
        self.source = source
        self.consumers = consumers
        self.client_id = client_id
        # the address bureau's codes as СОАТЕ; without it the bureau is not asked at all (its
        # answer could not be compared, and personal data is not fetched for nothing)
        self.crosswalk = crosswalk
        self.digest: Callable[[bytes], str] | None = None  # the ledger's keyed message digest

    async def open(self) -> None:
        for consumer in self.consumers.values():
            await consumer.open()

    async def close(self) -> None:
        for consumer in self.consumers.values():
            await consumer.close()

    async def _call(self, service: str, outcome: Outcome, issue: str, /, **params: Any) -> Record:
        consumer = self.consumers[service]
        started = time.perf_counter()
        try:
            answer = await consumer.call(user_id=USER_ID, issue=issue, **params)
        except ConsumerError as error:
            outcome.exchanges.append(
                self._exchange(consumer, error.trace, error.fault_code, outcome.pin, issue, started)
            )
            raise
        outcome.exchanges.append(self._exchange(consumer, answer.trace, OK, outcome.pin, issue, started))
        return answer.body

    def _exchange(
        self,
        consumer: RegistryFeed,
        trace: CallTrace | None,
        outcome: str,
        pin: str | None,
        issue: str,
        started: float,
    ) -> Exchange:
        """A registry call as a full entry (:func:`outgoing_exchange`) of the run."""
        return outgoing_exchange(
            str(consumer.service), trace, outcome, Channel.SYNC, client_id=self.client_id, user_id=USER_ID,
            issue=issue, subjects=(pin,) if pin is not None else (), started=started, digest=self.digest,
        )  # fmt: skip

    @staticmethod
    def _refused(answer: ZagsDataByPinRecord | ZagsPinsByNSPDateRecord, outcome: Outcome) -> bool:
        """A business error in the body (``faultcode``/``faultstring``) is the registry's answer:
        the person counts as not checked, the call's ledger entry carries the registry's code."""
        refused = answer.get("faultcode")
        if not refused:
            return False
        outcome.exchanges[-1] = replace(outcome.exchanges[-1], outcome=refused)
        outcome.failed, outcome.refusal = refused, answer.get("faultstring") or refused
        return True

    async def check(self, person: Any, issue: str) -> Outcome:
        outcome = Outcome(person.id, person.pin)
        try:
            # each consumer reads its service's reply by the contract the record types are
            # generated from (tests/test_records.py holds the readings to the types)
            if self.source is SyncSource.CIVIL_REGISTRY and person.pin is None:
                search = cast(
                    ZagsPinsByNSPDateRecord,
                    await self._call(
                        "pin_search", outcome, issue, name=person.given_name, surname=person.surname,
                        patronymic=person.patronymic, birthdate=person.birth_date,
                    ),
                )  # fmt: skip
                if self._refused(search, outcome):
                    return outcome
                outcome.differences, outcome.compared = compare_pin_search(search)
            elif self.source is SyncSource.CIVIL_REGISTRY:
                zags = cast(
                    ZagsDataByPinRecord, await self._call("civil_registry", outcome, issue, pin=person.pin)
                )
                if self._refused(zags, outcome):  # the registry's answer, not "PIN unknown"
                    return outcome
                asb = None
                if registry_knows(zags) and self.crosswalk is not None:
                    asb = cast(
                        AsbAddressRecord, await self._call("address_bureau", outcome, issue, pin=person.pin)
                    )
                outcome.differences, outcome.compared = compare_civil_registry(
                    person, zags, asb, self.crosswalk
                )
            else:
                gns = cast(
                    TpDataByINNforBusinessActivityRecord,
                    await self._call("tax", outcome, issue, inn=person.pin),
                )
                outcome.differences, outcome.compared = compare_tax(person, gns)
        except RegistryUnavailable as error:
            outcome.failed, outcome.unavailable = error.fault_code, error
        except ConsumerError as error:
            outcome.failed = error.fault_code
        return outcome


@dataclass(frozen=True)
class Flag:
    """A difference to flag for one person, with the call that found it."""

    person_id: int
    difference: Difference
    message_id: str | None


class RunStore(Protocol):
    """Where runs, their chunks and their flags are kept (``storage.sync_runs.SyncRunTable``)."""

    def start(
        self, source: SyncSource, lsg_id: int | None, limit: int | None, at: datetime, chunk: int = 250,
        low_income_only: bool = False,
    ) -> tuple[Any, bool]: ...  # fmt: skip

    def claim(self, run_id: int, at: datetime) -> Any: ...

    def people(self, claim: Any, lsg_id: int | None, chunk: int, low_income_only: bool) -> list[Any]: ...

    def release(self, claim: Any) -> None: ...

    def commit_chunk(
        self,
        claim: Any,
        source: SyncSource,
        flags: list[Flag],
        compared: dict[int, tuple[frozenset[str], frozenset[str]]],
        counts: dict[str, int],
        at: datetime,
    ) -> tuple[int, int]: ...

    def finish(self, run_id: int, duration_ms: int, at: datetime) -> bool: ...

    def totals(self, run_id: int) -> Any: ...


def run_sync(
    runs: RunStore,
    ledger: Ledger,
    checker: Checker,
    *,
    lsg_id: int | None = None,
    limit: int | None = None,
    concurrency: int = 8,
    chunk: int = 250,
    progress: Callable[[int], None] | None = None,
) -> RunReport:
    """Run (or resume) one reconciliation of ``checker.source``; returns the run's report."""
    return asyncio.run(
        _run(runs, ledger, checker, lsg_id=lsg_id, limit=limit, concurrency=concurrency, chunk=chunk,
             progress=progress)
    )  # fmt: skip


async def _run(
    runs: RunStore,
    ledger: Ledger,
    checker: Checker,
    *,
    lsg_id: int | None,
    limit: int | None,
    concurrency: int,
    chunk: int,
    progress: Callable[[int], None] | None,
) -> RunReport:
    """Work the run's chunks until none is left: claim one, check its people, and while they are
    written (ledger entries, flags, counts, the chunk done — in a worker thread) claim and check
    the next.  Other processes may work the same run at the same time; each chunk is claimed by one.
    """
    started = time.perf_counter()
    checker.digest = ledger.keys.pin_key.message_digest  # entries keep keyed digests of the calls
    tax = checker.source is SyncSource.TAX
    run, resumed = runs.start(checker.source, lsg_id, limit, datetime.now(UTC), chunk, tax)
    issue = run_issue(run.id)
    if resumed and limit is not None and limit != run.person_limit:
        log.warning(  # said before the run goes on, not after: the operator may want to stop it
            "sync.limit_ignored",
            run_id=run.id,
            reason="an unfinished run is resumed with the limit it started with",
            asked=limit,
            kept=run.person_limit,
        )
    flagged, withdrawn = [0], [0]
    gate = asyncio.Semaphore(concurrency)

    async def check(person: Any) -> Outcome:
        async with gate:
            return await checker.check(person, issue)

    def write(claim: Any, people: list[Any], outcomes: list[Outcome]) -> None:
        """One chunk's ledger entries, flags and counts, and the chunk done (in a worker thread).

        Every call made is ledgered; if the registry went down during the chunk, nothing else is
        written and the chunk is given back: the run stays unfinished and redoes it when resumed.
        """
        ledger.append_many([e for o in outcomes for e in o.exchanges])
        down = next((o.unavailable for o in outcomes if o.unavailable is not None), None)
        if down is not None:
            runs.release(claim)
            log.error("sync.registry_unavailable", run_id=run.id, chunk=claim.chunk_no, error=str(down))
            raise RegistryUnavailable(
                f"{down}; run {run.id} stopped at its checkpoint — `sanarip-hub sync run "
                f"{checker.source.value}` resumes it",
                fault_code=down.fault_code,
                retryable=False,
            )
        counts = {"checked": 0, "matched": 0, "mismatched": 0, "failed": 0}
        flags: list[Flag] = []
        for outcome in outcomes:
            if outcome.failed:
                counts["failed"] += 1
                if outcome.refusal is not None:
                    log.warning(
                        "sync.registry_refused",
                        person_id=outcome.person_id,
                        faultcode=outcome.failed,
                        faultstring=outcome.refusal,
                    )
                else:
                    log.warning("sync.person_failed", person_id=outcome.person_id, fault=outcome.failed)
                continue
            counts["checked"] += 1
            counts["mismatched" if outcome.differences else "matched"] += 1
            message_id = next((e.message_id for e in outcome.exchanges if e.message_id), None)
            flags += [Flag(outcome.person_id, difference, message_id) for difference in outcome.differences]
        compared = {
            o.person_id: (o.compared, frozenset(d.field for d in o.differences))
            for o in outcomes
            if not o.failed
        }
        try:
            new, closed = runs.commit_chunk(claim, checker.source, flags, compared, counts, datetime.now(UTC))
        except BaseException:
            runs.release(claim)
            raise
        flagged[0] += new
        withdrawn[0] += closed
        if progress is not None:
            progress(len(people))

    writing: asyncio.Future[None] | None = None
    held: list[Any] = []  # claims checked but not yet written (given back if this process stops)
    await checker.open()
    try:
        while True:
            claim = await asyncio.to_thread(runs.claim, run.id, datetime.now(UTC))
            if claim is None:
                break
            held.append(claim)
            people = await asyncio.to_thread(runs.people, claim, lsg_id, chunk, tax)
            outcomes = list(await asyncio.gather(*(check(p) for p in people)))
            if writing is not None:
                previous, writing = writing, None
                try:
                    await previous
                except RegistryUnavailable:  # this chunk's calls were made: ledger them, then stop
                    await asyncio.to_thread(ledger.append_many, [e for o in outcomes for e in o.exchanges])
                    raise
                held.pop(0)
            writing = asyncio.ensure_future(asyncio.to_thread(write, claim, people, outcomes))
        if writing is not None:
            previous, writing = writing, None
            await previous
            held.pop(0)
    finally:
        if writing is not None:
            with contextlib.suppress(Exception):  # the error that stopped the run is the one raised
                await writing  # the chunk in flight when a call went wrong
        for claim in held:
            await asyncio.to_thread(runs.release, claim)
        await checker.close()
    duration_ms = int((time.perf_counter() - started) * 1000)
    runs.finish(run.id, duration_ms, datetime.now(UTC))
    totals = runs.totals(run.id)
    report = RunReport(
        run.id,
        resumed,
        checked=totals.checked,
        matched=totals.matched,
        mismatched=totals.mismatched,
        failed=totals.failed,
        new_flags=flagged[0],
        duration_ms=duration_ms,
        withdrawn=withdrawn[0],
        person_limit=run.person_limit,
    )
    log.info("sync.run", source=checker.source.value, **report.__dict__)
    return report
