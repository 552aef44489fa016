"""The producer's protocol path for the benchmark: the real ASGI app, SOAP endpoint, dispatcher and
renderer, answering ``householdByPin`` from the same in-memory data the peers use (no database, no
ledger; the agreement check runs against a book that grants the bench client everything).

Start with: ``uvicorn bench.memory_app:create --factory`` and ``BENCH_DATA=<json file>``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from starlette.applications import Starlette

from adapters.xroad.producer.app import Components, build_app
from adapters.xroad.producer.rest import RestEndpoint
from adapters.xroad.producer.soap import SoapEndpoint
from sanarip_hub.config import XRoadSettings
from sanarip_hub.domain.hub_contract import ResultCode
from sanarip_hub.domain.xroad_identifiers import ClientId
from sanarip_hub.ledger.keys import PinKey
from sanarip_hub.producer.agreements import Grant
from sanarip_hub.producer.dispatch import Dispatcher
from sanarip_hub.storage.service_data import Answer


class MemoryData:
    def __init__(self, households: dict[str, dict[str, Any]]) -> None:
        self.households = households

    def household_by_pin(self, pin: str) -> Answer:
        values = self.households.get(pin)
        if values is None:
            return Answer(ResultCode.PIN_NOT_FOUND, subjects=(pin,))
        return Answer(ResultCode.OK, values, (pin,))


class GrantAll:
    def grant(self, client: ClientId, service_code: str) -> Grant:
        return Grant("BENCH", "benchmark", None, False)


def create() -> Starlette:
    with open(os.environ["BENCH_DATA"], encoding="utf-8") as handle:
        households = json.load(handle)
    provider = ClientId.parse(XRoadSettings().subsystem)
    dispatcher = Dispatcher(MemoryData(households), GrantAll())
    digest = PinKey(os.urandom(32)).message_digest  # the keyed digest the real path computes too
    return build_app(
        Components(
            soap=SoapEndpoint(dispatcher, provider, 10 * 1024 * 1024, 100, digest),
            rest=RestEndpoint(dispatcher, provider, digest),
            provider=provider,
            max_bytes=10 * 1024 * 1024,
            record=None,
            blocking=False,
        )
    )
