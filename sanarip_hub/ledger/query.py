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
from typing import TYPE_CHECKING

from sanarip_hub.domain.exchange import OK, UNAUTHORIZED
from sanarip_hub.ledger.keys import PinKey
from sanarip_hub.ledger.note import Verifier
from sanarip_hub.storage.ledger_rows import Filter, LedgerRows, Usage

if TYPE_CHECKING:  # handed to storage
    from sqlalchemy import Engine

__all__ = [
    "Filter",
    "MessageMatch",
    "SubjectUsage",
    "Usage",
    "archived_ranges",
    "match_message",
    "search",
    "search_archived",
    "usage_by_pin",
]


def search(
    engine: Engine, pin_key: PinKey | None, where: Filter, limit: int = 100, before_seq: int | None = None
) -> list[Usage]:
    """Entries matching ``where``, newest first (at most ``limit``; continue with ``before_seq``)."""
    hashes: list[str] | None = None
    if where.pin is not None:
        if pin_key is None:
            raise ValueError("searching by PIN needs the ledger's PIN key")
        hashes = pin_key.pin_hashes(where.pin)  # under every PIN key the ledger has used
    return LedgerRows(engine).search(hashes, where, UNAUTHORIZED, OK, limit, before_seq)


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
        return LedgerRows(self.engine).console_roles(usernames)


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
    found: list[MessageMatch] = []
    rows = LedgerRows(engine)
    for row in rows.with_digests(digests):
        part = "request" if row.request_digest in digests else "response"
        found.append(MessageMatch(row.seq, part, row.time_ms, row.client_id, row.service_id, "ledger"))
    segments = rows.segments()
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
    return LedgerRows(engine).archived_range()


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
    for segment in LedgerRows(engine).segments():
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
