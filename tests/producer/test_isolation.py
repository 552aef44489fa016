"""One client can never hurt another: hostile requests fail alone (issue 11 §3 and §4)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.producer.conftest import SF, Served, envelope, fault_code, pin_body, post
from tests.producer.test_rest import rest_headers

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

LONG_MEMBER = "SUBSYSTEM:central-server/GOV/" + "7" * 300 + "/sf-personal-data"


def test_over_long_identifiers_fail_nobody_else(served: Served) -> None:
    """12 good and 3 over-long requests at once: 12 OK answers, 15 ledger entries (the review saw
    10 of 36 legitimate requests get Server.LoggingFailed and the attacker go unledgered)."""
    pins = served.pins(limit=12)
    before = served.ledger_size()

    def good(pin: str) -> tuple[str, int, str | None]:
        response = post(served, envelope("householdByPin", pin_body("householdByPin", pin)))
        return "good", response.status_code, fault_code(response)

    def long_rest(n: int) -> tuple[str, int, str | None]:
        response = httpx.get(f"{served.url}/rest/{'x' * 400}/{pins[n]}", headers=rest_headers(), timeout=60)
        return "long", response.status_code, response.headers.get("x-road-error")

    def long_member(pin: str) -> tuple[str, int, str | None]:
        body = envelope("householdByPin", pin_body("householdByPin", pin), client=LONG_MEMBER)
        response = post(served, body)
        return "long", response.status_code, fault_code(response)

    calls = [lambda p=p: good(p) for p in pins]
    calls += [lambda: long_rest(0), lambda: long_rest(1), lambda: long_member(pins[2])]
    with ThreadPoolExecutor(max_workers=15) as pool:
        results = list(pool.map(lambda call: call(), calls))
    assert [r for r in results if r[0] == "good"] == [("good", 200, None)] * 12
    long_results = sorted(r[1:] for r in results if r[0] == "long")
    assert long_results == [(200, "Client.AccessDenied"), (404, "Client.UnknownService"),
                            (404, "Client.UnknownService")]  # fmt: skip
    assert served.ledger_size() == before + 15
    entries = served.last_entries(15)
    attacker = [e for e in entries if e.client_id and "7777777" in e.client_id]
    assert len(attacker) == 1
    assert attacker[0].client_id.endswith("…")
    assert len([e for e in entries if e.service_id.endswith("…")]) == 2
    assert len([e for e in entries if e.client_id == SF and e.outcome == "ok"]) == 12
