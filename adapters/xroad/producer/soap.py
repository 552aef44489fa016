"""``POST /xroad``: one SOAP 1.1 request in, one response or SOAP fault out, and its ledger record.

The order of checks follows the security server's own (content type, then XML, then header, then
body), so a client sees the fault code it would see from X-Road itself.  Whatever is refused, the
:class:`Exchange` returned beside the reply holds everything that could be read (client, service,
message id, the PIN asked about), so denied and malformed attempts are ledgered too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from adapters.xroad.envelope import response_envelope, serialize_with_body
from adapters.xroad.faults import soap_fault, to_wire
from adapters.xroad.header import SOAP_ENV, XROAD, Header, read_header, read_request
from adapters.xroad.parser import parse_xml, read_head
from adapters.xroad.producer.render import xml_text
from sanarip_hub.domain.contract import Service
from sanarip_hub.domain.exchange import OK, Channel, Direction, Exchange
from sanarip_hub.domain.hub_contract import BY_CODE, NAMESPACE, SERVICE_VERSION
from sanarip_hub.domain.xroad_identifiers import ClientId
from sanarip_hub.errors import (
    InternalError,
    InvalidBody,
    InvalidContentType,
    InvalidRequest,
    InvalidXml,
    UnknownService,
)
from sanarip_hub.log import get_logger
from sanarip_hub.producer.agreements import Grant
from sanarip_hub.producer.dispatch import Call, Dispatcher, requested_subjects

log = get_logger("sanarip_hub.producer")

CONTENT_TYPE = "text/xml; charset=UTF-8"
EARLY_CHECK_BYTES = 64 * 1024  # larger messages are authorised from their header before a full parse
UNPARSED = "(unparsed)"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    exchange: Exchange
    content_type: str = CONTENT_TYPE
    fault: tuple[str, str] | None = None  # (reason, detail id) for the exchange's log line


def check_content_type(content_type: str | None) -> None:
    """SOAP 1.1 only (``text/xml``), in UTF-8; SOAP 1.2 and attachments are refused by name."""
    media, _, rest = (content_type or "").partition(";")
    media = media.strip().lower()
    if media == "application/soap+xml":
        raise InvalidContentType("SOAP 1.2 is not supported: send SOAP 1.1 as text/xml")
    if media == "multipart/related":
        raise InvalidContentType("these services take no attachments: send plain text/xml")
    if media != "text/xml":
        raise InvalidContentType(f"content type must be text/xml, not {media or 'missing'!r}")
    for parameter in rest.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise InvalidContentType(f"charset must be UTF-8, not {value.strip()!r}")


_DECLARED = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml\s[^?]*?encoding\s*=\s*(["'])([^"']*)\1""")


