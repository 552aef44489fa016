"""Declarative base, column types and mixins shared by every table.

Choices that matter for both back ends:

* Primary keys are 64-bit integers (``BIGINT`` identity on PostgreSQL, ``INTEGER PRIMARY KEY`` on
  SQLite so that it is the rowid).  The bulk loader assigns them explicitly, which lets one pass write
  parents and children with COPY and no round trips.
* Timestamps are always UTC.  PostgreSQL stores ``timestamptz``; SQLite stores naive UTC text and
  :class:`UTCDateTime` hands back aware datetimes, so callers see the same values on both.
* Code lists are stored as short strings with a CHECK constraint (never native ENUM types, which make
  migrations of the list painful on PostgreSQL).
* Constraint names follow one convention so that Alembic can drop and alter them on both back ends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Enum, Integer, MetaData, Numeric, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

IdType = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on PostgreSQL and SQLite alike.

    Naive datetimes are refused on the way in: a naive value is a bug (local time leaking in),
    and silently guessing its zone would corrupt the exchange log's order.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Quantity(TypeDecorator[float]):
    """A fixed-point column (areas, money) read back as ``float`` on both back ends.

    SQLite's NUMERIC affinity stores 103.0 as the integer 103; without this the same row would read
    back as ``103`` on SQLite and ``103.0`` on PostgreSQL.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision, scale, asdecimal=False)

    def process_result_value(self, value: Any, dialect: Dialect) -> float | None:
        return None if value is None else float(value)


def code_list(enum: type[StrEnum], name: str) -> Enum:
    """A VARCHAR column restricted to ``enum``'s values by a named CHECK constraint."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda e: [member.value for member in e],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """The declarative base of every hub table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def id_column() -> Mapped[int]:
    """A 64-bit surrogate primary key."""
    return mapped_column(IdType, primary_key=True, autoincrement=True)


class Timestamped:
    """Creation and last-change times plus an optimistic-lock version counter.

    ``version`` is incremented by the ORM on every UPDATE (``version_id_col``), so two clerks
    editing the same record cannot overwrite each other silently.
    """

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.current_timestamp())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), onupdate=lambda: datetime.now(UTC))
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
