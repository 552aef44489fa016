"""Appending to the ledger and signing checkpoints, safely with many writers on SQLite and PostgreSQL.

Every append batch is one transaction that first locks the head row (``SELECT … FOR UPDATE`` on
PostgreSQL; ``BEGIN IMMEDIATE``, the database write lock, on SQLite), then numbers the entries from
the head's size, links each to the previous hash, inserts them, and moves the head.  Writers
therefore queue instead of forking the chain, and a process killed anywhere in the batch leaves no
trace: the transaction never commits, and nothing was acknowledged.  A caller's entry is
acknowledged only when :meth:`Ledger.append_many` returns, once the commit is durable (on
PostgreSQL the writer waits for that after letting other writers go on; see
``_append_conditionally``).

Checkpoints are signed in the same transaction when ``checkpoint_interval`` has passed (the root
comes from the head's Merkle frontier, so it costs O(log n), not a scan).  Once that transaction
has committed, the checkpoint goes to the :class:`~sanarip_hub.ledger.publish.CheckpointPublisher`:
the checkpoint log outside the database, then the witnesses.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sanarip_hub.config import Settings
from sanarip_hub.domain.exchange import Exchange, Template, entry_document
from sanarip_hub.ledger.frontier import Frontier
from sanarip_hub.ledger.keys import LedgerKeys, ledger_origin, load_keys
from sanarip_hub.ledger.merkle import leaf_hash
from sanarip_hub.ledger.note import Checkpoint, sign_checkpoint
from sanarip_hub.storage.ledger_rows import COLUMN_LIMITS, Appending, LedgerRows, LockedHead, fixed_arrays

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from sanarip_hub.ledger.publish import CheckpointPublisher, Outcome
    from sanarip_hub.ledger.turn import Baton, HostTurn
    from sanarip_hub.storage.binary_arrays import BinaryArray

GENESIS_HASH = bytes(32)  # the previous hash of entry 0 (migration 0002 seeds the head row with it)
CUT = "…"  # ends a value cut to fit its column
SUBJECT_USER = "(the data subject)"  # a userId that names the entry's own data subject


def fit(value: str | None, limit: int) -> str | None:
    """``value`` cut to ``limit`` characters, the cut marked with an ellipsis.

    What a caller sends is not ours to choose (a 300-character memberCode, a 400-character REST
    path segment), so an entry records a recognisable prefix instead of failing; the message
    itself, whole, is what the entry's keyed digest covers.
    """
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 1] + CUT


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Head:
    size: int
    last_hash: bytes
    frontier: Frontier
    last_checkpoint_ms: int

    def row(self, checkpoint_ms: int) -> LockedHead:
        """The head row this head is written as, with its checkpoint time ``checkpoint_ms``."""
        return LockedHead(self.size, self.last_hash, self.frontier.encode(), checkpoint_ms)


Prepared = tuple[dict[str, Any], list[str], Template]  # an entry's columns, subject hashes, template
CONTENDED_S = 1.0  # once overtaken, a writer queues on the head's lock this long before racing again
Signed = tuple[int, int, bytes, str]  # a checkpoint signed with a batch: size, time, root, note


def _chain(
    prepared: Sequence[Prepared], head: Head
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Number the entries from ``head``, link each to the previous hash, grow the frontier: the
    rows and subject rows to insert (``head`` is moved past them)."""
    rows: list[dict[str, object]] = []
    subjects: list[dict[str, object]] = []
    for values, hashes, template in prepared:
        seq, prev = head.size, head.last_hash
        body = template.render(seq, prev.hex())
        digest = leaf_hash(body)
        rows.append({**values, "seq": seq, "prev_hash": prev, "entry_hash": digest, "body": body})
        subjects.extend({"pin_hash": h, "seq": seq} for h in hashes)
        head.frontier.append(digest)
        head.size += 1
        head.last_hash = digest
    return rows, subjects


