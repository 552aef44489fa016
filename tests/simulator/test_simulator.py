"""The registry simulators as a consumer sees them: a real provider on loopback, called with zeep
from our model WSDLs, answering with the labelled discrepancies of --truth, and injecting faults."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import zeep
from zeep.exceptions import Fault

from adapters.xroad.wsdl import WSDL_DIR
from mappings.address_codes import read_crosswalk
from sanarip_hub.entrypoints.jobs import DEFAULT_CROSSWALK
from tests.producer.conftest import HUB, free_port, prepared_home, run_hub

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

HUB_CLIENT = {
    "objectType": "SUBSYSTEM", "xRoadInstance": "central-server", "memberClass": "GOV",
    "memberCode": "70000050", "subsystemCode": "sanaripaymak-service",
}  # fmt: skip


@dataclass
class Simulator:
    url: str
    truth: list[dict[str, Any]]
    process: subprocess.Popen[bytes]


def launch(env: dict[str, str], truth: Path, *extra: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    crosswalk = Path(env["SANARIP_HUB_HOME"]) / DEFAULT_CROSSWALK  # where the hub reads it
    log = (Path(env["SANARIP_HUB_HOME"]) / "simulator.log").open("ab")
    process = subprocess.Popen(
        [*HUB, "simulate", "--port", str(port), "--truth", str(truth), "--crosswalk", str(crosswalk), *extra],
        env={**os.environ, **env},
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return url, process
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("simulator did not start")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return prepared_home("sqlite", tmp_path_factory.mktemp("simulator"))


@pytest.fixture(scope="module")
def simulator(home: dict[str, str]) -> Iterator[Simulator]:
    truth = Path(home["SANARIP_HUB_HOME"]) / "truth.jsonl"
    url, process = launch(home, truth, "--discrepancy-rate", "0.5", "--seed", "9")
    labels = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    try:
        yield Simulator(url, labels, process)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_simulate_says_the_setting_that_points_the_hub_at_it(
    simulator: Simulator, home: dict[str, str]
) -> None:
    """An operator starting ``simulate`` is told which setting to change, in both spellings."""
    said = (Path(home["SANARIP_HUB_HOME"]) / "simulator.log").read_text(encoding="utf-8")
    assert f'[xroad] security_server_url = "{simulator.url}/"' in said
    assert f"SANARIP_HUB_XROAD_SECURITY_SERVER_URL={simulator.url}/" in said


def client(url: str, wsdl: str) -> Any:
    zeep_client = zeep.Client(str(WSDL_DIR / wsdl))
    binding = next(iter(zeep_client.wsdl.bindings))
    return zeep_client.create_service(binding, f"{url}/")


def headers(member: str, subsystem: str, code: str) -> dict[str, Any]:
    return {
        "client": HUB_CLIENT,
        "service": {
            "objectType": "SERVICE",
            "xRoadInstance": "central-server",
            "memberClass": "GOV",
            "memberCode": member,
            "subsystemCode": subsystem,
            "serviceCode": code,
            "serviceVersion": "v1",
        },
        "id": "sim-1",
        "userId": "reconciliation",
        "issue": "nightly",
        "protocolVersion": "4.0",
    }


def label(simulator: Simulator, kind: str) -> dict[str, Any]:
    return next(item for item in simulator.truth if item["kind"] == kind)


def test_truth_labels_have_pin_and_field_and_cover_every_kind(simulator: Simulator) -> None:
    kinds = {item["kind"] for item in simulator.truth}
    by_pin = {
        "birth_date_typo", "surname_changed", "deceased", "pin_blocked", "pin_unknown", "pin_duplicate",
        "moved_away", "business_registered", "registry_refusal",
    }  # fmt: skip
    # people the book has no PIN for (0.2 % of a seed) are labelled with the PIN the registry finds
    assert by_pin <= kinds <= by_pin | {"pin_found", "pin_namesakes"}
    assert all(item["pin"] and item["field"] for item in simulator.truth)
    assert {item["kind"] for item in simulator.truth if not item["flag"]} == {"registry_refusal"}


def test_a_refusal_comes_in_the_body_of_zags_data_by_pin(simulator: Simulator) -> None:
    """FACTS §2.3: faultcode and faultstring among the answer's fields, HTTP 200, no SOAP fault."""
    zags = client(simulator.url, "zags-service.wsdl")
    refusal = label(simulator, "registry_refusal")
    reply = zags.zagsDataByPin(
        pin=refusal["pin"], _soapheaders=headers("70000005", "zags-service", "zagsDataByPin")
    )
    assert reply.body.faultcode == refusal["registry_value"]
    assert reply.body.faultstring
    assert reply.body.pin is None


