"""Certificates that replace paper (issue 16), on both back ends, through the real producer.

Each kind is a service of its own; each certificate is signed (XAdES) by the issuing LSG body's key
or, for a body without one, by the hub's (and says so), verified by signxml and by Debian's xmlsec1,
broken by one changed byte; it holds only what the agreement grants, never a deceased member, and
names an old PIN asked about as such; each answer writes exactly one register entry, which
``verifyCertificate`` and the ``certificates`` commands read; the printable copy renders, holds the
fields in Kyrgyz and Russian, and its QR code decodes to number and digest.
"""

from __future__ import annotations

import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select, text

from adapters.certificate_pdf import qr_payload
from adapters.xroad.certificate import CERTIFICATE_NS, certificate_digest, verify_certificate
from sanarip_hub.domain.certificates import KINDS, CertificateStatus
from sanarip_hub.errors import CertificateError
from sanarip_hub.producer.dispatch import Dispatcher
from sanarip_hub.storage.certificates import CertificateRegister
from sanarip_hub.storage.models import IssuedCertificateRow, LedgerEntryRow
from sanarip_hub.storage.service_data import HubData
from tests.clock import ManualClock
from tests.debian import ensure_debian
from tests.producer.conftest import SF, Served, envelope, fault_code, pin_body, post, run_hub

pytestmark = pytest.mark.integration

BANK = "SUBSYSTEM:central-server/COM/60000002/bank-loans"
XADES_IDS = (
    "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
    "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:KeyInfo",
)  # fmt: skip

# which living members can be asked for each kind (each has its register data)
HAS_DATA = {
    "familyComposition": "",
    "residenceCertificate": "",
    "householdPlotCertificate": "and exists (select 1 from household_land l where l.household_id = h.id)",
    "lowIncomeCertificate": "and exists (select 1 from social_passport s where s.household_id = h.id)",
    "landQueueCertificate": "and exists (select 1 from land_application a where a.applicant_person_id=p.id)",
}


def issue(served: Served, code: str, pin: str, client: str = SF, message_id: str | None = None) -> Any:
    """The certificate element of an answer (None when the answer carries none) and the answer."""
    response = post(served, envelope(code, pin_body(code, pin), client=client, message_id=message_id))
    assert fault_code(response) is None, response.text
    root = etree.fromstring(response.content)
    result = root.findtext(".//{*}resultCode")
    return root.find(f".//{{{CERTIFICATE_NS}}}{KINDS[code].element}"), result


def standalone(element: Any) -> bytes:
    """The certificate as a receiver extracts it from the SOAP answer."""
    return etree.tostring(element, encoding="UTF-8")


def verify_body(number: str, digest: str) -> str:
    return (
        f"<sa:verifyCertificate><sa:number>{number}</sa:number>"
        f"<sa:digest>{digest}</sa:digest></sa:verifyCertificate>"
    )


def verified(served: Served, number: str, digest: str) -> dict[str, str]:
    response = post(served, envelope("verifyCertificate", verify_body(number, digest)))
    assert fault_code(response) is None, response.text
    wrapper = etree.fromstring(response.content).find(".//{*}verifyCertificateResponse")
    assert wrapper is not None
    return {etree.QName(e).localname: e.text or "" for e in wrapper}


def register_rows(served: Served, **where: str) -> list[Any]:
    query = select(IssuedCertificateRow)
    for name, value in where.items():
        query = query.where(getattr(IssuedCertificateRow, name) == value)
    with served.engine.connect() as connection:
        return list(connection.execute(query))


