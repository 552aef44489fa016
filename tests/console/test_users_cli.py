"""``sanarip-hub users …`` as administrators call it: clear one-line refusals, nothing half-made."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.console.conftest import Hub
from tests.producer.conftest import HUB, run_hub

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


def users(hub: Hub, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    extra = ["--password-stdin"] if password is not None else []
    return subprocess.run(
        [*HUB, "users", *args, *extra],
        input=None if password is None else password + "\n",
        env={**os.environ, **hub.env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["add", "shorty", "--role", "operator"], "short", "a password needs at least 12 characters"),
        (["add", "nolsg", "--role", "lsg_user"], "long-enough-pass-1",
         "an LSG user is bound to one LSG body"),
        (["add", "badlsg", "--role", "lsg_user", "--lsg", "41799999999999"], "long-enough-pass-1",
         "no LSG body with СОАТЕ 41799999999999"),
        (["add", "oplsg", "--role", "operator", "--lsg", "41708203801000"], "long-enough-pass-1",
         "only LSG users are bound to an LSG body"),
        (["add", "bad name!", "--role", "operator"], "long-enough-pass-1", "a user name is 1-64 letters"),
        (["add", "op1", "--role", "operator"], "long-enough-pass-1", "user op1 already exists"),
        (["passwd", "nobody"], "long-enough-pass-1", "no user nobody"),
    ],
)  # fmt: skip
def test_refusals_name_the_problem(hub: Hub, args: list[str], password: str, message: str) -> None:
    result = users(hub, *args, password=password)
    assert result.returncode == 1
    assert message in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_unknown_role_is_a_usage_error_and_disable_unknown_fails(hub: Hub) -> None:
    assert users(hub, "add", "x", "--role", "superuser", password="long-enough-pass-1").returncode == 2
    gone = users(hub, "disable", "nobody")
    assert gone.returncode == 1
    assert "no user nobody" in gone.stderr


def test_list_as_json(hub: Hub) -> None:
    listed = [
        json.loads(line) for line in run_hub(hub.env, "users", "list", "--format", "json").stdout.splitlines()
    ]
    by_name = {row["username"]: row for row in listed}
    assert by_name["lsg1"]["role"] == "lsg_user"
    assert by_name["lsg1"]["lsg"] == hub.lsg_soate
    assert by_name["op1"]["lsg"] is None
    stored = run_hub(hub.env, "users", "list").stdout
    assert "operator-pass-2026" not in stored  # passwords are never shown (only their hashes are kept)
