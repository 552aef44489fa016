"""The household books as the register exchange format reads and writes them, by natural keys.

Reading (:meth:`RegisterBooks.books`) gives each household of an LSG body with its address,
members (each with the person and their PIN aliases), dwellings, land and livestock, as column
mappings; :mod:`sanarip_hub.register` turns them into records.  Writing (:class:`BookWriting`) is one
transaction per LSG body in which the importer finds households by account number and persons by
PIN (current or alias), inserts what is new and updates what changed.  Rows are never deleted here:
a household missing from a full export is closed, and only when the operator asks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Engine,
    Insert,
    String,
    any_,
    bindparam,
    func,
    insert,
    select,
    update,
)

from sanarip_hub.domain.field_text import field_text
from sanarip_hub.storage.bulk import copy_rows, drop_for_load, reserve_ids, restore_after_load
from sanarip_hub.storage.models import (
    Address,
    AteUnit,
    Base,
    Dwelling,
    Household,
    HouseholdLand,
    HouseholdLivestock,
    HouseholdMember,
    LsgBody,
    Person,
    PersonFieldHistory,
    PersonPinAlias,
)
from sanarip_hub.storage.models.household import OPEN_MEMBERSHIP

Row = dict[str, Any]

# The columns the exchange format carries, per table (ids, keys to parents and timestamps excluded).
PERSON_FIELDS = (
    "pin", "pin_status", "surname", "given_name", "patronymic", "gender", "birth_date", "death_date",
    "marital_status", "nationality", "citizenship", "registered_soate", "registered_address",
)  # fmt: skip
HOUSEHOLD_FIELDS = ("book_no", "account_no", "household_type", "opened_at", "closed_at", "close_reason")
ADDRESS_FIELDS = ("soate_code", "street", "house", "flat", "text_raw")
MEMBER_FIELDS = (
    "relation_to_head", "member_from", "member_to", "is_temporarily_absent", "absence_reason",
    "absence_country",
)  # fmt: skip
DWELLING_FIELDS = (
    "eni_code", "dwelling_type", "ownership", "year_built", "area_total_m2", "area_living_m2", "rooms",
    "water", "sewerage", "gas", "heating", "electricity",
)  # fmt: skip
LAND_FIELDS = ("year", "parcel_no", "category", "area_ha", "irrigated", "land_right")
LIVESTOCK_FIELDS = ("year", "kind", "head_count")
ALIAS_FIELDS = ("pin", "kind", "source")
# A household's holdings, by the name the record and :class:`Book` give them: the table and its columns.
HOLDINGS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "dwellings": (Dwelling, DWELLING_FIELDS),
    "land": (HouseholdLand, LAND_FIELDS),
    "livestock": (HouseholdLivestock, LIVESTOCK_FIELDS),
}


def values_of(row: Any, fields: tuple[str, ...]) -> Row:
    """A result row's ``fields`` as a mapping."""
    mapping = row._mapping
    return {name: mapping[name] for name in fields}


@dataclass
class Member:
    person_id: int
    membership: Row
    person: Row
    aliases: list[Row]


@dataclass
class Book:
    """One household as stored: its columns and everything the exchange format carries with it."""

    id: int
    household: Row
    head_person_id: int | None
    address_id: int
    address: Row
    members: list[Member] = field(default_factory=list)
    dwellings: list[tuple[int, Row]] = field(default_factory=list)
    land: list[tuple[int, Row]] = field(default_factory=list)
    livestock: list[tuple[int, Row]] = field(default_factory=list)


@dataclass(frozen=True)
class Territory:
    """What validation checks codes against: СОАТЕ units with their end of validity, LSG bodies."""

    units: dict[str, date | None]  # soate_code -> valid_to (None: in force)
    lsg_bodies: dict[str, int]  # СОАТЕ code -> lsg_body.id


