"""A real producer on loopback: seeded hub database, keys, agreements, ``sanarip-hub serve``.

One server per back end per test process (xdist worker), shared by the producer tests; agreements
are cached for 0 s so a test's agreement changes apply to its next call.  Tests that count ledger
entries read them from the database the server writes to.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select, text

from adapters.xroad.envelope import request_envelope
from sanarip_hub.config import Settings, load_settings
from sanarip_hub.domain.hub_contract import NAMESPACE
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.producer.agreements import AgreementSpec, store
from sanarip_hub.storage.agreements import AgreementTable
from sanarip_hub.storage.engine import make_engine
from sanarip_hub.storage.models import LedgerEntryRow
from tests.conftest import BACKENDS, XROAD_DATA, drop_schema, hub_environment

HUB = [sys.executable, "-m", "sanarip_hub"]
PROVIDER = "SUBSYSTEM:central-server/GOV/70000050/sanaripaymak-service"
SF = "SUBSYSTEM:central-server/GOV/70000003/sf-personal-data"
NSC = "SUBSYSTEM:central-server/GOV/70000010/nsc-stat"
PDP = "SUBSYSTEM:central-server/GOV/70000030/pdp-oversight"
PERSONAL = ["householdByPin", "familyComposition", "socialPassportByPin", "landQueuePosition", "findUsage"]
CERTIFICATES = [
    "residenceCertificate",
    "householdPlotCertificate",
    "lowIncomeCertificate",
    "landQueueCertificate",
]
AGGREGATE = ["statAggregates", "lsgPassport", "municipalPropertyList", "municipalPropertyByEni"]
REST = ["address-fact", "family-members"]
SHARED_PARAMS = Path(__file__).resolve().parents[2] / "sanarip_hub" / "producer" / "demo_shared_params.xml"
FIXTURES = XROAD_DATA


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_hub(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*HUB, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"sanarip-hub {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode} (see server.log)")
        try:
            if httpx.get(f"{url}/healthz", timeout=1, verify=False).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


@dataclass
class Served:
    """A running producer and what tests need to talk to it and inspect what it stored."""

    backend: str
    url: str
    env: dict[str, str]
    settings: Settings
    engine: Engine
    process: subprocess.Popen[bytes]

    def ledger_size(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(LedgerEntryRow)).scalar_one())

    def last_entries(self, n: int = 1) -> list[Any]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(LedgerEntryRow).order_by(LedgerEntryRow.seq.desc()).limit(n))
            return list(rows)

    def pins(self, where: str = "", limit: int = 5) -> list[str]:
        """PINs of living people in a current household (``where`` narrows it further)."""
        query = (
            "select p.pin from person p join household_member m on m.person_id = p.id "
            "join household h on h.id = m.household_id "
            f"where p.pin is not null and m.member_to is null and h.closed_at is null {where} "
            "order by p.id limit :n"
        )
        with self.engine.connect() as connection:
            return [row[0] for row in connection.execute(text(query), {"n": limit})]

    def signing_cert(self, soate: str | None) -> bytes:
        """The X.509 certificate (PEM) that signs the certificates of the LSG body ``soate``: its
        own in ``[certificates] keys_dir`` once ``keys certificate --lsg`` made one, else the hub's."""
        own = self.settings.home_path(self.settings.certificates.keys_dir) / f"{soate}.crt"
        if soate and own.exists():
            return own.read_bytes()
        return self.settings.home_path(self.settings.producer.certificate_cert).read_bytes()

    def agree(self, number: str, client: str, services: list[str], **terms: Any) -> None:
        raw = {"number": number, "client": client, "services": services, "purpose": "test", **terms}
        raw.setdefault("valid_from", __import__("datetime").date(2026, 1, 1))
        store(AgreementTable(self.engine), [AgreementSpec.from_mapping(raw)])

    def alive(self) -> None:
        """The server still answers a normal call (after hostile input)."""
        assert self.process.poll() is None, "the server process died"
        assert httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200


def start_server(env: dict[str, str], port: int, *extra: str) -> subprocess.Popen[bytes]:
    """``sanarip-hub serve`` in the background; its log goes to ``server.log`` in the hub home."""
    log = (Path(env["SANARIP_HUB_HOME"]) / "server.log").open("ab")
    return subprocess.Popen(
        [*HUB, "serve", "--port", str(port), *extra], env={**os.environ, **env}, stdout=log, stderr=log
    )


