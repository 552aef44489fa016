"""Evidence bundles: what an auditor takes away and verifies with nothing but the log's key.

The format is written down for independent verifiers in ``docs/bundle-format.md``; in short, a
bundle (format ``sanarip-hub evidence bundle v2``) is a ZIP file of

* ``manifest.json`` — origin, the selection (a **contiguous range of sequence numbers**
  ``[first_seq, end_seq)``, chosen by time or given; for a PIN bundle also the PIN's keyed hash),
  the number of entries, the SHA-256 of ``entries.jsonl``, the tree size and checkpoint sizes;
* ``manifest.note`` — a signed note by the log's key over the SHA-256 of ``manifest.json``: the
  selection and the count cannot be edited;
* ``entries.jsonl`` — the selected entries, each line exactly the hashed bytes plus ``\\n``;
* ``checkpoints/<size>.note`` — the newest checkpoint (every inclusion proof ends at it, with the
  witnesses' cosignatures when there are any) and the last checkpoint at or before ``first_seq``;
* ``proofs.json`` — an inclusion proof per entry, and a consistency proof from **every** other
  included checkpoint to the newest (mandatory: an emptied or missing one fails).

:func:`verify_bundle` checks, in trust order: the manifest's signature, the checkpoints'
signatures (and required cosignatures), consistency, then every entry (strictly increasing
sequence numbers, inclusion, and for a range bundle every sequence number of the range present
and each entry linked to the previous one's hash).  It returns what is proven, in words.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanarip_hub.errors import BundleError, NoteError, ProofError
from sanarip_hub.ledger.keys import PinKey
from sanarip_hub.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from sanarip_hub.ledger.note import (
    Checkpoint,
    CosignatureVerifier,
    Verifier,
    open_checkpoint,
    open_note,
    sign,
)
from sanarip_hub.ledger.store import GENESIS_HASH, Ledger
from sanarip_hub.storage.ledger_rows import LedgerRows

FORMAT = "sanarip-hub evidence bundle v2"
MANIFEST_NOTE = "sanarip-hub evidence bundle manifest v2"


@dataclass(frozen=True)
class BundleSummary:
    origin: str
    entries: int
    tree_size: int
    checkpoints: tuple[int, ...]
    proven: tuple[str, ...] = field(default=())


def _target(target: Path, force: bool) -> Path:
    """The file to write: an existing one only with ``force``; its folder must exist."""
    if target.exists() and not force:
        raise BundleError(f"{target} exists; use --force to replace it")
    if not target.parent.is_dir():
        raise BundleError(f"folder {target.parent} does not exist")
    return target


# -- export ------------------------------------------------------------------------------------------


def _range_by_time(ledger: Ledger, archive_dir: Path | None, since_ms: int | None, until_ms: int | None,
                   limit: int) -> tuple[int, int]:  # fmt: skip
    """The contiguous sequence range ``[first, end)`` from the first entry at or after ``since``
    to the last one before ``until``: times only choose the range (entry times run backwards
    between workers by up to 0.1 s), every entry inside it is included."""
    rows = LedgerRows(ledger.engine)
    first, last = rows.seq_range_by_time(limit, since_ms, until_ms)
    segments = rows.segments()
    for segment in segments:  # archived entries count too
        if archive_dir is None:
            raise BundleError("the ledger has archive segments; exporting needs the archive directory")
        with zipfile.ZipFile(archive_dir / segment.file) as archive:
            for line in archive.read("entries.jsonl").splitlines():
                entry = json.loads(line)
                seq, moment = entry["seq"], entry["t"]
                if seq >= limit:
                    continue
                if (since_ms is None or moment >= since_ms) and (first is None or seq < first):
                    first = seq
                if (until_ms is None or moment < until_ms) and (last is None or seq > last):
                    last = seq
    if first is None or last is None or last < first:
        return limit, limit
    return first, last + 1


def _subject_seqs(
    ledger: Ledger, archive_dir: Path | None, pin_hashes: list[str], first: int, end: int
) -> list[int]:
    rows = LedgerRows(ledger.engine)
    seqs = rows.subject_seqs(pin_hashes, first, end)
    segments = rows.segments()
    for segment in segments:
        if archive_dir is None or segment.end_seq <= first or segment.first_seq >= end:
            continue
        with zipfile.ZipFile(archive_dir / segment.file) as archive:
            for line in archive.read("subjects.jsonl").splitlines():
                seq, value = json.loads(line)
                if value in pin_hashes and first <= seq < end:
                    seqs.add(seq)
    return sorted(seqs)


def export_bundle(
    ledger: Ledger,
    target: Path,
    since_ms: int | None = None,
    until_ms: int | None = None,
    pin: str | None = None,
    pin_key: PinKey | None = None,
    *,
    first_seq: int | None = None,
    end_seq: int | None = None,
    archive_dir: Path | None = None,
    force: bool = False,
) -> BundleSummary:
    """Write the entries of a contiguous sequence range (chosen by ``first_seq``/``end_seq``, or by
    time) as a bundle; with ``pin``, only that data subject's entries of the range."""
    from sanarip_hub.ledger.tree import LedgerTree, bodies

    _target(target, force)
    ledger.checkpoint(wait_for_witnesses=True)  # the newest checkpoint must cover every exported entry
    engine = ledger.engine
    rows = LedgerRows(engine)
    checkpoints = rows.checkpoints()
    if not checkpoints:
        raise BundleError("the ledger has no checkpoint yet (it is empty)")
    newest_size, newest_note = checkpoints[-1]
    newest_note = newest_note + "".join(rows.cosignature_lines(newest_size))
    if first_seq is not None or end_seq is not None:
        first = first_seq or 0
        end = min(newest_size if end_seq is None else end_seq, newest_size)
    else:
        first, end = _range_by_time(ledger, archive_dir, since_ms, until_ms, newest_size)
    pin_hashes: list[str] | None = None
    if pin is not None:
        if pin_key is None:
            raise BundleError("exporting by PIN needs the ledger's PIN key")
        pin_hashes = pin_key.pin_hashes(pin)  # under every PIN key the ledger has used
        seqs = _subject_seqs(ledger, archive_dir, pin_hashes, first, end)
    else:
        seqs = list(range(first, end))
    found = bodies(engine, archive_dir, seqs)
    if len(found) != len(seqs):
        missing = sorted(set(seqs) - set(found))[0]
        raise BundleError(f"entry {missing} is neither stored nor archived; run 'sanarip-hub ledger verify'")
    tree = LedgerTree(engine, archive_dir, newest_size)
    notes = {newest_size: newest_note}
    earlier = [(size, note) for size, note in checkpoints if size <= first and size < newest_size]
    if earlier:
        notes[earlier[-1][0]] = earlier[-1][1]
    entries_data = b"".join(found[seq] + b"\n" for seq in seqs)
    manifest = {
        "format": FORMAT,
        "origin": ledger.origin,
        "selection": {
            "kind": "pin" if pin_hashes else "range",
            "first_seq": first,
            "end_seq": end,
            "since_ms": since_ms,
            "until_ms": until_ms,
            "pin_hashes": pin_hashes,
        },
        "tree_size": newest_size,
        "checkpoints": sorted(notes),
        "entries": len(seqs),
        "entries_sha256": hashlib.sha256(entries_data).hexdigest(),
    }
    manifest_data = json.dumps(manifest, indent=1, sort_keys=True).encode()
    manifest_note = sign(
        f"{MANIFEST_NOTE}\n{hashlib.sha256(manifest_data).hexdigest()}\n", [ledger.keys.signer]
    )
    proofs = {
        "tree_size": newest_size,
        "inclusion": {str(seq): [p.hex() for p in tree.inclusion_proof(seq, newest_size)] for seq in seqs},
        "consistency": {
            str(size): [p.hex() for p in tree.consistency_proof(size, newest_size)]
            for size in notes
            if size != newest_size
        },
    }
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest_data)
        archive.writestr("manifest.note", manifest_note)
        archive.writestr("entries.jsonl", entries_data)
        for size, note in notes.items():
            archive.writestr(f"checkpoints/{size}.note", note)
        archive.writestr("proofs.json", json.dumps(proofs))
    partial.replace(target)
    return BundleSummary(ledger.origin, len(seqs), newest_size, tuple(sorted(notes)))


