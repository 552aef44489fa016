"""Doctored evidence bundles are rejected, each for its reason (issue 12 §2).

The strongest forger holds the log's signing key (full access to the data directory): the manifest
and checkpoints can then be re-signed, so what must still catch the doctoring is the structure
the verifier insists on: a consistency proof from every included checkpoint, strictly increasing
entries, every number of a range present, cosignatures by witnesses the auditor names.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from sanarip_hub.errors import BundleError
from sanarip_hub.ledger.bundle import MANIFEST_NOTE, export_bundle, verify_bundle
from sanarip_hub.ledger.keys import init_keys
from sanarip_hub.ledger.note import Cosigner, sign
from sanarip_hub.ledger.store import Ledger
from tests.conftest import HubDb
from tests.ledger.helpers import exchange, open_ledger

Files = dict[str, bytes]


@pytest.fixture
def bundle(hub_db: HubDb, tmp_path: Path) -> tuple[Ledger, Path]:
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    for n in range(40):
        ledger.append(exchange(n))
        if n in (9, 19):
            ledger.checkpoint()
    path = tmp_path / "range.zip"
    export_bundle(ledger, path, first_seq=12, end_seq=30)
    return ledger, path


def doctor(ledger: Ledger, path: Path, change: Callable[[Files, dict], None]) -> None:  # type: ignore[type-arg]
    """Apply ``change`` to the files and the manifest, then re-sign the manifest with the log's key."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    change(files, manifest)
    manifest["entries_sha256"] = hashlib.sha256(files["entries.jsonl"]).hexdigest()
    files["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True).encode()
    digest = hashlib.sha256(files["manifest.json"]).hexdigest()
    files["manifest.note"] = sign(f"{MANIFEST_NOTE}\n{digest}\n", [ledger.keys.signer]).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def proofs(files: Files) -> dict:  # type: ignore[type-arg]
    return json.loads(files["proofs.json"])  # type: ignore[no-any-return]


def test_the_honest_bundle_verifies_and_says_what_it_proves(bundle: tuple[Ledger, Path]) -> None:
    ledger, path = bundle
    checked = verify_bundle(path, ledger.keys.verifier)
    assert (checked.entries, checked.tree_size, checked.checkpoints) == (18, 40, (10, 40))
    assert "proven: the bundle holds every entry numbered 12 to 29, none dropped" in checked.proven


def test_emptied_consistency_proofs_are_rejected(bundle: tuple[Ledger, Path]) -> None:
    ledger, path = bundle

    def empty(files: Files, manifest: dict) -> None:  # type: ignore[type-arg]
        data = proofs(files)
        data["consistency"] = {size: [] for size in data["consistency"]}
        files["proofs.json"] = json.dumps(data).encode()

    doctor(ledger, path, empty)
    with pytest.raises(BundleError, match="checkpoint 10 is not consistent with checkpoint 40"):
        verify_bundle(path, ledger.keys.verifier)

    def drop(files: Files, manifest: dict) -> None:  # type: ignore[type-arg]
        data = proofs(files)
        data["consistency"] = {}
        files["proofs.json"] = json.dumps(data).encode()

    doctor(ledger, path, drop)
    with pytest.raises(BundleError, match="a consistency proof from each included checkpoint"):
        verify_bundle(path, ledger.keys.verifier)


def test_a_duplicated_entry_with_the_count_bumped_is_rejected(bundle: tuple[Ledger, Path]) -> None:
    ledger, path = bundle

    def duplicate(files: Files, manifest: dict) -> None:  # type: ignore[type-arg]
        lines = files["entries.jsonl"].split(b"\n")[:-1]
        lines.insert(5, lines[4])
        files["entries.jsonl"] = b"".join(line + b"\n" for line in lines)
        manifest["entries"] += 1
        manifest["selection"]["kind"] = "pin"  # dodge the range's count rule: still refused
        manifest["selection"]["pin_hashes"] = [json.loads(lines[0])["sub"][0]]

    doctor(ledger, path, duplicate)
    with pytest.raises(BundleError, match="at seq 16: entries must come in strictly increasing order"):
        verify_bundle(path, ledger.keys.verifier)


def test_a_middle_entry_dropped_with_its_proof_is_rejected(bundle: tuple[Ledger, Path]) -> None:
    ledger, path = bundle

    def drop(files: Files, manifest: dict) -> None:  # type: ignore[type-arg]
        lines = files["entries.jsonl"].split(b"\n")[:-1]
        del lines[6]  # seq 18
        files["entries.jsonl"] = b"".join(line + b"\n" for line in lines)
        data = proofs(files)
        del data["inclusion"]["18"]
        files["proofs.json"] = json.dumps(data).encode()
        manifest["entries"] -= 1
        manifest["selection"]["end_seq"] -= 1  # keep count == end - first: the gap must still show

    doctor(ledger, path, drop)
    with pytest.raises(BundleError, match="at seq 18: entry 18 of the range is missing"):
        verify_bundle(path, ledger.keys.verifier)


def test_an_edited_manifest_is_rejected(bundle: tuple[Ledger, Path]) -> None:
    ledger, path = bundle
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    manifest["selection"]["first_seq"] = 0
    files["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    with pytest.raises(BundleError, match=r"manifest\.json is not the manifest that was signed"):
        verify_bundle(path, ledger.keys.verifier)


def test_a_required_witness_cosignature_must_be_there(bundle: tuple[Ledger, Path]) -> None:
    ledger, path = bundle
    witness = Cosigner.generate("pdp.gov.kg/witness")
    with pytest.raises(BundleError, match=r"carries no cosignature by pdp\.gov\.kg/witness"):
        verify_bundle(path, ledger.keys.verifier, [witness.verifier()])
