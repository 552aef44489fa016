"""The people a reconciliation checks, read as typed rows."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Engine, func, select

from sanarip_hub.storage.models import Address, AteUnit, Household, LsgBody, Person
from sanarip_hub.storage.models.household import CURRENT_HOUSEHOLD
from sanarip_hub.storage.models.social_passport import LOW_INCOME_MEMBERS, SocialPassportMember


class HubPerson(NamedTuple):
    """What the comparison reads of a person (a plain tuple: SQLAlchemy rows' attribute access
    costs more than the comparison itself)."""

    id: int
    pin: str | None  # None: looked up by name and birth date (zagsPinsByNSPDate)
    pin_status: str | None
    surname: str | None
    given_name: str | None
    patronymic: str | None
    birth_date: date | None
    death_date: date | None
    registered_soate: str | None  # прописка: what the address bureau's answer is compared with


def to_check(query: Any, lsg_id: int | None, low_income_only: bool) -> Any:
    """``query`` narrowed to the people a run checks: for the civil registry everyone, those
    without a PIN too (the registry is searched by name and birth date for them); for the tax
    job the members of low-income families who have a PIN (the tax number)."""
    if lsg_id is not None:
        query = query.where(Person.lsg_id == lsg_id)
    if low_income_only:
        query = query.where(Person.pin.is_not(None), Person.id.in_(LOW_INCOME_MEMBERS))
    return query


def people_to_check(
    engine: Engine,
    after: int,
    lsg_id: int | None,
    count: int | None,
    low_income_only: bool = False,
    *,
    up_to: int | None = None,
) -> list[HubPerson]:
    """The next ``count`` people (all, with None) after id ``after`` and up to id ``up_to`` (id
    order) that a run checks (:func:`to_check`), with their registered address."""
    query = (
        select(
            Person.id,
            Person.pin,
            Person.pin_status,
            Person.surname,
            Person.given_name,
            Person.patronymic,
            Person.birth_date,
            Person.death_date,
            Person.registered_soate,
        )
        .where(Person.id > after)
        .order_by(Person.id)
    )
    if count is not None:
        query = query.limit(count)
    if up_to is not None:
        query = query.where(Person.id <= up_to)
    query = to_check(query, lsg_id, low_income_only)
    with engine.connect() as connection:
        rows = list(connection.execute(query))
    return [HubPerson._make(row) for row in rows]


def count_to_check(engine: Engine, lsg_id: int | None, low_income_only: bool = False) -> int:
    """How many people a run will check (for its progress bar)."""
    counted = to_check(select(func.count()).select_from(Person), lsg_id, low_income_only)
    with engine.connect() as connection:
        return int(connection.execute(counted).scalar_one())


def lsg_id_of(engine: Engine, soate: str) -> int:
    """The LSG body with this СОАТЕ code (ValueError when there is none)."""
    with engine.connect() as connection:
        found = connection.execute(select(LsgBody.id).where(LsgBody.soate_code == soate)).scalar()
    if found is None:
        raise ValueError(f"no LSG body with СОАТЕ {soate}")
    return int(found)


def pin_in_a_current_household(engine: Engine) -> str | None:
    """A PIN of someone who lives in a current household (the demo's sample call), or None."""
    with engine.connect() as connection:
        found = connection.execute(
            select(Person.pin)
            .where(Person.pin.is_not(None), CURRENT_HOUSEHOLD.is_not(None))
            .order_by(Person.id)
        ).first()
    return None if found is None else str(found[0])


# a person with their current household's address (the registries' view of where they live)
PEOPLE = (
    select(
        Person,
        Address.soate_code,
        Address.house,
        Address.flat,
        Address.text_raw,
        # correlated: one index probe per person read; ``id IN (…)`` in the select list hashed every
        # low-income member of the country for each statement, a registry's answer about one PIN too
        LOW_INCOME_MEMBERS.where(SocialPassportMember.person_id == Person.id)
        .correlate(Person)
        .exists()
        .label("low_income"),
    )
    .select_from(Person)
    .outerjoin(Household, Household.id == CURRENT_HOUSEHOLD)
    .outerjoin(Address, Address.id == Household.address_id)
)


class PeopleRegister:
    """Everyone with a PIN, read as the registry simulators see them (``PEOPLE``'s rows)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def everyone(self) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(PEOPLE.where(Person.pin.is_not(None))))

    def without_pin(self) -> list[Any]:
        """The people the hub has no PIN for (the registry may know theirs), in id order."""
        with self.engine.connect() as connection:
            return list(connection.execute(PEOPLE.where(Person.pin.is_(None)).order_by(Person.id)))

    def settlements(self) -> list[str]:
        """Every СОАТЕ code the hub knows (the units a registry's crosswalk covers)."""
        with self.engine.connect() as connection:
            return list(connection.scalars(select(AteUnit.soate_code).order_by(AteUnit.soate_code)))

    def by_pin(self, pin: str) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(PEOPLE.where(Person.pin == pin).limit(1)).first()
