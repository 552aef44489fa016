"""What the simulated registries know: the hub's people, with labelled discrepancies injected.

Every decision is a pure function of ``(seed, PIN)`` (a SHA-256 of both), so records need not be
kept in memory: the same request always gets the same answer, and the ground truth can be listed
once at start-up by walking the people.  A ``rate`` share of people carry one *real* discrepancy
(FACTS §10), which reconciliation must flag; another share carry only *spelling noise* (Latin or
Russian-letter spellings of the same name, another date format), which it must not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from mappings.normalize import same_surname

# (kind, registry field, hub field, weight)
KINDS: tuple[tuple[str, str, str, int], ...] = (
    ("birth_date_typo", "dateOfBirth", "birth_date", 25),
    ("surname_changed", "surname", "surname", 20),
    ("deceased", "deathDate", "death_date", 8),
    ("pin_blocked", "pinBlocked", "pin_status", 5),
    ("pin_unknown", "pin", "pin", 5),
    ("pin_duplicate", "pin", "pin", 5),
    # the bureau registered the person in another place than the book says (a student registered at
    # home is not this: the book keeps their registration apart from where they live)
    ("moved_away", "addressArray.code", "registered_soate", 25),
    # the registry answers with faultcode/faultstring in the body (FACTS §2.3, §9.2): its answer, not
    # a difference; reconciliation must flag nothing for these people (their labels say flag: false)
    ("registry_refusal", "faultcode", "pin", 5),
    ("business_registered", "TIN", "business", 0),  # only members of low-income families: half theirs
)
_NOT_BUSINESS = tuple(kind for kind in KINDS if kind[0] != "business_registered")
NOISE_RATE = 0.2
_LATIN_LETTERS = {
        "А": "A",
        "Б": "B",
        "В": "V",
        "Г": "G",
        "Д": "D",
        "Е": "E",
        "Ё": "Yo",
        "Ж": "Zh",
        "З": "Z",
        "И": "I",
        "Й": "Y",
        "К": "K",
        "Л": "L",
        "М": "M",
        "Н": "N",
        "Ң": "Ng",
        "О": "O",
        "Ө": "Ö",
        "П": "P",
        "Р": "R",
        "С": "S",
        "Т": "T",
        "У": "U",
        "Ү": "Ü",
        "Ф": "F",
        "Х": "Kh",
        "Ц": "Ts",
        "Ч": "Ch",
        "Ш": "Sh",
        "Щ": "Sh",
        "Ъ": "",
        "Ы": "Y",
        "Ь": "",
        "Э": "E",
        "Ю": "Yu",
        "Я": "Ya",
    }  # fmt: skip
_LATIN = str.maketrans(_LATIN_LETTERS)


def latin(text: str) -> str:
    """A passport-style Latin spelling (Жээнбеков → Zheenbekov)."""
    return text.upper().translate(_LATIN).title()


@dataclass(frozen=True)
class Discrepancy:
    pin: str
    kind: str
    field: str  # the registry field that differs
    hub_field: str
    hub_value: str | None
    registry_value: str | None
    flagged: bool = True  # reconciliation must flag it (False: the registry's refusal, flag nothing)

    def label(self) -> dict[str, Any]:
        return {
            "pin": self.pin,
            "field": self.hub_field,
            "registry_field": self.field,
            "kind": self.kind,
            "hub_value": self.hub_value,
            "registry_value": self.registry_value,
            "flag": self.flagged,
        }


# Business errors in the body of a zagsDataByPin answer.  The real registry's codes are not public
# (FACTS §2.3 names only the faultcode/faultstring elements): these two are the simulator's own.
REFUSALS: tuple[tuple[str, str], ...] = (
    ("ZAGS-RESTRICTED", "Сведения о лице ограничены решением суда"),
    ("ZAGS-ARCHIVED", "Актовая запись передана в архив, сведения не выдаются"),
)


_PATRONYMIC_ENDINGS = ("ович", "евич", "овна", "евна", "ич", "на")


def _new_surname(row: Any, dice: bytes) -> str:
    """After a marriage (Осмонова) or the naming reform: the father's name with уулу/кызы, taken
    from the patronymic (Бекович → Бек уулу) — always a name that really differs from the book's."""
    feminine = row.gender == "F"
    candidates = ["Осмонова", "Токтогулова"] if feminine else ["Осмонов", "Токтогулов"]
    if _unit(dice, 16) < 0.5 and row.patronymic:
        father = row.patronymic
        for ending in _PATRONYMIC_ENDINGS:
            if father.endswith(ending) and len(father) > len(ending) + 2:
                father = father[: -len(ending)]
                break
        candidates.insert(0, f"{father} {'кызы' if feminine else 'уулу'}")
    return next(name for name in candidates if not same_surname(row.surname, name))


