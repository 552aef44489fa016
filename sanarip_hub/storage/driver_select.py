"""A hot SELECT run on the driver connection, with SQLAlchemy's own result conversions.

SQLAlchemy's per-execution layers (execution context, parameter processing, result metadata: on
psycopg 3 every ``cursor.description`` builds a ``Column`` object per column) cost ~190 µs of CPU
per statement on PostgreSQL, measured on the household-card statement of a batch of six cards
(386 µs through ``Connection.execute``, 196 µs on the driver).  That statement runs for every batch
of personal-data requests, so it is compiled once here and run on the psycopg connection beneath the
SQLAlchemy one; each column still gets the conversion its SQLAlchemy type gives it (enums, numerics
as floats, timestamps), looked up once from the types the server reports, and the engine's
``before_cursor_execute`` listeners still see the statement.

Only for statements on the request path, on PostgreSQL; everything else goes through SQLAlchemy.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
import psycopg
import psycopg.sql
from psycopg.abc import Buffer
from psycopg.rows import tuple_row
from psycopg.types.json import JsonLoader
from sqlalchemy import Select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

JSON_OID = 114  # PostgreSQL's json type (pg_type.oid, fixed)


class PlainJsonLoader(JsonLoader):
    """``json`` values decoded by orjson, for statements whose JSON holds only what orjson decodes
    exactly as :func:`json.loads` does: integers within 64 bits (orjson turns larger ones into
    floats), strings without lone surrogates (which PostgreSQL's text cannot hold), no NaN.  The
    household card's member and livestock lists are such JSON (``json_build_object`` over text,
    date, boolean and integer columns); decoding them was ~3% of a worker's CPU under load, and
    orjson takes a third of the time."""

    def load(self, data: Buffer) -> Any:
        return orjson.loads(data)


class DriverSelect:
    """``statement`` compiled once for PostgreSQL; :meth:`rows` runs it on a connection's driver
    connection and returns named tuples with the fields of SQLAlchemy's rows, converted alike."""

    def __init__(self, statement: Select[Any], *, plain_json: bool = False) -> None:
        self.statement = statement
        self.plain_json = plain_json
        self._sql: str | None = None
        self._constants: dict[str, Any] = {}  # parameters fixed at compile time (JSON keys, limits)
        self._row_type: Any = namedtuple("Row", [column.key for column in statement.selected_columns])  # type: ignore[misc]
        self._processors: list[tuple[int, Callable[[Any], Any]]] | None = None

    def _compile(self, connection: Connection) -> str:
        """The statement's text, its fixed values written in as literals: the values the code put
        in the statement (a member record's JSON keys, a LIMIT) are the same at every execution,
        and psycopg converting fourteen parameters per execution cost more than PostgreSQL's
        reading them.  Values of other types, and named parameters, stay parameters."""
        compiled = self.statement.compile(dialect=connection.dialect)
        sql = str(compiled)
        raw = connection.connection.driver_connection
        constants = {}
        for key, value in compiled.params.items():
            if value is None:
                continue
            if compiled.binds[key].unique and type(value) in (str, int):
                literal = psycopg.sql.Literal(value).as_string(raw).replace("%", "%%")
                sql = sql.replace(f"%({key})s", literal)
            else:
                constants[key] = value
        self._constants, self._sql = constants, sql
        return sql

    def _processors_for(
        self, connection: Connection, type_codes: Sequence[int]
    ) -> list[tuple[int, Callable[[Any], Any]]]:
        processors: list[tuple[int, Callable[[Any], Any]]] = []
        for index, (column, code) in enumerate(zip(self.statement.selected_columns, type_codes, strict=True)):
            processor = column.type._cached_result_processor(connection.dialect, code)
            if processor is not None:
                processors.append((index, processor))
        return processors

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The statement's rows for ``params`` (a driver error is raised as SQLAlchemy's
        :class:`DBAPIError`, and a connection it broke is invalidated, as SQLAlchemy does)."""
        sql = self._sql or self._compile(connection)
        raw: Any = connection.connection.driver_connection
        values = {**self._constants, **params} if self._constants else params
        try:
            with raw.cursor(row_factory=tuple_row) as cursor:
                if self.plain_json:
                    cursor.adapters.register_loader(JSON_OID, PlainJsonLoader)
                connection.dispatch.before_cursor_execute(connection, cursor, sql, values, None, False)
                cursor.execute(sql, values)
                fetched = cursor.fetchall()
                if self._processors is None:
                    self._processors = self._processors_for(
                        connection, [column.type_code for column in cursor.description]
                    )
        except psycopg.Error as exc:
            if raw.closed or isinstance(exc, psycopg.OperationalError):
                connection.invalidate(exc)
            raise DBAPIError(sql, None, exc) from exc
        make, processors = self._row_type._make, self._processors
        if not processors:
            return [make(row) for row in fetched]
        converted = []
        for row in fetched:
            fields = list(row)
            for index, processor in processors:
                if fields[index] is not None:
                    fields[index] = processor(fields[index])
            converted.append(make(fields))
        return converted