def test_the_civil_registry_answers_with_the_injected_differences(simulator: Simulator) -> None:
    zags = client(simulator.url, "zags-service.wsdl")
    typo = label(simulator, "birth_date_typo")
    reply = zags.zagsDataByPin(
        pin=typo["pin"], _soapheaders=headers("70000005", "zags-service", "zagsDataByPin")
    )
    assert reply.header.id == "sim-1"
    assert reply.body.dateOfBirth.isoformat() == typo["registry_value"] != typo["hub_value"]
    unknown = label(simulator, "pin_unknown")
    reply = zags.zagsDataByPin(
        pin=unknown["pin"], _soapheaders=headers("70000005", "zags-service", "zagsDataByPin")
    )
    assert reply.body.pin is None
    deceased = label(simulator, "deceased")
    reply = zags.zagsDataByPin(
        pin=deceased["pin"], _soapheaders=headers("70000005", "zags-service", "zagsDataByPin")
    )
    assert reply.body.deathDate.isoformat() == deceased["registry_value"]
    duplicate = label(simulator, "pin_duplicate")  # asked by an old PIN, answered with the valid one
    reply = zags.zagsDataByPin(
        pin=duplicate["pin"], _soapheaders=headers("70000005", "zags-service", "zagsDataByPin")
    )
    assert reply.body.pin == duplicate["registry_value"] != duplicate["pin"]
    assert reply.body.pin[:9] == duplicate["pin"][:9]  # same gender and birth date, another serial


def test_new_businesses_only_in_low_income_families(home: dict[str, str], simulator: Simulator) -> None:
    from sqlalchemy import select

    from sanarip_hub.config import load_settings
    from sanarip_hub.storage.engine import make_engine
    from sanarip_hub.storage.models import Person
    from sanarip_hub.storage.models.social_passport import LOW_INCOME_MEMBERS

    engine = make_engine(load_settings(environ=home))
    with engine.connect() as connection:
        low_income = set(connection.scalars(select(Person.pin).where(Person.id.in_(LOW_INCOME_MEMBERS))))
    engine.dispose()
    business = {item["pin"] for item in simulator.truth if item["kind"] == "business_registered"}
    assert business
    assert business <= low_income


def test_the_address_bureau_and_the_tax_service(home: dict[str, str], simulator: Simulator) -> None:
    asb = client(simulator.url, "asb-service.wsdl")
    moved = label(simulator, "moved_away")
    reply = asb.asbAddress(pin=moved["pin"], _soapheaders=headers("70000005", "asb-service", "asbAddress"))
    code = reply.body.addressArray.code
    assert code != moved["registry_value"]  # the bureau's own code, not the СОАТЕ code the label has
    assert read_crosswalk(Path(home["SANARIP_HUB_HOME"]) / DEFAULT_CROSSWALK)[code] == moved["registry_value"]
    gns = client(simulator.url, "gns-service.wsdl")
    business = label(simulator, "business_registered")
    code = "tpDataByINNforBusinessActivity"
    reply = gns.tpDataByINNforBusinessActivity(
        inn=business["pin"], _soapheaders=headers("70000002", "gns-service", code)
    )
    assert business["pin"] == reply.body.TIN
    quiet = label(simulator, "moved_away")["pin"]
    reply = gns.tpDataByINNforBusinessActivity(
        inn=quiet, _soapheaders=headers("70000002", "gns-service", code)
    )
    assert reply.body.TIN is None


