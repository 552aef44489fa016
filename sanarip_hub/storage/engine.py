"""Engines for the two back ends, with the settings each needs to behave.

SQLite: a file in the hub's data directory, WAL journal (readers never block the writer),
``foreign_keys=ON`` (off by default in SQLite!), a busy timeout so concurrent CLI runs wait instead
of failing.  PostgreSQL: psycopg 3, a connect timeout so an unreachable server is a clear error in
seconds, and an optional schema (``search_path``) so test runs and tenants are isolated.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError

from sanarip_hub.config import Settings
from sanarip_hub.errors import DatabaseUnavailable

SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=30000",
)


def safe_url(url: str | URL) -> str:
    """The URL with its password masked: the only form that may appear in messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _normalise(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(
    settings: Settings,
    *,
    url: str | None = None,
    check: bool = True,
    pre_ping: bool = True,
    max_overflow: int = 10,
    plan_once: bool = False,
) -> Engine:
    """Create the engine for ``settings`` (or an explicit ``url``) and, with ``check``, connect once.

    ``pre_ping`` tests each pooled PostgreSQL connection before use (one round trip).  The producer
    turns it off: on its hot path that round trip costs as much as a query, and a connection lost
    to a database restart is invalidated by the pool on the first error anyway, so the cost of
    going without is one ``Server.DatabaseError`` fault per stale connection.  ``max_overflow`` is
    how many connections beyond ``database.pool_size`` may be opened under load (and closed again
    when returned: the producer sets 0 and bounds its threads instead, since a new PostgreSQL
    connection per request under load costs a backend fork each time).

    ``plan_once`` (PostgreSQL): the connections plan each prepared statement once and keep that plan
    (``plan_cache_mode = force_generic_plan``).  For an engine that runs only the request path's key
    lookups and the ledger append: left to choose, PostgreSQL planned the household-card statement
    afresh at every execution (its array of PINs makes the generic plan look dearer; 25 custom plans
    in 25 executions), ~0.6 ms of the server's CPU per statement; never for queries whose best plan
    depends on their values (a ``LIKE`` prefix, a date range), which stay on an engine without it.

    The check turns "no such host", "connection refused", a wrong password or an unwritable SQLite
    directory into :class:`DatabaseUnavailable` with one readable line, within
    ``database.connect_timeout`` seconds.
    """
    parsed = _normalise(url or settings.database_url)
    schema = settings.database.schema
    kwargs: dict[str, Any] = {"echo": settings.database.echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(
                    f"cannot create the directory of {database}: {exc.strerror}"
                ) from None
        kwargs["connect_args"] = {"timeout": 30}
        engine = create_engine(parsed, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

    elif parsed.get_backend_name() == "postgresql":
        # UTF-8 on the wire whatever the server's default: the ledger's append sends text it encoded
        connect_args: dict[str, Any] = {
            "connect_timeout": settings.database.connect_timeout,
            "client_encoding": "utf8",
        }
        if schema:
            connect_args["options"] = f"-csearch_path={schema}"
        if plan_once:
            options = connect_args.get("options", "")
            connect_args["options"] = f"{options} -cplan_cache_mode=force_generic_plan".strip()
        kwargs.update(
            connect_args=connect_args,
            pool_size=settings.database.pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=pre_ping,
        )
        engine = create_engine(parsed, **kwargs)
    else:  # config validation already restricts the scheme; this guards explicit URLs
        raise DatabaseUnavailable(f"unsupported database: {safe_url(parsed)}")

    if check:
        check_connection(engine, schema)
    return engine


def check_connection(engine: Engine, schema: str = "") -> None:
    """Connect once; create the configured PostgreSQL schema if it is missing."""
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql" and schema:
                connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
                connection.commit()
            else:
                connection.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise DatabaseUnavailable(
            f"cannot reach the database at {safe_url(engine.url)}: {_reason(exc)}"
        ) from None


def _reason(exc: DBAPIError) -> str:
    """The driver's first meaningful line, without SQLAlchemy's and libpq's boilerplate."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    reason = lines[0] if lines else type(exc).__name__
    reason = re.sub(r"^connection failed: ", "", reason)
    reason = re.sub(r'^connection to server at "?[^"]*"?(?: \([^)]*\))?, port \d+ failed: ', "", reason)
    return reason.removeprefix("FATAL:").strip()
