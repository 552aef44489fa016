"""A ledger entry and its canonical bytes.

The tree commits to bytes, not objects, so every entry is serialised once, deterministically, and
those exact bytes are stored beside the queryable columns.  Canonical form (schema ``v`` 1): a JSON
object with keys sorted, no whitespace, every non-ASCII character escaped (``\\uXXXX``), integers
and strings and null only (no floats: durations and times are integer milliseconds).  The entry
carries its own sequence number and the previous entry's hash, so the leaf hash
``H(0x00 || bytes)`` is at once the hash chain link and the RFC 9162 Merkle leaf.

Data subjects appear only as keyed hashes (HMAC-SHA-256 of the PIN under the ledger's PIN key) and
as one AES-GCM sealed list an auditor holding the key can open: the ledger leaks no PIN by itself,
yet an auditor can search by PIN.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


class Direction(StrEnum):
    IN = "in"  # a client called the hub (producer)
    OUT = "out"  # the hub called a registry (consumer)
    INTERNAL = "internal"  # a person viewed data in the console


class Channel(StrEnum):
    SOAP = "soap"
    REST = "rest"
    SYNC = "sync"
    CONSOLE = "console"


OK = "ok"


@dataclass(frozen=True)
class Exchange:
    """What a caller records; the ledger adds sequence, time, hashes and the subjects' protection."""

    direction: Direction
    channel: Channel
    service_id: str
    outcome: str = OK  # "ok" or the fault code
    message_id: str | None = None
    client_id: str | None = None
    user_id: str | None = None
    issue: str | None = None
    represented_party: str | None = None
    agreement_id: str | None = None
    subjects: tuple[str, ...] = ()  # PINs; stored only as keyed hashes and a sealed list
    request_sha256: str | None = None
    request_bytes: int | None = None
    response_sha256: str | None = None
    response_bytes: int | None = None
    duration_ms: int | None = None
    time_ms: int | None = None  # default: now, taken by the ledger


@dataclass(frozen=True)
class Entry:
    """An entry as stored: everything the canonical bytes hold."""

    seq: int
    time_ms: int
    direction: str
    channel: str
    service_id: str
    outcome: str
    message_id: str | None
    client_id: str | None
    user_id: str | None
    issue: str | None
    represented_party: str | None
    agreement_id: str | None
    subject_hashes: tuple[str, ...]
    subjects_sealed: str | None
    request_sha256: str | None
    request_bytes: int | None
    response_sha256: str | None
    response_bytes: int | None
    duration_ms: int | None
    prev_hash: str
    extra: dict[str, Any] = field(default_factory=dict)

    def canonical(self) -> bytes:
        """The exact bytes that are hashed (see the module docstring)."""
        document: dict[str, Any] = {
            "v": SCHEMA_VERSION,
            "seq": self.seq,
            "t": self.time_ms,
            "dir": self.direction,
            "ch": self.channel,
            "svc": self.service_id,
            "out": self.outcome,
            "mid": self.message_id,
            "cli": self.client_id,
            "uid": self.user_id,
            "iss": self.issue,
            "rep": self.represented_party,
            "agr": self.agreement_id,
            "sub": list(self.subject_hashes),
            "sea": self.subjects_sealed,
            "rqh": self.request_sha256,
            "rqn": self.request_bytes,
            "rsh": self.response_sha256,
            "rsn": self.response_bytes,
            "dur": self.duration_ms,
            "prev": self.prev_hash,
        }
        return canonical_json(document)

    @classmethod
    def from_canonical(cls, data: bytes) -> Entry:
        """Parse canonical bytes back (for offline verification of exported bundles)."""
        doc = json.loads(data)
        if doc.get("v") != SCHEMA_VERSION:
            raise ValueError(f"unknown ledger entry schema {doc.get('v')!r}")
        return cls(
            seq=doc["seq"],
            time_ms=doc["t"],
            direction=doc["dir"],
            channel=doc["ch"],
            service_id=doc["svc"],
            outcome=doc["out"],
            message_id=doc["mid"],
            client_id=doc["cli"],
            user_id=doc["uid"],
            issue=doc["iss"],
            represented_party=doc["rep"],
            agreement_id=doc["agr"],
            subject_hashes=tuple(doc["sub"]),
            subjects_sealed=doc["sea"],
            request_sha256=doc["rqh"],
            request_bytes=doc["rqn"],
            response_sha256=doc["rsh"],
            response_bytes=doc["rsn"],
            duration_ms=doc["dur"],
            prev_hash=doc["prev"],
        )


def canonical_json(document: dict[str, Any]) -> bytes:
    """Sorted keys, no whitespace, ASCII only; floats refused (their text form is not canonical)."""
    for value in document.values():
        if isinstance(value, float):
            raise ValueError("floats are not allowed in canonical ledger entries")
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
