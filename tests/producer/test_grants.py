"""Field grants per service and per record field; lessees who are people (issue 11 §4)."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree
from sqlalchemy import text

from sanarip_hub.ledger.keys import load_keys
from tests.producer.conftest import NSC, Served, envelope, fault_code, pin_body, post

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

NS = "{http://sanarip-aimak.gov.kg/xroad/producer/v1}"
WELFARE = "SUBSYSTEM:central-server/GOV/70000012/welfare-office"


def wrapper(response: Any, service: str) -> etree._Element:
    found = etree.fromstring(response.content).find(f".//{NS}{service}Response")
    assert found is not None, response.text
    return found


def test_granting_the_passports_member_count_releases_no_member_records(served: Served) -> None:
    """The review: ``members`` granted for the social passport released whole member records
    through householdByPin.  Per service, each grant means what it says."""
    served.agree(
        "SA-TEST-PASSPORT-COUNT",
        WELFARE,
        ["householdByPin", "socialPassportByPin"],
        fields={"householdByPin": ["lsgName"], "socialPassportByPin": ["members", "status"]},
    )
    pin = served.pins()[0]
    card = wrapper(post(served, envelope("householdByPin", pin_body("householdByPin", pin), client=WELFARE)),
                   "householdByPin")  # fmt: skip
    assert [etree.QName(c).localname for c in card] == ["resultCode", "lsgName"]
    entry = served.last_entries()[0]
    keys = load_keys(served.settings).pin_key
    assert keys.unseal(entry.subjects_sealed) == [pin]  # no member disclosed, none ledgered


def test_a_record_field_grant_gives_only_that_field_of_each_member(served: Served) -> None:
    served.agree(
        "SA-TEST-RELATIONS", "SUBSYSTEM:central-server/GOV/70000014/relations",
        ["householdByPin"], fields={"householdByPin": ["lsgName", "members.relation"]},
    )  # fmt: skip
    pin = served.pins()[0]
    response = post(
        served,
        envelope("householdByPin", pin_body("householdByPin", pin),
                 client="SUBSYSTEM:central-server/GOV/70000014/relations"),
    )  # fmt: skip
    card = wrapper(response, "householdByPin")
    members = card.findall(f"{NS}members/{NS}member")
    assert members
    for member in members:
        assert [etree.QName(c).localname for c in member] == ["relation"]
    assert pin.encode() not in response.content


def person_lease(served: Served) -> tuple[str, str]:
    """A municipal object leased to a person (an individual entrepreneur): (ENI, the person's PIN)."""
    with served.engine.begin() as connection:
        eni, property_id = connection.execute(
            text("select eni_code, id from municipal_property where eni_code is not null order by id limit 1")
        ).one()
        pin, surname = connection.execute(
            text("select pin, surname from person where pin is not null order by id desc limit 1")
        ).one()
        taken = connection.execute(
            text("select count(*) from property_lease where lessee_inn = :pin"), {"pin": pin}
        ).scalar_one()
        if not taken:
            connection.execute(
                text(
                    "insert into property_lease (id, property_id, lessee_inn, lessee_name, contract_no, "
                    "valid_from, valid_to, rent_som_month, purpose) values ((select coalesce(max(id), 0) + 1 "
                    "from property_lease), :prop, :pin, :name, 'ИК-TEST', '2025-01-01', '2099-01-01', 5000, "
                    "'соода')"
                ),
                {"prop": property_id, "pin": pin, "name": f"ЖИ {surname}"},
            )
    return eni, pin


def eni_body(eni: str) -> str:
    return f"<sa:municipalPropertyByEni><sa:eni>{eni}</sa:eni></sa:municipalPropertyByEni>"


def test_lessees_who_are_people_are_personal_data(served: Served) -> None:
    eni, lessee = person_lease(served)
    # the statistics body: no lessee at all, no userId needed
    response = post(
        served, envelope("municipalPropertyByEni", eni_body(eni), client=NSC, user_id=None, issue=None)
    )
    assert fault_code(response) is None, response.text
    assert wrapper(response, "municipalPropertyByEni").find(f"{NS}lessees") is None
    assert lessee.encode() not in response.content

    # a body granted the lessees: userId required, the person ledgered as a subject
    bank = "SUBSYSTEM:central-server/COM/60000009/bank-collateral"
    served.agree("SA-TEST-LESSEES", bank, ["municipalPropertyByEni"])
    refused = post(served, envelope("municipalPropertyByEni", eni_body(eni), client=bank, user_id=None))
    assert fault_code(refused) == "Client.MissingHeaderField"
    answered = post(served, envelope("municipalPropertyByEni", eni_body(eni), client=bank))
    assert lessee.encode() in answered.content
    entry = served.last_entries()[0]
    assert entry.agreement_id == "SA-TEST-LESSEES"
    assert lessee in load_keys(served.settings).pin_key.unseal(entry.subjects_sealed)