@pytest.mark.parametrize("code", list(KINDS))
def test_each_kind_is_signed_verifiable_by_xmlsec1_and_recorded_once(
    served: Served, code: str, tmp_path: Path
) -> None:
    """A certificate of each kind: its header, verified by signxml and xmlsec1 (a verifier that is
    not ours) and refused by both with one changed byte; one register entry for the answer, whose
    number and digest are the certificate's."""
    xmlsec1 = ensure_debian("xmlsec1", "xmlsec1")
    pin = served.pins(HAS_DATA[code], limit=1)[0]
    message_id = str(uuid.uuid4())
    element, result = issue(served, code, pin, message_id=message_id)
    assert result == "OK"
    assert element is not None, f"{code} answered no certificate"
    soate = element.findtext("{*}issuer/{*}soate")
    cert_pem = served.signing_cert(soate)
    data = standalone(element)
    signed = verify_certificate(data, cert_pem)
    number = signed.findtext("{*}number")
    assert number.startswith(KINDS[code].prefix + "-")
    assert signed.findtext("{*}subjectPin") == pin
    assert signed.findtext("{*}recipient") == SF.removeprefix("SUBSYSTEM:")
    assert signed.findtext("{*}purpose") == "case-2026-15"
    assert signed.findtext("{*}issuer/{*}lsgName")
    assert signed.find("{*}signingKey").get("holder") in ("lsg", "hub")

    rows = register_rows(served, message_id=message_id)
    assert len(rows) == 1, "one register entry per answer"
    row = rows[0]
    assert (row.number, row.kind, row.subject_pin, row.lsg_soate) == (number, code, pin, soate)
    assert row.digest == certificate_digest(etree.fromstring(data))  # what a receiver computes
    assert row.valid_until == row.data_valid_on + timedelta(days=30)
    verify_certificate(row.document.encode(), cert_pem)  # the register keeps the signed document

    cert = tmp_path / "signer.pem"
    cert.write_bytes(cert_pem)

    def xmlsec(document: bytes) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "certificate.xml"
        path.write_bytes(document)
        ids = ("--id-attr:Id", KINDS[code].element, *XADES_IDS)
        command = [xmlsec1, "--verify", "--trusted-pem", str(cert), *ids, str(path)]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    accepted = xmlsec(data)
    assert accepted.returncode == 0, accepted.stderr
    assert "SignedInfo References (ok/all): 3/3" in accepted.stderr + accepted.stdout
    position = data.index(b"<c:subjectPin>") + len(b"<c:subjectPin>") + 6
    digit = b"0" if data[position : position + 1] != b"0" else b"1"
    changed = data[:position] + digit + data[position + 1 :]
    assert xmlsec(changed).returncode != 0
    with pytest.raises(CertificateError, match="does not verify"):
        verify_certificate(changed, cert_pem)


def test_what_each_certificate_says(served: Served) -> None:
    """The content of each kind, from the register's own tables."""
    pin = served.pins(HAS_DATA["householdPlotCertificate"], limit=1)[0]
    plot, _ = issue(served, "householdPlotCertificate", pin)
    with served.engine.connect() as connection:
        land = connection.execute(
            text(
                "select sum(l.area_ha) from household_land l join household_member m on "
                "m.household_id = l.household_id join person p on p.id = m.person_id where p.pin = :pin "
                "and m.member_to is null and l.year = (select max(year) from household_land x "
                "where x.household_id = l.household_id)"
            ),
            {"pin": pin},
        ).scalar()
    assert float(plot.findtext("{*}landTotalHa")) == pytest.approx(float(land), abs=1e-4)
    assert plot.find("{*}land/{*}plot/{*}category") is not None
    assert plot.findtext("{*}livestockOn") is None or plot.findtext("{*}livestockOn").endswith("-01-01")

    pin = served.pins(HAS_DATA["lowIncomeCertificate"], limit=1)[0]
    low, _ = issue(served, "lowIncomeCertificate", pin)
    assert low.findtext("{*}passportNumber")
    assert low.findtext("{*}status")
    assert low.find("{*}services") is None  # the passport's services are not the certificate's

    pin = served.pins(HAS_DATA["landQueueCertificate"], limit=1)[0]
    queue, _ = issue(served, "landQueueCertificate", pin)
    assert queue.find("{*}applications/{*}application/{*}regNumber") is not None

    pin = served.pins(limit=1)[0]
    residence, _ = issue(served, "residenceCertificate", pin)
    assert residence.findtext("{*}resident/{*}pin") == pin
    assert residence.findtext("{*}address/{*}soate")
    assert residence.findtext("{*}residentSince")


def test_no_data_no_certificate_and_no_register_entry(served: Served) -> None:
    """A family without a social passport gets NOT_FOUND, an unknown PIN PIN_NOT_FOUND: nothing is
    signed or recorded."""
    before = len(register_rows(served))
    pin = served.pins("and not exists (select 1 from social_passport s where s.household_id = h.id)", 1)[0]
    element, result = issue(served, "lowIncomeCertificate", pin)
    assert (element, result) == (None, "NOT_FOUND")
    element, result = issue(served, "residenceCertificate", "21501199000017")
    assert (element, result) == (None, "PIN_NOT_FOUND")
    assert len(register_rows(served)) == before