class Ledger:
    """The append side of the ledger."""

    def __init__(
        self,
        engine: Engine,
        keys: LedgerKeys,
        origin: str,
        checkpoint_interval_s: int = 300,
        publisher: CheckpointPublisher | None = None,
        turn: HostTurn | None = None,
    ) -> None:
        self.engine = engine
        self.turn = turn  # shared with the other writers of this host (PostgreSQL), see ledger.turn
        self.rows = LedgerRows(engine)
        self.keys = keys
        self.origin = origin
        self.checkpoint_interval_ms = checkpoint_interval_s * 1000
        self.publisher = publisher
        self.last_outcomes: list[Outcome] = []  # the witnesses' answers to the last checkpoint() call
        self._hash_pin = keys.pin_key.hasher()
        self._seen_head: LockedHead | None = None  # the head as this writer last left or found it
        self._contended_until = 0.0  # monotonic time until which this writer queues on the lock

    @classmethod
    def for_settings(cls, engine: Engine, settings: Settings, keys: LedgerKeys | None = None) -> Ledger:
        """The ledger as configured: keys from the key files (unless given), origin and interval,
        the checkpoint log and the witnesses."""
        from sanarip_hub.ledger.checkpoint_log import CheckpointLog
        from sanarip_hub.ledger.publish import CheckpointPublisher
        from sanarip_hub.ledger.turn import host_turn
        from sanarip_hub.ledger.witness import witness_endpoints

        ledger = settings.ledger
        publisher = CheckpointPublisher(
            engine,
            CheckpointLog(settings.home_path(ledger.checkpoint_log)),
            witness_endpoints(ledger.witnesses),
            settings.home_path(ledger.archive_dir),
            ledger.witness_timeout,
        )
        return cls(
            engine,
            keys or load_keys(settings),
            ledger_origin(settings),
            ledger.checkpoint_interval,
            publisher,
            host_turn(settings),
        )

    @contextmanager
    def _locked(self) -> Iterator[tuple[Appending, Head]]:
        with self.rows.appending() as tx:
            stored = tx.head
            head = Head(
                stored.size,
                stored.last_hash,
                Frontier.decode(stored.size, stored.frontier),
                stored.last_checkpoint_ms,
            )
            yield tx, head

    def append(self, exchange: Exchange) -> int:
        """Append one entry; return its sequence number once it is committed."""
        return self.append_many([exchange])[0]

    def append_many(self, exchanges: Sequence[Exchange]) -> list[int]:
        """Append entries in one transaction; return their sequence numbers once committed."""
        if not exchanges:
            return []
        stamp = now_ms()
        prepared = [self._prepare(exchange, stamp) for exchange in exchanges]  # outside the lock
        if self.rows.conditional:
            return self._append_conditionally(prepared, stamp)
        with self._locked() as (connection, head):
            rows, subjects = _chain(prepared, head)
            connection.insert(rows, subjects)
            update_values: dict[str, object] = {
                "size": head.size,
                "last_hash": head.last_hash,
                "frontier": head.frontier.encode(),
            }
            signed: tuple[int, str] | None = None
            if stamp - head.last_checkpoint_ms >= self.checkpoint_interval_ms:
                signed = self._checkpoint(connection, head, stamp)
                update_values["last_checkpoint_ms"] = stamp
            connection.move_head(**update_values)
        if signed is not None and self.publisher is not None:  # committed: now outside the database
            self.publisher.published(*signed)
        return list(range(head.size - len(rows), head.size))

    def _append_conditionally(self, prepared: list[Prepared], stamp: int) -> list[int]:
        """PostgreSQL: in this host's turn (when it has one), from the head the last writer of the
        host left; see :mod:`sanarip_hub.ledger.turn`.

        The turn is held for the numbering and the one statement only: the connection is taken
        before it, and the wait for the commit to reach the disk comes after it.  Two writers that
        held the turn through their flushes appended no faster than one (bench/ledger.py, batches of
        one: 1,111 entries/s against 1,286); now the next writer's statement runs while this one's
        commit is flushed, and their flushes are one.  The batch is acknowledged, and its checkpoint
        published, only once durable; a batch whose durability is unknown (the connection lost while
        waiting) fails, like a commit lost in flight, and is not sent again."""
        fixed = fixed_arrays([values for values, _, _ in prepared])
        with self.rows.appender() as raw:
            with self._host_turn() as baton:
                if baton is not None:
                    self._seen_head = baton.head() or self._seen_head
                rows, checkpoint = self._append_from_seen(prepared, stamp, raw, fixed)
                if baton is not None and self._seen_head is not None:
                    baton.leave(self._seen_head)
            self.rows.made_durable(raw)
        return self._landed(rows, checkpoint)

    def _host_turn(self) -> AbstractContextManager[Baton | None]:
        """This host's turn, held while the block runs; None where there is none (SQLite)."""
        return self.turn.taken() if self.turn is not None else nullcontext()

    def _append_from_seen(
        self, prepared: list[Prepared], stamp: int, raw: object, fixed: dict[str, BinaryArray]
    ) -> tuple[list[dict[str, object]], Signed | None]:
        """PostgreSQL: one round trip numbered from the head this writer last saw; once overtaken,
        queue on the head's lock for :data:`CONTENDED_S`.

        Racing again after a miss made two busy writers overtake each other in turn, so that every
        batch was sent twice (bench/ledger.py: 193 misses in 394 attempts); a writer that has been
        overtaken now waits for the lock, numbers its batch from the head it locked, and sends it
        once.  Alone, a writer never misses and never locks."""
        if time.monotonic() >= self._contended_until:
            seen = self._seen_head or self.rows.current_head()
            new, rows, subjects, checkpoint = self._numbered(prepared, stamp, seen)
            try:
                landed, self._seen_head = self.rows.append_if_head(
                    seen, new, rows, subjects, checkpoint, raw=raw, fixed=fixed
                )
            except BaseException:
                self._seen_head = None  # unknown: read it again next time
                raise
            if landed:
                return rows, checkpoint
            self._contended_until = time.monotonic() + CONTENDED_S
        self._seen_head = None
        with self.rows.appending() as tx:
            new, rows, subjects, checkpoint = self._numbered(prepared, stamp, tx.head)
            tx.append_if_head(new, rows, subjects, checkpoint, fixed)
        self._seen_head = new
        return rows, checkpoint

    def _numbered(
        self, prepared: list[Prepared], stamp: int, seen: LockedHead
    ) -> tuple[LockedHead, list[dict[str, object]], list[dict[str, object]], Signed | None]:
        """The batch chained from ``seen``: the head it leaves, its rows and subject rows, and the
        checkpoint to sign with it when the interval has passed."""
        head = Head(
            seen.size, seen.last_hash, Frontier.decode(seen.size, seen.frontier), seen.last_checkpoint_ms
        )
        rows, subjects = _chain(prepared, head)
        checkpoint: Signed | None = None
        if stamp - head.last_checkpoint_ms >= self.checkpoint_interval_ms:
            root = head.frontier.root()
            note = sign_checkpoint(Checkpoint(self.origin, head.size, root), self.keys.signer)
            checkpoint = (head.size, stamp, root, note)
        return head.row(stamp if checkpoint else seen.last_checkpoint_ms), rows, subjects, checkpoint

    def _landed(self, rows: list[dict[str, object]], checkpoint: Signed | None) -> list[int]:
        """After the commit: publish the checkpoint signed with the batch; the batch's numbers."""
        if checkpoint is not None and self.publisher is not None:  # committed: now outside the database
            self.publisher.published(checkpoint[0], checkpoint[3])
        first = int(rows[0]["seq"])  # type: ignore[call-overload]
        return list(range(first, first + len(rows)))

    def checkpoint(self, wait_for_witnesses: bool = False) -> Checkpoint | None:
        """Sign a checkpoint of the current tree now (None when the ledger is empty or unchanged),
        log it and (with ``wait_for_witnesses``) have the witnesses cosign it before returning.
        In this host's turn, leaving the head with its new checkpoint time to the next writer (who
        would otherwise miss once, and queue on the head's lock for :data:`CONTENDED_S`)."""
        with self._host_turn() as baton:
            with self._locked() as (connection, head):
                if head.size == 0:
                    return None
                if connection.has_checkpoint(head.size):
                    return None
                stamp = now_ms()
                size, note = self._checkpoint(connection, head, stamp)
                connection.move_head(last_checkpoint_ms=stamp)
            if baton is not None:  # committed
                self._seen_head = head.row(stamp)
                baton.leave(self._seen_head)
        if self.publisher is not None:
            self.last_outcomes = self.publisher.published(size, note, wait=wait_for_witnesses)
        return Checkpoint.parse(note[: note.rindex("\n\n") + 1])

    def _checkpoint(self, connection: Appending, head: Head, stamp: int) -> tuple[int, str]:
        checkpoint = Checkpoint(self.origin, head.size, head.frontier.root())
        note = sign_checkpoint(checkpoint, self.keys.signer)
        connection.add_checkpoint(head.size, stamp, checkpoint.root, note)
        return head.size, note

    def _prepare(self, exchange: Exchange, stamp: int) -> Prepared:
        """Column values, subject hashes and the canonical template of one entry (no lock needed)."""
        pins = sorted(set(exchange.subjects))
        hashes = sorted({self._hash_pin(pin) for pin in pins})
        user_id = exchange.user_id
        if user_id and pins and user_id.strip().removeprefix("KG") in pins:
            user_id = SUBJECT_USER  # a portal acting for the person names them: no PIN in clear
        values: dict[str, Any] = {
            "time_ms": exchange.time_ms if exchange.time_ms is not None else stamp,
            "direction": exchange.direction.value,
            "channel": exchange.channel.value,
            "service_id": exchange.service_id,
            "outcome": exchange.outcome,
            "message_id": exchange.message_id,
            "client_id": exchange.client_id,
            "user_id": user_id,
            "issue": exchange.issue,
            "represented_party": exchange.represented_party,
            "agreement_id": exchange.agreement_id,
            "subjects_sealed": self.keys.pin_key.seal(pins) if pins else None,
            "request_digest": exchange.request_digest,
            "request_bytes": exchange.request_bytes,
            "response_digest": exchange.response_digest,
            "response_bytes": exchange.response_bytes,
            "duration_ms": exchange.duration_ms,
        }
        for column, limit in COLUMN_LIMITS.items():
            if column in values:
                values[column] = fit(values[column], limit)
        return values, hashes, Template.of(entry_document(values, hashes))
