"""The electronic passport of an LSG body, derived from the household register book.

Regulation clause 9 lists population size and composition as passport content; FACTS §8.3 adds that
those counts are aggregated from the book, never typed in.  :func:`derive_lsg_passport` computes
them with one aggregate query per figure, on SQLite and PostgreSQL alike, and replaces the period's
passport atomically.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Connection, and_, case, delete, func, insert, select

from sanarip_hub.domain.codes import AbsenceReason, Employment, SocialPassportStatus, UnitKind
from sanarip_hub.storage.models import (
    AteUnit,
    Household,
    HouseholdMember,
    LsgBody,
    LsgPassport,
    LsgPassportPopulation,
    Person,
    SocialPassport,
    SocialPassportMember,
)

# Pension age in Kyrgyzstan: 63 for men, 58 for women.
PENSION_AGE = {"M": 63, "F": 58}
AGE_BANDS = ("0-2", "3-6", "7-15", "16-17", "working", "pension")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def period_start(period: str) -> date:
    """1 January of a year period (``2026``) or the first day of a quarter (``2026-Q2``)."""
    if len(period) == 4 and period.isdigit():
        return date(int(period), 1, 1)
    year, _, quarter = period.partition("-Q")
    if year.isdigit() and quarter in ("1", "2", "3", "4"):
        return date(int(year), 3 * (int(quarter) - 1) + 1, 1)
    raise ValueError(f"period must be YYYY or YYYY-Qn, got {period!r}")


def derive_lsg_passport(connection: Connection, lsg_id: int, period: str) -> int:
    """(Re)compute the passport of ``lsg_id`` for ``period`` from the book; return its id."""
    ref = period_start(period)
    current_member = and_(
        HouseholdMember.member_to.is_(None),
        Household.closed_at.is_(None),
        Household.lsg_id == lsg_id,
        Person.death_date.is_(None),
        Person.birth_date <= ref,
    )
    band = case(
        (Person.birth_date > _years_before(ref, 3), "0-2"),
        (Person.birth_date > _years_before(ref, 7), "3-6"),
        (Person.birth_date > _years_before(ref, 16), "7-15"),
        (Person.birth_date > _years_before(ref, 18), "16-17"),
        (and_(Person.gender == "M", Person.birth_date > _years_before(ref, PENSION_AGE["M"])), "working"),
        (and_(Person.gender == "F", Person.birth_date > _years_before(ref, PENSION_AGE["F"])), "working"),
        else_="pension",
    ).label("band")
    members = (
        select(Person.gender, band, func.count(func.distinct(Person.id)))
        .select_from(HouseholdMember)
        .join(Household, Household.id == HouseholdMember.household_id)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(current_member)
        .group_by(Person.gender, band)
    )
    cells = [
        (str(gender), str(age_band), int(count)) for gender, age_band, count in connection.execute(members)
    ]

    households = connection.execute(
        select(func.count()).where(Household.lsg_id == lsg_id, Household.closed_at.is_(None))
    ).scalar_one()
    migrants = connection.execute(
        select(func.count(func.distinct(HouseholdMember.person_id)))
        .join(Household, Household.id == HouseholdMember.household_id)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(
            current_member,
            HouseholdMember.is_temporarily_absent.is_(True),
            HouseholdMember.absence_reason == AbsenceReason.LABOUR_MIGRATION,
        )
    ).scalar_one()
    unemployed = connection.execute(
        select(func.count(func.distinct(SocialPassportMember.person_id)))
        .join(SocialPassport, SocialPassport.id == SocialPassportMember.passport_id)
        .where(
            SocialPassport.lsg_id == lsg_id,
            SocialPassport.status == SocialPassportStatus.ACTIVE,
            SocialPassportMember.employment == Employment.UNEMPLOYED_REGISTERED,
        )
    ).scalar_one()
    soate = connection.execute(select(LsgBody.soate_code).where(LsgBody.id == lsg_id)).scalar_one()
    settlements = connection.execute(
        select(func.count()).where(AteUnit.parent_code == soate, AteUnit.kind == UnitKind.VILLAGE)
    ).scalar_one()

    connection.execute(delete(LsgPassport).where(LsgPassport.lsg_id == lsg_id, LsgPassport.period == period))
    passport_id = connection.execute(
        insert(LsgPassport).returning(LsgPassport.id),
        {
            "lsg_id": lsg_id,
            "period": period,
            "area_km2": None,
            "settlements_count": settlements or 1,
            "population_total": sum(count for _, _, count in cells),
            "households_total": households,
            "migrants_out_count": migrants,
            "unemployed_registered": unemployed,
            "derived_at": datetime.now(UTC),
        },
    ).scalar_one()
    if cells:
        connection.execute(
            insert(LsgPassportPopulation),
            [{"passport_id": passport_id, "gender": g, "age_band": b, "count": c} for g, b, c in cells],
        )
    return int(passport_id)
