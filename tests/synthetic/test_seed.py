"""The synthetic country: deterministic, valid, realistic in shape, and loaded identically on both
back ends."""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter

import pytest
from sqlalchemy import Engine, func, select

from sanarip_hub.domain import geography
from sanarip_hub.domain.identifiers import parse_pin, parse_soate
from sanarip_hub.errors import DatabaseNotEmpty, SchemaNotCurrent, SeedError
from sanarip_hub.storage.models import (
    Base,
    Household,
    HouseholdMember,
    LsgPassport,
    LsgPassportPopulation,
    Person,
    PersonPinAlias,
)
from sanarip_hub.synthetic.country import COLUMNS
from sanarip_hub.synthetic.seed import default_lsg_count, seed_country, split_households
from sanarip_hub.synthetic.territory import build_territory
from tests.conftest import HubDb

HOUSEHOLDS = 1200


def fingerprint(engine: Engine) -> dict[str, str]:
    """A digest of every generated column of every table, in id order (timestamps of loading excluded)."""
    digests = {}
    with engine.connect() as connection:
        for name, columns in COLUMNS.items():
            table = Base.metadata.tables[name]
            digest = hashlib.sha256()
            for row in connection.execute(select(*(table.c[c] for c in columns)).order_by(table.c.id)):
                digest.update(repr(tuple(row)).encode())
            digests[name] = digest.hexdigest()
        population = Base.metadata.tables["lsg_passport_population"]
        rows = connection.execute(
            select(
                population.c.passport_id, population.c.gender, population.c.age_band, population.c.count
            ).order_by(population.c.passport_id, population.c.gender, population.c.age_band)
        )
        digests["lsg_passport_population"] = hashlib.sha256(repr(list(map(tuple, rows))).encode()).hexdigest()
    return digests


@pytest.fixture
def seeded(hub_db: HubDb) -> HubDb:
    seed_country(hub_db.engine, HOUSEHOLDS, lsg_count=3, seed=42)
    return hub_db


