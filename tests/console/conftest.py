"""A real hub (``sanarip-hub serve``) with a console on loopback: a seeded database, one user per
role, producer traffic in the ledger and open mismatches in one LSG body's queue."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select, text

from sanarip_hub.config import load_settings
from sanarip_hub.console import totp
from sanarip_hub.domain.codes import SyncSource
from sanarip_hub.entrypoints.demo import DEMO_SHARED_PARAMS
from sanarip_hub.producer.agreements import AgreementSpec, store
from sanarip_hub.storage.agreements import AgreementTable
from sanarip_hub.storage.engine import make_engine
from sanarip_hub.storage.mismatches import flag
from sanarip_hub.storage.models import ConsoleUser, Person
from tests.conftest import BACKENDS, drop_schema
from tests.producer.conftest import (
    PERSONAL,
    SF,
    envelope,
    free_port,
    pin_body,
    prepared_home,
    run_hub,
    start_server,
    wait_until_serving,
)

PASSWORDS = {
    "operator": "operator-pass-2026",
    "auditor": "auditor-pass-2026",
    "lsg_user": "lsg-user-pass-2026",
    "administrator": "admin-pass-2026!",
    "owner": "owner-pass-2026!",
}
USERS = {"operator": "op1", "auditor": "au1", "lsg_user": "lsg1", "administrator": "ad1", "owner": "ow1"}
MAX_FAILED = 3


@dataclass
class Hub:
    backend: str
    url: str
    env: dict[str, str]
    engine: Engine
    lsg_soate: str
    queue_pins: list[str]
    called_pins: list[str]

    @property
    def console(self) -> str:
        return f"{self.url}/console"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def one_time_code(hub: Hub, username: str) -> str:
    """The code the user's authenticator app would give now, from a step no sign-in has used yet: a
    used step is refused, so a third sign-in within one 30-second step waits for the next."""
    while True:
        with hub.engine.connect() as connection:
            secret, last = connection.execute(
                select(ConsoleUser.totp_secret, ConsoleUser.totp_last_step).where(
                    ConsoleUser.username == username
                )
            ).one()
        assert secret, f"{username} has no one-time-code key yet"
        now = totp.step_at(time.time())
        for step in range(now - totp.WINDOW, now + totp.WINDOW + 1):
            if last is None or step > last:
                return totp.code_of_step(secret, step)
        time.sleep(totp.STEP_SECONDS - time.time() % totp.STEP_SECONDS + 0.2)


def login(hub: Hub, role: str, password: str | None = None) -> httpx.Client:
    """A client signed in as the user of ``role`` (cookies kept); administrators and auditors give
    a one-time code after the password, as their authenticator app would."""
    client = httpx.Client(base_url=hub.console, follow_redirects=False, timeout=30)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "username": USERS[role], "password": password or PASSWORDS[role]},
    )
    assert response.status_code == 303, response.text
    if response.headers["location"].endswith("/login/code"):
        form = client.get("/login/code")
        done = client.post(
            "/login/code", data={"csrf": csrf_of(form.text), "code": one_time_code(hub, USERS[role])}
        )
        assert done.status_code == 303, done.text
    return client


@pytest.fixture(scope="session", params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    backend = str(request.param)
    env = prepared_home(backend, tmp_path_factory.mktemp(f"console-{backend}"))
    env["SANARIP_HUB_CONSOLE_MAX_FAILED_LOGINS"] = str(MAX_FAILED)
    env["SANARIP_HUB_CONSOLE_DEFAULT_LANGUAGE"] = "en"
    env["SANARIP_HUB_XROAD_SHARED_PARAMS"] = str(DEMO_SHARED_PARAMS)  # member names on the pages
    # the second factor has its own server in test_second_factor.py: a code is never accepted twice,
    # so one account signs in at most three times per 30-second step, and this suite signs in as
    # the same auditor dozens of times (waiting for steps added seven minutes to the suite)
    env["SANARIP_HUB_CONSOLE_SECOND_FACTOR_ROLES"] = ""
    settings = load_settings(environ=env)
    engine = make_engine(settings)
    store(
        AgreementTable(engine),
        [
            AgreementSpec.from_mapping(
                {
                    "number": "SA-CONSOLE-SF",
                    "client": SF,
                    "services": PERSONAL,
                    "purpose": "pensions",
                    "valid_from": date(2026, 1, 1),
                }
            )
        ],
    )
    with engine.connect() as connection:
        lsg_id, soate = connection.execute(
            text("select id, soate_code from lsg_body order by id limit 1")
        ).one()
        people = connection.execute(
            select(Person.id, Person.pin).where(Person.lsg_id == lsg_id, Person.pin.is_not(None)).limit(3)
        ).all()
    with engine.begin() as connection:
        for index, (person_id, _pin) in enumerate(people):
            # the hub's value the flag records is the person's (an actualization checks it still is)
            connection.execute(
                Person.__table__.update()  # type: ignore[attr-defined]
                .where(Person.id == person_id)
                .values(birth_date=date(1990, 1, 1))
            )
            flag(
                connection,
                person_id=person_id,
                field="birth_date",
                source=SyncSource.CIVIL_REGISTRY,
                hub_value="1990-01-01",
                registry_value=f"1990-01-{10 + index}",
                message_id=f"m-{index}",
                run_id=None,
            )
    for role, name in USERS.items():
        extra = ["--lsg", soate] if role == "lsg_user" else []
        run_hub_input(env, PASSWORDS[role], "users", "add", name, "--role", role, *extra)
    port = free_port()
    process = start_server(env, port)
    url = f"http://127.0.0.1:{port}"
    hub = Hub(backend, url, env, engine, soate, [pin for _, pin in people], [])
    try:
        wait_until_serving(url, process)
        with engine.connect() as connection:
            pins = [
                row[0]
                for row in connection.execute(
                    text(
                        "select p.pin from person p join household_member m on m.person_id = p.id "
                        "where p.pin is not null and m.member_to is null order by p.id limit 3"
                    )
                )
            ]
        for pin in pins:
            reply = httpx.post(
                f"{url}/xroad",
                content=envelope("householdByPin", pin_body("householdByPin", pin)),
                headers={"content-type": "text/xml; charset=UTF-8"},
                timeout=60,
            )
            assert reply.status_code == 200
        hub.called_pins = pins
        yield hub
    finally:
        process.terminate()
        process.wait(timeout=20)
        engine.dispose()
        if backend == "postgresql":
            drop_schema(settings.database.schema)


def run_hub_input(env: dict[str, str], stdin: str, *args: str) -> None:
    import os
    import subprocess

    from tests.producer.conftest import HUB

    result = subprocess.run(
        [*HUB, *args, "--password-stdin"],
        input=stdin + "\n",
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "console"
__all__ = ["ARTIFACTS", "MAX_FAILED", "PASSWORDS", "USERS", "Hub", "csrf_of", "login", "run_hub"]