# where the bureau registered a person who moved: the other of the two cities
MOVED_TO = {"41711000000000": "Бишкек ш.", "41721000000000": "Ош ш."}


def _moved_to(row: Any) -> str:
    return "41721000000000" if row.registered_soate == "41711000000000" else "41711000000000"


def bureau_code(soate: str) -> str:
    """The simulated bureau's own code for a settlement: eleven digits that are not a СОАТЕ code
    (the real bureau's code list is not public, FACTS §2.3).  A bijection of the СОАТЕ code's
    digits after the country's 417, so the crosswalk (:func:`bureau_crosswalk`) is exact."""
    return f"{int(soate[3:]) * 7919 % 10**11:011d}"


def bureau_crosswalk(soate_codes: Iterable[str]) -> dict[str, str]:
    """The crosswalk the bureau publishes for these settlements: its code → СОАТЕ."""
    return {bureau_code(soate): soate for soate in soate_codes}


def _search_key(surname: str, name: str, birthdate: str) -> tuple[str, str, str]:
    return surname.strip().casefold(), name.strip().casefold(), birthdate.strip()


def _dice(seed: int, pin: str) -> bytes:
    return hashlib.sha256(f"{seed}:{pin}".encode()).digest()


def _unit(data: bytes, offset: int) -> float:
    return int.from_bytes(data[offset : offset + 4], "big") / 2**32


class RegisteredPeople(Protocol):
    """The hub's people as a registry would know them (:class:`sanarip_hub.storage.people.PeopleRegister`):
    each row a person's columns, their current address (``soate_code``, ``house``, ``flat``,
    ``text_raw``) and ``low_income``."""

    def everyone(self) -> list[Any]: ...

    def by_pin(self, pin: str) -> Any: ...

    def without_pin(self) -> list[Any]: ...


# People the register has no PIN for, as the civil registry knows them (FACTS §9.2: it is searched
# by name and birth date): most have one it finds, some a namesake born the same day, the rest
# (newborns not yet registered, misspelt names) none.
FOUND_SHARE, NAMESAKE_SHARE = 0.7, 0.1