def prepared_home(backend: str, home: Path) -> dict[str, str]:
    """A seeded, keyed hub home with the standard test agreements."""
    env = hub_environment(backend, home)
    env["SANARIP_HUB_PRODUCER_AGREEMENT_CACHE_SECONDS"] = "0"
    env["SANARIP_HUB_HUB_LOG_FORMAT"] = "json"
    env["SANARIP_HUB_XROAD_SHARED_PARAMS"] = str(SHARED_PARAMS)
    run_hub(env, "db", "upgrade")
    run_hub(env, "seed", "--households", "120", "--lsg", "2", "--seed", "7")
    run_hub(env, "keys", "init")
    return env


@contextmanager
def own_server(
    backend: str,
    home: Path,
    env: dict[str, str] | None = None,
    prepare: Callable[[Served], None] | None = None,
) -> Iterator[Served]:
    """A producer of a test module's own (seeded, keyed; ``env`` added to its environment;
    ``prepare`` run before it starts), stopped and its PostgreSQL schema dropped afterwards."""
    environment = prepared_home(backend, home) | (env or {})
    settings = load_settings(environ=environment)
    engine = make_engine(settings)
    served = Served(backend, "", environment, settings, engine, None)  # type: ignore[arg-type]
    process = None
    try:
        if prepare is not None:
            prepare(served)
        port = free_port()
        served.url, served.process = f"http://127.0.0.1:{port}", (process := start_server(environment, port))
        wait_until_serving(served.url, process)
        yield served
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
        engine.dispose()
        if backend == "postgresql":
            drop_schema(settings.database.schema)


def standard_agreements(served: Served) -> None:
    served.agree("SA-TEST-SF", SF, [*PERSONAL, *REST, *CERTIFICATES, "verifyCertificate"])
    served.agree("SA-TEST-NSC", NSC, AGGREGATE, statistics=True)
    served.agree("SA-TEST-PDP", PDP, ["findUsage"], oversight=True)


@pytest.fixture(scope="session", params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    backend = str(request.param)
    with own_server(
        backend, tmp_path_factory.mktemp(f"producer-{backend}"), prepare=standard_agreements
    ) as server:
        yield server


def envelope(
    service_code: str,
    body: str,
    *,
    client: str = SF,
    user_id: str | None = "KG-OFFICIAL-7",
    issue: str | None = "case-2026-15",
    message_id: str | None = None,
    version: str | None = "v1",
    provider: str = PROVIDER,
    protocol: str = "4.0",
    extra_headers: str = "",
) -> bytes:
    """A request as a security server would forward it (our own, not zeep's, serialisation)."""
    return request_envelope(
        ClientId.parse(client),
        ServiceId(ClientId.parse(provider), service_code, version),
        body,
        message_id=message_id,
        user_id=user_id,
        issue=issue,
        protocol_version=protocol,
        extra_headers=extra_headers,
        body_namespace=NAMESPACE,
    )


def pin_body(service_code: str, pin: str) -> str:
    return f"<sa:{service_code}><sa:pin>{pin}</sa:pin></sa:{service_code}>"


def stat_body(indicator: str, soate: str) -> str:
    return (
        f"<sa:statAggregates><sa:indicator>{indicator}</sa:indicator>"
        f"<sa:soate>{soate}</sa:soate></sa:statAggregates>"
    )


def post(served: Served, data: bytes, content_type: str = "text/xml; charset=UTF-8") -> httpx.Response:
    return httpx.post(f"{served.url}/xroad", content=data, headers={"content-type": content_type}, timeout=60)


def fault_code(response: httpx.Response) -> str | None:
    from lxml import etree

    root = etree.fromstring(response.content)
    code = root.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault/faultcode")
    return None if code is None else code.text


@pytest.fixture
def deceased(served: Served) -> Iterator[tuple[str, str]]:
    """(a living member's PIN, the PIN of a member of the same household who died), restored after."""
    query = text(
        "select p.pin, kin.pin as kin_pin, kin.id as kin_id from person p "
        "join household_member m on m.person_id = p.id join household h on h.id = m.household_id "
        "join household_member km on km.household_id = h.id and km.person_id <> p.id "
        "join person kin on kin.id = km.person_id "
        "where p.pin is not null and kin.pin is not null and m.member_to is null and km.member_to is null "
        "and h.closed_at is null and p.death_date is null and kin.death_date is null "
        "and m.relation_to_head = 'head' order by p.id limit 1"
    )
    with served.engine.begin() as connection:
        row = connection.execute(query).one()
        connection.execute(
            text("update person set death_date = '2026-01-15' where id = :i"), {"i": row.kin_id}
        )
    try:
        yield row.pin, row.kin_pin
    finally:
        with served.engine.begin() as connection:
            connection.execute(text("update person set death_date = null where id = :i"), {"i": row.kin_id})
