"""Social passports in the register exchange format (``social_passports.jsonl``): exported beside
the households, imported by their number within the LSG body, members matched with the
household's persons, every validation rule refusing the import before anything is written."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sanarip_hub.errors import RegisterInvalid
from sanarip_hub.register.exporter import export_register
from sanarip_hub.register.importer import ImportReport, import_register
from sanarip_hub.storage.models import Household, SocialPassport, SocialPassportMember, SocialServiceAccess
from sanarip_hub.storage.register_books import RegisterBooks
from tests.conftest import HubDb, seeded_sqlite
from tests.register.test_register import records, write

pytestmark = pytest.mark.integration  # real databases over many steps
TODAY = date(2026, 6, 1)
PASSPORTS = "social_passports.jsonl"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("passports")
    with seeded_sqlite(home, households=240, lsg=2, seed=11) as source:
        report = export_register(RegisterBooks(source.engine), home / "export")
        with source.engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(SocialPassport)).scalar_one()
    assert report.records["social_passport"] == stored > 0
    return home / "export"


def load(path: Path, db: HubDb, **options: Any) -> ImportReport:
    return import_register(RegisterBooks(db.engine), path, TODAY, **options)


def passport_file(directory: Path) -> Path:
    return max(sorted(directory.rglob(PASSPORTS)), key=lambda p: len(p.read_bytes().splitlines()))


def count(db: HubDb, table: Any) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_passports_round_trip_and_a_second_import_changes_nothing(
    exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    total = sum(len(records(path)) for path in exported.rglob(PASSPORTS))
    first = load(exported, hub_db)
    assert (first.passports.records, first.passports.created, first.problems) == (total, total, [])
    assert count(hub_db, SocialPassport) == total
    again = export_register(RegisterBooks(hub_db.engine), tmp_path / "again")
    assert again.records["social_passport"] == total
    for path in exported.rglob(PASSPORTS):
        assert (tmp_path / "again" / path.relative_to(exported)).read_bytes() == path.read_bytes()
    second = load(exported, hub_db)
    assert (second.passports.created, second.passports.updated, second.passports.unchanged) == (0, 0, total)
    assert count(hub_db, SocialPassport) == total


def test_a_changed_passport_is_updated_and_only_it(exported: Path, hub_db: HubDb, tmp_path: Path) -> None:
    load(exported, hub_db)
    source = passport_file(exported)
    rows = records(source)
    changed = rows[2]
    changed["status"] = "archived"
    changed["members"][0]["income_monthly_som"] = 12345.67
    changed["services"] = [
        {"service": "ubk_benefit", "status": "receiving", "since": "2026-05-01", "source": "mlsp"}
    ]
    directory = tmp_path / "changed" / source.parent.name
    write(directory / PASSPORTS, rows)
    report = load(tmp_path / "changed", hub_db)  # a directory with passports only: households in the hub
    assert (report.records, report.passports.updated, report.passports.unchanged) == (0, 1, len(rows) - 1)
    with hub_db.engine.connect() as connection:
        passport_id, status = connection.execute(
            select(SocialPassport.id, SocialPassport.status).where(SocialPassport.number == changed["number"])
        ).one()
        incomes = connection.execute(
            select(SocialPassportMember.income_monthly_som)
            .where(SocialPassportMember.passport_id == passport_id)
            .order_by(SocialPassportMember.id)
        ).scalars().all()  # fmt: skip
        services = connection.execute(
            select(SocialServiceAccess.service, SocialServiceAccess.status).where(
                SocialServiceAccess.passport_id == passport_id
            )
        ).all()
    assert status == "archived"
    assert incomes[0] == 12345.67
    assert len(incomes) == len(changed["members"])
    assert [tuple(s) for s in services] == [("ubk_benefit", "receiving")]


Change = Callable[[list[dict[str, Any]]], None]


def _other_households_pin(rows: list[dict[str, Any]]) -> None:
    rows[0]["members"][0]["pin"] = rows[1]["members"][0]["pin"]
    rows[0]["members"][0].update(
        {k: rows[1]["members"][0][k] for k in ("surname", "given_name", "birth_date")}
    )


RULES: list[tuple[str, Change, str, str]] = [
    ("unknown household", lambda rows: rows[0].update(account_no="999999"), "account_no",
     "no household {lsg}/999999 in the files or the hub"),
    ("member of another household", _other_households_pin, "members[0]", "is not a member of household"),
    ("duplicate number", lambda rows: rows[1].update(number=rows[0]["number"]), "number", "also at"),
    ("reviewed before opened", lambda rows: rows[0].update(opened_at="2026-01-02", reviewed_at="2026-01-01"),
     "reviewed_at", "reviewed on 2026-01-01, before it was opened"),
    ("future date", lambda rows: rows[0].update(opened_at="2027-01-01", reviewed_at=None,
                                                 commission_decision_date=None),
     "opened_at", "2027-01-01 is in the future"),
    ("bad PIN", lambda rows: rows[0]["members"][0].update(pin="12345678901234"), "members[0].pin", "PIN"),
    ("wrong type", lambda rows: rows[0].update(per_capita_income_som="a lot"), "per_capita_income_som",
     "is not of type"),
    ("unknown code", lambda rows: rows[0].update(welfare_category="rich"), "welfare_category",
     "is not one of"),
    ("member twice", lambda rows: rows[0]["members"].append(copy.deepcopy(rows[0]["members"][0])),
     f"members[{0}]", "the same person is a member twice"),
]  # fmt: skip


@pytest.mark.parametrize("rule", RULES, ids=[rule[0] for rule in RULES])
def test_each_passport_rule_refuses_the_import_and_writes_nothing(
    rule: tuple[str, Change, str, str], exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    _name, change, field, problem = rule
    copied = tmp_path / "register"
    shutil.copytree(exported, copied)
    source = passport_file(copied)
    rows = records(source)
    change(rows)
    write(source, rows)
    with pytest.raises(RegisterInvalid) as refused:
        load(copied, hub_db)
    problems = refused.value.report.problems
    expected = problem.format(lsg=rows[0]["lsg"])
    assert any(expected in p.problem and p.field.startswith(field.split("[")[0]) for p in problems), problems
    assert all(p.file.endswith(PASSPORTS) for p in problems)
    assert count(hub_db, Household) == 0  # strict: not even the valid households were written
    assert count(hub_db, SocialPassport) == 0
    skipped = load(copied, hub_db, skip_invalid=True)
    assert skipped.created == 240  # the households were valid
    invalid_lines = {p.line for p in problems}
    assert skipped.passports.created == len(rows) - len(invalid_lines) + sum(
        len(records(path)) for path in copied.rglob(PASSPORTS) if path != source
    )


def test_a_member_without_a_pin_is_matched_by_name_and_birth_date(
    exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    """The household file and the passport name the person the same way: no PIN, name and birth."""
    copied = tmp_path / "register"
    shutil.copytree(exported, copied)
    passports = passport_file(copied)
    rows = records(passports)
    member = rows[0]["members"][0]
    households_file = passports.with_name("households.jsonl")
    households = records(households_file)
    book = next(h for h in households if h["account_no"] == rows[0]["account_no"])
    person = next(m["person"] for m in book["members"] if m["person"]["pin"] == member["pin"])
    person.update(pin=None, pin_status="none", aliases=[])
    member["pin"] = None
    write(households_file, households)
    write(passports, rows)
    report = load(copied, hub_db)
    assert report.problems == []
    assert report.passports.created == sum(len(records(p)) for p in copied.rglob(PASSPORTS))
    again = export_register(RegisterBooks(hub_db.engine), tmp_path / "again")
    assert again.records["social_passport"] == report.passports.created
    exported_again = records(tmp_path / "again" / passports.relative_to(copied))
    assert exported_again[0]["members"][0] == member
