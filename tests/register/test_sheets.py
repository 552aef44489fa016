"""The register as spreadsheets: CSV sheets (UTF-8 or Windows-1251, ``,`` or ``;``) and XLSX workbooks
give the same register as JSON Lines; bad sheets are one clear error."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from sanarip_hub.errors import RegisterFileError, RegisterInvalid
from sanarip_hub.register.exporter import export_register
from sanarip_hub.register.sheets import LAYOUTS, SHEETS
from sanarip_hub.storage.register_books import RegisterBooks
from tests.cli.test_cli import SEED, run
from tests.conftest import HubDb, seeded_sqlite
from tests.register.test_register import files, households, load

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small seeded country exported in every format."""
    home = tmp_path_factory.mktemp("sheets")
    with seeded_sqlite(home, households=120, lsg=2, seed=5) as db:
        out = {}
        for kind in ("jsonl", "csv", "xlsx"):
            report = export_register(RegisterBooks(db.engine), home / kind, kind=kind)
            assert report.households == 120
            out[kind] = home / kind
    return out


# Windows-1251 has no Kyrgyz Ө, Ү, Ң: offices that keep it type the Russian look-alikes instead.
RUSSIAN_LOOKALIKES = str.maketrans("ӨөҮүҢң", "ОоУуНн")


def as_windows_1251(directory: Path, target: Path, lost: bool = False) -> Path:
    """The CSV export as Excel in a Russian or Kyrgyz locale saves it: Windows-1251, ``;``; the Kyrgyz
    letters typed as Russian look-alikes, or (``lost``) written as '?' as Excel does on saving."""
    shutil.copytree(directory, target)
    for path in target.rglob("*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text if lost else text.translate(RUSSIAN_LOOKALIKES))))
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
        path.write_bytes(buffer.getvalue().encode("cp1251", errors="replace"))
    return target


def jsonl_files(directory: Path, lookalikes: bool) -> dict[str, bytes]:
    found = files(directory)
    if not lookalikes:
        return found
    return {name: data.decode().translate(RUSSIAN_LOOKALIKES).encode() for name, data in found.items()}


@pytest.mark.parametrize("kind", ["csv", "csv-1251", "xlsx"])
def test_sheets_give_the_same_register_as_json_lines(
    source: dict[str, Path], hub_db: HubDb, tmp_path: Path, kind: str
) -> None:
    """seed → export as sheets → import into an empty database → export as JSON Lines: the same
    bytes as the JSON Lines export of the seed; a second import changes nothing."""
    path = as_windows_1251(source["csv"], tmp_path / "1251") if kind == "csv-1251" else source[kind]
    first = load(path, hub_db)
    assert (first.records, first.created, first.problems) == (120, 120, [])
    if kind.startswith("csv"):
        expected = "Windows-1251" if kind == "csv-1251" else "UTF-8"
        assert set(first.encodings.values()) == {expected}
        # the encoding of each record type's sheets of each LSG body, named by its main sheet
        main = {f"{layout.sheet}.csv" for layout in LAYOUTS}
        assert sorted(first.encodings) == sorted(str(p) for p in path.rglob("*.csv") if p.name in main)
        assert {Path(name).name for name in first.encodings} == main
        assert all(counts.records == counts.created > 0 for counts in first.modules.values())
    export_register(RegisterBooks(hub_db.engine), tmp_path / "again")
    assert files(tmp_path / "again") == jsonl_files(source["jsonl"], lookalikes=kind == "csv-1251")
    second = load(path, hub_db)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 120)


def test_the_cli_exports_sheets_and_says_which_encoding_it_read(tmp_path: Path) -> None:
    source = {"SANARIP_HUB_HOME": str(tmp_path / "source")}
    target = {"SANARIP_HUB_HOME": str(tmp_path / "target")}
    for env in (source, target):
        assert run(["db", "upgrade"], env).returncode == 0
    assert run(SEED, source).returncode == 0
    exported = run(["register", "export", str(tmp_path / "out"), "--format", "csv"], source)
    assert exported.returncode == 0, exported.stderr
    assert sorted({p.name for p in (tmp_path / "out").rglob("*.*")}) == sorted(
        f"{sheet}.csv"
        for sheet in SHEETS  # every record type's sheets, passports and property too
    )
    path = as_windows_1251(tmp_path / "out", tmp_path / "1251")
    imported = run(["register", "import", str(path)], target)
    assert imported.returncode == 0, imported.stderr
    assert "households.csv: read as Windows-1251" in imported.stdout
    assert "300 records: 300 created" in imported.stdout


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def _one_workbook(source: dict[str, Path]) -> Path:
    return next(source["xlsx"].rglob("*.xlsx"))


