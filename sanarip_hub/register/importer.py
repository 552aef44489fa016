"""``register import``: validate every record, then write what changed, by natural keys.

Two passes over the files.  The first validates everything (nothing is written; memory holds only
keys): the modules' records first (social passports, land applications, municipal property: see
:mod:`sanarip_hub.register.modules`), so that the household files' pass can note the households and
persons they name, then the households.  A strict import either writes all of it or nothing;
``skip_invalid`` writes the valid records and reports the rest.  The second pass writes the
households a file at a time, one transaction per file and LSG body, then each module an LSG body at
a time.  A household is found by its account number within its LSG body, a person by PIN (current
or old, via aliases) or, for a person without a PIN, by name and birth date within the household.
Only what differs is updated; each change of a person's field is kept in ``person_field_history``
with the source ``import:<file name>``.  Nothing is deleted: households of an LSG body missing from
its files are listed, and closed only with ``close_missing``.  ``dry_run`` does the second pass too,
in transactions that are rolled back, so the report says what an import would change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sanarip_hub.errors import RegisterFileError, RegisterInvalid
from sanarip_hub.register.jsonlines import read_records
from sanarip_hub.register.modules import Module, ModuleValidator, RecordCounts, Writing, modules
from sanarip_hub.register.records import (
    HOLDING_FIELDS,
    address_columns,
    holding_columns,
    household_columns,
    member_columns,
    person_columns,
    plain,
)
from sanarip_hub.register.references import References
from sanarip_hub.register.schema import RECORD_TYPES
from sanarip_hub.register.sheets import LAYOUT, read_csv_sheets, read_xlsx_sheets, records_of, workbook_types
from sanarip_hub.register.validation import Problem, Validator
from sanarip_hub.storage.register_books import Book, BookWriting, RegisterBooks
from sanarip_hub.storage.register_entities import known_pins
from sanarip_hub.storage.register_passports import households_people
from sanarip_hub.synthetic.seed import load_territory

Progress = Callable[[str, int], AbstractContextManager[Callable[[int], None] | None]]
CHUNK = 500  # records looked up and written together
JSONL_TYPES = {file: record_type for record_type, (file, _) in RECORD_TYPES.items()}
CSV_TYPES = {f"{layout.sheet}.csv": layout.record_type for layout in LAYOUT.values()}
# how the report names each module's counts: as its file (social_passports, land_applications …)
REPORT_NAMES = {
    kind: file.removesuffix(".jsonl") for kind, (file, _) in RECORD_TYPES.items() if kind != "household"
}


@dataclass
class ImportReport:
    files: list[str]
    records: int = 0
    encodings: dict[str, str] = field(default_factory=dict)  # CSV file -> the encoding detected
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    person_changes: int = 0
    missing: list[str] = field(default_factory=list)  # "<lsg>/<account>" of households not in the files
    closed: int = 0
    dry_run: bool = False
    written: bool = False
    first_load: bool = False  # into an empty hub on PostgreSQL: one transaction (books.first_load)
    modules: dict[str, RecordCounts] = field(
        default_factory=lambda: {record_type: RecordCounts() for record_type in REPORT_NAMES}
    )

    @property
    def passports(self) -> RecordCounts:
        return self.modules["social_passport"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "encodings": self.encodings,
            "records": self.records,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped_invalid": self.skipped,
            "person_field_changes": self.person_changes,
            "missing": self.missing,
            "closed": self.closed,
            "dry_run": self.dry_run,
            "written": self.written,
            "first_load": self.first_load,
            **{REPORT_NAMES[kind]: asdict(counts) for kind, counts in self.modules.items()},
            "problems": [problem.as_dict() for problem in self.problems],
        }


@dataclass(frozen=True)
class Source:
    """A file and the record type read from it (a CSV register's main sheet or a workbook is read
    once per record type it holds)."""

    file: Path
    record_type: str


def _sources_of(file: Path) -> list[Source]:
    if file.suffix == ".jsonl":  # a JSON Lines file of another name holds households
        return [Source(file, JSONL_TYPES.get(file.name, "household"))]
    if file.suffix == ".csv":
        return [Source(file, CSV_TYPES[file.name])]
    return [Source(file, record_type) for record_type in workbook_types(file)]


def register_sources(path: Path) -> list[Source]:
    """The register files under ``path`` (a file, or a directory as ``register export`` writes):
    ``households.jsonl`` and the modules' files, the main sheets of CSV registers
    (``households.csv``, ``land_applications.csv`` …; their list sheets are read beside them) or
    ``.xlsx`` workbooks; each with the record type it holds."""
    if not path.exists():
        raise RegisterFileError(f"{path}: no such file or directory")
    if path.is_file():
        if path.suffix not in SUFFIXES:
            raise RegisterFileError(
                f"{path.name}: not a register file (JSON Lines .jsonl, households.csv or an .xlsx workbook)"
            )
        if path.suffix == ".csv" and path.name not in CSV_TYPES:
            raise RegisterFileError(
                f"{path.name}: a CSV register is read from its main sheet: " + ", ".join(CSV_TYPES)
            )
        return _sources_of(path)
    names = [*JSONL_TYPES, *CSV_TYPES, "*.xlsx"]
    found = [file for name in names for file in path.rglob(name)]
    found = sorted(
        (f for f in found if not f.name.startswith((".", "~$"))),  # partial, Excel's lock
        key=lambda f: (str(f.parent), f.name),
    )
    if not found:
        raise RegisterFileError(
            f"{path}: holds no register file ({', '.join(JSONL_TYPES)}, their CSV sheets or .xlsx workbooks)"
        )
    return [source for file in found for source in _sources_of(file)]


SUFFIXES = (".jsonl", ".csv", ".xlsx")


def _name(path: Path, file: Path) -> str:
    """A file as reports name it: its path under the imported directory (every LSG body's file is
    ``households.jsonl``: the name alone would not tell them apart)."""
    return file.name if path.is_file() else str(file.relative_to(path))


def records_in(source: Source, report: ImportReport | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row, record) of a register source of any of the formats; a CSV's encoding is noted
    in ``report`` (UTF-8 or Windows-1251, as detected)."""
    file = source.file
    if file.suffix == ".jsonl":
        yield from read_records(file)
        return
    if file.suffix == ".csv":
        sheets, encoding = read_csv_sheets(file)
        if report is not None:
            report.encodings[str(file)] = encoding
    else:
        sheets = read_xlsx_sheets(file, source.record_type)
    yield from records_of(sheets, source.record_type)


