"""WSDL messages read as shapes with xmlschema: ours and a provider's by the same code, a type
behind a restriction as its built-in type, X-Road's schemas from our copies whatever location the
provider names, and a hostile or foreign document refused with one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.xroad.contract_shape import WsdlMessages
from adapters.xroad.wsdl import WSDL_DIR
from sanarip_hub.contracts import COMMITTED
from sanarip_hub.domain.contract_drift import Shape
from sanarip_hub.errors import ConsumerError

ZAGS = (WSDL_DIR / "zags-service.wsdl").read_bytes()
DATA = Path(__file__).resolve().parents[1] / "data" / "xroad"


@pytest.mark.parametrize("file_name", list(COMMITTED))
def test_every_operation_of_every_committed_contract_reads(file_name: str) -> None:
    messages = WsdlMessages((WSDL_DIR / file_name).read_bytes(), file_name)
    contract = COMMITTED[file_name]
    assert set(messages.operations()) == {s.code for s in contract.services if not s.rest_only}
    for service in contract.services:
        if service.rest_only:
            continue
        shapes = messages.shapes(service.code)
        assert shapes is not None
        namespace, request, _response = shapes
        assert namespace == contract.namespace
        assert {path for path in request if "/" not in path} == {p.name for p in service.params}


def test_the_shapes_of_zags_pins_by_nsp_date() -> None:
    shapes = WsdlMessages(ZAGS, "ours").shapes("zagsPinsByNSPDate")
    assert shapes is not None
    _, request, response = shapes
    assert request["birthdate"] == Shape("date", True, False)
    assert request["patronymic"] == Shape("string", False, False)
    assert response["pins"] == Shape("complex", False, False)
    assert response["pins/pin"] == Shape("string", False, True)
    assert WsdlMessages(ZAGS, "ours").shapes("noSuch") is None


def test_a_named_restricted_type_is_its_built_in_type() -> None:
    named = ZAGS.replace(
        b'<xs:element name="maritalStatus" type="xs:int" minOccurs="0"/>',
        b'<xs:element name="maritalStatus" type="tns:Marital" minOccurs="0"/>',
    ).replace(
        b'<xs:element name="zagsDataByPin">',
        b'<xs:simpleType name="Marital"><xs:restriction base="xs:int"><xs:enumeration value="1"/>'
        b'</xs:restriction></xs:simpleType><xs:element name="zagsDataByPin">',
    )
    assert named != ZAGS
    ours, theirs = (WsdlMessages(document, "x").shapes("zagsDataByPin") for document in (ZAGS, named))
    assert ours is not None
    assert theirs is not None
    assert ours[2]["maritalStatus"] == Shape("int", False, False)
    assert theirs[2]["maritalStatus"] == Shape("int", False, False, values=("1",))  # its codes, too


def test_attributes_and_enumerations_are_part_of_the_shape() -> None:
    """An attribute is a path of its own (``pins/@count``, required by ``use``); an element or an
    attribute restricted to an enumeration carries its codes."""
    head, tail = ZAGS.split(b'<xs:element name="zagsPinsByNSPDate">')
    tail = tail.replace(
        b'<xs:element name="patronymic" type="xs:string" minOccurs="0"/>',
        b'<xs:element name="patronymic" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string">'
        b'<xs:enumeration value="uulu"/><xs:enumeration value="kyzy"/></xs:restriction></xs:simpleType>'
        b"</xs:element>",
        1,
    ).replace(
        b"</xs:sequence>\n              </xs:complexType>\n            </xs:element>",
        b'</xs:sequence><xs:attribute name="count" type="xs:int" use="required"/>'
        b"\n              </xs:complexType>\n            </xs:element>",
        1,
    )
    changed = head + b'<xs:element name="zagsPinsByNSPDate">' + tail
    assert changed.count(b"kyzy") == 1
    assert b'name="count"' in changed
    shapes = WsdlMessages(changed, "theirs").shapes("zagsPinsByNSPDate")
    assert shapes is not None
    _, request, response = shapes
    assert request["patronymic"] == Shape("string", False, False, values=("kyzy", "uulu"))
    assert response["pins/@count"] == Shape("int", True, False)


def test_x_road_schemas_named_by_their_public_url_come_from_our_copies() -> None:
    public = ZAGS.replace(
        b'schemaLocation="schemas/xroad.xsd"', b'schemaLocation="http://x-road.eu/xsd/xroad.xsd"'
    )
    assert public != ZAGS
    assert WsdlMessages(public, "x").shapes("zagsDataByPin") == WsdlMessages(ZAGS, "x").shapes(
        "zagsDataByPin"
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            b"\x00\xff garbage",
            "bad reply: the WSDL from getWsdl of X is not XML the hub reads: malformed XML",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>',
            "bad reply: the WSDL from getWsdl of X is not XML the hub reads: XML with a document type",
        ),
        (
            ZAGS.replace(
                b'namespace="http://x-road.eu/xsd/xroad.xsd" schemaLocation="schemas/xroad.xsd"',
                b'namespace="urn:elsewhere" schemaLocation="file:///etc/passwd"',
            ),
            "bad reply: the WSDL from getWsdl of X refers to another document (file:///etc/passwd)",
        ),
        (
            ZAGS.replace(
                b"<xs:import", b'<xs:include schemaLocation="http://attacker.example/x.xsd"/><xs:import', 1
            ),
            "bad reply: the WSDL from getWsdl of X refers to another document (http://attacker.example/x.xsd)",
        ),
        (
            (DATA / "spec-meta-listMethods-response.xml").read_bytes(),
            "bad reply: the WSDL from getWsdl of X cannot be read: ",
        ),
    ],
)
def test_a_hostile_or_foreign_document_is_one_clear_error(document: bytes, message: str) -> None:
    with pytest.raises(ConsumerError) as refused:
        WsdlMessages(document, "getWsdl of X")
    assert str(refused.value).startswith(message)
