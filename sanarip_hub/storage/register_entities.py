"""An LSG body's keyed registers besides the household books, as the exchange format reads and writes them.

Land-queue applications (key: registration number) and municipal property (key: inventory number,
or the ЕНИ when the inventory was renumbered) are each a row with lists of child rows: an
application's status events, a property's leases and events.  One :class:`Entities` description per
register says which columns the exchange format carries and how a child row is keyed within its
parent, so reading, inserting and updating are written once.  Child rows are history (events) or
contracts (leases): a row missing from a file is kept, never deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, Table, insert, select, update

from sanarip_hub.storage.bulk import PendingRows
from sanarip_hub.storage.models import (
    Household,
    HouseholdMember,
    LandApplication,
    LandApplicationEvent,
    LandQueue,
    MunicipalProperty,
    Person,
    PropertyEvent,
    PropertyLease,
)
from sanarip_hub.storage.register_books import persons_by_pin, transaction, values_of

Row = dict[str, Any]
BATCH = 1000


@dataclass(frozen=True)
class Children:
    """A list of child rows of a register's row: ``name`` in the record, keyed by ``key`` within it."""

    name: str
    table: Table
    parent: str  # the column naming the parent row
    fields: tuple[str, ...]
    key: tuple[str, ...]


@dataclass(frozen=True)
class Entities:
    """One keyed register: its table, natural key, the columns the exchange format carries, the
    looked-up values it shows beside them (``extras``: a queue's name, an applicant's PIN …) and a
    query of an LSG body's rows giving all of them."""

    table: Table
    key: str
    fields: tuple[str, ...]
    extras: tuple[str, ...]
    scope: Callable[[int], Select[Any]]
    children: tuple[Children, ...]
    lsg_column: str | None = None  # the column naming the LSG body, where the row has one


@dataclass
class StoredEntity:
    id: int
    values: Row  # fields and extras
    children: dict[str, list[tuple[int, Row]]] = field(default_factory=dict)


APPLICATION_FIELDS = (
    "reg_number", "reg_datetime", "priority_category", "has_own_housing", "has_land_plot",
    "residence_since", "status", "status_reason", "allocated_parcel_eni", "decision_no", "decision_date",
    "lease_term_years", "lease_area_ha",
)  # fmt: skip
IDENTITY_FIELDS = ("pin", "surname", "given_name", "birth_date")  # how a record names a person
APPLICANT_FIELDS = IDENTITY_FIELDS
QUEUE_FIELDS = ("purpose", "name", "opened_at")
APPLICATION_EXTRAS = (
    *(f"queue_{name}" for name in QUEUE_FIELDS), *(f"applicant_{name}" for name in APPLICANT_FIELDS),
    "account_no",
)  # fmt: skip
PROPERTY_FIELDS = (
    "inventory_no", "eni_code", "kind", "name", "address_text", "area_m2", "area_ha", "length_m",
    "year_built", "book_value_som", "residual_value_som", "valuation_date", "acquisition_basis",
    "acquisition_doc_no", "acquisition_doc_date", "use_status", "balance_holder",
)  # fmt: skip


def _applications(lsg_id: int) -> Select[Any]:
    table = LandApplication.__table__
    return (
        select(
            table.c.id,
            *(table.c[name] for name in APPLICATION_FIELDS),
            *(LandQueue.__table__.c[name].label(f"queue_{name}") for name in QUEUE_FIELDS),
            *(Person.__table__.c[name].label(f"applicant_{name}") for name in APPLICANT_FIELDS),
            Household.account_no,
        )
        .join(LandQueue, LandQueue.id == LandApplication.queue_id)
        .join(Person, Person.id == LandApplication.applicant_person_id)
        .outerjoin(Household, Household.id == LandApplication.household_id)
        .where(LandQueue.lsg_id == lsg_id)
    )


def _properties(lsg_id: int) -> Select[Any]:
    table = MunicipalProperty.__table__
    return select(table.c.id, *(table.c[name] for name in PROPERTY_FIELDS)).where(table.c.lsg_id == lsg_id)