def import_register(
    books: RegisterBooks,
    path: Path,
    today: date,
    lsg: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    close_missing: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the register files under ``path``; ``progress(description, total)`` gives a context
    whose value advances a bar (the composition root passes a terminal's)."""
    sources = register_sources(path)
    report = ImportReport(sorted({str(source.file) for source in sources}), dry_run=dry_run)
    # The hub's map that codes are checked against, installed on first use (even by a dry run: it is
    # reference data of the installation, not register data).
    load_territory(books.engine)
    territory = books.territory()
    validator = Validator(territory, today, lsg)
    references = References()
    by_type = {module.record_type: module for module in modules()}
    checkers = {
        kind: ModuleValidator(module, territory, today, references, lsg) for kind, module in by_type.items()
    }
    present: dict[tuple[str, str], set[str]] = defaultdict(set)  # (type, lsg) -> every record's key
    households = [source for source in sources if source.record_type == "household"]
    for source in sources:  # first: the households they name are noted as the households are read
        if source.record_type == "household":
            continue
        name, checker = _name(path, source.file), checkers[source.record_type]
        for line, record in records_in(source, report):
            report.modules[source.record_type].records += 1
            checker.check(name, line, record)
            key = record.get(checker.module.key)
            if isinstance(record.get("lsg"), str) and isinstance(key, str):
                present[(source.record_type, record["lsg"])].add(key)
    accounts: dict[str, set[str]] = defaultdict(set)  # every record's, valid or not: none is "missing"
    valid: set[tuple[str, str]] = set()
    for source in households:
        name = _name(path, source.file)
        for line, record in records_in(source, report):
            report.records += 1
            if not validator.check(name, line, record):
                references.note_household(record)
                valid.add((record["lsg"], record["account_no"]))
            if isinstance(record.get("lsg"), str) and isinstance(record.get("account_no"), str):
                accounts[record["lsg"]].add(record["account_no"])
    validator.check_against_hub(books.current_households_of(sorted(validator.current)))
    reference_problems = references.check(
        lambda code, wanted: households_people(books.engine, territory.lsg_bodies[code], wanted),
        lambda pins: known_pins(books.engine, pins),
        valid,
    )
    report.problems = (
        validator.problems
        + [p for checker in checkers.values() for p in checker.problems]
        + reference_problems
    )
    invalid = {(problem.file, problem.line) for problem in report.problems}
    total = report.records + sum(counts.records for counts in report.modules.values())
    if report.problems and not skip_invalid:
        raise RegisterInvalid(
            f"{len(invalid)} of {total} records are invalid ({len(report.problems)} problems); "
            "nothing was written (--skip-invalid writes the valid ones)",
            report=report,
        )
    report.skipped = len(invalid)
    # into an empty hub, one transaction for all (books.first_load); a dry run writes nothing anyway
    with nullcontext(False) if dry_run else books.first_load() as report.first_load:
        with (
            progress("importing households", report.records - len(invalid))
            if progress
            else nullcontext() as advance
        ):
            written = _write(books, path, households, invalid, territory.lsg_bodies, report, dry_run, advance)
        for module in modules():
            _write_module(
                books, path, module, sources, invalid, territory.lsg_bodies, present, report, close_missing
            )
        for code, names in written.items():
            origin = "import:" + ",".join(names)
            with books.writing(territory.lsg_bodies[code], origin[:100], commit=not dry_run) as writing:
                _missing(writing, code, accounts[code], close_missing, today, origin, report)
    report.written = not dry_run
    # a first load ends with ANALYZE of the same tables already (restore_after_load)
    wrote = report.created + report.updated + report.closed or any(
        counts.created for counts in report.modules.values()
    )
    if report.written and wrote and not report.first_load:
        books.analyze()
    return report


def _write_module(
    books: RegisterBooks,
    path: Path,
    module: Module,
    sources: list[Source],
    invalid: set[tuple[str, int]],
    lsg_bodies: dict[str, int],
    present: dict[tuple[str, str], set[str]],
    report: ImportReport,
    close_missing: bool,
) -> None:
    """A module's valid records, an LSG body at a time (a module's records of all files together, so
    that what is missing is decided once per body)."""
    by_lsg: dict[str, list[dict[str, Any]]] = defaultdict(list)
    names: dict[str, list[str]] = defaultdict(list)
    for source in sources:
        if source.record_type == module.record_type:
            name = _name(path, source.file)
            for code, records in _valid_by_lsg(name, source, invalid).items():
                by_lsg[code] += records
                names[code].append(name)
    for code, records in by_lsg.items():
        setting = Writing(
            books, code, lsg_bodies[code], present[(module.record_type, code)],
            not report.dry_run, close_missing, ("import:" + ",".join(names[code]))[:100],
        )  # fmt: skip
        module.apply(setting, records, report.modules[module.record_type])


def _valid_by_lsg(
    name: str, source: Source, invalid: set[tuple[str, int]]
) -> dict[str, list[dict[str, Any]]]:
    """A file's records that passed validation, by LSG body (one file's records in memory)."""
    by_lsg: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line, record in records_in(source):
        if (name, line) not in invalid:
            by_lsg[record["lsg"]].append(record)
    return by_lsg


def _write(
    books: RegisterBooks,
    path: Path,
    files: list[Source],
    invalid: set[tuple[str, int]],
    lsg_bodies: dict[str, int],
    report: ImportReport,
    dry_run: bool,
    advance: Callable[[int], None] | None,
) -> dict[str, list[str]]:
    """The second pass, a file at a time (one file's records in memory), a transaction per file and
    LSG body; the files each LSG body's records came from."""
    sources: dict[str, list[str]] = defaultdict(list)
    for source in files:
        name = _name(path, source.file)
        for code, records in _valid_by_lsg(name, source, invalid).items():
            sources[code].append(name)
            with books.writing(lsg_bodies[code], f"import:{name}"[:100], commit=not dry_run) as writing:
                for start in range(0, len(records), CHUNK):
                    chunk = records[start : start + CHUNK]
                    _apply_chunk(writing, chunk, report)
                    if advance is not None:
                        advance(len(chunk))
    return sources


def _missing(
    writing: BookWriting,
    code: str,
    accounts: set[str],
    close: bool,
    today: date,
    source: str,
    report: ImportReport,
) -> None:
    for account, household_id in writing.open_accounts().items():
        if account in accounts:
            continue
        report.missing.append(f"{code}/{account}")
        if close:
            writing.change_household(
                household_id, {"closed_at": today, "close_reason": f"missing from {source}"[:200]}
            )
            report.closed += 1


def _changes(stored: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if plain(value) != plain(stored.get(name))}


def _apply_chunk(writing: BookWriting, records: list[dict[str, Any]], report: ImportReport) -> None:
    stored = writing.stored([record["account_no"] for record in records])
    pins = [
        pin
        for record in records
        for member in record["members"]
        for pin in [member["person"].get("pin"), *(a["pin"] for a in member["person"].get("aliases", []))]
        if pin
    ]
    writing.find_persons(pins)
    new: dict[str, dict[str, Any]] = {}  # people with a PIN the hub does not know: one INSERT for all
    for record in records:
        for member in record["members"]:
            pin = member["person"].get("pin")
            if pin and pin not in writing.persons and pin not in new:
                new[pin] = person_columns(member["person"])
    writing.add_persons(list(new.values()))
    fresh = [record for record in records if record["account_no"] not in stored]
    added = writing.add_households(
        [
            ({**household_columns(r), "head_person_id": _known_head(writing, r)}, address_columns(r))
            for r in fresh
        ]
    )
    household_ids = dict(zip((record["account_no"] for record in fresh), added, strict=True))
    for record in records:
        book = stored.get(record["account_no"])
        household_id = book.id if book is not None else household_ids[record["account_no"]]
        changed = _apply(writing, record, book, household_id, report)
        if book is None:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1


def _apply(
    writing: BookWriting, record: dict[str, Any], book: Book | None, household_id: int, report: ImportReport
) -> bool:
    """One record against its stored book (None: a household new to the hub, inserted as
    ``household_id`` with the chunk's others)."""
    changed = False
    if book is None:
        stored_members: dict[tuple[int, date], dict[str, Any]] = {}
        known = {}
        head_before = None
    else:
        changes = _changes(book.household, household_columns(record))
        if changes:
            writing.change_household(household_id, changes)
            changed = True
        address_changes = _changes(book.address, address_columns(record))
        if address_changes:
            writing.change_address(book.address_id, address_changes)
            changed = True
        stored_members = {(m.person_id, m.membership["member_from"]): m.membership for m in book.members}
        known = {m.person_id: m for m in book.members}
        head_before = book.head_person_id
    head: int | None = None
    for member in record["members"]:
        person = person_columns(member["person"])
        person_id = _person_id(writing, person, book)
        stored_aliases: set[str] = set()  # a person just added has none
        if person_id is None:
            person_id = writing.add_person(person)
            changed = True
        elif writing.fresh.get(person_id) == person:  # added as this (its chunk's one INSERT)
            changed = True
        else:
            stored = known.get(person_id)
            stored_person = stored.person if stored else writing.person(person_id)
            stored_aliases = {a["pin"] for a in (stored.aliases if stored else writing.aliases(person_id))}
            person_changes = _changes(stored_person, person)
            if person_changes:
                writing.change_person(person_id, stored_person, person_changes)
                report.person_changes += len(person_changes)
                changed = True
        for alias in member["person"].get("aliases", []):
            if alias["pin"] not in stored_aliases and alias["pin"] != person["pin"]:
                writing.add_alias(person_id, alias)
                changed = True
        membership = member_columns(member)
        stored_membership = stored_members.get((person_id, membership["member_from"]))
        if stored_membership is None:
            writing.add_member(household_id, person_id, membership)
            changed = True
        else:
            member_changes = _changes(stored_membership, membership)
            if member_changes:
                writing.change_member(household_id, person_id, membership["member_from"], member_changes)
                changed = True
        if membership["member_to"] is None and membership["relation_to_head"] == "head":
            head = person_id
    if book is None:
        if head != _known_head(writing, record):
            writing.set_head(household_id, head)
    elif head is not None and head != head_before:
        writing.change_household(household_id, {"head_person_id": head})
        changed = True
    for kind in HOLDING_FIELDS:
        changed = _holdings(writing, kind, household_id, record.get(kind, []), book) or changed
    return changed


def _known_head(writing: BookWriting, record: dict[str, Any]) -> int | None:
    """A new household's current head if the chunk's people with PINs hold them, so the household row
    is inserted with it (an UPDATE per household afterwards was 10 % of an import); None otherwise,
    and the head (a person without a PIN, inserted one by one) is set after."""
    for member in record["members"]:
        if member.get("member_to") is None and member.get("relation") == "head":
            pin = member["person"].get("pin")
            return writing.persons.get(pin) if pin else None
    return None


def _person_id(writing: BookWriting, person: dict[str, Any], book: Book | None) -> int | None:
    if person["pin"]:
        return writing.persons.get(person["pin"])
    if book is not None:  # no PIN: the same name and birth date among this household's members
        for member in book.members:
            stored = member.person
            if (stored["pin"] is None and stored["surname"] == person["surname"]
                    and stored["given_name"] == person["given_name"]
                    and stored["birth_date"] == person["birth_date"]):  # fmt: skip
                return member.person_id
    return None


def _holding_key(kind: str, row: dict[str, Any], index: int) -> tuple[Any, ...]:
    if kind == "land":
        return (row["year"], row["parcel_no"], plain(row["category"]))
    if kind == "livestock":
        return (row["year"], plain(row["kind"]))
    return (index,)  # dwellings: in the order the book lists them


def _holdings(
    writing: BookWriting, kind: str, household_id: int, rows: list[dict[str, Any]], book: Book | None
) -> bool:
    stored = {}
    if book is not None:
        stored = {
            _holding_key(kind, row, i): (row_id, row) for i, (row_id, row) in enumerate(getattr(book, kind))
        }
    changed = False
    for index, row in enumerate(rows):
        values = holding_columns(kind, row)
        found = stored.get(_holding_key(kind, values, index))
        if found is None:
            writing.add_holding(kind, household_id, values)
            changed = True
        else:
            row_changes = _changes(found[1], values)
            if row_changes:
                writing.change_holding(kind, found[0], row_changes)
                changed = True
    return changed
