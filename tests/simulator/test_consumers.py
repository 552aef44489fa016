"""The consumers against the simulator on loopback: the same answers, the same policy.

The prepared consumer reads replies against the contract instead of through zeep; these tests hold
its readings equal to zeep's (the WSDL-driven client, independent of our reader) for people of every
discrepancy kind, spelling noise and unknown PINs alike, and show its headers reach the provider.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from zeep.helpers import serialize_object

from adapters.civil_registry.contract import ASB_ADDRESS, INFOCOM, ZAGS_DATA_BY_PIN
from adapters.xroad.consumer import AsyncConsumer, CircuitBreaker, PreparedConsumer, RetryPolicy
from adapters.xroad.wsdl import WSDL_DIR
from adapters.xroad.zeep_consumer import AsyncZeepConsumer
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.errors import ConsumerError, RegistryUnavailable
from tests.producer.conftest import free_port
from tests.simulator.test_simulator import Simulator, home, simulator  # noqa: F401  (fixtures)

CLIENT = ClientId.parse("central-server/GOV/70000050/sanaripaymak-service")
ZAGS = ServiceId.parse("central-server/GOV/70000005/zags-service/zagsDataByPin/v1")
ASB = ServiceId.parse("central-server/GOV/70000005/asb-service/asbAddress/v1")


def without_none(value: Any) -> Any:
    """zeep reports absent optional elements as None; the contract reader leaves them out."""
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    return value


def pins(running: Simulator) -> list[str]:
    chosen: dict[str, str] = {}
    for label in running.truth:
        chosen.setdefault(label["kind"], label["pin"])
    return [*chosen.values(), "00000000000000"]  # every kind, and a PIN nobody has


async def read_async(consumer: AsyncConsumer, people: list[str]) -> list[Any]:
    await consumer.open()
    try:
        return [(await consumer.call(user_id="u", issue="i", pin=pin)).body for pin in people]
    finally:
        await consumer.close()


@pytest.mark.parametrize(("wsdl", "service", "operation"), [
    ("zags-service.wsdl", ZAGS, ZAGS_DATA_BY_PIN), ("asb-service.wsdl", ASB, ASB_ADDRESS),
])  # fmt: skip
def test_prepared_and_zeep_consumers_read_the_same_values(
    simulator: Simulator,  # noqa: F811
    wsdl: str,
    service: ServiceId,
    operation: Any,
) -> None:
    people = pins(simulator)
    url = f"{simulator.url}/"
    by_zeep = [
        without_none(dict(serialize_object(body)))
        for body in asyncio.run(read_async(AsyncZeepConsumer(WSDL_DIR / wsdl, service, CLIENT, url), people))
    ]
    prepared = asyncio.run(read_async(PreparedConsumer(operation, INFOCOM, service, CLIENT, url), people))
    assert prepared == by_zeep
    assert any(values for values in prepared)  # people found …
    assert {} in prepared  # … and the unknown PIN answered empty


def test_prepared_consumer_refuses_a_contract_that_is_not_the_service() -> None:
    with pytest.raises(ValueError, match="does not describe"):
        PreparedConsumer(ASB_ADDRESS, INFOCOM, ZAGS, CLIENT, "http://127.0.0.1:1/")


def test_a_dead_registry_fails_each_call_then_stops_the_job() -> None:
    """Connection refused is retried; the breaker opens; a batch consumer waits it out, and after
    ``give_up_after`` openings with no success between them the registry counts as down."""
    url = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    breaker = CircuitBreaker(threshold=3, pause=0.05)
    policy = RetryPolicy(attempts=2, backoff=0.001, breaker=breaker, give_up_after=2)
    consumer = PreparedConsumer(ZAGS_DATA_BY_PIN, INFOCOM, ZAGS, CLIENT, url, policy=policy)

    async def calls() -> list[BaseException]:
        await consumer.open()
        outcomes: list[BaseException] = []
        try:
            for _ in range(6):
                try:
                    await consumer.call(user_id="u", issue="i", pin="12345678901234")
                except ConsumerError as error:
                    outcomes.append(error)
        finally:
            await consumer.close()
        return outcomes

    outcomes = asyncio.run(calls())
    assert len(outcomes) == 6
    first = outcomes[0]
    assert isinstance(first, ConsumerError)
    assert first.fault_code == "Server.NetworkError"
    assert "transport" in str(first)
    assert isinstance(outcomes[-1], RegistryUnavailable)
    assert "keeps failing (circuit opened 2 times in a row)" in str(outcomes[-1])
    assert breaker.opened == 2