# -- verification --------------------------------------------------------------------------------------


def _read(path: Path) -> tuple[bytes, str, dict[str, Any], bytes, dict[int, str]]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if len(names) != len(set(names)):
                raise BundleError("the bundle holds a file twice")
            manifest_data = archive.read("manifest.json")
            manifest_note = archive.read("manifest.note").decode()
            proofs = json.loads(archive.read("proofs.json"))
            entries = archive.read("entries.jsonl")
            notes = {}
            for name in names:
                if name.startswith("checkpoints/"):
                    stem = name.split("/", 1)[1].removesuffix(".note")
                    if not stem.isdigit() or not name.endswith(".note"):
                        raise BundleError(f"unexpected file {name}")
                    notes[int(stem)] = archive.read(name).decode()
    except BundleError:
        raise
    except KeyError as exc:
        raise BundleError(f"{path} lacks {exc.args[0]}") from None
    except (OSError, zipfile.BadZipFile, ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path} is not a readable evidence bundle ({exc})") from None
    return manifest_data, manifest_note, proofs, entries, notes


def _hashes(values: Any, what: str) -> list[bytes]:
    if not isinstance(values, list):
        raise BundleError(f"{what} is not a list of hashes")
    try:
        return [bytes.fromhex(v) for v in values]
    except (TypeError, ValueError):
        raise BundleError(f"{what} holds something that is not a hex hash") from None


