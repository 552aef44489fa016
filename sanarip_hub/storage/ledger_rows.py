"""The ledger's rows: the queries the ledger's proofs, exports, archive, witnesses and searches
run, each returning plain values or typed rows.

The ledger (:mod:`sanarip_hub.ledger`) keeps the rules — hashing, proofs, signed notes, what a
bundle or a segment holds; this module keeps the SQL.  Archived entries are not here: they live in
signed segment files, which the ledger reads itself.
"""

from __future__ import annotations

import fcntl
import operator
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, String, delete, func, insert, or_, select
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError, StatementError

from sanarip_hub.domain.exchange import KEYS
from sanarip_hub.storage.binary_arrays import BinaryArray, Int8Array, TextArray, array_for
from sanarip_hub.storage.models import (
    ConsoleUser,
    LedgerArchive,
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerEntryRow,
    LedgerHead,
    LedgerSubject,
    LedgerTile,
    LedgerVerification,
)

_FIXED = ("seq", "prev_hash", "entry_hash", "body")
# A bounded window of sequence numbers, sorted here rather than by the server: the plan stays a
# range scan whatever the table's statistics say (an open "seq >= x ORDER BY seq LIMIT n" was
# planned, on a freshly filled table, as a disk sort of everything after x).
_CHUNK_SQL = f"SELECT {', '.join((*_FIXED, *KEYS))} FROM ledger_entry WHERE seq >= {{0}} AND seq < {{0}}"
_SUBJECTS_SQL = "SELECT seq, pin_hash FROM ledger_subject WHERE seq >= {0} AND seq <= {0}"
_FIRST_COLUMN = operator.itemgetter(0)


@dataclass(frozen=True)
class Segment:
    """An archive segment's row: entries ``first_seq .. end_seq - 1`` in ``file``, its signed note."""

    segment: int
    first_seq: int
    end_seq: int
    file: str
    note: str


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


@dataclass(frozen=True)
class DigestRow:
    seq: int
    time_ms: int
    client_id: str | None
    service_id: str
    request_digest: str | None
    response_digest: str | None


@dataclass(frozen=True)
class HeadRow:
    size: int
    last_hash: bytes


