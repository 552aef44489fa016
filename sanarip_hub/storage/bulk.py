"""Bulk loading: PostgreSQL ``COPY … FROM STDIN`` and SQLite ``executemany``, behind one interface.

Rows arrive as tuples in a known column order.  Two modes:

* **chunked** (default, used when the tables already hold rows): buffers are flushed parents-first,
  one transaction per flush, so a crash loses at most the current chunk and never leaves an orphan.
* **fresh** (the target tables are empty): the whole load is ONE transaction, so a killed process
  or a duplicate leaves the database exactly as it was.  On PostgreSQL the transaction first drops
  the foreign keys, unique constraints and secondary indexes of the target tables, COPYs every row
  (from a background thread, overlapping Python's generation of the next chunk), then re-creates
  them, validating each constraint once over the whole table instead of row by row: the
  "Populating a Database" recipe of the PostgreSQL manual, several times faster.  Transactional DDL
  makes that all-or-nothing too, constraints included.

After loading with explicit ids on PostgreSQL, :meth:`BulkWriter.finish` moves each id sequence past
the largest id so later ORM inserts do not collide.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from typing import Any

import psycopg
from psycopg._copy_base import format_row_text
from psycopg.adapt import Transformer
from sqlalchemy import (
    Connection,
    Engine,
    ForeignKeyConstraint,
    Index,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from sanarip_hub.errors import StorageError
from sanarip_hub.storage.models import Base


class CopyText:
    """Rows of one table as PostgreSQL COPY text, formatted by psycopg's own (C) dumpers.

    The seed's worker processes format their rows here and hand the parent ready-made bytes, which
    it streams into the load's one transaction (:meth:`BulkWriter.copy_text`).  psycopg's row
    formatter is the one ``Copy.write_row`` uses: the same dumpers as every query (NULL as ``\\N``,
    tabs, newlines and backslashes escaped), and measured here at half the cost of joining ``str()``
    of each value in Python (13.7 against 25 µs per synthetic household, ~20 CPU-seconds of a
    national seed).  It lives in psycopg's ``_copy_base`` module, not its public API: the version is
    pinned in requirements.lock and a test formats every type and hostile string through it.
    """

    def __init__(self) -> None:
        self._transformer = Transformer()
        self.data = bytearray()
        self.rows = 0

    def add(self, row: tuple[Any, ...]) -> None:
        format_row_text(row, self._transformer, self.data)
        self.rows += 1

    def take(self) -> tuple[bytes, int]:
        """The text so far and its row count; the buffer starts again empty."""
        data, rows = bytes(self.data), self.rows
        self.data.clear()
        self.rows = 0
        return data, rows


def _sqlite_value(value: Any) -> Any:
    # The formats SQLAlchemy's SQLite Date/DateTime types read back; datetimes arrive in UTC.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


class BulkWriter:
    """Buffers rows per table and writes them with the fastest safe path each back end offers."""

    def __init__(
        self,
        engine: Engine,
        columns: dict[str, tuple[str, ...]],
        order: Sequence[str],
        *,
        fresh: bool = False,
    ) -> None:
        self.engine = engine
        self.columns = columns
        self.order = tuple(order)
        self.buffers: dict[str, list[Any]] = {name: [] for name in self.order}
        self.written: dict[str, int] = dict.fromkeys(self.order, 0)
        self.is_postgres = engine.dialect.name == "postgresql"
        self.fresh = fresh
        self._temporal: dict[str, tuple[int, ...]] = {}
        self._connection: Connection | None = None
        self._dropped: list[ForeignKeyConstraint | UniqueConstraint | Index] = []
        self._pipe: queue.Queue[dict[str, list[Any]] | None] = queue.Queue(maxsize=1)
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        if self.fresh:
            self._begin_fresh()

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        """Buffer one row."""
        self.buffers[table].append(row)

    @property
    def pending(self) -> int:
        return sum(len(rows) for rows in self.buffers.values())

    def flush(self) -> None:
        """Write every buffered row, parents first.

        Chunked mode: one transaction per flush.  Fresh mode: the rows go to a background thread that
        COPYs them while the caller generates the next chunk (psycopg waits on the server without the
        GIL, so the database's work overlaps Python's); at most one chunk waits in between.
        """
        batch, self.buffers = self.buffers, {name: [] for name in self.order}
        if self._connection is not None and not self.is_postgres:
            with _as_storage_error("bulk load"):
                self._write(self._connection, batch)
            return
        if self._connection is not None:
            self._raise_background_failure()
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name="bulk-copy", daemon=True)
                self._thread.start()
            self._pipe.put(batch)
            return
        with _as_storage_error("bulk load"), self.engine.begin() as connection:
            self._write(connection, batch)

    def _drain(self) -> None:
        assert self._connection is not None
        while (batch := self._pipe.get()) is not None:
            if self._failure is None:
                try:
                    with _as_storage_error("bulk load"):
                        self._write(self._connection, batch)
                except BaseException as exc:  # handed to the caller's thread by _raise_background_failure
                    self._failure = exc

    def _stop_background(self) -> None:
        if self._thread is not None:
            self._pipe.put(None)
            self._thread.join()
            self._thread = None

    def _raise_background_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _write(self, connection: Connection, batch: dict[str, list[Any]]) -> None:
        raw = connection.connection.driver_connection
        assert raw is not None
        for table in self.order:
            rows = batch[table]
            if not rows:
                continue
            if self.is_postgres:
                self._copy(raw, table, rows)
            else:
                self._insert(raw, table, rows)
            self.written[table] += len(rows)

    def copy_text(self, table: str, data: bytes, rows: int) -> None:
        """COPY ``rows`` rows already in PostgreSQL's text format (fresh mode's parallel feeders)."""
        if self._connection is None:
            raise StorageError("copy_text needs a fresh-mode load")
        self._stop_background()  # the connection carries one COPY at a time
        self._raise_background_failure()
        with _as_storage_error("bulk load"):
            raw = self._connection.connection.driver_connection
            assert raw is not None
            cols = ", ".join(self.columns[table])
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                copy.write(data)
        self.written[table] += rows

    def _copy(self, raw: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
        _copy_tuples(raw, table, self.columns[table], rows)

    def _insert(self, raw: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
        names = self.columns[table]
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        temporal = self._temporal_positions(table)
        if temporal:

            def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
                values = list(row)
                for i in temporal:
                    if values[i] is not None:
                        values[i] = _sqlite_value(values[i])
                return tuple(values)

            raw.executemany(sql, map(convert, rows)).close()
        else:
            raw.executemany(sql, rows).close()

    def _temporal_positions(self, table: str) -> tuple[int, ...]:
        """Positions of DATE and TIMESTAMP columns, which SQLite needs as text."""
        cached = self._temporal.get(table)
        if cached is None:
            columns = Base.metadata.tables[table].c
            cached = tuple(
                i
                for i, name in enumerate(self.columns[table])
                if columns[name].type.python_type in (date, datetime)
            )
            self._temporal[table] = cached
        return cached

    # --- fresh mode ---------------------------------------------------------------------------------

    def _tables(self) -> list[Table]:
        return [Base.metadata.tables[name] for name in self.order]

    def _begin_fresh(self) -> None:
        connection = self.engine.connect()
        connection.begin()
        self._connection = connection
        if not self.is_postgres:
            return
        self._dropped = drop_for_load(connection, self._tables(), keep_lookups=False)

    def _end_fresh(self, connection: Connection) -> None:
        restore_after_load(connection, self._dropped, self._tables())
        self._dropped.clear()

    def finish(self) -> None:
        """Flush what is left, restore what fresh mode dropped, commit, and advance id sequences.

        On any failure the fresh-mode transaction is rolled back before the error propagates.
        """
        try:
            if self.pending:
                self.flush()
            self._stop_background()
            self._raise_background_failure()
            if self._connection is not None:
                with _as_storage_error("bulk load (re-creating constraints)"):
                    self._end_fresh(self._connection)
                    if self.is_postgres:
                        self._advance_sequences(self._connection)
                    self._connection.commit()
                self._connection.close()
                self._connection = None
            elif self.is_postgres:
                with self.engine.begin() as connection:
                    self._advance_sequences(connection)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Roll back a fresh-mode load (the schema returns to its state before the load)."""
        self._stop_background()
        self._failure = None
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.rollback()
            connection.close()

    def _advance_sequences(self, connection: Connection) -> None:
        for table in self.order:
            if not self.written[table] or "id" not in self.columns[table]:
                continue
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}
            ).scalar_one()
            if sequence:
                connection.execute(
                    text(f"SELECT setval('{sequence}', (SELECT COALESCE(MAX(id), 1) FROM {table}))")
                )


