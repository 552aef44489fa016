"""Social passports as the register exchange format reads and writes them, by natural keys.

A passport is found by its number within its LSG body, its household by account number; a member
is a person of that household (by PIN, or, without one, by name and birth date).  The members and
services are the family's composition and support at the passport's last review, not facts about
the persons: when they differ from the file they are replaced as a whole.  Nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update

from sanarip_hub.storage.bulk import PendingRows
from sanarip_hub.storage.models import (
    Household,
    Person,
    SocialPassport,
    SocialPassportMember,
    SocialServiceAccess,
)
from sanarip_hub.storage.register_books import transaction, values_of
from sanarip_hub.storage.register_entities import IDENTITY_FIELDS, household_people, households_of

Row = dict[str, Any]

PASSPORT_FIELDS = (
    "number", "opened_at", "reviewed_at", "next_review_due", "status", "commission_decision_no",
    "commission_decision_date", "per_capita_income_som", "gmi_som_at_assessment", "is_below_gmi",
    "welfare_category", "land_ha", "livestock_units", "vehicles", "dwelling_condition",
)  # fmt: skip
PASSPORT_MEMBER_FIELDS = ("relation", "employment", "disability_group", "income_monthly_som", "income_source")
ACCESS_FIELDS = ("service", "status", "since", "source")
BATCH = 1000
FIELDS, ACCESS = PASSPORT_FIELDS, ACCESS_FIELDS  # short names for the long selects


@dataclass
class StoredPassport:
    id: int
    account_no: str
    passport: Row
    members: list[tuple[Row, Row]] = field(default_factory=list)  # (identity, member columns)
    services: list[Row] = field(default_factory=list)


def _read(connection: Connection, lsg_id: int, numbers: list[str] | None) -> Iterator[StoredPassport]:
    query = (
        select(SocialPassport.id, Household.account_no, *(SocialPassport.__table__.c[f] for f in FIELDS))
        .join(Household, Household.id == SocialPassport.household_id)
        .where(SocialPassport.lsg_id == lsg_id)
        .order_by(SocialPassport.id)
    )  # fmt: skip
    if numbers is not None:
        query = query.where(SocialPassport.number.in_(numbers))
    passports = [
        StoredPassport(row.id, row.account_no, values_of(row, PASSPORT_FIELDS))
        for row in connection.execute(query)
    ]
    by_id = {passport.id: passport for passport in passports}
    ids = list(by_id)
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        members = connection.execute(
            select(
                SocialPassportMember.passport_id,
                *(Person.__table__.c[f] for f in IDENTITY_FIELDS),
                *(SocialPassportMember.__table__.c[f] for f in PASSPORT_MEMBER_FIELDS),
            )
            .join(Person, Person.id == SocialPassportMember.person_id)
            .where(SocialPassportMember.passport_id.in_(part))
            .order_by(SocialPassportMember.id)
        )
        for row in members:
            by_id[row.passport_id].members.append(
                (values_of(row, IDENTITY_FIELDS), values_of(row, PASSPORT_MEMBER_FIELDS))
            )
        services = connection.execute(
            select(SocialServiceAccess.passport_id, *(SocialServiceAccess.__table__.c[a] for a in ACCESS))
            .where(SocialServiceAccess.passport_id.in_(part))
            .order_by(SocialServiceAccess.id)
        )  # fmt: skip
        for row in services:
            by_id[row.passport_id].services.append(values_of(row, ACCESS_FIELDS))
    yield from passports


def read_passports(engine: Engine, lsg_id: int) -> list[StoredPassport]:
    """Every social passport of an LSG body, in the order the hub keeps them."""
    with engine.connect() as connection:
        return list(_read(connection, lsg_id, None))


class PassportWriting:
    """Inside an LSG body's import transaction: find passports and households, insert, update
    (new rows are :class:`PendingRows`, sent before the next read and when the transaction ends)."""

    def __init__(self, connection: Connection, lsg_id: int) -> None:
        self.connection = connection
        self.lsg_id = lsg_id
        self.now = datetime.now(UTC)
        self.pending = PendingRows(connection)

    def stored(self, numbers: list[str]) -> dict[str, StoredPassport]:
        self.pending.flush()
        return {p.passport["number"]: p for p in _read(self.connection, self.lsg_id, numbers)}

    def households(self, accounts: list[str]) -> tuple[dict[str, int], dict[str, list[tuple[int, Row]]]]:
        self.pending.flush()
        return households_of(self.connection, self.lsg_id, accounts)

    def numbers(self) -> dict[str, tuple[int, Any]]:
        """Number -> (id, status) of every passport of the LSG body."""
        self.pending.flush()
        rows = self.connection.execute(
            select(SocialPassport.number, SocialPassport.id, SocialPassport.status).where(
                SocialPassport.lsg_id == self.lsg_id
            )
        )
        return {str(row.number): (int(row.id), row.status) for row in rows}

    def add(self, household_id: int, values: Row, members: list[Row], services: list[Row]) -> None:
        row = {**values, "lsg_id": self.lsg_id, "household_id": household_id}
        passport_id = self.pending.add(SocialPassport.__table__, row)  # type: ignore[arg-type]
        self._add_members(passport_id, members)
        self._add_services(passport_id, services)

    def change(self, passport_id: int, changes: Row) -> None:
        self.connection.execute(
            update(SocialPassport)
            .where(SocialPassport.id == passport_id)
            .values(**changes, updated_at=self.now)
        )

    def replace_members(self, passport_id: int, rows: list[Row]) -> None:
        self.connection.execute(
            delete(SocialPassportMember).where(SocialPassportMember.passport_id == passport_id)
        )
        self._add_members(passport_id, rows)

    def replace_services(self, passport_id: int, rows: list[Row]) -> None:
        self.connection.execute(
            delete(SocialServiceAccess).where(SocialServiceAccess.passport_id == passport_id)
        )
        self._add_services(passport_id, rows)

    def _add_members(self, passport_id: int, rows: list[Row]) -> None:
        table = SocialPassportMember.__table__
        self.pending.queue(table, ({**row, "passport_id": passport_id} for row in rows))  # type: ignore[arg-type]

    def _add_services(self, passport_id: int, rows: list[Row]) -> None:
        table = SocialServiceAccess.__table__
        self.pending.queue(table, ({**row, "passport_id": passport_id} for row in rows))  # type: ignore[arg-type]


def households_people(engine: Engine, lsg_id: int, accounts: list[str]) -> dict[str, list[Row]]:
    """The persons of these households as validation matches passport members with them."""
    with engine.connect() as connection:
        found = household_people(connection, lsg_id, accounts)
    return {account: [person for _, person in persons] for account, persons in found.items()}


@contextmanager
def passport_writing(engine: Engine, lsg_id: int, commit: bool = True) -> Iterator[PassportWriting]:
    """One LSG body's passport writing in one transaction (rolled back unless ``commit``)."""
    with transaction(engine, commit) as connection:
        writing = PassportWriting(connection, lsg_id)
        yield writing
        writing.pending.flush()
