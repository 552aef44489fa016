"""The electronic household register book (үй чарба китеби): persons, households and their holdings.

Persons keep their names exactly as written, in Cyrillic with ң ө ү; search keys and transliterations
belong to the mappings layer, never to the record itself.  A person may carry old or duplicate PINs
(FACTS §1.1) in :class:`PersonPinAlias`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    and_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.domain.codes import (
    AbsenceReason,
    DwellingType,
    HouseholdType,
    LandCategory,
    LandRight,
    LivestockKind,
    Ownership,
    PinAliasKind,
    PinStatus,
    Relation,
)
from sanarip_hub.domain.identifiers import Gender
from sanarip_hub.storage.base import Base, IdType, Quantity, Timestamped, code_list, id_column

# PINs compare byte by byte on PostgreSQL, whatever the database's collation (migration 0020)
PIN_TYPE = String(14).with_variant(String(14, collation="C"), "postgresql")


class Person(Timestamped, Base):
    """A person known to an LSG body's register book.  **PII**: pin, names, birth date."""

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint("pin IS NULL OR length(pin) = 14", name="pin_length"),
        Index("ix_person_names", "surname", "given_name", "birth_date"),
    )

    id: Mapped[int] = id_column()
    lsg_id: Mapped[int] = mapped_column(ForeignKey("lsg_body.id"), index=True)
    pin: Mapped[str | None] = mapped_column(PIN_TYPE, unique=True)
    pin_status: Mapped[PinStatus] = mapped_column(code_list(PinStatus, "pin_status"))
    surname: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[Gender] = mapped_column(code_list(Gender, "gender"))
    birth_date: Mapped[date] = mapped_column(Date)
    death_date: Mapped[date | None] = mapped_column(Date)
    marital_status: Mapped[int | None] = mapped_column(SmallInteger)  # 0-3 as the civil registry codes it
    nationality: Mapped[str | None] = mapped_column(String(50))
    citizenship: Mapped[str | None] = mapped_column(String(3))  # ISO 3166 alpha-3
    # The registered address (прописка, the address bureau's fact) is not where the person lives:
    # students and internal migrants live in one household and are registered in another place.
    # Reconciliation compares the bureau's answer with these, never with the household's address.
    registered_soate: Mapped[str | None] = mapped_column(ForeignKey("ate_unit.soate_code"))
    registered_address: Mapped[str | None] = mapped_column(String(400))


class PersonPinAlias(Base):
    """Another PIN under which the same person is known: an old number, a duplicate, a new one."""

    __tablename__ = "person_pin_alias"
    __table_args__ = (CheckConstraint("length(pin) = 14", name="pin_length"),)

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    pin: Mapped[str] = mapped_column(PIN_TYPE, unique=True)
    kind: Mapped[PinAliasKind] = mapped_column(code_list(PinAliasKind, "pin_alias_kind"))
    source: Mapped[str] = mapped_column(String(20))


class Address(Base):
    """An address inside a СОАТЕ settlement."""

    __tablename__ = "address"

    id: Mapped[int] = id_column()
    soate_code: Mapped[str] = mapped_column(ForeignKey("ate_unit.soate_code"), index=True)
    street: Mapped[str | None] = mapped_column(String(200))
    house: Mapped[str | None] = mapped_column(String(20))
    flat: Mapped[str | None] = mapped_column(String(20))
    text_raw: Mapped[str] = mapped_column(String(400))


class Household(Timestamped, Base):
    """A household's account (лицевой счёт) in an LSG body's register book."""

    __tablename__ = "household"
    __table_args__ = (Index("uq_household_lsg_account", "lsg_id", "account_no", unique=True),)

    id: Mapped[int] = id_column()
    lsg_id: Mapped[int] = mapped_column(ForeignKey("lsg_body.id"))
    book_no: Mapped[int] = mapped_column(Integer)
    account_no: Mapped[str] = mapped_column(String(20))
    address_id: Mapped[int] = mapped_column(ForeignKey("address.id"), index=True)
    head_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    household_type: Mapped[HouseholdType] = mapped_column(code_list(HouseholdType, "household_type"))
    opened_at: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(200))


