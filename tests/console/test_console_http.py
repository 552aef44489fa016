"""The console over HTTP (httpx against the real server): sign-in, roles, CSRF, lockout, cookies,
languages, access-ledger entries, metrics and readiness."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from sanarip_hub.storage.migrate import head_revision
from sanarip_hub.storage.models import LedgerEntryRow, Mismatch, Person
from tests.clock import ManualClock
from tests.console.conftest import MAX_FAILED, PASSWORDS, USERS, Hub, csrf_of, login
from tests.producer.conftest import run_hub

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

PAGES = {
    "operator": ["/operator", "/operator/exchanges", "/operator/runs", "/operator/health"],
    "auditor": ["/auditor", "/auditor/verify", "/auditor/agreements"],
    "lsg_user": ["/lsg"],
    "administrator": ["/admin", "/admin/users"],
    "owner": ["/owner"],
}


def console_entries(hub: Hub, user: str) -> list[LedgerEntryRow]:
    with hub.engine.connect() as connection:
        return list(
            connection.execute(
                select(LedgerEntryRow)
                .where(LedgerEntryRow.user_id == f"console:{user}")
                .order_by(LedgerEntryRow.seq)
            )
        )


@pytest.mark.parametrize("role", list(USERS))
def test_each_role_sees_its_pages_and_is_refused_the_others(hub: Hub, role: str) -> None:
    client = login(hub, role)
    for owner, pages in PAGES.items():
        for page in pages:
            status = client.get(page).status_code
            assert status == (200 if owner == role else 403), (role, page, status)


def test_signed_out_users_go_to_the_login_page(hub: Hub) -> None:
    response = httpx.get(f"{hub.console}/operator/exchanges", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/console/login")


def test_session_cookie_and_security_headers(hub: Hub) -> None:
    client = httpx.Client(base_url=hub.console)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "username": USERS["operator"], "password": PASSWORDS["operator"]},
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/console" in cookie
    assert "secure" not in cookie  # plain HTTP here; Secure is set under TLS
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"


def test_forms_without_the_session_csrf_token_are_refused(hub: Hub) -> None:
    client = login(hub, "administrator")
    before = client.get("/admin/users").text
    refused = client.post(
        "/admin/users", data={"username": "mallory", "role": "administrator", "password": "a-long-password-1"}
    )
    assert refused.status_code == 403
    assert "did not come from this console" in refused.text
    forged = client.post(
        "/admin/users",
        data={
            "csrf": "forged",
            "username": "mallory",
            "role": "administrator",
            "password": "a-long-password-1",
        },
    )
    assert forged.status_code == 403
    assert "mallory" not in client.get("/admin/users").text
    assert csrf_of(before)  # the real form carries a token


def test_wrong_passwords_lock_the_account(hub: Hub) -> None:
    run_hub_input = __import__("tests.console.conftest", fromlist=["run_hub_input"]).run_hub_input
    run_hub_input(hub.env, "long-secret-pass-2026", "users", "add", "victim", "--role", "operator")
    client = httpx.Client(base_url=hub.console)
    for _ in range(MAX_FAILED):
        page = client.get("/login")
        wrong = client.post(
            "/login", data={"csrf": csrf_of(page.text), "username": "victim", "password": "nope"}
        )
        assert wrong.status_code == 401
    page = client.get("/login")
    right = client.post(
        "/login", data={"csrf": csrf_of(page.text), "username": "victim", "password": "long-secret-pass-2026"}
    )
    assert right.status_code == 401  # locked: even the right password is refused
    listed = run_hub(hub.env, "users", "list").stdout
    assert any(
        line.startswith("victim") and line.rstrip().endswith("locked (from 127.0.0.1)")
        for line in listed.splitlines()
    )
    run_hub_input(hub.env, "long-secret-pass-2027", "users", "passwd", "victim")  # an administrator unlocks
    page = client.get("/login")
    again = client.post(
        "/login", data={"csrf": csrf_of(page.text), "username": "victim", "password": "long-secret-pass-2027"}
    )
    assert again.status_code == 303


def test_logout_and_disable_end_the_session(hub: Hub) -> None:
    client = login(hub, "operator")
    assert client.get("/operator").status_code == 200
    client.post("/logout", data={"csrf": csrf_of(client.get("/operator").text)})
    assert client.get("/operator").status_code == 303  # back to the login page
    run_hub_input = __import__("tests.console.conftest", fromlist=["run_hub_input"]).run_hub_input
    run_hub_input(hub.env, "temporary-pass-2026", "users", "add", "temp-op", "--role", "operator")
    temp = httpx.Client(base_url=hub.console)
    page = temp.get("/login")
    temp.post(
        "/login", data={"csrf": csrf_of(page.text), "username": "temp-op", "password": "temporary-pass-2026"}
    )
    assert temp.get("/operator").status_code == 200
    run_hub(hub.env, "users", "disable", "temp-op")
    assert temp.get("/operator").status_code == 303


def test_language_switch(hub: Hub) -> None:
    client = login(hub, "lsg_user")
    page = client.get("/lsg").text
    assert '<html lang="en">' in page
    assert "Actualization queue" in page
    for code, heading in (("ky", "Актуалдаштыруу кезеги"), ("ru", "Очередь актуализации")):
        client.post("/language", data={"csrf": csrf_of(page), "lang": code, "next": "/console/lsg"})
        page = client.get("/lsg").text
        assert f'<html lang="{code}">' in page
        assert heading in page
    # the choice is the user's, not only the session's: the next sign-in speaks Russian too
    again = login(hub, "lsg_user").get("/lsg").text
    assert '<html lang="ru">' in again
    assert "Очередь актуализации" in again
    client.post("/language", data={"csrf": csrf_of(page), "lang": "en", "next": "/console/lsg"})
    assert '<html lang="en">' in login(hub, "lsg_user").get("/lsg").text  # as the other tests expect
    anonymous = httpx.get(f"{hub.console}/login", headers={"accept-language": "ru-RU,ru;q=0.9"})
    assert "Имя пользователя" in anonymous.text


def test_pages_with_personal_data_are_ledgered(hub: Hub) -> None:
    client = login(hub, "lsg_user")
    before = len(console_entries(hub, USERS["lsg_user"]))
    queue = client.get("/lsg")
    with hub.engine.connect() as connection:  # other tests may have resolved some meanwhile
        still_open = set(
            connection.scalars(
                select(Person.pin)
                .join(Mismatch, Mismatch.person_id == Person.id)
                .where(Mismatch.status.in_(["open", "in_review"]), Person.pin.in_(hub.queue_pins))
            )
        )
    assert still_open
    assert all(pin in queue.text for pin in still_open)
    entries = console_entries(hub, USERS["lsg_user"])
    assert len(entries) == before + 1
    assert entries[-1].service_id == "console:lsg.queue"
    assert entries[-1].direction == "internal"
    assert entries[-1].channel == "console"
    operator = login(hub, "operator")
    before = len(console_entries(hub, USERS["operator"]))
    operator.get("/operator/exchanges")  # no personal data shown: nothing ledgered
    assert len(console_entries(hub, USERS["operator"])) == before
    found = operator.get("/operator/exchanges", params={"pin": hub.called_pins[0]})
    assert "householdByPin" in found.text
    assert console_entries(hub, USERS["operator"])[-1].service_id == "console:exchanges.by-pin"


def test_exchange_log_filters_and_pages(hub: Hub) -> None:
    client = login(hub, "operator")
    page = client.get("/operator/exchanges", params={"service": "no-such-service"})
    assert "No entries" in page.text
    with hub.engine.connect() as connection:
        entry = connection.execute(
            select(LedgerEntryRow)
            .where(LedgerEntryRow.channel == "soap")
            .order_by(LedgerEntryRow.seq)
            .limit(1)
        ).one()
    by_message = client.get("/operator/exchanges", params={"message_id": entry.message_id})
    assert f">{entry.seq}</a>" in by_message.text
    detail = client.get(f"/operator/exchanges/{entry.seq}")
    assert entry.entry_hash.hex() in detail.text
    assert entry.message_id in detail.text
    assert client.get("/operator/exchanges", params={"pin": "123"}).status_code == 400
    assert client.get("/operator/exchanges", params={"since": "yesterday"}).status_code == 400


def test_metrics_and_readiness(hub: Hub) -> None:
    metrics = httpx.get(f"{hub.url}/metrics").text
    assert (
        'sanarip_exchanges_total{client="SUBSYSTEM:central-server/GOV/70000003/sf-personal-data"' in metrics
    )
    assert "sanarip_exchange_duration_seconds_bucket" in metrics
    assert "sanarip_ledger_entries" in metrics
    assert 'sanarip_mismatches{source="civil-registry",status="open"}' in metrics
    ready = httpx.get(f"{hub.url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["migrations"]["ok"] is True
    head = head_revision()  # scripts read the English of /readyz: it stays as it was
    assert ready.json()["checks"]["migrations"]["detail"] == f"at {head}, code expects {head}"


def test_readiness_fails_without_a_key_or_a_database(hub: Hub) -> None:
    from sqlalchemy import create_engine

    from sanarip_hub.console.app import readiness

    checks = {check.name: check.ok for check in readiness(hub.engine, None)}
    assert checks == {"database": True, "migrations": True, "ledger key": False}
    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    checks = {check.name: check.ok for check in readiness(dead, None)}
    assert checks["database"] is False
    assert checks["migrations"] is False


def test_idle_sessions_expire_and_tokens_are_stored_hashed(hub: Hub) -> None:
    from datetime import timedelta

    from sqlalchemy import text

    from sanarip_hub.storage.sessions import SessionStore

    clock = ManualClock()
    store = SessionStore(hub.engine, timedelta(minutes=20), clock)
    session = store.create(None, "ru")
    loaded = store.load(session.token)
    assert loaded is not None
    assert loaded.language == "ru"
    assert loaded.csrf_ok(session.csrf)
    other = ("y" if session.csrf[0] == "x" else "x") + session.csrf[1:]  # 1 in 64 began with x
    assert not loaded.csrf_ok(other)
    with hub.engine.connect() as connection:
        stored = connection.execute(text("select token_sha256 from console_session")).scalars().all()
    assert session.token not in stored  # only the SHA-256 of the cookie's token is kept
    clock.advance(19 * 60)
    assert store.load(session.token) is not None  # each request restarts the idle time
    clock.advance(19 * 60)
    assert store.load(session.token) is not None
    clock.advance(20 * 60 + 1)
    assert store.load(session.token) is None
    assert store.load("not-a-token") is None


def test_oversized_and_chunked_forms_are_refused_unread(hub: Hub) -> None:
    client = login(hub, "administrator")
    csrf = csrf_of(client.get("/admin/users").text)
    huge = client.post("/admin/users", data={"csrf": csrf, "username": "x" * 70_000})
    assert huge.status_code == 413
    assert "too large" in huge.text

    def body() -> object:
        yield f"csrf={csrf}&username=streamed".encode()

    streamed = client.post("/admin/users", content=body())  # no Content-Length
    assert streamed.status_code == 413


def test_hostile_values_are_escaped_and_redirects_stay_in_the_console(hub: Hub) -> None:
    from sanarip_hub.config import load_settings
    from sanarip_hub.domain.exchange import Channel, Direction, Exchange
    from sanarip_hub.ledger.store import Ledger

    script = '<script>alert("x")</script>'
    ledger = Ledger.for_settings(hub.engine, load_settings(environ=hub.env))
    seq = ledger.append(
        Exchange(
            Direction.IN, Channel.SOAP, service_id=f"SERVICE:{script}", outcome="Client.Bad", client_id=script
        )
    )
    client = login(hub, "operator")
    for page in (
        client.get("/operator/exchanges", params={"client": script}),
        client.get(f"/operator/exchanges/{seq}"),
    ):
        assert script not in page.text
        assert "&lt;script&gt;" in page.text
    dashboard = client.get("/operator").text
    assert script not in dashboard  # the chart's legend and the tables escape it too
    page = client.get("/operator").text
    for target in ("https://evil.example/", "//evil.example/console/", "/elsewhere"):
        moved = client.post("/language", data={"csrf": csrf_of(page), "lang": "en", "next": target})
        assert moved.status_code == 303
        assert moved.headers["location"] == "/console/"


def test_an_lsg_user_cannot_see_or_resolve_another_lsg_bodys_mismatch(hub: Hub) -> None:
    from sanarip_hub.domain.codes import SyncSource
    from sanarip_hub.storage.mismatches import flag
    from sanarip_hub.storage.models import LsgBody

    with hub.engine.begin() as connection:
        other = connection.execute(
            select(Person.id, Person.pin)
            .join(LsgBody, LsgBody.id == Person.lsg_id)
            .where(LsgBody.soate_code != hub.lsg_soate, Person.pin.is_not(None))
            .limit(1)
        ).one()
        flag(connection, person_id=other.id, field="surname", source=SyncSource.CIVIL_REGISTRY,
             hub_value="Асанов", registry_value="Осмонов", message_id="m-other", run_id=None)  # fmt: skip
        mismatch_id = connection.execute(
            select(Mismatch.id).where(Mismatch.person_id == other.id, Mismatch.field == "surname")
        ).scalar_one()
    client = login(hub, "lsg_user")
    assert client.get(f"/lsg/mismatches/{mismatch_id}").status_code == 404
    csrf = csrf_of(client.get("/lsg").text)
    refused = client.post(f"/lsg/mismatches/{mismatch_id}", data={"csrf": csrf, "to": "actualized"})
    assert refused.status_code == 404
    assert other.pin not in client.get("/lsg").text
    with hub.engine.connect() as connection:
        status = connection.execute(select(Mismatch.status).where(Mismatch.id == mismatch_id)).scalar_one()
    assert status == "open"


def _own_surname_flag(hub: Hub, registry_value: str, skip: int) -> tuple[Any, int]:
    """A surname flag (the hub's real value, ``registry_value``) on a person of the clerk's LSG body
    (the ``skip``-th from the last), and its mismatch id."""
    from sanarip_hub.domain.codes import SyncSource
    from sanarip_hub.storage.mismatches import flag
    from sanarip_hub.storage.models import LsgBody

    with hub.engine.begin() as connection:
        mine = connection.execute(
            select(Person.id, Person.surname)
            .join(LsgBody, LsgBody.id == Person.lsg_id)
            .where(LsgBody.soate_code == hub.lsg_soate, Person.pin.is_not(None))
            .order_by(Person.id.desc())
            .offset(skip)
            .limit(1)
        ).one()
        civil = SyncSource.CIVIL_REGISTRY
        flag(connection, person_id=mine.id, field="surname", source=civil, hub_value=mine.surname,
             registry_value=registry_value, message_id=f"m-{skip}", run_id=None)  # fmt: skip
        mismatch_id = connection.execute(
            select(Mismatch.id).where(
                Mismatch.person_id == mine.id, Mismatch.field == "surname", Mismatch.source == civil
            )
        ).scalar_one()
    return mine, int(mismatch_id)


def test_a_stale_second_tabs_decision_is_refused_with_a_clear_message(hub: Hub) -> None:
    """Two tabs show the same mismatch; the first takes it into review, the second — still showing
    the old page — actualizes: refused (409, the page says why), the person untouched."""
    mine, mismatch_id = _own_surname_flag(hub, "Токтогулов", skip=0)
    client = login(hub, "lsg_user")
    first_tab = client.get(f"/lsg/mismatches/{mismatch_id}").text
    second_tab = client.get(f"/lsg/mismatches/{mismatch_id}").text
    version = re.search(r'name="version" value="(\d+)"', second_tab)
    assert version is not None
    reviewed = client.post(
        f"/lsg/mismatches/{mismatch_id}",
        data={"csrf": csrf_of(first_tab), "to": "in_review", "version": version.group(1)},
    )
    assert reviewed.status_code == 303
    stale = client.post(
        f"/lsg/mismatches/{mismatch_id}",
        data={"csrf": csrf_of(second_tab), "to": "actualized", "version": version.group(1)},
    )
    assert stale.status_code == 409
    assert "Someone decided on this mismatch, or changed the person, after you opened it" in html.unescape(
        stale.text
    )
    with hub.engine.connect() as connection:
        surname = connection.execute(select(Person.surname).where(Person.id == mine.id)).scalar_one()
        status = connection.execute(select(Mismatch.status).where(Mismatch.id == mismatch_id)).scalar_one()
    assert (surname, status) == (mine.surname, "in_review")


def test_a_latin_registry_name_is_actualized_in_the_registers_script(hub: Hub) -> None:
    """The clerk sees both spellings and writes the registry's name in Cyrillic; the Latin one is
    refused with the reason, never written over the Cyrillic."""
    mine, mismatch_id = _own_surname_flag(hub, "Osmonova", skip=1)
    client = login(hub, "lsg_user")
    page = client.get(f"/lsg/mismatches/{mismatch_id}").text
    assert 'name="value"' in page
    assert "Osmonova" in page
    assert mine.surname in page
    refused = client.post(f"/lsg/mismatches/{mismatch_id}", data={"csrf": csrf_of(page), "to": "actualized"})
    assert refused.status_code == 409
    assert "Latin script" in refused.text
    done = client.post(
        f"/lsg/mismatches/{mismatch_id}",
        data={"csrf": csrf_of(page), "to": "actualized", "value": "Осмонова"},
    )
    assert done.status_code == 303
    with hub.engine.connect() as connection:
        surname = connection.execute(select(Person.surname).where(Person.id == mine.id)).scalar_one()
    assert surname == "Осмонова"


def test_the_clerk_names_a_new_head_from_the_households_living_members(hub: Hub) -> None:
    """Issue 15 §2: when an actualized death leaves a household without its head, the flag's page
    offers the household's living current members; the decision needs one of them and names them."""
    from sqlalchemy import func

    from sanarip_hub.actualization.workflow import move
    from sanarip_hub.domain.codes import MismatchStatus, SyncSource
    from sanarip_hub.storage.mismatches import MismatchTable, flag
    from sanarip_hub.storage.models import Household, HouseholdMember, LsgBody

    with hub.engine.begin() as connection:  # the clerk's last household of three or more
        household_id, head_id = connection.execute(
            select(Household.id, Household.head_person_id)
            .join(LsgBody, LsgBody.id == Household.lsg_id)
            .join(HouseholdMember, HouseholdMember.household_id == Household.id)
            .where(LsgBody.soate_code == hub.lsg_soate, Household.closed_at.is_(None),
                   Household.head_person_id.is_not(None), HouseholdMember.member_to.is_(None))
            .group_by(Household.id, Household.head_person_id)
            .having(func.count() >= 3)
            .order_by(Household.id.desc())
            .limit(1)
        ).one()  # fmt: skip
        flag(connection, person_id=head_id, field="death_date", source=SyncSource.CIVIL_REGISTRY,
             hub_value=None, registry_value="2026-01-10", message_id="m-head", run_id=None)  # fmt: skip
        death = connection.execute(
            select(Mismatch.id).where(Mismatch.person_id == head_id, Mismatch.field == "death_date")
        ).scalar_one()
    move(MismatchTable(hub.engine), death, MismatchStatus.ACTUALIZED, "clerk-7", "death act checked")
    with hub.engine.connect() as connection:
        ask = connection.execute(
            select(Mismatch.id).where(Mismatch.person_id == head_id, Mismatch.field == "household_head")
        ).scalar_one()
        living = connection.execute(
            select(Person.pin)
            .join(HouseholdMember, HouseholdMember.person_id == Person.id)
            .where(HouseholdMember.household_id == household_id, HouseholdMember.member_to.is_(None),
                   Person.death_date.is_(None))
        ).scalars().all()  # fmt: skip
    client = login(hub, "lsg_user")
    page = client.get(f"/lsg/mismatches/{ask}").text
    select_head = re.search(r'<select id="value" name="value">(.*?)</select>', page)
    assert select_head is not None
    offered = re.findall(r'<option value="([^"]+)"', select_head.group(1))
    assert sorted(offered) == sorted(living)
    assert len(offered) >= 2
    refused = client.post(f"/lsg/mismatches/{ask}", data={"csrf": csrf_of(page), "to": "actualized"})
    assert refused.status_code == 409
    assert "name the new head" in refused.text
    done = client.post(
        f"/lsg/mismatches/{ask}", data={"csrf": csrf_of(page), "to": "actualized", "value": offered[-1]}
    )
    assert done.status_code == 303
    with hub.engine.connect() as connection:
        head_pin = connection.execute(
            select(Person.pin)
            .join(Household, Household.head_person_id == Person.id)
            .where(Household.id == household_id)
        ).scalar_one()
    assert head_pin == offered[-1]


def test_namesakes_are_offered_to_the_clerk_who_must_choose_one(hub: Hub) -> None:
    """Issue 15 §3: several PINs for one name and birth date are flagged with all of them; the page
    offers them, and an actualization without a choice is refused (409), nothing written."""
    from sanarip_hub.domain.codes import SyncSource
    from sanarip_hub.storage.mismatches import flag
    from sanarip_hub.storage.models import LsgBody

    pins = "10101199000011,10101199000022"
    with hub.engine.begin() as connection:
        mine = connection.execute(
            select(Person.id, Person.pin)
            .join(LsgBody, LsgBody.id == Person.lsg_id)
            .where(LsgBody.soate_code == hub.lsg_soate)
            .order_by(Person.id.desc())
            .offset(5)
            .limit(1)
        ).one()
        flag(connection, person_id=mine.id, field="pin_namesakes", source=SyncSource.CIVIL_REGISTRY,
             hub_value=None, registry_value=pins, message_id="m-ns", run_id=None)  # fmt: skip
        ask = connection.execute(
            select(Mismatch.id).where(Mismatch.person_id == mine.id, Mismatch.field == "pin_namesakes")
        ).scalar_one()
    client = login(hub, "lsg_user")
    page = client.get(f"/lsg/mismatches/{ask}").text
    choice = re.search(r'<select id="value" name="value">(.*?)</select>', page)
    assert choice is not None
    assert re.findall(r'<option value="([^"]+)"', choice.group(1)) == pins.split(",")
    refused = client.post(f"/lsg/mismatches/{ask}", data={"csrf": csrf_of(page), "to": "actualized"})
    assert refused.status_code == 409
    assert "choose the person" in refused.text
    with hub.engine.connect() as connection:
        assert connection.scalar(select(Person.pin).where(Person.id == mine.id)) == mine.pin
        assert connection.scalar(select(Mismatch.status).where(Mismatch.id == ask)) == "open"


def test_the_administrator_reenables_unlocks_and_resets_and_cannot_disable_themself(hub: Hub) -> None:
    """Issue 17, administrator: a refused form keeps what was typed; a trivial password is refused;
    disabling asks first and is never of oneself; a disabled user is enabled again, a locked one
    unlocked (shown as locked, from where), a password reset; each success is confirmed."""
    admin = login(hub, "administrator")

    def post(path: str, **data: str) -> httpx.Response:
        return admin.post(path, data={"csrf": csrf_of(admin.get("/admin/users").text), **data})

    trivial = post("/admin/users", username="clerk-new", role="operator", password="aaaaaaaaaaaa")
    assert trivial.status_code == 400
    assert "at least 5 different characters" in trivial.text
    assert 'value="clerk-new"' in trivial.text  # the form kept the input
    created = post("/admin/users", username="clerk-new", role="operator", password="Clerk-pass-2026!")
    assert created.status_code == 303
    assert "User clerk-new created." in admin.get(created.headers["location"].removeprefix("/console")).text

    unconfirmed = post("/admin/users/clerk-new/disable")
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm disabling clerk-new." in unconfirmed.text
    assert post("/admin/users/clerk-new/disable", confirm="yes").status_code == 303
    own = post(f"/admin/users/{USERS['administrator']}/disable", confirm="yes")
    assert own.status_code == 400
    assert "you cannot disable your own account" in own.text

    clerk = httpx.Client(base_url=hub.console)

    def clerk_signs_in(password: str) -> int:
        page = clerk.get("/login")
        data = {"csrf": csrf_of(page.text), "username": "clerk-new", "password": password}
        return clerk.post("/login", data=data).status_code

    assert clerk_signs_in("Clerk-pass-2026!") == 401  # disabled
    assert post("/admin/users/clerk-new/enable").status_code == 303
    assert clerk_signs_in("Clerk-pass-2026!") == 303
    clerk.cookies.clear()
    for _ in range(MAX_FAILED):
        clerk_signs_in("wrong-password")
    row = admin.get("/admin/users").text.split('id="user-clerk-new"')[1].split("</tr>")[0]
    assert "locked" in row
    assert "127.0.0.1" in row
    assert clerk_signs_in("Clerk-pass-2026!") == 401  # locked from here
    unlocked = post("/admin/users/clerk-new/unlock")
    assert "User clerk-new unlocked." in admin.get(unlocked.headers["location"].removeprefix("/console")).text
    assert clerk_signs_in("Clerk-pass-2026!") == 303
    reset = post("/admin/users/clerk-new/password", password="Another-clerk-pass-7")
    assert (
        "The password of clerk-new was changed"
        in admin.get(reset.headers["location"].removeprefix("/console")).text
    )
    clerk.cookies.clear()
    assert clerk_signs_in("Another-clerk-pass-7") == 303
    listed = run_hub(hub.env, "users", "list", "--format", "json").stdout
    mine = next(json.loads(line) for line in listed.splitlines() if '"clerk-new"' in line)
    assert mine["state"] == "active"
    assert mine["last_login_at"] is not None


def test_unknown_pages_and_refusals_are_the_consoles_own_with_its_headers(hub: Hub) -> None:
    """Issue 17: a 404 or 403 inside the console is its page (in the user's language, with the
    navigation back), with the same security headers as every page, not the framework's bare text."""
    operator = login(hub, "operator")
    for path, status in (("/no-such-page", 404), ("/admin/users", 403), ("/operator/entries/999999999", 404)):
        page = operator.get(path)
        assert page.status_code == status, path
        assert page.headers["content-type"].startswith("text/html"), path
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"], path
        assert page.headers["x-frame-options"] == "DENY", path
        assert page.headers["cache-control"] == "no-store", path
        assert '<html lang="' in page.text, path
        assert "/console/logout" in page.text, path  # the console's frame, signed in
    anonymous = httpx.get(f"{hub.console}/no-such-page")
    assert anonymous.status_code in (303, 404)
    if anonymous.status_code == 404:
        assert "frame-ancestors 'none'" in anonymous.headers["content-security-policy"]
