"""Households, people and the four other modules of one LSG body, as rows ready for bulk loading.

The generator is a plain function of (seed, LSG, starting ids, PINs already taken): it never reads
the clock or the database, so the same inputs always give the same rows.  Rows are tuples in the
column order of :data:`COLUMNS`, because building millions of dicts or ORM objects would cost more
than the database needs to store them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sanarip_hub.domain.codes import (
    AbsenceReason,
    AcquisitionBasis,
    ApplicationStatus,
    Condition,
    DwellingType,
    Employment,
    HouseholdType,
    IncomeSource,
    LandCategory,
    LandQueuePurpose,
    LandRight,
    LivestockKind,
    ObjectOwner,
    Ownership,
    PinAliasKind,
    PinStatus,
    PriorityCategory,
    ProblemSource,
    ProblemStatus,
    PropertyEventKind,
    PropertyKind,
    Relation,
    ServiceAccessStatus,
    ServiceSource,
    SocialObjectKind,
    SocialPassportStatus,
    SocialService,
    UseStatus,
    WelfareCategory,
)
from sanarip_hub.domain.identifiers import Gender, make_pin
from sanarip_hub.synthetic import names as nm
from sanarip_hub.synthetic.territory import SyntheticLsg

REFERENCE_DATE = date(2026, 1, 1)  # "today" of the synthetic country: the book's yearly snapshot
REFERENCE_YEAR = REFERENCE_DATE.year
GMI_SOM = 1000.0  # guaranteed minimum income per person per month (FACTS §3)

# Column order of every generated table (also the COPY / INSERT column lists).
COLUMNS: dict[str, tuple[str, ...]] = {
    "address": ("id", "soate_code", "street", "house", "flat", "text_raw"),
    "person": (
        "id",
        "lsg_id",
        "pin",
        "pin_status",
        "surname",
        "given_name",
        "patronymic",
        "gender",
        "birth_date",
        "death_date",
        "marital_status",
        "nationality",
        "citizenship",
    ),
    "person_pin_alias": ("id", "person_id", "pin", "kind", "source"),
    "household": (
        "id",
        "lsg_id",
        "book_no",
        "account_no",
        "address_id",
        "head_person_id",
        "household_type",
        "opened_at",
    ),
    "household_member": (
        "id",
        "household_id",
        "person_id",
        "relation_to_head",
        "member_from",
        "member_to",
        "is_temporarily_absent",
        "absence_reason",
        "absence_country",
    ),
    "dwelling": (
        "id",
        "household_id",
        "eni_code",
        "dwelling_type",
        "ownership",
        "year_built",
        "area_total_m2",
        "area_living_m2",
        "rooms",
        "water",
        "sewerage",
        "gas",
        "heating",
        "electricity",
    ),
    "household_land": (
        "id",
        "household_id",
        "year",
        "parcel_no",
        "category",
        "area_ha",
        "irrigated",
        "land_right",
    ),
    "household_livestock": ("id", "household_id", "year", "kind", "head_count"),
    "social_passport": (
        "id",
        "lsg_id",
        "household_id",
        "number",
        "opened_at",
        "reviewed_at",
        "next_review_due",
        "status",
        "commission_decision_no",
        "commission_decision_date",
        "per_capita_income_som",
        "gmi_som_at_assessment",
        "is_below_gmi",
        "welfare_category",
        "land_ha",
        "livestock_units",
        "vehicles",
        "dwelling_condition",
    ),
    "social_passport_member": (
        "id",
        "passport_id",
        "person_id",
        "relation",
        "employment",
        "disability_group",
        "income_monthly_som",
        "income_source",
    ),
    "social_service_access": ("id", "passport_id", "service", "status", "since", "source"),
    "land_queue": ("id", "lsg_id", "purpose", "name", "opened_at"),
    "land_application": (
        "id",
        "queue_id",
        "reg_number",
        "reg_datetime",
        "applicant_person_id",
        "household_id",
        "priority_category",
        "has_own_housing",
        "has_land_plot",
        "residence_since",
        "status",
        "status_reason",
        "allocated_parcel_eni",
        "decision_no",
        "decision_date",
        "lease_term_years",
        "lease_area_ha",
    ),
    "land_application_event": ("id", "application_id", "at", "from_status", "to_status", "actor", "reason"),
    "municipal_property": (
        "id",
        "lsg_id",
        "inventory_no",
        "eni_code",
        "kind",
        "name",
        "address_text",
        "area_m2",
        "area_ha",
        "length_m",
        "year_built",
        "book_value_som",
        "residual_value_som",
        "valuation_date",
        "acquisition_basis",
        "acquisition_doc_no",
        "acquisition_doc_date",
        "use_status",
        "balance_holder",
    ),
    "property_lease": (
        "id",
        "property_id",
        "lessee_inn",
        "lessee_name",
        "contract_no",
        "valid_from",
        "valid_to",
        "rent_som_month",
        "purpose",
    ),
    "property_event": ("id", "property_id", "at", "kind", "doc_no", "doc_date", "amount_som"),
    "social_object": (
        "id",
        "lsg_id",
        "kind",
        "name",
        "address_id",
        "eni_code",
        "capacity",
        "actual_load",
        "condition",
        "year_built",
        "owner",
    ),
    "lsg_problem": (
        "id",
        "lsg_id",
        "sector",
        "title",
        "description",
        "priority",
        "estimated_cost_som",
        "status",
        "source",
    ),
}
# Parents before children: the order rows are flushed in.
TABLE_ORDER: tuple[str, ...] = tuple(COLUMNS)

# Proportions per household, from FACTS §10 (national totals / 1.75 M households).
SOCIAL_PASSPORT_RATE = 120_000 / 1_750_000
LAND_APPLICATION_RATE = 200_000 / 1_750_000
MUNICIPAL_PROPERTY_RATE = 50_000 / 1_750_000
SOCIAL_OBJECT_RATE = 25_000 / 1_750_000
SECOND_PIN_RATE = 0.007
NO_PIN_RATE = 0.002
BLOCKED_PIN_RATE = 0.001

# Household sizes 1..12 (weights): rural mean ≈ 4.6, towns ≈ 4.0, Bishkek ≈ 3.3 (FACTS §3, §10).
SIZE_WEIGHTS_RURAL = (5, 9, 12, 17, 18, 15, 10, 7, 4, 2, 0.7, 0.3)
SIZE_WEIGHTS_TOWN = (9, 14, 17, 21, 17, 10, 6, 3, 1.5, 1, 0.3, 0.2)
SIZE_WEIGHTS_BISHKEK = (15, 20, 20, 20, 13, 6, 3, 1.5, 1, 0.3, 0.1, 0.1)

LIVESTOCK_ODDS = {  # chance a rural household keeps the kind, and its head-count range
    LivestockKind.POULTRY: (0.8, 3, 40),
    LivestockKind.CATTLE: (0.7, 1, 20),
    LivestockKind.COWS: (0.6, 1, 8),
    LivestockKind.SHEEP: (0.55, 2, 200),
    LivestockKind.GOATS: (0.35, 1, 60),
    LivestockKind.HORSES: (0.35, 1, 15),
    LivestockKind.BEES: (0.03, 2, 40),
    LivestockKind.PIGS: (0.02, 1, 10),
}
MIGRATION_COUNTRIES = ("RUS", "RUS", "RUS", "RUS", "RUS", "RUS", "RUS", "KAZ", "KAZ", "TUR", "KOR")


@dataclass
class IdCounters:
    """Next free id per table; the generator takes ids from here so parents and children link up."""

    next: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 1))

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class LsgState:
    """Per-LSG counters that continue across chunks and ``--append`` runs."""

    lsg_id: int
    next_account: int = 1
    next_passport: int = 1
    next_application: int = 1
    next_inventory: int = 1
    queue_ids: dict[LandQueuePurpose, int] = field(default_factory=dict)


Emit = Callable[[str, tuple[Any, ...]], None]


@dataclass
class _Member:
    person_id: int
    relation: Relation
    male: bool
    born: date
    absent: bool


class CountryGenerator:
    """Generates one LSG body's book and modules into an ``emit(table, row)`` sink."""

    def __init__(self, seed: int, ids: IdCounters, taken_pins: set[str], emit: Emit) -> None:
        self.seed = seed
        self.ids = ids
        self.taken_pins = taken_pins
        self.emit = emit
        self._ts = datetime.combine(REFERENCE_DATE, datetime.min.time(), UTC)

    # --- identifiers -------------------------------------------------------------------------------

    def _new_pin(self, rng: random.Random, male: bool, born: date) -> str:
        gender = Gender.MALE if male else Gender.FEMALE
        while True:  # serials 9xxxx: reserved for synthetic data, never a real person's PIN
            pin = make_pin(gender, born, 90000 + rng.randrange(10000))
            if pin not in self.taken_pins:
                self.taken_pins.add(pin)
                return pin

    @staticmethod
    def _birth_date(rng: random.Random, age: int) -> date:
        return REFERENCE_DATE - timedelta(days=age * 365 + rng.randrange(365) + age // 4)

    # --- people ------------------------------------------------------------------------------------

    def _person(
        self,
        rng: random.Random,
        state: LsgState,
        surname: str,
        given: str,
        patronymic: str | None,
        male: bool,
        age: int,
        married: bool,
        nationality: str,
    ) -> tuple[int, date]:
        person_id = self.ids.take("person")
        born = self._birth_date(rng, age)
        roll = rng.random()
        if roll < NO_PIN_RATE:
            pin, status = None, PinStatus.NONE
        else:
            pin = self._new_pin(rng, male, born)
            status = PinStatus.BLOCKED if roll < NO_PIN_RATE + BLOCKED_PIN_RATE else PinStatus.ACTIVE
            if rng.random() < SECOND_PIN_RATE:  # an old number from before centralised assignment
                self.emit(
                    "person_pin_alias",
                    (
                        self.ids.take("person_pin_alias"),
                        person_id,
                        self._new_pin(rng, male, born),
                        PinAliasKind.OLD.value,
                        "GRS",
                    ),
                )
        marital = 1 if married else (0 if age < 25 else rng.choice((0, 2, 3)))
        self.emit(
            "person",
            (
                person_id,
                state.lsg_id,
                pin,
                status.value,
                surname,
                given,
                patronymic,
                "M" if male else "F",
                born,
                None,
                marital if age >= 16 else 0,
                nationality,
                "KGZ",
            ),
        )
        return person_id, born

    def household(self, rng: random.Random, lsg: SyntheticLsg, state: LsgState) -> None:
        """One household: address, members, dwelling, land, livestock, and maybe a social passport and
        a land-queue application."""
        if lsg.is_bishkek:
            weights = SIZE_WEIGHTS_BISHKEK
        elif lsg.is_rural:
            weights = SIZE_WEIGHTS_RURAL
        else:
            weights = SIZE_WEIGHTS_TOWN
        size = rng.choices(range(1, 13), weights)[0]
        south = lsg.oblast in ("03", "05", "06", "21")
        north = lsg.oblast in ("08", "11", "02")
        eth_roll = rng.random()
        if eth_roll < (0.15 if south else 0.01):
            ethnicity = nm.Ethnicity.UZBEK
        elif eth_roll > (0.85 if lsg.is_bishkek else 0.93 if north else 0.995):
            ethnicity = nm.Ethnicity.RUSSIAN
        else:
            ethnicity = nm.Ethnicity.KYRGYZ
        style_roll = rng.random()
        if ethnicity is nm.Ethnicity.KYRGYZ and style_roll < 0.10:
            style = nm.SurnameStyle.UULU
        elif ethnicity is nm.Ethnicity.KYRGYZ and style_roll < 0.20:
            style = nm.SurnameStyle.BARE
        else:
            style = nm.SurnameStyle.RUSSIAN

        # Address
        settlement_code, settlement_name = rng.choice(lsg.settlements)
        street = rng.choice(nm.STREETS)
        house = str(rng.randint(1, 250))
        flat = str(rng.randint(1, 120)) if (lsg.is_bishkek and rng.random() < 0.6) else None
        address_id = self.ids.take("address")
        text = f"{settlement_name}, {street} көч., {house}" + (f", кв. {flat}" if flat else "")
        self.emit("address", (address_id, settlement_code, street, house, flat, text))

        household_id = self.ids.take("household")
        members: list[_Member] = []

        def add(
            relation: Relation,
            male: bool,
            age: int,
            surname: str,
            given: str,
            patronymic: str | None,
            married: bool,
        ) -> _Member:
            person_id, born = self._person(
                rng, state, surname, given, patronymic, male, age, married, ethnicity.value
            )
            adult_absent = 18 <= age <= 50 and relation is not Relation.HEAD and rng.random() < 0.15
            member = _Member(person_id, relation, male, born, adult_absent)
            members.append(member)
            return member

        # Head
        head_male = rng.random() < 0.78 or size >= 4
        head_age = min(90, max(20, int(rng.gauss(47, 13))))
        head_given = rng.choice(nm.given_names(ethnicity, head_male))
        father = rng.choice(nm.given_names(ethnicity, True))
        if ethnicity is nm.Ethnicity.RUSSIAN:
            family_surname = rng.choice(nm.RUSSIAN_SURNAMES)
            head_surname = family_surname if head_male else nm.feminine(family_surname)
            head_patronymic = nm.patronymic_from(father, head_male, nm.SurnameStyle.RUSSIAN)
        else:
            head_surname = nm.surname_from(father, head_male, style)
            head_patronymic = nm.patronymic_from(father, head_male, style)
        has_spouse = size >= 2 and rng.random() < (0.9 if head_male else 0.2)
        add(Relation.HEAD, head_male, head_age, head_surname, head_given, head_patronymic, has_spouse)
        remaining = size - 1

        # Spouse
        mother_age = head_age
        if has_spouse:
            spouse_male = not head_male
            spouse_age = max(18, head_age + (rng.randint(-8, 2) if head_male else rng.randint(-2, 8)))
            mother_age = spouse_age if head_male else head_age
            spouse_given = rng.choice(nm.given_names(ethnicity, spouse_male))
            her_father = rng.choice(nm.given_names(ethnicity, True))
            if style is nm.SurnameStyle.RUSSIAN and head_male and rng.random() < 0.6:
                spouse_surname = nm.feminine(head_surname)
            elif ethnicity is nm.Ethnicity.RUSSIAN:
                spouse_surname = head_surname if not head_male else nm.feminine(head_surname)
            else:
                spouse_surname = nm.surname_from(her_father, spouse_male, style)
            add(
                Relation.SPOUSE,
                spouse_male,
                spouse_age,
                spouse_surname,
                spouse_given,
                nm.patronymic_from(her_father, spouse_male, style),
                True,
            )
            remaining -= 1

        # Children's surname follows the father (the head if male).
        child_father = head_given if head_male else rng.choice(nm.given_names(ethnicity, True))

        def child_names(male: bool) -> tuple[str, str | None]:
            if ethnicity is nm.Ethnicity.RUSSIAN:
                base = head_surname if head_male else head_surname.removesuffix("а")
                return (base if male else nm.feminine(base)), nm.patronymic_from(child_father, male, style)
            if style is nm.SurnameStyle.BARE:
                return head_surname, None
            return nm.surname_from(child_father, male, style), nm.patronymic_from(child_father, male, style)

        # An elderly head may live with a married son, his келин and grandchildren.
        if remaining >= 3 and head_age >= 52 and rng.random() < 0.6:
            son_age = rng.randint(22, max(22, min(38, mother_age - 19)))
            son_surname, son_patronymic = child_names(True)
            son_given = rng.choice(nm.given_names(ethnicity, True))
            add(Relation.SON, True, son_age, son_surname, son_given, son_patronymic, True)
            kelin_father = rng.choice(nm.given_names(ethnicity, True))
            kelin_surname = (
                nm.feminine(son_surname)
                if style is nm.SurnameStyle.RUSSIAN and rng.random() < 0.6
                else nm.surname_from(kelin_father, False, style)
            )
            add(
                Relation.DAUGHTER_IN_LAW,
                False,
                max(18, son_age - rng.randint(0, 5)),
                kelin_surname,
                rng.choice(nm.given_names(ethnicity, False)),
                nm.patronymic_from(kelin_father, False, style),
                True,
            )
            remaining -= 2
            while remaining > 0:
                male = rng.random() < 0.51
                grand_age = rng.randint(0, max(0, son_age - 20))
                if style is nm.SurnameStyle.RUSSIAN or ethnicity is nm.Ethnicity.RUSSIAN:
                    surname = son_surname if male else nm.feminine(son_surname)
                    patronymic = nm.patronymic_from(son_given, male, nm.SurnameStyle.RUSSIAN)
                elif style is nm.SurnameStyle.BARE:
                    surname, patronymic = head_surname, None
                else:
                    surname, patronymic = nm.surname_from(son_given, male, style), None
                add(
                    Relation.GRANDCHILD,
                    male,
                    grand_age,
                    surname,
                    rng.choice(nm.given_names(ethnicity, male)),
                    patronymic,
                    False,
                )
                remaining -= 1
        # Children, then a parent of the head, then other relatives.
        child_span = max(0, mother_age - 18)
        while remaining > 0:
            if child_span > 0 and (remaining > 1 or head_age < 65):
                male = rng.random() < 0.51
                surname, patronymic = child_names(male)
                add(
                    Relation.SON if male else Relation.DAUGHTER,
                    male,
                    rng.randint(0, min(child_span, 30)),
                    surname,
                    rng.choice(nm.given_names(ethnicity, male)),
                    patronymic,
                    False,
                )
            elif head_age <= 62 and not any(m.relation is Relation.MOTHER for m in members):
                add(
                    Relation.MOTHER,
                    False,
                    min(95, head_age + rng.randint(20, 30)),
                    nm.surname_from(father, False, style)
                    if style is not nm.SurnameStyle.RUSSIAN
                    else nm.feminine(head_surname if head_male else head_surname.removesuffix("а")),
                    rng.choice(nm.given_names(ethnicity, False)),
                    None,
                    False,
                )
            else:
                male = rng.random() < 0.5
                add(
                    Relation.OTHER_RELATIVE,
                    male,
                    rng.randint(5, 70),
                    nm.surname_from(rng.choice(nm.given_names(ethnicity, True)), male, style),
                    rng.choice(nm.given_names(ethnicity, male)),
                    None,
                    False,
                )
            remaining -= 1

        # Household and membership rows
        account = state.next_account
        state.next_account += 1
        opened = date(rng.randint(1995, 2025), rng.randint(1, 12), rng.randint(1, 28))
        household_type = HouseholdType.SINGLE if size == 1 else HouseholdType.FAMILY
        self.emit(
            "household",
            (
                household_id,
                state.lsg_id,
                (account - 1) // 500 + 1,
                f"{account:06d}",
                address_id,
                members[0].person_id,
                household_type.value,
                opened,
            ),
        )
        for member in members:
            absent = member.absent
            reason = country = None
            if absent:
                reason = (
                    AbsenceReason.ARMY
                    if member.male and rng.random() < 0.05
                    else AbsenceReason.STUDY
                    if rng.random() < 0.1
                    else AbsenceReason.LABOUR_MIGRATION
                )
                country = (
                    rng.choice(MIGRATION_COUNTRIES) if reason is AbsenceReason.LABOUR_MIGRATION else None
                )
            joined = max(opened, member.born)
            self.emit(
                "household_member",
                (
                    self.ids.take("household_member"),
                    household_id,
                    member.person_id,
                    member.relation.value,
                    joined,
                    None,
                    absent,
                    reason.value if reason else None,
                    country,
                ),
            )

        # Dwelling (about 91% of households have their own record)
        if rng.random() < 0.91:
            flat_dwelling = flat is not None
            area = round(rng.uniform(35, 90) if flat_dwelling else rng.uniform(50, 220), 1)
            self.emit(
                "dwelling",
                (
                    self.ids.take("dwelling"),
                    household_id,
                    self._eni(rng) if rng.random() < 0.5 else None,
                    (DwellingType.FLAT if flat_dwelling else DwellingType.HOUSE).value,
                    (Ownership.RENT if rng.random() < 0.08 else Ownership.OWN).value,
                    rng.randint(1950, 2024),
                    area,
                    round(area * rng.uniform(0.55, 0.75), 1),
                    rng.randint(1, 7),
                    rng.random() < (0.95 if not lsg.is_rural else 0.7),
                    rng.random() < (0.9 if not lsg.is_rural else 0.2),
                    rng.random() < (0.6 if lsg.is_bishkek else 0.15),
                    rng.random() < (0.9 if not lsg.is_rural else 0.4),
                    True,
                ),
            )

        land_ha = 0.0
        livestock_units = 0.0
        if lsg.is_rural:
            if rng.random() < 0.9:
                area = round(rng.uniform(0.05, 0.25), 4)
                land_ha += area
                self.emit(
                    "household_land",
                    (
                        self.ids.take("household_land"),
                        household_id,
                        REFERENCE_YEAR,
                        None,
                        LandCategory.HOMESTEAD.value,
                        area,
                        rng.random() < 0.6,
                        LandRight.OWN.value,
                    ),
                )
            if rng.random() < 0.15:
                area = round(rng.uniform(0.5, 5.0), 4)
                land_ha += area
                self.emit(
                    "household_land",
                    (
                        self.ids.take("household_land"),
                        household_id,
                        REFERENCE_YEAR,
                        f"{rng.randint(1, 9999):04d}",
                        rng.choice(
                            (
                                LandCategory.ARABLE,
                                LandCategory.ARABLE,
                                LandCategory.HAYFIELD,
                                LandCategory.PERENNIAL,
                            )
                        ).value,
                        area,
                        rng.random() < 0.5,
                        rng.choice((LandRight.OWN, LandRight.LEASE)).value,
                    ),
                )
            highland = lsg.oblast in ("04", "02")
            for kind, (odds, low, high) in LIVESTOCK_ODDS.items():
                if rng.random() < odds:
                    count = min(high, low + int(rng.expovariate(3.0 / (high - low + 1))))
                    livestock_units += count * (
                        1.0 if kind in (LivestockKind.CATTLE, LivestockKind.HORSES) else 0.1
                    )
                    self.emit(
                        "household_livestock",
                        (
                            self.ids.take("household_livestock"),
                            household_id,
                            REFERENCE_YEAR,
                            kind.value,
                            count,
                        ),
                    )
            if highland and rng.random() < 0.1:
                self.emit(
                    "household_livestock",
                    (
                        self.ids.take("household_livestock"),
                        household_id,
                        REFERENCE_YEAR,
                        LivestockKind.YAKS.value,
                        rng.randint(1, 30),
                    ),
                )

        # Low-income families are more often large ones.
        if rng.random() < SOCIAL_PASSPORT_RATE * (0.5 + size / 8.4):
            self._social_passport(rng, state, household_id, members, land_ha, livestock_units)
        if rng.random() < LAND_APPLICATION_RATE:
            self._land_application(rng, state, household_id, members)

    # --- modules -----------------------------------------------------------------------------------

    @staticmethod
    def _eni(rng: random.Random) -> str:
        return (
            f"{rng.randint(1, 9)}{rng.randint(1, 9):02d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
            f"{rng.randint(1, 9999):04d}{rng.randint(1, 99):02d}{rng.randint(1, 999):03d}"
        )

    def _social_passport(
        self,
        rng: random.Random,
        state: LsgState,
        household_id: int,
        members: list[_Member],
        land_ha: float,
        livestock_units: float,
    ) -> None:
        passport_id = self.ids.take("social_passport")
        opened = REFERENCE_DATE - timedelta(days=rng.randint(30, 5 * 365))
        reviewed = REFERENCE_DATE - timedelta(days=rng.randint(0, 360))
        total_income = 0.0
        children = 0
        member_rows = []
        for member in members:
            age = (REFERENCE_DATE - member.born).days // 365
            if age < 7:
                employment, income, source = Employment.CHILD, 0.0, IncomeSource.NONE
                children += 1
            elif age < 18:
                employment, income, source = Employment.STUDENT, 0.0, IncomeSource.NONE
                children += 1
            elif age >= 63:
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
                    member.relation.value,
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
        services: list[tuple[SocialService, ServiceAccessStatus, ServiceSource]] = []
        if below and children:
            services.append(
                (
                    SocialService.UBK_BENEFIT,
                    ServiceAccessStatus.RECEIVING if rng.random() < 0.8 else ServiceAccessStatus.APPLIED,
                    ServiceSource.MLSP,
                )
            )
        if any(row[4] == Employment.PENSIONER.value for row in member_rows):
            services.append((SocialService.PENSION, ServiceAccessStatus.RECEIVING, ServiceSource.SF))
        if any(row[4] == Employment.DISABLED.value for row in member_rows):
            services.append(
                (SocialService.DISABILITY_ALLOWANCE, ServiceAccessStatus.RECEIVING, ServiceSource.MLSP)
            )
        if children and rng.random() < 0.4:
            services.append((SocialService.SCHOOL_MEALS, ServiceAccessStatus.RECEIVING, ServiceSource.LOCAL))
        if rng.random() < 0.3:
            services.append(
                (SocialService.ENERGY_TARIFF, ServiceAccessStatus.ELIGIBLE_NOT_RECEIVING, ServiceSource.LOCAL)
            )
        for service, access, source in services:
            self.emit(
                "social_service_access",
                (
                    self.ids.take("social_service_access"),
                    passport_id,
                    service.value,
                    access.value,
                    opened,
                    source.value,
                ),
            )

    def ensure_queues(self, lsg: SyntheticLsg, state: LsgState) -> None:
        """The LSG body's two land queues (housing and lease), created once."""
        for purpose, name in (
            (LandQueuePurpose.HOUSING, "Жеке турак жай куруу үчүн жер участоктору"),
            (LandQueuePurpose.LEASE, "Ижарага берилүүчү жер участоктору"),
        ):
            if purpose not in state.queue_ids:
                queue_id = self.ids.take("land_queue")
                state.queue_ids[purpose] = queue_id
                self.emit("land_queue", (queue_id, state.lsg_id, purpose.value, name, date(2010, 1, 1)))

    def _land_application(
        self, rng: random.Random, state: LsgState, household_id: int, members: list[_Member]
    ) -> None:
        adults = [m for m in members if (REFERENCE_DATE - m.born).days >= 18 * 365]
        applicant = rng.choice(adults) if adults else members[0]
        purpose = LandQueuePurpose.LEASE if rng.random() < 0.2 else LandQueuePurpose.HOUSING
        application_id = self.ids.take("land_application")
        number = state.next_application
        state.next_application += 1
        registered = self._ts - timedelta(days=rng.randint(1, 15 * 365), seconds=rng.randint(0, 86399))
        roll = rng.random()
        status = (
            ApplicationStatus.REGISTERED
            if roll < 0.55
            else ApplicationStatus.VERIFIED
            if roll < 0.8
            else ApplicationStatus.ALLOCATED
            if roll < 0.88
            else ApplicationStatus.REJECTED
            if roll < 0.94
            else ApplicationStatus.WITHDRAWN
        )
        decided = status in (ApplicationStatus.ALLOCATED, ApplicationStatus.REJECTED)
        decision_date = (registered + timedelta(days=rng.randint(30, 900))).date() if decided else None
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
                rng.choices(list(PriorityCategory), (80, 8, 4, 2, 2, 2, 2))[0].value,
                rng.random() < 0.3,
                False,
                (registered - timedelta(days=rng.randint(365, 20 * 365))).date(),
                status.value,
                "Талаптарга жооп бербейт" if status is ApplicationStatus.REJECTED else None,
                self._eni(rng) if status is ApplicationStatus.ALLOCATED else None,
                f"{rng.randint(1, 500)}" if decided else None,
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
            changed = registered + timedelta(days=rng.randint(1, 900))
            self.emit(
                "land_application_event",
                (
                    self.ids.take("land_application_event"),
                    application_id,
                    min(changed, self._ts),
                    ApplicationStatus.REGISTERED.value,
                    status.value,
                    "commission",
                    None,
                ),
            )

    def lsg_assets(self, rng: random.Random, lsg: SyntheticLsg, state: LsgState, households: int) -> None:
        """Municipal property, social objects and problems in proportion to ``households``."""
        properties = max(5, round(households * MUNICIPAL_PROPERTY_RATE))
        for _ in range(properties):
            property_id = self.ids.take("municipal_property")
            kind = rng.choices(list(PropertyKind), (25, 15, 25, 10, 8, 7, 7, 3))[0]
            inventory = state.next_inventory
            state.next_inventory += 1
            value = round(rng.uniform(50_000, 50_000_000), 2)
            use = rng.choices(list(UseStatus), (60, 15, 15, 3, 7))[0]
            built = (
                rng.randint(1950, 2024) if kind in (PropertyKind.BUILDING, PropertyKind.PREMISES) else None
            )
            acquired = date(rng.randint(1992, 2025), rng.randint(1, 12), rng.randint(1, 28))
            self.emit(
                "municipal_property",
                (
                    property_id,
                    state.lsg_id,
                    f"МП-{inventory:06d}",
                    self._eni(rng)
                    if kind in (PropertyKind.BUILDING, PropertyKind.PREMISES, PropertyKind.LAND)
                    else None,
                    kind.value,
                    f"{kind.value} #{inventory}",
                    rng.choice(lsg.settlements)[1],
                    round(rng.uniform(20, 3000), 1)
                    if kind in (PropertyKind.BUILDING, PropertyKind.PREMISES)
                    else None,
                    round(rng.uniform(0.05, 50), 4) if kind is PropertyKind.LAND else None,
                    round(rng.uniform(100, 20000), 1)
                    if kind in (PropertyKind.ROAD, PropertyKind.NETWORK)
                    else None,
                    built,
                    value,
                    round(value * rng.uniform(0.1, 1.0), 2),
                    date(rng.randint(2015, 2025), 12, 31),
                    rng.choice(list(AcquisitionBasis)).value,
                    f"{rng.randint(1, 999)}",
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
                    datetime.combine(acquired, datetime.min.time(), UTC),
                    PropertyEventKind.REGISTERED.value,
                    f"{rng.randint(1, 999)}",
                    acquired,
                    value,
                ),
            )
            if use is UseStatus.LEASED:
                start = date(rng.randint(2018, 2025), rng.randint(1, 12), 1)
                name = f"«{rng.choice(nm.ORGANISATION_WORDS)} {rng.choice(nm.ORGANISATION_WORDS)}» ЖЧК"
                self.emit(
                    "property_lease",
                    (
                        self.ids.take("property_lease"),
                        property_id,
                        f"0{rng.randrange(10**13):013d}",
                        name,
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
                        datetime.combine(start, datetime.min.time(), UTC),
                        PropertyEventKind.LEASED.value,
                        None,
                        start,
                        None,
                    ),
                )
        objects = max(3, round(households * SOCIAL_OBJECT_RATE))
        for n in range(objects):
            kind = rng.choices(list(SocialObjectKind), (18, 12, 14, 3, 8, 6, 5, 10, 4, 6, 6, 5, 3))[0]
            capacity = (
                rng.randint(50, 1200)
                if kind in (SocialObjectKind.SCHOOL, SocialObjectKind.KINDERGARTEN)
                else None
            )
            self.emit(
                "social_object",
                (
                    self.ids.take("social_object"),
                    state.lsg_id,
                    kind.value,
                    f"{kind.value} №{n + 1}",
                    None,
                    self._eni(rng) if rng.random() < 0.4 else None,
                    capacity,
                    int(capacity * rng.uniform(0.6, 1.5)) if capacity else None,
                    rng.choices(list(Condition), (30, 45, 20, 5))[0].value,
                    rng.randint(1940, 2024),
                    rng.choices(list(ObjectOwner), (70, 20, 10))[0].value,
                ),
            )
        sectors = ("ичүүчү суу", "жол", "мектеп", "саламаттык", "энергетика", "сугат", "таштанды", "жаштар")
        for _ in range(rng.randint(5, 15)):
            sector = rng.choice(sectors)
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


def lsg_random(seed: int, soate_code: str, part: str) -> random.Random:
    """An independent random stream per (seed, LSG, part).

    ``part`` includes where an ``--append`` run starts (the LSG's next account number), so appending
    adds new households instead of replaying the first run's.
    """
    return random.Random(f"{seed}:{soate_code}:{part}")
