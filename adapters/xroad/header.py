"""The X-Road message protocol 4.0 SOAP header and envelope, read strictly from a request.

:func:`read_request` takes an envelope parsed by :func:`~adapters.xroad.parser.parse_xml` and returns
the header fields and the body's single wrapper element, or raises the
:class:`~sanarip_hub.errors.ExchangeFault` a security server would use: ``Client.MissingHeader``,
``Client.MissingHeaderField``, ``Client.DuplicateHeaderField``, ``Client.InvalidProtocolVersion``,
``Client.InvalidXml``, ``Client.MissingBody``, ``Client.InvalidBody``, ``Client.InconsistentHeaders``
(PR-MESS §2.4-2.5 and the security server's proxy tests).  Header blocks this module does not know
(a security token, a custom header) are kept, in order, so the response can echo them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.errors import (
    DuplicateHeaderField,
    ExchangeFault,
    InconsistentHeaders,
    InvalidBody,
    InvalidClientIdentifier,
    InvalidIdentifier,
    InvalidProtocolVersion,
    InvalidServiceIdentifier,
    InvalidSoap,
    InvalidXml,
    MissingBody,
    MissingHeader,
    MissingHeaderField,
)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XROAD = "http://x-road.eu/xsd/xroad.xsd"
IDENTIFIERS = "http://x-road.eu/xsd/identifiers"
REPRESENTATION = "http://x-road.eu/xsd/representation.xsd"
KNOWN = {
    f"{{{XROAD}}}{name}"
    for name in (
        "client",
        "service",
        "id",
        "userId",
        "issue",
        "protocolVersion",
        "requestHash",
        "securityServer",
    )
} | {f"{{{REPRESENTATION}}}representedParty"}
OBJECT_TYPE = f"{{{IDENTIFIERS}}}objectType"


@dataclass(frozen=True)
class RepresentedParty:
    party_code: str
    party_class: str | None = None


@dataclass(frozen=True)
class Header:
    """The protocol 4.0 header of one request."""

    client: ClientId
    service: ServiceId
    id: str
    protocol_version: str
    user_id: str | None = None
    issue: str | None = None
    represented_party: RepresentedParty | None = None
    extra: tuple[Any, ...] = field(default=(), compare=False)  # unknown header elements, in order


XML_SPACE = " \t\r\n"  # the only white space XML knows; a no-break or em space is content
CLIENT_PARTS = ("xRoadInstance", "memberClass", "memberCode", "subsystemCode")
SERVICE_PARTS = (*CLIENT_PARTS, "serviceCode", "serviceVersion")
REQUIRED_PARTS = 3  # xRoadInstance, memberClass, memberCode


def _text(element: Any, fault: type[ExchangeFault] = InvalidXml) -> str:
    """An element's text, which must be all it holds: ``70000003<b>x</b>9`` is not 70000003."""
    if len(element):
        name = etree_local(element)
        raise fault(f"{name} must hold text only, not elements, comments or instructions")
    return (element.text or "").strip(XML_SPACE)


def etree_local(element: Any) -> str:
    return str(element.tag).rpartition("}")[2]


def _identifier_parts(element: Any, order: tuple[str, ...], fault: type[ExchangeFault]) -> dict[str, str]:
    """The parts of an identifier, in the schema's order, each once, nothing else (refused, never
    repaired: a repeated or unknown part means the sender and we might read different identities)."""
    parts: dict[str, str] = {}
    position = 0
    what = etree_local(element)
    outside = False  # text between the parts: refused after the parts' own checks, as before
    for child in element:
        tag = child.tag  # lxml builds a new string at each access: read once
        if not isinstance(tag, str):
            raise fault(f"{what} holds a comment or instruction between its parts")
        namespace, _, name = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
        if namespace != IDENTIFIERS or name not in order:
            raise fault(f"{what} holds an unknown element {name!r}")
        if name in parts:
            raise fault(f"{what} repeats {name}")
        index = order.index(name)
        if index < position:
            raise fault(f"{what}: {name} is out of order (expected {', '.join(order)})")
        position = index
        parts[name] = _text(child, fault)
        tail = child.tail
        outside = outside or bool(tail and tail.strip(XML_SPACE))
    if outside or (element.text and element.text.strip(XML_SPACE)):
        raise fault(f"{what} holds text outside its parts")
    return parts


