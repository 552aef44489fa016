"""The main job of ``make demo``: migrate, seed a small country once, print a summary, then show the
producer, a reconciliation and the console working (each a real process on loopback)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from adapters.xroad import envelope
from sanarip_hub.entrypoints.environment import environment
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.seed import run_seed
from sanarip_hub.storage import migrate
from sanarip_hub.storage.agreements import AgreementTable
from sanarip_hub.storage.engine import safe_url
from sanarip_hub.storage.inventory import household_count, table_counts
from sanarip_hub.storage.mismatches import busiest_lsg, mismatch_counts
from sanarip_hub.storage.people import pin_in_a_current_household


def run_demo(
    hub: Hub, households: int, lsg_count: int, seed_value: int, no_producer: bool, keep_serving: bool = False
) -> None:
    """Upgrade the database, seed it if it is empty, print what it holds, then start the X-Road
    producer with demo agreements and show a sample SOAP and REST call."""
    migrate.upgrade(hub.engine)
    click.echo(f"database: {safe_url(hub.engine.url)} (revision {migrate.current_revision(hub.engine)})")
    if household_count(hub.engine) == 0:
        run_seed(hub, households, min(lsg_count, households), seed_value, append=False)
    else:
        click.echo("database already seeded; leaving it as it is")
    table = Table(title="Sanarip Hub database", show_lines=False)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in table_counts(hub.engine).items():
        table.add_row(name, f"{count:,}")
    Console(width=100).print(table)
    if not no_producer:
        show_producer(hub)
        show_reconciliation(hub)
        show_console(hub, keep_serving)


DEMO_CLIENT = "SUBSYSTEM:central-server/GOV/70000003/sf-personal-data"
DEMO_PORTAL = "SUBSYSTEM:central-server/GOV/70000011/state-services-portal"
DEMO_AGREEMENTS = Path(__file__).resolve().parents[1] / "producer" / "demo_agreements.toml"
DEMO_SHARED_PARAMS = DEMO_AGREEMENTS.with_name("demo_shared_params.xml")


def _ensure_keys(hub: Hub) -> None:
    from adapters.xroad.certificate import certificate_paths, init_certificate
    from sanarip_hub.ledger.keys import init_keys, key_paths

    if not all(path.exists() for path in key_paths(hub.settings)):
        init_keys(hub.settings)
        click.echo("ledger keys created (sanarip-hub keys init)")
    if not all(path.exists() for path in certificate_paths(hub.settings)):
        init_certificate(hub.settings)
        click.echo("development certificate-signing key created")


def _free_port(preferred: int) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


def _start_hub_process(hub: Hub, args: list[str], base: str, what: str) -> subprocess.Popen[bytes]:
    """``sanarip-hub ARGS`` in the background, returned once ``BASE/healthz`` answers."""
    env = dict(environment())
    if hub.config_file:
        env["SANARIP_HUB_CONFIG"] = os.path.abspath(hub.config_file)
    if hub.settings.xroad.shared_params is None:  # member names for the demo's Tunduk bodies
        env["SANARIP_HUB_XROAD_SHARED_PARAMS"] = str(DEMO_SHARED_PARAMS)
    process = subprocess.Popen(
        [sys.executable, "-m", "sanarip_hub", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if _http(f"{base}/healthz")[0] == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.terminate()
            raise click.ClickException(f"the {what} did not start (run 'sanarip-hub {args[0]}' to see why)")
        time.sleep(0.2)


def _warn_of_ending_agreements(hub: Hub, within_days: int = 31) -> None:
    """Name each demo agreement in force that ends within the month: its terms never change in place,
    so the demo cannot quietly extend it (revoke it and import a renewed file)."""
    from datetime import timedelta

    from sanarip_hub.producer.agreements import hub_today, is_active, read_import_file

    today = hub_today(hub.settings.hub.timezone)
    numbers = {spec.number for spec in read_import_file(DEMO_AGREEMENTS)}
    for row in AgreementTable(hub.engine).rows():
        ends = row.valid_to
        if row.number in numbers and is_active(row, today) and ends and ends < today + timedelta(within_days):
            click.echo(f"warning: demo agreement {row.number} ends on {ends.isoformat()}")


def show_producer(hub: Hub) -> None:
    """Import the demo agreements, serve on loopback, make one SOAP and one REST call, stop."""
    from adapters.xroad.certificate import CERTIFICATE_NS
    from adapters.xroad.envelope import request_envelope
    from sanarip_hub.domain.hub_contract import NAMESPACE
    from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
    from sanarip_hub.producer.agreements import read_import_file, store

    _ensure_keys(hub)
    added, unchanged = store(AgreementTable(hub.engine), read_import_file(DEMO_AGREEMENTS))
    click.echo(f"demo agreements: {added} added, {unchanged} already present (sanarip-hub agreements list)")
    _warn_of_ending_agreements(hub)
    pin = pin_in_a_current_household(hub.engine)
    if pin is None:
        raise click.ClickException("the database holds nobody in a current household")
    port = _free_port(hub.settings.producer.port)
    base = f"http://127.0.0.1:{port}"
    server = _start_hub_process(hub, ["serve", "--host", "127.0.0.1", "--port", str(port)], base, "producer")
    try:
        provider = ClientId.parse(hub.settings.xroad.subsystem)

        def soap(code: str, client: str = DEMO_CLIENT, user_id: str = "KG-DEMO-OFFICIAL",
                 issue: str = "demo-case-1") -> tuple[int, bytes]:  # fmt: skip
            request = request_envelope(
                ClientId.parse(client),
                ServiceId(provider, code, "v1"),
                envelope.request_body(code, {"pin": pin}),
                user_id=user_id,
                issue=issue,
                body_namespace=NAMESPACE,
            )
            return _http(f"{base}/xroad", request, {"Content-Type": "text/xml; charset=UTF-8"})

        status, answer = soap("householdByPin")
        pretty = envelope.pretty(answer)
        click.echo(f"\nproducer: {base}/xroad  (WSDL {base}/xroad?wsdl)")
        click.echo(f"SOAP householdByPin for PIN {pin} as {DEMO_CLIENT} → HTTP {status}:")
        click.echo("\n".join(pretty.splitlines()[:40]) + ("\n  …" if len(pretty.splitlines()) > 40 else ""))
        rest_headers = {
            "X-Road-Client": ClientId.parse(DEMO_CLIENT).rest_header(),
            "X-Road-Id": "demo-rest-1",
            "X-Road-UserId": "KG-DEMO-OFFICIAL",
            "X-Road-Issue": "demo-case-1",
        }
        status, answer = _http(f"{base}/rest/family-members/{pin}", None, rest_headers)
        click.echo(f"\nREST GET /rest/family-members/{pin} → HTTP {status}; the same call by hand:")
        spelled = " ".join(f"-H '{name}: {value}'" for name, value in rest_headers.items())
        click.echo(f"  curl {spelled} {base}/rest/family-members/{pin}")
        click.echo(answer.decode("utf-8")[:600])
        status, answer = soap("residenceCertificate")
        for issued in envelope.records(answer, f"{{{CERTIFICATE_NS}}}residenceCertificate"):
            click.echo(
                f"\nSOAP residenceCertificate for PIN {pin} → HTTP {status}: certificate {issued['number']}, "
                f"valid until {issued['validUntil']}, signed (XAdES)\n"
                f"  its printable copy: sanarip-hub certificates pdf {issued['number']} certificate.pdf"
            )
        # the portal acts for the person: their own usage report
        status, answer = soap("findUsage", DEMO_PORTAL, f"KG{pin}", "my-data")
        click.echo(f"\nSOAP findUsage for PIN {pin} as the person, through {DEMO_PORTAL} → HTTP {status}:")
        for line in envelope.records(answer, f"{{{NAMESPACE}}}usage"):
            click.echo(
                f"  {line.get('time') or line.get('date')}  {line.get('clientName') or line.get('client')}"
                f"  {line.get('service')}  {line.get('outcome')}  ({line.get('purpose')})"
            )
        click.echo(
            f"\nboth calls are in the access ledger: sanarip-hub ledger usage --pin {pin}\n"
            "keep the producer running with: sanarip-hub serve"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


DEMO_FAULTS = "latency=0.01@0.05,fault=Server.ServerProxy.ServiceFailed@0.01"
DEMO_SYNC_LIMIT = 1500  # people per job in the demo (the whole register: sanarip-hub sync run …)


def show_reconciliation(hub: Hub) -> None:
    """Start the registry simulator, run both reconciliation jobs against it, summarise the flags."""

    from sanarip_hub.domain.codes import SyncSource
    from sanarip_hub.entrypoints.jobs import DEFAULT_CROSSWALK, checker_for
    from sanarip_hub.ledger.store import Ledger
    from sanarip_hub.storage.sync_runs import SyncRunTable
    from sync_jobs.reconcile import run_sync

    port = _free_port(8081)
    base = f"http://127.0.0.1:{port}"
    truth = hub.settings.hub.home / "demo-truth.jsonl"
    simulator = _start_hub_process(
        hub,
        ["simulate", "--port", str(port), "--seed", "2026", "--discrepancy-rate", "0.05",
         "--faults", DEMO_FAULTS, "--truth", str(truth),
         "--crosswalk", str(hub.settings.hub.home / DEFAULT_CROSSWALK)],
        base,
        "registry simulator",
    )  # fmt: skip
    try:
        click.echo(
            f"\nregistry simulator (civil registry + tax service): {base}/ — first {DEMO_SYNC_LIMIT} people"
        )
        settings = hub.settings
        ledger = Ledger.for_settings(hub.engine, settings)
        routed = replace(settings, xroad=replace(settings.xroad, security_server_url=base))

        for source in (SyncSource.CIVIL_REGISTRY, SyncSource.TAX):
            checker = checker_for(routed, source)
            report = run_sync(
                SyncRunTable(hub.engine),
                ledger,
                checker,
                limit=DEMO_SYNC_LIMIT,
                concurrency=settings.limits.sync_concurrency,
                chunk=settings.limits.sync_chunk,
            )
            click.echo(
                f"sync {source.value}: checked {report.checked}, matched {report.matched}, "
                f"mismatched {report.mismatched}, failed {report.failed}, new flags {report.new_flags}, "
                f"{report.duration_ms / 1000:.1f} s"
            )
        counts = mismatch_counts(hub.engine)
        table = Table(title="Mismatches flagged for actualization", show_lines=False)
        for column in ("source", "field", "status", "count"):
            table.add_column(column, justify="right" if column == "count" else "left")
        for (source_name, field, status), count in sorted(counts.items()):
            table.add_row(str(source_name), field, str(status), f"{count:,}")
        Console(width=100).print(table)
        click.echo(
            f"ground truth of the injected discrepancies: {truth}\nreview them: sanarip-hub mismatches list"
        )
    finally:
        simulator.terminate()
        simulator.wait(timeout=30)


DEMO_USERS = (
    ("demo-operator", "operator"),
    ("demo-auditor", "auditor"),
    ("demo-lsg", "lsg_user"),
    ("demo-admin", "administrator"),
    ("demo-owner", "owner"),
)


def show_console(hub: Hub, keep_serving: bool = False) -> None:
    """Demo accounts for each console role (fresh passwords each run), each signed in once; then,
    with ``keep_serving``, the same server goes on serving until Ctrl-C, so the URL and the logins
    just printed work."""
    import http.cookiejar
    import re
    import secrets
    import urllib.parse

    from sanarip_hub.console.accounts import add_user, set_password
    from sanarip_hub.domain.codes import ConsoleRole
    from sanarip_hub.errors import AccountError
    from sanarip_hub.storage.console_users import ConsoleUserTable

    busiest = busiest_lsg(hub.engine)
    users = ConsoleUserTable(hub.engine)
    logins = []
    for username, role in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        try:
            add_user(users, username, password, ConsoleRole(role), busiest if role == "lsg_user" else None)
        except AccountError:
            set_password(users, username, password)  # a rerun: same account, new password
        logins.append((username, role, password))
    port = _free_port(hub.settings.producer.port)
    base = f"http://127.0.0.1:{port}"
    server = _start_hub_process(hub, ["serve", "--host", "127.0.0.1", "--port", str(port)], base, "console")
    try:
        table = Table(title=f"Console: {base}/console/ (sanarip-hub serve)", show_lines=False)
        for column in ("role", "user", "password", "signed in"):
            table.add_column(column)
        for username, role, password in logins:
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            page = opener.open(f"{base}/console/login", timeout=10).read().decode()
            token = re.search(r'name="csrf" value="([^"]+)"', page)
            form = urllib.parse.urlencode(
                {"csrf": token.group(1) if token else "", "username": username, "password": password}
            ).encode()
            landed = opener.open(f"{base}/console/login", data=form, timeout=30)
            table.add_row(
                role, username, password, f"HTTP {landed.status} {urllib.parse.urlsplit(landed.url).path}"
            )
        Console(width=110).print(table)
        if hub.settings.console.second_factor_roles:
            click.echo(
                f"{', '.join(hub.settings.console.second_factor_roles)}: after the password, the console "
                "shows a key to add to an authenticator app (FreeOTP, Aegis, Google Authenticator), "
                "then asks for its one-time code"
            )
        if keep_serving:
            click.echo(
                f"serving the console at {base}/console/ and the X-Road producer at {base}/xroad "
                "until Ctrl-C (the demo passwords change on every `make demo`)"
            )
            try:
                code = server.wait()
            except KeyboardInterrupt:
                click.echo("demo stopped")
            else:
                raise click.ClickException(f"the hub stopped by itself (exit status {code})")
        else:
            click.echo(
                "the demo passwords change on every `make demo`; keep the console running with: "
                f"sanarip-hub serve  (then open http://127.0.0.1:{hub.settings.producer.port}/console/)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
