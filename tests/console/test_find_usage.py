"""``findUsage`` tells the person, or the oversight body, and nobody else (issue 11 §1).

The review found that any client granted ``findUsage`` got, for any PIN, every other body's
``userId``, ``issue``, message id and agreement.  Here the Social Fund looks a person up, an
auditor opens the person's entries in the console, the police look them up under an agreement
with ``confidential_days``; then the portal asks for the person, the oversight agency asks, and
others try.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from lxml import etree
from sqlalchemy import select

from sanarip_hub.producer.agreements import AgreementSpec, hub_today, store
from sanarip_hub.storage.agreements import AgreementTable
from sanarip_hub.storage.models import LedgerEntryRow
from tests.console.conftest import Hub, login
from tests.producer.conftest import envelope, pin_body, run_hub

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

NS = "{http://sanarip-aimak.gov.kg/xroad/producer/v1}"
PORTAL = "SUBSYSTEM:central-server/GOV/70000011/state-services-portal"
OVERSIGHT = "SUBSYSTEM:central-server/GOV/70000030/pdp-oversight"
POLICE = "SUBSYSTEM:central-server/GOV/70000020/mvd-cases"


def agree(hub: Hub, number: str, client: str, services: list[str], **terms: Any) -> None:
    raw = {"number": number, "client": client, "services": services, "purpose": f"purpose of {number}"}
    store(
        AgreementTable(hub.engine),
        [AgreementSpec.from_mapping({**raw, "valid_from": date(2026, 1, 1), **terms})],
    )


def call(
    hub: Hub, service: str, pin: str, client: str, user_id: str, issue: str = "case-1"
) -> etree._Element:
    data = envelope(service, pin_body(service, pin), client=client, user_id=user_id, issue=issue)
    reply = httpx.post(f"{hub.url}/xroad", content=data, headers={"content-type": "text/xml"}, timeout=60)
    assert reply.status_code == 200
    return etree.fromstring(reply.content)


def fault(root: etree._Element) -> str | None:
    return root.findtext(".//faultcode")


def usages(root: etree._Element) -> list[dict[str, str]]:
    assert fault(root) is None, etree.tostring(root)
    return [
        {etree.QName(child).localname: child.text or "" for child in usage}
        for usage in root.iter(f"{NS}usage")
    ]


@pytest.fixture(scope="module")
def looked_up(hub: Hub) -> str:
    """A person the Social Fund asked about (the fixture's calls), an auditor viewed in the
    console, and the police asked about under a confidential agreement."""
    agree(hub, "FU-PORTAL", PORTAL, ["findUsage"])
    agree(hub, "FU-PDP", OVERSIGHT, ["findUsage"], oversight=True)
    agree(hub, "FU-MVD", POLICE, ["householdByPin"], confidential_days=90)
    pin = hub.called_pins[0]
    auditor = login(hub, "auditor")
    assert auditor.get("/auditor", params={"pin": pin}).status_code == 200
    assert fault(call(hub, "householdByPin", pin, POLICE, "KG-INVESTIGATOR-9", "criminal case 77")) is None
    return pin


def test_the_data_subject_sees_bodies_services_and_purposes_but_no_other_bodys_details(
    hub: Hub, looked_up: str
) -> None:
    pin = looked_up
    for user_id in (pin, f"KG{pin}"):
        report = usages(call(hub, "findUsage", pin, PORTAL, user_id))
        social_fund = [u for u in report if u["client"].endswith("/70000003/sf-personal-data")]
        assert social_fund, report
        assert social_fund[0]["clientName"] == "Социалдык фонд"  # from the global configuration
        assert social_fund[0]["service"] == "householdByPin"
        assert social_fund[0]["purpose"] == "pensions"  # the agreement's purpose
        assert social_fund[0]["outcome"] == "ok"
        assert social_fund[0]["time"]
        for usage in report:  # never another body's userId, issue, message id or agreement
            assert not {"userId", "issue", "messageId", "agreement"} & set(usage), usage
        console = [u for u in report if u["service"] == "console"]
        assert console, report
        assert console[0]["clientName"] == "hub staff (auditor)"
        assert "time" not in console[0]
        assert console[0]["date"] == hub_today("Asia/Bishkek").isoformat()
        assert not any("au1" in value for u in report for value in u.values())  # no account name
        assert not any(u["client"] == POLICE for u in report)  # confidential for 90 days


def test_the_oversight_body_sees_everything_including_confidential_lookups(hub: Hub, looked_up: str) -> None:
    report = usages(call(hub, "findUsage", looked_up, OVERSIGHT, "KG-INSPECTOR-1"))
    police = [u for u in report if u["client"] == POLICE]
    assert police
    assert police[0]["userId"] == "KG-INVESTIGATOR-9"
    assert police[0]["issue"] == "criminal case 77"
    assert police[0]["agreement"] == "FU-MVD"
    assert police[0]["messageId"]
    assert police[0]["clientName"] == "Ички иштер министрлиги"
    assert any(u["userId"] == "console:au1" for u in report)


def test_anyone_else_is_refused_and_the_refusal_is_ledgered(hub: Hub, looked_up: str) -> None:
    pin = looked_up
    other_pin = hub.called_pins[1]
    attempts = [
        (PORTAL, other_pin),  # the portal asking about someone other than the person it acts for
        (PORTAL, "KG-CLERK-5"),  # an official's id
        ("SUBSYSTEM:central-server/GOV/70000003/sf-personal-data", "KG-OFFICIAL-7"),  # granted, not subject
    ]
    for client, user_id in attempts:
        before = _size(hub)
        root = call(hub, "findUsage", pin, client, user_id)
        assert fault(root) == "Client.AccessDenied", (client, user_id)
        with hub.engine.connect() as connection:
            entry = connection.execute(select(LedgerEntryRow).order_by(LedgerEntryRow.seq.desc())).first()
        assert _size(hub) == before + 1
        assert entry is not None
        assert (entry.outcome, entry.client_id) == ("Client.AccessDenied", client)


def test_confidential_lookups_stay_in_ledger_usage_and_the_auditors_console(hub: Hub, looked_up: str) -> None:
    usage = run_hub(hub.env, "ledger", "usage", "--pin", looked_up)
    assert POLICE in usage.stdout
    page = login(hub, "auditor").get("/auditor", params={"pin": looked_up})
    assert POLICE in page.text


def test_a_portals_user_id_naming_the_person_is_not_kept_as_a_clear_pin(hub: Hub, looked_up: str) -> None:
    call(hub, "findUsage", looked_up, PORTAL, f"KG{looked_up}")
    with hub.engine.connect() as connection:
        entry = connection.execute(select(LedgerEntryRow).order_by(LedgerEntryRow.seq.desc())).first()
    assert entry is not None
    assert entry.user_id == "(the data subject)"
    assert looked_up.encode() not in entry.body


def _size(hub: Hub) -> int:
    with hub.engine.connect() as connection:
        return len(connection.execute(select(LedgerEntryRow.seq)).all())
