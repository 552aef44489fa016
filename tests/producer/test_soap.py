"""End to end on loopback: zeep, built from the served WSDL, calls every service with X-Road headers."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import zeep
from lxml import etree
from sqlalchemy import text

from adapters.xroad.certificate import verify_certificate
from sanarip_hub.errors import CertificateError
from sanarip_hub.producer.agreements import revoke
from sanarip_hub.storage.agreements import AgreementTable
from tests.producer.conftest import NSC, PDP, SF, Served, envelope, fault_code, pin_body, post, stat_body

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

SOAP_ENV = "{http://schemas.xmlsoap.org/soap/envelope/}"
NS = "{http://sanarip-aimak.gov.kg/xroad/producer/v1}"


def headers(
    code: str, client: str = SF, user_id: str | None = "KG-OFFICIAL-7", issue: str | None = "case-1"
) -> dict[str, Any]:
    instance, member_class, member_code, subsystem = client.partition(":")[2].split("/")
    values: dict[str, Any] = {
        "client": {
            "objectType": "SUBSYSTEM",
            "xRoadInstance": instance,
            "memberClass": member_class,
            "memberCode": member_code,
            "subsystemCode": subsystem,
        },
        "service": {
            "objectType": "SERVICE",
            "xRoadInstance": "central-server",
            "memberClass": "GOV",
            "memberCode": "70000050",
            "subsystemCode": "sanaripaymak-service",
            "serviceCode": code,
            "serviceVersion": "v1",
        },
        "id": str(uuid.uuid4()),
        "protocolVersion": "4.0",
    }
    if user_id:
        values["userId"] = user_id
    if issue:
        values["issue"] = issue
    return values


@pytest.fixture(scope="module")
def client(served: Served) -> zeep.Client:
    return zeep.Client(f"{served.url}/xroad?wsdl")


def call(client: zeep.Client, code: str, **kwargs: Any) -> Any:
    head = kwargs.pop("_headers", None) or headers(code)
    return getattr(client.service, code)(**kwargs, _soapheaders=head)


def test_household_by_pin_returns_the_household_and_echoes_the_header(
    served: Served, client: zeep.Client
) -> None:
    pin = served.pins()[0]
    sent = headers("householdByPin")
    reply = call(client, "householdByPin", pin=pin, _headers=sent)
    assert reply.header.id == sent["id"]
    assert reply.header.userId == sent["userId"]
    assert reply.header.issue == sent["issue"]
    assert reply.header.client.memberCode == "70000003"
    assert reply.body.resultCode == "OK"
    assert pin in [m.pin for m in reply.body.members.member]
    with served.engine.connect() as connection:
        expected = connection.execute(
            text(
                "select count(*) from household_member m join person p on p.id = m.person_id "
                "where m.member_to is null and m.household_id = (select household_id from household_member "
                "where person_id = (select id from person where pin = :pin) and member_to is null)"
            ),
            {"pin": pin},
        ).scalar_one()
    assert len(reply.body.members.member) == expected
    entry = served.last_entries()[0]
    assert (entry.message_id, entry.outcome, entry.agreement_id) == (sent["id"], "ok", "SA-TEST-SF")


@pytest.mark.parametrize(
    ("code", "kwargs", "client_id", "field"),
    [
        ("familyComposition", {}, SF, "certificate"),
        ("socialPassportByPin", {}, SF, None),
        ("landQueuePosition", {}, SF, None),
        ("findUsage", {}, PDP, "usages"),
        ("lsgPassport", {"period": None}, NSC, "population"),
        ("statAggregates", {"indicator": "population_by_gender"}, NSC, "cells"),
        ("municipalPropertyList", {}, NSC, "items"),
    ],
)
def test_every_service_answers_through_zeep(
    served: Served, client: zeep.Client, code: str, kwargs: dict[str, Any], client_id: str, field: str | None
) -> None:
    pin = served.pins()[0]
    with served.engine.connect() as connection:
        lsg_soate = connection.execute(
            text("select soate_code from lsg_body order by id limit 1")
        ).scalar_one()
    if code in ("lsgPassport", "statAggregates", "municipalPropertyList"):
        kwargs = {**kwargs, "soate": lsg_soate}
    else:
        kwargs = {**kwargs, "pin": pin}
    if code == "findUsage":  # a lookup of this person to report, whichever tests ran before
        call(client, "householdByPin", _headers=headers("householdByPin", SF), pin=pin)
    reply = call(client, code, _headers=headers(code, client_id), **kwargs)
    assert reply.body.resultCode in ("OK", "NOT_FOUND")
    if field is not None:
        assert reply.body.resultCode == "OK"
        assert reply.body[field] is not None


def test_municipal_property_by_eni(served: Served, client: zeep.Client) -> None:
    with served.engine.connect() as connection:
        eni = connection.execute(
            text("select eni_code from municipal_property where eni_code is not null order by id limit 1")
        ).scalar()
    if eni is None:
        pytest.skip("the seed made no property with an ENI")
    reply = call(client, "municipalPropertyByEni", eni=eni, _headers=headers("municipalPropertyByEni", NSC))
    assert (reply.body.resultCode, reply.body.eni) == ("OK", eni)


def test_the_certificate_verifies_and_breaks_when_one_byte_changes(
    served: Served, client: zeep.Client
) -> None:
    pin = served.pins()[0]
    reply = call(client, "familyComposition", pin=pin)
    certificate = reply.body.certificate._value_1[0]
    data = etree.tostring(certificate, encoding="UTF-8")
    cert_pem = served.signing_cert(certificate.findtext("{*}issuer/{*}soate"))
    signed = verify_certificate(data, cert_pem)
    assert signed.findtext("{*}subjectPin") == pin
    assert pin in [m.findtext("{*}pin") for m in signed.iter("{*}member")]
    position = data.index(pin.encode()) + 3
    changed = (
        data[:position] + (b"0" if data[position : position + 1] != b"0" else b"1") + data[position + 1 :]
    )
    with pytest.raises(CertificateError, match="does not verify"):
        verify_certificate(changed, cert_pem)


def test_the_response_header_is_the_request_header_byte_for_byte(served: Served) -> None:
    pin = served.pins()[0]
    extra = (
        '<repr:representedParty xmlns:repr="http://x-road.eu/xsd/representation.xsd">'
        "<repr:partyClass>COM</repr:partyClass><repr:partyCode>UNKNOWN</repr:partyCode></repr:representedParty>"
        '<tok:securityToken xmlns:tok="http://x-road.eu/xsd/security-token.xsd" '
        'tokenType="urn:ietf:params:oauth:token-type:jwt">abc.def</tok:securityToken>'
    )
    request = envelope("householdByPin", pin_body("householdByPin", pin), extra_headers=extra)
    response = post(served, request)
    assert response.status_code == 200
    assert fault_code(response) is None
    sent = etree.fromstring(request).find(f"{SOAP_ENV}Header")
    got = etree.fromstring(response.content).find(f"{SOAP_ENV}Header")
    assert etree.tostring(got, method="c14n", exclusive=True) == etree.tostring(
        sent, method="c14n", exclusive=True
    )
    assert served.last_entries()[0].represented_party == "COM/UNKNOWN"


def test_unknown_pin_is_the_same_business_answer_for_every_personal_service(served: Served) -> None:
    unknown = "21212199999999"
    for code in ("householdByPin", "familyComposition", "socialPassportByPin", "landQueuePosition"):
        response = post(served, envelope(code, pin_body(code, unknown)))
        root = etree.fromstring(response.content)
        assert fault_code(response) is None, code
        assert root.findtext(f".//{NS}{code}Response/{NS}resultCode") == "PIN_NOT_FOUND", code


def test_no_agreement_is_access_denied_and_ledgered(served: Served) -> None:
    pin = served.pins()[0]
    before = served.ledger_size()
    response = post(
        served,
        envelope(
            "statAggregates",
            "<sa:statAggregates><sa:indicator>households_by_type</sa:indicator><sa:soate>41700000000000</sa:soate></sa:statAggregates>",
        ),
    )
    assert fault_code(response) == "Client.AccessDenied"
    other = "SUBSYSTEM:central-server/COM/60000001/bank-scoring"
    response = post(served, envelope("householdByPin", pin_body("householdByPin", pin), client=other))
    assert fault_code(response) == "Client.AccessDenied"
    assert served.ledger_size() == before + 2
    entry = served.last_entries()[0]
    assert (entry.client_id, entry.outcome) == (other, "Client.AccessDenied")
    assert entry.subjects_sealed  # the data subject can learn of the refused attempt too


def test_personal_data_needs_user_id_and_issue(served: Served) -> None:
    pin = served.pins()[0]
    response = post(served, envelope("householdByPin", pin_body("householdByPin", pin), user_id=None))
    assert fault_code(response) == "Client.MissingHeaderField"
    assert b"userId" in response.content
    response = post(served, envelope("householdByPin", pin_body("householdByPin", pin), issue=None))
    assert fault_code(response) == "Client.MissingHeaderField"
    assert b"issue" in response.content
    # aggregates are not personal data: no userId needed
    body = stat_body("households_by_type", "41700000000000")
    response = post(served, envelope("statAggregates", body, client=NSC, user_id=None, issue=None))
    assert fault_code(response) is None


def test_an_agreement_can_waive_the_issue_header(served: Served) -> None:
    waived = "SUBSYSTEM:central-server/GOV/70000099/portal"
    served.agree("SA-TEST-WAIVE", waived, ["householdByPin"], require_issue=False)
    pin = served.pins()[0]
    response = post(
        served, envelope("householdByPin", pin_body("householdByPin", pin), client=waived, issue=None)
    )
    assert fault_code(response) is None
    response = post(
        served, envelope("householdByPin", pin_body("householdByPin", pin), client=waived, user_id=None)
    )
    assert fault_code(response) == "Client.MissingHeaderField"  # userId is never waived


def test_the_response_carries_only_the_agreements_fields(served: Served) -> None:
    bank = "SUBSYSTEM:central-server/COM/60000002/bank-address"
    served.agree("SA-TEST-FIELDS", bank, ["householdByPin"], fields=["address", "accountNo"])
    pin = served.pins()[0]
    response = post(served, envelope("householdByPin", pin_body("householdByPin", pin), client=bank))
    wrapper = etree.fromstring(response.content).find(f".//{NS}householdByPinResponse")
    assert [child.tag.removeprefix(NS) for child in wrapper] == ["resultCode", "accountNo", "address"]
    assert b"<sa:members" not in response.content
    assert b"members" not in response.content
    # members were not disclosed, so only the PIN asked about is a subject of the entry
    entry = served.last_entries()[0]
    assert entry.agreement_id == "SA-TEST-FIELDS"


def test_a_revoked_agreement_denies_the_next_call(served: Served) -> None:
    court = "SUBSYSTEM:central-server/GOV/70000077/court"
    served.agree("SA-TEST-REVOKE", court, ["householdByPin"])
    pin = served.pins()[0]
    assert (
        fault_code(post(served, envelope("householdByPin", pin_body("householdByPin", pin), client=court)))
        is None
    )
    revoke(AgreementTable(served.engine), "SA-TEST-REVOKE", "test", "agreement ended")
    response = post(served, envelope("householdByPin", pin_body("householdByPin", pin), client=court))
    assert fault_code(response) == "Client.AccessDenied"


def test_stat_aggregates_suppress_small_cells_and_never_carry_a_pin_or_name(served: Served) -> None:
    with served.engine.connect() as connection:
        soate = connection.execute(text("select soate_code from lsg_body order by id limit 1")).scalar_one()
        names = {row[0] for row in connection.execute(text("select surname from person"))}
    seen_suppressed = False
    for indicator in ("population_by_gender", "households_by_type", "social_passports_by_category"):
        body = stat_body(indicator, soate)
        response = post(served, envelope("statAggregates", body, client=NSC))
        assert fault_code(response) is None
        text_out = response.content.decode()
        assert not re.search(r"[12]\d{13}", text_out.replace(soate, "")), "a PIN-like number leaked"
        assert not any(f">{name}<" in text_out for name in names)
        for cell in etree.fromstring(response.content).iter(f"{NS}cell"):
            count = cell.findtext(f"{NS}count")
            if cell.findtext(f"{NS}suppressed") == "true":
                seen_suppressed = True
                assert count is None
            else:
                assert int(count) >= 10
    assert seen_suppressed, "a 120-household seed has categories under 10; one must be suppressed"


def test_find_usage_reports_who_received_the_persons_data(served: Served, client: zeep.Client) -> None:
    """In full to the oversight body; to the data subject (userId = PIN) without other bodies'
    userId, issue and message id (tests/console/test_find_usage.py has the whole rule)."""
    pin = served.pins(limit=3)[2]
    sent = headers("householdByPin")
    call(client, "householdByPin", pin=pin, _headers=sent)
    report = call(client, "findUsage", pin=pin, _headers=headers("findUsage", PDP))
    usages = report.body.usages.usage
    assert sent["id"] in [u.messageId for u in usages]
    mine = next(u for u in usages if u.messageId == sent["id"])
    assert (mine.client, mine.agreement, mine.issue) == (SF, "SA-TEST-SF", sent["issue"])
    assert mine.clientName == "Социалдык фонд"
    own = call(client, "findUsage", pin=pin, _headers=headers("findUsage", SF, user_id=pin))
    lines = own.body.usages.usage
    assert SF in {u.client for u in lines if u.service == "householdByPin"}
    assert all(u.messageId is None and u.userId is None and u.issue is None for u in lines)
    refused = post(served, envelope("findUsage", pin_body("findUsage", pin)))  # an official, not the person
    assert fault_code(refused) == "Client.AccessDenied"


def test_an_invalid_pin_is_an_invalid_request(served: Served) -> None:
    response = post(served, envelope("householdByPin", pin_body("householdByPin", "12345")))
    assert fault_code(response) == "Client.InvalidRequest"
    response = post(served, envelope("householdByPin", "<sa:householdByPin/>"))
    assert fault_code(response) == "Client.InvalidRequest"


def test_wsdl_is_served_in_the_security_server_form(served: Served) -> None:
    query = (
        "xRoadInstance=central-server&memberClass=GOV&memberCode=70000050"
        "&subsystemCode=sanaripaymak-service&serviceCode=householdByPin&version=v1"
    )
    response = httpx.get(f"{served.url}/wsdl?{query}")
    assert response.status_code == 200
    assert b"householdByPinResponse" in response.content
    assert httpx.get(f"{served.url}/wsdl?{query.replace('70000050', '70000051')}").status_code == 404
    assert httpx.get(f"{served.url}/wsdl?{query.replace('householdByPin', 'nope')}").status_code == 404
    zeep.Client(f"{served.url}/wsdl?{query}")  # loads with its schemas from the hub, no internet
    assert httpx.get(f"{served.url}/schemas/xroad.xsd").status_code == 200
    assert httpx.get(f"{served.url}/schemas/..%2Fsanaripaymak.wsdl").status_code == 404


def _certificate(served: Served, client: zeep.Client, pin: str) -> Any:
    reply = call(client, "familyComposition", pin=pin)
    element = reply.body.certificate._value_1[0]
    data = etree.tostring(element, encoding="UTF-8")
    return verify_certificate(data, served.signing_cert(element.findtext("{*}issuer/{*}soate")))


def test_the_certificate_says_who_issued_it_to_whom_why_and_until_when(
    served: Served, client: zeep.Client
) -> None:
    """Issue 16 §2: issuer, issue time, the day its data describe, validity end ([certificates]
    valid_days after it), recipient (the client subsystem) and purpose (the request's issue)."""
    from datetime import date, timedelta

    pin = served.pins()[0]
    signed = _certificate(served, client, pin)
    valid_on = date.fromisoformat(signed.findtext("{*}dataValidOn"))
    assert date.fromisoformat(signed.findtext("{*}validUntil")) == valid_on + timedelta(days=30)
    issued = signed.findtext("{*}issuedAt")
    assert abs((date.fromisoformat(issued[:10]) - valid_on).days) <= 1  # UTC vs Bishkek day
    assert signed.findtext("{*}recipient") == SF.removeprefix("SUBSYSTEM:")
    assert signed.findtext("{*}purpose") == "case-1"
    assert signed.findtext("{*}issuer/{*}soate")
    assert signed.findtext("{*}subjectPin") == pin
    assert signed.find("{*}askedPin") is None


XMLSEC_IDS = (
    "--id-attr:Id", "familyCompositionCertificate",
    "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
    "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:KeyInfo",
)  # fmt: skip


def test_a_verifier_that_is_not_ours_accepts_the_certificate_and_rejects_a_changed_byte(
    served: Served, client: zeep.Client, tmp_path: Path
) -> None:
    """Issue 16 §3: Debian's xmlsec1 verifies the XAdES signature of a certificate extracted from the
    SOAP answer (its three references: the certificate, the signed properties with signing time and
    signing certificate, the key info), and refuses it with one byte of a member's PIN changed."""
    import subprocess

    from tests.debian import ensure_debian

    xmlsec1 = ensure_debian("xmlsec1", "xmlsec1")
    pin = served.pins()[1]
    reply = call(client, "familyComposition", pin=pin)
    data = etree.tostring(reply.body.certificate._value_1[0], encoding="UTF-8")
    assert b"SigningTime" in data
    assert b"SigningCertificate" in data
    cert = tmp_path / "lsg.pem"
    soate = reply.body.certificate._value_1[0].findtext("{*}issuer/{*}soate")
    cert.write_bytes(served.signing_cert(soate))

    def xmlsec_verify(document: bytes) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "certificate.xml"
        path.write_bytes(document)
        command = [xmlsec1, "--verify", "--trusted-pem", str(cert), *XMLSEC_IDS, str(path)]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    accepted = xmlsec_verify(data)
    assert accepted.returncode == 0, accepted.stderr
    assert "SignedInfo References (ok/all): 3/3" in accepted.stderr + accepted.stdout
    position = data.index(pin.encode()) + 5
    digit = b"0" if data[position : position + 1] != b"0" else b"1"
    rejected = xmlsec_verify(data[:position] + digit + data[position + 1 :])
    assert rejected.returncode != 0
    assert "FAIL" in rejected.stderr + rejected.stdout
