"""Calling registry services through the hub's security server: X-Road headers, retries, breaker.

:class:`PreparedConsumer` is the one production consumer: messages written and read against the
contract, no SOAP toolkit on the hot path.  :class:`~adapters.xroad.zeep_consumer.AsyncZeepConsumer`
(zeep's AsyncClient from the WSDLs) shares its retry policy and breaker and is the independent
cross-check in tests and the peer in ``bench/``.

* Headers are written by the one header writer (:func:`~adapters.xroad.envelope.request_header_fields`):
  the hub's client identity from config, a fresh ``id`` per call, ``userId`` and ``issue`` set by the
  job; zeep's header plugin puts the same elements into zeep's envelope.
* Retries with exponential backoff and jitter only for retryable failures: transport errors and
  timeouts, HTTP 5xx, malformed replies, and X-Road's own technical faults
  (``Server.ServerProxy.*``/``Server.ClientProxy.*`` before 7.8, ``server.serverproxy.*`` and
  ``server.clientproxy.*`` since; faults arrive with HTTP 200, so the body decides).  A ``Client.*``
  fault is the caller's mistake and is never retried.
* A circuit breaker stops calling a registry that keeps failing, and tries again after a pause.
"""

from __future__ import annotations

import contextvars
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from adapters.xroad.envelope import request_body, request_envelope
from adapters.xroad.reply import ReplyReader, network_error
from adapters.xroad.transport import HttpPool, Transport
from mappings.registry import Record
from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.domain.contract import Service
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.errors import CircuitOpen, ConsumerError, RegistryUnavailable, TransportFailure
from sanarip_hub.log import get_logger

log = get_logger("sanarip_hub.consumer")


