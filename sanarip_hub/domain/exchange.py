"""A ledger entry and its canonical bytes.

The tree commits to bytes, not objects, so every entry is serialised once, deterministically, and
those exact bytes are stored beside the queryable columns.  Canonical form (schema ``v`` 1): a JSON
object with keys sorted, no whitespace, every non-ASCII character escaped (``\\uXXXX``), integers
and strings and null only (no floats: durations and times are integer milliseconds).  The entry
carries its own sequence number and the previous entry's hash, so the leaf hash
``H(0x00 || bytes)`` is at once the hash chain link and the RFC 9162 Merkle leaf.

Data subjects appear only as keyed hashes (HMAC-SHA-256 of the PIN under the ledger's PIN key) and
as one AES-GCM sealed list an auditor holding the key can open: the ledger leaks no PIN by itself,
yet an auditor can search by PIN.  The digests of request and response (``rqh``, ``rsh``) are keyed
too (schema 2; schema 1 entries, written before, kept plain SHA-256 digests).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

SCHEMA_VERSION = 2  # 2: request and response digests are keyed (HMAC-SHA-256)


class Direction(StrEnum):
    IN = "in"  # a client called the hub (producer)
    OUT = "out"  # the hub called a registry (consumer)
    INTERNAL = "internal"  # a person viewed data in the console


class Channel(StrEnum):
    SOAP = "soap"
    REST = "rest"
    SYNC = "sync"
    CONSOLE = "console"
    OPERATOR = "operator"  # a call an operator made by hand (`sanarip-hub xroad call`)


OK = "ok"
# Outcomes that are unauthorized attempts (regulation clause 15.2: the owner may demand them):
# X-Road calls no agreement allows, and refusals at the console's door.
UNAUTHORIZED = frozenset(
    {
        "Client.AccessDenied",
        "Console.SignInFailed",
        "Console.SecondFactorFailed",
        "Console.LockedOut",
        "Console.AccountLocked",
        "Console.AccountDisabled",
        "Console.AddressThrottled",
        "Console.Forbidden",
        "Console.CsrfRefused",
    }
)


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
    request_digest: str | None = None  # keyed: PinKey.message_digest of the exact bytes
    request_bytes: int | None = None
    response_digest: str | None = None
    response_bytes: int | None = None
    duration_ms: int | None = None
    time_ms: int | None = None  # default: now, taken by the ledger


# Canonical key of each stored column (the JSON stays short; verification maps them back).
KEYS: dict[str, str] = {
    "time_ms": "t", "direction": "dir", "channel": "ch", "service_id": "svc", "outcome": "out",
    "message_id": "mid", "client_id": "cli", "user_id": "uid", "issue": "iss", "represented_party": "rep",
    "agreement_id": "agr", "subjects_sealed": "sea", "request_digest": "rqh", "request_bytes": "rqn",
    "response_digest": "rsh", "response_bytes": "rsn", "duration_ms": "dur",
}  # fmt: skip


_PREV_SLOT = ',"prev":"",'
_SEQ_SLOT = ',"seq":0,'


@dataclass(frozen=True)
class Template:
    """The canonical bytes of an entry before its sequence number and previous hash are known.

    Everything else is serialised outside the ledger's lock; inside it only two values are spliced
    in at the places key sorting puts them (``prev`` between ``out`` and ``rep``, ``seq`` between
    ``sea`` and ``sub``), so writers hold the lock for microseconds, not for a JSON encoding.
    """

    head: str
    middle: str
    tail: str

    @classmethod
    def of(cls, document: dict[str, Any]) -> Template:
        """One encoding of the whole entry with empty stand-ins for ``prev`` and ``seq``, cut at them.

        A stand-in is found by its text with the comma and quotes around it (``,"prev":"",``): inside
        a string every quote is escaped, so that text occurs only where key sorting put the key.
        """
        if "seq" in document or "prev" in document:
            raise ValueError("a template leaves seq and prev open")
        text = canonical_json({**document, "prev": "", "seq": 0}).decode("ascii")
        head, found_prev, rest = text[1:-1].partition(_PREV_SLOT)
        middle, found_seq, tail = rest.partition(_SEQ_SLOT)
        if not (found_prev and found_seq and head and middle and tail):
            raise ValueError("the entry schema must have keys on every side of prev and seq")
        return cls(head, middle, tail)

    def render(self, seq: int, prev_hex: str) -> bytes:
        return f'{{{self.head},"prev":"{prev_hex}",{self.middle},"seq":{seq},{self.tail}}}'.encode("ascii")


def entry_document(values: dict[str, Any], subject_hashes: list[str]) -> dict[str, Any]:
    """The canonical document of an entry (without seq and prev) from its column values."""
    document = {key: values[column] for column, key in KEYS.items()}
    document["sub"] = subject_hashes
    document["v"] = SCHEMA_VERSION
    return document


# One encoder for every entry: json.dumps with options builds a new encoder per call (a fifth of an
# entry's encoding time); the output is byte for byte the same.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True)


# orjson writes the same bytes as _CANONICAL for a document of strings, integers, booleans, nulls and
# lists of strings whenever its output is ASCII without DEL (which json escapes as \u007f and orjson
# keeps): tests/domain/test_canonical_json.py compares the two over random documents of every ASCII
# character.  Four times faster (an entry's encoding was a third of the ledger's own work per entry);
# anything else (a subclass, a datetime: exact types only) takes the reference encoder.
def _plain(value: object) -> bool:
    kind = type(value)
    if kind is list:
        return all(type(item) is str for item in value)  # type: ignore[attr-defined]
    return kind is str or kind is int or kind is bool or value is None


def canonical_json(document: dict[str, Any]) -> bytes:
    """Sorted keys, no whitespace, ASCII only; floats refused (their text form is not canonical)."""
    plain = True
    for value in document.values():
        if isinstance(value, float):
            raise ValueError("floats are not allowed in canonical ledger entries")
        plain = plain and _plain(value)
    if plain and all(type(key) is str for key in document):
        try:
            fast = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # an integer beyond 64 bits: the reference encoder's job
            pass
        else:
            if fast.isascii() and b"\x7f" not in fast:
                return fast
    return _CANONICAL.encode(document).encode("ascii")


RUN_ISSUE = "reconciliation-run-"  # the issue of every registry call a reconciliation run makes


def run_issue(run_id: int) -> str:
    """The issue a reconciliation run's calls carry (the registry sees it; the console links it)."""
    return f"{RUN_ISSUE}{run_id}"


def issue_run(issue: str | None) -> int | None:
    """The reconciliation run an entry's issue names, or None."""
    number = (issue or "").removeprefix(RUN_ISSUE)
    return int(number) if issue and issue.startswith(RUN_ISSUE) and number.isdigit() else None