def test_a_typed_workbook_from_excel_reads_like_text(source: dict[str, Path], hub_db: HubDb) -> None:
    """Excel keeps numbers as numbers and dates as dates: an account number 1 typed as a number, a
    date cell, ``area_ha`` as a float — converted by the schema's type, not refused."""
    book = load_workbook(_one_workbook(source))
    households_sheet = book["households"]
    header = [cell.value for cell in households_sheet[1]]
    opened = header.index("opened_at") + 1
    for row in households_sheet.iter_rows(min_row=2):
        text = row[opened - 1].value
        row[opened - 1].value = date.fromisoformat(text)  # a real date cell
    path = _one_workbook(source).with_name("typed.xlsx")
    book.save(path)
    report = load(path, hub_db, dry_run=True)
    assert report.problems == []
    path.unlink()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: _workbook(p / "r.xlsx", {"Лист1": [["lsg"]]}), "wrong sheet 'Лист1'"),
        (lambda p: _workbook(p / "r.xlsx", {"members": [["lsg", "account_no"]]}), "no households sheet"),
        (
            lambda p: _workbook(p / "r.xlsx", {"households": [["lsg", "account_no", "colour"]]}),
            "unknown column 'colour' in the households sheet",
        ),
        (lambda p: _write(p / "r.xlsx", b"PK\x03\x04 not really a zip"), "not an XLSX workbook"),
        (lambda p: _write(p / "households.csv", b"lsg,account_no\x00\x01"), "binary data, not CSV text"),
        (lambda p: _write(p / "households.csv", b"lsg;account_no\n"), "needs address.soate"),
    ],
)
def test_a_bad_sheet_is_one_clear_error(hub_db: HubDb, tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(RegisterFileError, match=message):
        load(path, hub_db)
    assert households(hub_db) == 0


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_member_row_of_an_unknown_household_is_refused(
    source: dict[str, Path], tmp_path: Path, hub_db: HubDb
) -> None:
    target = tmp_path / "csv"
    shutil.copytree(source["csv"], target)
    members = next(target.rglob("members.csv"))
    rows = list(csv.reader(io.StringIO(members.read_text(encoding="utf-8-sig"))))
    rows[1][list(SHEETS["members"]).index("account_no")] = "NO-SUCH"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    members.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(RegisterFileError, match=r"members.csv, row 2: household \d+/NO-SUCH is not in"):
        load(target, hub_db)
    assert households(hub_db) == 0


def test_an_invalid_cell_is_reported_with_its_household_row(
    source: dict[str, Path], tmp_path: Path, hub_db: HubDb
) -> None:
    """A wrong PIN in members.csv: validation names the file, the household's row and the field."""
    target = tmp_path / "csv"
    shutil.copytree(source["csv"], target)
    members = sorted(target.rglob("members.csv"))[0]
    rows = list(csv.reader(io.StringIO(members.read_text(encoding="utf-8-sig"))))
    column = list(SHEETS["members"]).index("pin")
    rows[1][column] = "31301199012345"  # gender digit 3 does not exist
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    members.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(RegisterInvalid) as refused:
        load(target, hub_db)
    problems = refused.value.report.problems  # type: ignore[attr-defined]
    assert any(
        p.file.endswith("households.csv") and p.line == 2 and p.field.endswith("person.pin") for p in problems
    ), problems
    assert households(hub_db) == 0


def test_letters_lost_to_windows_1251_are_refused_not_imported(
    source: dict[str, Path], tmp_path: Path, hub_db: HubDb
) -> None:
    """Excel writes '?' for Ө, Ү, Ң when it saves as Windows-1251: such names are refused with the
    reason and the way out, never stored as 'Т?л?г?нов'."""
    path = as_windows_1251(source["csv"], tmp_path / "lost", lost=True)
    with pytest.raises(RegisterInvalid) as refused:
        load(path, hub_db)
    problems = refused.value.report.problems  # type: ignore[attr-defined]
    assert problems
    assert all("Windows-1251 has no Ө, Ү, Ң" in p.problem for p in problems if "?" in p.problem)
    assert households(hub_db) == 0
