"""Social passports in the exchange format (``social_passports.jsonl``): records, validation, writing.

A passport names its household by account number in the same LSG body and each member by PIN,
or, for a member without one, by name and birth date; the household may be in the hub already or
in the files of the same import.  Validation runs before anything is written, like the households':
the passport files are read first, so the household pass can note the members of just the
households the passports name, and what is not in the files is looked up in the hub.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import jsonschema_rs

from sanarip_hub.domain.identifiers import parse_pin
from sanarip_hub.errors import InvalidPin
from sanarip_hub.register.records import exchange_value as _out
from sanarip_hub.register.schema import SOCIAL_PASSPORT
from sanarip_hub.register.validation import Problem, _day, _path, check_lsg
from sanarip_hub.storage.register_books import Territory
from sanarip_hub.storage.register_passports import (
    ACCESS_FIELDS,
    IDENTITY_FIELDS,
    PASSPORT_FIELDS,
    PASSPORT_MEMBER_FIELDS,
    PassportWriting,
    StoredPassport,
)

_VALIDATOR = jsonschema_rs.validator_for(SOCIAL_PASSPORT, validate_formats=True)
Record = dict[str, Any]
Row = dict[str, Any]
DATES = frozenset(
    {"opened_at", "reviewed_at", "next_review_due", "commission_decision_date", "birth_date", "since"}
)
Identity = tuple[Any, ...]


def _in(name: str, value: Any) -> Any:
    return date.fromisoformat(value) if value is not None and name in DATES else value


def identity(person: Row) -> Identity:
    """How a passport's member is matched with a person of the household: PIN, or name and birth."""
    if person.get("pin"):
        return ("pin", person["pin"])
    return ("name", person["surname"], person["given_name"], _out(person["birth_date"]))


def passport_record(stored: StoredPassport, lsg_code: str) -> Record:
    """The exchange record of a stored passport (every optional key written, as null)."""
    passport = stored.passport
    return {
        "lsg": lsg_code,
        "number": passport["number"],
        "account_no": stored.account_no,
        **{name: _out(passport[name]) for name in PASSPORT_FIELDS if name != "number"},
        "members": [
            {
                **{name: _out(person[name]) for name in IDENTITY_FIELDS},
                **{name: _out(member[name]) for name in PASSPORT_MEMBER_FIELDS},
            }
            for person, member in stored.members
        ],
        "services": [{name: _out(row[name]) for name in ACCESS_FIELDS} for row in stored.services],
    }


def passport_columns(record: Record) -> Row:
    return {name: _in(name, record.get(name)) for name in PASSPORT_FIELDS}


def _plain(row: Row) -> Row:
    return {name: _out(value) for name, value in row.items()}


@dataclass
class Reference:
    """A valid passport's household and members, checked once the households are known."""

    file: str
    line: int
    key: str
    lsg: str
    account: str
    members: list[Identity]