LAND_APPLICATIONS = Entities(
    LandApplication.__table__,  # type: ignore[arg-type]
    "reg_number",
    APPLICATION_FIELDS,
    APPLICATION_EXTRAS,
    _applications,
    (
        Children(
            "events",
            LandApplicationEvent.__table__,  # type: ignore[arg-type]
            "application_id",
            ("at", "from_status", "to_status", "actor", "reason"),
            ("at", "to_status"),
        ),
    ),
)
MUNICIPAL_PROPERTY = Entities(
    MunicipalProperty.__table__,  # type: ignore[arg-type]
    "inventory_no",
    PROPERTY_FIELDS,
    (),
    _properties,
    (
        Children(
            "leases",
            PropertyLease.__table__,  # type: ignore[arg-type]
            "property_id",
            (
                "contract_no",
                "lessee_inn",
                "lessee_name",
                "valid_from",
                "valid_to",
                "rent_som_month",
                "purpose",
            ),
            ("contract_no",),
        ),
        Children(
            "events",
            PropertyEvent.__table__,  # type: ignore[arg-type]
            "property_id",
            ("at", "kind", "doc_no", "doc_date", "amount_som"),
            ("at", "kind"),
        ),
    ),
    "lsg_id",
)


def read_entities(
    connection: Connection, kind: Entities, lsg_id: int, keys: list[str] | None = None, column: str = ""
) -> list[StoredEntity]:
    """An LSG body's rows of a register in id order (only those whose ``column``, the natural key
    unless named, is among ``keys`` when given), each with its child rows."""
    query = kind.scope(lsg_id).order_by(kind.table.c.id)
    if keys is not None:
        query = query.where(kind.table.c[column or kind.key].in_(keys))
    found = [
        StoredEntity(
            int(row.id), values_of(row, kind.fields + kind.extras), {c.name: [] for c in kind.children}
        )
        for row in connection.execute(query)
    ]
    by_id = {entity.id: entity for entity in found}
    ids = list(by_id)
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        for children in kind.children:
            table = children.table
            rows = connection.execute(
                select(table.c.id, table.c[children.parent], *(table.c[name] for name in children.fields))
                .where(table.c[children.parent].in_(part))
                .order_by(table.c.id)
            )
            for row in rows:
                by_id[row._mapping[children.parent]].children[children.name].append(
                    (int(row.id), values_of(row, children.fields))
                )
    return found


def read_register(engine: Engine, kind: Entities, lsg_id: int) -> list[StoredEntity]:
    """Every row of a register of an LSG body (what ``register export`` writes)."""
    with engine.connect() as connection:
        return read_entities(connection, kind, lsg_id)