class Scan:
    """One connection reading the live entries in windows for a verification: rows arrive as
    ``(seq, prev_hash, entry_hash, body, *KEYS)`` (the compared columns in
    :data:`~sanarip_hub.domain.exchange.KEYS` order) tuples through the driver's own cursor
    (no per-column result processing for a million rows; on PostgreSQL the binary protocol)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        mark = "?" if connection.dialect.name == "sqlite" else "%s"
        self._entries = _CHUNK_SQL.format(mark)
        self._subjects = _SUBJECTS_SQL.format(mark)

    def _fetch(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        connection = self.connection
        if connection.dialect.name == "postgresql":
            raw: Any = connection.connection.driver_connection
            with raw.cursor(binary=True) as cursor:
                cursor.execute(sql, params)
                rows = list(cursor.fetchall())
        else:
            rows = list(connection.exec_driver_sql(sql, params).fetchall())
        rows.sort(key=_FIRST_COLUMN)  # by sequence number (nearly in order already: linear)
        return rows

    def entries(self, start: int, end: int) -> list[Any]:
        """Rows ``start .. end-1`` that exist, in sequence order."""
        return self._fetch(self._entries, (start, end))

    def subjects(self, first: int, last: int) -> dict[int, list[str]]:
        """The subject index of entries ``first .. last`` (inclusive)."""
        found: dict[int, list[str]] = {}
        for seq, pin_hash in self._fetch(self._subjects, (first, last)):
            found.setdefault(seq, []).append(pin_hash)
        return found

    def top(self) -> int | None:
        """The highest stored sequence number."""
        found = self.connection.execute(select(func.max(LedgerEntryRow.seq))).scalar()
        return None if found is None else int(found)

    def next_from(self, seq: int) -> int | None:
        """The first stored sequence number at or after ``seq``."""
        found = self.connection.execute(
            select(func.min(LedgerEntryRow.seq)).where(LedgerEntryRow.seq >= seq)
        ).scalar()
        return None if found is None else int(found)


# the longest text each string column holds (PostgreSQL refuses more; one refusal fails a whole batch)
COLUMN_LIMITS: dict[str, int] = {
    column.name: column.type.length
    for column in LedgerEntryRow.__table__.columns
    if isinstance(column.type, String) and column.type.length
}


_ENTRY_COLUMNS = tuple(column.name for column in LedgerEntryRow.__table__.columns)
_ENTRY_COPY = f"COPY ledger_entry ({', '.join(_ENTRY_COLUMNS)}) FROM STDIN"
_SUBJECT_COPY = "COPY ledger_subject (pin_hash, seq) FROM STDIN"
# SQLite's append statements, as the driver takes them (statements built per append cost more than
# the appends: SQLAlchemy's coercion and cache keys were most of a one-entry batch's time)
_ENTRY_INSERT = (
    f"INSERT INTO ledger_entry ({', '.join(_ENTRY_COLUMNS)}) VALUES ({', '.join('?' * len(_ENTRY_COLUMNS))})"
)
_SUBJECT_INSERT = "INSERT INTO ledger_subject (pin_hash, seq) VALUES (?, ?)"
_HEAD_COLUMNS = frozenset(("size", "last_hash", "frontier", "last_checkpoint_ms"))
_HEAD_NOW = "SELECT size, last_hash, frontier, last_checkpoint_ms FROM ledger_head WHERE id = 1"


def _array_types() -> tuple[str, ...]:
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return tuple(str(column.type.compile(dialect)) for column in LedgerEntryRow.__table__.columns)


# One statement, one round trip, one transaction (autocommit): move the head from the head the writer
# numbered its batch from, and insert the batch only if that move happened; the head as it now is
# comes back either way.  The update always takes the row (its lock, and on a race the version the
# other writer committed), but changes it only when the expected head is still there.
_ENTRY_TYPES = tuple(zip(_ENTRY_COLUMNS, _array_types(), strict=True))  # each column and its SQL type
_ENTRY_ARRAY_TYPES = tuple(
    (name, array_for(kind)) for name, kind in _ENTRY_TYPES
)  # each column's array built by binary_arrays, not by the driver's list dumping
_CHAINED = frozenset(_FIXED)  # the columns the chain sets: known only once numbered in the turn


def fixed_arrays(values: Sequence[Mapping[str, object]]) -> dict[str, BinaryArray]:
    """The arrays of a batch's columns that do not depend on its place in the chain, built before
    the writer takes the host's turn (``values``: each entry's columns, in the batch's order)."""
    return {
        column: array.of([entry.get(column) for entry in values])
        for column, array in _ENTRY_ARRAY_TYPES
        if column not in _CHAINED
    }


