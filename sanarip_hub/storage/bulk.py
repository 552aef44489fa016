"""Bulk loading: PostgreSQL ``COPY … FROM STDIN`` and SQLite ``executemany``, behind one interface.

Rows arrive as tuples in a known column order.  Buffers are flushed parents-first in one transaction
per flush, so a crash loses at most the current chunk and never leaves an orphan.  After loading with
explicit ids on PostgreSQL, :meth:`BulkWriter.finish` moves each id sequence past the largest id so
later ORM inserts do not collide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, select, text

from sanarip_hub.storage.models import Base


def _sqlite_value(value: Any) -> Any:
    # The formats SQLAlchemy's SQLite Date/DateTime types read back; datetimes arrive in UTC.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


class BulkWriter:
    """Buffers rows per table and writes them with the fastest path each back end offers."""

    def __init__(self, engine: Engine, columns: dict[str, tuple[str, ...]], order: Sequence[str]) -> None:
        self.engine = engine
        self.columns = columns
        self.order = tuple(order)
        self.buffers: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self.order}
        self.written: dict[str, int] = dict.fromkeys(self.order, 0)
        self.is_postgres = engine.dialect.name == "postgresql"
        self._temporal: dict[str, tuple[int, ...]] = {}

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.buffers[table].append(row)

    @property
    def pending(self) -> int:
        return sum(len(rows) for rows in self.buffers.values())

    def flush(self) -> None:
        """Write every buffered row in one transaction, parents first."""
        with self.engine.begin() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            for table in self.order:
                rows = self.buffers[table]
                if not rows:
                    continue
                if self.is_postgres:
                    self._copy(raw, table, rows)
                else:
                    self._insert(raw, table, rows)
                self.written[table] += len(rows)
                self.buffers[table] = []

    def _copy(self, raw: Any, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
        cols = ", ".join(self.columns[table])
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)

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

    def finish(self) -> None:
        """Flush what is left and, on PostgreSQL, move id sequences past the loaded ids."""
        if self.pending:
            self.flush()
        if not self.is_postgres:
            return
        with self.engine.begin() as connection:
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


def next_ids(engine: Engine, tables: Iterable[str]) -> dict[str, int]:
    """For each table, one past its largest id (1 for an empty table)."""
    result: dict[str, int] = {}
    with engine.connect() as connection:
        for name in tables:
            table = Base.metadata.tables[name]
            result[name] = (
                int(connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
            )
    return result