def verify_bundle(
    path: Path,
    verifier: Verifier | Sequence[Verifier],
    witness_keys: Iterable[CosignatureVerifier] = (),
) -> BundleSummary:
    """Verify a bundle offline with the log's verifier key(s) and, if given, require the newest
    checkpoint to carry a cosignature by each witness key; raise :class:`BundleError` on failure."""
    verifiers = [verifier] if isinstance(verifier, Verifier) else list(verifier)
    witness_keys = list(witness_keys)
    manifest_data, manifest_note, proofs, entries, notes = _read(path)
    # 1. the manifest, as signed
    try:
        opened = open_note(manifest_note, verifiers)
    except NoteError as exc:
        raise BundleError(f"the manifest's signature does not verify: {exc}") from None
    if opened.text != f"{MANIFEST_NOTE}\n{hashlib.sha256(manifest_data).hexdigest()}\n":
        raise BundleError("manifest.json is not the manifest that was signed")
    try:
        manifest = json.loads(manifest_data)
        selection = manifest["selection"]
        origin, tree_size, count = manifest["origin"], manifest["tree_size"], manifest["entries"]
        first, end, kind = selection["first_seq"], selection["end_seq"], selection["kind"]
    except (ValueError, KeyError, TypeError):
        raise BundleError("manifest.json lacks the fields of format v2") from None
    if manifest.get("format") != FORMAT:
        raise BundleError(
            f"unknown bundle format {manifest.get('format')!r} (this verifier reads {FORMAT!r})"
        )
    if hashlib.sha256(entries).hexdigest() != manifest.get("entries_sha256"):
        raise BundleError("entries.jsonl is not the file the manifest names")
    # 2. the checkpoints, as signed (and cosigned)
    if sorted(notes) != manifest.get("checkpoints") or tree_size not in notes or tree_size != max(notes):
        raise BundleError("the checkpoints in the bundle are not those the manifest names, newest last")
    checkpoints: dict[int, Checkpoint] = {}
    for size, note in sorted(notes.items()):
        try:
            checkpoint = open_checkpoint(note, verifiers, origin)
        except NoteError as exc:
            raise BundleError(f"forged checkpoint of size {size}: {exc}") from None
        if checkpoint.size != size:
            raise BundleError(f"checkpoint file {size}.note holds size {checkpoint.size}")
        checkpoints[size] = checkpoint
    newest = checkpoints[tree_size]
    for witness in witness_keys:
        try:
            cosigned = open_note(notes[tree_size], [witness])
        except NoteError:
            cosigned = None
        if cosigned is None or witness.name not in cosigned.verified_by:
            raise BundleError(
                f"the newest checkpoint (size {tree_size}) carries no cosignature by {witness.name}"
            )
    # 3. consistency from every other checkpoint to the newest: each proof is mandatory
    consistency = proofs.get("consistency")
    if not isinstance(consistency, dict) or sorted(map(int, consistency)) != sorted(
        s for s in notes if s != tree_size
    ):
        raise BundleError("a consistency proof from each included checkpoint to the newest is required")
    for size_text, proof in consistency.items():
        old = checkpoints[int(size_text)]
        try:
            verify_consistency(
                old.size, newest.size, old.root, newest.root, _hashes(proof, "a consistency proof")
            )
        except ProofError as exc:
            raise BundleError(
                f"checkpoint {old.size} is not consistent with checkpoint {tree_size}: {exc}"
            ) from None
    # 4. the entries
    lines = entries.split(b"\n")
    if lines[-1] != b"":
        raise BundleError("entries.jsonl must end each line with a newline")
    lines = lines[:-1]
    if len(lines) != count:
        raise BundleError(f"the manifest lists {count} entries, the bundle holds {len(lines)}")
    if not (isinstance(first, int) and isinstance(end, int) and 0 <= first <= end <= tree_size):
        raise BundleError("the selected range is not inside the signed tree")
    if kind == "range" and count != end - first:
        raise BundleError(f"a range bundle of [{first}, {end}) must hold {end - first} entries, not {count}")
    inclusion = proofs.get("inclusion")
    if not isinstance(inclusion, dict):
        raise BundleError("an inclusion proof for each entry is required")
    previous: tuple[int, bytes] | None = None
    expected = first
    for line in lines:
        try:
            document = json.loads(line)
            seq = int(document["seq"])
        except (ValueError, KeyError, TypeError):
            raise BundleError("an entry line is not a ledger entry") from None
        if previous is not None and seq <= previous[0]:
            raise BundleError("entries must come in strictly increasing order (a repeated entry?)", seq)
        if not first <= seq < end:
            raise BundleError(f"entry lies outside the selected range [{first}, {end})", seq)
        if kind == "range":
            if seq != expected:
                raise BundleError(f"entry {expected} of the range is missing", expected)
            expected += 1
        elif kind == "pin" and not set(selection.get("pin_hashes") or []) & set(document.get("sub") or []):
            raise BundleError("entry does not concern the selected data subject", seq)
        digest = leaf_hash(line)
        if str(seq) not in inclusion:
            raise BundleError("the entry has no inclusion proof", seq)
        try:
            verify_inclusion(seq, tree_size, digest, _hashes(inclusion.get(str(seq)), "an inclusion proof"),
                             newest.root)  # fmt: skip
        except ProofError as exc:
            raise BundleError(f"entry is not in the signed tree: {exc}", seq) from None
        link = previous[1] if previous is not None and previous[0] + 1 == seq else None
        if seq == 0:
            link = GENESIS_HASH
        if link is not None and document.get("prev") != link.hex():
            raise BundleError("entry does not follow the previous entry's hash", seq)
        previous = (seq, digest)
    if len(inclusion) != count:
        raise BundleError("the proofs name entries the bundle does not hold")
    return BundleSummary(
        origin, count, tree_size, tuple(sorted(checkpoints)), _proven(manifest, witness_keys)
    )


def _proven(manifest: dict[str, Any], witnesses: list[CosignatureVerifier]) -> tuple[str, ...]:
    selection = manifest["selection"]
    first, end, size = selection["first_seq"], selection["end_seq"], manifest["tree_size"]
    lines = [f"proven: every entry is in the log {manifest['origin']} as signed at size {size}"]
    if selection["kind"] == "range":
        lines.append(f"proven: the bundle holds every entry numbered {first} to {end - 1}, none dropped")
    else:
        lines.append(
            f"proven: each entry names the data subject {selection['pin_hashes'][0][:16]}… (keyed hash) "
            f"and lies in {first}..{end - 1}"
        )
        lines.append(
            "not proven: that no other entry of that range concerns the person (the subject index is not "
            "signed); a range bundle of the same period shows every entry, to check their subjects"
        )
    if witnesses:
        lines.append(f"proven: the newest checkpoint is cosigned by {', '.join(w.name for w in witnesses)}")
    else:
        lines.append("not checked: witness cosignatures (give --witness-key)")
    return tuple(lines)
