"""The model enforces what the register book needs, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sanarip_hub.domain.codes import HouseholdType, LsgKind, PinStatus, Relation, UnitKind
from sanarip_hub.domain.identifiers import Gender
from sanarip_hub.storage.models import (
    Address,
    AteUnit,
    Household,
    HouseholdMember,
    LandApplication,
    LandQueue,
    LsgBody,
    Person,
)
from tests.conftest import HubDb

VILLAGE = "41708203801010"


def base_rows(session: Session) -> LsgBody:
    session.add_all(
        [
            AteUnit(
                soate_code="41708203801000",
                name_ky="Ак-Суу айыл аймагы",
                name_ru="айылный аймак Ак-Суу",
                kind=UnitKind.AYIL_AIMAK,
                valid_from=date(2025, 1, 1),
            ),
        ]
    )
    session.flush()
    session.add(
        AteUnit(
            soate_code=VILLAGE,
            name_ky="Ак-Суу айылы",
            name_ru="село Ак-Суу",
            kind=UnitKind.VILLAGE,
            parent_code="41708203801000",
            valid_from=date(2025, 1, 1),
        )
    )
    lsg = LsgBody(
        soate_code="41708203801000",
        kind=LsgKind.AYIL_OKMOTU,
        name_ky="Ак-Суу айыл өкмөтү",
        name_ru="Айыл окмоту Ак-Суу",
    )
    session.add(lsg)
    session.flush()
    return lsg


def person(lsg: LsgBody, pin: str | None, surname: str = "Асанов") -> Person:
    return Person(
        lsg_id=lsg.id,
        pin=pin,
        pin_status=PinStatus.ACTIVE if pin else PinStatus.NONE,
        surname=surname,
        given_name="Үмөт",
        patronymic=None,
        gender=Gender.MALE,
        birth_date=date(1980, 5, 17),
    )


def test_household_with_members_round_trips_names_as_written(hub_db: HubDb) -> None:
    with Session(hub_db.engine) as session:
        lsg = base_rows(session)
        head = person(lsg, "21705198091234", surname="Жеңишбек уулу")
        session.add(head)
        address = Address(
            soate_code=VILLAGE, street="Манас", house="12", text_raw="Ак-Суу а., Манас көч., 12"
        )
        session.add(address)
        session.flush()
        household = Household(
            lsg_id=lsg.id,
            book_no=1,
            account_no="000001",
            address_id=address.id,
            head_person_id=head.id,
            household_type=HouseholdType.FAMILY,
            opened_at=date(2001, 3, 1),
        )
        session.add(household)
        session.flush()
        session.add(
            HouseholdMember(
                household_id=household.id,
                person_id=head.id,
                relation_to_head=Relation.HEAD,
                member_from=date(2001, 3, 1),
            )
        )
        session.commit()
    with Session(hub_db.engine) as session:
        stored = session.scalars(select(Person)).one()
        assert stored.surname == "Жеңишбек уулу"
        assert stored.given_name == "Үмөт"
        assert stored.version == 1
        member = session.scalars(select(HouseholdMember)).one()
        assert member.relation_to_head is Relation.HEAD
        assert member.is_temporarily_absent is False


def test_pin_is_unique_where_present(hub_db: HubDb) -> None:
    with Session(hub_db.engine) as session:
        lsg = base_rows(session)
        session.add_all([person(lsg, None), person(lsg, None)])  # many persons without a PIN are fine
        session.commit()
        session.add(person(lsg, "21705198091234"))
        session.commit()
        session.add(person(lsg, "21705198091234"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_database_rejects_values_outside_the_code_lists(hub_db: HubDb) -> None:
    with Session(hub_db.engine) as session:
        lsg = base_rows(session)
        session.commit()
        lsg_id = lsg.id
    with hub_db.engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            text(
                "INSERT INTO person (lsg_id, pin, pin_status, surname, given_name, gender, birth_date) "
                "VALUES (:lsg, NULL, 'none', 'X', 'Y', 'Q', '1990-01-01')"
            ),
            {"lsg": lsg_id},
        )
    with hub_db.engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            text(
                "INSERT INTO person (lsg_id, pin, pin_status, surname, given_name, gender, birth_date) "
                "VALUES (:lsg, '123', 'active', 'X', 'Y', 'F', '1990-01-01')"
            ),
            {"lsg": lsg_id},
        )


def test_foreign_keys_are_enforced(hub_db: HubDb) -> None:
    """SQLite ignores foreign keys unless told otherwise; the engine tells it."""
    with hub_db.engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            insert(Person),
            {
                "lsg_id": 999,
                "pin_status": "none",
                "surname": "X",
                "given_name": "Y",
                "gender": "F",
                "birth_date": date(1990, 1, 1),
            },
        )


def test_optimistic_locking_stops_a_lost_update(hub_db: HubDb) -> None:
    with Session(hub_db.engine) as session:
        lsg = base_rows(session)
        session.add(person(lsg, "21705198091234"))
        session.commit()
    first, second = Session(hub_db.engine), Session(hub_db.engine)
    a = first.scalars(select(Person)).one()
    b = second.scalars(select(Person)).one()
    a.surname = "Асаналиев"
    first.commit()
    b.surname = "Усенов"
    with pytest.raises(StaleDataError):
        second.commit()
    first.close()
    second.close()
    with Session(hub_db.engine) as session:
        stored = session.scalars(select(Person)).one()
        assert (stored.surname, stored.version) == ("Асаналиев", 2)
        assert stored.updated_at is not None
        assert stored.updated_at.tzinfo is UTC


def test_timestamps_are_utc_on_both_backends(hub_db: HubDb) -> None:
    bishkek = timezone(timedelta(hours=6))
    registered = datetime(2020, 6, 1, 9, 30, 15, 123456, tzinfo=bishkek)
    with Session(hub_db.engine) as session:
        lsg = base_rows(session)
        applicant = person(lsg, "21705198091234")
        session.add(applicant)
        session.flush()
        queue = LandQueue(lsg_id=lsg.id, purpose="housing", name="Q", opened_at=date(2010, 1, 1))
        session.add(queue)
        session.flush()
        session.add(
            LandApplication(
                queue_id=queue.id,
                reg_number="1",
                reg_datetime=registered,
                applicant_person_id=applicant.id,
                priority_category="none",
                has_own_housing=False,
                has_land_plot=False,
                status="registered",
            )
        )
        session.commit()
    with Session(hub_db.engine) as session:
        stored = session.scalars(select(LandApplication.reg_datetime)).one()
        assert stored == registered
        assert stored.tzinfo is not None
        assert stored.utcoffset() == timedelta(0)
        assert stored.hour == 3
        created = session.scalars(select(Person.created_at)).one()
        assert abs(created - datetime.now(UTC)) < timedelta(minutes=5)


def test_naive_datetimes_are_refused(hub_db: HubDb) -> None:
    with Session(hub_db.engine) as session:
        lsg = base_rows(session)
        queue = LandQueue(lsg_id=lsg.id, purpose="lease", name="Q", opened_at=date(2010, 1, 1))
        applicant = person(lsg, "21705198091234")
        session.add_all([queue, applicant])
        session.flush()
        session.add(
            LandApplication(
                queue_id=queue.id,
                reg_number="1",
                reg_datetime=datetime(2020, 1, 1),
                applicant_person_id=applicant.id,
                priority_category="none",
                has_own_housing=False,
                has_land_plot=False,
                status="registered",
            )
        )
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()
