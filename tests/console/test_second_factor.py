"""A second factor for administrators and auditors (issue 17): after the password, a one-time code
(RFC 6238 TOTP) from an authenticator app; a code works once; wrong codes lock like wrong passwords;
a lost phone is reset by an administrator or from the command line."""

from __future__ import annotations

import html
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from sanarip_hub.console import totp
from sanarip_hub.storage.models import ConsoleUser, LedgerEntryRow
from tests.console.conftest import (
    MAX_FAILED,
    PASSWORDS,
    USERS,
    Hub,
    csrf_of,
    login,
    one_time_code,
    run_hub_input,
)
from tests.producer.conftest import free_port, run_hub, start_server, wait_until_serving

PASSWORD = "tall-Green-cactus-2026"


@pytest.fixture(scope="module")
def guarded(hub: Hub) -> Iterator[Hub]:
    """A second server on the same home and database with the default settings: administrators and
    auditors give a one-time code (the shared console server has the second factor off)."""
    env = {k: v for k, v in hub.env.items() if k != "SANARIP_HUB_CONSOLE_SECOND_FACTOR_ROLES"}
    port = free_port()
    process = start_server(env, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process)
        yield replace(hub, url=url, env=env)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.parametrize(
    ("moment", "code"),
    [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"), (2000000000, "69279037")],
)
def test_rfc_6238_sha1_vectors(moment: int, code: str) -> None:
    """RFC 6238 Appendix B (SHA-1, eight digits), through the same HOTP the console checks."""
    assert totp.hotp(b"12345678901234567890", totp.step_at(moment), digits=8) == code


def test_a_code_is_accepted_one_step_either_side_and_never_twice() -> None:
    secret = totp.new_secret()
    now = 1_800_000_000.0
    step = totp.step_at(now)
    assert totp.accepted_step(secret, totp.code_at(secret, now), None, now) == step
    assert totp.accepted_step(secret, totp.code_at(secret, now - 30), None, now) == step - 1
    assert totp.accepted_step(secret, totp.code_at(secret, now + 30), None, now) == step + 1
    assert totp.accepted_step(secret, totp.code_at(secret, now - 60), None, now) is None
    assert totp.accepted_step(secret, totp.code_at(secret, now), step, now) is None  # used already
    assert totp.accepted_step(secret, "12345", None, now) is None
    assert totp.accepted_step(secret, "abcdef", None, now) is None
    uri = totp.provisioning_uri(secret, "au 1", "Sanarip Hub")
    assert uri.startswith("otpauth://totp/Sanarip%20Hub%3Aau%201?secret=")


def password_step(hub: Hub, username: str, password: str) -> tuple[httpx.Client, httpx.Response]:
    client = httpx.Client(base_url=hub.console, follow_redirects=False, timeout=30)
    page = client.get("/login")
    answer = client.post(
        "/login", data={"csrf": csrf_of(page.text), "username": username, "password": password}
    )
    return client, answer


def give_code(client: httpx.Client, code: str) -> httpx.Response:
    form = client.get("/login/code")
    assert form.status_code == 200, form.text
    return client.post("/login/code", data={"csrf": csrf_of(form.text), "code": code})


def new_user(hub: Hub, role: str) -> str:
    name = f"{role[:2]}-{secrets.token_hex(3)}"
    run_hub_input(hub.env, PASSWORD, "users", "add", name, "--role", role)
    return name


def test_the_password_alone_does_not_sign_an_administrator_in(guarded: Hub) -> None:
    hub = guarded
    client, answer = password_step(hub, USERS["administrator"], PASSWORDS["administrator"])
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login/code"
    assert client.get("/admin").status_code == 303  # not signed in: back to the login page
    assert client.get("/admin/users").headers["location"] == "/console/login"
    client.get("/login/code")  # the key exists from here on (made at the first sign-in)
    right = one_time_code(hub, USERS["administrator"])
    refused = give_code(client, f"{(int(right) + 1) % 1_000_000:06d}")
    assert refused.status_code == 401
    assert "That code is not right, or it was already used." in refused.text
    assert client.get("/admin").status_code == 303
    with hub.engine.connect() as connection:
        refusal = connection.execute(
            select(LedgerEntryRow.user_id)
            .where(LedgerEntryRow.outcome == "Console.SecondFactorFailed")
            .order_by(LedgerEntryRow.seq.desc())
            .limit(1)
        ).scalar_one()
    assert refusal == f"console:{USERS['administrator']}"
    signed_in = give_code(client, one_time_code(hub, USERS["administrator"]))
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/console/admin"
    assert client.get("/admin").status_code == 200


def test_an_operator_signs_in_with_the_password_alone(guarded: Hub) -> None:
    hub = guarded
    client, answer = password_step(hub, USERS["operator"], PASSWORDS["operator"])
    assert answer.headers["location"] == "/console/operator"
    assert client.get("/operator").status_code == 200


def test_a_new_auditor_enrolls_then_each_code_works_once(guarded: Hub) -> None:
    hub = guarded
    name = new_user(hub, "auditor")
    client, _ = password_step(hub, name, PASSWORD)
    enrolling = client.get("/login/code").text
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', enrolling)
    assert shown is not None
    assert 'id="totp-qr" src="data:image/svg+xml' in enrolling
    secret = shown.group(1).replace(" ", "")
    # the app lists the key under the account's name
    assert f"otpauth://totp/Sanarip%20Hub%3A{name}?secret={secret}" in html.unescape(enrolling)
    assert client.get("/login/code").text.count(shown.group(1)) == 1  # a reload shows the same key
    code = totp.code_at(secret, time.time())
    assert give_code(client, code).status_code == 303
    assert client.get("/auditor").status_code == 200
    again, _ = password_step(hub, name, PASSWORD)
    assert 'id="totp-secret"' not in again.get("/login/code").text  # enrolled: no key shown again
    assert give_code(again, code).status_code == 401  # the same code, a second time
    assert again.get("/auditor").status_code == 303


def test_wrong_codes_lock_the_account_like_wrong_passwords(guarded: Hub) -> None:
    hub = guarded
    name = new_user(hub, "auditor")
    client, _ = password_step(hub, name, PASSWORD)
    client.get("/login/code")
    with hub.engine.connect() as connection:
        secret = connection.execute(
            select(ConsoleUser.totp_secret).where(ConsoleUser.username == name)
        ).scalar_one()
    right = totp.code_at(secret, time.time())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(MAX_FAILED - 1):
        assert give_code(client, wrong).status_code == 401
    locked = give_code(client, wrong)
    assert locked.status_code == 401
    assert "Wrong user name or password, or the account is locked." in locked.text
    _, answer = password_step(hub, name, PASSWORD)  # locked: the password is refused too now
    assert answer.status_code == 401


def test_a_lost_phone_gets_a_new_key_from_an_administrator_or_the_command_line(guarded: Hub) -> None:
    hub = guarded
    name = new_user(hub, "administrator")
    first, _ = password_step(hub, name, PASSWORD)
    old = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', first.get("/login/code").text)
    assert old is not None
    assert give_code(first, totp.code_at(old.group(1).replace(" ", ""), time.time())).status_code == 303
    admin = login(hub, "administrator")
    page = admin.get("/admin/users").text
    unconfirmed = admin.post(f"/admin/users/{name}/reset-code", data={"csrf": csrf_of(page)})
    assert unconfirmed.status_code == 400
    assert "lost their phone" in unconfirmed.text
    done = admin.post(f"/admin/users/{name}/reset-code", data={"csrf": csrf_of(page), "confirm": "yes"})
    assert done.status_code == 303
    assert first.get("/admin").status_code == 303  # the lost phone's session ended
    second, _ = password_step(hub, name, PASSWORD)
    new = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', second.get("/login/code").text)
    assert new is not None
    assert new.group(1) != old.group(1)
    said = run_hub(hub.env, "users", "reset-code", name)
    assert said.returncode == 0, said.stderr
    assert f"user {name}: one-time-code key forgotten" in said.stdout
    missing = run_hub(hub.env, "users", "reset-code", "nobody-here", check=False)
    assert missing.returncode == 1
    assert "sanarip-hub: error: no user nobody-here" in missing.stderr
