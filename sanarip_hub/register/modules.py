"""The register's modules besides the household books: what each record type needs and one validator.

A module (social passports, land-queue applications, municipal property) is a record type keyed by
a number within its LSG body.  Its records are checked the same way: the JSON Schema first, then the
LSG body, the module's own rules, no key twice (nor a second unique field such as the ЕНИ), and the
persons it names, checked against the households of the files and the hub
(:mod:`sanarip_hub.register.references`).  Writing is the module's own: see its ``apply``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

import jsonschema_rs

from sanarip_hub.register.records import exchange_value
from sanarip_hub.register.references import Identity, Reference, References
from sanarip_hub.register.schema import RECORD_TYPES
from sanarip_hub.register.validation import Problem, _day, check_lsg, schema_problems
from sanarip_hub.storage.register_books import RegisterBooks, Territory
from sanarip_hub.storage.register_entities import Children, EntityWriting, StoredEntity

Row = dict[str, Any]

Record = dict[str, Any]
ProblemAt = Callable[[str, str], None]


def moment(value: Any) -> datetime | None:
    """An RFC 3339 timestamp of a record as a UTC datetime (None when it is not one)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def not_in_future(
    record: Record, names: tuple[str, ...], today: date, problem: ProblemAt, prefix: str = ""
) -> None:
    """Each of these date or timestamp fields, where given, is not after ``today``."""
    for name in names:
        value = record.get(name)
        at = moment(value)  # a timestamp (a date alone has no offset: None)
        day = at.date() if at is not None else _day(value)
        if day is not None and day > today:
            problem(f"{prefix}{name}", f"{value} is in the future")


@dataclass
class RecordCounts:
    """What an import did with one module's records."""

    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: list[str] = field(default_factory=list)  # "<lsg>/<key>" of stored records not in the files
    closed: int = 0


@dataclass(frozen=True)
class Writing:
    """How an LSG body's valid records of a module are written: ``present`` holds every key of the
    body's records in the files (invalid ones too: they are not missing)."""

    books: RegisterBooks
    lsg: str
    lsg_id: int
    present: set[str]
    commit: bool
    close_missing: bool
    source: str


class Module(Protocol):
    record_type: str
    key: str  # the record's natural key within its LSG body
    unique: tuple[str, ...]  # further fields no two records of an LSG body may share (when given)

    def rules(self, record: Record, today: date, problem: ProblemAt) -> None:
        """What the schema cannot say about one record."""

    def persons(self, record: Record) -> tuple[str | None, list[tuple[str, Identity]]]:
        """The household (account number, or None) and persons (field, identity) a record names."""

    def export(self, books: RegisterBooks, lsg_id: int, lsg: str) -> list[Record]:
        """The LSG body's records, as ``register export`` writes them."""

    def apply(self, writing: Writing, records: list[Record], counts: RecordCounts) -> None:
        """Write one LSG body's valid records: new ones inserted, changed ones updated."""


