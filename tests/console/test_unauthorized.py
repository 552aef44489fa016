"""Regulation clause 15.2: every unauthorized attempt is in the access ledger, and the owner can
list those of a period (``sanarip-hub ledger denied`` and the owner's page).

The review found console sign-in failures, lockouts and role refusals only in the log, not in the
ledger beside X-Road's denials."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from sanarip_hub.config import load_settings
from sanarip_hub.storage.models import LedgerEntryRow
from tests.console.conftest import MAX_FAILED, Hub, csrf_of, login, run_hub_input
from tests.producer.conftest import envelope, fault_code, pin_body, run_hub

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


def newest(hub: Hub, outcome: str) -> LedgerEntryRow:
    with hub.engine.connect() as connection:
        row = connection.execute(
            select(LedgerEntryRow)
            .where(LedgerEntryRow.outcome == outcome)
            .order_by(LedgerEntryRow.seq.desc())
        ).first()
    assert row is not None, f"no {outcome} entry"
    return row  # type: ignore[return-value]


def sign_in(hub: Hub, username: str, password: str) -> httpx.Response:
    client = httpx.Client(base_url=hub.console, timeout=30)
    page = client.get("/login")
    return client.post(
        "/login", data={"csrf": csrf_of(page.text), "username": username, "password": password}
    )


def test_console_refusals_are_ledgered_and_listed_for_the_owner(hub: Hub) -> None:
    run_hub_input(hub.env, "target-pass-2026", "users", "add", "target15", "--role", "operator")
    # failed sign-ins, the one that locks, then the right password while locked
    for attempt in range(MAX_FAILED):
        assert sign_in(hub, "target15", f"guess-{attempt}").status_code == 401
    assert sign_in(hub, "target15", "target-pass-2026").status_code == 401
    kinds = ("Console.SignInFailed", "Console.LockedOut", "Console.AccountLocked")
    failed, locked_out, locked = (newest(hub, kind) for kind in kinds)
    for entry in (failed, locked_out, locked):
        assert entry.user_id == "console:target15"
        assert entry.direction == "internal"
        assert entry.issue == "from 127.0.0.1"
    assert failed.seq < locked_out.seq < locked.seq
    # a page of another role, and a form that did not come from the console
    operator = login(hub, "operator")
    assert operator.get("/auditor").status_code == 403
    forbidden = newest(hub, "Console.Forbidden")
    assert (forbidden.user_id, forbidden.service_id) == ("console:op1", "console:GET /console/auditor")
    assert operator.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert newest(hub, "Console.CsrfRefused").user_id == "console:op1"
    # an X-Road call no agreement allows, and a malformed one (not unauthorized: not listed)
    stranger = "SUBSYSTEM:central-server/GOV/70000066/stranger"
    request = envelope("householdByPin", pin_body("householdByPin", hub.called_pins[0]), client=stranger)
    reply = httpx.post(f"{hub.url}/xroad", content=request, headers={"content-type": "text/xml"})
    assert fault_code(reply) == "Client.AccessDenied"
    httpx.post(f"{hub.url}/xroad", content=b"<not-xml", headers={"content-type": "text/xml"})

    today = datetime.now(UTC).date()
    listed = run_hub(hub.env, "ledger", "denied", "--from", today.isoformat(),
                     "--to", (today + timedelta(days=1)).isoformat(), "--format", "json")  # fmt: skip
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    outcomes = {row["outcome"] for row in rows}
    assert {"Console.SignInFailed", "Console.LockedOut", "Console.AccountLocked", "Console.Forbidden",
            "Console.CsrfRefused", "Client.AccessDenied"} <= outcomes  # fmt: skip
    assert "Client.InvalidXml" not in outcomes
    assert any(row["client_id"] == stranger for row in rows)
    empty = run_hub(hub.env, "ledger", "denied", "--from", "2020-01-01", "--to", "2020-02-01")
    assert empty.stdout.strip() == "no entries"

    owner = login(hub, "owner")
    # the owner's page reads its dates in the hub's zone (+06): after 18:00 UTC its today is tomorrow
    local = datetime.now(ZoneInfo(load_settings(environ=hub.env).hub.timezone)).date().isoformat()
    page = owner.get("/owner", params={"from": local, "to": local})
    assert page.status_code == 200
    for text in (
        "console:target15",
        "failed sign-in that locked the account",
        stranger,
        "page of another role",
    ):
        assert text in page.text
    assert owner.get("/auditor").status_code == 403
    assert owner.get("/owner", params={"from": "2020-01-01", "to": "2020-01-31"}).text.count("<tr>") == 2
