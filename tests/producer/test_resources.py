"""Bounded resources: what one client sends cannot cost the others (issue 11 §4).

The review: 200,000 unknown body parameters made response building quadratic and killed a worker,
unledgered; a 10 MiB request from a client without an agreement cost 2.7 s of a worker; a client
that disconnects mid-body left a traceback instead of a ledger entry; REST ``HEAD`` was an ``ok``
entry.  Timings are never asserted here: what is shown is what the hub does not do (parse a body
it will refuse anyway).
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.producer.conftest import Served, envelope, fault_code, post
from tests.producer.test_rest import rest_headers

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

NOBODY = "SUBSYSTEM:central-server/GOV/79999999/nobody"


def test_unknown_body_parameters_are_an_invalid_body(served: Served) -> None:
    pin = served.pins()[0]
    before = served.ledger_size()
    extra = "".join(f"<sa:p{i}/>" for i in range(200_000))
    body = envelope("householdByPin", f"<sa:householdByPin><sa:pin>{pin}</sa:pin>{extra}</sa:householdByPin>")
    response = post(served, body)
    assert fault_code(response) == "Client.InvalidBody"
    assert "p0" in response.text
    assert served.ledger_size() == before + 1
    served.alive()
    one = post(served, envelope("householdByPin", f"<sa:householdByPin><sa:pin>{pin}</sa:pin><sa:colour/>"
                                                   "</sa:householdByPin>"))  # fmt: skip
    assert fault_code(one) == "Client.InvalidBody"


def test_a_large_request_without_an_agreement_is_refused_before_its_body_is_parsed(served: Served) -> None:
    """9 MiB after the PIN, and not well-formed: a full parse would answer InvalidXml; the hub
    answers AccessDenied from the header alone (and still ledgers whom it was about)."""
    pin = served.pins()[0]
    garbage = "<sa:x>" + ("<a>" + "b" * 1000 + "</a>") * 9000 + "<unclosed>"
    body = envelope("householdByPin", f"<sa:householdByPin><sa:pin>{pin}</sa:pin>{garbage}", client=NOBODY)
    before = served.ledger_size()
    response = post(served, body)
    assert fault_code(response) == "Client.AccessDenied"
    assert served.ledger_size() == before + 1
    entry = served.last_entries()[0]
    assert (entry.client_id, entry.outcome, entry.request_bytes) == (NOBODY, "Client.AccessDenied", len(body))
    assert entry.subjects_sealed is not None  # the PIN asked about was read from the body's start
    # the same body from a client with an agreement is parsed, and refused as malformed
    granted = envelope("householdByPin", f"<sa:householdByPin><sa:pin>{pin}</sa:pin>{garbage}")
    assert fault_code(post(served, granted)) == "Client.InvalidXml"


def test_rest_head_is_refused_not_answered(served: Served) -> None:
    pin = served.pins()[0]
    before = served.ledger_size()
    response = httpx.head(f"{served.url}/rest/address-fact/{pin}", headers=rest_headers(), timeout=30)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert served.ledger_size() == before


def test_a_client_that_disconnects_mid_body_is_ledgered_and_logged_once(served: Served) -> None:
    log = Path(served.env["SANARIP_HUB_HOME"]) / "server.log"
    lines_before = len(log.read_bytes().splitlines())
    before = served.ledger_size()
    port = int(served.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /xroad HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n"
            + b"<SOAP-ENV:Envelope " * 100
        )
        time.sleep(0.3)
    deadline = time.monotonic() + 10
    while served.ledger_size() == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert served.ledger_size() == before + 1
    entry = served.last_entries()[0]
    assert entry.outcome == "Client.Disconnected"
    assert entry.request_bytes == len(b"<SOAP-ENV:Envelope " * 100)
    time.sleep(0.3)
    new = log.read_bytes().splitlines()[lines_before:]
    assert not any(b"Traceback" in line for line in new), new
    records = [json.loads(line) for line in new if line.startswith(b"{")]
    disconnected = [r for r in records if r.get("outcome") == "Client.Disconnected"]
    assert len(disconnected) == 1
    assert disconnected[0]["event"] == "exchange"
    served.alive()
