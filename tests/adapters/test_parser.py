"""The hardened XML parser: official X-Road messages parse; hostile documents are refused with a reason."""

from __future__ import annotations

import pytest

from adapters.xroad.parser import parse_xml
from sanarip_hub.errors import XmlRejected
from tests.conftest import XROAD_DATA

FIXTURES = XROAD_DATA
SAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers">
  <SOAP-ENV:Header><xrd:protocolVersion>4.0</xrd:protocolVersion></SOAP-ENV:Header>
  <SOAP-ENV:Body><ns:householdByPin xmlns:ns="urn:x"><ns:pin>21705198091234</ns:pin></ns:householdByPin>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>"""


def test_a_soap_message_parses() -> None:
    root = parse_xml(SAMPLE)
    assert root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
    assert root.findtext(".//{urn:x}pin") == "21705198091234"


@pytest.mark.parametrize(
    "name",
    [
        "spec-mess-annexE1-request.xml",
        "spec-mess-annexE2-response.xml",
        "spec-mess-annexD1-technical-fault.xml",
        "example-gmt-getRandom-request.xml",
    ],
)
def test_official_examples_parse(name: str) -> None:
    parse_xml((FIXTURES / name).read_bytes())


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>"""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (BILLION_LAUGHS, "dtd"),
        (XXE, "dtd"),
        (EXTERNAL_DTD, "dtd"),
        (b"<r>&undeclared;</r>", "malformed"),  # an undeclared entity is a well-formedness error
        (b"<r><a></r>", "malformed"),
        (b"", "malformed"),
        (b"not xml at all", "malformed"),
        (b"<r>" * 101 + b"</r>" * 101, "too_deep"),
        (b"<r>" + b"x" * 2048 + b"</r>", "too_large"),
    ],
)
def test_hostile_documents_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(XmlRejected) as caught:
        parse_xml(data, max_bytes=2048)
    assert caught.value.reason == reason


def test_limits_are_configurable() -> None:
    deep = b"<r>" * 150 + b"</r>" * 150
    assert parse_xml(deep, max_depth=200).tag == "r"
    with pytest.raises(XmlRejected, match="deeper than 20"):
        parse_xml(deep, max_depth=20)
