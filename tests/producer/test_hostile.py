"""Hostile input on the live producer: each gets its exact fault, one ledger entry, and the server
keeps serving.  No input produces an unhandled error (``Server.InternalError`` is never expected)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from sanarip_hub.ledger.keys import ledger_origin, load_keys
from sanarip_hub.ledger.verify import verify_ledger
from tests.producer.conftest import SF, Served, envelope, fault_code, pin_body, post

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

PIN = "21902196894353"
GOOD = envelope("householdByPin", pin_body("householdByPin", PIN))
GOOD_TEXT = GOOD.decode()
HEADER_OPEN = "<SOAP-ENV:Header>"


def without(tag: str) -> bytes:
    """The good request with one header element removed."""
    start = GOOD_TEXT.index(f"<xrd:{tag}")
    end = GOOD_TEXT.index(f"</xrd:{tag}>") + len(f"</xrd:{tag}>")
    return (GOOD_TEXT[:start] + GOOD_TEXT[end:]).encode()


def nested(depth: int) -> bytes:
    return GOOD_TEXT.replace("<sa:pin>", "<sa:pin>" + "<a>" * depth + "</a>" * depth, 1).encode()


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]><lolz>&lol9;</lolz>"
).encode()


def with_doctype(doctype: str, text: str = GOOD_TEXT) -> str:
    """The good request with ``doctype`` right after its XML declaration."""
    declaration_end = text.index("?>") + 2
    return text[:declaration_end] + doctype + text[declaration_end:]


XXE = with_doctype('<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace(PIN, "&xxe;").encode()
EXTERNAL_DTD = with_doctype('<!DOCTYPE e SYSTEM "http://127.0.0.1:9/evil.dtd">').encode()

CASES: list[tuple[str, bytes, str, str]] = [
    # name, body, content type, expected fault code
    ("malformed XML", GOOD[:-30], "text/xml", "Client.InvalidXml"),
    ("not XML at all", b'{"pin": "1"}', "text/xml", "Client.InvalidXml"),
    ("empty body", b"", "text/xml", "Client.InvalidXml"),
    ("internal DTD", with_doctype("<!DOCTYPE e [<!ELEMENT e ANY>]>").encode(), "text/xml", "Client.InvalidXml"),
    ("external entity", XXE, "text/xml", "Client.InvalidXml"),
    ("external DTD", EXTERNAL_DTD, "text/xml", "Client.InvalidXml"),
    ("entity expansion", BILLION_LAUGHS, "text/xml", "Client.InvalidXml"),
    ("10,000-deep nesting", nested(10_000), "text/xml", "Client.InvalidXml"),
    ("SOAP 1.2 content type", GOOD, "application/soap+xml; charset=UTF-8", "Client.InvalidContentType"),
    ("no content type", GOOD, "", "Client.InvalidContentType"),
    ("JSON content type", GOOD, "application/json", "Client.InvalidContentType"),
    ("attachments", GOOD, "multipart/related; boundary=x", "Client.InvalidContentType"),
    ("latin-1 charset", GOOD, "text/xml; charset=ISO-8859-1", "Client.InvalidContentType"),
    ("latin-1 bytes", GOOD_TEXT.replace("case-2026-15", "Ölçü").encode("latin-1"), "text/xml", "Client.InvalidXml"),
    ("UTF-16 body", GOOD_TEXT.replace("UTF-8", "UTF-16").encode("utf-16"), "text/xml", "Client.InvalidXml"),
    ("declared ISO-8859-1", GOOD_TEXT.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode(), "text/xml", "Client.InvalidXml"),
    ("no header", GOOD_TEXT[: GOOD_TEXT.index(HEADER_OPEN)].encode() + GOOD_TEXT[GOOD_TEXT.index("</SOAP-ENV:Header>") + 18 :].encode(), "text/xml", "Client.MissingHeader"),
    ("client missing", without("client"), "text/xml", "Client.MissingHeaderField"),
    ("service missing", without("service"), "text/xml", "Client.MissingHeaderField"),
    ("id missing", without("id"), "text/xml", "Client.MissingHeaderField"),
    ("protocolVersion missing", without("protocolVersion"), "text/xml", "Client.MissingHeaderField"),
    ("duplicated id", GOOD_TEXT.replace("<xrd:protocolVersion>", "<xrd:id>again</xrd:id><xrd:protocolVersion>").encode(), "text/xml", "Client.DuplicateHeaderField"),
    ("duplicated client", GOOD_TEXT.replace(HEADER_OPEN, HEADER_OPEN + GOOD_TEXT[GOOD_TEXT.index("<xrd:client") : GOOD_TEXT.index("</xrd:client>") + 13]).encode(), "text/xml", "Client.DuplicateHeaderField"),
    ("slash in member code", GOOD_TEXT.replace(">70000003<", ">700/3<").encode(), "text/xml", "Client.InvalidClientIdentifier"),
    ("space in subsystem", GOOD_TEXT.replace(">sf-personal-data<", ">sf personal<").encode(), "text/xml", "Client.InvalidClientIdentifier"),
    ("non-ASCII subsystem", GOOD_TEXT.replace(">sf-personal-data<", ">соцфонд<").encode(), "text/xml", "Client.InvalidClientIdentifier"),
    ("colon in service code", GOOD_TEXT.replace(">householdByPin</id:serviceCode>", ">household:ByPin</id:serviceCode>").encode(), "text/xml", "Client.InvalidServiceIdentifier"),
    ("percent in version", GOOD_TEXT.replace(">v1<", ">v%31<").encode(), "text/xml", "Client.InvalidServiceIdentifier"),
    ("wrong protocol version", envelope("householdByPin", pin_body("householdByPin", PIN), protocol="3.1"), "text/xml", "Client.InvalidProtocolVersion"),
    ("missing body", GOOD_TEXT[: GOOD_TEXT.index("<SOAP-ENV:Body>")].encode() + b"</SOAP-ENV:Envelope>", "text/xml", "Client.MissingBody"),
    ("two body elements", GOOD_TEXT.replace("</SOAP-ENV:Body>", "<sa:householdByPin/></SOAP-ENV:Body>").encode(), "text/xml", "Client.InvalidBody"),
    ("body not the service", GOOD_TEXT.replace("sa:householdByPin>", "sa:lsgPassport>").encode(), "text/xml", "Client.InconsistentHeaders"),
    ("unknown service", envelope("dropTables", "<sa:dropTables/>"), "text/xml", "Client.UnknownService"),
    ("another provider", envelope("householdByPin", pin_body("householdByPin", PIN), provider="SUBSYSTEM:central-server/GOV/70000005/zags-service"), "text/xml", "Client.UnknownService"),
    ("unknown version", envelope("householdByPin", pin_body("householdByPin", PIN), version="v2"), "text/xml", "Client.UnknownService"),
    ("REST-only service over SOAP", envelope("address-fact", "<sa:address-fact/>"), "text/xml", "Client.UnknownService"),
    ("SQL in the PIN", envelope("householdByPin", pin_body("householdByPin", "1' OR '1'='1")), "text/xml", "Client.InvalidRequest"),
    ("repeated parameter", envelope("householdByPin", f"<sa:householdByPin><sa:pin>{PIN}</sa:pin><sa:pin>{PIN}</sa:pin></sa:householdByPin>"), "text/xml", "Client.InvalidRequest"),
    ("element inside the PIN", envelope("householdByPin", f"<sa:householdByPin><sa:pin><b>{PIN}</b></sa:pin></sa:householdByPin>"), "text/xml", "Client.InvalidRequest"),
    ("unknown indicator", envelope("statAggregates", "<sa:statAggregates><sa:indicator>pins</sa:indicator><sa:soate>41700000000000</sa:soate></sa:statAggregates>", client="SUBSYSTEM:central-server/GOV/70000010/nsc-stat"), "text/xml", "Client.InvalidRequest"),
]  # fmt: skip


def test_every_hostile_body_is_not_the_good_one() -> None:
    """A case made by editing the good request must have changed it (an edit that no longer
    matches would send the good request and test nothing)."""
    unchanged = [name for name, body, content_type, _ in CASES if body == GOOD and content_type == "text/xml"]
    assert unchanged == []


@pytest.mark.parametrize(("name", "body", "content_type", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_gets_its_fault_and_one_ledger_entry(
    served: Served, name: str, body: bytes, content_type: str, expected: str
) -> None:
    before = served.ledger_size()
    response = httpx.post(
        f"{served.url}/xroad", content=body, headers={"content-type": content_type}, timeout=60
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert fault_code(response) == expected, response.text[:500]
    assert b"root:" not in response.content  # no file content ever echoed
    assert served.ledger_size() == before + 1
    entry = served.last_entries()[0]
    assert entry.outcome == expected
    assert entry.request_bytes == len(body)
    served.alive()


def test_a_50_mb_body_is_refused_unparsed_and_ledgered(served: Served) -> None:
    before = served.ledger_size()
    body = GOOD[:-40] + b"<x>" + b"A" * (50 * 1024 * 1024) + b"</x>" + GOOD[-40:]
    response = post(served, body)
    assert fault_code(response) == "Client.MessageTooLarge"
    assert served.ledger_size() == before + 1
    entry = served.last_entries()[0]
    assert (entry.outcome, entry.request_bytes) == ("Client.MessageTooLarge", len(body))
    served.alive()
    assert fault_code(post(served, GOOD)) is None


def test_header_values_of_a_refused_request_are_kept_in_the_ledger(served: Served) -> None:
    post(
        served,
        envelope("householdByPin", pin_body("householdByPin", PIN), protocol="3.1", message_id="m-317"),
    )
    entry = served.last_entries()[0]
    assert entry.outcome == "Client.InvalidProtocolVersion"
    assert (entry.client_id, entry.message_id) == (SF, "m-317")
    assert entry.service_id.endswith("/householdByPin/v1")


def test_other_methods_are_refused(served: Served) -> None:
    assert httpx.get(f"{served.url}/xroad").status_code == 405
    put = httpx.put(f"{served.url}/xroad", content=GOOD)
    assert put.status_code == 405
    assert "POST" in put.headers["allow"].split(", ")  # Starlette names the first route's methods
    assert httpx.get(f"{served.url}/nowhere").status_code == 404


def test_an_answer_and_a_fault_carry_their_length_and_soap_content_type(served: Served) -> None:
    """``POST /xroad`` bypasses Starlette (``soap_posts``): its replies keep the headers a
    Starlette response gave them."""
    for body in (GOOD, b"<not-xml"):
        response = post(served, body)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/xml; charset=UTF-8"
        assert int(response.headers["content-length"]) == len(response.content)
    assert fault_code(response) == "Client.InvalidXml"  # type: ignore[possibly-undefined]


def test_after_all_that_the_ledger_verifies(served: Served) -> None:
    for _ in range(3):
        post(served, GOOD)
    settings = served.settings
    result = verify_ledger(served.engine, load_keys(settings).verifier, ledger_origin(settings))
    assert result.size == served.ledger_size()


def test_each_exchange_is_one_structured_log_line(served: Served) -> None:
    log = Path(served.env["SANARIP_HUB_HOME"]) / "server.log"
    refused = envelope(
        "householdByPin", pin_body("householdByPin", PIN), protocol="3.1", message_id="log-line-1"
    )
    answered = envelope("householdByPin", pin_body("householdByPin", PIN), message_id="log-line-2")
    post(served, refused)
    post(served, answered)
    lines = [
        json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")
    ]
    first = [line for line in lines if line.get("message_id") == "log-line-1"]
    second = [line for line in lines if line.get("message_id") == "log-line-2"]
    assert [line["event"] for line in first] == ["exchange"]
    assert [line["event"] for line in second] == ["exchange"]
    assert first[0]["outcome"] == "Client.InvalidProtocolVersion"
    assert "3.1" in first[0]["reason"]
    assert first[0]["detail"]
    assert second[0]["outcome"] == "ok"
    assert second[0]["reason"] is None
    entry_seqs = {entry.seq for entry in served.last_entries(2)}
    assert {first[0]["seq"], second[0]["seq"]} == entry_seqs


def test_random_damage_never_reaches_an_unhandled_error(served: Served) -> None:
    """Seeded mutations of a good request (flipped, dropped and inserted bytes, truncation): each
    answer is either a normal response or a Client fault, one ledger entry each, never Server.*."""
    import random

    rng = random.Random(4)
    before = served.ledger_size()
    outcomes = set()
    for _ in range(120):
        data = bytearray(GOOD)
        for _ in range(rng.randint(1, 4)):
            position = rng.randrange(len(data))
            action = rng.choice(("flip", "drop", "insert", "truncate"))
            if action == "flip":
                data[position] ^= 1 << rng.randrange(8)
            elif action == "drop":
                del data[position]
            elif action == "insert":
                data.insert(position, rng.choice(b"<>&;\"'/:= \x00\xff"))
            else:
                del data[position:]
        response = post(served, bytes(data))
        assert response.status_code == 200
        code = fault_code(response)
        assert code is None or code.startswith("Client."), (code, bytes(data)[:300])
        outcomes.add(code)
    assert served.ledger_size() == before + 120
    assert len(outcomes) > 3  # the mutations really did exercise different refusals
    served.alive()
