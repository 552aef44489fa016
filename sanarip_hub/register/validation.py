"""Validation of household records before anything is written.

First the record's shape against its JSON Schema (jsonschema-rs: types, required keys, code lists,
lengths), then the rules a schema cannot say: a PIN that is well-formed and agrees with the
person's gender and birth date, СОАТЕ codes the hub knows and that are still in force, exactly one
head among an open household's current members, relations that agree with ages, no dates in the
future, no account number twice, and nobody a current member of two households (in the files or in
the hub).  Every finding is a :class:`Problem` naming file, line, record key, field and what is wrong.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import jsonschema_rs

from sanarip_hub.domain.codes import Relation
from sanarip_hub.domain.identifiers import parse_pin
from sanarip_hub.errors import InvalidPin
from sanarip_hub.register.schema import HOUSEHOLD
from sanarip_hub.storage.register_books import Territory

_VALIDATOR = jsonschema_rs.validator_for(HOUSEHOLD, validate_formats=True)

YOUNGER_THAN_HEAD = frozenset({Relation.SON, Relation.DAUGHTER, Relation.GRANDCHILD})
OLDER_THAN_HEAD = frozenset({Relation.FATHER, Relation.MOTHER})


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    key: str  # the record's natural key: "<lsg>/<account>", a PIN
    field: str  # a JSON path into the record: members[2].person.pin
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _path(parts: list[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(record)"


def schema_problems(validator: Any, schema: dict[str, Any], record: Any) -> list[tuple[str, str]]:
    """(field, message) of each way a record breaks its JSON Schema.  An optional field (a value or
    null) that is wrong says what is wrong with the value, not only that it is neither form."""
    found = []
    for error in validator.iter_errors(record):
        message = error.message
        path = list(error.schema_path)
        if path and path[-1] == "anyOf":
            node: Any = schema
            for part in path:
                node = node[part]
            forms = [option for option in node if option.get("type") != "null"]
            if len(forms) == 1:
                inner = next(jsonschema_rs.validator_for(forms[0]).iter_errors(error.instance), None)
                message = inner.message if inner is not None else message
        found.append((_path(list(error.instance_path)), message))
    return found


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def check_lsg(territory: Territory, wanted: str | None, lsg: str, problem: Any) -> None:
    """A record's LSG body: one the hub knows, and the one being imported (``--lsg``) if named."""
    if lsg not in territory.lsg_bodies:
        problem("lsg", f"no LSG body with СОАТЕ code {lsg} is known to the hub")
    elif wanted is not None and lsg != wanted:
        problem("lsg", f"the record belongs to LSG body {lsg}, not to {wanted} being imported")


@dataclass
class Current:
    """Where a PIN was seen as a current member, for the two-households rule."""

    file: str
    line: int
    key: str


