"""Answers to the producer's services, read from the hub database.

Each method takes the request's parameters (already validated) and returns an :class:`Answer`: the
business result code, the response values keyed by the contract's field names, and the data
subjects whose personal data the answer discloses (per field, so a field an agreement withholds
does not count its subjects as disclosed).  Formatting into XML or JSON happens elsewhere; this
module only knows the tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, Engine, String, and_, any_, bindparam, func, outerjoin, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased

from sanarip_hub.domain.codes import ApplicationStatus
from sanarip_hub.domain.disclosure import controlled_sums, rounded
from sanarip_hub.domain.hub_contract import ResultCode
from sanarip_hub.domain.identifiers import SoateLevel, parse_pin, parse_soate
from sanarip_hub.domain.records import (
    AddressFactRecord,
    FamilyMembersRecord,
    HouseholdByPinRecord,
    LandQueuePositionApplication,
    LandQueuePositionRecord,
    LsgPassportBand,
    LsgPassportObject,
    LsgPassportRecord,
    MunicipalPropertyByEniLessee,
    MunicipalPropertyByEniRecord,
    MunicipalPropertyListProperty,
    MunicipalPropertyListRecord,
    SocialPassportByPinRecord,
    SocialPassportByPinService,
    StatAggregatesCell,
    StatAggregatesRecord,
)
from sanarip_hub.errors import DatabaseUnavailable, InvalidPin
from sanarip_hub.storage.driver_select import DriverSelect
from sanarip_hub.storage.models import (
    Address,
    AteUnit,
    Dwelling,
    Household,
    HouseholdLand,
    HouseholdLivestock,
    HouseholdMember,
    LandApplication,
    LandQueue,
    LsgBody,
    LsgPassport,
    LsgPassportPopulation,
    MunicipalProperty,
    Person,
    PersonPinAlias,
    PropertyLease,
    SocialObject,
    SocialPassport,
    SocialPassportMember,
    SocialServiceAccess,
)
from sanarip_hub.storage.models.household import CURRENT_HOUSEHOLD, CURRENT_MEMBERSHIP, listed_member

MAX_PAGE = 1000
SUPPRESS_BELOW = 10  # a published sum below this (that is, 0) is shown as suppressed
INCOME_BANDS = ((1000, "under-1000"), (2000, "1000-1999"), (3000, "2000-2999"), (5000, "3000-4999"))
WAITING = [s.value for s in ApplicationStatus if s.is_waiting]


# Statements built once: constructing a select() costs more than running it on SQLite, and the
# household lookups are on every personal-data request's path.
PERSON_HOUSEHOLD = select(Person.id.label("person_id"), CURRENT_HOUSEHOLD.label("household_id")).where(
    Person.pin == bindparam("pin")
)
ALIAS_HOUSEHOLD = (
    select(Person.id.label("person_id"), CURRENT_HOUSEHOLD.label("household_id"))
    .join(PersonPinAlias, PersonPinAlias.person_id == Person.id)
    .where(PersonPinAlias.pin == bindparam("pin"))
)
CURRENT_PIN = (
    select(Person.pin)
    .join(PersonPinAlias, PersonPinAlias.person_id == Person.id)
    .where(PersonPinAlias.pin == bindparam("pin"))
)
_HOUSEHOLDS: Any = bindparam("households", expanding=True)
MEMBERS_OF = (  # the listed members of several households (SQLite; PostgreSQL's ride along as JSON)
    select(
        HouseholdMember.household_id,
        Person.pin,
        Person.surname,
        Person.given_name,
        Person.patronymic,
        Person.birth_date,
        Person.gender,
        HouseholdMember.relation_to_head,
        HouseholdMember.is_temporarily_absent,
        HouseholdMember.absence_reason,
        HouseholdMember.absence_country,
    )
    .join(Person, Person.id == HouseholdMember.person_id)
    .where(HouseholdMember.household_id.in_(_HOUSEHOLDS), listed_member())
    .order_by(HouseholdMember.household_id, HouseholdMember.id)
)
_YEARS = aliased(HouseholdLivestock)
LIVESTOCK_OF = (  # several households' livestock of their latest year
    select(HouseholdLivestock.household_id, HouseholdLivestock.kind, HouseholdLivestock.head_count)
    .where(
        HouseholdLivestock.household_id.in_(_HOUSEHOLDS),
        HouseholdLivestock.year
        == select(func.max(_YEARS.year))
        .where(_YEARS.household_id == HouseholdLivestock.household_id)
        .scalar_subquery(),
    )
    .order_by(HouseholdLivestock.household_id, HouseholdLivestock.kind)
)


def _member(m: Any) -> dict[str, Any]:
    return {
        "pin": m.pin,
        "surname": m.surname,
        "givenName": m.given_name,
        "patronymic": m.patronymic,
        "birthDate": m.birth_date,
        "gender": m.gender,
        "relation": m.relation_to_head,
        "temporarilyAbsent": bool(m.is_temporarily_absent),
        "absenceReason": m.absence_reason,
        "absenceCountry": m.absence_country,
    }


def _household_card(person_filter: Any, lists_in_json: bool = False) -> Any:
    """One round trip for the whole card but its lists: the person's current household, its LSG,
    address, first dwelling and land of the latest year (outer joins keep PIN_NOT_FOUND and
    NO_HOUSEHOLD apart: no row, or a row without a household)."""
    land_year = (
        select(func.max(HouseholdLand.year))
        .where(HouseholdLand.household_id == Household.id)
        .correlate(Household)
        .scalar_subquery()
    )
    land = (
        select(func.sum(HouseholdLand.area_ha))
        .where(HouseholdLand.household_id == Household.id, HouseholdLand.year == land_year)
        .correlate(Household)
        .scalar_subquery()
    )
    first_dwelling = (
        select(func.min(Dwelling.id))
        .where(Dwelling.household_id == Household.id)
        .correlate(Household)
        .scalar_subquery()
    )
    household_id: Any = CURRENT_HOUSEHOLD
    lists: list[Any] = []
    current = None
    if lists_in_json:  # PostgreSQL: members and livestock ride along as JSON, one round trip in all
        current = CURRENT_MEMBERSHIP.lateral("current_household")  # found through the key (see there)
        household_id = current.c.household_id
        kin = aliased(Person)
        member = func.json_build_object(
            "pin", kin.pin, "surname", kin.surname, "givenName", kin.given_name, "patronymic", kin.patronymic,
            "birthDate", kin.birth_date, "gender", kin.gender, "relation", HouseholdMember.relation_to_head,
            "temporarilyAbsent", HouseholdMember.is_temporarily_absent,
            "absenceReason", HouseholdMember.absence_reason,
            "absenceCountry", HouseholdMember.absence_country,
        )  # fmt: skip
        lists.append(
            select(func.json_agg(aggregate_order_by(member, HouseholdMember.id)))
            .select_from(HouseholdMember)
            .join(kin, kin.id == HouseholdMember.person_id)
            .where(HouseholdMember.household_id == Household.id, listed_member(kin))
            .correlate(Household)
            .scalar_subquery()
            .label("members_json")
        )
        latest = (
            select(func.max(HouseholdLivestock.year))
            .where(HouseholdLivestock.household_id == Household.id)
            .correlate(Household)
            .scalar_subquery()
        )
        animal = func.json_build_object(
            "kind", HouseholdLivestock.kind, "headCount", HouseholdLivestock.head_count
        )
        lists.append(
            select(func.json_agg(aggregate_order_by(animal, HouseholdLivestock.kind)))
            .where(HouseholdLivestock.household_id == Household.id, HouseholdLivestock.year == latest)
            .correlate(Household)
            .scalar_subquery()
            .label("livestock_json")
        )
    return (
        select(
            Person.id.label("person_id"),
            Person.pin,
            Household.id.label("household_id"),
            LsgBody.name_ky,
            LsgBody.soate_code.label("lsg_soate"),
            Household.account_no,
            Household.household_type,
            Household.updated_at,
            Household.created_at,
            Address.soate_code,
            Address.street,
            Address.house,
            Address.flat,
            Address.text_raw,
            AteUnit.name_ky.label("settlement"),
            Dwelling.dwelling_type,
            Dwelling.ownership,
            Dwelling.area_total_m2,
            Dwelling.rooms,
            Dwelling.water,
            Dwelling.gas,
            Dwelling.electricity,
            land.label("land_ha"),
            *lists,
        )
        .select_from(Person if current is None else outerjoin(Person, current, true()))
        .outerjoin(Household, Household.id == household_id)
        .outerjoin(LsgBody, LsgBody.id == Household.lsg_id)
        .outerjoin(Address, Address.id == Household.address_id)
        .outerjoin(AteUnit, AteUnit.soate_code == Address.soate_code)
        .outerjoin(Dwelling, Dwelling.id == first_dwelling)
        .where(person_filter)
    )


_BY_PINS = {  # one statement for any number of PINs (PostgreSQL: one prepared statement for all)
    False: Person.pin.in_(bindparam("pins", expanding=True)),
    True: Person.pin == any_(bindparam("pins", type_=ARRAY(String))),
}
_BY_ALIAS = Person.id.in_(select(PersonPinAlias.person_id).where(PersonPinAlias.pin == bindparam("pin")))
HOUSEHOLD_CARDS = {lists: _household_card(_BY_PINS[lists], lists_in_json=lists) for lists in (False, True)}
# every batch's statement on PostgreSQL; its JSON is built from text, date, boolean and int columns
HOUSEHOLD_CARDS_ON_DRIVER = DriverSelect(HOUSEHOLD_CARDS[True], plain_json=True)
HOUSEHOLD_CARD_BY_ALIAS = {
    False: _household_card(_BY_ALIAS),
    True: _household_card(_BY_ALIAS, lists_in_json=True),
}


@dataclass(frozen=True)
class Answer:
    code: ResultCode
    values: Mapping[str, Any] = field(default_factory=dict)  # a service record (domain/records.py)
    subjects: tuple[str, ...] = ()  # disclosed whatever fields are granted (the PIN asked about)
    field_subjects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # disclosed with a field
    current_pin: str | None = None  # the subject's current PIN, when the PIN asked is an old one
    issuer: tuple[str, str] | None = None  # a certificate's issuing LSG body: name and СОАТЕ


def _is_person(inn: str) -> bool:
    """A lessee's INN is a person's PIN (gender digit 1 or 2), not an organisation's number."""
    try:
        return parse_pin(inn).gender is not None
    except InvalidPin:
        return False


