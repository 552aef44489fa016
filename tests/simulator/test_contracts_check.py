"""``sanarip-hub contracts check`` against the simulated security server: each consumed service's
WSDL through listMethods and getWsdl, compared with our model in ``wsdl/``; a drift on the exit
status, in the recorded checks, on the operator's dashboard and in ``/metrics``; the scheduler
skipping a drifted source when told to (issue 15 §4)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from adapters.civil_registry.contract import ZAGS_CONTRACT, ZAGS_DATA_BY_PIN
from adapters.tax.contract import GNS_CONTRACT, TP_DATA
from adapters.xroad.wsdl import render_wsdl
from sanarip_hub.config import load_settings
from sanarip_hub.domain.codes import SyncSource
from sanarip_hub.domain.contract import Field, Param
from sanarip_hub.storage.engine import make_engine
from sanarip_hub.storage.models import ContractCheck, SyncRun
from tests.console.conftest import csrf_of, run_hub_input
from tests.producer.conftest import free_port, prepared_home, run_hub, start_server, wait_until_serving
from tests.simulator.test_simulator import launch

pytestmark = pytest.mark.integration  # servers and processes on loopback


def drifted_wsdls(directory: Path) -> Path:
    """The providers' WSDLs after a change we were not told about: the civil registry renamed
    ``deathDate`` to ``dateOfDeath``, made ``datetimeFormat`` required, added a ``photo`` and
    withdrew ``zagsPinsByNSPDate``; the tax service's request element is ``TIN`` again."""
    by_pin = replace(
        ZAGS_DATA_BY_PIN,
        params=(Param("pin"), Param("datetimeFormat")),
        fields=(
            *(
                replace(f, name="dateOfDeath") if f.name == "deathDate" else f
                for f in ZAGS_DATA_BY_PIN.fields
            ),
            Field("photo", "base64Binary"),
        ),
    )
    tax = replace(TP_DATA, params=(Param("TIN"),))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "zags-service.wsdl").write_bytes(render_wsdl(replace(ZAGS_CONTRACT, services=(by_pin,))))
    (directory / "gns-service.wsdl").write_bytes(render_wsdl(replace(GNS_CONTRACT, services=(tax,))))
    return directory


@dataclass
class Home:
    env: dict[str, str]
    ours: str  # a simulator answering with our models
    drifted: str  # one whose providers changed their contracts


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    base = tmp_path_factory.mktemp("contracts")
    env = prepared_home("sqlite", base / "home")
    ours, first = launch(env, base / "truth-ours.jsonl")
    wsdl_dir = drifted_wsdls(base / "provider-wsdl")
    drifted, second = launch(env, base / "truth-drifted.jsonl", "--wsdl-dir", str(wsdl_dir))
    try:
        yield Home(env, f"{ours}/", f"{drifted}/")
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(timeout=20)


def check(home: Home, url: str, *args: str) -> Any:
    return run_hub(
        {**home.env, "SANARIP_HUB_XROAD_SECURITY_SERVER_URL": url}, "contracts", "check", *args, check=False
    )


def as_json(stdout: str) -> dict[str, dict[str, Any]]:
    return {record["name"]: record for record in map(json.loads, stdout.splitlines())}


def differences(record: dict[str, Any]) -> set[tuple[str, str, str, bool]]:
    return {(d["message"], d["path"], d["change"], d["breaking"]) for d in record["differences"]}


def recorded(home: Home) -> list[tuple[str, str, str, int]]:
    engine = make_engine(load_settings(environ=home.env))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(ContractCheck.actor, ContractCheck.name, ContractCheck.status, ContractCheck.breaking)
                .order_by(ContractCheck.id)
            ).all()  # fmt: skip
    finally:
        engine.dispose()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_our_models_match_what_the_providers_publish(home: Home) -> None:
    done = check(home, home.ours)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["civil_registry", "ok"], ["address_bureau", "ok"], ["pin_search", "ok"], ["tax", "ok"],
    ]  # fmt: skip
    assert "SERVICE:central-server/GOV/70000005/zags-service/zagsDataByPin" in lines[0]


