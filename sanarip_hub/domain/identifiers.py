"""Kyrgyz identifiers: the personal identification number (PIN) and СОАТЕ territory codes.

PIN (FACTS §1.1): 14 digits ``G DDMMYYYY NNNNN``; G is 1 (female) or 2 (male) for a person, 0 for a
legal entity or special case (accepted by Tunduk's own syntax, flagged for a person record); the date
of birth must be a real calendar date; no check digit exists.  Synthetic PINs made by this project
reserve serials 9xxxx so they can never be mistaken for a real person's number.

СОАТЕ (FACTS §1.3): 14 digits ``417 OO RRR AAA VVV``, always starting with 417 (ISO numeric KG).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sanarip_hub.errors import InvalidPin, InvalidSoate

PIN_LENGTH = 14
_PIN_SYNTAX = re.compile(r"[012][0-3][0-9][01][0-9][12][0-9]{3}[0-9]{5}")  # Tunduk's own regex
_SOATE_SYNTAX = re.compile(r"417[0-9]{11}")
SYNTHETIC_SERIAL_DIGIT = "9"
# A PIN-shaped run of digits inside longer text (a log line, an error message): what logging masks.
PIN_IN_TEXT = re.compile(r"(?<![0-9])" + _PIN_SYNTAX.pattern + r"(?![0-9])")
_YEAR = "[12][0-9]{3}"  # 1000-2999, as Tunduk's pattern
_LEAP = "(?:[12][0-9](?:0[48]|[2468][048]|[13579][26])|(?:1[26]|2[048])00)"  # Gregorian leap years
# Every PIN parse_pin accepts and nothing else, as one regular expression (for the OpenAPI document,
# where a pattern is the only way to say "a real calendar date"); a property test keeps them equal.
PIN_PATTERN = (
    "^[012](?:"
    f"(?:0[1-9]|1[0-9]|2[0-8])(?:0[1-9]|1[0-2]){_YEAR}"
    f"|(?:29|30)(?:0[13-9]|1[0-2]){_YEAR}"
    f"|31(?:0[13578]|1[02]){_YEAR}"
    f"|2902{_LEAP}"
    ")[0-9]{5}$"
)


class Gender(StrEnum):
    """Gender as the PIN encodes it (and as the civil registry reports it)."""

    FEMALE = "F"
    MALE = "M"


@dataclass(frozen=True, slots=True)
class Pin:
    """A syntactically valid PIN with its decoded parts.

    ``gender`` is None for first digit 0 (not a natural person; FACTS says to flag it for a person).
    """

    value: str
    gender: Gender | None
    birth_date: date
    serial: str

    @property
    def is_synthetic(self) -> bool:
        """True for numbers in the 9xxxx serial range this project reserves for generated data."""
        return self.serial.startswith(SYNTHETIC_SERIAL_DIGIT)

    def __str__(self) -> str:
        return self.value


def parse_pin(text: str) -> Pin:
    """Validate ``text`` as a PIN and decode it; raise :class:`InvalidPin` naming the first problem.

    Surrounding white space is not forgiven: a PIN arriving from a registry or a form with stray
    characters is a data-quality fact the caller should see.
    """
    if not isinstance(text, str):
        raise InvalidPin(f"PIN must be a string, got {type(text).__name__}")
    if len(text) != PIN_LENGTH:
        raise InvalidPin(f"PIN must have {PIN_LENGTH} digits, got {len(text)} characters")
    if not text.isascii() or not text.isdigit():
        raise InvalidPin("PIN must consist of the digits 0-9 only")
    if text[0] not in "012":
        raise InvalidPin(f"PIN gender digit must be 0, 1 or 2, got {text[0]}")
    day, month, year = int(text[1:3]), int(text[3:5]), int(text[5:9])
    try:
        born = date(year, month, day)
    except ValueError:
        raise InvalidPin(f"PIN holds no real date of birth: {text[1:3]}.{text[3:5]}.{text[5:9]}") from None
    if not _PIN_SYNTAX.fullmatch(text):  # same rule Tunduk applies (years 1000-2999)
        raise InvalidPin("PIN does not match the Tunduk PIN pattern")
    gender = {"1": Gender.FEMALE, "2": Gender.MALE}.get(text[0])
    return Pin(value=text, gender=gender, birth_date=born, serial=text[9:])


def is_valid_pin(text: str) -> bool:
    """True when :func:`parse_pin` accepts ``text``."""
    try:
        parse_pin(text)
    except InvalidPin:
        return False
    return True


def make_pin(gender: Gender, birth_date: date, serial: int) -> str:
    """Compose a PIN from its parts (``serial`` 0-99999); used by the synthetic-country generator."""
    if not 0 <= serial <= 99999:
        raise InvalidPin(f"PIN serial must be 0-99999, got {serial}")
    digit = "1" if gender is Gender.FEMALE else "2"
    return f"{digit}{birth_date:%d%m%Y}{serial:05d}"


class SoateLevel(StrEnum):
    """What a СОАТЕ code designates, read from its structure."""

    COUNTRY = "country"
    OBLAST = "oblast"
    RAYON = "rayon"  # RRR 2xx/3xx; also Bishkek's districts
    CITY = "city"  # RRR 4xx: city of oblast significance
    AYIL_AIMAK = "ayil_aimak"  # AAA 8xx
    TOWN = "town"  # AAA 5xx/6xx: town or urban-type settlement
    SETTLEMENT = "settlement"  # VVV set: a village, or a city's own row ending in 010


@dataclass(frozen=True, slots=True)
class Soate:
    """A valid СОАТЕ code split into its segments."""

    value: str

    @property
    def oblast(self) -> str:
        return self.value[3:5]

    @property
    def rayon(self) -> str:
        return self.value[5:8]

    @property
    def aimak(self) -> str:
        return self.value[8:11]

    @property
    def settlement(self) -> str:
        return self.value[11:14]

    @property
    def level(self) -> SoateLevel:
        """The most specific level the code designates."""
        if self.value[3:] == "0" * 11:
            return SoateLevel.COUNTRY
        if self.settlement != "000":
            return SoateLevel.SETTLEMENT
        if self.aimak != "000":
            return SoateLevel.AYIL_AIMAK if self.aimak[0] == "8" else SoateLevel.TOWN
        if self.rayon != "000":
            return SoateLevel.CITY if self.rayon[0] == "4" else SoateLevel.RAYON
        return SoateLevel.OBLAST

    def is_within(self, other: Soate) -> bool:
        """True if this unit lies inside ``other`` (or is it), judged by code prefix."""
        prefix = other.value.rstrip("0")
        return self.value.startswith(prefix) if len(prefix) > 3 else True

    def __str__(self) -> str:
        return self.value


def parse_soate(text: str) -> Soate:
    """Validate ``text`` as a СОАТЕ code; raise :class:`InvalidSoate` naming the first problem."""
    if not isinstance(text, str):
        raise InvalidSoate(f"СОАТЕ code must be a string, got {type(text).__name__}")
    if len(text) != 14:
        raise InvalidSoate(f"СОАТЕ code must have 14 digits, got {len(text)} characters")
    if not text.isascii() or not text.isdigit():
        raise InvalidSoate("СОАТЕ code must consist of the digits 0-9 only")
    if not _SOATE_SYNTAX.fullmatch(text):
        raise InvalidSoate(f"СОАТЕ code must start with 417 (Kyrgyzstan), got {text[:3]}")
    soate = Soate(text)
    if soate.oblast == "00" and text[5:] != "0" * 9:
        raise InvalidSoate("СОАТЕ code has sub-units but no oblast")
    return soate


def is_valid_soate(text: str) -> bool:
    """True when :func:`parse_soate` accepts ``text``."""
    try:
        parse_soate(text)
    except InvalidSoate:
        return False
    return True
