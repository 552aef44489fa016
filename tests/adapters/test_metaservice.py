"""The getWsdl metaservice: the request as the spec's example has it, and the reference
multipart answer (X-Road's own test fixture) read back to its WSDL."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.xroad.header import XROAD, read_request
from adapters.xroad.metaservice import (
    get_wsdl_answer,
    get_wsdl_request,
    list_methods_answer,
    list_methods_request,
    read_get_wsdl_answer,
    read_list_methods_answer,
)
from adapters.xroad.parser import parse_xml
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.errors import ConsumerError

DATA = Path(__file__).resolve().parents[1] / "data" / "xroad"
CLIENT = ClientId.parse("central-server/GOV/70000050/sanaripaymak-service")
SERVICE = ServiceId(ClientId.parse("central-server/GOV/70000005/zags-service"), "zagsDataByPin", "v1")


def test_the_request_asks_the_providers_getwsdl_for_the_service() -> None:
    request = get_wsdl_request(CLIENT, SERVICE, "m-1", "operator")
    header, wrapper = read_request(parse_xml(request))
    spec_header, spec_wrapper = read_request(parse_xml((DATA / "spec-meta-getWsdl-request.xml").read_bytes()))
    assert header.service.service_code == spec_header.service.service_code == "getWsdl"
    assert header.service.client == SERVICE.client
    assert wrapper.tag == spec_wrapper.tag == f"{{{XROAD}}}getWsdl"
    assert [child.tag for child in wrapper] == [child.tag for child in spec_wrapper]
    assert wrapper.findtext(f"{{{XROAD}}}serviceCode") == "zagsDataByPin"


def test_the_reference_multipart_answer_gives_its_wsdl() -> None:
    wsdl = read_get_wsdl_answer((DATA / "wsdl-metaservice-response-attachment.xml").read_bytes(), "getRandom")
    assert b'<wsdl:definitions name="testService"' in wsdl
    assert wsdl.rstrip().endswith(b"</wsdl:definitions>")


def test_our_answer_reads_back() -> None:
    request = get_wsdl_request(CLIENT, SERVICE, "m-2", "operator")
    wsdl = (DATA / "wsdl-testservice-valid.wsdl").read_bytes()
    answer = get_wsdl_answer(request, wsdl, "xroadBOUNDARY1")
    assert read_get_wsdl_answer(answer, "zagsDataByPin") == wsdl


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not an answer", "not multipart"),
        (
            b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
            b"<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>Server.ServerProxy.UnknownService</faultcode>"
            b"<faultstring>no such service</faultstring></SOAP-ENV:Fault>"
            b"</SOAP-ENV:Body></SOAP-ENV:Envelope>",
            "no such service",
        ),
    ],
)
def test_a_fault_or_garbage_is_one_clear_error(content: bytes, message: str) -> None:
    with pytest.raises(ConsumerError, match=message):
        read_get_wsdl_answer(content, "zagsDataByPin")


def test_an_answer_for_another_service_is_refused() -> None:
    fixture = (DATA / "wsdl-metaservice-response-attachment.xml").read_bytes()
    with pytest.raises(ConsumerError, match="asked for zagsDataByPin, answered for getRandom"):
        read_get_wsdl_answer(fixture, "zagsDataByPin")


def test_list_methods_asks_the_provider_subsystem_as_the_spec_example_does() -> None:
    provider = SERVICE.client
    header, wrapper = read_request(parse_xml(list_methods_request(CLIENT, provider, "m-3", "checker")))
    spec_header, spec_wrapper = read_request(
        parse_xml((DATA / "spec-meta-listMethods-request.xml").read_bytes())
    )
    assert header.service.service_code == spec_header.service.service_code == "listMethods"
    assert header.service.client == provider
    assert header.service.version is None
    assert wrapper.tag == spec_wrapper.tag == f"{{{XROAD}}}listMethods"
    assert len(wrapper) == len(spec_wrapper) == 0


def test_the_spec_list_methods_answer_reads_to_its_services() -> None:
    listed = read_list_methods_answer((DATA / "spec-meta-listMethods-response.xml").read_bytes())
    assert [str(service) for service in listed] == [
        "SERVICE:Inst1/MemberClass1/ProviderId/Subsystem1/allowedService/v1",
        "SERVICE:Inst1/MemberClass1/ProviderId/Subsystem1/disallowedService/v1",
    ]


def test_our_list_methods_answer_reads_back() -> None:
    offered = [SERVICE, ServiceId(SERVICE.client, "zagsPinsByNSPDate")]
    answer = list_methods_answer(list_methods_request(CLIENT, SERVICE.client, "m-4", "checker"), offered)
    assert read_list_methods_answer(answer) == offered


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"<not-xml", "bad reply: listMethods: malformed XML"),
        (
            (DATA / "spec-meta-allowedMethods-response.xml").read_bytes(),
            "bad reply: listMethods: the answer has no listMethodsResponse",
        ),
        (
            (DATA / "spec-meta-listMethods-response.xml")
            .read_bytes()
            .replace(b"<id:serviceCode>allowedService", b"<id:serviceCode>allowed/Service"),
            "bad reply: listMethods: ",
        ),
        (
            (DATA / "spec-mess-annexD1-technical-fault.xml").read_bytes(),
            "Server.ClientProxy.ServiceFailed.MissingBody: Malformed SOAP message: body missing",
        ),
    ],
)
def test_a_list_methods_answer_that_is_not_one_is_refused(answer: bytes, message: str) -> None:
    with pytest.raises(ConsumerError) as refused:
        read_list_methods_answer(answer)
    assert str(refused.value).startswith(message)
