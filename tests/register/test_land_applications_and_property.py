"""Land-queue applications and municipal property in the register exchange format: validation,
natural keys, what a changed file changes, renumbered objects, missing records, sheets."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from sanarip_hub.errors import RegisterFileError, RegisterInvalid
from sanarip_hub.register.exporter import export_register
from sanarip_hub.register.importer import ImportReport, import_register
from sanarip_hub.storage.models import (
    LandApplication,
    LandApplicationEvent,
    LsgBody,
    MunicipalProperty,
    Person,
    PropertyEvent,
    PropertyLease,
    SocialPassport,
)
from sanarip_hub.storage.register_books import RegisterBooks
from tests.conftest import HubDb, seeded_sqlite
from tests.register.test_register import records, write

pytestmark = pytest.mark.integration  # real databases over many steps
TODAY = date(2026, 6, 1)
APPLICATIONS = "land_applications.jsonl"
PROPERTY = "municipal_property.jsonl"
TABLES = (LandApplication, LandApplicationEvent, MunicipalProperty, PropertyLease, PropertyEvent)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("modules")
    with seeded_sqlite(home, households=240, lsg=2, seed=11) as source:
        report = export_register(RegisterBooks(source.engine), home / "export")
        with source.engine.connect() as connection:
            for table, kind in (
                (LandApplication, "land_application"),
                (MunicipalProperty, "municipal_property"),
            ):
                stored = connection.execute(select(func.count()).select_from(table)).scalar_one()
                assert report.records[kind] == stored > 0
    return home / "export"


@pytest.fixture
def copied(exported: Path, tmp_path: Path) -> Path:
    shutil.copytree(exported, tmp_path / "files")
    return tmp_path / "files"


def load(path: Path, db: HubDb, **options: Any) -> ImportReport:
    return import_register(RegisterBooks(db.engine), path, TODAY, **options)


def module_file(directory: Path, name: str) -> Path:
    return max(sorted(directory.rglob(name)), key=lambda p: len(p.read_bytes().splitlines()))


def counts(db: HubDb) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            table.__tablename__: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for table in TABLES
        }


def test_applications_and_property_round_trip_and_a_second_import_changes_nothing(
    exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    first = load(exported, hub_db)
    applications, objects = first.modules["land_application"], first.modules["municipal_property"]
    total = {name: sum(len(records(p)) for p in exported.rglob(name)) for name in (APPLICATIONS, PROPERTY)}
    assert (applications.records, applications.created) == (total[APPLICATIONS], total[APPLICATIONS])
    assert (objects.records, objects.created) == (total[PROPERTY], total[PROPERTY])
    again = export_register(RegisterBooks(hub_db.engine), tmp_path / "again")
    for name in (APPLICATIONS, PROPERTY):
        for path in exported.rglob(name):
            assert (tmp_path / "again" / path.relative_to(exported)).read_bytes() == path.read_bytes()
    assert again.records["land_application"] == total[APPLICATIONS]
    before = counts(hub_db)
    second = load(exported, hub_db)
    for kind in ("land_application", "municipal_property"):
        found = second.modules[kind]
        assert (found.created, found.updated, found.unchanged, found.missing) == (0, 0, found.records, [])
    assert counts(hub_db) == before


def test_a_changed_application_and_object_change_only_what_changed(
    copied: Path, exported: Path, hub_db: HubDb
) -> None:
    """A status decided with its event, a revalued object with a new lease: one record of each is
    updated (its version bumped), the events and leases the file leaves out are kept."""
    load(exported, hub_db)
    before = counts(hub_db)
    path = module_file(copied, APPLICATIONS)
    rows = records(path)
    waiting = next(i for i, r in enumerate(rows) if r["status"] == "registered")
    rows[waiting]["status"] = "verified"
    rows[waiting]["events"].append(
        {"at": "2026-05-01T09:00:00+00:00", "from_status": "registered", "to_status": "verified",
         "actor": "commission", "reason": None}
    )  # fmt: skip
    write(path, rows)
    objects_path = module_file(copied, PROPERTY)
    objects = records(objects_path)
    objects[0]["residual_value_som"] = 1000.0
    objects[0]["leases"].append(
        {"contract_no": "ИК-9999", "lessee_inn": "01234567890123", "lessee_name": "«Ак-Жол» ЖЧК",
         "valid_from": "2026-01-01", "valid_to": "2027-01-01", "rent_som_month": 5000, "purpose": None}
    )  # fmt: skip
    objects[1]["events"] = []  # history the file leaves out is kept
    write(objects_path, objects)
    report = load(copied, hub_db)
    applications, property_counts = report.modules["land_application"], report.modules["municipal_property"]
    assert (applications.created, applications.updated) == (0, 1)
    assert (property_counts.created, property_counts.updated) == (0, 1)
    after = counts(hub_db)
    assert after["land_application_event"] == before["land_application_event"] + 1
    assert after["property_lease"] == before["property_lease"] + 1
    assert after["property_event"] == before["property_event"]
    with hub_db.engine.connect() as connection:
        status, version = connection.execute(
            select(LandApplication.status, LandApplication.version).where(
                LandApplication.reg_number == rows[waiting]["reg_number"]
            )
        ).one()
        value = connection.execute(
            select(MunicipalProperty.residual_value_som)
            .join(LsgBody, LsgBody.id == MunicipalProperty.lsg_id)
            .where(LsgBody.soate_code == objects[0]["lsg"])
            .where(MunicipalProperty.inventory_no == objects[0]["inventory_no"])
        ).scalar_one()
    assert (status.value, version, value) == ("verified", 2, 1000.0)


def test_a_renumbered_object_is_found_by_its_eni(copied: Path, exported: Path, hub_db: HubDb) -> None:
    load(exported, hub_db)
    path = module_file(copied, PROPERTY)
    objects = records(path)
    index = next(i for i, o in enumerate(objects) if o["eni_code"])
    old = objects[index]["inventory_no"]
    objects[index]["inventory_no"] = "МП-900001"
    write(path, objects)
    before = counts(hub_db)
    report = load(copied, hub_db).modules["municipal_property"]
    assert (report.created, report.updated, report.missing) == (0, 1, [])
    assert counts(hub_db) == before
    assert _inventory(hub_db, objects[index]["lsg"]) == sorted(
        [o["inventory_no"] for o in objects if o["inventory_no"] != "МП-900001"] + ["МП-900001"]
    )
    assert old not in _inventory(hub_db, objects[index]["lsg"])


def _inventory(db: HubDb, lsg: str) -> list[str]:
    with db.engine.connect() as connection:
        return sorted(
            connection.execute(
                select(MunicipalProperty.inventory_no)
                .join(LsgBody, LsgBody.id == MunicipalProperty.lsg_id)
                .where(LsgBody.soate_code == lsg)
            ).scalars()
        )


def test_missing_records_are_listed_and_closed_only_when_asked(
    copied: Path, exported: Path, hub_db: HubDb
) -> None:
    load(exported, hub_db)
    apps_path, objects_path = module_file(copied, APPLICATIONS), module_file(copied, PROPERTY)
    apps, objects = records(apps_path), records(objects_path)
    waiting = next(a for a in apps if a["status"] == "registered")
    leased = objects[-1]
    write(apps_path, [a for a in apps if a is not waiting])
    write(objects_path, objects[:-1])
    passports_path = module_file(copied, "social_passports.jsonl")
    passports = records(passports_path)
    active = next(p for p in passports if p["status"] != "archived")
    write(passports_path, [p for p in passports if p is not active])
    lsg = waiting["lsg"]
    before = counts(hub_db)
    listed = load(copied, hub_db)
    assert listed.modules["social_passport"].missing == [f"{active['lsg']}/{active['number']}"]
    assert listed.modules["land_application"].missing == [f"{lsg}/{waiting['reg_number']}"]
    assert listed.modules["municipal_property"].missing == [f"{leased['lsg']}/{leased['inventory_no']}"]
    assert counts(hub_db) == before  # listed only: nothing changed
    closed = load(copied, hub_db, close_missing=True)
    assert (closed.modules["land_application"].closed, closed.modules["municipal_property"].closed) == (1, 1)
    with hub_db.engine.connect() as connection:
        status, reason = connection.execute(
            select(LandApplication.status, LandApplication.status_reason).where(
                LandApplication.reg_number == waiting["reg_number"]
            )
        ).one()
        use = connection.execute(
            select(MunicipalProperty.use_status)
            .join(LsgBody, LsgBody.id == MunicipalProperty.lsg_id)
            .where(
                LsgBody.soate_code == leased["lsg"], MunicipalProperty.inventory_no == leased["inventory_no"]
            )
        ).scalar_one()
        archived = connection.execute(
            select(SocialPassport.status)
            .join(LsgBody, LsgBody.id == SocialPassport.lsg_id)
            .where(LsgBody.soate_code == active["lsg"], SocialPassport.number == active["number"])
        ).scalar_one()
    assert status.value == "removed"
    assert reason.startswith("missing from import:")
    assert archived.value == "archived"
    assert closed.modules["social_passport"].closed == 1
    assert use.value == "written_off"
    after = counts(hub_db)
    assert after["land_application"] == before["land_application"]  # nothing deleted
    assert after["land_application_event"] == before["land_application_event"] + 1
    assert after["property_event"] == before["property_event"] + 1
    again = load(copied, hub_db, close_missing=True)  # closing twice closes nothing more
    assert (again.modules["land_application"].closed, again.modules["municipal_property"].closed) == (0, 0)


def test_an_applicant_without_a_pin_is_found_among_the_household_members(copied: Path, hub_db: HubDb) -> None:
    households = module_file(copied, "households.jsonl")
    rows = records(households)
    household = next(r for r in rows if len(r["members"]) > 1)
    child = household["members"][-1]["person"]
    child.update(pin=None, pin_status="none", aliases=[])
    write(households, rows)
    apps_path = households.with_name(APPLICATIONS)
    apps = records(apps_path)
    application = copy.deepcopy(apps[0])
    application.update(
        reg_number="ЖУ-900001",
        account_no=household["account_no"],
        applicant={"pin": None, "surname": child["surname"], "given_name": child["given_name"],
                   "birth_date": child["birth_date"]},
    )  # fmt: skip
    write(apps_path, [*apps, application])
    report = load(copied, hub_db)
    assert report.problems == []
    with hub_db.engine.connect() as connection:
        surname, pin = connection.execute(
            select(Person.surname, Person.pin)
            .join(LandApplication, LandApplication.applicant_person_id == Person.id)
            .where(LandApplication.reg_number == "ЖУ-900001")
        ).one()
    assert (surname, pin) == (child["surname"], None)


def _break(how: str, apps: list[dict[str, Any]], objects: list[dict[str, Any]]) -> tuple[str, str]:
    """Spoil one record: (the field reported, a fragment of the message)."""
    app, obj = apps[0], objects[0]
    if how == "applicant pin":
        app["applicant"]["pin"] = "12345"
        return "applicant.pin", "does not match"
    if how == "no offset":
        app["reg_datetime"] = "2020-01-01T10:00:00"
        return "reg_datetime", 'is not a "date-time"'
    if how == "registered in future":
        app["reg_datetime"] = "2027-01-01T10:00:00+00:00"
        return "reg_datetime", "in the future"
    if how == "event before registration":
        app["events"][0]["at"] = "2000-01-01T00:00:00+00:00"
        return "events[0].at", "before the registration"
    if how == "status against events":
        app["status"] = "allocated" if app["events"][-1]["to_status"] != "allocated" else "withdrawn"
        return "status", "the last event leads to"
    if how == "duplicate registration":
        apps.append(copy.deepcopy(app))
        return "reg_number", "also at"
    if how == "no pin no household":
        app["applicant"]["pin"] = None
        app["account_no"] = None
        return "applicant", "give account_no"
    if how == "applicant not a member":  # another household's applicant
        other = next(a for a in apps if a["account_no"] != app["account_no"])
        app["applicant"] = copy.deepcopy(other["applicant"])
        return "applicant", "is not a member of household"
    if how == "unknown household":
        app["account_no"] = "999999"
        return "account_no", "no household"
    if how == "unknown applicant pin":
        app["applicant"]["pin"] = "21212199012345"
        app["account_no"] = None
        return "applicant", "no person with PIN 21212199012345"
    if how == "residual above book":
        obj["residual_value_som"] = obj["book_value_som"] + 1
        return "residual_value_som", "more than the book value"
    if how == "lease ends before it starts":
        obj["leases"] = [{"contract_no": "ИК-1", "lessee_inn": "01234567890123", "lessee_name": "ЖЧК",
                          "valid_from": "2026-01-01", "valid_to": "2025-01-01", "rent_som_month": 1,
                          "purpose": None}]  # fmt: skip
        return "leases[0].valid_to", "before"
    if how == "duplicate eni":
        objects[1]["eni_code"] = obj["eni_code"] = "123456789012345678"
        return "eni_code", "also at"
    if how == "eni format":
        obj["eni_code"] = "1-02-02-0007-0001-01-061"
        return "eni_code", "does not match"
    if how == "duplicate inventory":
        objects[1]["inventory_no"] = obj["inventory_no"]
        return "inventory_no", "also at"
    if how == "property event in future":
        obj["events"][0]["at"] = "2027-02-01T00:00:00+00:00"
        return "events[0].at", "in the future"
    raise AssertionError(how)


MODULE_RULES = [
    "applicant pin", "no offset", "registered in future", "event before registration",
    "status against events", "duplicate registration", "no pin no household", "applicant not a member",
    "unknown household", "unknown applicant pin", "residual above book", "lease ends before it starts",
    "duplicate eni", "eni format", "duplicate inventory", "property event in future",
]  # fmt: skip


@pytest.mark.parametrize("rule", MODULE_RULES)
def test_each_module_rule_refuses_the_file_and_writes_nothing(copied: Path, hub_db: HubDb, rule: str) -> None:
    apps_path = module_file(copied, APPLICATIONS)
    objects_path = apps_path.with_name(PROPERTY)
    apps, objects = records(apps_path), records(objects_path)
    field, text = _break(rule, apps, objects)
    write(apps_path, apps)
    write(objects_path, objects)
    with pytest.raises(RegisterInvalid) as caught:
        load(copied, hub_db)
    report = caught.value.report
    assert isinstance(report, ImportReport)
    assert any(p.field == field and text in p.problem for p in report.problems), [
        (p.field, p.problem) for p in report.problems
    ]
    assert set(counts(hub_db).values()) == {0}  # strict: nothing written, households neither
    skipped = load(copied, hub_db, skip_invalid=True)  # the valid records still go in
    assert skipped.skipped >= 1
    assert skipped.modules["land_application"].created >= len(apps) - 2


def test_sheets_of_a_module_alone_and_a_list_row_without_its_record(
    exported: Path, hub_db: HubDb, tmp_path: Path
) -> None:
    """A workbook holding only the property sheets imports (an office sends one module); a lease row
    naming an object the main sheet lacks is one clear error."""
    load(exported, hub_db)
    export_register(RegisterBooks(hub_db.engine), tmp_path / "xlsx", kind="xlsx")
    workbook_path = max(tmp_path.joinpath("xlsx").rglob("register.xlsx"), key=lambda p: p.stat().st_size)
    workbook = load_workbook(workbook_path)
    for name in workbook.sheetnames:
        if name not in ("municipal_property", "property_leases", "property_events"):
            del workbook[name]
    only = tmp_path / "only" / "property.xlsx"
    only.parent.mkdir()
    workbook.save(only)
    report = load(only, hub_db)
    objects = report.modules["municipal_property"]
    assert objects.records == objects.unchanged > 0
    assert report.records == 0
    workbook["property_events"].append([workbook["municipal_property"]["A2"].value, "МП-777777",
                                        "2020-01-01T00:00:00+00:00", "registered"])  # fmt: skip
    workbook.save(only)
    with pytest.raises(RegisterFileError, match=r"МП-777777 is not in the municipal_property sheet"):
        load(only, hub_db)


def test_the_report_names_the_modules(exported: Path, hub_db: HubDb, tmp_path: Path) -> None:
    report = load(exported, hub_db, dry_run=True)
    saved = json.loads(json.dumps(report.as_dict()))
    assert {"social_passports", "land_applications", "municipal_property"} <= set(saved)
    assert saved["land_applications"]["created"] == report.modules["land_application"].records
    assert set(counts(hub_db).values()) == {0}  # a dry run writes nothing


def test_a_larger_seeded_country_passes_its_own_validation(tmp_path: Path) -> None:
    """Every generated record is one the import accepts: 240 households hid seeded land decisions
    dated up to two years after the country's "today" (found by the 20,000-household bench)."""
    with seeded_sqlite(tmp_path, households=3000, lsg=2, seed=3) as source:
        export_register(RegisterBooks(source.engine), tmp_path / "out")
        report = import_register(RegisterBooks(source.engine), tmp_path / "out", TODAY, dry_run=True)
    assert report.problems == []
    assert report.modules["land_application"].records > 300
