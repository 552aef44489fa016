"""Two hub hosts on one PostgreSQL: two ``serve`` processes with their own data directories (the
keys copied, as a deployment shares them) append to one ledger under load; both are killed with
``kill -9`` mid-load.  Every request either got a 200 whose entry is in the ledger, or no answer:
nothing acknowledged is lost, no entry is doubled, and the ledger verifies (no fork) from either
host's directory."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from sanarip_hub.storage.models import LedgerEntryRow
from tests.producer.conftest import (
    envelope,
    fault_code,
    free_port,
    own_server,
    pin_body,
    run_hub,
    standard_agreements,
    start_server,
    wait_until_serving,
)

pytestmark = pytest.mark.integration  # servers, processes and PostgreSQL


def test_two_hosts_append_to_one_ledger_and_survive_kill_9(tmp_path: Path) -> None:
    with own_server("postgresql", tmp_path / "a", prepare=standard_agreements) as first:
        second_home = tmp_path / "b"
        second_home.mkdir()
        shutil.copytree(Path(first.env["SANARIP_HUB_HOME"]) / "keys", second_home / "keys")
        second_env = {**first.env, "SANARIP_HUB_HOME": str(second_home)}
        port = free_port()
        second = start_server(second_env, port)
        second_url = f"http://127.0.0.1:{port}"
        wait_until_serving(second_url, second)
        pins = first.pins(limit=20)
        acknowledged: list[str] = []
        stop = threading.Event()

        def load(url: str, number: int) -> None:
            with httpx.Client(timeout=10) as client:
                while not stop.is_set():
                    message_id = f"two-hosts-{number}-{uuid.uuid4()}"
                    request = envelope(
                        "householdByPin",
                        pin_body("householdByPin", pins[number % len(pins)]),
                        message_id=message_id,
                    )
                    try:
                        response = client.post(
                            f"{url}/xroad", content=request, headers={"content-type": "text/xml"}
                        )
                    except httpx.HTTPError:
                        continue  # the host went away: no answer, nothing acknowledged
                    if response.status_code == 200 and fault_code(response) is None:
                        acknowledged.append(message_id)

        threads = [
            threading.Thread(target=load, args=(url, number), daemon=True)
            for number, url in enumerate([first.url, second_url] * 4)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(first.process.pid, signal.SIGKILL)
        os.kill(second.pid, signal.SIGKILL)
        first.process.wait()
        second.wait()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        answered = set(acknowledged)
        assert len(answered) >= 300

        with first.engine.connect() as connection:
            recorded = [
                row[0]
                for row in connection.execute(
                    select(LedgerEntryRow.message_id).where(LedgerEntryRow.message_id.like("two-hosts-%"))
                )
            ]
        assert answered <= set(recorded)  # every 200 has its entry
        assert len(recorded) == len(set(recorded))  # and none twice
        for env in (first.env, second_env):  # one chain, whichever host's directory verifies it
            verified = run_hub(env, "ledger", "verify")
            assert verified.stdout.startswith("ledger OK"), verified.stdout + verified.stderr