class RegisterBooks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def territory(self) -> Territory:
        with self.engine.connect() as connection:
            units = dict(connection.execute(select(AteUnit.soate_code, AteUnit.valid_to)).all())
            lsgs = {code: int(i) for code, i in connection.execute(select(LsgBody.soate_code, LsgBody.id))}
        return Territory(units, lsgs)

    def household_count(self, lsg: str | None = None) -> int:
        query = select(func.count()).select_from(Household)
        if lsg is not None:
            query = query.join(LsgBody, LsgBody.id == Household.lsg_id).where(LsgBody.soate_code == lsg)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def first_load(self) -> AbstractContextManager[bool]:
        """See :func:`first_load`."""
        return first_load(self.engine)

    def analyze(self) -> None:
        """Refresh the planner's statistics of the register's tables after an import wrote many rows.

        Without it, the next import's lookups ran on plans made for the empty tables of before:
        a re-import of 20,000 unchanged households took 212 s on PostgreSQL instead of 34 (the
        check against the hub's current households scanned whole tables per batch of PINs)."""
        if self.engine.dialect.name != "postgresql":
            return  # SQLite's planner works from its indexes without collected statistics
        with self.engine.begin() as connection:
            for table in REGISTER_TABLES:
                connection.exec_driver_sql(f"ANALYZE {table}")

    def current_households_of(self, pins: list[str]) -> dict[str, tuple[str, str]]:
        """PIN -> (LSG СОАТЕ, account number) of the household each person is a current member of."""
        found: dict[str, tuple[str, str]] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(pins), 500):
                rows = connection.execute(
                    select(Person.pin, LsgBody.soate_code, Household.account_no)
                    .join(HouseholdMember, HouseholdMember.person_id == Person.id)
                    .join(Household, Household.id == HouseholdMember.household_id)
                    .join(LsgBody, LsgBody.id == Household.lsg_id)
                    .where(Person.pin.in_(pins[start : start + 500]), OPEN_MEMBERSHIP)
                )
                for pin, lsg, account in rows:
                    found[str(pin)] = (lsg, account)
        return found

    def books(self, lsg_id: int) -> Iterator[Book]:
        """Every household of an LSG body, in id order, with what it holds."""
        with self.engine.connect() as connection:
            yield from _read_books(connection, lsg_id, None)

    @contextmanager
    def writing(
        self, lsg_id: int, source: str, commit: bool = True, now: datetime | None = None
    ) -> Iterator[BookWriting]:
        """One transaction for an LSG body's import: committed when the block ends without error
        (rolled back instead when ``commit`` is false: a dry run)."""
        with transaction(self.engine, commit) as connection:
            writing = BookWriting(connection, lsg_id, source, now or datetime.now(UTC))
            yield writing
            writing.flush()


def persons_by_pin(connection: Connection, pins: list[str]) -> dict[str, int]:
    """PIN (current, else an old one via aliases) -> person id, for the PINs the hub knows."""
    found: dict[str, int] = {}
    for start in range(0, len(pins), 500):
        chunk = pins[start : start + 500]
        for pin, person_id in connection.execute(
            select(Person.pin, Person.id).where(among(connection, Person.pin, chunk))
        ):
            found[str(pin)] = int(person_id)
        for pin, person_id in connection.execute(
            select(PersonPinAlias.pin, PersonPinAlias.person_id).where(
                among(connection, PersonPinAlias.pin, chunk)
            )
        ):
            found.setdefault(str(pin), int(person_id))
    return found


