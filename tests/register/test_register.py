"""``register export`` and ``register import``: round trip, natural keys, validation, bad files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, update

from sanarip_hub.errors import RegisterFileError, RegisterInvalid
from sanarip_hub.register.exporter import export_register
from sanarip_hub.register.importer import ImportReport, import_register
from sanarip_hub.register.schema import RECORD_TYPES, SCHEMA_DIR, schema_text
from sanarip_hub.storage.models import AteUnit, Household, HouseholdLivestock, Person, PersonFieldHistory
from sanarip_hub.storage.register_books import RegisterBooks
from tests.conftest import HubDb, seeded_sqlite

pytestmark = pytest.mark.integration  # real databases over many steps
TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small seeded country's register, exported once for the module."""
    home = tmp_path_factory.mktemp("source")
    with seeded_sqlite(home, households=240, lsg=2, seed=11) as source:
        out = home / "export"
        report = export_register(RegisterBooks(source.engine), out)
        assert report.households == 240
    return out


def files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*.jsonl"))}


def load(path: Path, db: HubDb, **options: Any) -> ImportReport:
    return import_register(RegisterBooks(db.engine), path, TODAY, **options)


def first_file(directory: Path) -> Path:
    """The LSG body's file with the most households."""
    return max(sorted(directory.rglob("households.jsonl")), key=lambda p: len(p.read_bytes().splitlines()))


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def households(db: HubDb) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Household)).scalar_one())


def test_round_trip_gives_the_same_register_and_a_second_import_changes_nothing(
    exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    """seed → export → import into an empty database → export: byte-identical files, on both back
    ends; importing the same files again creates and updates nothing (natural keys, not duplicates)."""
    first = load(exported, hub_db)
    assert (first.records, first.created, first.updated, first.problems) == (240, 240, 0, [])
    assert first.first_load is (hub_db.engine.dialect.name == "postgresql")  # into an empty hub
    again = export_register(RegisterBooks(hub_db.engine), tmp_path / "again")
    assert again.households == 240
    assert files(tmp_path / "again") == files(exported)
    second = load(exported, hub_db)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 240)
    assert not second.first_load
    assert households(hub_db) == 240


def foreign_keys(db: HubDb) -> set[str]:
    with db.engine.connect() as connection:
        return {fk["name"] for table in ("person", "household", "household_member", "land_application")
                for fk in inspect(connection).get_foreign_keys(table)}  # fmt: skip


