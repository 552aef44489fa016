"""Questions auditors, data subjects and the console ask of the ledger.

* by data subject: who received this person's data, when, through which service, why (``issue``)
  and under which agreement (the Data Tracker view; the ``findUsage`` service will call it);
* by client subsystem or by agreement;
* denied and malformed attempts (any outcome other than ``ok``);
* by time range;
* by message: which entry recorded these exact request or response bytes (only with the key).

All filters combine; results come newest first with keyset pagination on the sequence number
(``before_seq``), which stays fast however deep the ledger is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, or_, select

from sanarip_hub.domain.exchange import OK, UNAUTHORIZED
from sanarip_hub.ledger.keys import PinKey
from sanarip_hub.ledger.note import Verifier
from sanarip_hub.storage.models import LedgerArchive, LedgerEntryRow, LedgerSubject


@dataclass(frozen=True)
class Usage:
    """One ledger entry as the query results show it."""

    seq: int
    time_ms: int
    direction: str
    channel: str
    client_id: str | None
    service_id: str
    user_id: str | None
    issue: str | None
    agreement_id: str | None
    outcome: str
    message_id: str | None


@dataclass(frozen=True)
class Filter:
    pin: str | None = None
    client_id: str | None = None
    agreement_id: str | None = None
    failed_only: bool = False  # denied and malformed attempts
    unauthorized_only: bool = False  # unauthorized attempts only (clause 15.2): ledger.entry.UNAUTHORIZED
    since_ms: int | None = None
    until_ms: int | None = None  # exclusive


def search(
    engine: Engine, pin_key: PinKey | None, where: Filter, limit: int = 100, before_seq: int | None = None
) -> list[Usage]:
    """Entries matching ``where``, newest first (at most ``limit``; continue with ``before_seq``)."""
    e = LedgerEntryRow
    query = select(
        e.seq,
        e.time_ms,
        e.direction,
        e.channel,
        e.client_id,
        e.service_id,
        e.user_id,
        e.issue,
        e.agreement_id,
        e.outcome,
        e.message_id,
    )
    if where.pin is not None:
        if pin_key is None:
            raise ValueError("searching by PIN needs the ledger's PIN key")
        query = query.join(LedgerSubject, LedgerSubject.seq == e.seq).where(
            LedgerSubject.pin_hash.in_(pin_key.pin_hashes(where.pin))
        )
    if where.client_id is not None:
        query = query.where(e.client_id == where.client_id)
    if where.agreement_id is not None:
        query = query.where(e.agreement_id == where.agreement_id)
    if where.failed_only:
        query = query.where(e.outcome != OK)
    if where.unauthorized_only:
        query = query.where(e.outcome.in_(sorted(UNAUTHORIZED)))
    if where.since_ms is not None:
        query = query.where(e.time_ms >= where.since_ms)
    if where.until_ms is not None:
        query = query.where(e.time_ms < where.until_ms)
    if before_seq is not None:
        query = query.where(e.seq < before_seq)
    query = query.order_by(e.seq.desc()).limit(limit)
    with engine.connect() as connection:
        return [Usage(*row) for row in connection.execute(query)]


def usage_by_pin(engine: Engine, pin_key: PinKey, pin: str, limit: int = 100) -> list[Usage]:
    """The data-subject report: every entry that concerned ``pin``, newest first."""
    return search(engine, pin_key, Filter(pin=pin), limit)


class SubjectUsage:
    """What the usage report reads (:class:`sanarip_hub.producer.usage_report.UsageSource`): the
    entries about a person, and the roles of the console accounts among them."""

    def __init__(self, engine: Engine, pin_key: PinKey) -> None:
        self.engine = engine
        self.pin_key = pin_key

    def usages(self, pin: str, limit: int) -> list[Usage]:
        return usage_by_pin(self.engine, self.pin_key, pin, limit)

    def console_roles(self, usernames: set[str]) -> dict[str, str]:
        from sanarip_hub.storage.models import ConsoleUser

        if not usernames:
            return {}
        with self.engine.connect() as connection:
            found = connection.execute(
                select(ConsoleUser.username, ConsoleUser.role).where(ConsoleUser.username.in_(usernames))
            )
            return {name: role for name, role in found}


@dataclass(frozen=True)
class MessageMatch:
    """A ledger entry that recorded a given message, as its request or its response."""

    seq: int
    part: str  # "request" or "response"
    time_ms: int
    client_id: str | None
    service_id: str
    place: str  # "ledger" or "archive segment N"


def match_message(
    engine: Engine, pin_key: PinKey, message: bytes, archive_dir: Path, verifier: Verifier, origin: str
) -> list[MessageMatch]:
    """Entries whose keyed request or response digest is that of ``message`` (exact bytes), in the
    live ledger and in the archive segments (each checked against its signed note first).

    Digests are keyed, so this is the only way to tie a message to its entry: a stolen database,
    bundle or archive, without the key, gives nothing to compare a guessed message with."""
    from sanarip_hub.ledger.archive import read_segment

    digests = pin_key.message_digests(message)
    e = LedgerEntryRow
    found: list[MessageMatch] = []
    with engine.connect() as connection:
        for row in connection.execute(
            select(e.seq, e.time_ms, e.client_id, e.service_id, e.request_digest, e.response_digest)
            .where(or_(e.request_digest.in_(digests), e.response_digest.in_(digests)))
            .order_by(e.seq)
        ):
            part = "request" if row.request_digest in digests else "response"
            found.append(MessageMatch(row.seq, part, row.time_ms, row.client_id, row.service_id, "ledger"))
        segments = list(connection.execute(select(LedgerArchive).order_by(LedgerArchive.segment)))
    previous: str | None = None
    for segment in segments:
        for entry in read_segment(archive_dir, segment, verifier, origin, previous):
            document = json.loads(entry.body)
            for part, key in (("request", "rqh"), ("response", "rsh")):
                if document.get(key) in digests:
                    found.append(
                        MessageMatch(
                            entry.seq,
                            part,
                            document["t"],
                            document.get("cli"),
                            document["svc"],
                            f"archive segment {segment.segment}",
                        )
                    )
        previous = segment.note
    return sorted(found, key=lambda m: m.seq)


def archived_ranges(engine: Engine) -> tuple[int, int] | None:
    """``(first, end)`` of the entries moved into archive segments, or None when none were."""
    with engine.connect() as connection:
        row = connection.execute(
            select(func.min(LedgerArchive.first_seq), func.max(LedgerArchive.end_seq))
        ).one()
    return None if row[0] is None else (int(row[0]), int(row[1]))


def search_archived(
    engine: Engine,
    archive_dir: Path,
    verifiers: list[Verifier],
    origin: str,
    pin_key: PinKey | None,
    where: Filter,
    before_seq: int | None = None,
) -> list[Usage]:
    """The same questions asked of the archive segments (each checked against its signed note
    first), newest first.  Archived entries are evidence, not working data: this reads every
    segment, so it is for the auditor who asks for it (``--archived``)."""
    from sanarip_hub.ledger.archive import read_segment

    wanted = set(pin_key.pin_hashes(where.pin)) if where.pin is not None and pin_key is not None else None
    if where.pin is not None and wanted is None:
        raise ValueError("searching by PIN needs the ledger's PIN key")
    found: list[Usage] = []
    previous: str | None = None
    with engine.connect() as connection:
        segments = list(connection.execute(select(LedgerArchive).order_by(LedgerArchive.segment)))
    for segment in segments:
        for entry in read_segment(archive_dir, segment, verifiers, origin, previous):
            d = json.loads(entry.body)
            if before_seq is not None and entry.seq >= before_seq:
                continue
            if wanted is not None and not wanted & set(d.get("sub") or []):
                continue
            if where.client_id is not None and d.get("cli") != where.client_id:
                continue
            if where.agreement_id is not None and d.get("agr") != where.agreement_id:
                continue
            if where.failed_only and d.get("out") == OK:
                continue
            if where.unauthorized_only and d.get("out") not in UNAUTHORIZED:
                continue
            if where.since_ms is not None and d["t"] < where.since_ms:
                continue
            if where.until_ms is not None and d["t"] >= where.until_ms:
                continue
            found.append(
                Usage(
                    entry.seq,
                    d["t"],
                    d["dir"],
                    d["ch"],
                    d.get("cli"),
                    d["svc"],
                    d.get("uid"),
                    d.get("iss"),
                    d.get("agr"),
                    d["out"],
                    d.get("mid"),
                )
            )
        previous = segment.note
    return sorted(found, key=lambda u: u.seq, reverse=True)