def test_a_changed_contract_is_a_drift_naming_what_breaks(home: Home) -> None:
    before = len(recorded(home))
    done = check(home, home.drifted, "--format", "json")
    assert done.returncode == 1
    assert "sanarip-hub: error: civil_registry drift; pin_search drift; tax drift" in done.stderr
    found = as_json(done.stdout)
    assert {name: record["status"] for name, record in found.items()} == {
        "civil_registry": "drift", "address_bureau": "ok", "pin_search": "drift", "tax": "drift",
    }  # fmt: skip
    assert differences(found["civil_registry"]) == {
        ("request", "datetimeFormat", "required", True),  # we may leave it out; it now needs it
        ("response", "deathDate", "missing", True),  # deaths would silently stop being compared
        ("response", "dateOfDeath", "added", False),
        ("response", "photo", "added", False),  # a field we do not read breaks nothing
    }
    assert differences(found["pin_search"]) == {("service", "zagsPinsByNSPDate", "not offered", True)}
    assert differences(found["tax"]) == {
        ("request", "inn", "missing", True),
        ("request", "TIN", "added", True),
    }
    tin = next(d for d in found["tax"]["differences"] if d["path"] == "TIN")
    assert (tin["ours"], tin["theirs"]) == ("", "string [1..1]")
    after = recorded(home)[before:]
    assert after == [
        ("cli", "civil_registry", "drift", 2), ("cli", "address_bureau", "ok", 0),
        ("cli", "pin_search", "drift", 1), ("cli", "tax", "drift", 2),
    ]  # fmt: skip

    table = check(home, home.drifted, "--service", "tax")
    assert table.returncode == 1
    assert "BREAKING   request inn: missing (ours string [1..1], theirs —)" in table.stdout
    assert "sanarip-hub: error: tax drift" in table.stderr


def test_a_security_server_that_does_not_answer_is_no_silent_pass(home: Home) -> None:
    dead = f"http://127.0.0.1:{free_port()}/"
    done = check(home, dead, "--format", "json")
    assert done.returncode == 1
    found = as_json(done.stdout)
    assert {record["status"] for record in found.values()} == {"unreachable"}
    assert (
        "listMethods of SUBSYSTEM:central-server/GOV/70000005/zags-service"
        in found["civil_registry"]["error"]
    )


def test_the_scheduler_checks_first_and_skips_a_drifted_source_when_told(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanarip_hub.entrypoints.jobs import run_scheduled
    from sync_jobs.scheduler import CONTRACTS_CHECK

    for name, value in {**home.env, "SANARIP_HUB_XROAD_SECURITY_SERVER_URL": home.drifted}.items():
        monkeypatch.setenv(name, value)
    before = len(recorded(home))
    run_scheduled(CONTRACTS_CHECK)
    assert [row[:3] for row in recorded(home)[before:]] == [
        ("scheduler", "civil_registry", "drift"), ("scheduler", "address_bureau", "ok"),
        ("scheduler", "pin_search", "drift"), ("scheduler", "tax", "drift"),
    ]  # fmt: skip

    def tax_runs() -> int:
        engine = make_engine(load_settings(environ=home.env))
        try:
            with engine.connect() as connection:
                query = select(func.count()).select_from(SyncRun).where(SyncRun.source == SyncSource.TAX)
                return int(connection.execute(query).scalar_one())
        finally:
            engine.dispose()

    runs = tax_runs()
    monkeypatch.setenv("SANARIP_HUB_SCHEDULE_SKIP_DRIFTED", "true")
    run_scheduled(SyncSource.TAX.value)
    assert tax_runs() == runs  # skipped: a drifted contract would flag a night of false mismatches
    monkeypatch.setenv("SANARIP_HUB_SCHEDULE_SKIP_DRIFTED", "false")
    run_scheduled(SyncSource.TAX.value)  # not told to skip: the run goes ahead (the request is ours)
    assert tax_runs() == runs + 1


def test_the_dashboard_and_metrics_show_the_drift(home: Home) -> None:
    check(home, home.drifted)
    password = "operator-pass-2026"
    run_hub_input(home.env, password, "users", "add", "op-contracts", "--role", "operator")
    port = free_port()
    process = start_server(home.env, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process)
        metrics = httpx.get(f"{url}/metrics", timeout=20).text
        assert 'sanarip_contract_drift{service="civil_registry"} 1.0' in metrics
        assert 'sanarip_contract_drift{service="address_bureau"} 0.0' in metrics
        assert 'sanarip_contract_breaking_differences{service="tax"} 2.0' in metrics
        assert 'sanarip_contract_status{service="pin_search",status="drift"} 1.0' in metrics
        english = {"Accept-Language": "en"}
        with httpx.Client(base_url=f"{url}/console", timeout=30, headers=english) as client:
            page = client.get("/login")
            signed = client.post(
                "/login", data={"csrf": csrf_of(page.text), "username": "op-contracts", "password": password}
            )
            assert signed.status_code == 303
            board = client.get("/operator").text
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert 'id="contract-civil_registry">DRIFTED' in board
    assert 'id="contract-address_bureau">matches our model' in board
    assert "response deathDate: missing (ours date [0..1], theirs —)" in board