def _band(income: float) -> str:
    for limit, name in INCOME_BANDS:
        if income < limit:
            return name
    return f"{INCOME_BANDS[-1][0]}-and-over"


def scope_prefix(soate: str) -> str:
    """The code prefix shared by every unit inside ``soate`` (its level decides the length)."""
    unit = parse_soate(soate)
    level = unit.level
    if level is SoateLevel.COUNTRY:
        return unit.value[:3]
    if level is SoateLevel.OBLAST:
        return unit.value[:5]
    if level in (SoateLevel.RAYON, SoateLevel.CITY):
        return unit.value[:8]
    if level in (SoateLevel.AYIL_AIMAK, SoateLevel.TOWN):
        return unit.value[:11]
    return unit.value


class HouseholdCard(HouseholdByPinRecord, total=False):
    """A household card: ``householdByPin``'s record and the LSG body's code (the issuer a signed
    ``familyComposition`` certificate names)."""

    lsgSoate: str | None  # noqa: N815  (named as the wire names it, like the record)


@dataclass(frozen=True)
class _CardSource:
    """What one PIN's card is built from: its row (None: no such PIN) and its two lists."""

    row: Any
    members: tuple[dict[str, Any], ...]
    livestock: tuple[dict[str, Any], ...]


# the cards read for the batch of requests being answered (HubData.prefetched_cards)
_PREFETCHED: ContextVar[Mapping[str, _CardSource] | None] = ContextVar("prefetched_cards", default=None)