class EntityWriting:
    """Inside an LSG body's import transaction: find rows by natural key, insert, update.

    New rows and child rows are :class:`PendingRows`, sent before the next read and when the
    transaction ends; changes go at once (they only touch rows stored before)."""

    def __init__(self, connection: Connection, kind: Entities, lsg_id: int) -> None:
        self.connection = connection
        self.kind = kind
        self.lsg_id = lsg_id
        self.now = datetime.now(UTC)
        self.pending = PendingRows(connection)

    def stored(self, keys: list[str], column: str = "") -> list[StoredEntity]:
        self.pending.flush()
        found = []
        for start in range(0, len(keys), BATCH):
            found += read_entities(
                self.connection, self.kind, self.lsg_id, keys[start : start + BATCH], column
            )
        return found

    def keys(self) -> dict[str, int]:
        """Natural key -> id of every row of the LSG body."""
        self.pending.flush()
        table = self.kind.table
        query = self.kind.scope(self.lsg_id).with_only_columns(table.c[self.kind.key], table.c.id)
        return {str(key): int(row_id) for key, row_id in self.connection.execute(query)}

    def add(self, values: Row) -> int:
        table = self.kind.table
        row = {**values, self.kind.lsg_column: self.lsg_id} if self.kind.lsg_column else values
        return self.pending.add(table, row)

    def change(self, row_id: int, changes: Row) -> None:
        table = self.kind.table
        self.connection.execute(
            update(table)
            .where(table.c.id == row_id)
            .values(**changes, version=table.c.version + 1, updated_at=self.now)
        )

    def add_children(self, children: Children, parent_id: int, rows: list[Row]) -> None:
        self.pending.queue(children.table, ({**row, children.parent: parent_id} for row in rows))

    def change_child(self, children: Children, row_id: int, changes: Row) -> None:
        table = children.table
        self.connection.execute(update(table).where(table.c.id == row_id).values(**changes))

    def value(self, row_id: int, column: str) -> Any:
        self.pending.flush()
        table = self.kind.table
        return self.connection.execute(select(table.c[column]).where(table.c.id == row_id)).scalar_one()

    # What a land application names besides its own columns.

    def queues(self) -> dict[str, tuple[int, Row]]:
        """The LSG body's land queues: purpose -> (id, its name and opening date)."""
        self.pending.flush()
        rows = self.connection.execute(
            select(LandQueue.id, *(LandQueue.__table__.c[name] for name in QUEUE_FIELDS)).where(
                LandQueue.lsg_id == self.lsg_id
            )
        )
        return {str(row.purpose): (int(row.id), values_of(row, QUEUE_FIELDS)) for row in rows}

    def add_queue(self, values: Row) -> int:
        row = {**values, "lsg_id": self.lsg_id}
        return int(self.connection.execute(insert(LandQueue).returning(LandQueue.id), [row]).scalar_one())

    def change_queue(self, queue_id: int, changes: Row) -> None:
        self.connection.execute(update(LandQueue).where(LandQueue.id == queue_id).values(**changes))

    def households(self, accounts: list[str]) -> tuple[dict[str, int], dict[str, list[tuple[int, Row]]]]:
        self.pending.flush()
        return households_of(self.connection, self.lsg_id, accounts)

    def persons_by_pin(self, pins: list[str]) -> dict[str, int]:
        self.pending.flush()
        return persons_by_pin(self.connection, pins)


def household_people(
    connection: Connection, lsg_id: int, accounts: list[str]
) -> dict[str, list[tuple[int, Row]]]:
    """The persons who were ever members of these households: account → [(person id, identity)]."""
    found: dict[str, list[tuple[int, Row]]] = defaultdict(list)
    for start in range(0, len(accounts), BATCH):
        rows = connection.execute(
            select(Household.account_no, Person.id, *(Person.__table__.c[f] for f in IDENTITY_FIELDS))
            .join(HouseholdMember, HouseholdMember.household_id == Household.id)
            .join(Person, Person.id == HouseholdMember.person_id)
            .where(Household.lsg_id == lsg_id, Household.account_no.in_(accounts[start : start + BATCH]))
            .order_by(HouseholdMember.person_id)
        )  # fmt: skip
        for row in rows:
            found[row.account_no].append((row.id, values_of(row, IDENTITY_FIELDS)))
    return found


def households_of(
    connection: Connection, lsg_id: int, accounts: list[str]
) -> tuple[dict[str, int], dict[str, list[tuple[int, Row]]]]:
    """Household ids by account number, and their persons (:func:`household_people`)."""
    ids: dict[str, int] = {}
    for start in range(0, len(accounts), BATCH):
        rows = connection.execute(
            select(Household.account_no, Household.id).where(
                Household.lsg_id == lsg_id, Household.account_no.in_(accounts[start : start + BATCH])
            )
        )
        ids.update({row.account_no: row.id for row in rows})
    return ids, household_people(connection, lsg_id, accounts)


def known_pins(engine: Engine, pins: list[str]) -> set[str]:
    """Those of these PINs the hub knows (as a person's PIN or an old one)."""
    with engine.connect() as connection:
        return set(persons_by_pin(connection, pins))


@contextmanager
def entity_writing(
    engine: Engine, kind: Entities, lsg_id: int, commit: bool = True
) -> Iterator[EntityWriting]:
    """One LSG body's writing of a register in one transaction (rolled back unless ``commit``)."""
    with transaction(engine, commit) as connection:
        writing = EntityWriting(connection, kind, lsg_id)
        yield writing
        writing.pending.flush()
