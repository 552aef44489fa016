"""zeep's ``AsyncClient`` as a registry consumer: the independent cross-check, not a production path.

The nightly jobs call registries with :class:`~adapters.xroad.consumer.PreparedConsumer`.  This
consumer reads the same services from their WSDLs with a SOAP toolkit the hub did not write, under
the same retry policy and breaker and with the same headers (the one header writer, put into zeep's
envelope by :class:`XRoadHeaders`): tests hold its findings equal to the prepared consumer's, and
``bench/sync.py`` measures it as the peer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import zeep
from lxml import etree
from zeep.exceptions import Fault, TransportError, XMLSyntaxError
from zeep.helpers import serialize_object
from zeep.proxy import AsyncServiceProxy
from zeep.transports import AsyncTransport

from adapters.xroad.consumer import _CALL, AsyncConsumer, CallContext, Trace
from adapters.xroad.envelope import header_elements, request_header_fields
from adapters.xroad.header import SOAP_ENV
from adapters.xroad.reply import bad_reply, fault_error, network_error
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.errors import ConsumerError


class XRoadHeaders(zeep.Plugin):
    """Adds the protocol 4.0 header of the current call to every outgoing envelope."""

    def __init__(self, client: ClientId, protocol_version: str = "4.0") -> None:
        self.client = client
        self.protocol_version = protocol_version

    def egress(
        self, envelope: Any, http_headers: dict[str, str], operation: Any, binding_options: Any
    ) -> Any:
        call = _CALL.get()
        header = envelope.find(f"{{{SOAP_ENV}}}Header")
        if header is None:
            header = etree.Element(f"{{{SOAP_ENV}}}Header")
            envelope.insert(0, header)
        fields = request_header_fields(
            self.client, call.service, call.message_id, call.user_id, call.issue, self.protocol_version
        )
        header.extend(header_elements(fields))  # the one header writer, as the prepared consumer sends
        if call.trace is not None:
            call.trace.request = etree.tostring(envelope)
        return envelope, http_headers

    def ingress(self, envelope: Any, http_headers: dict[str, str], operation: Any) -> Any:
        call = _CALL.get(None)
        if call is not None and call.trace is not None:
            call.trace.response = etree.tostring(envelope)
        return envelope, http_headers


def _record(value: Any) -> Any:
    """zeep's serialised answer as a :data:`Record` (zeep reports absent elements as None, and a
    list container, ``<pins><pin/>…</pins>``, as a mapping of its one repeated item to the list:
    the contract's record has the list itself)."""
    if isinstance(value, Mapping):
        return {key: _element(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_record(item) for item in value]
    return value


def _element(value: Any) -> Any:
    """An element inside the answer: a list container becomes its list."""
    if isinstance(value, Mapping) and len(value) == 1 and isinstance(next(iter(value.values())), list):
        return [_record(item) for item in next(iter(value.values()))]
    return _record(value)


def _zeep_failure(exc: Exception) -> ConsumerError:
    """zeep's and the HTTP libraries' exceptions as the consumer's one error type."""
    if isinstance(exc, Fault):
        return fault_error(exc.code or "Server.Fault", exc.message)
    if isinstance(exc, TransportError | XMLSyntaxError | etree.XMLSyntaxError):
        return bad_reply(str(exc))
    return network_error(exc)


_ZEEP_FAILURES = (Fault, TransportError, XMLSyntaxError, etree.XMLSyntaxError, OSError, httpx.HTTPError)


class AsyncZeepConsumer(AsyncConsumer):
    """zeep's ``AsyncClient`` (httpx) with the same header plugin: the WSDL-driven async consumer."""

    def __init__(self, wsdl: Path, service: ServiceId, client: ClientId, url: str, **options: Any) -> None:
        super().__init__(service, client, url, **options)
        self._wsdl = wsdl
        self._http: httpx.AsyncClient | None = None
        self._operation: Any = None

    async def open(self) -> None:
        limits = httpx.Limits(max_connections=self._concurrency, max_keepalive_connections=self._concurrency)
        self._http = httpx.AsyncClient(timeout=self._timeout, limits=limits)
        transport = AsyncTransport(client=self._http, wsdl_client=httpx.Client(timeout=self._timeout))
        zeep_client = zeep.AsyncClient(
            str(self._wsdl), transport=transport, plugins=[XRoadHeaders(self._client)]
        )
        binding = next(iter(zeep_client.wsdl.bindings.values()))
        # AsyncClient.create_service returns a blocking proxy (zeep 4.3); the async one is built here
        proxy = AsyncServiceProxy(zeep_client, binding, address=self._url)
        self._operation = getattr(proxy, self.service.service_code)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _once(self, trace: Trace, user_id: str, issue: str, params: dict[str, Any]) -> Any:
        token = _CALL.set(CallContext(self.service, trace.message_id, user_id, issue, trace))
        try:
            reply = await self._operation(**params)
        except _ZEEP_FAILURES as exc:
            raise _zeep_failure(exc) from None
        finally:
            _CALL.reset(token)
        return _record(serialize_object(reply.body if hasattr(reply, "body") else reply))


def zeep_consumer(
    declared: Any, service: ServiceId, client: ClientId, url: str, **options: Any
) -> AsyncZeepConsumer:
    """A consumer factory for :func:`sanarip_hub.entrypoints.jobs.checker_for`: zeep from the
    declared service's committed WSDL."""
    from adapters.xroad.wsdl import WSDL_DIR

    return AsyncZeepConsumer(Path(WSDL_DIR / declared.wsdl), service, client, url, **options)