def _member(parts: dict[str, str]) -> ClientId:
    """The member or subsystem named by identifier parts (a client, or a service's provider)."""
    return ClientId(
        parts.get("xRoadInstance", ""),
        parts.get("memberClass", ""),
        parts.get("memberCode", ""),
        parts.get("subsystemCode"),
    )


def _client(element: Any) -> ClientId:
    kind = element.get(OBJECT_TYPE)
    if kind not in ("MEMBER", "SUBSYSTEM"):
        raise InvalidXml(f"client objectType must be MEMBER or SUBSYSTEM, got {kind!r}")
    parts = _identifier_parts(element, CLIENT_PARTS, InvalidClientIdentifier)
    try:
        client = _member(parts)
    except InvalidIdentifier as exc:
        raise InvalidClientIdentifier(str(exc)) from None
    if (kind == "SUBSYSTEM") != (client.subsystem is not None):
        raise InvalidXml(f"client objectType {kind} does not match its parts")
    return client


def service_identifier(element: Any) -> ServiceId:
    """A service identifier element (``objectType="SERVICE"`` with its ``id:`` parts), strictly read."""
    if element.get(OBJECT_TYPE) != "SERVICE":
        raise InvalidXml("service objectType must be SERVICE")
    parts = _identifier_parts(element, SERVICE_PARTS, InvalidServiceIdentifier)
    try:
        return ServiceId(_member(parts), parts.get("serviceCode", ""), parts.get("serviceVersion"))
    except InvalidIdentifier as exc:
        raise InvalidServiceIdentifier(str(exc)) from None


def read_request(envelope: Any) -> tuple[Header, Any]:
    """Return the header and the body's wrapper element of a request envelope."""
    if envelope.tag != f"{{{SOAP_ENV}}}Envelope":
        raise InvalidSoap("not a SOAP 1.1 envelope")
    header_element = envelope.find(f"{{{SOAP_ENV}}}Header")
    if header_element is None:
        raise MissingHeader("the request has no SOAP header")
    header = read_header(header_element)
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    if body is None:
        raise MissingBody("the request has no SOAP body")
    children = [child for child in body if isinstance(child.tag, str)]
    if len(children) != 1:
        raise InvalidBody(f"the SOAP body must hold exactly one element, not {len(children)}")
    wrapper = children[0]
    if not wrapper.tag.split("}")[-1].startswith(header.service.service_code):
        raise InconsistentHeaders(
            f"body element {wrapper.tag.split('}')[-1]} does not match service {header.service.service_code}",
        )
    return header, wrapper


def read_header(header_element: Any) -> Header:
    """The protocol 4.0 fields of a SOAP ``Header`` element (its unknown blocks kept in order)."""
    seen: dict[str, Any] = {}
    extra = []
    for child in header_element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in KNOWN:
            if child.tag in seen:
                raise DuplicateHeaderField(f"header field {child.tag.split('}')[1]} repeats")
            seen[child.tag] = child
        else:
            extra.append(child)

    def required(name: str) -> Any:
        element = seen.get(f"{{{XROAD}}}{name}")
        if element is None:
            raise MissingHeaderField(f"required header field {name} is missing")
        return element

    def optional(name: str) -> str | None:
        element = seen.get(f"{{{XROAD}}}{name}")
        return None if element is None else _text(element)

    client = _client(required("client"))
    service = service_identifier(required("service"))
    message_id = _text(required("id"))
    version = _text(required("protocolVersion"))
    if not version.startswith("4."):
        raise InvalidProtocolVersion(f"protocol version {version!r} is not 4.x")
    represented = None
    party = seen.get(f"{{{REPRESENTATION}}}representedParty")
    if party is not None:
        code = party.findtext(f"{{{REPRESENTATION}}}partyCode")
        if not code:
            raise InvalidXml("representedParty needs a partyCode")
        represented = RepresentedParty(
            code.strip(), (party.findtext(f"{{{REPRESENTATION}}}partyClass") or None)
        )
    return Header(
        client, service, message_id, version, optional("userId"), optional("issue"), represented, tuple(extra)
    )
