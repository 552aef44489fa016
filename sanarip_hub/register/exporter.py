"""``register export``: the hub's household books in the exchange format, one directory per LSG body.

``DIR/<LSG СОАТЕ code>/households.jsonl``, households in the order the hub keeps them; with
``--format csv`` the sheets as ``households.csv``, ``members.csv`` … (UTF-8 with a byte-order mark,
which Excel opens as UTF-8), with ``--format xlsx`` one ``households.xlsx`` workbook.  Each file is
written beside its final name and renamed into place, so a reader never sees half a file; an LSG
body without households gets no file.
"""

from __future__ import annotations

import csv
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanarip_hub.errors import RegisterError
from sanarip_hub.register.jsonlines import write_record
from sanarip_hub.register.records import record_of
from sanarip_hub.register.schema import RECORD_TYPES
from sanarip_hub.register.sheets import write_sheets
from sanarip_hub.register.social_passports import passport_record
from sanarip_hub.storage.register_books import Book, RegisterBooks
from sanarip_hub.storage.register_passports import read_passports


@dataclass
class ExportReport:
    households: int = 0
    persons: int = 0
    passports: int = 0
    files: list[str] = field(default_factory=list)


FORMATS = ("jsonl", "csv", "xlsx")


def _write_sheets(target: Path, records: list[dict[str, Any]], kind: str) -> list[Path]:
    """The sheets of one LSG body's records as CSV files or one XLSX workbook; the files written."""
    tables = write_sheets(records)
    if kind == "xlsx":
        from openpyxl import Workbook  # a spreadsheet writer only when a workbook is asked for

        workbook = Workbook(write_only=True)
        for sheet, rows in tables.items():
            worksheet = workbook.create_sheet(sheet)
            for row in rows:
                worksheet.append(row)
        path = target.with_name("households.xlsx")
        partial = path.with_name(".households.xlsx.partial")
        workbook.save(partial)
        os.replace(partial, path)
        return [path]
    written = []
    for sheet, rows in tables.items():
        path = target.with_name(f"{sheet}.csv")
        partial = path.with_name(f".{sheet}.csv.partial")
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow(["" if cell is None else cell for cell in row])
        os.replace(partial, path)
        written.append(path)
    return written


def _counted(
    books: Iterable[Book],
    code: str,
    persons: set[int],
    report: ExportReport,
    progress: Callable[[int], None] | None,
) -> Iterator[dict[str, Any]]:
    """An LSG body's records in order, households and persons counted as they go."""
    for book in books:
        persons.update(member.person_id for member in book.members)
        report.households += 1
        if progress is not None:
            progress(1)
        yield record_of(book, code)


def export_register(
    books: RegisterBooks,
    directory: Path,
    lsg: str | None = None,
    progress: Callable[[int], None] | None = None,
    kind: str = "jsonl",
) -> ExportReport:
    territory = books.territory()
    if lsg is not None and lsg not in territory.lsg_bodies:
        raise RegisterError(f"no LSG body with СОАТЕ code {lsg} is known to the hub")
    codes = [lsg] if lsg is not None else sorted(territory.lsg_bodies)
    report = ExportReport()
    name = RECORD_TYPES["household"][0]
    for code in codes:
        stored = books.books(territory.lsg_bodies[code])
        first = next(stored, None)
        if first is None:
            continue
        target = directory / code / name
        target.parent.mkdir(parents=True, exist_ok=True)
        persons: set[int] = set()
        records = _counted(itertools.chain([first], stored), code, persons, report, progress)
        if kind == "jsonl":
            partial = target.with_name(f".{name}.partial")
            with partial.open("w", encoding="utf-8") as handle:
                for record in records:
                    write_record(handle, record)
            os.replace(partial, target)
            report.files.append(str(target))
        else:  # spreadsheets: one LSG body's records in memory (about 15 MB at most)
            report.files += [str(path) for path in _write_sheets(target, list(records), kind)]
        report.persons += len(persons)
        _write_passports(books, directory / code, code, territory.lsg_bodies[code], report)
    return report


def _write_passports(
    books: RegisterBooks, directory: Path, code: str, lsg_id: int, report: ExportReport
) -> None:
    """The LSG body's social passports as ``social_passports.jsonl`` (JSON Lines in every format:
    their sheets are not written yet); none, no file."""
    stored = read_passports(books.engine, lsg_id)
    if not stored:
        return
    target = directory / RECORD_TYPES["social_passport"][0]
    partial = target.with_name(f".{target.name}.partial")
    with partial.open("w", encoding="utf-8") as handle:
        for passport in stored:
            write_record(handle, passport_record(passport, code))
    os.replace(partial, target)
    report.passports += len(stored)
    report.files.append(str(target))
