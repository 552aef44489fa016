"""Queries by data subject, client, agreement, outcome and time; evidence bundles verified offline."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from sanarip_hub.errors import BundleError
from sanarip_hub.ledger.bundle import export_bundle, verify_bundle
from sanarip_hub.ledger.keys import init_keys
from sanarip_hub.ledger.note import Signer
from sanarip_hub.ledger.query import Filter, search, usage_by_pin
from sanarip_hub.ledger.store import Ledger
from tests.conftest import HubDb
from tests.ledger.helpers import exchange, open_ledger

ALICE, BOB = "12902200091234", "21705198091234"
T0 = 1_780_000_000_000  # 2026-05-28


@pytest.fixture
def ledger(hub_db: HubDb) -> Ledger:
    init_keys(hub_db.settings)
    lg = open_ledger(hub_db.settings)
    for n in range(30):
        pins = (ALICE,) if n % 3 == 0 else (BOB,)
        base = exchange(n, pins=pins, outcome="ok" if n % 10 else "Server.ClientProxy.AccessDenied")
        lg.append(
            base.__class__(
                **{**base.__dict__, "time_ms": T0 + n * 60_000, "agreement_id": "SA-1" if n < 15 else "SA-2"}
            )
        )
        if n in (9, 19):
            lg.checkpoint()
    return lg


def test_usage_by_pin_lists_who_when_and_why(ledger: Ledger) -> None:
    rows = usage_by_pin(ledger.engine, ledger.keys.pin_key, ALICE)
    assert [r.seq for r in rows] == [27, 24, 21, 18, 15, 12, 9, 6, 3, 0]
    assert rows[0].issue == "case-27"
    assert rows[0].agreement_id == "SA-2"
    assert usage_by_pin(ledger.engine, ledger.keys.pin_key, "10101199000000") == []


def test_filters_combine_and_paginate(ledger: Ledger) -> None:
    denied = search(ledger.engine, None, Filter(failed_only=True))
    assert [r.seq for r in denied] == [20, 10, 0]
    window = search(ledger.engine, None, Filter(since_ms=T0 + 5 * 60_000, until_ms=T0 + 8 * 60_000))
    assert [r.seq for r in window] == [7, 6, 5]
    agreement = search(ledger.engine, None, Filter(agreement_id="SA-1", failed_only=True))
    assert [r.seq for r in agreement] == [10, 0]
    page1 = search(ledger.engine, None, Filter(), limit=7)
    page2 = search(ledger.engine, None, Filter(), limit=7, before_seq=page1[-1].seq)
    assert [r.seq for r in page1 + page2] == list(range(29, 15, -1))
    with pytest.raises(ValueError, match="PIN key"):
        search(ledger.engine, None, Filter(pin=ALICE))


def test_bundle_verifies_offline_with_only_the_public_key(ledger: Ledger, tmp_path: Path) -> None:
    bundle = tmp_path / "evidence.zip"
    summary = export_bundle(ledger, bundle, T0 + 12 * 60_000, T0 + 25 * 60_000, ALICE, ledger.keys.pin_key)
    assert summary.entries == 5  # seq 12, 15, 18, 21, 24
    assert summary.tree_size == 30
    assert summary.checkpoints == (10, 30)  # the last before the range, and the newest
    checked = verify_bundle(bundle, ledger.keys.verifier)
    assert checked.entries == 5
    with zipfile.ZipFile(bundle) as archive:
        lines = archive.read("entries.jsonl").decode().splitlines()
        manifest = json.loads(archive.read("manifest.json"))
    assert [json.loads(line)["seq"] for line in lines] == [12, 15, 18, 21, 24]
    assert ALICE not in archive_text(bundle)  # the PIN travels only as its keyed hash
    assert manifest["selection"]["pin_hashes"] == [ledger.keys.pin_key.hash_pin(ALICE)]
    assert (manifest["selection"]["first_seq"], manifest["selection"]["end_seq"]) == (12, 25)
    assert any("not proven: that no other entry" in line for line in checked.proven)


def test_whole_range_bundle_checks_the_chain_too(ledger: Ledger, tmp_path: Path) -> None:
    bundle = tmp_path / "all.zip"
    assert export_bundle(ledger, bundle).entries == 30
    assert verify_bundle(bundle, ledger.keys.verifier).tree_size == 30


def archive_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist())


def rewrite(path: Path, name: str, change: object) -> None:
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files[name] = change(files[name])  # type: ignore[operator]
    with zipfile.ZipFile(path, "w") as archive:
        for n, data in files.items():
            archive.writestr(n, data)


def test_a_bundle_edited_after_export_is_rejected(ledger: Ledger, tmp_path: Path) -> None:
    bundle = tmp_path / "evidence.zip"
    export_bundle(ledger, bundle)
    clean = bundle.read_bytes()

    rewrite(bundle, "entries.jsonl", lambda data: data.replace(b'"out":"ok"', b'"out":"no"', 1))
    with pytest.raises(BundleError, match=r"entries\.jsonl is not the file the manifest names"):
        verify_bundle(bundle, ledger.keys.verifier)

    bundle.write_bytes(clean)  # dropping an entry and its line count together still fails the chain
    rewrite(bundle, "entries.jsonl", lambda data: b"\n".join(data.split(b"\n")[:5] + data.split(b"\n")[6:]))
    with pytest.raises(BundleError):
        verify_bundle(bundle, ledger.keys.verifier)

    bundle.write_bytes(clean)
    forger = Signer.generate(ledger.origin)
    rewrite(
        bundle,
        "checkpoints/30.note",
        lambda data: (
            data.split(b"\n\n")[0]
            + b"\n\n"
            + forger.signature_line(data.split(b"\n\n")[0].decode() + "\n").encode()
        ),
    )
    with pytest.raises(BundleError, match="forged checkpoint of size 30"):
        verify_bundle(bundle, ledger.keys.verifier)

    bundle.write_bytes(clean)
    with pytest.raises(BundleError, match="signature does not verify"):
        verify_bundle(bundle, Signer.generate(ledger.origin).verifier())  # the wrong public key

    bundle.write_bytes(b"not a zip")
    with pytest.raises(BundleError, match="not a readable evidence bundle"):
        verify_bundle(bundle, ledger.keys.verifier)
