"""Request headers against the security server's own proxy-test messages (copied into tests/data/xroad)."""

from __future__ import annotations

import pytest

from adapters.xroad.header import read_request
from adapters.xroad.parser import parse_xml
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.errors import ExchangeFault
from tests.conftest import XROAD_DATA

FIXTURES = XROAD_DATA


def read(name: str):  # type: ignore[no-untyped-def]
    return read_request(parse_xml((FIXTURES / name).read_bytes()))


@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("proxytest-no-header.request.txt", "Client.MissingHeader"),
        ("proxytest-faulty-header2.request.txt", "Client.DuplicateHeaderField"),
        ("proxytest-malformed-protocolVersion.request.txt", "Client.InvalidProtocolVersion"),
        ("proxytest-wrong-protocolVersion.request.txt", "Client.InvalidProtocolVersion"),
        ("proxytest-missing-protocolVersion.request.txt", "Client.MissingHeaderField"),
        ("proxytest-missing-body.request.txt", "Client.MissingBody"),
        ("proxytest-malformed-body3.request.txt", "Client.InconsistentHeaders"),
    ],
)
def test_security_server_test_messages_give_the_same_fault(name: str, fault: str) -> None:
    with pytest.raises(ExchangeFault) as caught:
        read(name)
    assert caught.value.fault_code == fault


def test_a_request_without_user_id_is_read() -> None:
    header, wrapper = read("proxytest-missing-userId.request.txt")
    assert header.user_id is None
    assert header.protocol_version.startswith("4.")
    assert wrapper.tag.split("}")[-1].startswith(header.service.service_code)


SOAP = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="http://x-road.eu/xsd/xroad.xsd"
    xmlns:id="http://x-road.eu/xsd/identifiers" xmlns:r="http://x-road.eu/xsd/representation.xsd">
  <s:Header>
    <x:client id:objectType="SUBSYSTEM"><id:xRoadInstance>central-server</id:xRoadInstance>
      <id:memberClass>GOV</id:memberClass><id:memberCode>70000003</id:memberCode>
      <id:subsystemCode>sf-personal-data</id:subsystemCode></x:client>
    <x:service id:objectType="SERVICE"><id:xRoadInstance>central-server</id:xRoadInstance>
      <id:memberClass>GOV</id:memberClass><id:memberCode>70000050</id:memberCode>
      <id:subsystemCode>sanaripaymak-service</id:subsystemCode><id:serviceCode>householdByPin</id:serviceCode>
      <id:serviceVersion>v1</id:serviceVersion></x:service>
    <x:id>4894e35d-bf0f-44a6-867a-8e51f1daa7e0</x:id>
    <x:userId>KG21705198091234</x:userId>
    <x:issue>SF-2026/123</x:issue>
    <x:protocolVersion>4.0</x:protocolVersion>
    <r:representedParty><r:partyClass>COM</r:partyClass><r:partyCode>60000061</r:partyCode></r:representedParty>
    <custom:trace xmlns:custom="urn:custom">abc</custom:trace>
  </s:Header>
  <s:Body><m:householdByPin xmlns:m="urn:sanarip"><m:pin>21705198091234</m:pin></m:householdByPin></s:Body>
</s:Envelope>"""


def test_a_full_tunduk_request() -> None:
    header, wrapper = read_request(parse_xml(SOAP.encode()))
    assert header.client == ClientId("central-server", "GOV", "70000003", "sf-personal-data")
    assert header.service == ServiceId.parse(
        "SERVICE:central-server/GOV/70000050/sanaripaymak-service/householdByPin/v1"
    )
    assert (header.id, header.user_id, header.issue) == (
        "4894e35d-bf0f-44a6-867a-8e51f1daa7e0",
        "KG21705198091234",
        "SF-2026/123",
    )
    assert header.represented_party is not None
    assert header.represented_party.party_code == "60000061"
    assert [e.tag for e in header.extra] == ["{urn:custom}trace"]  # unknown headers are kept for the echo
    assert wrapper.findtext("{urn:sanarip}pin") == "21705198091234"


@pytest.mark.parametrize(
    ("change", "fault"),
    [
        (lambda s: s.replace('id:objectType="SUBSYSTEM"', 'id:objectType="SERVER"'), "Client.InvalidXml"),
        (
            lambda s: s.replace(
                "<id:memberCode>70000003</id:memberCode>", "<id:memberCode>7000 0003</id:memberCode>"
            ),
            "Client.InvalidClientIdentifier",
        ),
        (
            lambda s: s.replace(
                "<id:serviceCode>householdByPin</id:serviceCode>", "<id:serviceCode>a:b</id:serviceCode>"
            ),
            "Client.InvalidServiceIdentifier",
        ),
        (lambda s: s.replace("</s:Body>", "<extra/></s:Body>"), "Client.InvalidBody"),
        (
            lambda s: s.replace("<x:id>4894e35d-bf0f-44a6-867a-8e51f1daa7e0</x:id>", ""),
            "Client.MissingHeaderField",
        ),
        (lambda s: s.replace("<r:partyCode>60000061</r:partyCode>", ""), "Client.InvalidXml"),
        (lambda s: s.replace("s:Envelope", "s:Envelop"), "Client.InvalidSoap"),
    ],
)
def test_bad_requests_get_the_security_servers_fault(change, fault: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExchangeFault) as caught:
        read_request(parse_xml(change(SOAP).encode()))
    assert caught.value.fault_code == fault