def test_same_seed_same_country_on_both_backends(
    seeded: HubDb, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Reference: a second database seeded the same way on SQLite."""
    from sanarip_hub.config import load_settings
    from sanarip_hub.storage import migrate
    from sanarip_hub.storage.engine import make_engine

    home = tmp_path_factory.mktemp("reference")
    reference = make_engine(load_settings(environ={"SANARIP_HUB_HOME": str(home)}))
    migrate.upgrade(reference)
    seed_country(reference, HOUSEHOLDS, lsg_count=3, seed=42)
    try:
        assert fingerprint(seeded.engine) == fingerprint(reference)
    finally:
        reference.dispose()


def test_worker_processes_give_the_same_country(
    hub_db: HubDb, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On PostgreSQL a fresh seed may run in worker processes; the rows must not depend on it."""
    from sanarip_hub.config import load_settings
    from sanarip_hub.storage import migrate
    from sanarip_hub.storage.engine import make_engine

    seed_country(hub_db.engine, HOUSEHOLDS, lsg_count=5, seed=9, workers=3)
    reference = make_engine(load_settings(environ={"SANARIP_HUB_HOME": str(tmp_path_factory.mktemp("one"))}))
    migrate.upgrade(reference)
    seed_country(reference, HOUSEHOLDS, lsg_count=5, seed=9, workers=1)
    try:
        assert fingerprint(hub_db.engine) == fingerprint(reference)
    finally:
        reference.dispose()


def test_another_seed_gives_another_country(seeded: HubDb, tmp_path_factory: pytest.TempPathFactory) -> None:
    from sanarip_hub.config import load_settings
    from sanarip_hub.storage import migrate
    from sanarip_hub.storage.engine import make_engine

    home = tmp_path_factory.mktemp("other")
    other = make_engine(load_settings(environ={"SANARIP_HUB_HOME": str(home)}))
    migrate.upgrade(other)
    seed_country(other, HOUSEHOLDS, lsg_count=3, seed=43)
    try:
        mine, theirs = fingerprint(seeded.engine), fingerprint(other)
        assert mine["person"] != theirs["person"]
        assert mine["household"] != theirs["household"]
    finally:
        other.dispose()


def test_every_pin_is_valid_synthetic_unique_and_consistent(seeded: HubDb) -> None:
    with seeded.engine.connect() as connection:
        people = connection.execute(
            select(Person.pin, Person.gender, Person.birth_date, Person.pin_status)
        ).all()
        aliases = list(connection.execute(select(PersonPinAlias.pin)).scalars())
    pins = [p.pin for p in people if p.pin is not None]
    assert len(pins) == len(set(pins))
    assert not set(pins) & set(aliases)
    for pin, gender, born, status in people:
        if pin is None:
            assert status == "none"
            continue
        parsed = parse_pin(pin)
        assert parsed.is_synthetic, pin  # serial 9xxxx: never a real person's number
        assert parsed.gender is not None
        assert parsed.gender.value == gender
        assert parsed.birth_date == born
    for pin in aliases:
        assert parse_pin(pin).is_synthetic
    no_pin = sum(1 for p in people if p.pin is None)
    assert no_pin < 0.01 * len(people)


def test_names_are_kyrgyz_cyrillic_in_all_three_styles(seeded: HubDb) -> None:
    with seeded.engine.connect() as connection:
        rows = connection.execute(select(Person.surname, Person.given_name, Person.patronymic)).all()
    text = " ".join(f"{s} {g} {p or ''}" for s, g, p in rows)
    assert {"ң", "ө", "ү"} <= set(text)
    assert not any("a" <= ch <= "z" or "A" <= ch <= "Z" for ch in text)  # Cyrillic only, as written
    surnames = [s for s, _, _ in rows]
    assert any(s.endswith(" уулу") for s in surnames)
    assert any(s.endswith(" кызы") for s in surnames)
    assert sum(s.endswith(("ов", "ев", "ова", "ева")) for s in surnames) > 0.5 * len(surnames)
    bare = [
        s for s, _, p in rows if " " not in s and not s.endswith(("ов", "ев", "ова", "ева")) and p is None
    ]
    assert bare, "the post-2025 bare-name style is missing"


def test_territory_codes_sit_under_real_prefixes(seeded: HubDb) -> None:
    real_prefixes = {u.code[:8] for u in geography.RAYONS} | {u.code[:5] for u in geography.OBLASTS}
    with seeded.engine.connect() as connection:
        codes = list(connection.execute(select(Base.metadata.tables["address"].c.soate_code)).scalars())
    assert codes
    for code in codes:
        parse_soate(code)
        assert code[:8] in real_prefixes or code[:5] in real_prefixes


def test_shape_follows_the_national_proportions(hub_db: HubDb) -> None:
    report = seed_country(hub_db.engine, 4000, lsg_count=6, seed=7)
    rows = report.rows
    assert rows["household"] == 4000
    mean_size = rows["person"] / rows["household"]
    assert 3.3 <= mean_size <= 5.0  # FACTS §10: 4.2 nationally, 3.3 Bishkek, 4.6 rural
    assert 0.03 <= rows["social_passport"] / 4000 <= 0.12  # about 6.9%
    assert 0.07 <= rows["land_application"] / 4000 <= 0.16  # about 11%
    assert rows["municipal_property"] >= 6 * 5
    with hub_db.engine.connect() as connection:
        sizes = list(
            connection.execute(
                select(func.count()).select_from(HouseholdMember).group_by(HouseholdMember.household_id)
            ).scalars()
        )
        absent = connection.execute(
            select(func.count()).where(HouseholdMember.is_temporarily_absent.is_(True))
        ).scalar_one()
        heads = connection.execute(
            select(func.count()).where(HouseholdMember.relation_to_head == "head")
        ).scalar_one()
    assert min(sizes) >= 1
    assert max(sizes) <= 12
    assert statistics.mean(sizes) == pytest.approx(mean_size)
    assert heads == 4000
    assert 0.02 <= absent / rows["person"] <= 0.12


def test_lsg_passport_counts_come_from_the_book(seeded: HubDb) -> None:
    with seeded.engine.connect() as connection:
        passports = connection.execute(select(LsgPassport)).all()
        assert len(passports) == 3
        for passport in passports:
            members = connection.execute(
                select(func.count())
                .select_from(HouseholdMember)
                .join(Household, Household.id == HouseholdMember.household_id)
                .join(Person, Person.id == HouseholdMember.person_id)
                .where(Household.lsg_id == passport.lsg_id, Person.death_date.is_(None))
            ).scalar_one()
            households = connection.execute(
                select(func.count()).select_from(Household).where(Household.lsg_id == passport.lsg_id)
            ).scalar_one()
            cells = connection.execute(
                select(func.sum(LsgPassportPopulation.count)).where(
                    LsgPassportPopulation.passport_id == passport.id
                )
            ).scalar_one()
            assert passport.population_total == members == cells
            assert passport.households_total == households
            assert passport.period == "2026"


def test_seed_refuses_a_database_with_data(seeded: HubDb) -> None:
    before = fingerprint(seeded.engine)
    with pytest.raises(DatabaseNotEmpty, match=f"already holds {HOUSEHOLDS} households; use --append"):
        seed_country(seeded.engine, 10, seed=42)
    assert fingerprint(seeded.engine) == before


def test_append_adds_new_households_without_clashes(seeded: HubDb) -> None:
    report = seed_country(seeded.engine, 300, lsg_count=3, seed=42, append=True)
    assert report.households == 300
    with seeded.engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(Household)).scalar_one() == HOUSEHOLDS + 300
        )
        accounts = connection.execute(select(Household.lsg_id, Household.account_no)).all()
        pins = [p for p in connection.execute(select(Person.pin)).scalars() if p]
        passports = connection.execute(select(func.count()).select_from(LsgPassport)).scalar_one()
    assert len(accounts) == len(set(accounts))
    assert len(pins) == len(set(pins))
    assert passports == 3  # re-derived, not duplicated


