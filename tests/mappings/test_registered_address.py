"""The registered address (прописка, the address bureau's ``asbAddress``) is compared with the
person's registered address, never with the household they live in, and the bureau's codes become
СОАТЕ codes through its crosswalk, never by assuming they already are."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mappings.address_codes import read_crosswalk
from mappings.registry import compare_civil_registry
from sanarip_hub.errors import ConfigError
from sanarip_hub.storage.people import HubPerson

NARYN_VILLAGE = "41704220000000"
BISHKEK = "41711000000000"
OSH = "41721000000000"
CROSSWALK = {"0700123": NARYN_VILLAGE, "0100001": BISHKEK, "0200001": OSH}


def student(registered: str | None) -> HubPerson:
    """Lives in a Bishkek household (the book's address), registered in a Naryn village."""
    return HubPerson(
        id=1,
        pin="21203199000012",
        pin_status="active",
        surname="Асанов",
        given_name="Бакыт",
        patronymic=None,
        birth_date=date(1990, 3, 12),
        death_date=None,
        registered_soate=registered,
    )


ZAGS = {"pin": "21203199000012", "surname": "Асанов", "name": "Бакыт", "dateOfBirth": date(1990, 3, 12)}


def asb(code: str) -> dict[str, object]:
    return {"address": "…", "addressArray": {"code": code}}


def test_a_student_registered_at_home_is_no_mismatch() -> None:
    found = compare_civil_registry(student(NARYN_VILLAGE), ZAGS, asb("0700123"), CROSSWALK)
    assert found.differences == []
    assert "registered_soate" in found.compared


def test_a_new_registration_is_a_difference_in_soate_codes() -> None:
    found = compare_civil_registry(student(NARYN_VILLAGE), ZAGS, asb("0200001"), CROSSWALK)
    assert [(d.field, d.hub_value, d.registry_value) for d in found.differences] == [
        ("registered_soate", NARYN_VILLAGE, OSH)
    ]


def test_a_registration_the_hub_does_not_have_is_proposed() -> None:
    found = compare_civil_registry(student(None), ZAGS, asb("0100001"), CROSSWALK)
    assert [(d.field, d.hub_value, d.registry_value) for d in found.differences] == [
        ("registered_soate", None, BISHKEK)
    ]


@pytest.mark.parametrize("code", ["0999999", NARYN_VILLAGE])
def test_a_code_outside_the_crosswalk_is_not_compared_even_if_it_looks_like_a_soate(code: str) -> None:
    found = compare_civil_registry(student(OSH), ZAGS, asb(code), CROSSWALK)
    assert found.differences == []
    assert "registered_soate" not in found.compared


def test_without_a_crosswalk_no_address_is_compared() -> None:
    found = compare_civil_registry(student(OSH), ZAGS, asb("0100001"), None)
    assert found.differences == []
    assert "registered_soate" not in found.compared


def test_the_crosswalk_file(tmp_path: Path) -> None:
    path = tmp_path / "crosswalk.csv"
    path.write_text(f"bureau_code,soate\n0700123,{NARYN_VILLAGE}\n0100001, {BISHKEK} \n", encoding="utf-8")
    assert read_crosswalk(path) == {"0700123": NARYN_VILLAGE, "0100001": BISHKEK}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("code,soate\n1,41711000000000\n", "line 1: the header must be bureau_code,soate"),
        ("bureau_code,soate\n1,4171100\n", "line 2: 4171100 is not a 14-digit СОАТЕ code"),
        ("bureau_code,soate\n1\n", "line 2: two fields expected"),
        (
            "bureau_code,soate\n1,41711000000000\n1,41721000000000\n",
            "line 3: bureau code 1 is mapped twice (41711000000000, 41721000000000)",
        ),
        ("", "line 1: the header must be bureau_code,soate"),
    ],
)
def test_a_broken_crosswalk_is_one_clear_error(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "crosswalk.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        read_crosswalk(path)
    assert str(raised.value) == f"invalid configuration: consumers.address_crosswalk in {path}: {problem}"


def test_a_missing_crosswalk_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.csv"
    with pytest.raises(ConfigError, match="no such file"):
        read_crosswalk(path)