class RegistryData:
    """The hub's people as the civil registry and the tax service would report them."""

    def __init__(self, people: RegisteredPeople, rate: float, seed: int) -> None:
        self.people = people
        self.rate = rate
        self.seed = seed
        self._rows: dict[str, Any] | None = None
        self._pinless: dict[tuple[str, str, str], list[str]] | None = None
        self._pinless_truth: list[Discrepancy] = []

    def preload(self) -> int:
        """Read every person once, so answers need no query (a registry answers in a millisecond;
        a query per request would make the simulator, not the hub, the bottleneck).  Returns how
        many people were loaded."""
        self._rows = {row.pin: row for row in self.people.everyone()}
        return len(self._rows)

    @property
    def preloaded(self) -> bool:
        return self._rows is not None

    def _person(self, pin: str) -> Any:
        if self._rows is not None:
            return self._rows.get(pin)
        return self.people.by_pin(pin)

    def _registry_pin(self, row: Any, dice: bytes, offset: int) -> str:
        """The PIN the registry holds for a person the book has none for: gender digit, birth
        date, a serial 8xxxx (the seed's own are 9xxxx, so never one the hub already has)."""
        serial = 80000 + (int(_unit(dice, 4) * 10000) + offset) % 10000
        return f"{'2' if row.gender == 'M' else '1'}{row.birth_date.strftime('%d%m%Y')}{serial:05d}"

    def _search_index(self) -> dict[tuple[str, str, str], list[str]]:
        """Name and birth date → the PINs the registry answers; built once, with its labels."""
        if self._pinless is None:
            index: dict[tuple[str, str, str], list[str]] = {}
            truth: list[Discrepancy] = []
            for row in self.people.without_pin():
                dice = _dice(self.seed, f"no-pin:{row.id}")
                roll = _unit(dice, 0)
                if roll >= FOUND_SHARE + NAMESAKE_SHARE:
                    continue
                pin = self._registry_pin(row, dice, 0)
                found = [pin] if roll < FOUND_SHARE else [pin, self._registry_pin(row, dice, 1)]
                key = _search_key(row.surname, row.given_name, row.birth_date.isoformat())
                index.setdefault(key, []).extend(found)
                # a flag of a person without a PIN is known by the PIN(s) the registry found
                kind, found_pins = (
                    ("pin_found", pin) if len(found) == 1 else ("pin_namesakes", ",".join(sorted(found)))
                )
                truth.append(Discrepancy(found_pins, kind, "pins", kind, None, found_pins))
            self._pinless, self._pinless_truth = index, truth
        return self._pinless

    def pins_by_nsp(self, params: dict[str, str]) -> dict[str, Any]:
        """``zagsPinsByNSPDate``: every PIN held for the surname, name and birth date."""
        key = _search_key(params.get("surname", ""), params.get("name", ""), params.get("birthdate", ""))
        return {"pins": list(self._search_index().get(key, ()))}

    def discrepancy(self, row: Any) -> Discrepancy | None:
        dice = _dice(self.seed, row.pin)
        if _unit(dice, 0) >= self.rate:
            return None
        if row.low_income and _unit(dice, 20) < 0.5:  # half of their discrepancies: a new business
            kind, field, hub_field, _ = KINDS[-1]
        else:
            point = _unit(dice, 4) * sum(weight for *_, weight in _NOT_BUSINESS)
            index = 0
            while point >= _NOT_BUSINESS[index][3] and index < len(_NOT_BUSINESS) - 1:
                point -= _NOT_BUSINESS[index][3]
                index += 1
            kind, field, hub_field, _ = _NOT_BUSINESS[index]
        if kind == "birth_date_typo":
            shift = 1 + int(_unit(dice, 8) * 27)
            wrong = row.birth_date + timedelta(days=shift if row.birth_date.day <= 14 else -shift)
            return Discrepancy(row.pin, kind, field, hub_field, row.birth_date.isoformat(), wrong.isoformat())
        if kind == "surname_changed":
            return Discrepancy(row.pin, kind, field, hub_field, row.surname, _new_surname(row, dice))
        if kind == "deceased":
            if row.death_date is not None:
                return None
            return Discrepancy(
                row.pin,
                kind,
                field,
                hub_field,
                None,
                (date(2026, 1, 1) + timedelta(days=int(_unit(dice, 8) * 300))).isoformat(),
            )
        if kind == "pin_blocked":
            return Discrepancy(row.pin, kind, field, hub_field, row.pin_status, "true")
        if kind == "pin_unknown":
            return Discrepancy(row.pin, kind, field, hub_field, row.pin, None)
        if kind == "registry_refusal":
            code = REFUSALS[int(_unit(dice, 8) * len(REFUSALS))][0]
            return Discrepancy(row.pin, kind, field, hub_field, None, code, flagged=False)
        if kind == "pin_duplicate":  # an old second PIN: the registry answers with the person's valid one
            serial = 90000 + int(_unit(dice, 8) * 10000)
            current = f"{row.pin[:9]}{serial:05d}"
            if current == row.pin:
                current = f"{row.pin[:9]}{90000 + (serial - 89999) % 10000:05d}"
            return Discrepancy(row.pin, kind, field, hub_field, row.pin, current)
        if kind == "moved_away":
            if row.registered_soate is None:
                return None
            return Discrepancy(row.pin, kind, field, hub_field, row.registered_soate, _moved_to(row))
        return Discrepancy(row.pin, kind, field, hub_field, None, row.pin)  # business_registered

    def noisy(self, pin: str) -> bool:
        return _unit(_dice(self.seed, pin), 12) < NOISE_RATE

    def zags(self, pin: str) -> dict[str, Any] | None:
        row = self._person(pin)
        if row is None:
            return None
        found = self.discrepancy(row)
        kind = found.kind if found else None
        if kind == "pin_unknown":
            return None
        if kind == "registry_refusal" and found is not None:
            return {
                "faultcode": found.registry_value,
                "faultstring": dict(REFUSALS)[str(found.registry_value)],
            }
        noisy = self.noisy(pin)
        surname = (
            (found.registry_value or row.surname) if kind == "surname_changed" and found else row.surname
        )
        record = {
            "pin": found.registry_value if kind == "pin_duplicate" and found else row.pin,
            "name": latin(row.given_name) if noisy else row.given_name,
            "surname": latin(surname) if noisy else surname,
            "patronymic": row.patronymic,
            "gender": row.gender,
            "maritalStatus": row.marital_status,
            "nationality": row.nationality,
            "citizenship": row.citizenship,
            "pinBlocked": kind == "pin_blocked" or row.pin_status == "blocked",
            "pinGenerationDate": row.birth_date,
            "dateOfBirth": date.fromisoformat(found.registry_value)
            if kind == "birth_date_typo" and found and found.registry_value
            else row.birth_date,
            "deathDate": date.fromisoformat(found.registry_value)
            if kind == "deceased" and found and found.registry_value
            else row.death_date,
        }
        return record

    def asb(self, pin: str) -> dict[str, Any] | None:
        """The registration the bureau holds: the book's registered address, in the bureau's own
        codes (:func:`bureau_code`; the hub needs the crosswalk to read them)."""
        row = self._person(pin)
        if row is None or row.registered_soate is None:
            return None
        found = self.discrepancy(row)
        if found is not None and found.kind == "pin_unknown":
            return None
        moved = found is not None and found.kind == "moved_away"
        soate = _moved_to(row) if moved else row.registered_soate
        return {
            "address": MOVED_TO[soate] if moved else row.registered_address,
            "addressArray": {"code": bureau_code(soate)},
        }

    def gns(self, tin: str) -> dict[str, Any] | None:
        row = self._person(tin)
        if row is None:
            return None
        found = self.discrepancy(row)
        if found is None or found.kind != "business_registered":
            return None
        return {
            "TIN": tin,
            "FullName": f"ИП {row.surname} {row.given_name}",
            "RayonCode": (row.soate_code or "41700000000000")[:8],
            "TaxActiveDate": date(2026, 6, 1),
            "TaxTypeCode": "patent",
            "Farm": False,
        }

    def truth(self) -> Iterator[Discrepancy]:
        """Every injected discrepancy, in PIN order (what --truth writes); from the preloaded
        people when they are loaded, else read once."""
        if self._rows is not None:
            rows: Iterable[Any] = (self._rows[pin] for pin in sorted(self._rows))
        else:
            rows = sorted(self.people.everyone(), key=lambda row: str(row.pin))
        for row in rows:
            found = self.discrepancy(row)
            if found is not None:
                yield found
        self._search_index()
        yield from self._pinless_truth  # people without a PIN in the book, in id order
