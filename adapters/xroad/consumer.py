"""Calling registry services through the hub's security server: zeep, X-Road headers, retries, breaker.

* Headers come from a zeep :class:`XRoadHeaders` plugin: the hub's client identity from config, a
  fresh ``id`` per call, ``userId`` and ``issue`` set by the job.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zeep
from lxml import etree
from zeep.exceptions import Fault, TransportError, XMLSyntaxError
from zeep.transports import Transport

from adapters.xroad.header import IDENTIFIERS, SOAP_ENV, XROAD
from adapters.xroad.identifiers import ClientId, ServiceId
from sanarip_hub.errors import HubError


class ConsumerError(HubError):
    """A registry call failed; ``retryable`` says whether trying again can help."""

    code = "xroad.consumer"

    def __init__(self, message: str, *, fault_code: str, retryable: bool) -> None:
        super().__init__(message)
        self.fault_code = fault_code
        self.retryable = retryable


class CircuitOpen(ConsumerError):
    """The breaker is open: the registry failed too often; no call was made."""


def is_retryable_fault(code: str | None) -> bool:
    lowered = (code or "").lower()
    return lowered.startswith(("server.serverproxy", "server.clientproxy")) or lowered.endswith(
        ("timeout", "busy", "service_failed", "servicefailed", "network_error", "networkerror")
    )


@dataclass(frozen=True)
class CallContext:
    service: ServiceId
    message_id: str
    user_id: str
    issue: str


_CALL: contextvars.ContextVar[CallContext] = contextvars.ContextVar("xroad_call")


class XRoadHeaders(zeep.Plugin):
    """Adds the protocol 4.0 header of the current call to every outgoing envelope."""

    def __init__(self, client: ClientId, protocol_version: str = "4.0") -> None:
        self.client = client
        self.protocol_version = protocol_version

    @staticmethod
    def _identifier(parent: Any, tag: str, kind: str, parts: list[tuple[str, str | None]]) -> None:
        element = etree.SubElement(parent, f"{{{XROAD}}}{tag}")
        element.set(f"{{{IDENTIFIERS}}}objectType", kind)
        for name, value in parts:
            if value is not None:
                etree.SubElement(element, f"{{{IDENTIFIERS}}}{name}").text = value

    def egress(
        self, envelope: Any, http_headers: dict[str, str], operation: Any, binding_options: Any
    ) -> Any:
        call = _CALL.get()
        header = envelope.find(f"{{{SOAP_ENV}}}Header")
        if header is None:
            header = etree.Element(f"{{{SOAP_ENV}}}Header")
            envelope.insert(0, header)
        client, provider = self.client, call.service.client
        self._identifier(header, "client", str(client.object_type), [
            ("xRoadInstance", client.instance), ("memberClass", client.member_class),
            ("memberCode", client.member_code), ("subsystemCode", client.subsystem),
        ])  # fmt: skip
        self._identifier(header, "service", "SERVICE", [
            ("xRoadInstance", provider.instance), ("memberClass", provider.member_class),
            ("memberCode", provider.member_code), ("subsystemCode", provider.subsystem),
            ("serviceCode", call.service.service_code), ("serviceVersion", call.service.version),
        ])  # fmt: skip
        for name, value in (
            ("id", call.message_id),
            ("userId", call.user_id),
            ("issue", call.issue),
            ("protocolVersion", self.protocol_version),
        ):
            etree.SubElement(header, f"{{{XROAD}}}{name}").text = value
        return envelope, http_headers


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; after ``pause`` seconds lets one call through."""

    def __init__(self, threshold: int = 5, pause: float = 10.0) -> None:
        self.threshold = threshold
        self.pause = pause
        self.failures = 0
        self.opened_at: float | None = None
        self.opened = 0  # how many times it opened (for the run record and tests)
        self._lock = threading.Lock()

    def before(self) -> None:
        with self._lock:
            if self.opened_at is None:
                return
            if time.monotonic() - self.opened_at < self.pause:
                raise CircuitOpen("the registry's circuit is open", fault_code="CircuitOpen", retryable=True)
            self.opened_at = None  # half open: this call decides

    def success(self) -> None:
        with self._lock:
            self.failures = 0

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold and self.opened_at is None:
                self.opened_at = time.monotonic()
                self.opened += 1


@dataclass
class Answer:
    message_id: str
    body: Any  # zeep's response body (None fields where the registry sent nothing)
    attempts: int


class RegistryConsumer:
    """One consumed service (one WSDL operation), called through the security server at ``url``."""

    def __init__(
        self,
        wsdl: Path,
        service: ServiceId,
        client: ClientId,
        url: str,
        *,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.05,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.service = service
        self.attempts = attempts
        self.backoff = backoff
        self.breaker = breaker or CircuitBreaker()
        transport = Transport(timeout=timeout, operation_timeout=timeout)
        zeep_client = zeep.Client(str(wsdl), transport=transport, plugins=[XRoadHeaders(client)])
        binding = next(iter(zeep_client.wsdl.bindings))
        self._operation = getattr(zeep_client.create_service(binding, url), service.service_code)

    def _once(self, user_id: str, issue: str, params: dict[str, Any]) -> Answer:
        message_id = str(uuid.uuid4())
        token = _CALL.set(CallContext(self.service, message_id, user_id, issue))
        try:
            reply = self._operation(**params)
        except Fault as fault:
            code = fault.code or "Server.Fault"
            raise ConsumerError(
                f"{code}: {fault.message}", fault_code=code, retryable=is_retryable_fault(code)
            ) from None
        except (TransportError, XMLSyntaxError, etree.XMLSyntaxError) as exc:
            raise ConsumerError(f"bad reply: {exc}", fault_code="Server.BadReply", retryable=True) from None
        except OSError as exc:  # connection refused, reset, timeouts (requests wraps them as OSError)
            raise ConsumerError(
                f"transport: {exc}", fault_code="Server.NetworkError", retryable=True
            ) from None
        finally:
            _CALL.reset(token)
        return Answer(message_id, reply.body if hasattr(reply, "body") else reply, 1)

    def call(self, *, user_id: str, issue: str, **params: Any) -> Answer:
        """Call with retries; raises :class:`ConsumerError` when the last attempt fails."""
        for attempt in range(1, self.attempts + 1):
            self.breaker.before()
            try:
                answer = self._once(user_id, issue, params)
            except ConsumerError as error:
                self.breaker.failure()
                if not error.retryable or attempt == self.attempts:
                    raise
                time.sleep(self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random()))
                continue
            self.breaker.success()
            answer.attempts = attempt
            return answer
        raise AssertionError("unreachable")
