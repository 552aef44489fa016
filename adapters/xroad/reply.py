"""Reading a provider's reply without a SOAP toolkit: faults, retryability, values by the contract.

The nightly jobs make two registry calls per person, millions a night, and the hub's CPU is the
limit: zeep spends about 4.5 ms of CPU per call building and checking objects.  The consumed
services are declared once as data (:mod:`sanarip_hub.domain.contract`), so a reply can be read
directly against that declaration: the one hardened parser, the ``Fault`` check, the echoed
``id`` check, then each declared field converted from its XSD type.  The zeep consumers read the
same replies from the same contract's WSDL; a test holds both readings equal.

Faults are classified for the retry policy here too, since only the reply says whether trying
again can help: X-Road's technical faults (``Server.ServerProxy.*``/``Server.ClientProxy.*`` before
7.8, ``server.serverproxy.*``/``server.clientproxy.*`` since) and the provider's timeouts and busy
signals are retried; a ``Client.*`` fault is the caller's mistake and is not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from adapters.xroad.header import SOAP_ENV, XROAD
from adapters.xroad.parser import parse_xml
from sanarip_hub.domain.contract import Field, Service
from sanarip_hub.errors import ConsumerError, XmlRejected

_BODY = f"{{{SOAP_ENV}}}Body"
_HEADER = f"{{{SOAP_ENV}}}Header"
_FAULT = f"{{{SOAP_ENV}}}Fault"
_ID = f"{{{XROAD}}}id"


def is_retryable_fault(code: str | None) -> bool:
    lowered = (code or "").lower()
    return lowered.startswith(("server.serverproxy", "server.clientproxy")) or lowered.endswith(
        ("timeout", "busy", "service_failed", "servicefailed", "network_error", "networkerror")
    )


def fault_error(code: str, text: str) -> ConsumerError:
    """A SOAP fault from the provider or its security server; a namespace prefix on the code
    (``SOAP-ENV:Server``) is dropped, and the code decides whether to retry."""
    code = code.rpartition(":")[2]
    return ConsumerError(f"{code}: {text}", fault_code=code, retryable=is_retryable_fault(code))


def fault_in(body: Any) -> ConsumerError | None:
    """The SOAP ``Fault`` in a reply's ``Body`` as its error (:func:`fault_error`), None if none."""
    fault = body.find(_FAULT)
    if fault is None:
        return None
    code = (fault.findtext("faultcode") or "Server.Fault").strip()
    return fault_error(code, (fault.findtext("faultstring") or "").strip())


def network_error(exc: BaseException) -> ConsumerError:
    """The request did not reach the registry or its answer did not come back: worth another try."""
    return ConsumerError(f"transport: {exc}", fault_code="Server.NetworkError", retryable=True)


def bad_reply(message: str) -> ConsumerError:
    """A reply that is not a usable SOAP message: a glitch on the way, worth another try."""
    return ConsumerError(f"bad reply: {message}", fault_code="Server.BadReply", retryable=True)


def _boolean(text: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(f"not an xsd:boolean: {text!r}")


def _date(text: str) -> date:
    return date.fromisoformat(text[:10])  # xsd:date may carry a zone suffix (2026-01-01Z)


def _date_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


SCALARS: dict[str, Callable[[str], Any]] = {
    "string": str,
    "int": int,
    "long": int,
    "integer": int,
    "decimal": Decimal,
    "boolean": _boolean,
    "date": _date,
    "dateTime": _date_time,
}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class ReplyReader:
    """Reads the ``<code>Response`` of one declared service into plain values (dicts and lists).

    Elements the contract does not declare are ignored (a provider may add fields), absent ones
    are absent from the mapping, and a declared element whose text does not fit its type makes the
    reply a bad one.
    """

    def __init__(self, service: Service, *, max_bytes: int = 10 * 1024 * 1024) -> None:
        self.service = service
        self.max_bytes = max_bytes
        self._wrapper = f"{service.code}Response"
        self._fields = {spec.name: spec for spec in service.fields}

    def read(self, data: bytes, message_id: str | None = None) -> dict[str, Any]:
        """The reply's values; :class:`ConsumerError` for a fault or anything unusable."""
        try:
            envelope = parse_xml(data, max_bytes=self.max_bytes)
        except XmlRejected as exc:
            raise bad_reply(str(exc)) from None
        if envelope.tag != f"{{{SOAP_ENV}}}Envelope":
            raise bad_reply(f"root element is {envelope.tag}, not a SOAP 1.1 Envelope")
        body = envelope.find(_BODY)
        if body is None:
            raise bad_reply("no SOAP Body")
        fault = fault_in(body)
        if fault is not None:
            raise fault
        if message_id is not None:
            echoed = envelope.findtext(f"{_HEADER}/{_ID}")
            if echoed != message_id:
                raise bad_reply(f"the reply's id {echoed!r} is not the request's {message_id!r}")
        wrapper = next((child for child in body if isinstance(child.tag, str)), None)
        if wrapper is None or _local(wrapper.tag) != self._wrapper:
            found = None if wrapper is None else _local(wrapper.tag)
            raise bad_reply(f"expected {self._wrapper}, got {found}")
        try:
            return _record(wrapper, self._fields)
        except (ValueError, ArithmeticError) as exc:
            raise bad_reply(f"{self.service.code}: {exc}") from None


def _record(element: Any, fields: dict[str, Field]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        spec = fields.get(_local(tag))
        if spec is not None:
            values[spec.name] = _value(child, spec)
    return values


def _value(element: Any, spec: Field) -> Any:
    if spec.type == "any":
        return next((child for child in element if isinstance(child.tag, str)), None)
    if spec.item is not None:
        children = {c.name: c for c in spec.children}
        item = Field(spec.item, spec.type)
        return [
            _record(child, children) if spec.children else _value(child, item)
            for child in element
            if isinstance(child.tag, str) and _local(child.tag) == spec.item
        ]
    if spec.children:
        return _record(element, {c.name: c for c in spec.children})
    text = element.text or ""
    if spec.type == "string":
        return text
    text = text.strip()
    if not text:
        return None  # an empty non-string element is how some providers say "nil"
    return SCALARS.get(spec.type, str)(text)
