"""The four modules beside the register book, for one LSG body of the synthetic country.

Social passports of low-income families and land-queue applications are drawn per household (the
book generator calls in here with the household's members); municipal property, social objects
and problems are drawn per LSG body in proportion to its households (FACTS §10).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sanarip_hub.domain.codes import (
    AcquisitionBasis,
    ApplicationStatus,
    Condition,
    Employment,
    IncomeSource,
    LandQueuePurpose,
    ObjectOwner,
    PriorityCategory,
    ProblemSource,
    ProblemStatus,
    PropertyEventKind,
    PropertyKind,
    ServiceAccessStatus,
    ServiceSource,
    SocialObjectKind,
    SocialPassportStatus,
    SocialService,
    UseStatus,
    WelfareCategory,
)
from sanarip_hub.synthetic import names as nm
from sanarip_hub.synthetic.country import (
    GMI_SOM,
    MUNICIPAL_PROPERTY_RATE,
    REFERENCE_DATE,
    SOCIAL_OBJECT_RATE,
    Emit,
    IdCounters,
    LsgState,
    eni,
)
from sanarip_hub.synthetic.territory import SyntheticLsg

REFERENCE_MOMENT = datetime.combine(REFERENCE_DATE, datetime.min.time(), UTC)
WAITING = (ApplicationStatus.REGISTERED, ApplicationStatus.VERIFIED)
PRIORITY_WEIGHTS = (80, 8, 4, 2, 2, 2, 2)  # none, large family, disabled, orphan, veteran, disaster, servant
PROPERTY_WEIGHTS = (25, 15, 25, 10, 8, 7, 7, 3)
USE_WEIGHTS = (60, 15, 15, 3, 7)
OBJECT_WEIGHTS = (18, 12, 14, 3, 8, 6, 5, 10, 4, 6, 6, 5, 3)
SECTORS = ("ичүүчү суу", "жол", "мектеп", "саламаттык", "энергетика", "сугат", "таштанды", "жаштар")
WITH_AREA = (PropertyKind.BUILDING, PropertyKind.PREMISES)


@dataclass(frozen=True, slots=True)
class Member:
    """A household member as the modules need them."""

    person_id: int
    relation: str
    male: bool
    born: date
    age: int
    absent: bool


def _moment(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


class ModuleGenerator:
    """Emits social passports, land-queue applications, property, social objects and problems."""

    def __init__(self, emit: Emit) -> None:
        self.ids = IdCounters()
        self.emit = emit

    def use_ids(self, ids: IdCounters) -> None:
        """Take ids from ``ids`` (the id block of the LSG body being generated) from now on."""
        self.ids = ids

    def social_passport(
        self,
        rng: random.Random,
        state: LsgState,
        household_id: int,
        members: list[Member],
        land_ha: float,
        livestock_units: float,
    ) -> None:
        """A social passport with per-member employment and income, the welfare category the
        commission would assign against the guaranteed minimum income, and the services received."""
        passport_id = self.ids.take("social_passport")
        opened = REFERENCE_DATE - timedelta(days=rng.randint(30, 5 * 365))
        # a review is never before the passport was opened (the register import refuses that)
        reviewed = max(opened, REFERENCE_DATE - timedelta(days=rng.randint(0, 360)))
        total_income = 0.0
        children = 0
        member_rows = []
        for member in members:
            if member.age < 7:
                employment, income, source = Employment.CHILD, 0.0, IncomeSource.NONE
                children += 1
            elif member.age < 18:
                employment, income, source = Employment.STUDENT, 0.0, IncomeSource.NONE
                children += 1
            elif member.age >= 63:
                employment, income, source = (
                    Employment.PENSIONER,
                    rng.uniform(5000, 9000),
                    IncomeSource.PENSION,
                )
            elif member.absent:
                employment, income, source = (
                    Employment.EMPLOYED,
                    rng.uniform(0, 6000),
                    IncomeSource.REMITTANCES,
                )
            else:
                employment, income, source = rng.choice(
                    (
                        (Employment.UNEMPLOYED_REGISTERED, 0.0, IncomeSource.NONE),
                        (Employment.SELF_EMPLOYED, rng.uniform(500, 6000), IncomeSource.AGRICULTURE),
                        (Employment.EMPLOYED, rng.uniform(3000, 12000), IncomeSource.SALARY),
                        (Employment.DISABLED, rng.uniform(2000, 4000), IncomeSource.BENEFIT),
                    )
                )
            income = round(income, 2)
            total_income += income
            disability = rng.choice((1, 2, 3)) if employment is Employment.DISABLED else None
            member_rows.append(
                (
                    self.ids.take("social_passport_member"),
                    passport_id,
                    member.person_id,
                    member.relation,
                    employment.value,
                    disability,
                    income,
                    source.value,
                )
            )
        per_capita = round(total_income / len(members), 2)
        below = per_capita < GMI_SOM
        if per_capita < GMI_SOM * 0.5:
            category = WelfareCategory.EXTREME_POOR
        elif below:
            category = WelfareCategory.POOR
        elif per_capita < GMI_SOM * 3:
            category = WelfareCategory.VULNERABLE
        else:
            category = WelfareCategory.NOT_POOR
        number = state.next_passport
        state.next_passport += 1
        status = SocialPassportStatus.ACTIVE if rng.random() < 0.9 else SocialPassportStatus.ARCHIVED
        self.emit(
            "social_passport",
            (
                passport_id,
                state.lsg_id,
                household_id,
                f"СП-{number:05d}",
                opened,
                reviewed,
                reviewed + timedelta(days=365),
                status.value,
                f"{rng.randint(1, 300)}/{reviewed.year}",
                reviewed,
                per_capita,
                GMI_SOM,
                below,
                category.value,
                round(land_ha, 4) or None,
                round(livestock_units, 2) or None,
                rng.choice((0, 0, 0, 1)),
                rng.choice(("good", "satisfactory", "poor", "emergency")),
            ),
        )
        for row in member_rows:
            self.emit("social_passport_member", row)
        employments = {row[4] for row in member_rows}
        services: list[tuple[SocialService, ServiceAccessStatus, ServiceSource]] = []
        if below and children:
            receiving = ServiceAccessStatus.RECEIVING if rng.random() < 0.8 else ServiceAccessStatus.APPLIED
            services.append((SocialService.UBK_BENEFIT, receiving, ServiceSource.MLSP))
        if Employment.PENSIONER.value in employments:
            services.append((SocialService.PENSION, ServiceAccessStatus.RECEIVING, ServiceSource.SF))
        if Employment.DISABLED.value in employments:
            services.append(
                (SocialService.DISABILITY_ALLOWANCE, ServiceAccessStatus.RECEIVING, ServiceSource.MLSP)
            )
        if children and rng.random() < 0.4:
            services.append((SocialService.SCHOOL_MEALS, ServiceAccessStatus.RECEIVING, ServiceSource.LOCAL))
        if rng.random() < 0.3:
            services.append(
                (SocialService.ENERGY_TARIFF, ServiceAccessStatus.ELIGIBLE_NOT_RECEIVING, ServiceSource.LOCAL)
            )
        for service, access, origin in services:
            self.emit(
                "social_service_access",
                (
                    self.ids.take("social_service_access"),
                    passport_id,
                    service.value,
                    access.value,
                    opened,
                    origin.value,
                ),
            )

    def ensure_queues(self, state: LsgState) -> None:
        """The LSG body's two land queues (individual housing and lease), created once."""
        for purpose, name in (
            (LandQueuePurpose.HOUSING, "Жеке турак жай куруу үчүн жер участоктору"),
            (LandQueuePurpose.LEASE, "Ижарага берилүүчү жер участоктору"),
        ):
            if purpose not in state.queue_ids:
                queue_id = self.ids.take("land_queue")
                state.queue_ids[purpose] = queue_id
                self.emit("land_queue", (queue_id, state.lsg_id, purpose.value, name, date(2010, 1, 1)))

    def land_application(
        self, rng: random.Random, state: LsgState, household_id: int, members: list[Member]
    ) -> None:
        """An application by an adult of the household, registered up to 15 years ago, with its events."""
        adults = [m for m in members if m.age >= 18]
        applicant = rng.choice(adults) if adults else members[0]
        purpose = LandQueuePurpose.LEASE if rng.random() < 0.2 else LandQueuePurpose.HOUSING
        application_id = self.ids.take("land_application")
        number = state.next_application
        state.next_application += 1
        registered = REFERENCE_MOMENT - timedelta(
            days=rng.randint(1, 15 * 365), seconds=rng.randint(0, 86399)
        )
        roll = rng.random()
        if roll < 0.55:
            status = ApplicationStatus.REGISTERED
        elif roll < 0.8:
            status = ApplicationStatus.VERIFIED
        elif roll < 0.88:
            status = ApplicationStatus.ALLOCATED
        elif roll < 0.94:
            status = ApplicationStatus.REJECTED
        else:
            status = ApplicationStatus.WITHDRAWN
        decided = status in (ApplicationStatus.ALLOCATED, ApplicationStatus.REJECTED)
        # a decision is never after the country's "today" (the register import refuses future dates)
        decided_at = (
            min(registered + timedelta(days=rng.randint(30, 900)), REFERENCE_MOMENT) if decided else None
        )
        decision_date = decided_at.date() if decided_at else None
        lease = purpose is LandQueuePurpose.LEASE
        self.emit(
            "land_application",
            (
                application_id,
                state.queue_ids[purpose],
                f"ЖУ-{number:06d}",
                registered,
                applicant.person_id,
                household_id,
                rng.choices(list(PriorityCategory), PRIORITY_WEIGHTS)[0].value,
                rng.random() < 0.3,
                False,
                (registered - timedelta(days=rng.randint(365, 20 * 365))).date(),
                status.value,
                "Талаптарга жооп бербейт" if status is ApplicationStatus.REJECTED else None,
                eni(rng) if status is ApplicationStatus.ALLOCATED else None,
                str(rng.randint(1, 500)) if decided else None,
                decision_date,
                rng.choice((5, 10, 25, 49)) if lease else None,
                round(rng.uniform(0.5, 20), 4) if lease else None,
            ),
        )
        self.emit(
            "land_application_event",
            (
                self.ids.take("land_application_event"),
                application_id,
                registered,
                None,
                ApplicationStatus.REGISTERED.value,
                "registrar",
                None,
            ),
        )
        if status is not ApplicationStatus.REGISTERED:
            changed = min(registered + timedelta(days=rng.randint(1, 900)), REFERENCE_MOMENT)
            self.emit(
                "land_application_event",
                (
                    self.ids.take("land_application_event"),
                    application_id,
                    changed,
                    ApplicationStatus.REGISTERED.value,
                    status.value,
                    "commission",
                    None,
                ),
            )

    def lsg_assets(self, rng: random.Random, lsg: SyntheticLsg, state: LsgState, households: int) -> None:
        """Municipal property, social objects and problems in proportion to ``households``."""
        for _ in range(max(5, round(households * MUNICIPAL_PROPERTY_RATE))):
            self._property(rng, lsg, state)
        for n in range(max(3, round(households * SOCIAL_OBJECT_RATE))):
            kind = rng.choices(list(SocialObjectKind), OBJECT_WEIGHTS)[0]
            school = kind in (SocialObjectKind.SCHOOL, SocialObjectKind.KINDERGARTEN)
            capacity = rng.randint(50, 1200) if school else None
            self.emit(
                "social_object",
                (
                    self.ids.take("social_object"),
                    state.lsg_id,
                    kind.value,
                    f"{kind.value} №{n + 1}",
                    None,
                    eni(rng) if rng.random() < 0.4 else None,
                    capacity,
                    int(capacity * rng.uniform(0.6, 1.5)) if capacity else None,
                    rng.choices(list(Condition), (30, 45, 20, 5))[0].value,
                    rng.randint(1940, 2024),
                    rng.choices(list(ObjectOwner), (70, 20, 10))[0].value,
                ),
            )
        for _ in range(rng.randint(5, 15)):
            sector = rng.choice(SECTORS)
            self.emit(
                "lsg_problem",
                (
                    self.ids.take("lsg_problem"),
                    state.lsg_id,
                    sector,
                    f"{sector}: көйгөй",
                    None,
                    rng.randint(1, 5),
                    round(rng.uniform(100_000, 30_000_000), 2),
                    rng.choice(list(ProblemStatus)).value,
                    rng.choice(list(ProblemSource)).value,
                ),
            )

    def _property(self, rng: random.Random, lsg: SyntheticLsg, state: LsgState) -> None:
        """One object of the municipal property register, its registration event and any lease."""
        property_id = self.ids.take("municipal_property")
        kind = rng.choices(list(PropertyKind), PROPERTY_WEIGHTS)[0]
        inventory = state.next_inventory
        state.next_inventory += 1
        value = round(rng.uniform(50_000, 50_000_000), 2)
        use = rng.choices(list(UseStatus), USE_WEIGHTS)[0]
        acquired = date(rng.randint(1992, 2025), rng.randint(1, 12), rng.randint(1, 28))
        linear = kind in (PropertyKind.ROAD, PropertyKind.NETWORK)
        self.emit(
            "municipal_property",
            (
                property_id,
                state.lsg_id,
                f"МП-{inventory:06d}",
                eni(rng) if kind in (*WITH_AREA, PropertyKind.LAND) else None,
                kind.value,
                f"{kind.value} #{inventory}",
                rng.choice(lsg.settlements)[1],
                round(rng.uniform(20, 3000), 1) if kind in WITH_AREA else None,
                round(rng.uniform(0.05, 50), 4) if kind is PropertyKind.LAND else None,
                round(rng.uniform(100, 20000), 1) if linear else None,
                rng.randint(1950, 2024) if kind in WITH_AREA else None,
                value,
                round(value * rng.uniform(0.1, 1.0), 2),
                date(rng.randint(2015, 2025), 12, 31),
                rng.choice(list(AcquisitionBasis)).value,
                str(rng.randint(1, 999)),
                acquired,
                use.value,
                rng.choice(("Айыл өкмөтү", "Мектеп", "Маданият үйү", "Коммуналдык ишкана")),
            ),
        )
        self.emit(
            "property_event",
            (
                self.ids.take("property_event"),
                property_id,
                _moment(acquired),
                PropertyEventKind.REGISTERED.value,
                str(rng.randint(1, 999)),
                acquired,
                value,
            ),
        )
        if use is UseStatus.LEASED:
            start = date(rng.randint(2018, 2025), rng.randint(1, 12), 1)
            words = nm.ORGANISATION_WORDS
            self.emit(
                "property_lease",
                (
                    self.ids.take("property_lease"),
                    property_id,
                    f"0{rng.randrange(10**13):013d}",
                    f"«{rng.choice(words)} {rng.choice(words)}» ЖЧК",
                    f"ИК-{rng.randint(1, 9999):04d}",
                    start,
                    start.replace(year=start.year + rng.choice((1, 3, 5))),
                    round(rng.uniform(2000, 80000), 2),
                    rng.choice(("соода", "кеңсе", "кампа", "айыл чарба")),
                ),
            )
            self.emit(
                "property_event",
                (
                    self.ids.take("property_event"),
                    property_id,
                    _moment(start),
                    PropertyEventKind.LEASED.value,
                    None,
                    start,
                    None,
                ),
            )