def test_the_same_seed_gives_the_same_truth(home: dict[str, str], simulator: Simulator) -> None:
    truth = Path(home["SANARIP_HUB_HOME"]) / "truth-again.jsonl"
    _url, process = launch(home, truth, "--discrepancy-rate", "0.5", "--seed", "9")
    process.terminate()
    process.wait(timeout=20)
    assert [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()] == simulator.truth


def test_injected_faults_in_both_code_spellings_and_http_500(home: dict[str, str], tmp_path: Path) -> None:
    for spec, expected in (
        ("fault=Server.ServerProxy.ServiceFailed@1", "Server.ServerProxy.ServiceFailed"),
        ("fault=server.serverproxy.service_failed@1", "server.serverproxy.service_failed"),
    ):
        url, process = launch(home, tmp_path / "t.jsonl", "--faults", spec)
        try:
            zags = client(url, "zags-service.wsdl")
            with pytest.raises(Fault) as caught:
                zags.zagsDataByPin(
                    pin="21212199999999", _soapheaders=headers("70000005", "zags-service", "zagsDataByPin")
                )
            assert caught.value.code == expected
        finally:
            process.terminate()
            process.wait(timeout=20)
    url, process = launch(home, tmp_path / "t.jsonl", "--faults", "http500@1")
    try:
        assert httpx.post(f"{url}/", content=b"<x/>").status_code == 500
    finally:
        process.terminate()
        process.wait(timeout=20)
    bad = run_hub(home, "simulate", "--port", "1", "--faults", "explode@1", check=False)
    assert bad.returncode == 2
    assert "unknown fault kind 'explode'" in bad.stderr


def test_simulate_says_how_to_point_the_hub_at_it(home: dict[str, str], simulator: Simulator) -> None:
    said = (Path(home["SANARIP_HUB_HOME"]) / "simulator.log").read_text(encoding="utf-8")
    assert f"SANARIP_HUB_XROAD_SECURITY_SERVER_URL={simulator.url}/" in said
    assert f'[xroad] security_server_url = "{simulator.url}/"' in said
    assert "the address bureau's crosswalk (" in said


def test_xroad_call_reads_the_wsdl_through_getwsdl_and_ledgers_the_call(
    home: dict[str, str], simulator: Simulator
) -> None:
    """The operator's tool for a service the hub does not model: the WSDL from the provider's
    getWsdl metaservice (through the security server), zeep's call, the answer as JSON, a ledger
    entry naming the operator; an unknown service is one clear error."""
    from sqlalchemy import select

    from sanarip_hub.config import load_settings
    from sanarip_hub.storage.engine import make_engine
    from sanarip_hub.storage.models import LedgerEntryRow

    typo = label(simulator, "birth_date_typo")
    env = {**home, "SANARIP_HUB_XROAD_SECURITY_SERVER_URL": f"{simulator.url}/"}
    zags = "central-server/GOV/70000005/zags-service/zagsDataByPin"
    done = run_hub(env, "xroad", "call", zags, "--param", f"pin={typo['pin']}", "--user-id", "op-1")
    answer = json.loads(done.stdout)
    assert (answer["pin"], answer["dateOfBirth"]) == (typo["pin"], typo["registry_value"])
    engine = make_engine(load_settings(environ={**os.environ, **env}))
    try:
        with engine.connect() as connection:
            entries = connection.execute(
                select(LedgerEntryRow.channel, LedgerEntryRow.user_id, LedgerEntryRow.outcome).where(
                    LedgerEntryRow.service_id == f"SERVICE:{zags}"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(entry) for entry in entries] == [("operator", "op-1", "ok")]

    missing = run_hub(env, "xroad", "call", "central-server/GOV/70000005/zags-service/noSuch", check=False)
    assert missing.returncode == 1
    assert "sanarip-hub: error: the security server at" in missing.stderr
    assert "gave no WSDL for SERVICE:central-server/GOV/70000005/zags-service/noSuch" in missing.stderr
    assert "no WSDL for service 'noSuch'" in missing.stderr
    bad = run_hub(env, "xroad", "call", zags, "--param", "pin", check=False)
    assert bad.returncode == 2
    assert "'pin' is not NAME=VALUE" in bad.stderr
