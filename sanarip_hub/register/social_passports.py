"""Social passports in the exchange format (``social_passports.jsonl``): records, validation, writing.

A passport is keyed by its number within the LSG body.  It names its household by account number
and each member by PIN or, for a member without one, by name and birth date; the household may be in
the hub already or in the files of the same import (:mod:`sanarip_hub.register.references`).  A
passport missing from a full export of its LSG body is listed, and archived with ``--close-missing``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sanarip_hub.domain.codes import SocialPassportStatus
from sanarip_hub.domain.identifiers import parse_pin
from sanarip_hub.errors import InvalidPin
from sanarip_hub.register.modules import (
    ProblemAt,
    Record,
    RecordCounts,
    Writing,
    columns_from,
    missing,
    not_in_future,
)
from sanarip_hub.register.records import exchange_value as _out
from sanarip_hub.register.references import Identity, identity
from sanarip_hub.register.schema import SOCIAL_PASSPORT
from sanarip_hub.register.validation import _day
from sanarip_hub.storage.register_books import RegisterBooks
from sanarip_hub.storage.register_entities import IDENTITY_FIELDS
from sanarip_hub.storage.register_passports import (
    ACCESS_FIELDS,
    PASSPORT_FIELDS,
    PASSPORT_MEMBER_FIELDS,
    PassportWriting,
    StoredPassport,
    passport_writing,
    read_passports,
)

Row = dict[str, Any]
_PROPERTIES = SOCIAL_PASSPORT["properties"]
_SERVICE = _PROPERTIES["services"]["items"]["properties"]


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


def _plain(row: Row) -> Row:
    return {name: _out(value) for name, value in row.items()}


class SocialPassports:
    record_type = "social_passport"
    key = "number"
    unique: tuple[str, ...] = ()

    def rules(self, record: Record, today: date, problem: ProblemAt) -> None:
        not_in_future(record, ("opened_at", "reviewed_at", "commission_decision_date"), today, problem)
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

    def persons(self, record: Record) -> tuple[str | None, list[tuple[str, Identity]]]:
        return record["account_no"], [
            (f"members[{index}]", identity(member)) for index, member in enumerate(record["members"])
        ]

    def export(self, books: RegisterBooks, lsg_id: int, lsg: str) -> list[Record]:
        return [passport_record(stored, lsg) for stored in read_passports(books.engine, lsg_id)]

    def apply(self, writing: Writing, records: list[Record], counts: RecordCounts) -> None:
        with passport_writing(writing.books.engine, writing.lsg_id, commit=writing.commit) as passports:
            apply_passports(passports, records, counts)
            stored = passports.numbers()
            statuses = dict(stored.values())
            for passport_id in missing({number: pid for number, (pid, _) in stored.items()}, writing, counts):
                if writing.close_missing and statuses[passport_id] is not SocialPassportStatus.ARCHIVED:
                    passports.change(passport_id, {"status": SocialPassportStatus.ARCHIVED})
                    counts.closed += 1


SOCIAL_PASSPORT_MODULE = SocialPassports()


def apply_passports(writing: PassportWriting, records: list[Record], counts: RecordCounts) -> None:
    """Write one LSG body's valid passport records: new ones inserted, changed ones updated."""
    stored = writing.stored([record["number"] for record in records])
    household_ids, people = writing.households(sorted({record["account_no"] for record in records}))
    for record in records:
        persons = {identity(person): person_id for person_id, person in people.get(record["account_no"], [])}
        members = [
            {"person_id": persons.get(identity(member)), **{n: member.get(n) for n in PASSPORT_MEMBER_FIELDS}}
            for member in record["members"]
        ]
        services = [columns_from(_SERVICE, row, ACCESS_FIELDS) for row in record.get("services", [])]
        columns = columns_from(_PROPERTIES, record, PASSPORT_FIELDS)
        found = stored.get(record["number"])
        household_id = household_ids.get(record["account_no"])
        if household_id is None:  # a dry run: its household is one the import would have created
            counts.created += 1
            continue
        if found is None:
            writing.add(household_id, columns, members, services)
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
