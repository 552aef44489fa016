"""``register export``: the hub's household books in the exchange format, one directory per LSG body.

``DIR/<LSG СОАТЕ code>/households.jsonl``, households in the order the hub keeps them, beside
``social_passports.jsonl``, ``land_applications.jsonl`` and ``municipal_property.jsonl``; with
``--format csv`` the sheets as ``households.csv``, ``members.csv``, ``land_applications.csv`` …
(UTF-8 with a byte-order mark, which Excel opens as UTF-8), with ``--format xlsx`` one
``register.xlsx`` workbook holding every sheet.  Each file is written beside its final name and
renamed into place, so a reader never sees half a file; a module without records gets no file, an
LSG body without any no directory.
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
from sanarip_hub.register.modules import modules
from sanarip_hub.register.records import record_of
from sanarip_hub.register.schema import RECORD_TYPES
from sanarip_hub.register.sheets import write_module_sheets, write_sheets
from sanarip_hub.storage.register_books import Book, RegisterBooks


@dataclass
class ExportReport:
    households: int = 0
    persons: int = 0
    records: dict[str, int] = field(default_factory=dict)  # module record type -> records written
    files: list[str] = field(default_factory=list)


FORMATS = ("jsonl", "csv", "xlsx")
WORKBOOK = "register.xlsx"


def _replace(path: Path, write: Callable[[Path], None]) -> Path:
    """Write a file beside its final name and rename it into place (no reader sees half a file)."""
    partial = path.with_name(f".{path.name}.partial")
    write(partial)
    os.replace(partial, path)
    return path


def _write_tables(directory: Path, tables: dict[str, list[list[Any]]], kind: str) -> list[Path]:
    """An LSG body's sheets as CSV files or one XLSX workbook; the files written."""
    if kind == "xlsx":
        from openpyxl import Workbook  # a spreadsheet writer only when a workbook is asked for

        workbook = Workbook(write_only=True)
        for sheet, rows in tables.items():
            worksheet = workbook.create_sheet(sheet)
            for row in rows:
                worksheet.append(row)
        return [_replace(directory / WORKBOOK, workbook.save)]
    written = []
    for sheet, rows in tables.items():

        def write(partial: Path, rows: list[list[Any]] = rows) -> None:
            with partial.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                for row in rows:
                    writer.writerow(["" if cell is None else cell for cell in row])

        written.append(_replace(directory / f"{sheet}.csv", write))
    return written


def _write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    def write(partial: Path) -> None:
        with partial.open("w", encoding="utf-8") as handle:
            for record in records:
                write_record(handle, record)

    return _replace(path, write)


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
    report = ExportReport(records={module.record_type: 0 for module in modules()})
    for code in codes:
        lsg_id = territory.lsg_bodies[code]
        target = directory / code
        tables: dict[str, list[list[Any]]] = {}
        stored = books.books(lsg_id)
        first = next(stored, None)
        if first is not None:
            target.mkdir(parents=True, exist_ok=True)
            persons: set[int] = set()
            records = _counted(itertools.chain([first], stored), code, persons, report, progress)
            if kind == "jsonl":
                report.files.append(str(_write_jsonl(target / RECORD_TYPES["household"][0], records)))
            else:  # spreadsheets: one LSG body's records in memory (about 15 MB at most)
                tables.update(write_sheets(list(records)))
            report.persons += len(persons)
        for module in modules():
            found = module.export(books, lsg_id, code)
            if not found:
                continue
            target.mkdir(parents=True, exist_ok=True)
            report.records[module.record_type] += len(found)
            if kind == "jsonl":
                path = _write_jsonl(target / RECORD_TYPES[module.record_type][0], found)
                report.files.append(str(path))
            else:
                tables.update(write_module_sheets(module.record_type, found))
        if tables:
            report.files += [str(path) for path in _write_tables(target, tables, kind)]
    return report