_ENTRY_ARRAYS = ", ".join(
    f"%({name})b::{kind}[]" for name, kind in _ENTRY_TYPES
)  # binary: the driver formats binary arrays without its text format's quoting rules
# The whole expected head, not only its size and hash: a writer may number its batch from a head another
# process handed it (ledger.turn), and a wrong frontier or checkpoint time there must not land.
_IF_EXPECTED = (
    "(size = %(old_size)s AND last_hash = %(old_hash)s AND frontier = %(old_frontier)s"
    " AND last_checkpoint_ms = %(old_checkpoint_ms)s)"
)
_MOVED = "EXISTS (SELECT 1 FROM moved WHERE size = %(size)s AND last_hash = %(hash)s)"
# The statement's commit does not wait for the disk (``early``: synchronous_commit off for this one
# transaction); the writer waits afterwards, outside the host's turn, with :data:`_DURABLE`.
_APPEND_IF_HEAD = f"""
WITH early AS (
    SELECT set_config('synchronous_commit', 'off', true)
), moved AS (
    UPDATE ledger_head SET
        size = CASE WHEN {_IF_EXPECTED} THEN %(size)s ELSE size END,
        last_hash = CASE WHEN {_IF_EXPECTED} THEN %(hash)s ELSE last_hash END,
        frontier = CASE WHEN {_IF_EXPECTED} THEN %(frontier)s ELSE frontier END,
        last_checkpoint_ms = CASE WHEN {_IF_EXPECTED} THEN %(checkpoint_ms)s ELSE last_checkpoint_ms END
    WHERE id = 1
    RETURNING size, last_hash, frontier, last_checkpoint_ms
), entries AS (
    INSERT INTO ledger_entry ({", ".join(_ENTRY_COLUMNS)})
    SELECT * FROM unnest({_ENTRY_ARRAYS})
    WHERE {_MOVED}
), subjects AS (
    INSERT INTO ledger_subject (pin_hash, seq)
    SELECT * FROM unnest(%(subject_hashes)b::varchar[], %(subject_seqs)b::bigint[]) WHERE {_MOVED}
), checkpoint AS (
    INSERT INTO ledger_checkpoint (size, time_ms, root, note)
    SELECT %(cp_size)s::bigint, %(cp_time)s::bigint, %(cp_root)s::bytea, %(cp_note)s::text
    WHERE %(cp_size)s::bigint IS NOT NULL AND {_MOVED}
)
SELECT size, last_hash, frontier, last_checkpoint_ms FROM moved, early
"""
# A transaction that writes a record to the WAL (a transactional logical-decoding message: no table,
# no lock, no privilege beyond LOGIN) and commits at the session's own ``synchronous_commit``: its
# commit returns once the WAL up to it is flushed (and, where the operator set it, replicated), and
# the WAL is written in order, so every commit this connection made before it is as durable.
_DURABLE = "SELECT pg_logical_emit_message(true, 'sanarip-hub', 'durable')"


@dataclass
class LockedHead:
    """The head row as the append transaction found it (or as a writer last saw it)."""

    size: int
    last_hash: bytes
    frontier: bytes
    last_checkpoint_ms: int

    @classmethod
    def of(cls, row: Sequence[Any]) -> LockedHead:
        """From a row of :data:`_HEAD_NOW`'s columns (the driver gives bytea as memoryview)."""
        size, last_hash, frontier, last_checkpoint_ms = row
        return cls(int(size), bytes(last_hash), bytes(frontier or b""), int(last_checkpoint_ms))


@contextmanager
def _refusals_named(statement: str) -> Iterator[None]:
    """A row the driver refuses (COPY, or the one-statement append) raises what a refused INSERT
    raises through SQLAlchemy, so the writer tells content refusals from a lost database alike."""
    try:
        yield
    except psycopg.DataError as exc:
        raise DataError(statement, None, exc) from exc
    except psycopg.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc


def _append_statement(
    raw: Any,
    expected: LockedHead,
    new: LockedHead,
    entries: list[dict[str, object]],
    subjects: list[dict[str, object]],
    checkpoint: tuple[int, int, bytes, str] | None,
    fixed: Mapping[str, BinaryArray] | None = None,
) -> tuple[bool, LockedHead]:
    """Run :data:`_APPEND_IF_HEAD` on the driver connection ``raw``: whether the batch landed, and
    the head as the statement left it.  ``fixed``: the columns :func:`fixed_arrays` built before
    the writer took its turn."""
    params: dict[str, object] = {
        "old_size": expected.size,
        "old_hash": expected.last_hash,
        "old_frontier": expected.frontier,
        "old_checkpoint_ms": expected.last_checkpoint_ms,
        "size": new.size,
        "hash": new.last_hash,
        "frontier": new.frontier,
        "checkpoint_ms": new.last_checkpoint_ms,
        "subject_hashes": TextArray.of([subject["pin_hash"] for subject in subjects]),
        "subject_seqs": Int8Array.of([subject["seq"] for subject in subjects]),
        "cp_size": None,
        "cp_time": None,
        "cp_root": None,
        "cp_note": None,
    }
    params.update(fixed if fixed is not None else fixed_arrays(entries))
    for column, array in _ENTRY_ARRAY_TYPES:
        if column in _CHAINED:
            params[column] = array.of([entry.get(column) for entry in entries])
    if checkpoint is not None:
        params.update(zip(("cp_size", "cp_time", "cp_root", "cp_note"), checkpoint, strict=True))
    with _refusals_named(_APPEND_IF_HEAD), raw.cursor() as cursor:
        head = LockedHead.of(cursor.execute(_APPEND_IF_HEAD, params).fetchone())
    return (head.size, head.last_hash) == (new.size, new.last_hash), head


