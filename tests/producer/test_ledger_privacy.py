"""The ledger does not itself leak whom it is about (issue 11 §2).

The attacker holds a stolen database, an evidence bundle or an archive segment, and everything
but the key: the entry's columns (client, message id, userId, issue), the request formats (this
code is public) and the list of every PIN in the country.  For REST the request is little more
than the PIN, so an unkeyed SHA-256 of it gave the PIN back by trying them all.  Keyed digests
(HMAC under a key derived from the ledger's PIN key) leave nothing to match without the key.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from sanarip_hub.ledger.keys import load_keys
from sanarip_hub.storage.models import LedgerEntryRow
from tests.conftest import BACKENDS
from tests.producer.conftest import (
    SF,
    Served,
    envelope,
    own_server,
    pin_body,
    post,
    run_hub,
    standard_agreements,
)

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


@pytest.fixture(scope="module", params=BACKENDS)
def own(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A producer of its own: this test archives the ledger, which the shared server must not see."""
    backend = str(request.param)
    with own_server(
        backend, tmp_path_factory.mktemp(f"privacy-{backend}"), prepare=standard_agreements
    ) as server:
        yield server


def every_pin(served: Served) -> list[str]:
    with served.engine.connect() as connection:
        people = connection.execute(text("select pin from person where pin is not null")).scalars()
        aliases = connection.execute(text("select pin from person_pin_alias")).scalars()
        return [*people, *aliases]


def rest_request(pin: str, headers: dict[str, str]) -> bytes:
    """What the producer hashes for a REST call: the request line and the X-Road headers."""
    lines = f"GET /rest/address-fact/{pin}\n".encode()
    return lines + b"".join(f"{k.lower()}: {v}\n".encode() for k, v in headers.items())


def brute_force(digests: Iterable[str], candidates: list[str], message: Callable[[str], bytes]) -> list[str]:
    """The PINs whose message hashes (unkeyed, as an attacker without the key must) to a digest."""
    wanted = set(digests)
    return [pin for pin in candidates if hashlib.sha256(message(pin)).hexdigest() in wanted]


def test_digests_give_no_pin_back_from_the_database_a_bundle_or_an_archive(
    own: Served, tmp_path: Path
) -> None:
    target = own.pins(limit=1)[0]
    candidates = every_pin(own)
    assert target in candidates
    assert len(candidates) > 300

    headers = {
        "X-Road-Client": SF.partition(":")[2],
        "X-Road-Id": str(uuid.uuid4()),
        "X-Road-UserId": "KG-OFFICIAL-7",
        "X-Road-Issue": "case-77",
    }
    assert httpx.get(f"{own.url}/rest/address-fact/{target}", headers=headers, timeout=30).status_code == 200
    soap_id = str(uuid.uuid4())

    def soap_request(pin: str) -> bytes:
        return envelope("householdByPin", pin_body("householdByPin", pin), message_id=soap_id)

    assert post(own, soap_request(target)).status_code == 200
    rest_entry, soap_entry = own.last_entries(2)[1], own.last_entries(1)[0]
    assert (rest_entry.channel, soap_entry.channel) == ("rest", "soap")

    def rest_message(pin: str) -> bytes:
        return rest_request(pin, headers)

    def attack(records: list[dict[str, Any]]) -> list[str]:
        rest = brute_force([r["rqh"] for r in records if r["ch"] == "rest"], candidates, rest_message)
        soap = brute_force([r["rqh"] for r in records if r["ch"] == "soap"], candidates, soap_request)
        return rest + soap

    # the attacker's method works: unkeyed, these digests would give the PIN back at once
    assert brute_force([hashlib.sha256(rest_message(target)).hexdigest()], candidates, rest_message) == [
        target
    ]

    # 1. the database
    columns = [{"ch": e.channel, "rqh": e.request_digest} for e in (rest_entry, soap_entry)]
    bodies = [json.loads(e.body) for e in (rest_entry, soap_entry)]
    assert attack(columns) == []
    assert attack(bodies) == []

    # 2. an evidence bundle for that person
    bundle = tmp_path / "evidence.zip"
    run_hub(
        own.env,
        "ledger",
        "export",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--pin",
        target,
        str(bundle),
    )
    with zipfile.ZipFile(bundle) as archive:
        exported = [json.loads(line) for line in archive.read("entries.jsonl").splitlines()]
    assert {r["mid"] for r in exported} >= {headers["X-Road-Id"], soap_id}
    assert attack(exported) == []

    # 3. an archive segment
    run_hub(own.env, "ledger", "archive", "--before", "2100-01-01")
    segments = sorted((Path(own.env["SANARIP_HUB_HOME"]) / "archive").glob("segment-*.zip"))
    archived = []
    for segment in segments:
        with zipfile.ZipFile(segment) as archive:
            archived += [json.loads(line) for line in archive.read("entries.jsonl").splitlines()]
    assert {r["mid"] for r in archived} >= {headers["X-Road-Id"], soap_id}
    assert attack(archived) == []

    # the key's holder can still match a message to its entry
    digest = load_keys(own.settings).pin_key.message_digest
    assert digest(rest_message(target)) == rest_entry.request_digest
    assert digest(soap_request(target)) == soap_entry.request_digest
    with own.engine.connect() as connection:
        assert connection.execute(select(LedgerEntryRow.seq)).first() is None  # all archived
    (tmp_path / "request.xml").write_bytes(soap_request(target))
    matched = run_hub(own.env, "ledger", "match", str(tmp_path / "request.xml"))
    assert f"seq {soap_entry.seq}: request of" in matched.stdout, matched.stdout
    (tmp_path / "other.xml").write_bytes(soap_request(candidates[-1]))
    unmatched = run_hub(own.env, "ledger", "match", str(tmp_path / "other.xml"), check=False)
    assert unmatched.returncode == 1
    assert "no ledger entry" in unmatched.stderr
