"""PIN and СОАТЕ validators against tables of real-world shapes (FACTS §1.1, §1.3)."""

from __future__ import annotations

from datetime import date

import pytest

from sanarip_hub.domain.identifiers import (
    Gender,
    SoateLevel,
    is_valid_pin,
    is_valid_soate,
    make_pin,
    parse_pin,
    parse_soate,
)
from sanarip_hub.errors import InvalidPin, InvalidSoate


@pytest.mark.parametrize(
    ("pin", "gender", "born"),
    [
        ("21904196910047", Gender.MALE, date(1969, 4, 19)),  # the public fixture in FACTS §1.1
        ("12902200090001", Gender.FEMALE, date(2000, 2, 29)),  # leap day
        ("10101190099999", Gender.FEMALE, date(1900, 1, 1)),
        ("03112199912345", None, date(1999, 12, 31)),  # 0: not a natural person, accepted and flagged
    ],
)
def test_valid_pins_decode(pin: str, gender: Gender | None, born: date) -> None:
    parsed = parse_pin(pin)
    assert parsed.gender == gender
    assert parsed.birth_date == born
    assert parsed.serial == pin[9:]
    assert is_valid_pin(pin)


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ("2190419691004", "must have 14 digits, got 13"),
        ("219041969100477", "must have 14 digits, got 15"),
        ("", "must have 14 digits, got 0"),
        ("2190419691004a", "digits 0-9 only"),
        ("２１９０４１９６９１００４７", "digits 0-9 only"),  # full-width digits are not ASCII
        (" 1904196910047", "digits 0-9 only"),
        ("31904196910047", "gender digit must be 0, 1 or 2, got 3"),
        ("22902201900047", "no real date of birth: 29.02.2019"),
        ("23204196910047", "no real date of birth: 32.04.1969"),
        ("21913196910047", "no real date of birth: 19.13.1969"),
        ("20000196910047", "no real date of birth: 00.00.1969"),
        ("21904096910047", "Tunduk PIN pattern"),  # year 0969 is a real date but not a PIN year
    ],
)
def test_invalid_pins_name_the_problem(pin: str, message: str) -> None:
    with pytest.raises(InvalidPin, match=message.replace(".", r"\.")):
        parse_pin(pin)
    assert not is_valid_pin(pin)


def test_non_string_pin_is_rejected() -> None:
    with pytest.raises(InvalidPin, match="must be a string"):
        parse_pin(21904196910047)  # type: ignore[arg-type]


def test_make_pin_round_trips_and_marks_synthetic_serials() -> None:
    pin = make_pin(Gender.FEMALE, date(2011, 7, 5), 91234)
    assert pin == "10507201191234"
    parsed = parse_pin(pin)
    assert parsed.gender is Gender.FEMALE
    assert parsed.birth_date == date(2011, 7, 5)
    assert parsed.is_synthetic
    assert not parse_pin("21904196910047").is_synthetic
    with pytest.raises(InvalidPin):
        make_pin(Gender.MALE, date(2000, 1, 1), 100000)


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("41700000000000", SoateLevel.COUNTRY),
        ("41708000000000", SoateLevel.OBLAST),
        ("41711000000000", SoateLevel.OBLAST),  # Bishkek: a republican city sits at oblast level
        ("41708203000000", SoateLevel.RAYON),
        ("41711201000000", SoateLevel.RAYON),  # Bishkek's Leninsky district
        ("41708203859000", SoateLevel.AYIL_AIMAK),
        ("41708203859030", SoateLevel.SETTLEMENT),
        ("41702410000010", SoateLevel.SETTLEMENT),  # Karakol city's own row
        ("41703215600000", SoateLevel.TOWN),
        ("41704000000010", SoateLevel.SETTLEMENT),  # Naryn city, the known anomaly
    ],
)
def test_valid_soate_levels(code: str, level: SoateLevel) -> None:
    assert parse_soate(code).level is level
    assert is_valid_soate(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("4170820385903", "14 digits, got 13"),
        ("418082038590300", "14 digits, got 15"),
        ("41808203859030", "must start with 417"),
        ("4170820385903x", "digits 0-9 only"),
        ("41700203859030", "sub-units but no oblast"),
    ],
)
def test_invalid_soate(code: str, message: str) -> None:
    with pytest.raises(InvalidSoate, match=message):
        parse_soate(code)
    assert not is_valid_soate(code)


def test_soate_containment() -> None:
    village = parse_soate("41708203859030")
    assert village.is_within(parse_soate("41708203000000"))
    assert village.is_within(parse_soate("41708000000000"))
    assert village.is_within(parse_soate("41700000000000"))
    assert not village.is_within(parse_soate("41708206000000"))
    assert not village.is_within(parse_soate("41702000000000"))