def test_a_first_load_that_fails_leaves_the_hub_empty_with_its_constraints(
    exported: Path, hub_db: HubDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first load into an empty PostgreSQL hub is one transaction with the foreign keys dropped
    until its end: one that fails after writing households (here: while writing land applications)
    writes nothing and leaves every constraint in place; the next import loads all.  (SQLite has
    no first-load path: a transaction per file and LSG body, so the households written stay.)"""
    from sanarip_hub.register.land_applications import LandApplications

    before = foreign_keys(hub_db)
    assert before

    def fail(*_args: Any) -> None:
        raise RuntimeError("killed while writing land applications")

    monkeypatch.setattr(LandApplications, "apply", fail)
    with pytest.raises(RuntimeError, match="killed while writing"):
        load(exported, hub_db)
    postgres = hub_db.engine.dialect.name == "postgresql"
    assert households(hub_db) == (0 if postgres else 240)
    assert foreign_keys(hub_db) == before
    monkeypatch.undo()
    again = load(exported, hub_db)
    assert (again.created, again.unchanged) == ((240, 0) if postgres else (0, 240))
    assert households(hub_db) == 240
    assert foreign_keys(hub_db) == before


def test_a_changed_file_changes_only_what_changed_and_keeps_each_old_person_value(
    exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    load(exported, hub_db)
    source = first_file(exported)
    rows = records(source)
    person = rows[3]["members"][0]["person"]
    old_surname, person["surname"] = person["surname"], person["surname"] + "а"
    rows[5]["livestock"] = [{"year": 2026, "kind": "yaks", "head_count": 7}, *rows[5]["livestock"]]
    changed = write(tmp_path / "lsg" / "households.jsonl", rows)
    report = load(changed, hub_db)
    assert (report.created, report.updated, report.unchanged) == (0, 2, len(rows) - 2)
    assert report.person_changes == 1
    with hub_db.engine.connect() as connection:
        history = connection.execute(select(PersonFieldHistory)).all()
        assert [(h.field, h.old_value, h.new_value, h.actor) for h in history] == [
            ("surname", old_surname, person["surname"], "import:households.jsonl")
        ]
        stored = connection.execute(
            select(Person.surname, Person.version).where(Person.pin == person["pin"])
        ).one()
        assert stored == (person["surname"], 2)  # the optimistic lock's version moved with the change
        yaks = connection.execute(
            select(HouseholdLivestock.head_count).where(HouseholdLivestock.kind == "yaks")
        )
        assert 7 in list(yaks.scalars())


def test_missing_households_are_listed_and_closed_only_when_asked(
    exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    load(exported, hub_db)
    source = first_file(exported)
    rows = records(source)
    gone = rows.pop(2)
    partial = write(tmp_path / "lsg" / "households.jsonl", rows)
    listed = load(partial, hub_db)
    assert listed.missing == [f"{gone['lsg']}/{gone['account_no']}"]
    assert listed.closed == 0
    closed = load(partial, hub_db, close_missing=True)
    assert closed.closed == 1
    with hub_db.engine.connect() as connection:
        row = connection.execute(
            select(Household.closed_at, Household.close_reason).where(
                Household.account_no == gone["account_no"], Household.close_reason.like("missing from %")
            )
        ).one()
    assert row.closed_at == TODAY
    assert "import:households.jsonl" in row.close_reason
    assert households(hub_db) == 240  # closed, never deleted


def test_a_household_whose_record_is_invalid_is_not_missing(
    exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    """With --skip-invalid --close-missing, a household whose record is in the file but invalid is
    skipped, not closed as missing from the file (it is not missing; it is wrong)."""
    load(exported, hub_db)
    rows = records(first_file(exported))
    rows[family(rows)]["opened_at"] = "2999-01-01"  # invalid: in the future
    report = load(
        write(tmp_path / "lsg" / "households.jsonl", rows), hub_db, skip_invalid=True, close_missing=True
    )
    assert (report.skipped, report.missing, report.closed) == (1, [], 0)
    with hub_db.engine.connect() as connection:
        closed = connection.execute(
            select(func.count()).select_from(Household).where(Household.close_reason.like("missing from %"))
        ).scalar_one()
    assert closed == 0


def test_a_dry_run_reports_what_would_change_and_writes_nothing(exported: Path, hub_db: HubDb) -> None:
    report = load(exported, hub_db, dry_run=True)
    assert (report.created, report.written) == (240, False)
    assert households(hub_db) == 0


def current(member: dict[str, Any]) -> bool:
    return (
        member["member_to"] is None
        and member["person"]["death_date"] is None
        and bool(member["person"]["pin"])
    )


def family(rows: list[dict[str, Any]], after: int = 0) -> int:
    """The index of the first open household after ``after`` with a head and another current member."""
    return next(
        i for i, r in enumerate(rows) if i > after and r["closed_at"] is None
        and sum(map(current, r["members"])) >= 2 and any(m["relation"] == "head" for m in r["members"])
    )  # fmt: skip


def _break(rows: list[dict[str, Any]], how: str) -> tuple[int, str]:
    """Break one record of ``rows`` as ``how`` says; its index and words of the problem (field or text)."""
    index = family(rows)
    record = rows[index]
    head = next(m for m in record["members"] if m["relation"] == "head" and m["member_to"] is None)
    others = [m for m in record["members"] if m is not head and current(m)]
    if how == "pin length":
        head["person"]["pin"] = head["person"]["pin"][:13]
        return index, "person.pin"
    if how == "pin gender digit":
        pin = head["person"]["pin"]
        head["person"]["pin"] = ("1" if pin[0] == "2" else "2") + pin[1:]
        return index, "gender digit"
    if how == "pin date":
        pin = head["person"]["pin"]
        head["person"]["pin"] = pin[:1] + "31" + "02" + pin[5:]  # 31 February
        return index, "date of birth"
    if how == "unknown soate":
        record["address"]["soate"] = "41799999999999"
        return index, "unknown СОАТЕ"
    if how == "retired soate":
        record["address"]["soate"] = RETIRED
        return index, "retired"
    if how == "unknown registered soate":
        head["person"]["registered_soate"] = "41799999999999"
        return index, "person.registered_soate"
    if how == "two current households":
        later = family(rows, index)
        rows[later]["members"].append(json.loads(json.dumps(others[0])))
        rows[later]["members"][-1]["relation"] = "other_relative"
        return later, "also a current member"
    if how == "no head":
        head["relation"] = "other_relative"
        return index, "no current head"
    if how == "two heads":
        for member in others[:1]:
            member["relation"] = "head"
        return index, "current heads"
    if how == "relation against age":
        child = json.loads(json.dumps(head))
        child["relation"] = "son"
        child["person"].update(pin=None, pin_status="none", given_name="Улан")
        child["person"]["birth_date"] = "1900-01-01"
        record["members"].append(child)
        return index, "born on or before the head"
    if how == "duplicate account":
        rows[index + 1]["account_no"] = record["account_no"]
        return index + 1, "also at"
    if how == "future date":
        record["opened_at"] = "2027-01-01"
        return index, "in the future"
    if how == "wrong type":
        record["book_no"] = "seven"
        return index, "is not of type"
    raise AssertionError(how)


RETIRED = "41708203801999"
RULES = [
    "pin length", "pin gender digit", "pin date", "unknown soate", "retired soate",
    "unknown registered soate", "two current households", "no head", "two heads", "relation against age",
    "duplicate account", "future date", "wrong type",
]  # fmt: skip


@pytest.fixture
def with_retired_unit(hub_db: HubDb, exported: Path) -> HubDb:
    """The territory with one settlement retired by the reform (valid until 2025)."""
    load(exported, hub_db, dry_run=True)  # installs the hub's map
    with hub_db.engine.begin() as connection:
        parent = connection.execute(select(AteUnit).limit(1)).first()
        assert parent is not None
        connection.execute(
            AteUnit.__table__.insert().values(
                soate_code=RETIRED,
                name_ky="Эски айыл",
                name_ru="Старое село",
                kind=parent.kind,
                parent_code=None,
                valid_from=date(1995, 1, 1),
                valid_to=date(2025, 1, 1),
            )
        )
    return hub_db


@pytest.mark.parametrize("rule", RULES)
def test_each_validation_rule_refuses_the_file_and_writes_nothing(
    rule: str, exported: Path, with_retired_unit: HubDb, tmp_path: Path
) -> None:
    rows = records(first_file(exported))
    line_index, words = _break(rows, rule)
    broken = write(tmp_path / "in" / "households.jsonl", rows)
    with pytest.raises(RegisterInvalid) as refused:
        load(broken, with_retired_unit)
    report = refused.value.report
    assert isinstance(report, ImportReport)
    assert [p.line for p in report.problems] == [line_index + 1], report.problems
    assert words in f"{report.problems[0].field} {report.problems[0].problem}"
    assert report.problems[0].key == f"{rows[line_index]['lsg']}/{rows[line_index]['account_no']}"
    assert households(with_retired_unit) == 0  # strict: one error and nothing is written
    skipping = load(broken, with_retired_unit, skip_invalid=True)
    assert (skipping.created, skipping.skipped) == (len(rows) - 1, 1)


def test_a_person_current_in_another_household_of_the_hub_is_refused(
    exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    load(exported, hub_db)
    rows = records(first_file(exported))
    source = family(rows)
    mover = json.loads(
        json.dumps(next(m for m in rows[source]["members"] if current(m) and m["relation"] != "head"))
    )
    mover["relation"] = "other_relative"
    target = rows[family(rows, source)]
    target["members"].append(mover)
    only = write(tmp_path / "x" / "households.jsonl", [target])  # the old household is not in the file
    with pytest.raises(RegisterInvalid) as refused:
        load(only, hub_db)
    problems = refused.value.report.problems  # type: ignore[attr-defined]
    assert len(problems) == 1
    held = f"{rows[source]['lsg']}/{rows[source]['account_no']}"
    assert f"current member of household {held} in the hub" in problems[0].problem


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"lsg": "41708203801000", "account_no": "1", "book', "not JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text"),
        (b"\xff\xfe{\x00}\x00\n", "binary data"),
        (b"[1, 2, 3]\n", "must be a JSON object"),
        (b'{"a": "' + b"x" * (1 << 20) + b'"}\n', "longer than"),
        (b"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xcf\xf0\xe8\xe2\xe5\xf2\n", "not UTF-8"),
    ],
    ids=["truncated line", "png", "utf-16", "not an object", "endless line", "windows-1251 in json"],
)
def test_a_bad_file_is_one_clear_error_and_nothing_is_written(
    content: bytes, message: str, exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    good = first_file(exported).read_bytes()
    bad = tmp_path / "in" / "households.jsonl"
    bad.parent.mkdir()
    bad.write_bytes(good + content)
    with pytest.raises(RegisterFileError, match=message) as refused:
        load(bad, hub_db, skip_invalid=True)  # not a record problem: skipping does not apply
    assert "households.jsonl, line" in str(refused.value)
    assert households(hub_db) == 0


def test_a_two_gigabyte_file_is_refused_before_it_is_read(hub_db: HubDb, tmp_path: Path) -> None:
    huge = tmp_path / "households.jsonl"
    with huge.open("wb") as handle:  # sparse: two gigabytes on paper, nothing on disk
        handle.truncate(2 * 1024**3)
    with pytest.raises(RegisterFileError, match="larger than a register file can be"):
        load(huge, hub_db)


def test_the_committed_json_schemas_are_the_ones_the_hub_validates_with() -> None:
    for record_type in RECORD_TYPES:
        committed = (SCHEMA_DIR / f"{record_type}.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(record_type), "run: python -m sanarip_hub.register.schema"


def test_an_unknown_lsg_for_export_is_a_clear_error(hub_db: HubDb, tmp_path: Path) -> None:
    from sanarip_hub.errors import RegisterError

    with pytest.raises(RegisterError, match="no LSG body with СОАТЕ code 41799999999999"):
        export_register(RegisterBooks(hub_db.engine), tmp_path, "41799999999999")


def test_a_version_bump_is_what_an_update_leaves(exported: Path, hub_db: HubDb, tmp_path: Path) -> None:
    """An import's change of a household is visible to the optimistic lock of a clerk's open form."""
    load(exported, hub_db)
    rows = records(first_file(exported))
    rows[0]["book_no"] += 1
    load(write(tmp_path / "v" / "households.jsonl", rows), hub_db)
    with hub_db.engine.connect() as connection:
        version = connection.execute(
            select(Household.version).where(Household.account_no == rows[0]["account_no"])
            .where(Household.book_no == rows[0]["book_no"])
        ).scalar_one()  # fmt: skip
    assert version == 2
    with hub_db.engine.connect() as connection:  # nothing else moved
        others = connection.execute(
            select(func.max(Household.version)).where(Household.book_no != rows[0]["book_no"])
        )
        assert others.scalar_one() == 1
        connection.execute(update(Household).values(version=Household.version))


def test_skip_invalid_skips_the_invalid_line_of_its_own_file_only(
    exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    """Every LSG body's file is called households.jsonl: an invalid line 1 in one of them must not
    skip line 1 of the others (problems were keyed by the file's name alone)."""
    target = tmp_path / "export"
    for path in sorted(exported.rglob("households.jsonl")):
        rows = records(path)
        if path == sorted(exported.rglob("households.jsonl"))[0]:
            rows[0]["members"][0]["person"]["birth_date"] = "2999-01-01"
        write(target / path.relative_to(exported), rows)
    report = load(target, hub_db, skip_invalid=True)
    assert report.skipped == 1
    assert report.created == 239
    assert households(hub_db) == 239
