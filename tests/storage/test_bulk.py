"""Bulk loading keeps the schema whole: fresh-mode loads restore every constraint, and a failed
load leaves nothing behind."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, select

from sanarip_hub.errors import StorageError
from sanarip_hub.storage.bulk import BulkWriter, next_ids
from sanarip_hub.storage.models import AteUnit, Base, LsgBody, Person
from sanarip_hub.synthetic.country import COLUMNS, TABLE_ORDER
from sanarip_hub.synthetic.seed import seed_country
from tests.conftest import HubDb


def schema_matches_models(db: HubDb) -> bool:
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_fresh_seed_restores_every_constraint_and_index(hub_db: HubDb) -> None:
    seed_country(hub_db.engine, 400, lsg_count=2, seed=3)
    assert schema_matches_models(hub_db)
    with hub_db.engine.connect() as connection:  # id sequences continue past the loaded ids
        lsg_id = connection.execute(select(LsgBody.id).limit(1)).scalar_one()
    with hub_db.engine.begin() as connection:
        new_id = connection.execute(
            insert(Person).returning(Person.id),
            {
                "lsg_id": lsg_id,
                "pin_status": "none",
                "surname": "Жаңы",
                "given_name": "Адам",
                "gender": "M",
                "birth_date": date(2000, 1, 1),
            },
        ).scalar_one()
    assert new_id == next_ids(hub_db.engine, ["person"])["person"] - 1
    with hub_db.engine.connect() as connection:
        assert connection.execute(select(func.max(Person.id))).scalar_one() == new_id


def person_row(person_id: int, lsg_id: int, pin: str) -> tuple[object, ...]:
    return (
        person_id,
        lsg_id,
        pin,
        "active",
        "Асанов",
        "Асан",
        None,
        "M",
        date(1990, 1, 1),
        None,
        0,
        "kyrgyz",
        "KGZ",
        None,
        None,
    )


def one_lsg_body(db: HubDb) -> int:
    """An ayil aimak and its LSG body, the minimum a person row needs."""
    with db.engine.begin() as connection:
        connection.execute(
            insert(AteUnit),
            {
                "soate_code": "41708203801000",
                "name_ky": "А",
                "name_ru": "А",
                "kind": "ayil_aimak",
                "valid_from": date(2025, 1, 1),
            },
        )
        return int(
            connection.execute(
                insert(LsgBody).returning(LsgBody.id),
                {"soate_code": "41708203801000", "kind": "ayil_okmotu", "name_ky": "А", "name_ru": "А"},
            ).scalar_one()
        )


def test_failed_fresh_load_rolls_back_data_and_schema(hub_db: HubDb) -> None:
    lsg_id = one_lsg_body(hub_db)
    writer = BulkWriter(hub_db.engine, COLUMNS, TABLE_ORDER, fresh=True)
    writer.add("person", person_row(1, lsg_id, "21705198091234"))
    writer.add("person", person_row(2, lsg_id, "21705198091234"))  # a duplicate PIN
    with pytest.raises(StorageError, match=r"bulk load.* failed: .*(UNIQUE|unique|duplicate)"):
        writer.finish()
    with hub_db.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Person)).scalar_one() == 0
    assert schema_matches_models(hub_db)


def test_copy_text_formats_every_type() -> None:
    from datetime import UTC, datetime

    from sanarip_hub.storage.bulk import CopyText

    text = CopyText()
    text.add(
        (1, None, True, False, 2.5, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "Үмөт")
    )
    text.add(("a\tb", "c\nd", "e\\f", "g\rh", None))
    text.add(("\\N", ""))
    data, rows = text.take()
    assert rows == 3
    assert data.decode().split("\n") == [
        "1\t\\N\tt\tf\t2.5\t2026-01-02\t2026-01-02 03:04:05.000006+00:00\tҮмөт",
        "a\\tb\tc\\nd\te\\\\f\tg\\rh\t\\N",
        "\\\\N\t",  # the string "\\N" is not NULL; the empty string is not NULL either
        "",
    ]
    assert text.take() == (b"", 0)


def test_hostile_strings_survive_the_copy_path(hub_db: HubDb) -> None:
    """Names with tabs, newlines, backslashes and ``\\N`` are stored exactly as given."""
    lsg_id = one_lsg_body(hub_db)
    hostile = ["Tab\there", "New\nline", "Back\\slash", "\\N", "Carriage\rreturn", "Ң ө ү"]
    writer = BulkWriter(hub_db.engine, COLUMNS, TABLE_ORDER, fresh=True)
    for n, name in enumerate(hostile, start=1):
        writer.add(
            "person",
            (
                n,
                lsg_id,
                None,
                "none",
                name,
                "Адам",
                None,
                "F",
                date(2000, 1, 1),
                None,
                0,
                "kyrgyz",
                "KGZ",
                None,
                name,
            ),
        )
    writer.finish()
    with hub_db.engine.connect() as connection:
        stored = connection.execute(select(Person.surname, Person.registered_address).order_by(Person.id))
    assert [tuple(row) for row in stored] == [(name, name) for name in hostile]


@pytest.mark.parametrize(
    "orphan",
    [
        pytest.param({1: 999_999}, id="lsg_id-indexed-child"),  # validated by a merge join of two indexes
        pytest.param({13: "41799999999999"}, id="registered_soate-unindexed-child"),  # by a hash join
    ],
)
def test_fresh_load_refuses_a_row_whose_parent_is_missing(hub_db: HubDb, orphan: dict[int, object]) -> None:
    """Every foreign key is validated when a fresh load re-creates it, whichever join checks it; the
    refused load leaves no row, and the transaction's hash-join setting is not left switched off."""
    lsg_id = one_lsg_body(hub_db)
    writer = BulkWriter(hub_db.engine, COLUMNS, TABLE_ORDER, fresh=True)
    writer.add("person", person_row(1, lsg_id, "21705198091234"))
    row = list(person_row(2, lsg_id, "21705198091235"))
    for position, value in orphan.items():
        row[position] = value
    writer.add("person", tuple(row))
    with pytest.raises(StorageError, match=r"bulk load.* failed: .*(FOREIGN KEY|foreign key)"):
        writer.finish()
    with hub_db.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Person)).scalar_one() == 0
    assert schema_matches_models(hub_db)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # only its loads drop foreign keys
def test_hash_joins_are_given_back_after_the_keys_are_validated(hub_db: HubDb) -> None:
    from sanarip_hub.storage.bulk import drop_for_load, restore_after_load

    tables = [Base.metadata.tables[name] for name in TABLE_ORDER]
    with hub_db.engine.begin() as connection:
        dropped = drop_for_load(connection, tables, keep_lookups=False)
        restore_after_load(connection, dropped, tables)
        assert connection.exec_driver_sql("SHOW enable_hashjoin").scalar_one() == "on"
        connection.rollback()
