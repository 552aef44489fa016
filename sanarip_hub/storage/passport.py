"""The electronic passport of an LSG body, derived from the household register book.

Regulation clause 9 lists population size and composition as passport content; FACTS §8.3 adds that
those counts are aggregated from the book, never typed in.  :func:`derive_lsg_passports` computes
them for many LSG bodies at once with one grouped query per figure (one pass over the book however
many bodies there are), on SQLite and PostgreSQL alike, and replaces the period's passports in the
caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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
from sanarip_hub.storage.models.household import OPEN_MEMBERSHIP

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


def derive_lsg_passports(connection: Connection, lsg_ids: Sequence[int], period: str) -> dict[int, int]:
    """(Re)compute the passports of ``lsg_ids`` for ``period`` from the book; return their ids."""
    ref = period_start(period)
    wanted = list(lsg_ids)
    current_member = and_(
        OPEN_MEMBERSHIP,
        Household.lsg_id.in_(wanted),
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
    migrant = case(
        (
            and_(
                HouseholdMember.is_temporarily_absent.is_(True),
                HouseholdMember.absence_reason == AbsenceReason.LABOUR_MIGRATION,
            ),
            1,
        ),
        else_=0,
    )
    book = (
        select(Household.lsg_id, Person.gender, band, func.count(), func.sum(migrant))
        .select_from(HouseholdMember)
        .join(Household, Household.id == HouseholdMember.household_id)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(current_member)
        .group_by(Household.lsg_id, Person.gender, band)
    )
    cells: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    migrants: dict[int, int] = defaultdict(int)
    for lsg_id, gender, age_band, count, absent in connection.execute(book):
        cells[lsg_id].append((str(gender), str(age_band), int(count)))
        migrants[lsg_id] += int(absent or 0)

    households = dict(
        connection.execute(
            select(Household.lsg_id, func.count())
            .where(Household.lsg_id.in_(wanted), Household.closed_at.is_(None))
            .group_by(Household.lsg_id)
        ).all()
    )
    unemployed = dict(
        connection.execute(
            select(SocialPassport.lsg_id, func.count(func.distinct(SocialPassportMember.person_id)))
            .join(SocialPassport, SocialPassport.id == SocialPassportMember.passport_id)
            .where(
                SocialPassport.lsg_id.in_(wanted),
                SocialPassport.status == SocialPassportStatus.ACTIVE,
                SocialPassportMember.employment == Employment.UNEMPLOYED_REGISTERED,
            )
            .group_by(SocialPassport.lsg_id)
        ).all()
    )
    settlements = dict(
        connection.execute(
            select(LsgBody.id, func.count(AteUnit.soate_code))
            .outerjoin(
                AteUnit, and_(AteUnit.parent_code == LsgBody.soate_code, AteUnit.kind == UnitKind.VILLAGE)
            )
            .where(LsgBody.id.in_(wanted))
            .group_by(LsgBody.id)
        ).all()
    )

    connection.execute(
        delete(LsgPassport).where(LsgPassport.lsg_id.in_(wanted), LsgPassport.period == period)
    )
    now = datetime.now(UTC)
    ids: dict[int, int] = {}
    for lsg_id in wanted:
        lsg_cells = cells.get(lsg_id, [])
        passport_id = connection.execute(
            insert(LsgPassport).returning(LsgPassport.id),
            {
                "lsg_id": lsg_id,
                "period": period,
                "area_km2": None,
                "settlements_count": settlements.get(lsg_id) or 1,
                "population_total": sum(count for _, _, count in lsg_cells),
                "households_total": households.get(lsg_id, 0),
                "migrants_out_count": migrants.get(lsg_id, 0),
                "unemployed_registered": unemployed.get(lsg_id, 0),
                "derived_at": now,
            },
        ).scalar_one()
        ids[lsg_id] = int(passport_id)
        if lsg_cells:
            connection.execute(
                insert(LsgPassportPopulation),
                [
                    {"passport_id": passport_id, "gender": g, "age_band": b, "count": c}
                    for g, b, c in lsg_cells
                ],
            )
    return ids
