"""``GET /rest/<service>/{pin}``: the X-Road message protocol for REST (r1), provider side.

The security server passes the caller's identity in ``X-Road-Client`` (``INST/CLASS/CODE/SUB``,
percent-encoded parts), the message id in ``X-Road-Id``, and the optional ``X-Road-UserId``,
``X-Road-Issue`` and ``X-Road-Represented-Party``.  The same :class:`Dispatcher` rules as for SOAP
apply.  Answers (the names Tunduk clients already call, FACTS §2.3 and §9.1):

* 200 with JSON;
* 204 without a body when the PIN is unknown (the existing service's documented behaviour);
* 200 with the body ``{"code":405}`` when the person belongs to no current household, as the running
  service answers and its clients read (FACTS §2.3, GOV/70000050); or, configured
  (``[producer] rest_no_household = "not-found"``), 404 ``NO_HOUSEHOLD`` in the error shape;
* errors as the security server shapes them: ``{"type", "message", "detail"}`` with the fault code
  in ``type`` and in the ``X-Road-Error`` header; 400 for a bad request, 403 when no agreement
  allows the call, 404 for an unknown service, 500 for the hub's own failures.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from adapters.xroad.faults import WireFault, rest_error, to_wire
from adapters.xroad.producer.render import to_json
from sanarip_hub.domain.contract import Service
from sanarip_hub.domain.exchange import OK, Channel, Direction, Exchange
from sanarip_hub.domain.hub_contract import REST_SERVICES, ResultCode
from sanarip_hub.domain.identifiers import PIN_PATTERN
from sanarip_hub.domain.xroad_identifiers import REST_CLIENT_PATTERN, ClientId
from sanarip_hub.errors import (
    DuplicateHeaderField,
    InternalError,
    InvalidClientIdentifier,
    InvalidIdentifier,
    MissingHeaderField,
    UnknownService,
)
from sanarip_hub.log import get_logger
from sanarip_hub.producer.agreements import Grant
from sanarip_hub.producer.dispatch import Call, Dispatcher, requested_subjects

log = get_logger("sanarip_hub.producer")

JSON_TYPE = "application/json"
HEADER_NAMES = {
    "x-road-client": "X-Road-Client",
    "x-road-id": "X-Road-Id",
    "x-road-userid": "X-Road-UserId",
    "x-road-issue": "X-Road-Issue",
    "x-road-represented-party": "X-Road-Represented-Party",
}
REST_CODES = frozenset(service.code for service in REST_SERVICES)


NO_HOUSEHOLD_BODY = b'{"code":405}'  # the running service's "no family" (FACTS §2.3)


@dataclass(frozen=True)
class RestReply:
    status: int
    body: bytes
    headers: dict[str, str]
    exchange: Exchange
    fault: tuple[str, str] | None = None  # (reason, detail id) for the exchange's log line


RestRequest = tuple[str, str, str, list[tuple[str, str]]]  # service code, PIN, request line, headers


@dataclass
class _PendingCall:
    """A call read as far as it could be: its exchange so far, and what answers it or stopped it."""

    started: float
    service_code: str
    pin: str
    exchange: Exchange
    ready: tuple[Call, Service, Grant] | None = None
    error: Exception | None = None


class RestEndpoint:
    def __init__(
        self,
        dispatcher: Dispatcher,
        provider: ClientId,
        digest: Callable[[bytes], str],
        no_household: str = "code405",
    ) -> None:
        self.dispatcher = dispatcher
        self.no_household_code = no_household == "code405"
        self.digest = digest  # the ledger's keyed message digest
        self.provider = provider

    def handle(
        self, service_code: str, pin: str, request_line: str, header_list: list[tuple[str, str]]
    ) -> RestReply:
        """One REST call: ``request_line`` is ``GET /rest/…``, ``header_list`` every header as sent
        (lower-case names, repeats kept).  The keyed request digest covers the request line and the
        ``X-Road-*`` headers, the parts of a REST request that say who asks what."""
        return self.handle_many([(service_code, pin, request_line, header_list)])[0]

    def handle_many(self, requests: Sequence[RestRequest]) -> list[RestReply]:
        """Replies to calls that arrived together, as :meth:`SoapEndpoint.handle_many` answers
        SOAP requests: each read and authorised, their data read at once, then each answered."""
        pending = [self._read(*request) for request in requests]
        with self.dispatcher.prefetch((p.ready[1], {"pin": p.pin}) for p in pending if p.ready is not None):
            return [self._answer(p) for p in pending]

    def _read(
        self, service_code: str, pin: str, request_line: str, header_list: list[tuple[str, str]]
    ) -> _PendingCall:
        started = time.perf_counter()
        xroad = [(name, value) for name, value in header_list if name.startswith("x-road-")]
        raw_request = f"{request_line}\n".encode() + b"".join(f"{k}: {v}\n".encode() for k, v in xroad)
        names = [name for name, _ in xroad]
        repeated = sorted({name for name in names if names.count(name) > 1})
        headers: Mapping[str, str] = {name: value for name, value in xroad if name not in repeated}
        exchange = Exchange(
            Direction.IN,
            Channel.REST,
            service_id=f"SERVICE:{self.provider.path()}/{service_code}",
            message_id=(headers.get("x-road-id") or None),
            user_id=(headers.get("x-road-userid") or None),
            issue=(headers.get("x-road-issue") or None),
            represented_party=(headers.get("x-road-represented-party") or None),
            subjects=requested_subjects({"pin": pin}),
            request_digest=self.digest(raw_request),
            request_bytes=len(raw_request),
        )
        pending = _PendingCall(started, service_code, pin, exchange)
        try:
            if repeated:  # the security server takes the last, a proxy may take the first: refuse
                spelled = ", ".join(HEADER_NAMES.get(name, name) for name in repeated)
                raise DuplicateHeaderField(f"header {spelled} is repeated")
            client_header = headers.get("x-road-client")
            if not client_header:
                raise MissingHeaderField("the X-Road-Client header is required")
            exchange = replace(exchange, client_id=client_header)
            try:
                client = ClientId.from_rest_header(client_header)
            except InvalidIdentifier as exc:
                raise InvalidClientIdentifier(str(exc)) from None
            exchange = replace(exchange, client_id=str(client))
            if not exchange.message_id:
                raise MissingHeaderField("the X-Road-Id header is required")
            if service_code not in REST_CODES:
                raise UnknownService(f"no REST service {service_code!r} here")
            call = Call(client, service_code, exchange.message_id, exchange.user_id, exchange.issue)
            service, grant = self.dispatcher.authorize(call)
            exchange = replace(exchange, agreement_id=grant.number)
            pending.ready = (call, service, grant)
        except Exception as error:
            pending.error = error
        pending.exchange = exchange  # as far as it was read
        return pending

    def _answer(self, pending: _PendingCall) -> RestReply:
        exchange, service_code = pending.exchange, pending.service_code
        status, reply_headers = 200, {"content-type": JSON_TYPE}
        fault_log: tuple[str, str] | None = None
        try:
            if pending.ready is None:
                raise pending.error or InternalError("the call was not read")
            call, service, grant = pending.ready
            result = self.dispatcher.answer(service, grant, {"pin": pending.pin}, call)
            exchange = replace(exchange, outcome=OK, subjects=result.subjects)
            if result.code is ResultCode.PIN_NOT_FOUND:
                status, body = 204, b""
                reply_headers = {}
            elif result.code is ResultCode.NO_HOUSEHOLD and self.no_household_code:
                status, body = 200, NO_HOUSEHOLD_BODY
            elif result.code is not ResultCode.OK:  # a business answer in the error shape
                status = 404
                not_found = WireFault(result.code.value, 404, f"{service_code}: {result.code.value}", "-")
                body, reply_headers = rest_error(replace(not_found, detail=str(uuid.uuid4())))
            else:
                document = to_json(service, result.code, result.values, result.granted)
                body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        except Exception as error:  # never an unhandled error: a bug is a fault whose id finds it
            wire = to_wire(error)
            status, (body, reply_headers) = wire.status, rest_error(wire)
            exchange = replace(exchange, outcome=wire.code)
            fault_log = (wire.message, wire.detail)
        exchange = replace(
            exchange,
            response_digest=self.digest(body),
            response_bytes=len(body),
            duration_ms=int((time.perf_counter() - pending.started) * 1000),
        )
        return RestReply(status, body, reply_headers, exchange, fault_log)


def _schema(service: Service) -> dict[str, Any]:
    types = {
        "string": "string",
        "date": "string",
        "dateTime": "string",
        "int": "integer",
        "decimal": "number",
        "boolean": "boolean",
    }
    formats = {"date": "date", "dateTime": "date-time"}

    def field_schema(spec: Any) -> dict[str, Any]:
        if spec.children:
            record = {"type": "object", "properties": {c.name: field_schema(c) for c in spec.children}}
            return {"type": "array", "items": record} if spec.item else record
        schema: dict[str, Any] = {"type": types[spec.type]}
        if spec.type in formats:
            schema["format"] = formats[spec.type]
        return {"type": "array", "items": schema} if spec.item else schema

    properties = {"resultCode": {"type": "string", "enum": [c.value for c in ResultCode]}}
    properties.update({f.name: field_schema(f) for f in service.fields})
    return {"type": "object", "required": ["resultCode"], "properties": properties}


def openapi_document(provider: ClientId) -> dict[str, Any]:
    """OpenAPI 3.0 description of the REST services (what ``getOpenAPI`` would hand out)."""
    error = {
        "description": "error (fault code in type and in the X-Road-Error header)",
        "content": {JSON_TYPE: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    present = {"type": "string", "pattern": r"^\S(.*\S)?$"}  # not empty, not only white space
    headers = [
        {
            "name": "X-Road-Client",
            "in": "header",
            "required": True,
            "description": "INSTANCE/CLASS/CODE[/SUBSYSTEM] of the caller, set by the security server",
            "schema": {"type": "string", "pattern": REST_CLIENT_PATTERN},
        },
        {"name": "X-Road-Id", "in": "header", "required": True, "schema": present},
        {
            "name": "X-Road-UserId",
            "in": "header",
            "required": True,
            "description": "the official, or the person a portal acts for; personal data needs it",
            "schema": present,
        },
        {
            "name": "X-Road-Issue",
            "in": "header",
            "required": True,
            "description": "the case or purpose; required unless the client's agreement waives it",
            "schema": present,
        },
        {"name": "X-Road-Represented-Party", "in": "header", "required": False, "schema": {"type": "string"}},
    ]
    paths = {}
    schemas: dict[str, Any] = {
        "NoHousehold": {
            "type": "object",
            "description": "the running service's answer for a person in no household (FACTS 2.3)",
            "properties": {"code": {"type": "integer", "enum": [405]}},
            "required": ["code"],
            "additionalProperties": False,
        },
        "Error": {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "message": {"type": "string"},
                "detail": {"type": "string"},
            },
        },
    }
    for service in REST_SERVICES:
        name = service.code.title().replace("-", "")
        schemas[name] = _schema(service)
        paths[f"/rest/{service.code}/{{pin}}"] = {
            "get": {
                "operationId": service.code,
                "summary": service.title["en"],
                "description": f"{service.title['ky']} / {service.title['ru']}. {service.note}",
                "parameters": [
                    {
                        "name": "pin",
                        "in": "path",
                        "required": True,
                        "description": "14 digits: gender (0, 1, 2), a real date of birth DDMMYYYY, serial",
                        "schema": {"type": "string", "pattern": PIN_PATTERN},
                    },
                    *headers,
                ],
                "responses": {
                    "200": {
                        "description": 'found; or {"code":405}: the person is in no household',
                        "content": {
                            JSON_TYPE: {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": f"#/components/schemas/{name}"},
                                        {"$ref": "#/components/schemas/NoHousehold"},
                                    ]
                                }
                            }
                        },
                    },
                    "204": {"description": "no person with this PIN"},
                    "400": error,
                    "403": error,
                    "404": error,
                    "500": error,
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Sanarip Aimak REST services",
            "version": "v1",
            "description": f"X-Road subsystem {provider}; called through a security server (REST r1).",
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
