"""The ``getWsdl`` and ``listMethods`` metaservices (X-Road message protocol 4.0, spec-meta): what a
provider offers and the WSDL of each service, through the security server (``xroad call`` for a
service the hub has no model of yet, ``contracts check`` for the ones it has).

``listMethods`` is a plain protocol 4.0 call to the provider subsystem's ``listMethods`` service,
with an empty body; the answer lists the provider's services as identifiers
(``tests/data/xroad/spec-meta-listMethods-response.xml``).

The request is a protocol 4.0 message to the provider's ``getWsdl`` service naming the wanted
service code (and version) in the body; the answer is ``multipart/related``: the SOAP response
first, the WSDL as the attachment (``tests/data/xroad/wsdl-metaservice-response-attachment.xml``).
A security server that cannot give the WSDL answers a plain SOAP fault instead.
"""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from adapters.xroad.envelope import (
    identifier_xml,
    request_body,
    request_envelope,
    response_envelope,
    serialize_with_body,
)
from adapters.xroad.header import IDENTIFIERS, SOAP_ENV, XROAD, read_request, service_identifier
from adapters.xroad.parser import parse_xml
from adapters.xroad.reply import bad_reply, fault_in
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.errors import ConsumerError, ExchangeFault

GET_WSDL = "getWsdl"
LIST_METHODS = "listMethods"


def get_wsdl_request(client: ClientId, service: ServiceId, message_id: str, user_id: str) -> bytes:
    """The message asking the provider of ``service`` for its WSDL."""
    meta = ServiceId(service.client, GET_WSDL, service.version)
    params = {"serviceCode": service.service_code, "serviceVersion": service.version}
    body = request_body(GET_WSDL, params, prefix="xrd")
    return request_envelope(client, meta, body, message_id=message_id, user_id=user_id)


def _parts(content: bytes) -> list[EmailMessage]:
    """The MIME parts of a multipart body whose first line is its boundary (as the security server
    writes it; the HTTP header that also names it is not needed)."""
    first = content.lstrip(b"\r\n").split(b"\n", 1)[0].strip()
    if not first.startswith(b"--") or len(first) < 3:
        return []
    boundary = first[2:].decode("ascii", "replace")
    head = f'Content-Type: multipart/related; boundary="{boundary}"\r\n\r\n'.encode()
    message = message_from_bytes(head + content, policy=policy.default)
    if not message.is_multipart():
        return []
    return [part for part in message.iter_parts() if isinstance(part, EmailMessage)]


def _fault(envelope: Any) -> ConsumerError | None:
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    return None if body is None else fault_in(body)


def read_get_wsdl_answer(content: bytes, service_code: str) -> bytes:
    """The WSDL in a ``getWsdl`` answer; :class:`ConsumerError` for a fault or a malformed answer."""
    parts = _parts(content)
    if not parts:
        fault = _fault(parse_xml(content)) if content.lstrip().startswith(b"<") else None
        raise fault or bad_reply("getWsdl: the answer is not multipart")
    soap = parts[0].get_payload(decode=True)
    if not isinstance(soap, bytes):
        raise bad_reply("getWsdl: the answer has no SOAP part")
    envelope = parse_xml(soap)
    fault = _fault(envelope)
    if fault is not None:
        raise fault
    answered = envelope.findtext(f".//{{{XROAD}}}getWsdlResponse/{{{XROAD}}}serviceCode")
    if answered is not None and answered.strip() != service_code:
        raise bad_reply(f"getWsdl: asked for {service_code}, answered for {answered.strip()}")
    if len(parts) < 2:
        raise bad_reply("getWsdl: the answer has no WSDL attachment")
    wsdl = parts[1].get_payload(decode=True)
    if not isinstance(wsdl, bytes) or b"definitions" not in wsdl:
        raise bad_reply("getWsdl: the attachment is not a WSDL")
    return wsdl


def get_wsdl_answer(request: bytes, wsdl: bytes, boundary: str) -> bytes:
    """A provider's ``multipart/related`` answer to ``request`` with ``wsdl`` attached (the
    simulator's security server answers so)."""
    envelope = parse_xml(request)
    _header, wrapper = read_request(envelope)
    code = wrapper.findtext(f"{{{XROAD}}}serviceCode") or ""
    response, response_wrapper = response_envelope(envelope, wrapper)
    prefix = response_wrapper.prefix
    content = f"<{prefix}:serviceCode>{code}</{prefix}:serviceCode>" if prefix else ""
    soap = serialize_with_body(response, response_wrapper, content)
    return b"".join(
        (
            f"--{boundary}\r\ncontent-type:text/xml; charset=UTF-8\r\n\r\n".encode(),
            soap,
            f"\r\n--{boundary}\r\ncontent-type:text/xml\r\n\r\n".encode(),
            wsdl,
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )


def list_methods_request(client: ClientId, provider: ClientId, message_id: str, user_id: str) -> bytes:
    """The message asking ``provider``'s security server which services it offers."""
    body = f"<xrd:{LIST_METHODS}/>"
    return request_envelope(
        client, ServiceId(provider, LIST_METHODS), body, message_id=message_id, user_id=user_id
    )


def read_list_methods_answer(content: bytes) -> list[ServiceId]:
    """The services a ``listMethods`` answer lists; :class:`ConsumerError` for a fault or an answer
    that is not one (an identifier that does not read is not guessed at)."""
    try:
        envelope = parse_xml(content)
    except ExchangeFault as exc:
        raise bad_reply(f"listMethods: {exc}") from None
    fault = _fault(envelope)
    if fault is not None:
        raise fault
    listed = envelope.find(f"{{{SOAP_ENV}}}Body/{{{XROAD}}}{LIST_METHODS}Response")
    if listed is None:
        raise bad_reply("listMethods: the answer has no listMethodsResponse")
    try:
        return [service_identifier(element) for element in listed.iterfind(f"{{{XROAD}}}service")]
    except ExchangeFault as exc:
        raise bad_reply(f"listMethods: {exc}") from None


def list_methods_answer(request: bytes, services: list[ServiceId]) -> bytes:
    """A provider security server's answer to a ``listMethods`` ``request``: ``services``."""
    envelope = parse_xml(request)
    _header, wrapper = read_request(envelope)
    response, response_wrapper = response_envelope(envelope, wrapper)
    prefix = response_wrapper.prefix
    content = "".join(
        f'<{prefix}:service xmlns:id="{IDENTIFIERS}" id:objectType="SERVICE">'
        f"{identifier_xml(service.header_parts())}</{prefix}:service>"
        for service in services
    )
    return serialize_with_body(response, response_wrapper, content)