class Validator:
    """Checks records one by one and remembers what the cross-record rules need."""

    def __init__(self, territory: Territory, today: date, lsg: str | None = None) -> None:
        self.territory = territory
        self.today = today
        self.lsg = lsg
        self.accounts: dict[tuple[str, str], tuple[str, int]] = {}
        self.current: dict[str, Current] = {}
        self.problems: list[Problem] = []

    def check(self, file: str, line: int, record: dict[str, Any]) -> list[Problem]:
        """Problems of one record (also kept in :attr:`problems`)."""
        found: list[Problem] = []
        key = f"{record.get('lsg', '?')}/{record.get('account_no', '?')}"

        def problem(field: str, text: str) -> None:
            found.append(Problem(file, line, key, field, text))

        for where, message in schema_problems(_VALIDATOR, HOUSEHOLD, record):
            problem(where, message)
        if not found:
            self._rules(record, problem)
            if not found:
                self._cross_record(file, line, key, record, problem)
        self.problems.extend(found)
        return found

    def _rules(self, record: dict[str, Any], problem: Any) -> None:
        today = self.today
        check_lsg(self.territory, self.lsg, record["lsg"], problem)
        self._soate("address.soate", record["address"]["soate"], problem)
        for name in ("opened_at", "closed_at"):
            day = _day(record.get(name))
            if day is not None and day > today:
                problem(name, f"{day.isoformat()} is in the future")
        household_open = record.get("closed_at") is None
        heads: list[int] = []
        head_birth: date | None = None
        for index, member in enumerate(record["members"]):
            where = f"members[{index}]"
            person = member["person"]
            birth = _day(person["birth_date"])
            self._person(where, person, birth, problem)
            for name in ("member_from", "member_to"):
                day = _day(member.get(name))
                if day is not None and day > today:
                    problem(f"{where}.{name}", f"{day.isoformat()} is in the future")
            if member.get("member_to") is None and member["relation"] == Relation.HEAD:
                heads.append(index)
                head_birth = birth
        current = [m for m in record["members"] if m.get("member_to") is None]
        if household_open and current:
            if not heads:
                problem("members", "an open household has no current head")
            elif len(heads) > 1:
                problem("members", f"an open household has {len(heads)} current heads (members {heads})")
        if head_birth is not None and len(heads) == 1:
            for index, member in enumerate(record["members"]):
                birth = _day(member["person"]["birth_date"])
                relation = member["relation"]
                if birth is None or member.get("member_to") is not None:
                    continue
                if relation in YOUNGER_THAN_HEAD and birth <= head_birth:
                    problem(f"members[{index}].relation", f"a {relation} born on or before the head")
                if relation in OLDER_THAN_HEAD and birth >= head_birth:
                    problem(f"members[{index}].relation", f"a {relation} born on or after the head")

    def _soate(self, field: str, soate: str, problem: Any) -> None:
        """A СОАТЕ code the hub knows and has not retired."""
        if soate not in self.territory.units:
            problem(field, f"unknown СОАТЕ code {soate}")
        else:
            retired = self.territory.units[soate]
            if retired is not None and retired < self.today:
                problem(field, f"СОАТЕ code {soate} was retired on {retired.isoformat()}")

    def _person(self, where: str, person: dict[str, Any], birth: date | None, problem: Any) -> None:
        pin = person.get("pin")
        if person.get("registered_soate") is not None:
            self._soate(f"{where}.person.registered_soate", person["registered_soate"], problem)
        for name in ("surname", "given_name", "patronymic"):
            if "?" in (person.get(name) or ""):  # what Excel writes for a letter Windows-1251 lacks
                problem(
                    f"{where}.person.{name}",
                    "a '?' where a letter was: the file's encoding could not hold it (Windows-1251 has "
                    "no Ө, Ү, Ң); save the file as UTF-8",
                )
        if birth is not None and birth > self.today:
            problem(f"{where}.person.birth_date", f"{birth.isoformat()} is in the future")
        death = _day(person.get("death_date"))
        if death is not None and (death > self.today or (birth is not None and death < birth)):
            problem(f"{where}.person.death_date", f"{death.isoformat()} is in the future or before birth")
        if pin is None:
            if person["pin_status"] != "none":
                problem(f"{where}.person.pin", "no PIN, yet pin_status is not 'none'")
            return
        try:
            parsed = parse_pin(pin)
        except InvalidPin as exc:
            problem(f"{where}.person.pin", str(exc))
            return
        if parsed.gender is not None and parsed.gender != person["gender"]:
            problem(
                f"{where}.person.pin",
                f"the PIN's gender digit says {parsed.gender}, the record {person['gender']}",
            )
        if birth is not None and parsed.birth_date != birth:
            problem(
                f"{where}.person.pin",
                f"the PIN holds birth date {parsed.birth_date.isoformat()}, the record {birth}",
            )

    def _cross_record(self, file: str, line: int, key: str, record: dict[str, Any], problem: Any) -> None:
        account = (record["lsg"], record["account_no"])
        if account in self.accounts:
            first_file, first_line = self.accounts[account]
            problem("account_no", f"account {key} also at {first_file}, line {first_line}")
            return
        self.accounts[account] = (file, line)
        if record.get("closed_at") is not None:
            return
        seen_here: set[str] = set()
        for index, member in enumerate(record["members"]):
            pin = member["person"].get("pin")
            if pin is None or member.get("member_to") is not None or member["person"].get("death_date"):
                continue
            if pin in seen_here:
                problem(f"members[{index}].person.pin", f"{pin} is a current member twice")
                continue
            seen_here.add(pin)
            other = self.current.get(pin)
            if other is not None:
                problem(
                    f"members[{index}].person.pin",
                    f"{pin} is also a current member of {other.key} ({other.file}, line {other.line})",
                )
            else:
                self.current[pin] = Current(file, line, key)

    def check_against_hub(self, stored: dict[str, tuple[str, str]]) -> list[Problem]:
        """The two-households rule against the hub: ``stored`` maps PINs of current members in the
        files to the household the hub has them in; one not being imported is a conflict."""
        found = []
        for pin, (lsg, account) in stored.items():
            seen = self.current.get(pin)
            if seen is None or (lsg, account) in self.accounts:  # that household's record is in the files
                continue
            found.append(
                Problem(
                    seen.file,
                    seen.line,
                    seen.key,
                    "members.person.pin",
                    f"{pin} is a current member of household {lsg}/{account} in the hub",
                )
            )
        self.problems.extend(found)
        return found
