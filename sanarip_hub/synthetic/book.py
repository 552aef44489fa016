"""The household register book of the synthetic country: households, people, dwellings, land, livestock.

This is the hot path of ``seed`` (about 20 rows per household, 1.75 M households for the whole
country), so it trades a little elegance for speed: code-list values are plain strings, random
choices use ``random()`` arithmetic instead of ``randint``/``choice`` (several times faster in
CPython), ids come from C-level counters, and a household is first planned as a list of member
tuples and then emitted in one pass.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

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
from sanarip_hub.errors import SeedError
from sanarip_hub.synthetic import names as nm
from sanarip_hub.synthetic.country import (
    BLOCKED_PIN_RATE,
    LAND_APPLICATION_RATE,
    NO_PIN_RATE,
    REFERENCE_DATE,
    REFERENCE_YEAR,
    SECOND_PIN_RATE,
    SERIALS_PER_SHARD,
    SHARDS,
    SOCIAL_PASSPORT_RATE,
    Emit,
    IdCounters,
    LsgState,
    eni,
)
from sanarip_hub.synthetic.modules import Member, ModuleGenerator
from sanarip_hub.synthetic.territory import SyntheticLsg

# Household sizes 1..12 (weights): rural mean ≈ 4.6, towns ≈ 4.1, Bishkek ≈ 3.4 (FACTS §3, §10).
SIZE_WEIGHTS_RURAL: tuple[float, ...] = (7, 11, 15, 19, 18, 13, 7, 4.5, 2.8, 1.6, 0.7, 0.4)
SIZE_WEIGHTS_TOWN: tuple[float, ...] = (9, 14, 17, 21, 17, 10, 6, 3, 1.5, 1, 0.3, 0.2)
SIZE_WEIGHTS_BISHKEK: tuple[float, ...] = (15, 20, 20, 20, 13, 6, 3, 1.5, 1, 0.3, 0.1, 0.1)

LIVESTOCK = (  # kind, chance a rural household keeps it, head-count range
    (LivestockKind.POULTRY.value, 0.8, 3, 40),
    (LivestockKind.CATTLE.value, 0.7, 1, 20),
    (LivestockKind.COWS.value, 0.6, 1, 8),
    (LivestockKind.SHEEP.value, 0.55, 2, 200),
    (LivestockKind.GOATS.value, 0.35, 1, 60),
    (LivestockKind.HORSES.value, 0.35, 1, 15),
    (LivestockKind.BEES.value, 0.03, 2, 40),
    (LivestockKind.PIGS.value, 0.02, 1, 10),
)
LIVESTOCK_UNITS = {LivestockKind.CATTLE.value: 1.0, LivestockKind.HORSES.value: 1.0}
MIGRATION_COUNTRIES = ("RUS", "RUS", "RUS", "RUS", "RUS", "RUS", "RUS", "KAZ", "KAZ", "TUR", "KOR")
LAND_SECOND = (
    LandCategory.ARABLE.value,
    LandCategory.ARABLE.value,
    LandCategory.HAYFIELD.value,
    LandCategory.PERENNIAL.value,
)
SOUTH = frozenset({"03", "05", "06", "21"})
NORTH = frozenset({"08", "11", "02"})
HIGHLAND = frozenset({"04", "02"})

HEAD, SPOUSE, SON, DAUGHTER = (
    Relation.HEAD.value,
    Relation.SPOUSE.value,
    Relation.SON.value,
    Relation.DAUGHTER.value,
)
KELIN, GRANDCHILD, MOTHER = Relation.DAUGHTER_IN_LAW.value, Relation.GRANDCHILD.value, Relation.MOTHER.value
OTHER = Relation.OTHER_RELATIVE.value
ACTIVE, BLOCKED, NO_PIN = PinStatus.ACTIVE.value, PinStatus.BLOCKED.value, PinStatus.NONE.value
OLD_PIN = PinAliasKind.OLD.value
LABOUR, STUDY, ARMY = (
    AbsenceReason.LABOUR_MIGRATION.value,
    AbsenceReason.STUDY.value,
    AbsenceReason.ARMY.value,
)
REF_ORDINAL = REFERENCE_DATE.toordinal()
REGISTERED_ELSEWHERE = 16  # one person in 16 is registered in another place than they live
ELSEWHERE_BISHKEK = ("41711000000000", "Бишкек ш.")
ELSEWHERE_OSH = ("41721000000000", "Ош ш.")
BOOK_TABLES = (
    "address",
    "person",
    "person_pin_alias",
    "household",
    "household_member",
    "dwelling",
    "household_land",
    "household_livestock",
)

# A planned member: relation, male, age, surname, given name, patronymic, married.
Plan = tuple[str, bool, int, str, str, str | None, bool]


class BookGenerator:
    """Emits one household at a time into ``emit(table, row)``."""

    def __init__(self, shard: int, taken_pins: set[str], emit: Emit, modules: ModuleGenerator) -> None:
        self.shard = shard
        self.emit = emit
        self.taken_pins = taken_pins
        self.modules = modules
        self._next: dict[str, Callable[[], int]] = {}
        self._dob: dict[int, str] = {}

    def use_ids(self, ids: IdCounters) -> None:
        """Take ids from ``ids`` (the id block of the LSG body being generated) from now on."""
        for table in BOOK_TABLES:
            self._next[table] = ids.counter(table)

    def _pin(self, rng: random.Random, male: bool, ordinal: int) -> str:
        """A unique synthetic PIN: gender digit, DDMMYYYY, serial 9xxxx (never a real person's) from
        this shard's share of the serials."""
        dob = self._dob.get(ordinal)
        if dob is None:
            dob = self._dob[ordinal] = date.fromordinal(ordinal).strftime("%d%m%Y")
        prefix = ("2" if male else "1") + dob
        random_ = rng.random
        taken = self.taken_pins
        shard = self.shard
        for _ in range(SERIALS_PER_SHARD * 4):
            pin = f"{prefix}{90000 + SHARDS * int(random_() * SERIALS_PER_SHARD) + shard}"
            if pin not in taken:
                taken.add(pin)
                return pin
        raise SeedError(f"no free synthetic PIN serial left for birth date {dob} in shard {shard}")

    def household(self, rng: random.Random, lsg: SyntheticLsg, state: LsgState) -> None:
        """One household: address, members, dwelling, land, livestock, maybe a social passport and a
        land-queue application."""
        r = rng.random
        plan, nationality = self._plan(rng, lsg)
        emit = self.emit
        nxt = self._next

        # Address
        settlements = lsg.settlements
        settlement_code, settlement_name = settlements[int(r() * len(settlements))]
        street = nm.STREETS[int(r() * len(nm.STREETS))]
        house = str(1 + int(r() * 250))
        flat = str(1 + int(r() * 120)) if (lsg.is_bishkek and r() < 0.6) else None
        address_id = nxt["address"]()
        text = f"{settlement_name}, {street} көч., {house}" + (f", кв. {flat}" if flat else "")
        emit("address", (address_id, settlement_code, street, house, flat, text))

        # People: registered (прописка) where they live, except one in REGISTERED_ELSEWHERE, chosen
        # by id so the generator's random stream stays as it was: students and internal migrants
        registered_here = (settlement_code, text)
        registered_elsewhere = ELSEWHERE_OSH if lsg.is_bishkek else ELSEWHERE_BISHKEK
        lsg_id = state.lsg_id
        members: list[Member] = []
        next_person = nxt["person"]
        for relation, male, age, surname, given, patronymic, married in plan:
            person_id = next_person()
            ordinal = REF_ORDINAL - age * 365 - age // 4 - int(r() * 365)
            born = date.fromordinal(ordinal)
            roll = r()
            if roll < NO_PIN_RATE:
                pin, status = None, NO_PIN
            else:
                pin = self._pin(rng, male, ordinal)
                status = BLOCKED if roll < NO_PIN_RATE + BLOCKED_PIN_RATE else ACTIVE
                if r() < SECOND_PIN_RATE:  # an old number from before centralised assignment (FACTS §1.1)
                    emit(
                        "person_pin_alias",
                        (nxt["person_pin_alias"](), person_id, self._pin(rng, male, ordinal), OLD_PIN, "GRS"),
                    )
            if age < 16:
                marital = 0
            elif married:
                marital = 1
            else:
                marital = 0 if age < 25 else (0, 2, 3)[int(r() * 3)]
            emit(
                "person",
                (
                    person_id,
                    lsg_id,
                    pin,
                    status,
                    surname,
                    given,
                    patronymic,
                    "M" if male else "F",
                    born,
                    None,
                    marital,
                    nationality,
                    "KGZ",
                    *(registered_elsewhere if person_id % REGISTERED_ELSEWHERE == 3 else registered_here),
                ),
            )
            absent = relation != HEAD and 18 <= age <= 50 and r() < 0.15
            members.append(Member(person_id, relation, male, born, age, absent))

        # Household and membership rows
        household_id = nxt["household"]()
        account = state.next_account
        state.next_account += 1
        opened = date(1995 + int(r() * 31), 1 + int(r() * 12), 1 + int(r() * 28))
        size = len(plan)
        emit(
            "household",
            (
                household_id,
                lsg_id,
                (account - 1) // 500 + 1,
                f"{account:06d}",
                address_id,
                members[0].person_id,
                (HouseholdType.SINGLE if size == 1 else HouseholdType.FAMILY).value,
                opened,
            ),
        )
        next_member = nxt["household_member"]
        for member in members:
            reason = country = None
            if member.absent:
                roll = r()
                reason = ARMY if member.male and roll < 0.05 else STUDY if roll < 0.15 else LABOUR
                if reason == LABOUR:
                    country = MIGRATION_COUNTRIES[int(r() * len(MIGRATION_COUNTRIES))]
            emit(
                "household_member",
                (
                    next_member(),
                    household_id,
                    member.person_id,
                    member.relation,
                    max(opened, member.born),
                    None,
                    member.absent,
                    reason,
                    country,
                ),
            )

        self._dwelling(rng, lsg, household_id, flat is not None)
        land_ha, livestock_units = self._farm(rng, lsg, household_id) if lsg.is_rural else (0.0, 0.0)

        # Low-income families are more often large ones.
        if r() < SOCIAL_PASSPORT_RATE * (0.5 + size / 8.4):
            self.modules.social_passport(rng, state, household_id, members, land_ha, livestock_units)
        if r() < LAND_APPLICATION_RATE:
            self.modules.land_application(rng, state, household_id, members)

    def _plan(self, rng: random.Random, lsg: SyntheticLsg) -> tuple[list[Plan], str]:
        """Who lives in the household (relations, ages, names in one of three styles) and their
        nationality."""
        r = rng.random
        if lsg.is_bishkek:
            weights = SIZE_WEIGHTS_BISHKEK
        elif lsg.is_rural:
            weights = SIZE_WEIGHTS_RURAL
        else:
            weights = SIZE_WEIGHTS_TOWN
        size = rng.choices(range(1, 13), weights)[0]
        roll = r()
        if roll < (0.15 if lsg.oblast in SOUTH else 0.01):
            ethnicity = nm.Ethnicity.UZBEK
        elif roll > (0.85 if lsg.is_bishkek else 0.93 if lsg.oblast in NORTH else 0.995):
            ethnicity = nm.Ethnicity.RUSSIAN
        else:
            ethnicity = nm.Ethnicity.KYRGYZ
        roll = r()
        if ethnicity is nm.Ethnicity.KYRGYZ and roll < 0.10:
            style = nm.SurnameStyle.UULU
        elif ethnicity is nm.Ethnicity.KYRGYZ and roll < 0.20:
            style = nm.SurnameStyle.BARE
        else:
            style = nm.SurnameStyle.RUSSIAN
        russian_style = style is nm.SurnameStyle.RUSSIAN
        men = nm.given_names(ethnicity, True)
        women = nm.given_names(ethnicity, False)

        def man() -> str:
            return men[int(r() * len(men))]

        def woman() -> str:
            return women[int(r() * len(women))]

        plan: list[Plan] = []
        # Head
        head_male = size >= 4 or r() < 0.78
        head_age = min(90, max(20, int(rng.gauss(47, 13))))
        head_given = man() if head_male else woman()
        father = man()
        if ethnicity is nm.Ethnicity.RUSSIAN:
            family = nm.RUSSIAN_SURNAMES[int(r() * len(nm.RUSSIAN_SURNAMES))]
            head_surname = family if head_male else nm.feminine(family)
            head_patronymic = nm.patronymic_from(father, head_male, nm.SurnameStyle.RUSSIAN)
            russian_style = True
        else:
            head_surname = nm.surname_from(father, head_male, style)
            head_patronymic = nm.patronymic_from(father, head_male, style)
        has_spouse = size >= 2 and r() < (0.9 if head_male else 0.2)
        plan.append((HEAD, head_male, head_age, head_surname, head_given, head_patronymic, has_spouse))
        remaining = size - 1
        # The family's masculine surname, from which children's forms are built.
        family_surname = head_surname if head_male else head_surname.removesuffix("а")

        mother_age = head_age
        if has_spouse:
            spouse_male = not head_male
            spouse_age = max(18, head_age + (int(r() * 11) - 8 if head_male else int(r() * 11) - 2))
            mother_age = spouse_age if head_male else head_age
            her_father = man()
            if russian_style and head_male and (ethnicity is nm.Ethnicity.RUSSIAN or r() < 0.6):
                spouse_surname = nm.feminine(head_surname)
            elif ethnicity is nm.Ethnicity.RUSSIAN:
                spouse_surname = family_surname
            else:
                spouse_surname = nm.surname_from(her_father, spouse_male, style)
            plan.append(
                (
                    SPOUSE,
                    spouse_male,
                    spouse_age,
                    spouse_surname,
                    man() if spouse_male else woman(),
                    nm.patronymic_from(her_father, spouse_male, style),
                    True,
                )
            )
            remaining -= 1

        # Children's surname follows the father (the head if male).
        child_father = head_given if head_male else man()

        def child(male: bool, dad: str, surname_base: str) -> tuple[str, str | None]:
            if russian_style:
                return (surname_base if male else nm.feminine(surname_base)), nm.patronymic_from(
                    dad, male, nm.SurnameStyle.RUSSIAN
                )
            if style is nm.SurnameStyle.BARE:
                return surname_base, None
            return nm.surname_from(dad, male, style), None

        # An elderly head may live with a married son, his келин (daughter-in-law) and grandchildren.
        if remaining >= 3 and head_age >= 52 and r() < 0.6:
            son_age = 22 + int(r() * (max(22, min(38, mother_age - 19)) - 21))
            son_given = man()
            son_surname, son_patronymic = child(True, child_father, family_surname)
            plan.append((SON, True, son_age, son_surname, son_given, son_patronymic, True))
            kelin_father = man()
            kelin_surname = (
                nm.feminine(son_surname)
                if russian_style and r() < 0.6
                else nm.surname_from(kelin_father, False, style)
            )
            plan.append(
                (
                    KELIN,
                    False,
                    max(18, son_age - int(r() * 6)),
                    kelin_surname,
                    woman(),
                    nm.patronymic_from(kelin_father, False, style),
                    True,
                )
            )
            remaining -= 2
            grand_base = son_surname if russian_style else family_surname
            while remaining > 0:
                male = r() < 0.51
                surname, patronymic = child(male, son_given, grand_base)
                plan.append(
                    (
                        GRANDCHILD,
                        male,
                        int(r() * max(1, son_age - 19)),
                        surname,
                        man() if male else woman(),
                        patronymic,
                        False,
                    )
                )
                remaining -= 1
        # Children, then a parent of the head, then other relatives.
        child_span = max(0, mother_age - 18)
        while remaining > 0:
            if child_span > 0 and (remaining > 1 or head_age < 65):
                male = r() < 0.51
                surname, patronymic = child(male, child_father, family_surname)
                plan.append(
                    (
                        SON if male else DAUGHTER,
                        male,
                        int(r() * (min(child_span, 30) + 1)),
                        surname,
                        man() if male else woman(),
                        patronymic,
                        False,
                    )
                )
            elif head_age <= 62 and all(p[0] != MOTHER for p in plan):
                mother_surname = (
                    nm.feminine(family_surname) if russian_style else nm.surname_from(father, False, style)
                )
                plan.append(
                    (
                        MOTHER,
                        False,
                        min(95, head_age + 20 + int(r() * 11)),
                        mother_surname,
                        woman(),
                        None,
                        False,
                    )
                )
            else:
                male = r() < 0.5
                plan.append(
                    (
                        OTHER,
                        male,
                        5 + int(r() * 66),
                        nm.surname_from(man(), male, style),
                        man() if male else woman(),
                        None,
                        False,
                    )
                )
            remaining -= 1
        return plan, ethnicity.value

    def _dwelling(self, rng: random.Random, lsg: SyntheticLsg, household_id: int, flat: bool) -> None:
        """Book section II; about 91% of households have their own dwelling record."""
        r = rng.random
        if r() >= 0.91:
            return
        rural = lsg.is_rural
        area = round(35 + r() * 55 if flat else 50 + r() * 170, 1)
        self.emit(
            "dwelling",
            (
                self._next["dwelling"](),
                household_id,
                eni(rng) if r() < 0.5 else None,
                (DwellingType.FLAT if flat else DwellingType.HOUSE).value,
                (Ownership.RENT if r() < 0.08 else Ownership.OWN).value,
                1950 + int(r() * 75),
                area,
                round(area * (0.55 + r() * 0.2), 1),
                1 + int(r() * 7),
                r() < (0.7 if rural else 0.95),
                r() < (0.2 if rural else 0.9),
                r() < (0.6 if lsg.is_bishkek else 0.15),
                r() < (0.4 if rural else 0.9),
                True,
            ),
        )

    def _land(
        self, household_id: int, parcel: str | None, category: str, area: float, irrigated: bool, right: str
    ) -> float:
        """Emit one land row (book section III) and return its rounded area in hectares."""
        area = round(area, 4)
        self.emit(
            "household_land",
            (
                self._next["household_land"](),
                household_id,
                REFERENCE_YEAR,
                parcel,
                category,
                area,
                irrigated,
                right,
            ),
        )
        return area

    def _farm(self, rng: random.Random, lsg: SyntheticLsg, household_id: int) -> tuple[float, float]:
        """Book sections III and IV of a rural household: land on 1 January and livestock head counts.

        Returns the land area (ha) and livestock units, which a social passport copies as assets.
        """
        r = rng.random
        emit = self.emit
        land_ha = 0.0
        if r() < 0.9:  # the homestead plot (приусадебный участок)
            land_ha += self._land(
                household_id,
                None,
                LandCategory.HOMESTEAD.value,
                0.05 + r() * 0.2,
                r() < 0.6,
                LandRight.OWN.value,
            )
        if r() < 0.15:  # a field: arable, hay or orchard, owned or leased
            right = (LandRight.OWN if r() < 0.5 else LandRight.LEASE).value
            land_ha += self._land(
                household_id,
                f"{1 + int(r() * 9999):04d}",
                LAND_SECOND[int(r() * 4)],
                0.5 + r() * 4.5,
                r() < 0.5,
                right,
            )
        units = 0.0
        next_row = self._next["household_livestock"]
        expovariate = rng.expovariate
        for kind, odds, low, high in LIVESTOCK:
            if r() < odds:
                count = min(high, low + int(expovariate(3.0 / (high - low + 1))))
                units += count * LIVESTOCK_UNITS.get(kind, 0.1)
                emit("household_livestock", (next_row(), household_id, REFERENCE_YEAR, kind, count))
        if lsg.oblast in HIGHLAND and r() < 0.1:
            emit(
                "household_livestock",
                (next_row(), household_id, REFERENCE_YEAR, LivestockKind.YAKS.value, 1 + int(r() * 30)),
            )
        return land_ha, units