class Appending:
    """The append transaction, holding the head row's lock (``SELECT … FOR UPDATE`` on PostgreSQL;
    ``BEGIN IMMEDIATE``, the database write lock, on SQLite) until it commits or rolls back."""

    def __init__(self, connection: Connection, head: LockedHead) -> None:
        self.connection = connection
        self.head = head

    def insert(self, entries: list[dict[str, object]], subjects: list[dict[str, object]]) -> None:
        """The batch's entries and subject index rows.  On PostgreSQL by ``COPY``: an INSERT per
        row through the driver's pipeline cost the writer thread most of its time (py-spy: a
        third of the worker's GIL time under load), COPY formats the rows in C and sends them in
        one stream.  A refused row fails the COPY, and the batch, as a refused INSERT did."""
        if self.connection.dialect.name != "postgresql":  # the driver's executemany: no statement to build
            self.connection.exec_driver_sql(
                _ENTRY_INSERT, [tuple(entry.get(column) for column in _ENTRY_COLUMNS) for entry in entries]
            )
            if subjects:
                self.connection.exec_driver_sql(
                    _SUBJECT_INSERT, [(subject["pin_hash"], subject["seq"]) for subject in subjects]
                )
            return
        raw: Any = self.connection.connection.driver_connection
        with _refusals_named(_ENTRY_COPY), raw.cursor() as cursor:
            with cursor.copy(_ENTRY_COPY) as copy:
                write = copy.write_row
                for entry in entries:
                    write([entry.get(column) for column in _ENTRY_COLUMNS])
            if subjects:
                with cursor.copy(_SUBJECT_COPY) as copy:
                    write = copy.write_row
                    for subject in subjects:
                        write((subject["pin_hash"], subject["seq"]))

    def append_if_head(
        self,
        new: LockedHead,
        entries: list[dict[str, object]],
        subjects: list[dict[str, object]],
        checkpoint: tuple[int, int, bytes, str] | None = None,
        fixed: Mapping[str, BinaryArray] | None = None,
    ) -> None:
        """The one-statement append (:data:`_APPEND_IF_HEAD`, PostgreSQL) inside this transaction,
        from the head it locked: it cannot be overtaken, and it commits with the transaction.  Four
        round trips (begin, lock, this statement, commit) where a COPY per table and a head update
        took seven."""
        raw: Any = self.connection.connection.driver_connection
        landed, _ = _append_statement(raw, self.head, new, entries, subjects, checkpoint, fixed)
        if not landed:  # the head moved under its own lock: never commit what did not land
            raise RuntimeError("the ledger head moved while this writer held its lock")

    def move_head(self, **values: object) -> None:
        """Set the head row's ``size``, ``last_hash``, ``frontier``, ``last_checkpoint_ms``."""
        names = sorted(values)
        if not _HEAD_COLUMNS.issuperset(names):
            raise ValueError(f"not head columns: {sorted(set(names) - _HEAD_COLUMNS)}")
        mark = "?" if self.connection.dialect.name == "sqlite" else "%s"
        assignments = ", ".join(f"{name} = {mark}" for name in names)
        self.connection.exec_driver_sql(
            f"UPDATE ledger_head SET {assignments} WHERE id = 1", tuple(values[name] for name in names)
        )

    def has_checkpoint(self, size: int) -> bool:
        found = self.connection.execute(select(LedgerCheckpoint.size).where(LedgerCheckpoint.size == size))
        return found.first() is not None

    def add_checkpoint(self, size: int, time_ms: int, root: bytes, note: str) -> None:
        self.connection.execute(
            insert(LedgerCheckpoint).prefix_with("OR IGNORE", dialect="sqlite"),
            {"size": size, "time_ms": time_ms, "root": root, "note": note},
        )


