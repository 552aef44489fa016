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
    parsed = parse_xml(serialize(envelope))
    assert parsed.find(f"{{{SOAP_ENV}}}Header") is None
    fault = parsed.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode") == "Client.AccessDenied"
    assert fault.findtext("faultstring") == "no agreement for this client and service"
    assert fault.findtext("detail/faultDetail") == detail
    assert serialize(envelope).startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
