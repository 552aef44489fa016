"""REST (X-Road message protocol for REST r1) on the live producer, called with httpx."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import text

from sanarip_hub.entrypoints.web import hub_components
from tests.producer.conftest import NSC, SF, Served

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


def rest_headers(client: str = SF, **extra: str) -> dict[str, str]:
    path = client.partition(":")[2]
    values = {
        "X-Road-Client": path,
        "X-Road-Id": str(uuid.uuid4()),
        "X-Road-UserId": "KG-OFFICIAL-7",
        "X-Road-Issue": "case-9",
    }
    values.update(extra)
    return {k: v for k, v in values.items() if v}


def get(served: Served, path: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(f"{served.url}/rest/{path}", headers=headers, timeout=30)


def test_address_fact_returns_the_address(served: Served) -> None:
    pin = served.pins()[0]
    sent = rest_headers()
    response = get(served, f"address-fact/{pin}", sent)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    with served.engine.connect() as connection:
        expected = connection.execute(
            text(
                "select a.soate_code, a.text_raw, h.account_no from person p "
                "join household_member m on m.person_id = p.id and m.member_to is null "
                "join household h on h.id = m.household_id join address a on a.id = h.address_id "
                "where p.pin = :pin"
            ),
            {"pin": pin},
        ).one()
    assert (document["soate"], document["text"], document["accountNo"]) == tuple(expected)
    assert document["resultCode"] == "OK"
    entry = served.last_entries()[0]
    assert (entry.channel, entry.message_id, entry.outcome) == ("rest", sent["X-Road-Id"], "ok")
    assert entry.client_id == SF


def test_family_members_lists_the_household(served: Served) -> None:
    pin = served.pins()[0]
    response = get(served, f"family-members/{pin}", rest_headers())
    assert response.status_code == 200
    members = response.json()["members"]
    assert pin in [m["pin"] for m in members]
    assert all({"surname", "givenName", "birthDate", "relation"} <= set(m) for m in members)


def test_an_unknown_pin_is_204_without_a_body(served: Served) -> None:
    for service in ("address-fact", "family-members"):
        response = get(served, f"{service}/21212199999999", rest_headers())
        assert response.status_code == 204
        assert response.content == b""
        assert "x-road-error" not in response.headers


def _leave_household(served: Served, pin: str) -> None:
    with served.engine.begin() as connection:
        connection.execute(
            text(
                "update household_member set member_to = '2026-01-01' "
                "where person_id = (select id from person where pin = :pin)"
            ),
            {"pin": pin},
        )


def test_a_person_without_a_household_is_code_405_as_the_running_service_answers(served: Served) -> None:
    """FACTS §2.3 (GOV/70000050): the running service answers a person with no family with the body
    ``{"code":405}``, and Tunduk's clients (banks, insurers) read that; the names they call keep it."""
    pin = served.pins(limit=10)[-1]
    _leave_household(served, pin)
    for service in ("family-members", "address-fact"):
        response = get(served, f"{service}/{pin}", rest_headers())
        assert response.status_code == 200
        assert response.content == b'{"code":405}'
        assert response.headers["content-type"] == "application/json"
        assert "x-road-error" not in response.headers


def test_a_person_without_a_household_can_be_404_no_household_when_configured(served: Served) -> None:
    """``[producer] rest_no_household = "not-found"``: the security server's error shape instead."""
    pin = served.pins(limit=11)[-1]
    _leave_household(served, pin)
    settings = replace(
        served.settings, producer=replace(served.settings.producer, rest_no_household="not-found")
    )
    components = hub_components(settings, "producer")
    try:
        headers = [(name.lower(), value) for name, value in rest_headers().items()]
        reply = components.rest.handle("family-members", pin, f"GET /rest/family-members/{pin}", headers)
    finally:
        components.close()
    assert reply.status == 404
    assert reply.headers["x-road-error"] == "NO_HOUSEHOLD"
    assert json.loads(reply.body)["type"] == "NO_HOUSEHOLD"


def test_header_errors_carry_x_road_error(served: Served) -> None:
    pin = served.pins()[0]
    cases = [
        (rest_headers(**{"X-Road-Client": ""}), 400, "Client.MissingHeaderField"),
        (rest_headers(**{"X-Road-Id": ""}), 400, "Client.MissingHeaderField"),
        (rest_headers(**{"X-Road-Client": "central-server/GOV"}), 400, "Client.InvalidClientIdentifier"),
        (
            rest_headers(**{"X-Road-Client": "central-server/GOV/700%3A3/sf"}),
            400,
            "Client.InvalidClientIdentifier",
        ),
        (rest_headers(**{"X-Road-UserId": ""}), 400, "Client.MissingHeaderField"),
        (rest_headers(**{"X-Road-Issue": ""}), 400, "Client.MissingHeaderField"),
        (rest_headers(NSC), 403, "Client.AccessDenied"),
    ]
    for headers, status, code in cases:
        before = served.ledger_size()
        response = get(served, f"address-fact/{pin}", headers)
        assert response.status_code == status, (headers, response.text)
        assert response.headers["x-road-error"] == code
        assert response.json()["type"] == code
        assert served.ledger_size() == before + 1
        assert served.last_entries()[0].outcome == code


def test_bad_paths(served: Served) -> None:
    response = get(served, "address-fact/123", rest_headers())
    assert (response.status_code, response.headers["x-road-error"]) == (400, "Client.InvalidRequest")
    response = get(served, "household-secrets/21212199999999", rest_headers())
    assert (response.status_code, response.headers["x-road-error"]) == (404, "Client.UnknownService")
    response = get(served, "householdByPin/21212199999999", rest_headers())  # SOAP-only service
    assert response.status_code == 404


def test_openapi_describes_both_services(served: Served) -> None:
    document = httpx.get(f"{served.url}/rest/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/rest/address-fact/{pin}", "/rest/family-members/{pin}"}
    for operation in (p["get"] for p in document["paths"].values()):
        assert {"200", "204", "400", "403"} <= set(operation["responses"])
        assert "X-Road-Client" in [p["name"] for p in operation["parameters"]]
