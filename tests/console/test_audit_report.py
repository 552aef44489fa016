"""The auditor's answers in the console are complete, or say they are not (issue 12 §4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from sanarip_hub.storage.models import LedgerEntryRow
from tests.console.conftest import Hub, csrf_of, login

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


def entries(hub: Hub, service_id: str) -> int:
    with hub.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count())
                .select_from(LedgerEntryRow)
                .where(LedgerEntryRow.service_id == service_id)
            ).scalar_one()
        )


def test_a_persons_report_keeps_bodies_apart_from_staff_and_pages_through_everything(hub: Hub) -> None:
    """A clerk opening the queue once wrote 22 entries that pushed a person's 2 real disclosures
    out of the 50 rows shown."""
    auditor = login(hub, "auditor")
    pin = hub.called_pins[0]
    for _ in range(55):  # 55 staff views of this person, newer than the Social Fund's lookup
        assert auditor.get("/auditor", params={"pin": pin}).status_code == 200
    page = auditor.get("/auditor", params={"pin": pin}).text
    exchanges = page.split('id="exchanges"')[1].split("</table>")[0]
    staff = page.split('id="staff"')[1].split("</table>")[0]
    assert "householdByPin" in exchanges
    assert "KG-OFFICIAL-7" in exchanges  # who
    assert "case-2026-15" in exchanges  # the case
    assert "pensions" in exchanges  # the agreement's purpose
    assert "console:audit.by-pin" not in exchanges
    assert staff.count("console:audit.by-pin") == 50  # one page of staff views …
    older = re.search(r'class="older" href="([^"]+)"', page)
    assert older is not None  # … and a link to the rest
    rest = auditor.get(older.group(1).replace("/console", "", 1).replace("&amp;", "&")).text
    assert rest.split('id="staff"')[1].split("</table>")[0].count("console:audit.by-pin") >= 5


def test_the_verifier_key_can_be_downloaded(hub: Hub) -> None:
    response = login(hub, "auditor").get("/auditor/verifier-key")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    own = (Path(hub.env["SANARIP_HUB_HOME"]) / "keys" / "ledger.vkey").read_text().strip()
    assert response.text.splitlines()[0] == own


def test_a_whole_ledger_bundle_is_an_access_entry(hub: Hub) -> None:
    auditor = login(hub, "auditor")
    before = entries(hub, "console:audit.bundle")
    page = auditor.get("/auditor")
    bundle = auditor.post(
        "/auditor/bundle", data={"csrf": csrf_of(page.text), "pin": "", "since": "", "until": ""}
    )
    assert bundle.status_code == 200
    assert bundle.headers["content-type"] == "application/zip"
    assert entries(hub, "console:audit.bundle") == before + 1


def test_a_failed_verification_is_shown_as_a_failure(hub: Hub) -> None:
    auditor = login(hub, "auditor")
    with hub.engine.begin() as connection:
        original = connection.execute(
            select(LedgerEntryRow.user_id).where(LedgerEntryRow.seq == 1)
        ).scalar_one()
        connection.execute(update(LedgerEntryRow).where(LedgerEntryRow.seq == 1).values(user_id="tampered"))
    try:
        page = auditor.get("/auditor/verify")
        result = auditor.post("/auditor/verify", data={"csrf": csrf_of(page.text)})
        assert 'class="notice failure"' in result.text
        assert "Verification FAILED." in result.text
        assert "column user_id differs" in result.text
        operator = login(hub, "operator")
        dashboard = operator.get("/operator").text
        assert 'class="tile failure"' in dashboard
        assert "FAILED" in dashboard.split('id="verification"')[1][:80]
        health = operator.get("/operator/health").text
        assert re.search(r"ledger verification</th><td class=\"fault\">", health)
    finally:
        with hub.engine.begin() as connection:
            connection.execute(update(LedgerEntryRow).where(LedgerEntryRow.seq == 1).values(user_id=original))
        page = auditor.get("/auditor/verify")
        healed = auditor.post("/auditor/verify", data={"csrf": csrf_of(page.text)})
        assert "Verified now: intact." in healed.text


def test_the_auditor_lists_a_persons_certificates_and_prints_one(hub: Hub) -> None:
    """Issue 16 §4–5: the certificates issued about a person (found by PIN), each with its status and
    a printable copy; listing and printing are access-ledger entries; other roles are refused."""
    import httpx
    from lxml import etree

    from tests.producer.conftest import envelope, pin_body

    with hub.engine.connect() as connection:  # someone the other tests' reports do not count
        pin = next(
            row[0]
            for row in connection.execute(
                text(
                    "select p.pin from person p join household_member m on m.person_id = p.id "
                    "where p.pin is not null and m.member_to is null and p.death_date is null "
                    "order by p.id desc limit 10"
                )
            )
            if row[0] not in hub.called_pins
        )
    reply = httpx.post(
        f"{hub.url}/xroad",
        content=envelope("familyComposition", pin_body("familyComposition", pin)),
        headers={"content-type": "text/xml; charset=UTF-8"},
        timeout=60,
    )
    number = etree.fromstring(reply.content).findtext(".//{*}familyCompositionCertificate/{*}number")
    assert number
    auditor = login(hub, "auditor")
    listed, printed = entries(hub, "console:certificates.by-pin"), entries(hub, "console:certificates.pdf")
    page = auditor.get("/auditor/certificates", params={"pin": pin})
    assert page.status_code == 200
    table = page.text.split('id="certificates"')[1].split("</table>")[0]
    assert number in table
    assert "Household-composition certificate (signed)" in table
    assert "valid" in table
    assert entries(hub, "console:certificates.by-pin") == listed + 1
    pdf = auditor.get(f"/auditor/certificates/{number}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert entries(hub, "console:certificates.pdf") == printed + 1
    assert auditor.get("/auditor/certificates", params={"pin": "123"}).status_code == 400
    assert auditor.get("/auditor/certificates/FC-0.pdf").status_code == 404
    assert entries(hub, "console:certificates.pdf") == printed + 1  # nothing shown, nothing ledgered
    nobody = auditor.get("/auditor/certificates", params={"pin": "21501199000017"}).text
    assert "No certificates were issued about this person" in nobody
    assert login(hub, "operator").get("/auditor/certificates", params={"pin": pin}).status_code == 403