@dataclass
class ModuleValidator:
    """Checks one module's records one by one; the persons they name go to ``references``."""

    module: Module
    territory: Territory
    today: date
    references: References
    lsg: str | None = None
    problems: list[Problem] = field(default_factory=list)
    seen: dict[tuple[str, str, Any], tuple[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._schema = jsonschema_rs.validator_for(
            RECORD_TYPES[self.module.record_type][1], validate_formats=True
        )

    def check(self, file: str, line: int, record: Record) -> list[Problem]:
        key = f"{record.get('lsg', '?')}/{record.get(self.module.key, '?')}"
        found: list[Problem] = []

        def problem(where: str, text: str) -> None:
            found.append(Problem(file, line, key, where, text))

        for where, message in schema_problems(self._schema, RECORD_TYPES[self.module.record_type][1], record):
            problem(where, message)
        if not found:
            check_lsg(self.territory, self.lsg, record["lsg"], problem)
            self.module.rules(record, self.today, problem)
        if not found:
            for name in (self.module.key, *self.module.unique):
                value = record.get(name)
                if value is None:
                    continue
                first = self.seen.setdefault((record["lsg"], name, value), (file, line))
                if first != (file, line):
                    problem(name, f"{name} {value} also at {first[0]}, line {first[1]}")
        if not found:
            account, persons = self.module.persons(record)
            if persons:
                self.references.add(Reference(file, line, key, record["lsg"], account, persons))
        self.problems.extend(found)
        return found


def _format(schema: dict[str, Any]) -> str | None:
    for option in schema.get("anyOf", [schema]):
        if "format" in option:
            return str(option["format"])
    return None


def columns_from(properties: dict[str, Any], record: Record, names: tuple[str, ...]) -> Record:
    """A record's fields as column values: dates and timestamps parsed by the schema's format."""
    values = {}
    for name in names:
        value = record.get(name)
        kind = _format(properties[name])
        if value is not None and kind == "date":
            value = date.fromisoformat(value)
        elif value is not None and kind == "date-time":
            value = moment(value)
        values[name] = value
    return values


def merge_children(
    writing: EntityWriting,
    children: Children,
    parent_id: int,
    stored: list[tuple[int, Row]],
    wanted: list[Row],
) -> bool:
    """A parent's child rows as the file lists them: new ones added, changed ones updated (matched by
    the child key), and ones the file leaves out kept (history is not deleted); whether any changed."""
    by_key = {tuple(exchange_value(row[n]) for n in children.key): (row_id, row) for row_id, row in stored}
    new = []
    changed = False
    for row in wanted:
        found = by_key.get(tuple(exchange_value(row[n]) for n in children.key))
        if found is None:
            new.append(row)
            continue
        changes = {n: v for n, v in row.items() if exchange_value(v) != exchange_value(found[1][n])}
        if changes:
            writing.change_child(children, found[0], changes)
            changed = True
    writing.add_children(children, parent_id, new)
    return changed or bool(new)


def upsert(
    writing: EntityWriting,
    stored: StoredEntity | None,
    fields: Row,
    children: dict[str, list[Row]],
    counts: RecordCounts,
    links: Row | None = None,
    extras: Row | None = None,
) -> None:
    """One record against its stored row (None: new).  ``fields`` are the record's columns, ``links``
    the ids of what it names (a queue, an applicant), written when the record's ``extras`` (the named
    things as the stored row shows them) differ from the stored ones."""
    links = links or {}
    if stored is None:
        row_id = writing.add({**fields, **links})
        for kind in writing.kind.children:
            writing.add_children(kind, row_id, children.get(kind.name, []))
        counts.created += 1
        return
    changes = {n: v for n, v in fields.items() if exchange_value(v) != exchange_value(stored.values[n])}
    if any(exchange_value(v) != exchange_value(stored.values[n]) for n, v in (extras or {}).items()):
        changes.update(links)
    if changes:
        writing.change(stored.id, changes)
    changed = bool(changes)
    for kind in writing.kind.children:
        wanted = children.get(kind.name, [])
        changed = merge_children(writing, kind, stored.id, stored.children[kind.name], wanted) or changed
    if changed:
        counts.updated += 1
    else:
        counts.unchanged += 1


def missing(stored: dict[str, int], setting: Writing, counts: RecordCounts) -> list[int]:
    """Of the LSG body's stored rows (natural key -> id), those the files leave out (listed in
    ``counts``): their ids."""
    ids = []
    for key, row_id in stored.items():
        if key not in setting.present:
            counts.missing.append(f"{setting.lsg}/{key}")
            ids.append(row_id)
    return ids


def modules() -> tuple[Module, ...]:
    """The modules in the order an import writes them (after the household books they name)."""
    from sanarip_hub.register.land_applications import LAND_APPLICATION_MODULE
    from sanarip_hub.register.municipal_property import MUNICIPAL_PROPERTY_MODULE
    from sanarip_hub.register.social_passports import SOCIAL_PASSPORT_MODULE

    return (SOCIAL_PASSPORT_MODULE, LAND_APPLICATION_MODULE, MUNICIPAL_PROPERTY_MODULE)