@contextmanager
def _as_storage_error(what: str) -> Iterator[None]:
    """Driver errors (raised raw by COPY and executemany) become one :class:`StorageError`."""
    try:
        yield
    except DBAPIError as exc:
        raise StorageError(f"{what} failed: {str(exc.orig).strip().splitlines()[0]}") from exc
    except (sqlite3.Error, psycopg.Error) as exc:
        raise StorageError(f"{what} failed: {str(exc).strip().splitlines()[0]}") from exc


def next_ids(engine: Engine, tables: Iterable[str]) -> dict[str, int]:
    """For each table, one past its largest id (1 for an empty table)."""
    result: dict[str, int] = {}
    with engine.connect() as connection:
        for name in tables:
            table = Base.metadata.tables[name]
            largest = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
            result[name] = int(largest) + 1
    return result


def reserve_ids(connection: Connection, table: str, count: int) -> list[int]:
    """``count`` ids from a PostgreSQL table's id sequence, for rows about to be COPYed with them."""
    if not count:
        return []
    rows = connection.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
        {"table": table, "count": count},
    )
    return [int(found) for found in rows.scalars()]


def copy_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Rows (column -> value; the first row's columns) into a PostgreSQL table by ``COPY … FROM
    STDIN``, inside the connection's transaction.  Many rows at a time, this is several times
    faster than an INSERT per row or a multi-row INSERT, whose text the driver re-parses per batch."""
    if not rows:
        return
    columns = list(rows[0])
    raw = connection.connection.driver_connection
    assert raw is not None
    _copy_tuples(raw, table.name, columns, [tuple(row.get(name) for name in columns) for row in rows])


def _copy_tuples(raw: Any, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Rows as tuples in ``columns`` order into a table, by COPY on a psycopg connection."""
    names = ", ".join(f'"{name}"' for name in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        write = copy.write_row
        for row in rows:
            write(row)


Dropped = list[ForeignKeyConstraint | UniqueConstraint | Index]


def drop_for_load(connection: Connection, tables: Sequence[Table], keep_lookups: bool) -> Dropped:
    """Inside a load's transaction on PostgreSQL: drop the tables' foreign keys (checked by a trigger
    per inserted row) and, unless ``keep_lookups`` (a load that looks rows up by key as it goes),
    their unique constraints and indexes; what was dropped, for :func:`restore_after_load`."""
    # Index builds at the end sort whole tables: give them memory instead of temporary files.
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    dropped: Dropped = []
    for table in tables:
        for fk in table.foreign_key_constraints:
            connection.execute(DropConstraint(fk))
            dropped.append(fk)
        if keep_lookups:
            continue
        for unique in (c for c in table.constraints if isinstance(c, UniqueConstraint)):
            connection.execute(DropConstraint(unique))
            dropped.append(unique)
        for index in table.indexes:
            connection.execute(DropIndex(index))
            dropped.append(index)
    return dropped


def restore_after_load(connection: Connection, dropped: Dropped, tables: Sequence[Table]) -> None:
    """Re-create what :func:`drop_for_load` dropped, indexes and unique constraints first (foreign
    keys validate faster with them; each is validated once over its whole table), then ANALYZE.

    A foreign key is validated by one anti-join of the child table against its parent.  Where the
    child's column is indexed, a merge join reads the two indexes in order; the planner prefers
    hashing the parent, which measured twice as slow (a national seed: 25 s of its 60 s of
    rebuilding).  Where it is not, hashing is right (a merge join would sort the column).  So hash
    joins are off for the first kind only, and the transaction's setting is given back after them.
    """
    for item in dropped:
        if not isinstance(item, ForeignKeyConstraint):
            connection.execute(CreateIndex(item) if isinstance(item, Index) else AddConstraint(item))
    keys = [item for item in dropped if isinstance(item, ForeignKeyConstraint)]
    if keys:  # only PostgreSQL loads drop them
        hashjoin = connection.exec_driver_sql("SHOW enable_hashjoin").scalar_one()
        setting = text("SELECT set_config('enable_hashjoin', :value, true)")
        for key in keys:
            connection.execute(setting, {"value": "off" if _child_indexed(key) else hashjoin})
            connection.execute(AddConstraint(key))
        connection.execute(setting, {"value": hashjoin})
    for table in tables:
        connection.exec_driver_sql(f"ANALYZE {table.name}")


def _child_indexed(key: ForeignKeyConstraint) -> bool:
    """Whether an index or unique constraint of the child table starts with the key's columns."""
    columns = [column.name for column in key.columns]
    table = key.table
    leading = [[c.name for c in index.columns][: len(columns)] for index in table.indexes]
    leading += [
        [c.name for c in unique.columns][: len(columns)]
        for unique in table.constraints
        if isinstance(unique, UniqueConstraint)
    ]
    return columns in leading


@cache
def _foreign_key_order() -> dict[Table, int]:
    """Each table's place in the foreign-key order (parents first); the metadata sorts afresh on
    every ``sorted_tables``."""
    return {table: index for index, table in enumerate(Base.metadata.sorted_tables)}


class PendingRows:
    """New rows of an import transaction, sent a table at a time when :meth:`flush` is called.

    A register import adds thousands of records with child rows (events, leases, passport members);
    an INSERT per record cost 60 % of a 5,000-household import on PostgreSQL.  Here a row that
    needs its id at once (a parent, whose children name it) takes one from ids reserved from the
    table's sequence in blocks, and the rows go in by COPY, parents before children (the tables'
    foreign-key order).  On SQLite, whose INSERT is a function call, a parent is inserted at once
    and the rest by one ``executemany`` per table.  Call :meth:`flush` before reading what was added.
    """

    BLOCK = 500  # ids reserved at a time: unused ones are gaps in the sequence, as after a rollback

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._copy = connection.dialect.name == "postgresql"
        self._rows: dict[Table, list[dict[str, Any]]] = {}
        self._ids: dict[str, list[int]] = {}

    def add(self, table: Table, row: dict[str, Any]) -> int:
        """A row whose id is needed now (its children name it); the id."""
        if not self._copy:
            return int(self.connection.execute(insert(table).returning(table.c.id), [row]).scalar_one())
        pool = self._ids.setdefault(table.name, [])
        if not pool:
            pool.extend(reversed(reserve_ids(self.connection, table.name, self.BLOCK)))
        row_id = pool.pop()
        self._rows.setdefault(table, []).append({"id": row_id, **row})
        return row_id

    def queue(self, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        """Rows nothing needs the ids of yet."""
        self._rows.setdefault(table, []).extend(rows)

    def flush(self) -> None:
        if not self._rows:
            return  # called before every read
        pending, self._rows = self._rows, {}
        for table in sorted(pending, key=_foreign_key_order().__getitem__):
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row in pending[table]:
                by_columns.setdefault(tuple(row), []).append(row)
            for rows in by_columns.values():
                if self._copy:
                    copy_rows(self.connection, table, rows)
                else:
                    self.connection.execute(insert(table), rows)
