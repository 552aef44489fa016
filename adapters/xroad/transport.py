"""HTTP/1.1 to the security server for the nightly jobs: kept-alive connections, POST only.

A consumer talks to exactly one peer, its own security server, with one kind of request: a SOAP
POST of a few hundred bytes.  A general HTTP client (cookies, redirects, proxies, URL handling,
tracing hooks) spent more CPU per call than building and reading the message; this pool does only
what the exchange needs and leaves parsing to llhttp (``httptools``, which uvicorn uses too):

* a bounded pool of kept-alive connections (a connection the server closed is replaced);
* ``Content-Length`` requests; replies with a length, chunked or closed-delimited, decoded by llhttp;
* a size limit enforced while the reply arrives and a deadline per request;
* TLS when the URL says ``https`` (the security server's client-side TLS), with the given context.

Errors are :class:`TransportFailure` (OSError), which the consumer's retry policy treats as
network errors.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from typing import Protocol
from urllib.parse import urlsplit

import httptools

from adapters.asgi import ASGIApp, Message
from sanarip_hub.errors import TransportFailure


class Transport(Protocol):
    """How a consumer reaches its security server: one POST of a SOAP message, its reply's status
    and body back, :class:`TransportFailure` when the exchange could not be completed.  Like zeep's
    ``Client(transport=…)`` and httpx's transports: :class:`HttpPool` on the network,
    :class:`AsgiTransport` in process (tests call the simulator's ASGI app through it)."""

    async def post(self, body: bytes) -> tuple[int, bytes]: ...

    async def close(self) -> None: ...


class _Connection(asyncio.Protocol):
    """One kept-alive connection; at most one request in flight."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.transport: asyncio.Transport | None = None
        self.reply: asyncio.Future[tuple[int, bytes]] | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.body: list[bytes] = []
        self.size = 0
        self.keep_alive = True
        self.closed = False
        self.headers_done = False  # the reply's status line and headers have arrived
        self.delimited = False  # its body has a Content-Length or is chunked

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.reply is None or self.reply.done():
            self._fail(TransportFailure("data from the server with no request outstanding"))
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(TransportFailure(f"bad HTTP reply: {exc}"))

    def eof_received(self) -> bool | None:
        self.closed = True
        if self.reply is not None and not self.reply.done() and self.headers_done and not self.delimited:
            self.keep_alive = False  # a body without length or chunking ends when the server closes
            self.reply.set_result((self.parser.get_status_code(), b"".join(self.body)))
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.reply is not None and not self.reply.done():
            self.reply.set_exception(TransportFailure(f"connection lost: {exc or 'closed by the server'}"))

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.body, self.size = [], 0
        self.headers_done = self.delimited = False

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"content-length":
            self.delimited = True
            if int(value or b"0") > self.max_bytes:
                self._fail(
                    TransportFailure(f"reply of {int(value)} bytes exceeds the limit of {self.max_bytes}")
                )
        elif name == b"transfer-encoding":
            self.delimited = True

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size > self.max_bytes:
            self._fail(TransportFailure(f"reply exceeds the limit of {self.max_bytes} bytes"))
            return
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        if self.reply is not None and not self.reply.done():
            self.reply.set_result((self.parser.get_status_code(), b"".join(self.body)))

    def _fail(self, error: TransportFailure) -> None:
        if self.reply is not None and not self.reply.done():
            self.reply.set_exception(error)
        self.abort()

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def send(self, request: bytes) -> asyncio.Future[tuple[int, bytes]]:
        assert self.transport is not None
        self.reply = asyncio.get_running_loop().create_future()
        self.parser = httptools.HttpResponseParser(self)
        self.transport.write(request)
        return self.reply


class HttpPool:
    """POSTs to one URL over at most ``size`` kept-alive connections."""

    def __init__(
        self,
        url: str,
        *,
        size: int = 8,
        timeout: float = 10.0,
        max_bytes: int = 10 * 1024 * 1024,
        ssl_context: ssl.SSLContext | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl = (ssl_context or ssl.create_default_context()) if parts.scheme == "https" else None
        self.timeout = timeout
        self.max_bytes = max_bytes
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.netloc.rpartition("@")[2]
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self._head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Length: ".encode("latin-1")
        self._idle: deque[_Connection] = deque()
        self._slots = asyncio.Semaphore(size)
        self._open: set[_Connection] = set()

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            lambda: _Connection(self.max_bytes), self.host, self.port, ssl=self.ssl
        )
        self._open.add(connection)
        return connection

    async def post(self, body: bytes) -> tuple[int, bytes]:
        """Send ``body``; return the reply's status and body.  Raises :class:`TransportFailure`."""
        request = b"".join((self._head, str(len(body)).encode(), b"\r\n\r\n", body))
        async with self._slots:
            connection = None
            while self._idle and connection is None:
                candidate = self._idle.pop()
                if candidate.closed:
                    self._open.discard(candidate)
                else:
                    connection = candidate
            try:
                async with asyncio.timeout(self.timeout):
                    if connection is None:
                        connection = await self._connect()
                    status, content = await connection.send(request)
            except TimeoutError:
                self._drop(connection)
                raise TransportFailure(f"no reply within {self.timeout} s") from None
            except TransportFailure:
                self._drop(connection)
                raise
            except ConnectionRefusedError:
                self._drop(connection)
                raise TransportFailure(
                    f"connection refused by {self.host}:{self.port}: nothing listens there (is the "
                    "security server up, and is [xroad] security_server_url right?)"
                ) from None
            except OSError as exc:
                self._drop(connection)
                raise TransportFailure(str(exc) or type(exc).__name__) from None
            if connection.keep_alive and not connection.closed:
                self._idle.append(connection)
            else:
                self._drop(connection)
            return status, content

    def _drop(self, connection: _Connection | None) -> None:
        if connection is not None:
            connection.abort()
            self._open.discard(connection)

    async def close(self) -> None:
        for connection in list(self._open):
            connection.abort()
        self._open.clear()
        self._idle.clear()
        await asyncio.sleep(0)  # let the transports finish closing


class AsgiTransport:
    """An in-process transport: each POST is handed to an ASGI application (the registry
    simulator, a test's provider) without a socket, as httpx's ``ASGITransport`` does.

    The application sees what the network would bring it (method, path, the consumer's headers,
    the body); an exception inside it is a :class:`TransportFailure`, as a broken connection is.
    """

    def __init__(self, app: ASGIApp, path: str = "/", headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.path = path
        self.headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()
        ]

    async def post(self, body: bytes) -> tuple[int, bytes]:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": self.path, "raw_path": self.path.encode(), "query_string": b"",
            "root_path": "", "server": ("in-process", 80), "client": ("in-process", 0),
            "headers": [*self.headers, (b"content-length", str(len(body)).encode())],
        }  # fmt: skip
        sent = False
        status, chunks = 500, []

        async def receive() -> Message:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the client stays connected until the reply is complete
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))

        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            raise TransportFailure(f"the application failed: {type(exc).__name__}: {exc}") from None
        return status, b"".join(chunks)

    async def close(self) -> None:
        return None
