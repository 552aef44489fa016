"""Evidence bundles: what an auditor takes away and verifies with nothing but the public key.

A bundle is a ZIP file:

* ``manifest.json`` — the log origin, the selection (time range; a PIN only as its keyed hash), the
  checkpoint sizes, the number of entries;
* ``entries.jsonl`` — the selected entries, one per line, each line exactly the canonical bytes that
  were hashed (so nothing is re-serialised);
* ``checkpoints/<size>.note`` — signed checkpoints (C2SP signed notes): the newest, which every
  inclusion proof ends at, and the last one before the selection began, if any;
* ``proofs.json`` — an RFC 9162 inclusion proof for every entry against the newest checkpoint, and
  a consistency proof from the earlier checkpoint to the newest (the log only grew in between).

:func:`verify_bundle` checks signatures first, then consistency, then each entry's inclusion, in the
trust order of VERIFIABLE-LOGS.md §5, and names the first entry that fails.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from sanarip_hub.errors import HubError
from sanarip_hub.ledger.keys import PinKey
from sanarip_hub.ledger.merkle import MerkleTree, ProofError, leaf_hash, verify_consistency, verify_inclusion
from sanarip_hub.ledger.note import Checkpoint, NoteError, Verifier, open_checkpoint
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.storage.models import LedgerCheckpoint, LedgerEntryRow, LedgerSubject

FORMAT = "sanarip-hub evidence bundle v1"


class BundleError(HubError):
    """A bundle is malformed or does not verify; ``seq`` names the entry when one is to blame."""

    code = "ledger.bundle"

    def __init__(self, message: str, seq: int | None = None) -> None:
        self.seq = seq
        super().__init__(
            f"bundle verification failed at seq {seq}: {message}"
            if seq is not None
            else f"bundle verification failed: {message}"
        )


@dataclass(frozen=True)
class BundleSummary:
    origin: str
    entries: int
    tree_size: int
    checkpoints: tuple[int, ...]


def export_bundle(
    ledger: Ledger,
    target: Path,
    since_ms: int | None = None,
    until_ms: int | None = None,
    pin: str | None = None,
    pin_key: PinKey | None = None,
) -> BundleSummary:
    """Write the entries of ``[since_ms, until_ms)`` (optionally of one data subject) as a bundle."""
    ledger.checkpoint()  # the newest checkpoint must cover every exported entry
    engine: Engine = ledger.engine
    e = LedgerEntryRow
    with engine.connect() as connection:
        checkpoints = connection.execute(
            select(LedgerCheckpoint.size, LedgerCheckpoint.note).order_by(LedgerCheckpoint.size)
        ).all()
        if not checkpoints:
            raise BundleError("the ledger has no checkpoint yet (it is empty)")
        newest_size, newest_note = checkpoints[-1]
        query = select(e.seq, e.body).where(e.seq < newest_size).order_by(e.seq)
        pin_hash = None
        if pin is not None:
            if pin_key is None:
                raise BundleError("exporting by PIN needs the ledger's PIN key")
            pin_hash = pin_key.hash_pin(pin)
            query = query.join(LedgerSubject, LedgerSubject.seq == e.seq).where(
                LedgerSubject.pin_hash == pin_hash
            )
        if since_ms is not None:
            query = query.where(e.time_ms >= since_ms)
        if until_ms is not None:
            query = query.where(e.time_ms < until_ms)
        entries = connection.execute(query).all()
        hashes = list(
            connection.execute(select(e.entry_hash).where(e.seq < newest_size).order_by(e.seq)).scalars()
        )
    tree = MerkleTree(hashes)
    notes = {newest_size: newest_note}
    consistency: list[dict[str, Any]] = []
    first_seq = entries[0].seq if entries else newest_size
    earlier = [(size, note) for size, note in checkpoints if size <= first_seq and size < newest_size]
    if earlier:
        old_size, old_note = earlier[-1]
        notes[old_size] = old_note
        consistency.append(
            {
                "old": old_size,
                "new": newest_size,
                "proof": [p.hex() for p in tree.consistency_proof(old_size, newest_size)],
            }
        )
    manifest = {
        "format": FORMAT,
        "origin": ledger.origin,
        "since_ms": since_ms,
        "until_ms": until_ms,
        "pin_hash": pin_hash,
        "tree_size": newest_size,
        "checkpoints": sorted(notes),
        "entries": len(entries),
    }
    proofs = {
        "tree_size": newest_size,
        "inclusion": {
            str(seq): [p.hex() for p in tree.inclusion_proof(seq, newest_size)] for seq, _ in entries
        },
        "consistency": consistency,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
        archive.writestr("entries.jsonl", b"".join(body + b"\n" for _, body in entries))
        for size, note in notes.items():
            archive.writestr(f"checkpoints/{size}.note", note)
        archive.writestr("proofs.json", json.dumps(proofs))
    partial.replace(target)
    return BundleSummary(ledger.origin, len(entries), newest_size, tuple(sorted(notes)))


def verify_bundle(path: Path, verifier: Verifier) -> BundleSummary:
    """Verify a bundle offline with the log's verifier key; raise :class:`BundleError` on failure."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            proofs = json.loads(archive.read("proofs.json"))
            lines = archive.read("entries.jsonl").splitlines()
            notes = {
                int(name.split("/")[1].removesuffix(".note")): archive.read(name).decode()
                for name in archive.namelist()
                if name.startswith("checkpoints/")
            }
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path} is not a readable evidence bundle ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BundleError(f"unknown bundle format {manifest.get('format')!r}")
    origin = manifest["origin"]
    checkpoints: dict[int, Checkpoint] = {}
    for size, note in sorted(notes.items()):
        try:
            checkpoint = open_checkpoint(note, verifier, origin)
        except NoteError as exc:
            raise BundleError(f"forged checkpoint of size {size}: {exc}") from None
        if checkpoint.size != size:
            raise BundleError(f"checkpoint file {size}.note holds size {checkpoint.size}")
        checkpoints[size] = checkpoint
    tree_size = proofs.get("tree_size")
    if tree_size not in checkpoints or manifest.get("tree_size") != tree_size:
        raise BundleError("the proofs do not end at a signed checkpoint in the bundle")
    newest = checkpoints[tree_size]
    try:
        for item in proofs["consistency"]:
            old, new = checkpoints[item["old"]], checkpoints[item["new"]]
            verify_consistency(
                old.size, new.size, old.root, new.root, [bytes.fromhex(p) for p in item["proof"]]
            )
    except (ProofError, KeyError, ValueError) as exc:
        raise BundleError(f"checkpoints are not consistent: {exc}") from None
    if len(lines) != manifest.get("entries"):
        raise BundleError(
            f"the manifest lists {manifest.get('entries')} entries, the bundle holds {len(lines)}"
        )
    previous: tuple[int, bytes] | None = None
    for line in lines:
        try:
            document = json.loads(line)
            seq = int(document["seq"])
        except (ValueError, KeyError, TypeError):
            raise BundleError("an entry line is not a ledger entry") from None
        digest = leaf_hash(line)
        try:
            verify_inclusion(
                seq, tree_size, digest, [bytes.fromhex(p) for p in proofs["inclusion"][str(seq)]], newest.root
            )
        except (ProofError, KeyError, ValueError) as exc:
            raise BundleError(f"entry is not in the signed tree: {exc}", seq) from None
        if previous is not None and previous[0] + 1 == seq and document.get("prev") != previous[1].hex():
            raise BundleError("entry does not follow the previous entry's hash", seq)
        previous = (seq, digest)
    return BundleSummary(origin, len(lines), tree_size, tuple(sorted(checkpoints)))
