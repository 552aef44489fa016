"""``--debug`` never writes a PIN into a log.

Debug logging is what an operator turns on when something is wrong, and debug logs leave the hub:
they are pasted into tickets and shipped to log stores that nobody audits as personal data.  So
the hub's own loggers log identifiers and digests only, and libraries that log whole messages at
DEBUG (zeep logs every envelope, SQLAlchemy every bound parameter, HTTP clients every URL) are
held above that level.  The test drives every path that carries PINs: a nightly run with both
consumers against the simulator, SOAP and REST calls (answered, refused, faulted) against the
producer, the ledger's per-person commands; then greps every line these processes wrote.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from sanarip_hub.config import load_settings
from sanarip_hub.storage.engine import make_engine
from tests.producer.conftest import SF, envelope, own_server, pin_body, run_hub, standard_agreements
from tests.simulator.test_simulator import launch

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

PIN_RUN = re.compile(r"(?<!\d)[12]\d{13}(?!\d)")


def seeded_pins(env: dict[str, str]) -> set[str]:
    engine = make_engine(load_settings(environ=env))
    try:
        with engine.connect() as connection:
            return {
                row[0] for row in connection.execute(text("select pin from person where pin is not null"))
            }
    finally:
        engine.dispose()


def test_no_debug_log_line_holds_a_seeded_pin(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with own_server("sqlite", home, {"SANARIP_HUB_DEBUG": "1"}, prepare=standard_agreements) as served:
        env = {**served.env, "SANARIP_HUB_DEBUG": "1"}
        pins = sorted(seeded_pins(env))
        assert len(pins) > 300
        url, simulator = launch(env, tmp_path / "truth.jsonl", "--discrepancy-rate", "0.2", "--seed", "3")
        try:
            env["SANARIP_HUB_XROAD_SECURITY_SERVER_URL"] = url
            runs = [
                run_hub(env, "sync", "run", "civil-registry"),
                run_hub(env, "sync", "run", "tax"),
            ]
        finally:
            simulator.terminate()
            simulator.wait(timeout=20)
        for pin in pins[:3]:
            for service in ("householdByPin", "familyComposition", "landQueuePosition"):
                httpx.post(
                    f"{served.url}/xroad",
                    content=envelope(service, pin_body(service, pin)),
                    headers={"content-type": "text/xml"},
                    timeout=30,
                )
            httpx.post(  # a client without an agreement: refused
                f"{served.url}/xroad",
                content=envelope("householdByPin", pin_body("householdByPin", pin), client=SF + "x"),
                headers={"content-type": "text/xml"},
                timeout=30,
            )
            rest = {
                "X-Road-Client": SF.partition(":")[2],
                "X-Road-Id": str(uuid.uuid4()),
                "X-Road-UserId": "KG" + pin,
            }
            for path in (f"family-members/{pin}", f"address-fact/{pin}", f"address-fact/{pin}?x=1"):
                httpx.get(f"{served.url}/rest/{path}", headers=rest, timeout=30)
        httpx.post(  # a malformed body quoting a PIN
            f"{served.url}/xroad",
            content=envelope("householdByPin", f"<sa:householdByPin><sa:pin>{pins[0]}</sa:pin>")[:-9],
            headers={"content-type": "text/xml"},
            timeout=30,
        )
        runs.append(run_hub(env, "ledger", "usage", "--pin", pins[0]))
        runs.append(run_hub(env, "ledger", "search", "--client", SF.partition(":")[2]))
        runs.append(run_hub(env, "mismatches", "list", "--format", "json"))
    lines = [line for run in runs for line in run.stderr.splitlines()]
    for name in ("server.log", "simulator.log"):
        lines += (home / name).read_text(encoding="utf-8", errors="replace").splitlines()
    assert sum(1 for line in lines if '"level": "debug"' in line or '"level":"debug"' in line) > 0
    assert any(
        json.loads(line).get("logger", "").startswith("sanarip_hub") for line in lines if line[:1] == "{"
    )
    leaked = [line for line in lines if set(PIN_RUN.findall(line)) & set(pins)]
    assert not leaked, f"{len(leaked)} log lines hold a seeded PIN, e.g. {leaked[0][:300]}"