def _card(source: _CardSource) -> tuple[ResultCode, HouseholdCard]:
    """A fresh card (its caller may change it) from what was read, or the code that says why not."""
    row = source.row
    if row is None:
        return ResultCode.PIN_NOT_FOUND, {}
    if row.household_id is None:
        return ResultCode.NO_HOUSEHOLD, {}
    members: list[Any] = [dict(member) for member in source.members]
    livestock: list[Any] = [dict(animal) for animal in source.livestock]
    card: HouseholdCard = {
        "lsgName": row.name_ky,
        "lsgSoate": row.lsg_soate,
        "accountNo": row.account_no,
        "householdType": row.household_type,
        "address": {
            "soate": row.soate_code,
            "settlement": row.settlement,
            "street": row.street,
            "house": row.house,
            "flat": row.flat,
            "text": row.text_raw,
        },
        "members": members,
        "landHa": round(float(row.land_ha), 4) if row.land_ha is not None else 0.0,
        "livestock": livestock,
        "updatedAt": row.updated_at or row.created_at,
    }
    if row.dwelling_type is not None:
        card["dwelling"] = {
            "type": row.dwelling_type,
            "ownership": row.ownership,
            "areaTotalM2": row.area_total_m2,
            "rooms": row.rooms,
            "water": row.water,
            "gas": row.gas,
            "electricity": row.electricity,
        }
    return ResultCode.OK, card


