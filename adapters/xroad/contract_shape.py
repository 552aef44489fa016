"""A WSDL's messages as :class:`~sanarip_hub.domain.contract_drift.Shape` trees, read with xmlschema.

Ours (``wsdl/``) and the provider's (its ``getWsdl`` answer) are read by the same code, so what is
compared is what the schemas say, not how each file happens to spell it (a named type or an
anonymous one, ``xs:int`` behind a restriction, a prefix).  A provider's WSDL may import X-Road's
own schemas by a relative location (as ours do, ``schemas/xroad.xsd``) or by their public URL:
both resolve to the standard copies in ``wsdl/schemas``.  Nothing else is fetched, from the network
(the hub runs where only the security server is reachable) or from the disk (a hostile WSDL naming
``file:///etc/…``): a document that refers to any other is refused, as is one that is not plain
XML for the hardened parser (a DTD, entities, too large, too deep).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from lxml import etree

from adapters.xroad.parser import parse_xml
from adapters.xroad.reply import bad_reply
from adapters.xroad.wsdl import SCHEMAS, WSDL, XRD
from sanarip_hub.domain.contract_drift import Shape, Shapes
from sanarip_hub.errors import ExchangeFault

STANDARD = {  # X-Road's own namespaces → the standard schema files beside our WSDLs
    XRD: SCHEMAS / "xroad.xsd",
    "http://x-road.eu/xsd/identifiers": SCHEMAS / "identifiers.xsd",
    "http://x-road.eu/xsd/representation.xsd": SCHEMAS / "representation.xsd",
    "http://www.w3.org/XML/1998/namespace": SCHEMAS / "xml.xsd",
}
XS = "{http://www.w3.org/2001/XMLSchema}"
WSDL_NS = f"{{{WSDL}}}"
MAX_DEPTH = 12  # records nested deeper than this are not followed (a recursive type ends here)


class WsdlMessages:
    """The operations of one WSDL document with their request and response shapes."""

    def __init__(self, document: bytes, origin: str) -> None:
        from xmlschema import XMLSchemaException
        from xmlschema.extras.wsdl import Wsdl11Document

        try:
            root = parse_xml(document)
        except ExchangeFault as exc:
            raise bad_reply(f"the WSDL from {origin} is not XML the hub reads: {exc}") from None
        _local_imports(root, origin)
        with tempfile.TemporaryDirectory(prefix="sanarip-hub-wsdl-") as directory:
            path = Path(directory) / "service.wsdl"
            path.write_bytes(etree.tostring(root))
            try:
                self._document: Any = Wsdl11Document(  # type: ignore[no-untyped-call]
                    str(path), allow="local", defuse="always"
                )
            except (XMLSchemaException, ValueError, OSError) as exc:
                raise bad_reply(f"the WSDL from {origin} cannot be read: {_first_line(exc)}") from None

    def operations(self) -> dict[str, tuple[str, Any, Any]]:
        """Each operation's name → (namespace, request element, response element)."""
        found: dict[str, tuple[str, Any, Any]] = {}
        for port_type in self._document.port_types.values():
            for operation in port_type.operations.values():
                request, response = (_body(message) for message in (operation.input, operation.output))
                if request is not None and response is not None:
                    found[operation.local_name] = (request.target_namespace, request, response)
        return found

    def shapes(self, code: str) -> tuple[str, Shapes, Shapes] | None:
        """The operation ``code``'s namespace, request and response shapes; None if it has none."""
        operation = self.operations().get(code)
        if operation is None:
            return None
        namespace, request, response = operation
        return namespace, element_shapes(request), element_shapes(response)


def _local_imports(root: Any, origin: str) -> None:
    """Point every import of an X-Road schema at our standard copy; refuse any other reference to
    a document outside this one (a provider's WSDL through ``getWsdl`` comes alone)."""
    for reference in root.iter(f"{XS}import", f"{XS}include", f"{XS}redefine", f"{WSDL_NS}import"):
        location = reference.get("schemaLocation") or reference.get("location")
        standard = STANDARD.get(reference.get("namespace") or "")
        if standard is not None:
            reference.set("schemaLocation", standard.as_uri())
        elif location is not None:
            raise bad_reply(f"the WSDL from {origin} refers to another document ({location[:200]})")


def _body(message: Any) -> Any:
    if message is None or message.message is None:
        return None
    parts = list(message.message.parts.values())
    return parts[0] if len(parts) == 1 else message.message.parts.get("body")


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def type_name(xsd_type: Any) -> str:
    """An element's type as the built-in XSD type it is (``int`` for a restriction of ``xs:int``),
    ``complex`` for a record, ``any`` for open content."""
    if xsd_type.is_complex():
        return "complex"
    while xsd_type is not None and (xsd_type.name is None or not xsd_type.name.startswith(XS)):
        xsd_type = getattr(xsd_type, "base_type", None) or getattr(xsd_type, "member_types", [None])[0]
    return "anySimpleType" if xsd_type is None else xsd_type.name[len(XS) :]


def codes(xsd_type: Any) -> tuple[str, ...]:
    """The values an enumeration restricts a simple type to, sorted (empty: any value)."""
    if xsd_type is None or xsd_type.is_complex():
        return ()
    return tuple(sorted(str(value) for value in getattr(xsd_type, "enumeration", None) or ()))


def element_shapes(element: Any) -> Shapes:
    """Every element below ``element`` by path (``pins/pin``), and every attribute of it and of
    them (``pins/@count``)."""
    shapes: Shapes = {}

    def walk(parent: Any, prefix: str, depth: int) -> None:
        xsd_type = parent.type
        if depth > MAX_DEPTH or not xsd_type.is_complex():
            return
        for attribute in getattr(xsd_type, "attributes", {}).values():
            if getattr(attribute, "local_name", None) is None or not hasattr(attribute, "use"):
                continue  # an attribute wildcard (xs:anyAttribute): open content
            shapes[f"{prefix}@{attribute.local_name}"] = Shape(
                type_name(attribute.type), attribute.use == "required", False, codes(attribute.type)
            )
        if xsd_type.content is None:
            return
        if not hasattr(xsd_type.content, "iter_elements"):
            return  # simple content
        for child in xsd_type.content.iter_elements():
            if not hasattr(child, "type") or child.local_name is None:
                continue  # a wildcard (xs:any): open content is nothing to compare
            path = prefix + child.local_name
            max_occurs = child.max_occurs
            shapes[path] = Shape(
                type_name(child.type),
                child.min_occurs > 0,
                max_occurs is None or max_occurs > 1,
                codes(child.type),
            )
            walk(child, path + "/", depth + 1)

    walk(element, "", 0)
    return shapes