@dataclass
class PassportValidator:
    """Checks passport records one by one, then their households and members."""

    territory: Territory
    today: date
    lsg: str | None = None
    problems: list[Problem] = field(default_factory=list)
    numbers: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)
    in_files: dict[tuple[str, str], set[Identity]] = field(default_factory=dict)

    def check(self, file: str, line: int, record: Record) -> list[Problem]:
        key = f"{record.get('lsg', '?')}/{record.get('number', '?')}"
        found: list[Problem] = []

        def problem(where: str, text: str) -> None:
            found.append(Problem(file, line, key, where, text))

        for error in _VALIDATOR.iter_errors(record):
            problem(_path(list(error.instance_path)), error.message)
        if not found:
            self._rules(record, problem)
        if not found:
            number = (record["lsg"], record["number"])
            if number in self.numbers:
                first_file, first_line = self.numbers[number]
                problem("number", f"passport {key} also at {first_file}, line {first_line}")
            else:
                self.numbers[number] = (file, line)
                members = [identity(member) for member in record["members"]]
                self.references.append(
                    Reference(file, line, key, record["lsg"], record["account_no"], members)
                )
                self.in_files.setdefault((record["lsg"], record["account_no"]), set())
        self.problems.extend(found)
        return found

    def _rules(self, record: Record, problem: Callable[[str, str], None]) -> None:
        check_lsg(self.territory, self.lsg, record["lsg"], problem)
        for name in ("opened_at", "reviewed_at", "commission_decision_date"):
            day = _day(record.get(name))
            if day is not None and day > self.today:
                problem(name, f"{day.isoformat()} is in the future")
        opened, reviewed = _day(record["opened_at"]), _day(record.get("reviewed_at"))
        if opened is not None and reviewed is not None and reviewed < opened:
            problem("reviewed_at", f"reviewed on {reviewed.isoformat()}, before it was opened")
        seen: set[Identity] = set()
        for index, member in enumerate(record["members"]):
            pin = member.get("pin")
            if pin is not None:
                try:
                    parse_pin(pin)
                except InvalidPin as exc:
                    problem(f"members[{index}].pin", str(exc))
            if identity(member) in seen:
                problem(f"members[{index}]", "the same person is a member twice")
            seen.add(identity(member))

    def note_household(self, record: Record) -> None:
        """A valid household record of the same import: its persons, if a passport names it."""
        persons = self.in_files.get((record["lsg"], record["account_no"]))
        if persons is not None:
            persons.update(identity(member["person"]) for member in record["members"])

    def check_households(
        self, stored: Callable[[str, list[str]], dict[str, list[Row]]], imported: set[tuple[str, str]]
    ) -> list[Problem]:
        """Each passport's household (in the files, else in the hub: ``stored(lsg, accounts)`` gives
        the hub's households' persons) and each member a person of it."""
        wanted: dict[str, list[str]] = {}
        for reference in self.references:
            if (reference.lsg, reference.account) not in imported:
                wanted.setdefault(reference.lsg, []).append(reference.account)
        in_hub = {
            (lsg, account): {identity(person) for person in persons}
            for lsg, accounts in wanted.items()
            for account, persons in stored(lsg, sorted(set(accounts))).items()
        }
        found = []
        for reference in self.references:
            household = (reference.lsg, reference.account)
            persons = self.in_files[household] if household in imported else in_hub.get(household)
            if persons is None:
                text = f"no household {reference.lsg}/{reference.account} in the files or the hub"
                found.append(Problem(reference.file, reference.line, reference.key, "account_no", text))
                continue
            for index, member in enumerate(reference.members):
                if member not in persons:
                    who = member[1] if member[0] == "pin" else " ".join(map(str, member[1:]))
                    text = f"{who} is not a member of household {reference.account}"
                    found.append(
                        Problem(reference.file, reference.line, reference.key, f"members[{index}]", text)
                    )
        self.problems.extend(found)
        return found


@dataclass
class PassportCounts:
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def apply_passports(writing: PassportWriting, records: list[Record], counts: PassportCounts) -> None:
    """Write one LSG body's valid passport records: new ones inserted, changed ones updated."""
    stored = writing.stored([record["number"] for record in records])
    household_ids, people = writing.households(sorted({record["account_no"] for record in records}))
    for record in records:
        persons = {identity(person): person_id for person_id, person in people.get(record["account_no"], [])}
        members = [
            {"person_id": persons.get(identity(member)), **{n: member.get(n) for n in PASSPORT_MEMBER_FIELDS}}
            for member in record["members"]
        ]
        services = [
            {name: _in(name, row.get(name)) for name in ACCESS_FIELDS} for row in record.get("services", [])
        ]
        columns = passport_columns(record)
        found = stored.get(record["number"])
        household_id = household_ids.get(record["account_no"])
        if household_id is None:  # a dry run: its household is one the import would have created
            counts.created += 1
            continue
        if found is None:
            passport_id = writing.add(household_id, columns)
            writing.replace_members(passport_id, members)
            writing.replace_services(passport_id, services)
            counts.created += 1
            continue
        changed = False
        changes = {n: v for n, v in columns.items() if _out(v) != _out(found.passport[n])}
        if found.account_no != record["account_no"]:
            changes["household_id"] = household_id
        if changes:
            writing.change(found.id, changes)
            changed = True
        stored_members = [
            {**_plain(member), "identity": identity(person)} for person, member in found.members
        ]
        wanted_members = [
            {**_plain({n: member.get(n) for n in PASSPORT_MEMBER_FIELDS}), "identity": identity(member)}
            for member in record["members"]
        ]
        if stored_members != wanted_members:
            writing.replace_members(found.id, members)
            changed = True
        if [_plain(row) for row in found.services] != [_plain(row) for row in services]:
            writing.replace_services(found.id, services)
            changed = True
        if changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
