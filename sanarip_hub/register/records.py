"""Household records in the exchange format, to and from the stored columns.

The record names what an LSG clerk calls things (``relation``, ``address.text``, ``lsg`` as the
body's СОАТЕ code); the columns keep the database's names.  Dates are ISO strings and codes their
values; every optional key is written (as null) so that two exports of the same data are byte-equal.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from sanarip_hub.storage.register_books import (
    ADDRESS_FIELDS,
    HOLDINGS,
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    PERSON_FIELDS,
    Book,
)

Record = dict[str, Any]
Row = dict[str, Any]

# record key -> column, where they differ
ADDRESS_KEYS = {
    "soate": "soate_code",
    "street": "street",
    "house": "house",
    "flat": "flat",
    "text": "text_raw",
}
MEMBER_KEYS = {
    "relation": "relation_to_head", "member_from": "member_from", "member_to": "member_to",
    "temporarily_absent": "is_temporarily_absent", "absence_reason": "absence_reason",
    "absence_country": "absence_country",
}  # fmt: skip
HOUSEHOLD_KEYS = {name: name for name in HOUSEHOLD_FIELDS if name != "account_no"}
DATE_COLUMNS = frozenset({"birth_date", "death_date", "opened_at", "closed_at", "member_from", "member_to"})
HOLDING_FIELDS = {kind: fields for kind, (_, fields) in HOLDINGS.items()}
assert set(ADDRESS_KEYS.values()) == set(ADDRESS_FIELDS)
assert set(MEMBER_KEYS.values()) == set(MEMBER_FIELDS)


def exchange_value(value: Any) -> Any:
    """A stored value as a record holds it: a code as its value, a date in ISO form."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _in(column: str, value: Any) -> Any:
    if value is not None and column in DATE_COLUMNS:
        return date.fromisoformat(value)
    return value


def record_of(book: Book, lsg_code: str) -> Record:
    """The exchange record of a stored household."""
    household = book.household
    return {
        "lsg": lsg_code,
        "account_no": household["account_no"],
        **{key: exchange_value(household[column]) for key, column in HOUSEHOLD_KEYS.items()},
        "address": {key: book.address[column] for key, column in ADDRESS_KEYS.items()},
        "members": [
            {
                "person": {
                    **{name: exchange_value(member.person[name]) for name in PERSON_FIELDS},
                    "aliases": [{k: exchange_value(v) for k, v in alias.items()} for alias in member.aliases],
                },
                **{key: exchange_value(member.membership[column]) for key, column in MEMBER_KEYS.items()},
            }
            for member in book.members
        ],
        **{
            kind: [
                {name: exchange_value(row[name]) for name in HOLDING_FIELDS[kind]}
                for _, row in getattr(book, kind)
            ]
            for kind in HOLDING_FIELDS
        },
    }


def household_columns(record: Record) -> Row:
    return {
        "account_no": record["account_no"],
        **{c: _in(c, record.get(k)) for k, c in HOUSEHOLD_KEYS.items()},
    }


def address_columns(record: Record) -> Row:
    return {column: record["address"].get(key) for key, column in ADDRESS_KEYS.items()}


def person_columns(person: Record) -> Row:
    return {name: _in(name, person.get(name)) for name in PERSON_FIELDS}


def member_columns(member: Record) -> Row:
    values = {column: _in(column, member.get(key)) for key, column in MEMBER_KEYS.items()}
    values["is_temporarily_absent"] = bool(values["is_temporarily_absent"])
    return values


def holding_columns(kind: str, row: Record) -> Row:
    values = {name: row.get(name) for name in HOLDING_FIELDS[kind]}
    for flag in ("water", "sewerage", "gas", "heating", "irrigated"):
        if flag in values and values[flag] is None:
            values[flag] = False
    if kind == "dwellings" and values["electricity"] is None:
        values["electricity"] = True
    return values


def plain(value: Any) -> Any:
    """A stored value as a record's column value compares with it: a code as its string."""
    return value.value if isinstance(value, Enum) else value