class HouseholdMember(Base):
    """Membership of a person in a household, with relation to the head and temporary absence."""

    __tablename__ = "household_member"

    id: Mapped[int] = id_column()
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    relation_to_head: Mapped[Relation] = mapped_column(code_list(Relation, "relation"))
    member_from: Mapped[date] = mapped_column(Date)
    member_to: Mapped[date | None] = mapped_column(Date)
    is_temporarily_absent: Mapped[bool] = mapped_column(Boolean, server_default="0")
    absence_reason: Mapped[AbsenceReason | None] = mapped_column(code_list(AbsenceReason, "absence_reason"))
    absence_country: Mapped[str | None] = mapped_column(String(3))


class Dwelling(Base):
    """The household's dwelling (book section II)."""

    __tablename__ = "dwelling"

    id: Mapped[int] = id_column()
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    eni_code: Mapped[str | None] = mapped_column(String(18))
    dwelling_type: Mapped[DwellingType] = mapped_column(code_list(DwellingType, "dwelling_type"))
    ownership: Mapped[Ownership] = mapped_column(code_list(Ownership, "ownership"))
    year_built: Mapped[int | None] = mapped_column(SmallInteger)
    area_total_m2: Mapped[float | None] = mapped_column(Quantity(8, 1))
    area_living_m2: Mapped[float | None] = mapped_column(Quantity(8, 1))
    rooms: Mapped[int | None] = mapped_column(SmallInteger)
    water: Mapped[bool] = mapped_column(Boolean, server_default="0")
    sewerage: Mapped[bool] = mapped_column(Boolean, server_default="0")
    gas: Mapped[bool] = mapped_column(Boolean, server_default="0")
    heating: Mapped[bool] = mapped_column(Boolean, server_default="0")
    electricity: Mapped[bool] = mapped_column(Boolean, server_default="1")


class HouseholdLand(Base):
    """Land in the household's use on 1 January of ``year`` (book section III)."""

    __tablename__ = "household_land"

    id: Mapped[int] = id_column()
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    parcel_no: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[LandCategory] = mapped_column(code_list(LandCategory, "land_category"))
    area_ha: Mapped[float] = mapped_column(Quantity(10, 4))
    irrigated: Mapped[bool] = mapped_column(Boolean, server_default="0")
    land_right: Mapped[LandRight] = mapped_column(code_list(LandRight, "land_right"))


class HouseholdLivestock(Base):
    """Head count of one kind of livestock on 1 January of ``year`` (book section IV)."""

    __tablename__ = "household_livestock"
    __table_args__ = (
        Index("uq_household_livestock_year_kind", "household_id", "year", "kind", unique=True),
        CheckConstraint("head_count >= 0", name="head_count_non_negative"),
    )

    id: Mapped[int] = id_column()
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[LivestockKind] = mapped_column(code_list(LivestockKind, "livestock_kind"))
    head_count: Mapped[int] = mapped_column(Integer)


__all__ = [
    "Address",
    "Dwelling",
    "Household",
    "HouseholdLand",
    "HouseholdLivestock",
    "HouseholdMember",
    "IdType",
    "Person",
    "PersonPinAlias",
]


# A current membership: open (no end date) in a household that is not closed.  The one definition
# of "current" that every query joining members to households uses.
OPEN_MEMBERSHIP = and_(HouseholdMember.member_to.is_(None), Household.closed_at.is_(None))


def listed_member(person: type[Person] | Any = Person) -> ColumnElement[bool]:
    """A membership an answer lists: open, of a person with no death date (``person`` may be an
    alias of :class:`Person`).  A death actualized from the civil registry sets ``death_date``
    before a clerk closes the membership; from then on no answer names the deceased as a member."""
    return and_(HouseholdMember.member_to.is_(None), person.death_date.is_(None))


# A person's current household: their newest current membership.  For the producer's answers, the
# reconciliation and the registry simulators: a correlated scalar subquery on ``person``, or on
# PostgreSQL a LATERAL row (``CURRENT_MEMBERSHIP.lateral()``) where the household is joined on it.
# Joined as ``household.id = (subquery)``, PostgreSQL cannot look the household up by its key: on a
# small register it hashed every household for each statement (a household card batch: 1.0 ms, of
# which 0.5 ms the hash; LATERAL: 0.5 ms), and that plan only turns around as the table grows.
CURRENT_MEMBERSHIP = (
    select(HouseholdMember.household_id)
    .join(Household, Household.id == HouseholdMember.household_id)
    .where(HouseholdMember.person_id == Person.id, OPEN_MEMBERSHIP)
    .order_by(HouseholdMember.member_from.desc())
    .limit(1)
)
CURRENT_HOUSEHOLD = CURRENT_MEMBERSHIP.correlate(Person).scalar_subquery()
