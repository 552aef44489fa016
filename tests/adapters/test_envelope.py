"""Responses echo the request header by construction; faults have the security server's shape."""

from __future__ import annotations

from lxml import etree

from adapters.xroad.envelope import fault_envelope, response_envelope, serialize
from adapters.xroad.header import SOAP_ENV, read_request
from adapters.xroad.parser import parse_xml
from tests.adapters.test_header import SOAP


def test_response_echoes_every_header_in_order() -> None:
    request = parse_xml(SOAP.encode())
    header, wrapper = read_request(request)
    envelope, response = response_envelope(request, wrapper)
    etree.SubElement(response, "{urn:sanarip}found").text = "true"
    echoed = parse_xml(serialize(envelope))
    request_header = request.find(f"{{{SOAP_ENV}}}Header")
    response_header = echoed.find(f"{{{SOAP_ENV}}}Header")
    assert [etree.tostring(e) for e in response_header] == [etree.tostring(e) for e in request_header]
    echoed_header, echoed_wrapper = read_request(echoed)  # same header; wrapper starts with the service code
    assert echoed_header == header
    assert echoed_wrapper.tag == "{urn:sanarip}householdByPinResponse"
    assert echoed_wrapper.findtext("{urn:sanarip}found") == "true"


def test_fault_shape_matches_the_security_servers() -> None:
    envelope, detail = fault_envelope("Client.AccessDenied", "no agreement for this client and service")
    parsed = parse_xml(envelope)
    assert parsed.find(f"{{{SOAP_ENV}}}Header") is None
    fault = parsed.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode") == "Client.AccessDenied"
    assert fault.findtext("faultstring") == "no agreement for this client and service"
    assert fault.findtext("detail/faultDetail") == detail
    assert envelope.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


HOSTILE = "a\x01b\x0bc<d>&e\"f'g\ufffeh"  # control characters XML 1.0 forbids, markup, quotes


def test_a_request_with_hostile_text_is_still_one_well_formed_message() -> None:
    """Every value the hub writes into a request (userId, issue, a parameter) goes through the one
    text writer: markup escaped, characters XML forbids dropped, so the message parses and says
    what was meant (the forbidden characters aside)."""
    from adapters.civil_registry.contract import INFOCOM, ZAGS_DATA_BY_PIN
    from adapters.xroad.consumer import PreparedConsumer
    from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId

    consumer = PreparedConsumer(
        ZAGS_DATA_BY_PIN,
        INFOCOM,
        ServiceId.parse("central-server/GOV/70000005/zags-service/zagsDataByPin/v1"),
        ClientId.parse("central-server/GOV/70000050/sanaripaymak-service"),
        "http://127.0.0.1:1/",
    )
    message = consumer.message("id-1", HOSTILE, HOSTILE, {"pin": HOSTILE})
    parsed = parse_xml(message)
    expected = "abc<d>&e\"f'gh"
    assert parsed.findtext("{*}Header/{*}userId") == expected
    assert parsed.findtext("{*}Header/{*}issue") == expected
    assert parsed.findtext("{*}Body/{*}zagsDataByPin/{*}pin") == expected


def test_a_fault_with_hostile_text_is_still_a_fault() -> None:
    envelope, detail = fault_envelope("Server.Internal", "failed on " + HOSTILE)
    fault = parse_xml(envelope).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultstring") == "failed on abc<d>&e\"f'gh"
    assert fault.findtext("detail/faultDetail") == detail
