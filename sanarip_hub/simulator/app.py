"""The simulated security server + registries: one port, routed by the X-Road ``service`` header.

A security server routes each request by its ``service`` header; so does this app, so the hub's
consumers need only the security server URL.  It answers ``zagsDataByPin`` and ``asbAddress``
(civil registry, GOV/70000005) and ``tpDataByINNforBusinessActivity`` (tax, GOV/70000002) from
:class:`RegistryData`, echoing the request header like any provider, and injects faults on request:

``--faults "latency=0.05@0.2,timeout=30@0.01,fault=Server.ServerProxy.ServiceFailed@0.02,http500@0.01"``

each ``kind[=argument]@probability``: ``latency`` (seconds added), ``timeout`` (seconds before any
answer, longer than the client waits), ``fault`` (a SOAP fault with that X-Road code, HTTP 200, in
either the pre-7.8 or the 7.8 spelling), ``http500`` and ``malformed`` (a body that is not XML).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.civil_registry.contract import ASB_ADDRESS, ZAGS_DATA_BY_PIN
from adapters.tax.contract import TP_DATA
from adapters.xroad.contract import Service
from adapters.xroad.envelope import fault_envelope, response_envelope, serialize, serialize_with_body
from adapters.xroad.header import XRoadFault, read_request
from adapters.xroad.parser import XmlRejected, parse_xml
from sanarip_hub.producer.render import xml_text
from sanarip_hub.simulator.records import RegistryData

CONTENT_TYPE = "text/xml; charset=UTF-8"


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


def build_simulator(data: RegistryData, faults: tuple[FaultRule, ...] = (), seed: int = 0) -> Starlette:
    rng = random.Random(seed)
    handlers: dict[str, tuple[Service, Callable[[str], dict[str, Any] | None], str]] = {
        "zagsDataByPin": (ZAGS_DATA_BY_PIN, data.zags, "pin"),
        "asbAddress": (ASB_ADDRESS, data.asb, "pin"),
        "tpDataByINNforBusinessActivity": (TP_DATA, data.gns, "TIN"),
    }

    def fault(code: str, message: str) -> Response:
        envelope, _ = fault_envelope(code, message)
        return Response(serialize(envelope), 200, media_type=CONTENT_TYPE)

    async def answer(body: bytes) -> Response:
        try:
            envelope = parse_xml(body)
            header, wrapper = read_request(envelope)
        except XmlRejected as exc:
            return fault("Client.InvalidXml", str(exc))
        except XRoadFault as exc:
            return fault(exc.fault_code, exc.message)
        handler = handlers.get(header.service.service_code)
        if handler is None:
            return fault("Server.ServerProxy.UnknownService", f"unknown service {header.service}")
        service, lookup, key = handler
        params = {
            child.tag.split("}")[-1]: (child.text or "").strip()
            for child in wrapper
            if isinstance(child.tag, str)
        }
        key_value = params.get(key, "")
        found = lookup(key_value) if data.preloaded else await asyncio.to_thread(lookup, key_value)
        values = found or {}
        response, response_wrapper = response_envelope(envelope, wrapper)
        content = xml_text(service, None, values, None, response_wrapper.prefix)
        return Response(
            serialize_with_body(response, response_wrapper, content), 200, media_type=CONTENT_TYPE
        )

    async def endpoint(request: Request) -> Response:
        body = await request.body()
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
                return Response(b"injected server error", 500, media_type="text/plain")
            else:
                return Response(b"<not-xml", 200, media_type=CONTENT_TYPE)
        return await answer(body)

    async def healthz(request: Request) -> Response:
        return Response(b"ok", media_type="text/plain")

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/{path:path}", endpoint, methods=["POST"]),
        ]
    )


ENVIRONMENT = "SANARIP_SIMULATOR"  # how ``simulate --workers N`` hands its options to each worker


def from_environment() -> Starlette:
    """The app factory each worker process of ``simulate --workers N`` calls (uvicorn ``factory``)."""
    from sanarip_hub.cli.context import HubContext

    options = json.loads(os.environ[ENVIRONMENT])
    hub = HubContext(options["config"], False)
    data = RegistryData(hub.current_engine, options["rate"], options["seed"])
    data.preload()
    return build_simulator(data, parse_faults(options["faults"]), options["seed"] + os.getpid())
