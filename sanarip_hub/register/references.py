"""Records that name the register's people: a social passport's members, a land application's applicant.

Such a record names a household by account number in its LSG body and persons by PIN, or, for a
person without one, by name and birth date among that household's members; an applicant without a
household is named by PIN alone.  The household or person may be in the hub already or in the files
of the same import, so the check runs once the household files have been read: their records are
noted as they pass (:meth:`References.note_household`) and what is not in the files is looked up in
the hub.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sanarip_hub.register.records import exchange_value
from sanarip_hub.register.validation import Problem

Row = dict[str, Any]
Identity = tuple[Any, ...]


def identity(person: Row) -> Identity:
    """How a record's person is matched with a person of the register: PIN, or name and birth."""
    if person.get("pin"):
        return ("pin", person["pin"])
    return ("name", person["surname"], person["given_name"], exchange_value(person["birth_date"]))


@dataclass
class Reference:
    """A valid record's household (None: none named) and persons, as (field, identity)."""

    file: str
    line: int
    key: str
    lsg: str
    account: str | None
    persons: list[tuple[str, Identity]]


@dataclass
class References:
    """The references of one import's records, checked once the household files have been read."""

    references: list[Reference] = field(default_factory=list)
    in_files: dict[tuple[str, str], set[Identity]] = field(default_factory=dict)
    pins: dict[str, bool] = field(default_factory=dict)  # a PIN named without a household -> seen in files

    def add(self, reference: Reference) -> None:
        self.references.append(reference)
        if reference.account is not None:
            self.in_files.setdefault((reference.lsg, reference.account), set())
        else:
            for _, person in reference.persons:
                self.pins.setdefault(person[1], False)

    def note_household(self, record: Row) -> None:
        """A valid household record of the same import: its persons, where a reference names them."""
        persons = self.in_files.get((record["lsg"], record["account_no"]))
        if persons is not None:
            persons.update(identity(member["person"]) for member in record["members"])
        if self.pins:
            for member in record["members"]:
                person = member["person"]
                for pin in (person.get("pin"), *(alias["pin"] for alias in person.get("aliases", []))):
                    if pin in self.pins:
                        self.pins[pin] = True

    def check(
        self,
        stored: Callable[[str, list[str]], dict[str, list[Row]]],
        known: Callable[[list[str]], set[str]],
        imported: set[tuple[str, str]],
    ) -> list[Problem]:
        """Each reference's household (in the files, else in the hub: ``stored(lsg, accounts)`` gives
        the hub's households' persons) with each person a member of it, and each PIN named without a
        household a person of the files or the hub (``known(pins)``: those the hub has)."""
        wanted: dict[str, list[str]] = {}
        for reference in self.references:
            household = (reference.lsg, reference.account)
            if reference.account is not None and household not in imported:
                wanted.setdefault(reference.lsg, []).append(reference.account)
        in_hub = {
            (lsg, account): {identity(person) for person in persons}
            for lsg, accounts in wanted.items()
            for account, persons in stored(lsg, sorted(set(accounts))).items()
        }
        in_hub_pins = known(sorted(pin for pin, seen in self.pins.items() if not seen))
        found = []
        for reference in self.references:
            if reference.account is None:
                for where, person in reference.persons:
                    if not self.pins[person[1]] and person[1] not in in_hub_pins:
                        text = f"no person with PIN {person[1]} in the files or the hub"
                        found.append(Problem(reference.file, reference.line, reference.key, where, text))
                continue
            household = (reference.lsg, reference.account)
            persons = self.in_files[household] if household in imported else in_hub.get(household)
            if persons is None:
                text = f"no household {reference.lsg}/{reference.account} in the files or the hub"
                found.append(Problem(reference.file, reference.line, reference.key, "account_no", text))
                continue
            for where, person in reference.persons:
                if person not in persons:
                    who = person[1] if person[0] == "pin" else " ".join(map(str, person[1:]))
                    text = f"{who} is not a member of household {reference.account}"
                    found.append(Problem(reference.file, reference.line, reference.key, where, text))
        return found