def check_utf8(body: bytes) -> None:
    """X-Road messages are UTF-8; a body that is not, or declares another encoding anywhere in its
    XML declaration (after a byte-order mark, far into the declaration), is refused."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidXml(f"the message is not valid UTF-8 (byte {exc.start})") from None
    declared = _DECLARED.match(body)
    if declared is not None and declared.group(2).lower() not in (b"utf-8", b"utf8"):
        name = declared.group(2).decode("ascii", "replace")
        raise InvalidXml(f"the XML declaration names encoding {name!r}, not UTF-8")


def _salvage(envelope: Any) -> dict[str, str]:
    """Best-effort header values of a request that failed validation (for the ledger only)."""
    found: dict[str, str] = {}
    header = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Header")
    if header is None:
        return found

    def parts(tag: str) -> list[str]:
        element = header.find(f"{{{XROAD}}}{tag}")
        return [] if element is None else [(c.text or "").strip() for c in element if isinstance(c.tag, str)]

    client = parts("client")
    if client:
        found["client_id"] = ("SUBSYSTEM:" if len(client) == 4 else "MEMBER:") + "/".join(client)
    service = parts("service")
    if service:
        found["service_id"] = "SERVICE:" + "/".join(service)
    for name, key in (("id", "message_id"), ("userId", "user_id"), ("issue", "issue")):
        text = header.findtext(f"{{{XROAD}}}{name}")
        if text:
            found[key] = text.strip()
    return found


def _find_pin(wrapper: Any) -> Any:
    found = wrapper.find(f"{{{NAMESPACE}}}pin")
    return found if found is not None else wrapper.find("pin")


def _pin_text(element: Any) -> str:
    return "" if element is None or len(element) else (element.text or "").strip()


class _Ready(NamedTuple):
    call: Call
    service: Service
    grant: Grant
    params: dict[str, str]


@dataclass
class _Pending:
    """A request read as far as it could be (what the ledger will record, filled in as it goes)."""

    body: bytes
    started: float
    seen: dict[str, Any]
    envelope: Any = None
    wrapper: Any = None
    ready: _Ready | None = None  # read, authorised and with its parameters: to be answered
    error: Exception | None = None  # or what stopped the reading


class SoapEndpoint:
    """Turns request bytes into reply bytes for the hub's subsystem."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        provider: ClientId,
        max_bytes: int,
        max_depth: int,
        digest: Callable[[bytes], str],
    ) -> None:
        self.dispatcher = dispatcher
        self.digest = digest  # the ledger's keyed message digest
        self.provider = provider
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    def handle(self, body: bytes, content_type: str | None) -> Reply:
        return self.handle_many([(body, content_type)])[0]

    def handle_many(self, requests: Sequence[tuple[bytes, str | None]]) -> list[Reply]:
        """Replies to requests that arrived together: each is read and authorised, then the data
        they need is read at once (:meth:`Dispatcher.prefetch`), then each is answered.  Every
        request's reply, fault and ledger record are exactly what it would get alone."""
        pending = [self._read(body, content_type) for body, content_type in requests]
        calls = [(p.ready.service, p.ready.params) for p in pending if p.ready is not None]
        with self.dispatcher.prefetch(calls):
            return [self._answer(p) for p in pending]

    def _read(self, body: bytes, content_type: str | None) -> _Pending:
        """Checks, parse, header, agreement and parameters; the first failure is kept for
        :meth:`_answer`, which turns it into the fault."""
        pending = _Pending(body, time.perf_counter(), {"service_id": UNPARSED})
        seen = pending.seen
        try:
            check_content_type(content_type)
            check_utf8(body)
            if len(body) > EARLY_CHECK_BYTES:
                self._check_head_first(body, seen)
            pending.envelope = parse_xml(body, max_bytes=self.max_bytes, max_depth=self.max_depth)
            header, pending.wrapper = read_request(pending.envelope)
            seen.update(self._identify(header))
            self._check_service(header)
            seen["subjects"] = requested_subjects({"pin": _pin_text(_find_pin(pending.wrapper))})
            call = Call(header.client, header.service.service_code, header.id, header.user_id, header.issue)
            service, grant = self.dispatcher.authorize(call)
            seen["agreement_id"] = grant.number
            pending.ready = _Ready(call, service, grant, self._params(pending.wrapper, service))
        except Exception as error:
            pending.error = error
        return pending

    def _answer(self, pending: _Pending) -> Reply:
        seen = pending.seen
        fault_log: tuple[str, str] | None = None
        try:
            if pending.ready is None:
                raise pending.error or InternalError("the request was not read")
            call, service, grant, params = pending.ready
            result = self.dispatcher.answer(service, grant, params, call)
            response, response_wrapper = response_envelope(pending.envelope, pending.wrapper)
            content = xml_text(service, result.code, result.values, result.granted, response_wrapper.prefix)
            data = serialize_with_body(response, response_wrapper, content)
            seen["subjects"] = result.subjects
            outcome = OK
        except Exception as error:  # never an unhandled error: a bug is a fault whose id finds it
            if pending.envelope is not None and seen["service_id"] == UNPARSED:
                seen.update(_salvage(pending.envelope))
            wire = to_wire(error)
            data, outcome, fault_log = soap_fault(wire), wire.code, (wire.message, wire.detail)
        body = pending.body
        exchange = Exchange(
            Direction.IN,
            Channel.SOAP,
            outcome=outcome,
            request_digest=self.digest(body),
            request_bytes=len(body),
            response_digest=self.digest(data),
            response_bytes=len(data),
            duration_ms=int((time.perf_counter() - pending.started) * 1000),
            **seen,
        )
        return Reply(200, data, exchange, fault=fault_log)  # faults with 200 too, as the SS sends them

    @staticmethod
    def _identify(header: Header) -> dict[str, Any]:
        party = header.represented_party
        return {
            "service_id": str(header.service),
            "client_id": str(header.client),
            "message_id": header.id,
            "user_id": header.user_id or None,
            "issue": header.issue or None,
            "represented_party": None if party is None else f"{party.party_class or ''}/{party.party_code}",
        }

    def _check_head_first(self, body: bytes, seen: dict[str, Any]) -> None:
        """For a large message, authorise from its header before the whole body is parsed: a client
        without an agreement is refused for the price of its header (and the PIN it names, read
        from the body's first elements, is still ledgered)."""
        head = read_head(
            body,
            f"{{{SOAP_ENV}}}Header",
            lambda element: element.tag == f"{{{NAMESPACE}}}pin",
            max_depth=self.max_depth,
        )
        if head is None:
            return  # the full parse names whatever is wrong
        header = read_header(head.header)
        seen.update(self._identify(header))
        self._check_service(header)
        if head.picked is not None:
            seen["subjects"] = requested_subjects({"pin": _pin_text(head.picked)})
        call = Call(header.client, header.service.service_code, header.id, header.user_id, header.issue)
        self.dispatcher.authorize(call)

    @staticmethod
    def _params(wrapper: Any, service: Service) -> dict[str, str]:
        """The request's parameters: each a known one of the service, once, text only."""
        params: dict[str, str] = {}
        known = {param.name for param in service.params}
        unknown: list[str] = []
        for child in wrapper:
            if not isinstance(child.tag, str):
                continue
            namespace, _, local = (
                child.tag[1:].partition("}") if child.tag.startswith("{") else ("", "", child.tag)
            )
            if namespace not in (NAMESPACE, ""):
                raise InvalidRequest(f"element {local} is not in the service namespace")
            if local not in known:
                unknown.append(local)
                if len(unknown) > 10:
                    break
                continue
            if local in params:
                raise InvalidRequest(f"element {local} repeats")
            if len(child):
                raise InvalidRequest(f"element {local} must hold text only")
            params[local] = (child.text or "").strip()
        if unknown:
            listed = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
            raise InvalidBody(
                f"{service.code} takes {', '.join(sorted(known))}; unknown element(s): {listed}",
            )
        return params

    def _check_service(self, header: Header) -> None:
        service = header.service
        if service.client != self.provider:
            raise UnknownService(f"this server provides {self.provider}, not {service.client}")
        spec = BY_CODE.get(service.service_code)
        if spec is None or spec.rest_only:
            raise UnknownService(f"no SOAP service {service.service_code!r} here")
        if service.version not in (None, SERVICE_VERSION):
            raise UnknownService(
                f"{service.service_code} has version {SERVICE_VERSION}, not {service.version}",
            )