def among(connection: Connection, column: Any, values: list[str]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL as ``= ANY(array)``: one parameter instead of one per
    value, which the driver and the planner take in a fraction of the time of 500 (the import looks
    PINs up 500 at a time)."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


# The connection of a first load (:func:`first_load`), which every import transaction joins.
_FIRST_LOAD: ContextVar[Connection | None] = ContextVar("register_first_load", default=None)


@contextmanager
def first_load(engine: Engine) -> Iterator[bool]:
    """An import into a hub without any person or household, on PostgreSQL: one transaction for
    the whole import, in which the register tables' foreign keys are dropped and re-created (each
    validated once over its table at the end) instead of being checked by a trigger per inserted row
    (measured: 925 → 1,361 households/s at 5,000).  The import's transactions become savepoints of
    it, and nothing is written unless all of it is: a failed or killed first load leaves the hub
    empty.  The register tables are locked until it commits (the hub has nothing to serve yet).
    Yields whether the load is a first load; otherwise the import runs as it always does."""
    if engine.dialect.name != "postgresql" or _FIRST_LOAD.get() is not None:
        yield False
        return
    with engine.connect() as connection:
        begun = connection.begin()
        empty = (
            not connection.execute(select(Person.id).limit(1)).first()
            and not connection.execute(select(Household.id).limit(1)).first()
        )
        if not empty:
            begun.rollback()
            yield False
            return
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        tables = [Base.metadata.tables[name] for name in REGISTER_TABLES]
        dropped = drop_for_load(connection, tables, keep_lookups=True)
        token = _FIRST_LOAD.set(connection)
        try:
            yield True
            restore_after_load(connection, dropped, tables)
        except BaseException:
            begun.rollback()
            raise
        finally:
            _FIRST_LOAD.reset(token)
        begun.commit()


@contextmanager
def transaction(engine: Engine, commit: bool = True) -> Iterator[Connection]:
    """One import transaction: committed when the block ends without error, rolled back if it
    raises, or when ``commit`` is false (a dry run).  Inside a :func:`first_load`, a savepoint of
    its transaction."""
    shared = _FIRST_LOAD.get()
    if shared is not None:
        savepoint = shared.begin_nested()
        try:
            yield shared
        except BaseException:
            savepoint.rollback()
            raise
        if commit:
            savepoint.commit()
        else:
            savepoint.rollback()
        return
    with engine.connect() as connection:
        begun = connection.begin()
        if connection.dialect.name == "postgresql":
            # The import looks rows up by lists of hundreds of keys (PINs, account numbers) in tables
            # it is filling.  A prepared statement's generic plan cannot hash such a list (its
            # values are parameters), and was made on the statistics of the empty tables of before:
            # it scanned the whole person table per list, 0.3 s a query at 72,000 persons (107 of
            # the 210 s of a 20,000-household import).  A custom plan sees the list's values.
            connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        try:
            yield connection
        except BaseException:
            begun.rollback()
            raise
        if commit:
            begun.commit()
        else:
            begun.rollback()


def _read_books(connection: Connection, lsg_id: int, accounts: list[str] | None) -> Iterator[Book]:
    query = (
        select(
            Household.id,
            Household.address_id,
            Household.head_person_id,
            *(Household.__table__.c[f] for f in HOUSEHOLD_FIELDS),
        )
        .where(Household.lsg_id == lsg_id)
        .order_by(Household.id)
    )
    if accounts is not None:
        query = query.where(Household.account_no.in_(accounts))
    households = connection.execute(query).all()
    if not households:
        return
    ids = [row.id for row in households]
    by_household: dict[str, dict[int, list[tuple[int, Row]]]] = {}
    for name, (table, fields) in HOLDINGS.items():
        grouped: dict[int, list[tuple[int, Row]]] = defaultdict(list)
        for start in range(0, len(ids), 1000):
            rows = connection.execute(
                select(table.id, table.household_id, *(table.__table__.c[f] for f in fields))
                .where(table.household_id.in_(ids[start : start + 1000]))
                .order_by(table.id)
            )
            for row in rows:
                grouped[row.household_id].append((row.id, values_of(row, fields)))
        by_household[name] = grouped
    addresses: dict[int, Row] = {}
    members: dict[int, list[Member]] = defaultdict(list)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        address_ids = [row.address_id for row in households[start : start + 1000]]
        for row in connection.execute(
            select(Address.id, *(Address.__table__.c[f] for f in ADDRESS_FIELDS)).where(
                Address.id.in_(address_ids)
            )
        ):
            addresses[row.id] = values_of(row, ADDRESS_FIELDS)
        members_rows = connection.execute(
            select(
                HouseholdMember.household_id,
                HouseholdMember.person_id,
                *(HouseholdMember.__table__.c[f] for f in MEMBER_FIELDS),
                *(Person.__table__.c[f].label(f"p_{f}") for f in PERSON_FIELDS),
            )
            .join(Person, Person.id == HouseholdMember.person_id)
            .where(HouseholdMember.household_id.in_(chunk))
            .order_by(HouseholdMember.id)
        ).all()
        aliases: dict[int, list[Row]] = defaultdict(list)
        person_ids = sorted({row.person_id for row in members_rows})
        for alias_start in range(0, len(person_ids), 1000):
            for alias in connection.execute(
                select(PersonPinAlias.person_id, *(PersonPinAlias.__table__.c[f] for f in ALIAS_FIELDS))
                .where(PersonPinAlias.person_id.in_(person_ids[alias_start : alias_start + 1000]))
                .order_by(PersonPinAlias.id)
            ):
                aliases[alias.person_id].append(values_of(alias, ALIAS_FIELDS))
        for row in members_rows:
            mapping = row._mapping
            person = {f: mapping[f"p_{f}"] for f in PERSON_FIELDS}
            members[row.household_id].append(
                Member(row.person_id, values_of(row, MEMBER_FIELDS), person, aliases[row.person_id])
            )
    for row in households:
        yield Book(
            row.id,
            values_of(row, HOUSEHOLD_FIELDS),
            row.head_person_id,
            row.address_id,
            addresses[row.address_id],
            members[row.id],
            by_household["dwellings"][row.id],
            by_household["land"][row.id],
            by_household["livestock"][row.id],
        )


# the tables an import writes (ANALYZEd after it)
REGISTER_TABLES = (
    "person", "person_pin_alias", "address", "household", "household_member",
    "dwelling", "household_land", "household_livestock",
    "social_passport", "social_passport_member", "social_service_access",
    "land_queue", "land_application", "land_application_event",
    "municipal_property", "property_lease", "property_event",
)  # fmt: skip
_ADD_PERSON = insert(Person).returning(Person.id)
_ADD_PERSONS = insert(Person).returning(Person.id, sort_by_parameter_order=True)
_ADD_ADDRESSES = insert(Address).returning(Address.id, sort_by_parameter_order=True)
_ADD_HOUSEHOLDS = insert(Household).returning(Household.id, sort_by_parameter_order=True)
_ADD_ALIAS = insert(PersonPinAlias)
_ADD_MEMBER = insert(HouseholdMember)
_ADD_HOLDING = {kind: insert(table) for kind, (table, _fields) in HOLDINGS.items()}
_SET_HEAD = (
    update(Household.__table__)  # type: ignore[arg-type]
    .where(Household.__table__.c.id == bindparam("household"))
    .values(head_person_id=bindparam("head"))
)


class BookWriting:
    """Inside an LSG body's import transaction: look up by natural key, insert, update.

    Rows nobody needs an id of (memberships, holdings, PIN aliases, a new household's head) are
    queued and sent as one ``executemany`` per table when the chunk is done or before the next
    read, and every statement is a constant the driver's statement cache keeps: a statement built
    per row (``insert(…).values(**row)``) cost more to compile than to run (0.7–0.9 ms a row)."""

    def __init__(self, connection: Connection, lsg_id: int, source: str, now: datetime) -> None:
        self.connection = connection
        self.lsg_id = lsg_id
        self.source = source
        self.now = now
        self.persons: dict[str, int] = {}  # PIN (current or alias) -> person id, filled as needed
        self._queued: dict[Any, list[Row]] = defaultdict(list)  # statement -> its rows, in order
        self.fresh: dict[int, Row] = {}  # people inserted by this import: id -> the values inserted
        # PostgreSQL: new rows go in by COPY with ids reserved from the sequences.  A multi-row
        # INSERT … RETURNING is re-parsed by the driver per batch (its text is too long for the
        # statement cache): 45 of the 146 s of a profiled 20,000-household import.
        self._copy = connection.dialect.name == "postgresql"

    def flush(self) -> None:
        """Send the queued rows (memberships after the people and households they name)."""
        queued, self._queued = self._queued, defaultdict(list)
        for statement, rows in queued.items():
            if self._copy and isinstance(statement, Insert):
                copy_rows(self.connection, statement.table, rows)  # type: ignore[arg-type]
            else:
                self.connection.execute(statement, rows)

    def _add(self, statement: Any, rows: list[Row]) -> list[int]:
        """Insert rows now (not queued); their ids in order."""
        if self._copy:
            table = statement.table
            ids = reserve_ids(self.connection, table.name, len(rows))
            copy_rows(
                self.connection, table, [{"id": row_id, **row} for row_id, row in zip(ids, rows, strict=True)]
            )
            return ids
        return [int(found) for found in self.connection.execute(statement, rows).scalars()]

    def stored(self, accounts: list[str]) -> dict[str, Book]:
        """The stored households of these account numbers, by account number."""
        self.flush()
        return {
            book.household["account_no"]: book for book in _read_books(self.connection, self.lsg_id, accounts)
        }

    def open_accounts(self) -> dict[str, int]:
        """Account number -> id of every open household of the LSG body, in id order."""
        self.flush()
        rows = self.connection.execute(
            select(Household.account_no, Household.id)
            .where(Household.lsg_id == self.lsg_id, Household.closed_at.is_(None))
            .order_by(Household.id)
        )
        return {account: int(household_id) for account, household_id in rows}

    def find_persons(self, pins: list[str]) -> None:
        """Remember the person ids of these PINs, current or alias."""
        self.flush()
        wanted = [pin for pin in pins if pin not in self.persons]
        self.persons.update(persons_by_pin(self.connection, wanted))

    def person(self, person_id: int) -> Row:
        row = self.connection.execute(
            select(*(Person.__table__.c[f] for f in PERSON_FIELDS)).where(Person.id == person_id)
        ).one()
        return values_of(row, PERSON_FIELDS)

    def aliases(self, person_id: int) -> list[Row]:
        self.flush()
        rows = self.connection.execute(
            select(*(PersonPinAlias.__table__.c[f] for f in ALIAS_FIELDS)).where(
                PersonPinAlias.person_id == person_id
            )
        )
        return [values_of(row, ALIAS_FIELDS) for row in rows]

    def add_persons(self, rows: list[Row]) -> None:
        """Insert people with PINs in one statement (ids back in the rows' order); they are
        remembered by PIN and as :attr:`fresh` (nothing stored to compare them with)."""
        if not rows:
            return
        found = self._add(_ADD_PERSONS, [{"lsg_id": self.lsg_id, **values} for values in rows])
        for values, person_id in zip(rows, found, strict=True):
            self.persons[values["pin"]] = int(person_id)
            self.fresh[int(person_id)] = values

    def add_person(self, values: Row) -> int:
        person_id = self.connection.execute(_ADD_PERSON, {"lsg_id": self.lsg_id, **values}).scalar_one()
        if values.get("pin"):
            self.persons[values["pin"]] = int(person_id)
        return int(person_id)

    def change_person(self, person_id: int, old: Mapping[str, Any], changes: Row) -> None:
        """Update a person's fields and keep each old value in ``person_field_history``."""
        self.connection.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(**changes, version=Person.version + 1, updated_at=self.now)
        )
        self.connection.execute(
            insert(PersonFieldHistory),
            [
                {
                    "person_id": person_id,
                    "field": name,
                    "old_value": field_text(old.get(name)),
                    "new_value": field_text(value),
                    "changed_at": self.now,
                    "actor": self.source[:100],
                }
                for name, value in changes.items()
            ],
        )
        if changes.get("pin"):
            self.persons[changes["pin"]] = person_id

    def add_alias(self, person_id: int, alias: Row) -> None:
        self._queued[_ADD_ALIAS].append({"person_id": person_id, **alias})
        self.persons.setdefault(alias["pin"], person_id)

    def add_households(self, rows: list[tuple[Row, Row]]) -> list[int]:
        """Insert households with their addresses, two statements for all; their ids in order."""
        if not rows:
            return []
        addresses = self._add(_ADD_ADDRESSES, [address for _, address in rows])
        households = [
            {"lsg_id": self.lsg_id, "address_id": address_id, **household}
            for (household, _), address_id in zip(rows, addresses, strict=True)
        ]
        return self._add(_ADD_HOUSEHOLDS, households)

    def change_household(self, household_id: int, changes: Row) -> None:
        self.connection.execute(
            update(Household)
            .where(Household.id == household_id)
            .values(**changes, version=Household.version + 1, updated_at=self.now)
        )

    def set_head(self, household_id: int, person_id: int | None) -> None:
        """The head of a household just added (no change of an existing record: no version bump)."""
        self._queued[_SET_HEAD].append({"household": household_id, "head": person_id})

    def change_address(self, address_id: int, changes: Row) -> None:
        self.connection.execute(update(Address).where(Address.id == address_id).values(**changes))

    def add_member(self, household_id: int, person_id: int, values: Row) -> None:
        self._queued[_ADD_MEMBER].append({"household_id": household_id, "person_id": person_id, **values})

    def change_member(self, household_id: int, person_id: int, member_from: date, changes: Row) -> None:
        self.connection.execute(
            update(HouseholdMember)
            .where(
                HouseholdMember.household_id == household_id,
                HouseholdMember.person_id == person_id,
                HouseholdMember.member_from == member_from,
            )
            .values(**changes)
        )

    def add_holding(self, kind: str, household_id: int, values: Row) -> None:
        self._queued[_ADD_HOLDING[kind]].append({"household_id": household_id, **values})

    def change_holding(self, kind: str, row_id: int, changes: Row) -> None:
        table = HOLDINGS[kind][0]
        self.connection.execute(update(table).where(table.id == row_id).values(**changes))
