"""Bounded resources at the HTTP level: what one client sends cannot hold a worker.

The review found that uvicorn, as configured, accepted 64 MiB of request headers, let a trickled
or never-ending body hold a connection for ever, and stopped a worker with 1,100 idle sockets
(each a file descriptor, none ever timed out before its first byte).  :class:`GuardedHttpProtocol`
is uvicorn's httptools protocol with four limits added, all from ``[limits]``:

* ``max_header_bytes``: request line and headers larger than this → ``431`` and the connection
  closed (counted as the bytes arrive, so a header that never ends is cut too);
* ``header_timeout``: a connection that has not sent complete headers this long after it opened
  (or after its previous response) → ``408`` and closed; idle sockets go the same way;
* ``body_timeout``: a body not complete this long after its headers → ``408`` and closed (the
  request, already in the application, is ledgered as ``Client.Timeout``);
* ``max_connections`` per worker: one more is answered ``503`` and closed at once.

Keep-alive idling between requests is uvicorn's ``timeout_keep_alive`` (``idle_timeout``).  The
limit on requests in flight is :func:`in_flight_limit`, an ASGI middleware, because its refusal
speaks X-Road (``Server.Overloaded`` as a SOAP fault or a REST error).

The limits reach each worker's protocol through the application's lifespan state
(``app_state[STATE_KEY]``), which uvicorn hands every protocol it creates.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from adapters.asgi import ASGIApp, Receive, Scope, Send
from adapters.xroad.faults import SOAP_CONTENT_TYPE, rest_error, soap_fault, to_wire
from adapters.xroad.producer.coalesced_writes import CoalescingTransport
from sanarip_hub.errors import Overloaded

STATE_KEY = "sanarip_hub.http_limits"
REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large", 503: b"Service Unavailable"}


@dataclass(frozen=True)
class HttpLimits:
    max_header_bytes: int = 32 * 1024
    header_timeout: float = 10.0
    body_timeout: float = 60.0
    max_connections: int = 1000
    max_in_flight: int = 128


class _Refused(Exception):
    """Raised inside a parser callback to stop parsing a refused request."""


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header size, header and body deadlines and a connection cap."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any], _loop: Any = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits: HttpLimits = app_state.get(STATE_KEY) or HttpLimits()
        self._timer: asyncio.TimerHandle | None = None
        self._in_headers = True
        self._raw_header_bytes = 0  # bytes received while the headers were incomplete
        self._header_bytes = 0  # request line and headers as parsed
        self._refused = False

    # -- timers ------------------------------------------------------------------------------

    def _arm(self, seconds: float, in_body: bool) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._expired, in_body)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self, in_body: bool) -> None:
        self._timer = None
        if in_body and self.scope is not None:  # the application learns why its body stopped
            self.scope["state"]["timed_out"] = True
        self._refuse(408, "request not received in time")

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with a one-line text and close the connection."""
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        self._disarm()
        if self.cycle is not None and self.cycle.response_started:
            self.transport.close()
            return
        body = (message + "\n").encode()
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n%s" % (status, REASONS[status], len(body), body)
        )
        self.transport.close()

    # -- connection ----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # one send per response (see coalesced_writes)
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
        if len(self.connections) > self.limits.max_connections:
            self._refuse(503, "too many connections")
            return
        self._arm(self.limits.header_timeout, in_body=False)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        self._unset_keepalive_if_required()
        if self._in_headers:
            self._raw_header_bytes += len(data)
            if self._timer is None:  # first bytes after a keep-alive pause: headers are due
                self._arm(self.limits.header_timeout, in_body=False)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.send_400_response("Protocol upgrades are not served here.")
            return
        except httptools.HttpParserError:
            if not self._refused:
                self.send_400_response("Invalid HTTP request received.")
            return
        # a header still incomplete after more bytes than the limit: cut it here, unparsed
        if self._in_headers and self._raw_header_bytes > self.limits.max_header_bytes:
            self._refuse(431, f"request headers exceed {self.limits.max_header_bytes} bytes")

    # -- parser callbacks ------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers = True
        self._header_bytes = 0

    def on_url(self, url: bytes) -> None:
        self._header_bytes += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._header_bytes > self.limits.max_header_bytes:
            self._refuse(431, f"request headers exceed {self.limits.max_header_bytes} bytes")
            raise _Refused
        self._in_headers = False
        self._raw_header_bytes = 0
        self._arm(self.limits.body_timeout, in_body=True)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # uvicorn arms its keep-alive timer now; our header timer starts with the next bytes
        self._disarm()


def in_flight_limit(app: ASGIApp, limit: int) -> ASGIApp:
    """At most ``limit`` requests of this worker in the application at once; the next is answered
    at once with ``503`` and ``Server.Overloaded`` (a SOAP fault on ``/xroad``, the REST error
    shape elsewhere), before its body is read, so an overloaded worker spends nothing on it."""
    in_flight = 0
    message = "the hub is at its limit of requests in flight; retry shortly"

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal in_flight
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if in_flight >= limit:
            wire = to_wire(Overloaded(message))
            if scope["path"] == "/xroad" and scope["method"] == "POST":
                body, headers = (
                    soap_fault(wire),
                    {"content-type": SOAP_CONTENT_TYPE, "x-road-error": wire.code},
                )
            else:
                body, headers = rest_error(wire)
            extra = [(b"retry-after", b"1"), (b"connection", b"close")]
            await send(
                {
                    "type": "http.response.start",
                    "status": wire.status,  # 503 on /xroad too: the request was never read
                    "headers": [(k.encode(), v.encode()) for k, v in headers.items()] + extra,
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        in_flight += 1
        try:
            await app(scope, receive, send)
        finally:
            in_flight -= 1

    return guarded
