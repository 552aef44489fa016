"""X-Road WSDL 1.1 rendered from a :class:`~sanarip_hub.domain.contract.Contract`.

Shape as PR-MESS Annex C and the security server's WSDL validator expect: document/literal wrapped,
one part per message referencing an element named after the operation (``…Response`` for the
output), the X-Road headers bound as ``soap:header`` parts, ``xrd:version`` in the binding and
``xrd:title`` in Kyrgyz, Russian and English under each operation's documentation.  Schemas are
imported from ``schemas/…`` relative to the WSDL, so a client resolves them from the hub.

The files in ``wsdl/`` are these renderings with a placeholder address, committed so every contract
can be read and reviewed without running anything (``python -m sanarip_hub.contracts`` regenerates
them; a test keeps them identical to the rendering).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from sanarip_hub.domain.contract import Contract, Field, Service

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
XS = "http://www.w3.org/2001/XMLSchema"
XRD = "http://x-road.eu/xsd/xroad.xsd"
REPR = "http://x-road.eu/xsd/representation.xsd"
XML_NS = "http://www.w3.org/XML/1998/namespace"
HEADER_PARTS = ("client", "service", "id", "userId", "issue", "protocolVersion")
PLACEHOLDER_LOCATION = "http://127.0.0.1:8080/xroad"
WSDL_DIR = Path(__file__).resolve().parents[2] / "wsdl"
SCHEMAS = WSDL_DIR / "schemas"


def _w(parent: Any, tag: str, **attrs: str) -> Any:
    return etree.SubElement(parent, f"{{{WSDL}}}{tag}", attrs)


def _x(parent: Any, tag: str, **attrs: str) -> Any:
    return etree.SubElement(parent, f"{{{XS}}}{tag}", attrs)


def _field(sequence: Any, spec: Field, min_occurs: str = "0") -> None:
    if spec.type == "any":
        element = _x(sequence, "element", name=spec.name, minOccurs=min_occurs)
        inner = _x(_x(element, "complexType"), "sequence")
        _x(inner, "any", namespace="##any", processContents="lax", minOccurs="0", maxOccurs="unbounded")
    elif spec.item is not None:
        container = _x(
            _x(_x(sequence, "element", name=spec.name, minOccurs=min_occurs), "complexType"), "sequence"
        )
        if spec.children:
            item = _x(container, "element", name=spec.item, minOccurs="0", maxOccurs="unbounded")
            _record(item, spec.children)
        else:
            _x(
                container,
                "element",
                name=spec.item,
                type=f"xs:{spec.type}",
                minOccurs="0",
                maxOccurs="unbounded",
            )
    elif spec.children:
        _record(_x(sequence, "element", name=spec.name, minOccurs=min_occurs), spec.children)
    else:
        _x(sequence, "element", name=spec.name, type=f"xs:{spec.type}", minOccurs=min_occurs)


def _record(element: Any, children: tuple[Field, ...]) -> None:
    sequence = _x(_x(element, "complexType"), "sequence")
    for child in children:
        _field(sequence, child)


def _types(definitions: Any, contract: Contract) -> None:
    schema = _x(
        _w(definitions, "types"),
        "schema",
        targetNamespace=contract.namespace,
        elementFormDefault="qualified",
    )
    for namespace, name in ((XRD, "xroad.xsd"), (REPR, "representation.xsd")):
        _x(schema, "import", namespace=namespace, schemaLocation=f"schemas/{name}")
    if contract.result_codes:
        codes = _x(_x(schema, "simpleType", name="resultCode"), "restriction", base="xs:string")
        for code in contract.result_codes:
            _x(codes, "enumeration", value=code)
    for service in contract.services:
        request = _x(_x(_x(schema, "element", name=service.code), "complexType"), "sequence")
        for param in service.params:
            _x(
                request,
                "element",
                name=param.name,
                type=f"xs:{param.type}",
                minOccurs="1" if param.required else "0",
            )
        response = _x(_x(_x(schema, "element", name=f"{service.code}Response"), "complexType"), "sequence")
        if contract.result_codes:
            _x(response, "element", name="resultCode", type="tns:resultCode")
        for spec in service.fields:
            _field(response, spec)


def _documentation(parent: Any, service: Service) -> None:
    documentation = _w(parent, "documentation")
    for language in ("ky", "ru", "en"):
        title = etree.SubElement(documentation, f"{{{XRD}}}title")
        title.set(f"{{{XML_NS}}}lang", language)
        title.text = service.title[language]
    if service.note:
        etree.SubElement(documentation, f"{{{XRD}}}notes").text = service.note


def _io(parent: Any, tag: str, name: str) -> None:
    io = _w(parent, tag, name=name)
    etree.SubElement(io, f"{{{SOAP}}}body", use="literal")
    for part in HEADER_PARTS:
        etree.SubElement(io, f"{{{SOAP}}}header", message="tns:requestHeader", part=part, use="literal")


def render_wsdl(contract: Contract, location: str = PLACEHOLDER_LOCATION) -> bytes:
    """The WSDL document of ``contract``, with ``soap:address`` set to ``location``."""
    nsmap = {"wsdl": WSDL, "soap": SOAP, "xs": XS, "xrd": XRD, "tns": contract.namespace}
    definitions = etree.Element(
        f"{{{WSDL}}}definitions", nsmap=nsmap, targetNamespace=contract.namespace, name=contract.name
    )
    definitions.addprevious(etree.Comment(contract.comment))
    _types(definitions, contract)
    header = _w(definitions, "message", name="requestHeader")
    for part in HEADER_PARTS:
        _w(header, "part", name=part, element=f"xrd:{part}")
    for service in contract.services:
        for name in (service.code, f"{service.code}Response"):
            _w(_w(definitions, "message", name=name), "part", name="body", element=f"tns:{name}")
    port_type = _w(definitions, "portType", name=f"{contract.name}PortType")
    for service in contract.services:
        operation = _w(port_type, "operation", name=service.code)
        _documentation(operation, service)
        _w(operation, "input", name=service.code, message=f"tns:{service.code}")
        _w(operation, "output", name=f"{service.code}Response", message=f"tns:{service.code}Response")
    binding = _w(definitions, "binding", name=f"{contract.name}Binding", type=f"tns:{contract.name}PortType")
    etree.SubElement(
        binding, f"{{{SOAP}}}binding", style="document", transport="http://schemas.xmlsoap.org/soap/http"
    )
    for service in contract.services:
        operation = _w(binding, "operation", name=service.code)
        etree.SubElement(operation, f"{{{SOAP}}}operation", soapAction="", style="document")
        etree.SubElement(operation, f"{{{XRD}}}version").text = contract.version
        _io(operation, "input", service.code)
        _io(operation, "output", f"{service.code}Response")
    port = _w(
        _w(definitions, "service", name=f"{contract.name}Service"),
        "port",
        name=f"{contract.name}Port",
        binding=f"tns:{contract.name}Binding",
    )
    etree.SubElement(port, f"{{{SOAP}}}address", location=location)
    data: bytes = etree.tostring(
        definitions.getroottree(), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return data


def schema_bytes(name: str) -> bytes | None:
    """A schema the WSDL imports (``xroad.xsd`` …), or None for any other name."""
    if name not in {path.name for path in SCHEMAS.glob("*.xsd")}:
        return None
    return (SCHEMAS / name).read_bytes()
