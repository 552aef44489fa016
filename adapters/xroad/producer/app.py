"""The producer's ASGI application (Starlette), served by ``sanarip-hub serve``.

Routes:

* ``POST /xroad`` — SOAP 1.1, document/literal wrapped, message protocol 4.0;
* ``GET /xroad?wsdl`` and ``GET /wsdl?xRoadInstance=…&memberClass=…&memberCode=…&subsystemCode=…
  &serviceCode=…&version=…`` — the WSDL (its schemas under ``/schemas/…``);
* ``GET /rest/address-fact/{pin}``, ``GET /rest/family-members/{pin}``, ``GET /rest/openapi.json``.

Every SOAP and REST exchange is appended to the ledger *before* the reply leaves: the request
handler waits for the group-commit writer's acknowledgement without holding a thread, and if the
ledger cannot record the exchange the client gets ``Server.LoggingFailed`` instead of the data.
Bodies are read with the configured size limit; a larger body is refused without being parsed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from anyio import to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.asgi import ASGIApp, Receive, Scope, Send, request_header, respond
from adapters.xroad.faults import rest_error, soap_fault, to_wire
from adapters.xroad.producer.batch import Batch
from adapters.xroad.producer.http_limits import STATE_KEY, HttpLimits, in_flight_limit
from adapters.xroad.producer.rest import JSON_TYPE, RestEndpoint, RestReply, RestRequest, openapi_document
from adapters.xroad.producer.soap import CONTENT_TYPE, UNPARSED, Reply, SoapEndpoint
from adapters.xroad.wsdl import render_wsdl, schema_bytes
from sanarip_hub.domain.exchange import Channel, Direction, Exchange
from sanarip_hub.domain.hub_contract import CONTRACT, SERVICE_VERSION, SERVICES
from sanarip_hub.domain.xroad_identifiers import ClientId
from sanarip_hub.errors import ClientGone, ClientTimeout, Disconnected, LoggingFailed, MessageTooLarge
from sanarip_hub.log import LineLogger, get_logger

log = get_logger("sanarip_hub.producer")
exchange_lines = LineLogger("sanarip_hub.producer")  # one per exchange: the short way (see LineLogger)
DRAIN_LIMIT = 64 * 1024 * 1024  # bytes of an oversized body read and dropped so the client gets its fault
SOAP_CODES = {service.code for service in SERVICES}


@dataclass
class Components:
    """What the web layer needs; :func:`hub_components` builds the real ones from settings."""

    soap: SoapEndpoint
    rest: RestEndpoint
    provider: ClientId
    max_bytes: int
    record: Callable[[Exchange], Awaitable[int]] | None  # None only in the protocol-path benchmark
    # around a request's work until its entry is submitted (a batch begun meanwhile waits for it)
    expecting: Callable[[], AbstractContextManager[None]] = nullcontext
    blocking: bool = True  # the data source does I/O: run requests in the thread pool
    threads: int = 40  # at most this many requests in the pool at once (bounded by the DB pool)
    close: Callable[[], None] = field(default=lambda: None)
    routes: list[BaseRoute] = field(default_factory=list)  # the console, /metrics, /readyz
    limits: HttpLimits | None = None  # None: no per-worker limits (the protocol-path benchmark)
    x_road: bool = True  # serve the X-Road routes (False: the console's own listener)


def _too_large(size: int, limit: int) -> MessageTooLarge:
    return MessageTooLarge(f"message of {size} bytes exceeds the limit of {limit}", size)


def _gone(scope: Scope, size: int) -> ClientGone:
    if scope.get("state", {}).get("timed_out", False):  # set by GuardedHttpProtocol
        return ClientTimeout(f"the client was too slow after {size} bytes of its body", size)
    return Disconnected(f"the client disconnected after {size} bytes of its body", size)


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body, at most ``limit`` bytes: :class:`MessageTooLarge` beyond (after draining a
    bounded amount so the client can read its fault), :class:`ClientGone` if the client leaves."""
    declared = request_header(scope, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    chunks, size, more = [], 0, True
    while more:
        chunk, more = await _body_chunk(scope, receive, size)
        size += len(chunk)
        if size > limit:
            while more and size <= DRAIN_LIMIT:  # drain (bounded) so the client can read the fault
                chunk, more = await _body_chunk(scope, receive, size)
                size += len(chunk)
            raise _too_large(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def _body_chunk(scope: Scope, receive: Receive, size: int) -> tuple[bytes, bool]:
    """The next piece of the body and whether more follows; :class:`ClientGone` if the client
    left after ``size`` bytes."""
    message = await receive()
    if message["type"] == "http.disconnect":
        raise _gone(scope, size)
    return message.get("body", b""), message.get("more_body", False)


class _AsAsgi:
    """An ASGI function as a Starlette route endpoint (Starlette wraps a plain function as a
    request → response handler, and calls any other callable as an ASGI app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def soap_posts(app: ASGIApp, post: ASGIApp) -> ASGIApp:
    """``POST /xroad`` straight to ``post``, everything else to ``app``.

    Every X-Road request is a POST to one path: routing it through Starlette's middleware, router
    and request/response objects cost ~7% of a worker's CPU under load (py-spy, bench/producer.py
    at c=32), for nothing the SOAP endpoint uses.  Its other methods (``GET`` for the WSDL, a
    refused ``PUT``) still go through Starlette."""

    async def routed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/xroad":
            await post(scope, receive, send)
        else:
            await app(scope, receive, send)

    return routed


async def _settled(value: int | None) -> int | None:
    return value


async def _failed(exc: Exception) -> int | None:
    raise exc


def build_app(components: Components) -> ASGIApp:
    soap, rest = components.soap, components.rest
    soap_batch: Batch[tuple[bytes, str | None], Reply] = Batch(soap.handle_many, components.blocking)
    rest_batch: Batch[RestRequest, RestReply] = Batch(rest.handle_many, components.blocking)

    def submitted(exchange: Exchange) -> Awaitable[int | None]:
        """Hand the exchange to the ledger now, while the request is still inside ``expecting()``
        (so a batch that waits for it finds it queued); await the result for its sequence number."""
        if components.record is None:
            return _settled(None)
        try:
            return components.record(exchange)
        except Exception as exc:  # a closed writer: the wait reports it
            return _failed(exc)

    async def recorded(
        exchange: Exchange, fault: tuple[str, str] | None, entry: Awaitable[int | None]
    ) -> bool:
        """Wait for the exchange's ledger entry and log its one line; False when the ledger could
        not record it (the reply must then not leave: the client gets ``Server.LoggingFailed``)."""
        try:
            seq = await entry
        except Exception as exc:
            log.error("producer.ledger_failed", error=str(exc).splitlines()[0] if str(exc) else repr(exc))
            return False
        log_exchange(exchange, seq, fault)
        return True

    logging_failed = LoggingFailed("the exchange could not be recorded; nothing was sent")

    def log_exchange(exchange: Exchange, seq: int | None, fault: tuple[str, str] | None) -> None:
        """The one structured line per exchange (the ledger entry's seq ties the two together)."""
        reason, detail = fault if fault is not None else (None, None)
        exchange_lines.info(
            "exchange",
            reason=reason,
            detail=detail,
            channel=exchange.channel.value,
            service=exchange.service_id,
            client=exchange.client_id,
            message_id=exchange.message_id,
            outcome=exchange.outcome,
            agreement=exchange.agreement_id,
            duration_ms=exchange.duration_ms,
            request_bytes=exchange.request_bytes,
            response_bytes=exchange.response_bytes,
            seq=seq,
        )

    async def post_xroad(scope: Scope, receive: Receive, send: Send) -> None:
        with components.expecting():
            reply, gone = await soap_reply(scope, receive)
            entry = submitted(reply.exchange)
        if gone:  # nobody is left to answer: the attempt is ledgered and logged once
            await recorded(reply.exchange, reply.fault, entry)
            await respond(send, reply.status, b"", None)
        elif not await recorded(reply.exchange, reply.fault, entry):
            await respond(send, 200, soap_fault(to_wire(logging_failed)), CONTENT_TYPE)
        else:
            await respond(send, reply.status, reply.body, reply.content_type)

    async def soap_reply(scope: Scope, receive: Receive) -> tuple[Reply, bool]:
        """The reply to a SOAP request, and whether its client has gone (nothing to send)."""
        try:
            body = await read_body(scope, receive, components.max_bytes)
        except ClientGone as gone:
            exchange = Exchange(
                Direction.IN, Channel.SOAP, UNPARSED, outcome=gone.fault_code, request_bytes=gone.size
            )
            return Reply(gone.http_status, b"", exchange, fault=(gone.message, "-")), True
        except MessageTooLarge as too_large:
            wire = to_wire(too_large)
            data = soap_fault(wire)
            exchange = Exchange(
                Direction.IN,
                Channel.SOAP,
                UNPARSED,
                outcome=wire.code,
                request_bytes=too_large.size,
                response_bytes=len(data),
            )
            return Reply(200, data, exchange, fault=(wire.message, wire.detail)), False
        return await soap_batch.answer((body, request_header(scope, b"content-type"))), False

    async def rest_call(request: Request) -> Response:
        if request.method != "GET":  # Starlette adds HEAD to every GET route; REST r1 services are GET
            return PlainTextResponse("only GET\n", 405, headers={"allow": "GET"})
        service_code = request.path_params["service"]
        header_list = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in request.headers.raw]
        request_line = f"{request.method} {request.url.path}"
        call = (service_code, request.path_params["pin"], request_line, header_list)
        with components.expecting():
            reply = await rest_batch.answer(call)
            entry = submitted(reply.exchange)
        if not await recorded(reply.exchange, reply.fault, entry):
            wire = to_wire(logging_failed)
            body, headers = rest_error(wire)
            return Response(body, wire.status, headers=headers)
        return Response(reply.body, reply.status, headers=reply.headers)

    @lru_cache(maxsize=32)
    def wsdl_for(location: str) -> bytes:
        return render_wsdl(CONTRACT, location)

    def wsdl_response(request: Request) -> Response:
        location = str(request.url.replace(path="/xroad", query=""))
        return Response(wsdl_for(location), media_type=CONTENT_TYPE)

    async def get_xroad(request: Request) -> Response:
        if "wsdl" in request.query_params or request.url.query.lower() == "wsdl":
            return wsdl_response(request)
        return PlainTextResponse("POST SOAP 1.1 messages here; GET /xroad?wsdl for the contract\n", 405)

    async def get_wsdl(request: Request) -> Response:
        query = request.query_params
        provider = components.provider
        expected = {
            "xRoadInstance": provider.instance,
            "memberClass": provider.member_class,
            "memberCode": provider.member_code,
            "subsystemCode": provider.subsystem,
        }
        for key, value in expected.items():
            if key in query and query[key] != value:
                return PlainTextResponse(f"{key}={query[key]} is not this server's ({value})\n", 404)
        code = query.get("serviceCode")
        if code is not None and code not in SOAP_CODES:
            return PlainTextResponse(f"no SOAP service {code!r} here\n", 404)
        version = query.get("version") or query.get("serviceVersion")
        if version not in (None, "", SERVICE_VERSION):
            return PlainTextResponse(
                f"service version {version!r} is not provided ({SERVICE_VERSION})\n", 404
            )
        return wsdl_response(request)

    async def get_schema(request: Request) -> Response:
        data = schema_bytes(request.path_params["name"])
        if data is None:
            return PlainTextResponse("no such schema\n", 404)
        return Response(data, media_type="text/xml; charset=UTF-8")

    openapi = json.dumps(openapi_document(components.provider), ensure_ascii=False, indent=2).encode()

    async def get_openapi(request: Request) -> Response:
        return Response(openapi, media_type=JSON_TYPE)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        if components.blocking:  # else requests run on the loop; the console keeps the default pool
            to_thread.current_default_thread_limiter().total_tokens = components.threads
        yield {STATE_KEY: components.limits} if components.limits is not None else {}
        components.close()

    x_road: list[BaseRoute] = [
        Route("/xroad", _AsAsgi(post_xroad), methods=["POST"]),  # soap_posts takes them before Starlette
        Route("/xroad", get_xroad, methods=["GET"]),
        Route("/wsdl", get_wsdl, methods=["GET"]),
        Route("/schemas/{name}", get_schema, methods=["GET"]),
        Route("/rest/openapi.json", get_openapi, methods=["GET"]),
        Route("/rest/{service:str}/{pin:str}", rest_call, methods=["GET"]),
    ]
    app = Starlette(
        routes=[
            *(x_road if components.x_road else []),
            Route("/healthz", healthz, methods=["GET"]),
            *components.routes,
        ],
        lifespan=lifespan,
    )
    routed = soap_posts(app, post_xroad) if components.x_road else app
    if components.limits is None:
        return routed
    return in_flight_limit(routed, components.limits.max_in_flight)