class HubData:
    """The services' queries against the hub database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, cards: Engine | None = None) -> None:
        """``cards``: the engine for the household-card reads of every personal-data request (one
        whose connections plan once, see ``make_engine``), else ``engine``."""
        self.engine = engine
        self.cards = cards if cards is not None else engine
        # where round trips cost (a server, not an in-process file) lists come back as JSON
        self.json_lists = engine.dialect.name == "postgresql"

    @contextmanager
    def _read(self, engine: Engine | None = None) -> Iterator[Connection]:
        """A connection for reads in autocommit mode: no BEGIN and no ROLLBACK round trips on
        PostgreSQL, which at half a millisecond each cost more than the queries themselves.
        A database that fails is :class:`DatabaseUnavailable` to the caller, not a driver error."""
        try:
            with (
                (engine or self.engine)
                .connect()
                .execution_options(isolation_level="AUTOCOMMIT") as connection
            ):
                yield connection
        except DBAPIError as exc:
            raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc

    # -- people and households -------------------------------------------------------------------

    def _household(self, connection: Connection, pin: str) -> tuple[ResultCode, int | None]:
        row = connection.execute(PERSON_HOUSEHOLD, {"pin": pin}).first()
        if row is None:  # an old or duplicate PIN the registry retired still finds its person
            row = connection.execute(ALIAS_HOUSEHOLD, {"pin": pin}).first()
        if row is None:
            return ResultCode.PIN_NOT_FOUND, None
        if row.household_id is None:
            return ResultCode.NO_HOUSEHOLD, None
        return ResultCode.OK, row.household_id

    @staticmethod
    def _person_id(connection: Connection, pin: str) -> int | None:
        row = connection.execute(PERSON_HOUSEHOLD, {"pin": pin}).first()
        if row is None:
            row = connection.execute(ALIAS_HOUSEHOLD, {"pin": pin}).first()
        return None if row is None else int(row.person_id)

    def _card_by_pin(self, pin: str) -> tuple[ResultCode, HouseholdCard]:
        """The person's current household card, or PIN_NOT_FOUND / NO_HOUSEHOLD with an empty card:
        from the batch read by :meth:`prefetched_cards` when one holds it, else read now."""
        prefetched = _PREFETCHED.get()
        source = prefetched.get(pin) if prefetched is not None else None
        if source is None:
            with self._read(self.cards) as connection:
                source = self._card_sources(connection, [pin])[pin]
        return _card(source)

    @contextmanager
    def prefetched_cards(self, pins: Iterable[str]) -> Iterator[None]:
        """Read the cards of ``pins`` in one statement for the requests of a batch, which then find
        them in :meth:`_card_by_pin` while this context lasts (their answers are as fresh as reads
        made one after another).  Each statement costs far more than each row it returns: on
        PostgreSQL a card costs the hub ~210 µs of CPU alone and ~40 µs in a batch of eight.  A
        failed batch read is not an error here: each request then reads, and fails, on its own."""
        wanted = sorted(set(pins))
        if len(wanted) < 2:
            yield
            return
        try:
            with self._read(self.cards) as connection:
                sources = self._card_sources(connection, wanted)
        except DatabaseUnavailable:
            yield
            return
        token = _PREFETCHED.set(sources)
        try:
            yield
        finally:
            _PREFETCHED.reset(token)

    def _card_sources(self, connection: Connection, pins: list[str]) -> dict[str, _CardSource]:
        """What the cards of ``pins`` are built from: one statement for all of them (three on SQLite,
        where a statement is a function call and the lists come apart), plus one per PIN not found,
        which may be an old or duplicate PIN the registry retired and still finds its person."""
        json_lists = self.json_lists
        found = (
            HOUSEHOLD_CARDS_ON_DRIVER.rows(connection, {"pins": pins})
            if json_lists
            else connection.execute(HOUSEHOLD_CARDS[False], {"pins": pins})
        )
        rows: dict[str, Any] = {row.pin: row for row in found}
        for pin in pins:
            if pin not in rows:
                rows[pin] = connection.execute(HOUSEHOLD_CARD_BY_ALIAS[json_lists], {"pin": pin}).first()
        households = [row.household_id for row in rows.values() if row is not None and row.household_id]
        members: dict[int, list[dict[str, Any]]] = {household: [] for household in households}
        livestock: dict[int, list[dict[str, Any]]] = {household: [] for household in households}
        if json_lists:
            for row in rows.values():
                if row is not None and row.household_id:
                    members[row.household_id] = [
                        {**m, "birthDate": date.fromisoformat(m["birthDate"])} for m in row.members_json or ()
                    ]
                    livestock[row.household_id] = list(row.livestock_json or ())
        elif households:
            key = {"households": households}
            for m in connection.execute(MEMBERS_OF, key):
                members[m.household_id].append(_member(m))
            for animal in connection.execute(LIVESTOCK_OF, key):
                livestock[animal.household_id].append({"kind": animal.kind, "headCount": animal.head_count})
        return {
            pin: _CardSource(
                row,
                tuple(members.get(row.household_id, ())) if row is not None else (),
                tuple(livestock.get(row.household_id, ())) if row is not None else (),
            )
            for pin, row in rows.items()
        }

    @staticmethod
    def _others(card: HouseholdCard, pin: str) -> tuple[str, ...]:
        """The household members' PINs other than the one asked about."""
        return tuple(other for m in card["members"] if (other := m.get("pin")) and other != pin)

    def household_by_pin(self, pin: str) -> Answer:
        code, card = self._card_by_pin(pin)
        if code is not ResultCode.OK:
            return Answer(code, subjects=(pin,))
        card.pop("lsgSoate")
        return Answer(ResultCode.OK, card, (pin,), {"members": self._others(card, pin)})

    def address_fact(self, pin: str) -> Answer:
        code, card = self._card_by_pin(pin)
        if code is not ResultCode.OK:
            return Answer(code, subjects=(pin,))
        answer: AddressFactRecord = {
            **card["address"],
            "accountNo": card["accountNo"],
            "updatedAt": card["updatedAt"],
        }
        return Answer(ResultCode.OK, answer, (pin,))

    def family_members(self, pin: str) -> Answer:
        code, card = self._card_by_pin(pin)
        if code is not ResultCode.OK:
            return Answer(code, subjects=(pin,))
        answer: FamilyMembersRecord = {"members": card["members"]}
        return Answer(ResultCode.OK, answer, (pin,), {"members": self._others(card, pin)})

    def social_passport_by_pin(self, pin: str) -> Answer:
        with self._read() as connection:
            code, household_id = self._household(connection, pin)
            if household_id is None:
                return Answer(code, subjects=(pin,))
            passport = connection.execute(
                select(SocialPassport)
                .where(SocialPassport.household_id == household_id)
                .order_by(SocialPassport.opened_at.desc(), SocialPassport.id.desc())
                .limit(1)
            ).first()
            if passport is None:
                return Answer(ResultCode.NOT_FOUND, subjects=(pin,))
            members = connection.execute(
                select(func.count()).where(SocialPassportMember.passport_id == passport.id)
            ).scalar_one()
            services: list[SocialPassportByPinService] = [
                {"code": s.service, "status": s.status, "since": s.since}
                for s in connection.execute(
                    select(SocialServiceAccess)
                    .where(SocialServiceAccess.passport_id == passport.id)
                    .order_by(SocialServiceAccess.id)
                )
            ]
        answer: SocialPassportByPinRecord = {
            "passportNumber": passport.number,
            "status": passport.status,
            "welfareCategory": passport.welfare_category,
            "incomeBand": _band(passport.per_capita_income_som),
            "belowGmi": passport.is_below_gmi,
            "reviewedAt": passport.reviewed_at,
            "nextReviewDue": passport.next_review_due,
            "members": members,
            "services": services,
        }
        return Answer(ResultCode.OK, answer, (pin,))

    def land_queue_position(self, pin: str | None, reg_number: str | None) -> Answer:
        subjects: tuple[str, ...] = (pin,) if pin else ()
        with self._read() as connection:
            query = (
                select(
                    LandApplication.id,
                    LandApplication.queue_id,
                    LandApplication.reg_number,
                    LandApplication.reg_datetime,
                    LandApplication.status,
                    LandQueue.name,
                    LandQueue.purpose,
                    LsgBody.name_ky,
                    Person.pin,
                )
                .join(LandQueue, LandQueue.id == LandApplication.queue_id)
                .join(LsgBody, LsgBody.id == LandQueue.lsg_id)
                .join(Person, Person.id == LandApplication.applicant_person_id)
                .order_by(LandApplication.reg_datetime, LandApplication.id)
            )
            if pin:
                person_id = self._person_id(connection, pin)
                if person_id is None:
                    return Answer(ResultCode.PIN_NOT_FOUND, subjects=subjects)
                query = query.where(LandApplication.applicant_person_id == person_id)
            if reg_number:
                query = query.where(LandApplication.reg_number == reg_number)
            applications: list[LandQueuePositionApplication] = []
            for row in connection.execute(query):
                position = None
                if row.status in WAITING:
                    ahead = connection.execute(
                        select(func.count()).where(
                            LandApplication.queue_id == row.queue_id,
                            LandApplication.status.in_(WAITING),
                            (LandApplication.reg_datetime < row.reg_datetime)
                            | and_(
                                LandApplication.reg_datetime == row.reg_datetime, LandApplication.id < row.id
                            ),
                        )
                    ).scalar_one()
                    position = ahead + 1
                applications.append(
                    {
                        "regNumber": row.reg_number,
                        "lsgName": row.name_ky,
                        "queue": row.name,
                        "purpose": row.purpose,
                        "status": row.status,
                        "position": position,
                        "registeredAt": row.reg_datetime,
                    }
                )
                if row.pin and row.pin not in subjects:
                    subjects = (*subjects, row.pin)
        if not applications:
            return Answer(ResultCode.NOT_FOUND, subjects=subjects)
        answer: LandQueuePositionRecord = {"applications": applications}
        return Answer(ResultCode.OK, answer, subjects)

    # -- municipal property (no personal data) ----------------------------------------------------

    def municipal_property_by_eni(self, eni: str) -> Answer:
        with self._read() as connection:
            prop = connection.execute(
                select(MunicipalProperty, LsgBody.name_ky.label("lsg_name"))
                .join(LsgBody, LsgBody.id == MunicipalProperty.lsg_id)
                .where(MunicipalProperty.eni_code == eni)
                .order_by(MunicipalProperty.id)
                .limit(1)
            ).first()
            if prop is None:
                return Answer(ResultCode.NOT_FOUND)
            lessees: list[MunicipalPropertyByEniLessee] = [
                {"inn": lease.lessee_inn, "name": lease.lessee_name, "validTo": lease.valid_to}
                for lease in connection.execute(
                    select(PropertyLease)
                    .where(PropertyLease.property_id == prop.id, PropertyLease.valid_to >= date.today())
                    .order_by(PropertyLease.valid_to)
                )
            ]
        people = tuple(inn for lessee in lessees if (inn := lessee.get("inn")) and _is_person(inn))
        answer: MunicipalPropertyByEniRecord = {
            "eni": prop.eni_code,
            "inventoryNo": prop.inventory_no,
            "lsgName": prop.lsg_name,
            "kind": prop.kind,
            "name": prop.name,
            "address": prop.address_text,
            "useStatus": prop.use_status,
            "areaM2": prop.area_m2,
            "areaHa": prop.area_ha,
            "yearBuilt": prop.year_built,
            "balanceHolder": prop.balance_holder,
            "lessees": lessees,
        }
        return Answer(ResultCode.OK, answer, field_subjects={"lessees": people})

    def municipal_property_list(self, soate: str, kind: str | None, offset: int, limit: int) -> Answer:
        with self._read() as connection:
            lsg_id = connection.execute(select(LsgBody.id).where(LsgBody.soate_code == soate)).scalar()
            if lsg_id is None:
                return Answer(ResultCode.NOT_FOUND)
            where = [MunicipalProperty.lsg_id == lsg_id]
            if kind:
                where.append(MunicipalProperty.kind == kind)
            total = connection.execute(select(func.count()).where(*where)).scalar_one()
            items: list[MunicipalPropertyListProperty] = [
                {
                    "eni": p.eni_code,
                    "inventoryNo": p.inventory_no,
                    "kind": p.kind,
                    "name": p.name,
                    "useStatus": p.use_status,
                    "areaM2": p.area_m2,
                    "areaHa": p.area_ha,
                }
                for p in connection.execute(
                    select(MunicipalProperty)
                    .where(*where)
                    .order_by(MunicipalProperty.inventory_no, MunicipalProperty.id)
                    .offset(offset)
                    .limit(min(limit, MAX_PAGE))
                )
            ]
        answer: MunicipalPropertyListRecord = {"total": total, "items": items}
        return Answer(ResultCode.OK, answer)

    # -- aggregates --------------------------------------------------------------------------------

    def lsg_passport(self, soate: str, period: str | None) -> Answer:
        with self._read() as connection:
            lsg = connection.execute(
                select(LsgBody.id, LsgBody.name_ky).where(LsgBody.soate_code == soate)
            ).first()
            if lsg is None:
                return Answer(ResultCode.NOT_FOUND)
            query = select(LsgPassport).where(LsgPassport.lsg_id == lsg.id)
            if period:
                query = query.where(LsgPassport.period == period)
            passport = connection.execute(query.order_by(LsgPassport.period.desc()).limit(1)).first()
            if passport is None:
                return Answer(ResultCode.NOT_FOUND)
            bands: list[LsgPassportBand] = [
                {"gender": gender, "ageBand": band, "count": rounded(count)}
                for gender, band, count in connection.execute(
                    select(
                        LsgPassportPopulation.gender,
                        LsgPassportPopulation.age_band,
                        LsgPassportPopulation.count,
                    )
                    .where(LsgPassportPopulation.passport_id == passport.id)
                    .order_by(LsgPassportPopulation.gender, LsgPassportPopulation.age_band)
                )
            ]
            objects: list[LsgPassportObject] = [
                {"kind": kind, "count": count}
                for kind, count in connection.execute(
                    select(SocialObject.kind, func.count())
                    .where(SocialObject.lsg_id == lsg.id)
                    .group_by(SocialObject.kind)
                    .order_by(SocialObject.kind)
                )
            ]
        answer: LsgPassportRecord = {
            "lsgName": lsg.name_ky,
            "soate": soate,
            "period": passport.period,
            "areaKm2": passport.area_km2,
            "settlements": passport.settlements_count,
            # people and households: rounded (sanarip_hub.domain.disclosure); the population is
            # the sum of its rounded bands, so total minus bands tells nothing more
            "population": sum(b.get("count") or 0 for b in bands)
            if bands
            else rounded(passport.population_total),
            "households": rounded(passport.households_total),
            "migrantsOut": rounded(passport.migrants_out_count),
            "unemployed": rounded(passport.unemployed_registered),
            "populationByAge": bands,
            "socialObjects": objects,
        }
        return Answer(ResultCode.OK, answer)

    def stat_aggregates(self, indicator: str, soate: str) -> Answer:
        prefix = scope_prefix(soate)
        in_scope = LsgBody.soate_code.startswith(prefix)
        query: Any
        # one row per (LSG body, dimension): the finest cells, rounded before they are summed
        if indicator == "population_by_gender":
            query = (
                select(Person.lsg_id, Person.gender, func.count())
                .join(LsgBody, LsgBody.id == Person.lsg_id)
                .where(in_scope, Person.death_date.is_(None))
                .group_by(Person.lsg_id, Person.gender)
            )
        elif indicator == "households_by_type":
            query = (
                select(Household.lsg_id, Household.household_type, func.count())
                .join(LsgBody, LsgBody.id == Household.lsg_id)
                .where(in_scope, Household.closed_at.is_(None))
                .group_by(Household.lsg_id, Household.household_type)
            )
        elif indicator == "social_passports_by_category":
            query = (
                select(SocialPassport.lsg_id, SocialPassport.welfare_category, func.count())
                .join(LsgBody, LsgBody.id == SocialPassport.lsg_id)
                .where(in_scope, SocialPassport.status == "active")
                .group_by(SocialPassport.lsg_id, SocialPassport.welfare_category)
            )
        else:
            raise ValueError(indicator)
        with self._read() as connection:
            sums = controlled_sums(
                (lsg, str(dimension), count) for lsg, dimension, count in connection.execute(query)
            )
        cells: list[StatAggregatesCell] = [
            {"soate": soate, "dimension": dimension, "count": count}
            if count >= SUPPRESS_BELOW
            else {"soate": soate, "dimension": dimension, "suppressed": True}
            for dimension, count in sorted(sums.items())
        ]
        answer: StatAggregatesRecord = {"indicator": indicator, "soate": soate, "cells": cells}
        return Answer(ResultCode.OK, answer)


INDICATORS = ("population_by_gender", "households_by_type", "social_passports_by_category")
