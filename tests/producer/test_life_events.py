"""A person with a death date is never a current household member in any answer (issue 15 §2).

The register keeps the deceased's membership open until a clerk closes it, and an actualized death
from the civil registry sets ``death_date`` first: every answer that lists members must leave them
out from then on — ``householdByPin``, the signed ``familyComposition`` certificate and REST
``family-members``.  Before this test, all three still listed the deceased.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import etree
from sqlalchemy import text

from tests.producer.conftest import Served, envelope, fault_code, pin_body, post
from tests.producer.test_rest import get, rest_headers

pytestmark = pytest.mark.integration


def soap_member_pins(served: Served, service: str, pin: str) -> list[str]:
    response = post(served, envelope(service, pin_body(service, pin)))
    assert fault_code(response) is None, response.text
    root = etree.fromstring(response.content)
    codes = [e.text for e in root.iter() if etree.QName(e).localname == "resultCode"]
    assert codes == ["OK"], response.text
    return [element.text or "" for element in root.iter() if etree.QName(element).localname == "pin"]


def test_the_deceased_is_listed_by_no_answer(served: Served, deceased: tuple[str, str]) -> None:
    living, dead = deceased
    household = soap_member_pins(served, "householdByPin", living)
    assert living in household
    assert dead not in household
    certificate = soap_member_pins(served, "familyComposition", living)
    assert living in certificate
    assert dead not in certificate
    response = get(served, f"family-members/{living}", rest_headers())
    assert response.status_code == 200
    members = [m["pin"] for m in response.json()["members"]]
    assert living in members
    assert dead not in members


@pytest.fixture
def migrant(served: Served) -> Iterator[tuple[str, str]]:
    """(a member's PIN, the PIN of a member of the same household away on labour migration in
    Russia), restored after."""
    query = text(
        "select p.pin, kin.pin as kin_pin, km.id as km_id from person p "
        "join household_member m on m.person_id = p.id join household h on h.id = m.household_id "
        "join household_member km on km.household_id = h.id and km.person_id <> p.id "
        "join person kin on kin.id = km.person_id "
        "where p.pin is not null and kin.pin is not null and m.member_to is null and km.member_to is null "
        "and h.closed_at is null and p.death_date is null and kin.death_date is null "
        "and not m.is_temporarily_absent and not km.is_temporarily_absent order by p.id desc limit 1"
    )
    away = "is_temporarily_absent = :a, absence_reason = :r, absence_country = :c"
    with served.engine.begin() as connection:
        row = connection.execute(query).one()
        connection.execute(
            text(f"update household_member set {away} where id = :i"),
            {"a": True, "r": "labour_migration", "c": "RUS", "i": row.km_id},
        )
    try:
        yield row.pin, row.kin_pin
    finally:
        with served.engine.begin() as connection:
            connection.execute(
                text(f"update household_member set {away} where id = :i"),
                {"a": False, "r": None, "c": None, "i": row.km_id},
            )


def test_temporary_absence_is_shown_where_members_are_listed(
    served: Served, migrant: tuple[str, str]
) -> None:
    """Labour migration was stored but never shown: a ministry saw a member at home who is abroad."""
    pin, away = migrant
    response = post(served, envelope("householdByPin", pin_body("householdByPin", pin)))
    assert fault_code(response) is None, response.text
    members = {
        member.findtext("{*}pin"): member
        for member in etree.fromstring(response.content).iter()
        if etree.QName(member).localname == "member"
    }
    assert members[away].findtext("{*}temporarilyAbsent") == "true"
    assert members[away].findtext("{*}absenceReason") == "labour_migration"
    assert members[away].findtext("{*}absenceCountry") == "RUS"
    assert members[pin].findtext("{*}temporarilyAbsent") == "false"
    assert members[pin].find("{*}absenceReason") is None
    rest = get(served, f"family-members/{pin}", rest_headers())
    listed = {m["pin"]: m for m in rest.json()["members"]}
    assert listed[away]["temporarilyAbsent"] is True
    assert (listed[away]["absenceReason"], listed[away]["absenceCountry"]) == ("labour_migration", "RUS")
    assert listed[pin]["temporarilyAbsent"] is False