def test_a_certificate_holds_only_what_the_agreement_grants(served: Served) -> None:
    """A bank granted the land and livestock of a household-plot certificate gets those, and the
    header that makes it a certificate, but no address or account number."""
    served.agree(
        "SA-TEST-BANK-PLOT", BANK, ["householdPlotCertificate"],
        fields={"householdPlotCertificate": ["certificate.land", "certificate.landTotalHa"]},
    )  # fmt: skip
    pin = served.pins(HAS_DATA["householdPlotCertificate"], limit=1)[0]
    element, result = issue(served, "householdPlotCertificate", pin, client=BANK)
    assert result == "OK"
    names = {etree.QName(child).localname for child in element}
    assert {"land", "landTotalHa", "number", "subjectPin", "validUntil", "Signature"} <= names
    assert not names & {"address", "accountNo", "livestock", "livestockOn"}
    verify_certificate(standalone(element), served.signing_cert(element.findtext("{*}issuer/{*}soate")))
    full, _ = issue(served, "householdPlotCertificate", pin)  # the Social Fund's grants all
    assert full.find("{*}address") is not None


# one part of each kind's content, granted alone (a record field, a list, a field of each list item)
ONE_PART = {
    "familyComposition": "certificate.members.surname",
    "residenceCertificate": "certificate.resident",
    "householdPlotCertificate": "certificate.livestock",
    "lowIncomeCertificate": "certificate.status",
    "landQueueCertificate": "certificate.applications.regNumber",
}
HEADER = {"number", "issuedAt", "issuer", "signingKey", "dataValidOn", "validUntil", "recipient", "purpose",
          "subjectPin", "askedPin", "Signature"}  # fmt: skip


@pytest.mark.parametrize("code", list(KINDS))
def test_each_kind_signs_only_the_part_granted(served: Served, code: str) -> None:
    """Granted one part of a certificate's content, a client gets the header and that part, signed,
    and nothing else of the content (inside a granted list, only the granted field of each item)."""
    client = "SUBSYSTEM:central-server/GOV/70000040/one-part"
    served.agree("SA-TEST-ONE-PART", client, list(KINDS), fields={k: [v] for k, v in ONE_PART.items()})
    pin = served.pins(HAS_DATA[code], limit=1)[0]
    element, result = issue(served, code, pin, client=client)
    assert result == "OK"
    verify_certificate(standalone(element), served.signing_cert(element.findtext("{*}issuer/{*}soate")))
    path = ONE_PART[code].split(".")[1:]
    assert {etree.QName(child).localname for child in element} - HEADER == {path[0]}
    if len(path) == 2:  # a field of each item of a list
        items = element.find(f"{{*}}{path[0]}")
        assert len(items)
        assert all([etree.QName(f).localname for f in item] == [path[1]] for item in items)


def test_the_deceased_is_never_listed(served: Served, deceased: tuple[str, str]) -> None:
    living, dead = deceased
    element, _ = issue(served, "familyComposition", living)
    pins = [e.text for e in element.iter(f"{{{CERTIFICATE_NS}}}pin")]
    assert living in pins
    assert dead not in pins
    assert issue(served, "residenceCertificate", dead)[1] != "OK"


@pytest.mark.parametrize("code", ["familyComposition", "residenceCertificate"])
def test_an_old_pin_is_named_as_such(served: Served, code: str) -> None:
    """An old (alias) PIN asked about is named as such; the subject is the current PIN, who is the
    one listed (before: the old PIN became subjectPin, found among nobody)."""
    with served.engine.connect() as connection:
        row = connection.execute(
            text(
                "select a.pin as old, p.pin as current from person_pin_alias a "
                "join person p on p.id = a.person_id join household_member m on m.person_id = p.id "
                "join household h on h.id = m.household_id where m.member_to is null "
                "and h.closed_at is null and p.death_date is null and p.pin is not null "
                "order by a.id limit 1"
            )
        ).first()
    if row is None:
        pytest.skip("the seed made no current member with an old PIN")
    element, _ = issue(served, code, row.old)
    verify_certificate(standalone(element), served.signing_cert(element.findtext("{*}issuer/{*}soate")))
    assert element.findtext("{*}subjectPin") == row.current
    asked = element.find("{*}askedPin")
    assert (asked.text, asked.get("status")) == (row.old, "old")
    assert row.current in [e.text for e in element.iter(f"{{{CERTIFICATE_NS}}}pin")]
    assert row.old not in [e.text for e in element.iter(f"{{{CERTIFICATE_NS}}}pin")]
    assert {r.subject_pin for r in register_rows(served, asked_pin=row.old)} == {row.current}