@dataclass
class Trace:
    """One attempt of a call as its ledger entry records it: its own message id and start time,
    and the request and response as exchanged (zeep's: the envelopes as it serialised them)."""

    message_id: str
    started_ms: int = field(default_factory=lambda: time.time_ns() // 1_000_000)
    request: bytes | None = None
    response: bytes | None = None


@dataclass(frozen=True)
class CallContext:
    service: ServiceId
    message_id: str
    user_id: str
    issue: str
    trace: Trace | None = None


_CALL: contextvars.ContextVar[CallContext] = contextvars.ContextVar("xroad_call")


def describe(error: ConsumerError) -> str:
    """A failure as an operator reads it: its fault code, then what it says (unless that is all)."""
    text = str(error)
    return text if text.startswith(error.fault_code) else f"{error.fault_code}: {text}"


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; after ``pause`` seconds lets one call through."""

    def __init__(self, threshold: int = 5, pause: float = 10.0, clock: Clock = SYSTEM_CLOCK) -> None:
        self.threshold = threshold
        self.pause = pause
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self.opened = 0  # how many times it opened (for the run record and tests)
        self.opened_in_a_row = 0  # openings with no successful call between them: the registry is down
        self.first_error: str | None = None  # the first failure since the last success: why it is down
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds until the open circuit lets a probe through (0 when it is closed)."""
        with self._lock:
            if self.opened_at is None:
                return 0.0
            return max(0.0, self.pause - (self.clock.monotonic() - self.opened_at))

    def before(self) -> None:
        with self._lock:
            if self.opened_at is None:
                return
            if self.clock.monotonic() - self.opened_at < self.pause:
                raise CircuitOpen("the registry's circuit is open", fault_code="CircuitOpen", retryable=True)
            self.opened_at = None  # half open: this call decides

    def success(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_in_a_row = 0
            self.first_error = None

    def failure(self, error: str = "") -> bool:
        """Count a failed call (``error``: what went wrong); True when this one opened the circuit."""
        with self._lock:
            self.failures += 1
            if self.first_error is None and error:
                self.first_error = error
            if self.failures >= self.threshold and self.opened_at is None:
                self.opened_at = self.clock.monotonic()
                self.opened += 1
                self.opened_in_a_row += 1
                return True
            return False


@dataclass
class Answer:
    message_id: str
    body: Record  # the reply's values by the contract's element names, whichever consumer read them
    attempts: int
    trace: Trace | None = None  # the successful attempt


class RetryPolicy:
    """Attempts, jittered exponential backoff and the breaker, shared by every consumer kind.

    ``give_up_after``: the async consumers (batch jobs) wait out an open circuit rather than fail
    the person; after that many openings with no success between them the registry counts as down
    and :class:`RegistryUnavailable` stops the job at its checkpoint.
    """

    def __init__(
        self,
        attempts: int = 4,
        backoff: float = 0.05,
        breaker: CircuitBreaker | None = None,
        give_up_after: int = 3,
    ) -> None:
        self.attempts = attempts
        self.backoff = backoff
        self.breaker = breaker or CircuitBreaker()
        self.give_up_after = give_up_after

    def failed(self, error: ConsumerError, attempt: int, where: str = "") -> float:
        """Seconds to wait before the next attempt; re-raises ``error`` when there is none.

        The moment the circuit opens is said at once (``where``: the URL called), with the first
        error: an operator watching a run learns why it is stalling, not only after it gave up."""
        if self.breaker.failure(describe(error)):
            log.warning(
                "consumer.circuit_opened",
                url=where,
                error=self.breaker.first_error,
                pause_s=self.breaker.pause,
                opened_in_a_row=self.breaker.opened_in_a_row,
                gives_up_after=self.give_up_after,
            )
        if not error.retryable or attempt == self.attempts:
            raise error
        return self.backoff * (2.0 ** (attempt - 1)) * (0.5 + random.random())


class AsyncConsumer:
    """The async consumers' common part: the retry loop around one ``_once`` per attempt.

    Subclasses open their HTTP client in :meth:`open` (inside the running event loop) and close it
    in :meth:`close`; ``service`` is the consumed service's identifier.
    """

    def __init__(
        self,
        service: ServiceId,
        client: ClientId,
        url: str,
        *,
        timeout: float = 10.0,
        concurrency: int = 8,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.service = service
        self.policy = policy or RetryPolicy()
        self._client, self._url = client, url
        self._timeout, self._concurrency = timeout, concurrency

    @property
    def breaker(self) -> CircuitBreaker:
        return self.policy.breaker

    async def open(self) -> None:
        """Create the HTTP client in the running loop."""

    async def close(self) -> None:
        """Close the HTTP client."""

    async def _once(self, trace: Trace, user_id: str, issue: str, params: dict[str, Any]) -> Any:
        """One attempt: its body, with ``trace.request`` and ``trace.response`` filled in."""
        raise NotImplementedError

    async def call(self, *, user_id: str, issue: str, **params: Any) -> Answer:
        """Call with retries; raises :class:`ConsumerError` when the last attempt fails."""
        attempt = 0
        while True:
            try:
                self.breaker.before()
            except CircuitOpen:
                if self.breaker.opened_in_a_row >= self.policy.give_up_after:
                    raise RegistryUnavailable(
                        f"{self.service} at {self._url} keeps failing (circuit opened "
                        f"{self.breaker.opened_in_a_row} times in a row); first error: "
                        f"{self.breaker.first_error or 'none recorded'}",
                        fault_code="CircuitOpen",
                        retryable=False,
                    ) from None
                await self.breaker.clock.sleep(self.breaker.remaining() + 0.001)
                continue
            attempt += 1
            trace = Trace(str(uuid.uuid4()))
            try:
                body = await self._once(trace, user_id, issue, params)
            except ConsumerError as error:
                error.trace = trace
                pause = self.policy.failed(error, attempt, self._url)
                log.debug(
                    "consumer.attempt_failed",
                    service=str(self.service),
                    message_id=trace.message_id,
                    attempt=attempt,
                    fault=error.fault_code,
                    retry_in_s=round(pause, 3),
                )
                await self.breaker.clock.sleep(pause)
                continue
            self.breaker.success()
            log.debug(
                "consumer.answered", service=str(self.service), message_id=trace.message_id, attempt=attempt
            )
            return Answer(trace.message_id, body, attempt, trace)


class PreparedConsumer(AsyncConsumer):
    """The nightly jobs' consumer: messages written from the contract, replies read against it.

    No SOAP toolkit on the hot path: the request is the protocol 4.0 envelope written as text by
    :func:`request_envelope` (the body from the contract's declared parameters), sent by :class:`HttpPool`
    over kept-alive connections; the reply is read by :class:`ReplyReader`, which also checks that
    the security server echoed this call's ``id``.  Same headers, same retry policy and breaker as
    the zeep consumers, about a tenth of their CPU per call.
    """

    def __init__(
        self,
        operation: Service,
        namespace: str,
        service: ServiceId,
        client: ClientId,
        url: str,
        transport: Transport | None = None,
        **options: Any,
    ) -> None:
        if operation.code != service.service_code:
            raise ValueError(f"contract {operation.code} does not describe {service}")
        super().__init__(service, client, url, **options)
        self.reader = ReplyReader(operation)
        self._operation, self._namespace = operation, namespace
        self._params = {param.name for param in operation.params}
        self._given = transport  # None: an HttpPool to ``url``, made in the running loop by open()
        self._http: Transport | None = None

    async def open(self) -> None:
        if self._given is not None:
            self._http = self._given
            return
        self._http = HttpPool(
            self._url,
            size=self._concurrency,
            timeout=self._timeout,
            max_bytes=self.reader.max_bytes,
            headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        )

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def message(self, message_id: str, user_id: str, issue: str, params: dict[str, Any]) -> bytes:
        """The request envelope for one call (the parameters checked against the contract)."""
        unknown = set(params) - self._params
        if unknown:
            raise TypeError(f"{self._operation.code} takes no parameter {sorted(unknown)}")
        return request_envelope(
            self._client,
            self.service,
            request_body(self._operation.code, params),
            message_id=message_id,
            user_id=user_id,
            issue=issue,
            body_namespace=self._namespace,
        )

    async def _once(self, trace: Trace, user_id: str, issue: str, params: dict[str, Any]) -> Any:
        if self._http is None:
            raise RuntimeError("PreparedConsumer.open() was not awaited")
        trace.request = self.message(trace.message_id, user_id, issue, params)
        try:
            status, content = await self._http.post(trace.request)
        except TransportFailure as exc:
            raise network_error(exc) from None
        trace.response = content
        if status != 200 and b"Fault" not in content:  # SOAP 1.1 faults may come with HTTP 500
            raise ConsumerError(
                f"HTTP {status}",
                fault_code=f"Server.Http{status}",
                retryable=status >= 500 or status in (408, 429),
            )
        return self.reader.read(content, trace.message_id)
