"""The simulated security server + registries: one port, routed by the X-Road ``service`` header.

A security server routes each request by its ``service`` header; so does this app, so the hub's
consumers need only the security server URL.  It answers the metaservices ``listMethods`` and
``getWsdl`` for its providers, from our models in ``wsdl/`` or from changed ones (``--wsdl-dir``).
It answers ``zagsDataByPin``, ``zagsPinsByNSPDate`` and ``asbAddress`` (civil registry,
GOV/70000005) and ``tpDataByINNforBusinessActivity`` (tax, GOV/70000002) from
:class:`RegistryData`, echoing the request header like any provider, and injects faults on request:

``--faults "latency=0.05@0.2,timeout=30@0.01,fault=Server.ServerProxy.ServiceFailed@0.02,http500@0.01"``

each ``kind[=argument]@probability``: ``latency`` (seconds added), ``timeout`` (seconds before any
answer, longer than the client waits), ``fault`` (a SOAP fault with that X-Road code, HTTP 200, in
either the pre-7.8 or the 7.8 spelling), ``http500`` and ``malformed`` (a body that is not XML).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.asgi import ASGIApp, Receive, Scope, Send, respond
from adapters.civil_registry.contract import ASB_ADDRESS, ZAGS_DATA_BY_PIN, ZAGS_PINS_BY_NSP_DATE
from adapters.tax.contract import TP_DATA
from adapters.xroad.envelope import response_envelope, serialize_with_body
from adapters.xroad.faults import foreign_fault, soap_fault, to_wire
from adapters.xroad.header import XROAD, read_request
from adapters.xroad.metaservice import GET_WSDL, LIST_METHODS, get_wsdl_answer, list_methods_answer
from adapters.xroad.parser import parse_xml
from adapters.xroad.producer.render import xml_text
from adapters.xroad.wsdl import WSDL, WSDL_DIR
from sanarip_hub.contracts import COMMITTED
from sanarip_hub.domain.contract import Service
from sanarip_hub.domain.xroad_identifiers import ServiceId
from sanarip_hub.errors import ExchangeFault
from sanarip_hub.simulator.records import RegistryData

CONTENT_TYPE = "text/xml; charset=UTF-8"
PRODUCER_WSDL = "sanaripaymak.wsdl"  # the hub's own contract: not a simulated provider's


@dataclass(frozen=True)
class FaultRule:
    kind: str
    argument: str | None
    probability: float


def parse_faults(spec: str | None) -> tuple[FaultRule, ...]:
    """``kind[=argument]@probability`` rules, comma-separated; ValueError names a bad one."""
    rules = []
    for raw in (spec or "").split(","):
        part = raw.strip()
        if not part:
            continue
        body, at, probability = part.rpartition("@")
        if not at:
            raise ValueError(f"fault rule {part!r} needs @probability")
        kind, _, argument = body.partition("=")
        if kind not in ("latency", "timeout", "fault", "http500", "malformed"):
            raise ValueError(f"unknown fault kind {kind!r}")
        value = float(probability)
        if not 0 <= value <= 1:
            raise ValueError(f"fault probability {value} is not between 0 and 1")
        rules.append(FaultRule(kind, argument or None, value))
    return tuple(rules)


Reply = tuple[int, str, bytes]  # HTTP status, content type, body
XML = CONTENT_TYPE
TEXT = "text/plain; charset=utf-8"
BOUNDARY = "xroadSimulatedSecurityServer"
MULTIPART = f'multipart/related; type="text/xml"; charset=UTF-8; boundary={BOUNDARY}'


MAX_REQUEST_BYTES = 10 * 1024 * 1024


def provider_wsdls(wsdl_dir: Path | None = None) -> dict[str, tuple[bytes, dict[str, str]]]:
    """Each simulated provider subsystem's WSDL and its operations (code → version): our committed
    models (``zags-service.wsdl`` is the ``zags-service`` subsystem's), or the file of the same name
    in ``wsdl_dir`` — a provider whose contract changed, for ``contracts check`` to find."""
    wsdls = {}
    for name in COMMITTED:
        if name == PRODUCER_WSDL:
            continue
        override = None if wsdl_dir is None else wsdl_dir / name
        document = (override if override is not None and override.exists() else WSDL_DIR / name).read_bytes()
        root = parse_xml(document)
        operations = {
            operation.get("name", ""): (operation.findtext(f"{{{XROAD}}}version") or COMMITTED[name].version)
            for operation in root.iterfind(f"{{{WSDL}}}binding/{{{WSDL}}}operation")
        }
        wsdls[name.removesuffix(".wsdl")] = (document, operations)
    return wsdls


def build_simulator(
    data: RegistryData, faults: tuple[FaultRule, ...] = (), seed: int = 0, wsdl_dir: Path | None = None
) -> ASGIApp:
    """The simulated security server as a bare ASGI app (``wsdl_dir``: see :func:`provider_wsdls`).

    No web framework: a security server's data path is one POST route, and a framework's routing
    and middleware cost more CPU per request than the answer itself; the simulator shares the
    benchmark machine with the hub it serves, so its CPU is the hub's loss.
    """
    rng = random.Random(seed)
    handlers: dict[str, tuple[Service, Callable[[dict[str, str]], dict[str, Any] | None]]] = {
        "zagsDataByPin": (ZAGS_DATA_BY_PIN, lambda params: data.zags(params["pin"])),
        "zagsPinsByNSPDate": (ZAGS_PINS_BY_NSP_DATE, data.pins_by_nsp),
        "asbAddress": (ASB_ADDRESS, lambda params: data.asb(params["pin"])),
        "tpDataByINNforBusinessActivity": (TP_DATA, lambda params: data.gns(params["inn"])),
    }

    wsdls = provider_wsdls(wsdl_dir)
    offered = {  # code → (provider subsystem, version, WSDL): what listMethods and getWsdl answer
        code: (subsystem, version, document)
        for subsystem, (document, operations) in wsdls.items()
        for code, version in operations.items()
    }

    def fault(code: str, message: str) -> Reply:
        return 200, XML, soap_fault(foreign_fault(code, message))

    async def answer(body: bytes) -> Reply:
        try:
            envelope = parse_xml(body)
            header, wrapper = read_request(envelope)
        except ExchangeFault as exc:  # the parser's and the header's refusals, as a provider sends them
            return 200, XML, soap_fault(to_wire(exc))
        if header.service.service_code == GET_WSDL:  # the metaservices, as a security server answers
            wanted = wrapper.findtext(f"{{{XROAD}}}serviceCode") or ""
            if wanted not in offered:
                return fault("Server.ServerProxy.UnknownService", f"no WSDL for service {wanted!r}")
            return 200, MULTIPART, get_wsdl_answer(body, offered[wanted][2], BOUNDARY)
        if header.service.service_code == LIST_METHODS:
            provider = header.service.client
            listed = [
                ServiceId(provider, code, version)
                for code, (subsystem, version, _document) in offered.items()
                if subsystem == provider.subsystem
            ]
            return 200, XML, list_methods_answer(body, listed)
        handler = handlers.get(header.service.service_code)
        if handler is None:
            return fault("Server.ServerProxy.UnknownService", f"unknown service {header.service}")
        service, lookup = handler
        params = {
            child.tag.split("}")[-1]: (child.text or "").strip()
            for child in wrapper
            if isinstance(child.tag, str)
        }
        for param in service.params:  # a provider validating its schema refuses, as would the real one
            if param.required and param.name not in params:
                return fault(
                    "Client.InvalidRequest", f"{service.code}: the request has no {param.name} element"
                )
        found = lookup(params) if data.preloaded else await asyncio.to_thread(lookup, params)
        values = found or {}
        response, response_wrapper = response_envelope(envelope, wrapper)
        content = xml_text(service, None, values, None, response_wrapper.prefix)
        return 200, XML, serialize_with_body(response, response_wrapper, content)

    async def post(body: bytes) -> Reply:
        for rule in faults:
            if rng.random() >= rule.probability:
                continue
            if rule.kind == "latency":
                await asyncio.sleep(float(rule.argument or 0.05))
            elif rule.kind == "timeout":
                await asyncio.sleep(float(rule.argument or 60))
            elif rule.kind == "fault":
                return fault(rule.argument or "Server.ServerProxy.ServiceFailed", "injected fault")
            elif rule.kind == "http500":
                return 500, TEXT, b"injected server error"
            else:
                return 200, XML, b"<not-xml"
        return await answer(body)

    async def read_body(receive: Any) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_REQUEST_BYTES:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        if method == "GET" and path == "/healthz":
            status, content_type, body = 200, TEXT, b"ok"
        elif method == "POST":
            received = await read_body(receive)
            if received is None:
                status, content_type, body = 413, TEXT, b"request too large"
            else:
                status, content_type, body = await post(received)
        else:
            status, content_type, body = 405, TEXT, b"method not allowed"
        await respond(send, status, body, content_type)

    return app
