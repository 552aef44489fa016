"""Building response envelopes and SOAP faults.

A response carries the request's SOAP header verbatim: every field, in the same order, with
the same values and the unknown extension headers too.  The security server checks ``client``,
``service``, ``id``, ``userId``, ``issue`` and ``representedParty`` for equality (PR-MESS §2.5), so
echoing by construction is the only way never to forget one.  The body holds one element named
``<serviceCode>Response`` in the request wrapper's namespace.

Faults follow the security server's own shape (PR-MESS §2.7): an unqualified dotted ``faultcode``,
a ``faultstring``, and ``detail/faultDetail`` carrying an id to find the log line; no X-Road header.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from lxml import etree

from adapters.xroad.header import IDENTIFIERS, SOAP_ENV, XROAD
from adapters.xroad.xml_text import DECLARATION, attribute, element, scalar_text
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId

NSMAP_ENV = {"SOAP-ENV": SOAP_ENV}


def response_envelope(request_envelope: Any, request_wrapper: Any) -> tuple[Any, Any]:
    """The request's own envelope turned into the response, and its empty ``…Response`` wrapper.

    The request tree is reused: only the body's content is replaced.  Copying the header into a new
    envelope would let lxml "tidy" namespace declarations (a header block declaring a default
    namespace comes back with a prefix instead); reusing the tree keeps every declaration, prefix
    and header block exactly as the client sent it, and saves the copy.  The caller must not use
    the request tree afterwards.
    """
    body = request_wrapper.getparent()
    for child in list(body):
        body.remove(child)
    namespace, _, local = (
        request_wrapper.tag[1:].partition("}")
        if request_wrapper.tag.startswith("{")
        else ("", "", request_wrapper.tag)
    )
    tag = f"{{{namespace}}}{local}Response" if namespace else f"{local}Response"
    prefix = request_wrapper.prefix
    wrapper = etree.SubElement(body, tag, nsmap={prefix: namespace} if namespace else None)
    return request_envelope, wrapper


def fault_envelope(fault_code: str, fault_string: str, detail: str | None = None) -> tuple[bytes, str]:
    """A SOAP 1.1 fault in the security server's shape, serialised; returns it and the detail id
    it carries.  Written as text like every message the hub writes: a fault string that quotes
    a caller's input cannot break it."""
    detail_id = detail or str(uuid.uuid4())
    return (
        f'{DECLARATION}\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}"><SOAP-ENV:Body><SOAP-ENV:Fault>'
        f"{element('faultcode', fault_code)}{element('faultstring', fault_string)}<faultactor></faultactor>"
        f"<detail>{element('faultDetail', detail_id)}</detail>"
        "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode(), detail_id


def serialize(envelope: Any) -> bytes:
    """UTF-8 bytes with an XML declaration, as sent with ``Content-Type: text/xml; charset=UTF-8``."""
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    return data


# Where a body written as text goes in the serialised envelope: private-use characters around a
# random per-process token, so no request can smuggle the same mark into its echoed header.
_BODY_MARK = f"\ue000{uuid.uuid4().hex}\ue001"
_BODY_MARK_BYTES = _BODY_MARK.encode("utf-8")


def serialize_with_body(envelope: Any, wrapper: Any, content: str) -> bytes:
    """Serialise ``envelope`` with ``content`` (escaped XML text) as the inside of ``wrapper``.

    Writing a large body as text is much cheaper than building it element by element; the header
    still comes from the parsed tree, so it is echoed exactly.
    """
    wrapper.text = _BODY_MARK
    head, mark, tail = serialize(envelope).rpartition(_BODY_MARK_BYTES)
    if not mark:  # cannot happen: the mark is in the wrapper just serialised
        raise RuntimeError("response body placeholder lost")
    return b"".join((head, content.encode("utf-8"), tail))


def identifier_xml(parts: list[tuple[str, str | None]]) -> str:
    return "".join(element(f"id:{name}", value) for name, value in parts if value is not None)


def request_envelope(
    client: ClientId,
    service: ServiceId,
    body: str,
    *,
    message_id: str | None = None,
    user_id: str | None = None,
    issue: str | None = None,
    protocol_version: str = "4.0",
    extra_headers: str = "",
    body_namespace: str = "",
) -> bytes:
    """A message protocol 4.0 request as a client information system sends it to its security server.

    ``body`` is the wrapper element's XML; ``body_namespace``, if given, is bound to the prefix
    ``sa`` on the envelope for it to use.  A fresh UUID is the message id unless one is given.
    """
    namespace = f' xmlns:sa="{attribute(body_namespace)}"' if body_namespace else ""
    fields = request_header_fields(
        client, service, message_id or str(uuid.uuid4()), user_id, issue, protocol_version
    )
    return (
        f"{DECLARATION}"
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" {HEADER_NAMESPACES}{namespace}>'
        f"<SOAP-ENV:Header>{fields}{extra_headers}</SOAP-ENV:Header>"
        f"<SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


def request_body(code: str, params: Mapping[str, Any], prefix: str = "sa") -> str:
    """A request's body wrapper ``<sa:code>`` with one element per parameter (None left out), for
    :func:`request_envelope` with the body namespace bound to ``prefix``."""
    inner = "".join(
        element(f"{prefix}:{name}", scalar_text(value)) for name, value in params.items() if value is not None
    )
    return f"<{prefix}:{code}>{inner}</{prefix}:{code}>"


HEADER_NAMESPACES = f'xmlns:xrd="{XROAD}" xmlns:id="{IDENTIFIERS}"'


def request_header_fields(
    client: ClientId,
    service: ServiceId,
    message_id: str,
    user_id: str | None = None,
    issue: str | None = None,
    protocol_version: str = "4.0",
) -> str:
    """The one writer of a request's protocol 4.0 header fields, in schema order, every value escaped
    (prefixes ``xrd`` and ``id``, declared by the enclosing element as :data:`HEADER_NAMESPACES`).
    The prepared consumer sends them in :func:`request_envelope`; zeep's header plugin parses the
    same text into its envelope, so both consumer paths send identical headers."""
    member, target = identifier_xml(client.header_parts()), identifier_xml(service.header_parts())
    optional = "".join(
        element(f"xrd:{name}", value)
        for name, value in (("userId", user_id), ("issue", issue))
        if value is not None
    )
    return (
        f'<xrd:client id:objectType="{client.object_type}">{member}</xrd:client>'
        f'<xrd:service id:objectType="SERVICE">{target}</xrd:service>'
        f"{element('xrd:id', message_id)}{optional}"
        f"{element('xrd:protocolVersion', protocol_version)}"
    )


def header_elements(fields: str) -> list[Any]:
    """:func:`request_header_fields` as lxml elements (for a toolkit that builds its own envelope)."""
    from adapters.xroad.parser import parse_xml

    return list(parse_xml(f"<h {HEADER_NAMESPACES}>{fields}</h>".encode()))


def pretty(document: bytes) -> str:
    """A message indented for people (the demo, the command line), read by the hardened parser."""
    from adapters.xroad.parser import parse_xml

    return str(etree.tostring(parse_xml(document), pretty_print=True, encoding="unicode"))


def records(document: bytes, tag: str) -> list[dict[str, str | None]]:
    """Every element named ``tag`` in a message, as {child's local name: its text}."""
    from adapters.xroad.parser import parse_xml

    return [
        {etree.QName(child).localname: child.text for child in element if isinstance(child.tag, str)}
        for element in parse_xml(document).iter(tag)
    ]
