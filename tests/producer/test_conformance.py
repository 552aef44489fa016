"""Conformance with the official X-Road messages (copied into ``tests/data/xroad``) on the live producer.

* What must fail fails with the security server's fault code (the proxy tests' expectations).
* What must pass passes: every valid request of the corpus, with its client and service identifiers
  and its body *transplanted* to one of ours (header order, prefixes, default namespaces, comments,
  CDATA, missing ``userId``, ``representedParty``, security tokens … all kept), is answered, and the
  answer echoes its header exactly.  Sent untransplanted, the same requests are refused with
  ``Client.UnknownService``: their header was read, they are simply addressed to another provider.

xrd4j's own fixtures use the instance ``FI_TEST``; an underscore is outside the characters PR-MESS
4.0.25 and PR-REST 1.0.3 allow in identifiers, so sent as they are they get
``Client.InvalidClientIdentifier`` (transplanted, they pass like the rest).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from tests.producer.conftest import FIXTURES, NSC, Served, fault_code, post

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

SOAP_ENV = "{http://schemas.xmlsoap.org/soap/envelope/}"
XROAD = "http://x-road.eu/xsd/xroad.xsd"
IDS = "http://x-road.eu/xsd/identifiers"
NS = "http://sanarip-aimak.gov.kg/xroad/producer/v1"
XRD4J = FIXTURES / "xrd4j-fixtures"

MUST_FAIL = {
    "proxytest-no-header.request.txt": "Client.MissingHeader",
    "proxytest-fault.request.txt": "Client.MissingHeader",
    "proxytest-faulty-header.request.txt": "Client.MissingHeaderField",
    "proxytest-faulty-header2.request.txt": "Client.DuplicateHeaderField",
    "proxytest-malformed-protocolVersion.request.txt": "Client.InvalidProtocolVersion",
    "proxytest-wrong-protocolVersion.request.txt": "Client.InvalidProtocolVersion",
    "proxytest-wrong-version.request.txt": "Client.InvalidProtocolVersion",
    "proxytest-missing-protocolVersion.request.txt": "Client.MissingHeaderField",
    "proxytest-missing-body.request.txt": "Client.MissingBody",
    "proxytest-malformed-body1.request.txt": "Client.InvalidBody",
    "proxytest-malformed-body2.request.txt": "Client.InvalidBody",
    "proxytest-malformed-body3.request.txt": "Client.InconsistentHeaders",
    "proxytest-inconsistent-headers.request.txt": "Client.InconsistentHeaders",
    "proxytest-missingobjecttype.request.txt": "Client.InvalidXml",
    "proxytest-no-soap.request.txt": "Client.InvalidXml",
    "proxytest-attachm.request.txt": "Client.InvalidXml",  # a MIME body sent as text/xml
    "xrd4j-fixtures/unit-req-testException1.xml": "Client.MissingHeaderField",
    "xrd4j-fixtures/unit-req-testException2.xml": "Client.MissingHeaderField",
    "xrd4j-fixtures/unit-req-testException3.xml": "Client.MissingHeaderField",
    "xrd4j-fixtures/unit-req-test3.xml": "Client.InvalidXml",  # CENTRALSERVICE: removed from X-Road in 2023
    "xrd4j-fixtures/unit-req-test4.xml": "Client.InvalidXml",
    "xrd4j-fixtures/unit-req-test5.xml": "Client.InvalidProtocolVersion",  # protocolVersion 10.0
    "xrd4j-fixtures/unit-req-test6.xml": "Client.InvalidProtocolVersion",  # 11.5: only 4.x is protocol 4
    "xrd4j-fixtures/it-hello-request.xml": "Client.InvalidClientIdentifier",  # FI_TEST
    "xrd4j-fixtures/examples-request1.xml": "Client.InvalidClientIdentifier",
}

MUST_PASS = [
    "proxytest-simple.request.txt",
    "proxytest-simplesoap.xml",
    "proxytest-missing-userId.request.txt",
    "proxytest-simple-representedparty.request.txt",
    "proxytest-getstate.request.txt",
    "proxytest-getstate-defaultnamespace.request.txt",
    "proxytest-getstate-subsystem.request.txt",
    "proxytest-cdata.request.txt",
    "proxytest-nowhitespace.request.txt",
    "proxytest-split-header.request.txt",
    "proxytest-missing-org.request.txt",
    "proxytest-request-suffix.request.txt",
    "proxytest-xmlencoded.request.txt",
    "spec-mess-annexE1-request.xml",
    "spec-repr-request.xml",
    "spec-targetss-request.xml",
    "xrd4j-fixtures/unit-req-test1.xml",
    "xrd4j-fixtures/unit-req-test2.xml",
    "xrd4j-fixtures/unit-req-test7.xml",
    "xrd4j-fixtures/unit-req-test8.xml",
    "xrd4j-fixtures/unit-req-test9.xml",
    "xrd4j-fixtures/unit-req-test11.xml",
    "xrd4j-fixtures/unit-req-test12.xml",
    "xrd4j-fixtures/unit-req-test13.xml",
    "xrd4j-fixtures/it-hello-request.xml",
    "xrd4j-fixtures/example-adapter-listPeopleRequest.xml",
]


def _fill(element: etree._Element, kind: str, parts: list[tuple[str, str]]) -> None:
    for child in list(element):
        element.remove(child)
    element.set(f"{{{IDS}}}objectType", kind)
    for name, value in parts:
        etree.SubElement(element, f"{{{IDS}}}{name}").text = value


def transplant(data: bytes, soate: str) -> bytes:
    """The same message addressed to our ``lsgPassport`` by the statistics body."""
    root = etree.fromstring(data)
    header = root.find(f"{SOAP_ENV}Header")
    instance, member_class, member_code, subsystem = NSC.partition(":")[2].split("/")
    _fill(
        header.find(f"{{{XROAD}}}client"),
        "SUBSYSTEM",
        [
            ("xRoadInstance", instance),
            ("memberClass", member_class),
            ("memberCode", member_code),
            ("subsystemCode", subsystem),
        ],
    )
    _fill(
        header.find(f"{{{XROAD}}}service"),
        "SERVICE",
        [
            ("xRoadInstance", "central-server"),
            ("memberClass", "GOV"),
            ("memberCode", "70000050"),
            ("subsystemCode", "sanaripaymak-service"),
            ("serviceCode", "lsgPassport"),
            ("serviceVersion", "v1"),
        ],
    )
    body = root.find(f"{SOAP_ENV}Body")
    for child in list(body):
        body.remove(child)
    request = etree.SubElement(body, f"{{{NS}}}lsgPassport", nsmap={"sa": NS})
    etree.SubElement(request, f"{{{NS}}}soate").text = soate
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize(("name", "expected"), sorted(MUST_FAIL.items()))
def test_what_must_fail_fails_with_the_security_servers_code(
    served: Served, name: str, expected: str
) -> None:
    before = served.ledger_size()
    response = post(served, (FIXTURES / name).read_bytes())
    assert fault_code(response) == expected
    assert served.ledger_size() == before + 1


@pytest.mark.parametrize("name", MUST_PASS)
def test_what_must_pass_passes_with_its_header_echoed(served: Served, name: str) -> None:
    from sqlalchemy import text

    with served.engine.connect() as connection:
        soate = connection.execute(text("select soate_code from lsg_body order by id limit 1")).scalar_one()
    request = transplant((FIXTURES / name).read_bytes(), soate)
    response = post(served, request)
    assert fault_code(response) is None, response.text[:400]
    answer = etree.fromstring(response.content)
    assert answer.findtext(f".//{{{NS}}}lsgPassportResponse/{{{NS}}}resultCode") == "OK"
    sent_header = etree.fromstring(request).find(f"{SOAP_ENV}Header")
    assert etree.tostring(answer.find(f"{SOAP_ENV}Header"), method="c14n", exclusive=True) == etree.tostring(
        copy.deepcopy(sent_header), method="c14n", exclusive=True
    )


@pytest.mark.parametrize("name", [n for n in MUST_PASS if not n.startswith("xrd4j-fixtures/it-")])
def test_valid_requests_for_another_provider_are_unknown_services(served: Served, name: str) -> None:
    response = post(served, (FIXTURES / name).read_bytes())
    assert fault_code(response) == "Client.UnknownService"


def test_every_fixture_named_here_exists() -> None:
    for name in [*MUST_FAIL, *MUST_PASS]:
        assert Path(FIXTURES / name).is_file(), name