def test_seed_needs_a_migrated_database(empty_db: HubDb) -> None:
    with pytest.raises(SchemaNotCurrent):
        seed_country(empty_db.engine, 10)


@pytest.mark.parametrize(
    ("households", "lsg", "message"),
    [
        (0, None, "at least 1"),
        (10, 0, "between 1 and 268"),
        (10, 269, "between 1 and 268"),
        (3, 5, "more than --households"),
    ],
)
def test_impossible_parameters(households: int, lsg: int | None, message: str) -> None:
    with pytest.raises(SeedError, match=message):
        seed_country(None, households, lsg)  # type: ignore[arg-type]  # refused before touching the database


def test_territory_is_the_reformed_country() -> None:
    territory = build_territory()
    kinds = Counter(lsg.kind.value for lsg in territory.lsgs)
    assert kinds == {"ayil_okmotu": 235, "city_mayoralty": 33}
    codes = [u.code for u in territory.units]
    assert len(codes) == len(set(codes))
    for code in codes:
        parse_soate(code)
    assert len(geography.RAYONS) == 40
    assert 1500 <= sum(1 for u in territory.units if u.kind.value == "village") <= 2300


def test_default_lsg_count_and_split() -> None:
    assert default_lsg_count(1) == 1
    assert default_lsg_count(100_000) == 16
    assert default_lsg_count(1_750_000) == 268
    lsgs = list(build_territory().lsgs[:5])
    counts = split_households(1000, lsgs)
    assert sum(counts) == 1000
    assert min(counts) >= 1
    assert counts[1] == max(counts)  # Bishkek is the largest
    assert split_households(5, lsgs) == [1, 1, 1, 1, 1]
