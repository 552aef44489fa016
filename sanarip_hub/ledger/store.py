"""Appending to the ledger and signing checkpoints, safely with many writers on SQLite and PostgreSQL.

Every append batch is one transaction that first locks the head row (``SELECT … FOR UPDATE`` on
PostgreSQL; ``BEGIN IMMEDIATE``, the database write lock, on SQLite), then numbers the entries from
the head's size, links each to the previous hash, inserts them, and moves the head.  Writers
therefore queue instead of forking the chain, and a process killed anywhere in the batch leaves no
trace: the transaction never commits, and nothing was acknowledged.  A caller's entry is
acknowledged only when :meth:`Ledger.append_many` returns, after the commit.

Checkpoints are signed in the same transaction when ``checkpoint_interval`` has passed (the root
comes from the head's Merkle frontier, so it costs O(log n), not a scan).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select, update

from sanarip_hub.ledger.entry import Entry, Exchange
from sanarip_hub.ledger.frontier import Frontier
from sanarip_hub.ledger.keys import LedgerKeys
from sanarip_hub.ledger.merkle import leaf_hash
from sanarip_hub.ledger.note import Checkpoint, sign_checkpoint
from sanarip_hub.storage.models import LedgerCheckpoint, LedgerEntryRow, LedgerHead, LedgerSubject

GENESIS_HASH = bytes(32)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Head:
    size: int
    last_hash: bytes
    frontier: Frontier
    last_checkpoint_ms: int


class Ledger:
    """The append side of the ledger."""

    def __init__(
        self, engine: Engine, keys: LedgerKeys, origin: str, checkpoint_interval_s: int = 300
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.origin = origin
        self.checkpoint_interval_ms = checkpoint_interval_s * 1000
        self._hash_pin = keys.pin_key.hasher()

    @contextmanager
    def _locked(self) -> Iterator[tuple[Connection, Head]]:
        with self.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                query = select(LedgerHead).where(LedgerHead.id == 1)
            else:
                query = select(LedgerHead).where(LedgerHead.id == 1).with_for_update()
            row = connection.execute(query).one()
            head = Head(
                row.size, row.last_hash, Frontier.decode(row.size, row.frontier), row.last_checkpoint_ms
            )
            try:
                yield connection, head
                connection.commit()
            except BaseException:
                connection.rollback()
                raise

    def append(self, exchange: Exchange) -> int:
        """Append one entry; return its sequence number once it is committed."""
        return self.append_many([exchange])[0]

    def append_many(self, exchanges: Sequence[Exchange]) -> list[int]:
        """Append entries in one transaction; return their sequence numbers once committed."""
        if not exchanges:
            return []
        rows: list[dict[str, object]] = []
        subjects: list[dict[str, object]] = []
        with self._locked() as (connection, head):
            stamp = now_ms()
            for exchange in exchanges:
                entry = self._entry(exchange, head.size, head.last_hash, stamp)
                body = entry.canonical()
                digest = leaf_hash(body)
                rows.append(_row(entry, digest, body))
                subjects.extend({"pin_hash": h, "seq": entry.seq} for h in entry.subject_hashes)
                head.frontier.append(digest)
                head.size += 1
                head.last_hash = digest
            connection.execute(insert(LedgerEntryRow), rows)
            if subjects:
                connection.execute(insert(LedgerSubject), subjects)
            values: dict[str, object] = {
                "size": head.size,
                "last_hash": head.last_hash,
                "frontier": head.frontier.encode(),
            }
            if stamp - head.last_checkpoint_ms >= self.checkpoint_interval_ms:
                self._checkpoint(connection, head, stamp)
                values["last_checkpoint_ms"] = stamp
            connection.execute(update(LedgerHead).where(LedgerHead.id == 1).values(**values))
        return list(range(head.size - len(rows), head.size))

    def checkpoint(self) -> Checkpoint | None:
        """Sign a checkpoint of the current tree now (None when the ledger is empty or unchanged)."""
        with self._locked() as (connection, head):
            if head.size == 0:
                return None
            existing = connection.execute(
                select(LedgerCheckpoint.size).where(LedgerCheckpoint.size == head.size)
            ).first()
            if existing is not None:
                return None
            stamp = now_ms()
            checkpoint = self._checkpoint(connection, head, stamp)
            connection.execute(update(LedgerHead).where(LedgerHead.id == 1).values(last_checkpoint_ms=stamp))
            return checkpoint

    def _checkpoint(self, connection: Connection, head: Head, stamp: int) -> Checkpoint:
        checkpoint = Checkpoint(self.origin, head.size, head.frontier.root())
        connection.execute(
            insert(LedgerCheckpoint).prefix_with("OR IGNORE", dialect="sqlite"),
            {
                "size": head.size,
                "time_ms": stamp,
                "root": checkpoint.root,
                "note": sign_checkpoint(checkpoint, self.keys.signer),
            },
        )
        return checkpoint

    def _entry(self, exchange: Exchange, seq: int, prev: bytes, stamp: int) -> Entry:
        pins = sorted(set(exchange.subjects))
        return Entry(
            seq=seq,
            time_ms=exchange.time_ms if exchange.time_ms is not None else stamp,
            direction=exchange.direction.value,
            channel=exchange.channel.value,
            service_id=exchange.service_id,
            outcome=exchange.outcome,
            message_id=exchange.message_id,
            client_id=exchange.client_id,
            user_id=exchange.user_id,
            issue=exchange.issue,
            represented_party=exchange.represented_party,
            agreement_id=exchange.agreement_id,
            subject_hashes=tuple(sorted({self._hash_pin(pin) for pin in pins})),
            subjects_sealed=self.keys.pin_key.seal(pins) if pins else None,
            request_sha256=exchange.request_sha256,
            request_bytes=exchange.request_bytes,
            response_sha256=exchange.response_sha256,
            response_bytes=exchange.response_bytes,
            duration_ms=exchange.duration_ms,
            prev_hash=prev.hex(),
        )


def _row(entry: Entry, digest: bytes, body: bytes) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "time_ms": entry.time_ms,
        "direction": entry.direction,
        "channel": entry.channel,
        "service_id": entry.service_id,
        "outcome": entry.outcome,
        "message_id": entry.message_id,
        "client_id": entry.client_id,
        "user_id": entry.user_id,
        "issue": entry.issue,
        "represented_party": entry.represented_party,
        "agreement_id": entry.agreement_id,
        "subjects_sealed": entry.subjects_sealed,
        "request_sha256": entry.request_sha256,
        "request_bytes": entry.request_bytes,
        "response_sha256": entry.response_sha256,
        "response_bytes": entry.response_bytes,
        "duration_ms": entry.duration_ms,
        "prev_hash": bytes.fromhex(entry.prev_hash),
        "entry_hash": digest,
        "body": body,
    }