def refused_for_content(exc: BaseException) -> bool:
    """A statement failed before its commit because of a value in it (a number out of range, a
    string too long), not because the database went away."""
    if isinstance(exc, DataError | IntegrityError | ProgrammingError):
        return True
    if isinstance(exc, StatementError) and not getattr(exc, "connection_invalidated", False):
        return isinstance(exc.orig, ValueError | TypeError | OverflowError)
    return isinstance(exc, ValueError | TypeError | OverflowError)


class LedgerRows:
    """Reads (and the few writes outside an append) of the ledger's tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # PostgreSQL appends in one round trip, conditional on the head (see append_if_head)
        self.conditional = engine.dialect.name == "postgresql"

    def current_head(self) -> LockedHead:
        """The head row as it is now, frontier and checkpoint time included (no lock taken)."""
        with self.engine.connect() as connection:
            return LockedHead.of(connection.exec_driver_sql(_HEAD_NOW).one())

    def append_if_head(
        self,
        expected: LockedHead,
        new: LockedHead,
        entries: list[dict[str, object]],
        subjects: list[dict[str, object]],
        checkpoint: tuple[int, int, bytes, str] | None = None,
        raw: Any = None,
        fixed: Mapping[str, BinaryArray] | None = None,
    ) -> tuple[bool, LockedHead]:
        """Append a batch numbered from ``expected`` in one round trip (PostgreSQL only): whether it
        landed, and the head as the transaction left it.  On ``raw`` (a connection from
        :meth:`appender`) the commit may not yet be durable: the caller calls :meth:`made_durable`
        before it acknowledges anything; without it, this call does.

        One statement (:data:`_APPEND_IF_HEAD`, its own transaction): move the head from
        ``expected`` to ``new``, insert the entries, their subject rows and the checkpoint *only if*
        the move happened.  When another writer moved the head first, nothing is inserted, and the
        caller numbers its batch again from the head returned.  The lock-then-write transaction
        took seven round trips while it held the head row (begin, lock, two COPYs of two steps
        each, move, commit), and writers queued on that lock; here a writer holds it for one.
        A batch still lands whole or not at all; but where a killed process's open transaction
        used to be rolled back, a statement the server is executing when its client dies still
        commits (unacknowledged, like a COMMIT in flight)."""
        if raw is not None:
            return _append_statement(raw, expected, new, entries, subjects, checkpoint, fixed)
        with self.appender() as own:
            landed = _append_statement(own, expected, new, entries, subjects, checkpoint, fixed)
            self.made_durable(own)
            return landed

    @contextmanager
    def appender(self) -> Iterator[Any]:
        """A driver connection in autocommit for :meth:`append_if_head`, taken from the pool before
        the writer takes its turn, so that the pool's work is not done while other writers wait."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection.connection.driver_connection

    def made_durable(self, raw: Any) -> None:
        """Return once every commit made so far (by any connection) is durable: an append's commit
        does not wait for the disk itself (see :data:`_DURABLE`).  A writer calls it after letting
        the host's turn go, so the next writer numbers and sends its batch while this one's commit is
        flushed, and the flushes of several writers are one (PostgreSQL's group commit)."""
        raw.execute(_DURABLE)

    # -- head, segments, checkpoints ----------------------------------------------------------------

    @contextmanager
    def _writers_queue(self) -> Iterator[None]:
        """On SQLite, writers of one database file queue on an ``flock`` beside it before asking
        for the database's write lock.  SQLite's own busy handler polls with sleeps of up to 100 ms,
        so two worker processes' ledger writers took turns late (p99 of 0.5–1 s under load); the
        kernel wakes an ``flock`` waiter the moment the lock is released.  A killed process's
        ``flock`` goes with it.  PostgreSQL queues writers on the head row's lock itself."""
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not database or database == ":memory:":
            yield
            return
        handle = os.open(f"{database}.ledger-lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # closing releases the lock

    @contextmanager
    def appending(self) -> Iterator[Appending]:
        """One append transaction: the head row locked, committed when the block ends, rolled back
        when it raises (a process killed inside it leaves no trace)."""
        with self._writers_queue(), self.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                head = LockedHead.of(connection.exec_driver_sql(_HEAD_NOW).one())
            else:
                head = LockedHead.of(connection.exec_driver_sql(_HEAD_NOW + " FOR UPDATE").one())
            try:
                yield Appending(connection, head)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise

    @contextmanager
    def scan(self) -> Iterator[Scan]:
        with self.engine.connect() as connection:
            yield Scan(connection)

    def head(self) -> HeadRow:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(LedgerHead.size, LedgerHead.last_hash).where(LedgerHead.id == 1)
            ).one()
        return HeadRow(int(row.size), bytes(row.last_hash))

    def checkpoint_rows(self) -> list[tuple[int, bytes, str]]:
        """Every stored checkpoint's size, root and signed note, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(LedgerCheckpoint.size, LedgerCheckpoint.root, LedgerCheckpoint.note).order_by(
                    LedgerCheckpoint.size
                )
            )
            return [(int(size), bytes(root), str(note)) for size, root, note in rows]

    def checkpoint_note(self, size: int) -> str:
        with self.engine.connect() as connection:
            return str(
                connection.execute(
                    select(LedgerCheckpoint.note).where(LedgerCheckpoint.size == size)
                ).scalar_one()
            )

    def cosigned_notes(self) -> list[str]:
        """Each stored cosignature appended to the note of the checkpoint it cosigns."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(LedgerCheckpoint.note, LedgerCosignature.line).join(
                    LedgerCosignature, LedgerCosignature.size == LedgerCheckpoint.size
                )
            )
            return [note + line for note, line in rows]

    def record_verification(self, at: datetime, actor: str, ok: bool, size: int, detail: str) -> None:
        """A verification's outcome (the dashboard shows the latest)."""
        with self.engine.begin() as connection:
            connection.execute(
                insert(LedgerVerification.__table__).values(  # type: ignore[arg-type]
                    at=at, actor=actor, ok=ok, size=size, detail=detail[:1000]
                )
            )

    def head_size(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(LedgerHead.size).where(LedgerHead.id == 1)).scalar_one())

    def segments(self) -> list[Segment]:
        with self.engine.connect() as connection:
            return [
                Segment(row.segment, row.first_seq, row.end_seq, row.file, row.note)
                for row in connection.execute(select(LedgerArchive).order_by(LedgerArchive.segment))
            ]

    def archived_range(self) -> tuple[int, int] | None:
        """``(first, end)`` of the entries moved into archive segments, or None when none were."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(func.min(LedgerArchive.first_seq), func.max(LedgerArchive.end_seq))
            ).one()
        return None if row[0] is None else (int(row[0]), int(row[1]))

    def checkpoints(self) -> list[tuple[int, str]]:
        """Every stored checkpoint's size and signed note, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(LedgerCheckpoint.size, LedgerCheckpoint.note).order_by(LedgerCheckpoint.size)
            )
            return [(int(size), str(note)) for size, note in rows]

    def newest_checkpoint_size(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.max(LedgerCheckpoint.size))).scalar_one() or 0)

    # -- cosignatures -------------------------------------------------------------------------------

    def cosignature_lines(self, size: int) -> list[str]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(LedgerCosignature.line).where(LedgerCosignature.size == size)
                ).scalars()
            )

    def last_cosigned(self, witness: str) -> int:
        with self.engine.connect() as connection:
            size = connection.execute(
                select(func.max(LedgerCosignature.size)).where(LedgerCosignature.witness == witness)
            ).scalar()
        return int(size or 0)

    def add_cosignature(self, size: int, witness: str, signed_at: int, line: str) -> None:
        """Keep a witness's cosignature of ``size`` (once: a repeat is ignored)."""
        with self.engine.begin() as connection:
            exists = connection.execute(
                select(LedgerCosignature.size).where(
                    LedgerCosignature.size == size, LedgerCosignature.witness == witness
                )
            ).first()
            if exists is None:
                connection.execute(
                    insert(LedgerCosignature),
                    {"size": size, "witness": witness, "signed_at": signed_at, "line": line},
                )

    # -- entries --------------------------------------------------------------------------------------

    def entry_hashes(self, start: int, end: int) -> list[bytes]:
        """Stored leaf hashes ``start .. end-1`` in order (archived ones are not rows)."""
        with self.engine.connect() as connection:
            return [
                bytes(h)
                for h in connection.execute(
                    select(LedgerEntryRow.entry_hash)
                    .where(LedgerEntryRow.seq >= start, LedgerEntryRow.seq < end)
                    .order_by(LedgerEntryRow.seq)
                ).scalars()
            ]

    def bodies(self, seqs: Iterable[int]) -> dict[int, bytes]:
        """The hashed bytes of those of ``seqs`` that are rows."""
        wanted = set(seqs)
        if not wanted:
            return {}
        e = LedgerEntryRow
        query = (
            select(e.seq, e.body).where(e.seq.in_(sorted(wanted)))
            if len(wanted) < 30_000
            else select(e.seq, e.body).where(e.seq >= min(wanted), e.seq <= max(wanted))
        )
        with self.engine.connect() as connection:
            return {seq: bytes(body) for seq, body in connection.execute(query) if seq in wanted}

    def seq_range_by_time(
        self, limit: int, since_ms: int | None, until_ms: int | None
    ) -> tuple[int | None, int | None]:
        """The first row at or after ``since_ms`` and the last before ``until_ms`` (below ``limit``)."""
        e = LedgerEntryRow
        first_conditions = [e.seq < limit] + ([e.time_ms >= since_ms] if since_ms is not None else [])
        last_conditions = [e.seq < limit] + ([e.time_ms < until_ms] if until_ms is not None else [])
        with self.engine.connect() as connection:
            first = connection.execute(select(func.min(e.seq)).where(*first_conditions)).scalar()
            last = connection.execute(select(func.max(e.seq)).where(*last_conditions)).scalar()
        return first, last

    def subject_seqs(self, pin_hashes: Sequence[str], first: int, end: int) -> set[int]:
        with self.engine.connect() as connection:
            return set(
                connection.execute(
                    select(LedgerSubject.seq).where(
                        LedgerSubject.pin_hash.in_(list(pin_hashes)),
                        LedgerSubject.seq >= first,
                        LedgerSubject.seq < end,
                    )
                ).scalars()
            )

    def with_digests(self, digests: Sequence[str]) -> list[DigestRow]:
        """Entries whose request or response digest is one of ``digests``, in sequence order."""
        e = LedgerEntryRow
        with self.engine.connect() as connection:
            return [
                DigestRow(*row)
                for row in connection.execute(
                    select(e.seq, e.time_ms, e.client_id, e.service_id, e.request_digest, e.response_digest)
                    .where(or_(e.request_digest.in_(list(digests)), e.response_digest.in_(list(digests))))
                    .order_by(e.seq)
                )
            ]

    def search(
        self, pin_hashes: Sequence[str] | None, where: Filter, unauthorized: Iterable[str], ok: str,
        limit: int = 100, before_seq: int | None = None,
    ) -> list[Usage]:  # fmt: skip
        """Entries matching ``where`` (the person by ``pin_hashes``), newest first."""
        e = LedgerEntryRow
        query = select(
            e.seq, e.time_ms, e.direction, e.channel, e.client_id, e.service_id, e.user_id, e.issue,
            e.agreement_id, e.outcome, e.message_id,
        )  # fmt: skip
        if pin_hashes is not None:
            query = query.join(LedgerSubject, LedgerSubject.seq == e.seq).where(
                LedgerSubject.pin_hash.in_(list(pin_hashes))
            )
        if where.client_id is not None:
            query = query.where(e.client_id == where.client_id)
        if where.agreement_id is not None:
            query = query.where(e.agreement_id == where.agreement_id)
        if where.failed_only:
            query = query.where(e.outcome != ok)
        if where.unauthorized_only:
            query = query.where(e.outcome.in_(sorted(unauthorized)))
        if where.since_ms is not None:
            query = query.where(e.time_ms >= where.since_ms)
        if where.until_ms is not None:
            query = query.where(e.time_ms < where.until_ms)
        if before_seq is not None:
            query = query.where(e.seq < before_seq)
        query = query.order_by(e.seq.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [Usage(*row) for row in connection.execute(query)]

    def console_roles(self, usernames: set[str]) -> dict[str, str]:
        if not usernames:
            return {}
        with self.engine.connect() as connection:
            found = connection.execute(
                select(ConsoleUser.username, ConsoleUser.role).where(ConsoleUser.username.in_(usernames))
            )
            return {name: str(role) for name, role in found}

    # -- tiles ----------------------------------------------------------------------------------------

    def tiles(self, count: int) -> dict[int, bytes]:
        """Stored roots of tiles ``0 .. count-1`` (some may be missing)."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(LedgerTile.idx, LedgerTile.hash).where(LedgerTile.idx < count))
            return {int(idx): bytes(value) for idx, value in rows}

    def add_tiles(self, fresh: dict[int, bytes]) -> None:
        """Store tile roots (one already stored by another process is left as it is)."""
        rows = [{"idx": index, "hash": value} for index, value in fresh.items()]
        with self.engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                statement = insert(LedgerTile).prefix_with("OR IGNORE")
            else:
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                statement = pg_insert(LedgerTile).on_conflict_do_nothing()
            for offset in range(0, len(rows), 5000):
                connection.execute(statement, rows[offset : offset + 5000])

    # -- archiving ------------------------------------------------------------------------------------

    def first_young_seq(self, start: int, cutoff_ms: int) -> int | None:
        """The first entry from ``start`` on that is not older than ``cutoff_ms``."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(func.min(LedgerEntryRow.seq)).where(
                    LedgerEntryRow.seq >= start, LedgerEntryRow.time_ms >= cutoff_ms
                )
            ).scalar_one()
        return None if found is None else int(found)

    def stretch(self, start: int, end: int) -> tuple[list[tuple[bytes, bytes]], list[tuple[int, str]]]:
        """Entries ``start .. end-1`` as (body, entry hash) and their subjects as (seq, pin hash)."""
        with self.engine.connect() as connection:
            bodies = [
                (bytes(body), bytes(digest))
                for body, digest in connection.execute(
                    select(LedgerEntryRow.body, LedgerEntryRow.entry_hash)
                    .where(LedgerEntryRow.seq >= start, LedgerEntryRow.seq < end)
                    .order_by(LedgerEntryRow.seq)
                )
            ]
            subjects = [
                (int(seq), str(pin_hash))
                for seq, pin_hash in connection.execute(
                    select(LedgerSubject.seq, LedgerSubject.pin_hash)
                    .where(LedgerSubject.seq >= start, LedgerSubject.seq < end)
                    .order_by(LedgerSubject.seq, LedgerSubject.pin_hash)
                )
            ]
        return bodies, subjects

    def archived(self, segment: Segment) -> None:
        """Record ``segment`` and drop its entries' rows, in one transaction (its file is already
        written and synced)."""
        start, end = segment.first_seq, segment.end_seq
        with self.engine.begin() as connection:
            connection.execute(
                insert(LedgerArchive),
                {"segment": segment.segment, "first_seq": start, "end_seq": end, "file": segment.file,
                 "note": segment.note},
            )  # fmt: skip
            connection.execute(
                delete(LedgerSubject).where(LedgerSubject.seq >= start, LedgerSubject.seq < end)
            )
            connection.execute(
                delete(LedgerEntryRow).where(LedgerEntryRow.seq >= start, LedgerEntryRow.seq < end)
            )