def test_an_lsg_body_signs_with_its_own_key_and_a_body_without_one_says_so(
    served: Served, tmp_path: Path
) -> None:
    """``keys certificate --lsg CODE`` makes an ECDSA key whose certificate names the body; that
    body's certificates are signed with it (xmlsec1 and signxml accept them with the body's
    certificate, not the hub's); the other body's still carry holder="hub"."""
    with served.engine.connect() as connection:
        bodies = connection.execute(text("select soate_code, name_ky from lsg_body order by id")).all()
    own, other = bodies[0], bodies[1]
    made = run_hub(served.env, "keys", "certificate", "--lsg", own.soate_code, check=False)
    if "already exists" not in made.stderr:
        assert made.returncode == 0, made.stderr
        assert own.name_ky in made.stdout
    again = run_hub(served.env, "keys", "certificate", "--lsg", own.soate_code, check=False)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    unknown = run_hub(served.env, "keys", "certificate", "--lsg", "41799999999999", check=False)
    assert unknown.returncode == 1
    assert "no LSG body with СОАТЕ 41799999999999" in unknown.stderr

    def pin_of(soate: str) -> str:
        return served.pins(f"and h.lsg_id = (select id from lsg_body where soate_code = '{soate}')", 1)[0]

    element, _ = issue(served, "familyComposition", pin_of(own.soate_code))
    assert element.findtext("{*}issuer/{*}soate") == own.soate_code
    key = element.find("{*}signingKey")
    assert key.get("holder") == "lsg"
    assert own.name_ky in key.text
    assert b"ecdsa-sha256" in standalone(element)
    own_pem = served.signing_cert(own.soate_code)
    hub_pem = served.signing_cert(None)
    verify_certificate(standalone(element), own_pem)
    with pytest.raises(CertificateError):
        verify_certificate(standalone(element), hub_pem)
    xmlsec1 = ensure_debian("xmlsec1", "xmlsec1")
    (tmp_path / "c.xml").write_bytes(standalone(element))
    (tmp_path / "own.pem").write_bytes(own_pem)
    ids = ("--id-attr:Id", "familyCompositionCertificate", *XADES_IDS)
    checked = subprocess.run(
        [xmlsec1, "--verify", "--trusted-pem", str(tmp_path / "own.pem"), *ids, str(tmp_path / "c.xml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr

    element, _ = issue(served, "familyComposition", pin_of(other.soate_code))
    assert element.find("{*}signingKey").get("holder") == "hub"
    verify_certificate(standalone(element), hub_pem)


def test_verify_certificate_says_valid_revoked_and_unknown(served: Served) -> None:
    pin = served.pins(limit=1)[0]
    element, _ = issue(served, "residenceCertificate", pin)
    number, digest = element.findtext("{*}number"), certificate_digest(element)
    answer = verified(served, number, digest)
    assert answer["status"] == "valid"
    assert answer["kind"] == "residenceCertificate"
    assert answer["issuerSoate"] == element.findtext("{*}issuer/{*}soate")
    assert answer["validUntil"] == element.findtext("{*}validUntil")
    assert "revokedAt" not in answer

    wrong = ("0" if digest[0] != "0" else "1") + digest[1:]
    assert verified(served, number, wrong) == {"resultCode": "OK", "status": "unknown"}
    assert verified(served, "FC-20260101-000000000000", digest) == {"resultCode": "OK", "status": "unknown"}
    bad = post(served, envelope("verifyCertificate", verify_body(number, "not-a-digest")))
    assert fault_code(bad) == "Client.InvalidRequest"
    assert "64 hex digits" in bad.text

    revoked = run_hub(served.env, "certificates", "revoke", number, "--reason", "issued in error")
    assert f"certificate {number} revoked" in revoked.stdout
    answer = verified(served, number, digest)
    assert answer["status"] == "revoked"
    assert answer["revokedAt"]
    twice = run_hub(served.env, "certificates", "revoke", number, "--reason", "again", check=False)
    assert twice.returncode == 1
    assert f"sanarip-hub: error: certificate {number} was already revoked" in twice.stderr
    assert "issued in error" in twice.stderr
    row = register_rows(served, number=number)[0]
    assert row.revocation_reason == "issued in error"  # the first reason stays
    missing = run_hub(served.env, "certificates", "revoke", "XX-1", "--reason", "r", check=False)
    assert missing.returncode == 1
    assert "no certificate numbered XX-1 was issued here" in missing.stderr


def test_a_certificate_expires_when_the_clock_passes_its_validity(served: Served) -> None:
    """``verifyCertificate`` on a moved clock (the dispatcher in process, on the served database):
    valid on its last day, expired the day after."""
    pin = served.pins(limit=1)[0]
    element, _ = issue(served, "familyComposition", pin)
    number, digest = element.findtext("{*}number"), certificate_digest(element)
    row = register_rows(served, number=number)[0]
    clock = ManualClock(row.issued_at)
    dispatcher = Dispatcher(
        HubData(served.engine), None, clock=clock, register=CertificateRegister(served.engine)
    )
    params = {"number": number, "digest": digest}
    assert dispatcher.verify(params).values["status"] == CertificateStatus.VALID
    clock.advance((row.valid_until - row.data_valid_on).days * 86400)
    assert dispatcher.verify(params).values["status"] == CertificateStatus.VALID  # its last day
    clock.advance(86400)
    answer = dispatcher.verify(params).values
    assert answer["status"] == CertificateStatus.EXPIRED
    assert answer["validUntil"] == row.valid_until


def test_the_commands_list_show_and_print_a_certificate(served: Served, tmp_path: Path) -> None:
    """``certificates list|show|pdf``: each shows a person's data, so each is an access-ledger
    entry; the PDF renders (pdftoppm), holds the fields in both languages (pdftotext) and its QR code
    decodes (zbarimg) to the number and digest verifyCertificate takes."""
    living = served.pins(limit=1)[0]
    element, _ = issue(served, "familyComposition", living)
    number, digest = element.findtext("{*}number"), certificate_digest(element)
    surname = element.findtext("{*}members/{*}member/{*}surname")

    def entries(service: str) -> int:
        with served.engine.connect() as connection:
            return len(connection.execute(
                select(LedgerEntryRow.seq).where(LedgerEntryRow.service_id == service)
            ).all())  # fmt: skip

    before = {what: entries(f"cli:certificates {what}") for what in ("list", "show", "pdf")}
    listed = run_hub(served.env, "certificates", "list", "--pin", living).stdout
    assert listed.splitlines()[0].split()[:3] == ["NUMBER", "KIND", "SUBJECT"]
    assert number in listed
    assert (
        "no certificates for 21501199000017"
        in run_hub(served.env, "certificates", "list", "--pin", "21501199000017").stdout
    )
    shown = run_hub(served.env, "certificates", "show", number).stdout
    assert f"digest:        {digest}" in shown
    assert "status:        valid" in shown
    xml = run_hub(served.env, "certificates", "show", number, "--xml").stdout
    assert certificate_digest(etree.fromstring(xml.encode())) == digest
    unknown = run_hub(served.env, "certificates", "show", "FC-1", check=False)
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1, "sanarip-hub: error: no certificate numbered FC-1 was issued here"
    )  # fmt: skip

    pdf = tmp_path / "certificate.pdf"
    printed = run_hub(served.env, "certificates", "pdf", number, str(pdf))
    assert digest in printed.stdout
    assert "fontTools" not in printed.stderr  # its subsetter logged a hundred INFO lines per copy
    assert pdf.read_bytes().startswith(b"%PDF-")
    after = {what: entries(f"cli:certificates {what}") for what in ("list", "show", "pdf")}
    assert after == {"list": before["list"] + 1, "show": before["show"] + 2, "pdf": before["pdf"] + 1}

    pdftoppm = ensure_debian("pdftoppm", "poppler-utils")
    pdftotext = ensure_debian("pdftotext", "poppler-utils")
    zbarimg = ensure_debian("zbarimg", "zbar-tools")
    subprocess.run(
        [pdftoppm, "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True
    )
    page = tmp_path / "page.png"
    assert page.stat().st_size > 10_000
    words = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    body = " ".join(words.stdout.split())
    for needle in (
        number, living, surname, digest,
        "Үй-бүлөнүн курамы жөнүндө маалымкат", "Справка о составе семьи",
        "Действительна до", "Жарактуу мөөнөтү", "Члены семьи", "Үй-бүлө мүчөлөрү",
    ):  # fmt: skip
        assert needle in body, needle
    decoded = subprocess.run([zbarimg, "--raw", "-q", str(page)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == qr_payload(number, digest)
    assert decoded.stdout.strip() == f"sanarip-certificate:{number}?digest={digest}"


def test_verify_certificate_needs_an_agreement_like_every_service(served: Served) -> None:
    response = post(
        served,
        envelope("verifyCertificate", verify_body("FC-1", "0" * 64),
                 client="SUBSYSTEM:central-server/GOV/70000099/nobody"),
    )  # fmt: skip
    assert fault_code(response) == "Client.AccessDenied"
