"""Retention: old ledger entries move into signed, hash-linked archive segments.

``sanarip-hub ledger archive`` takes the entries older than ``ledger.retention_days`` (only entries a
signed checkpoint already covers, so every archived range stays provable) and writes them, in order,
to ``<archive_dir>/segment-<n>.zip``:

* ``entries.jsonl`` — the exact hashed bytes, one entry per line;
* ``subjects.jsonl`` — the keyed PIN hashes of each entry (``[seq, hash]`` per line);
* ``segment.note`` — a signed note (the ledger's Ed25519 key) whose text names the origin, the
  segment number, its sequence range, the SHA-256 of both files, the last entry's hash and the
  SHA-256 of the previous segment's note: segments form a chain of their own.

The file is written and fsync'ed first; the rows are deleted in the same transaction that records the
segment, so a crash leaves either the rows or the segment, never neither.  Verification reads the
segments back (see :mod:`.verify`), so archived ranges still verify, and the live chain continues
from the last archived hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sanarip_hub.errors import ArchiveError, NoteError
from sanarip_hub.ledger.note import Verifier, open_note, sign
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.storage.ledger_rows import LedgerRows, Segment

HEADER = "sanarip-hub ledger archive segment v1"


@dataclass(frozen=True)
class SegmentInfo:
    origin: str
    segment: int
    first_seq: int
    end_seq: int
    entries_sha256: str
    subjects_sha256: str
    last_hash: str
    previous: str

    def text(self) -> str:
        return (
            f"{HEADER}\n{self.origin}\n{self.segment}\n{self.first_seq} {self.end_seq}\n"
            f"{self.entries_sha256}\n{self.subjects_sha256}\n{self.last_hash}\n{self.previous}\n"
        )

    @classmethod
    def parse(cls, text: str) -> SegmentInfo:
        lines = text.split("\n")
        if len(lines) != 9 or lines[0] != HEADER or lines[8] != "":
            raise ArchiveError("not an archive segment note")
        first, _, end = lines[3].partition(" ")
        return cls(lines[1], int(lines[2]), int(first), int(end), lines[4], lines[5], lines[6], lines[7])


def note_digest(note: str) -> str:
    return hashlib.sha256(note.encode()).hexdigest()


SEGMENT_ENTRIES = 200_000  # at most this many entries per segment: bounded memory and file size


def archive_entries(
    ledger: Ledger, archive_dir: Path, cutoff_ms: int, max_entries: int = SEGMENT_ENTRIES
) -> SegmentInfo | None:
    """Move checkpointed entries older than ``cutoff_ms`` into the next segment, at most
    ``max_entries`` of them (None: nothing to do; call again until it returns None)."""
    rows = LedgerRows(ledger.engine)
    segments = rows.segments()
    previous = segments[-1] if segments else None
    start = previous.end_seq if previous is not None else 0
    covered = rows.newest_checkpoint_size()
    young = rows.first_young_seq(start, cutoff_ms)
    end = min(covered, young if young is not None else covered, start + max_entries)
    if end <= start:
        return None
    bodies, subjects = rows.stretch(start, end)
    if len(bodies) != end - start:
        raise ArchiveError(f"entries {start}..{end - 1} are not all present; run 'sanarip-hub ledger verify'")
    entries_data = b"".join(bytes(body) + b"\n" for body, _ in bodies)
    subjects_data = "".join(json.dumps([seq, pin_hash]) + "\n" for seq, pin_hash in subjects).encode()
    number = previous.segment + 1 if previous is not None else 0
    info = SegmentInfo(
        ledger.origin,
        number,
        start,
        end,
        hashlib.sha256(entries_data).hexdigest(),
        hashlib.sha256(subjects_data).hexdigest(),
        bytes(bodies[-1][1]).hex(),
        note_digest(previous.note) if previous is not None else "-",
    )
    note = sign(info.text(), [ledger.keys.signer])
    name = f"segment-{number:06d}.zip"
    if (archive_dir / name).exists():  # e.g. the database was restored from an older backup
        raise ArchiveError(
            f"archive segment {archive_dir / name} already exists and the database does not know it "
            "(restored from an older backup?); it is evidence: move it aside only after checking it"
        )
    archive_dir.mkdir(parents=True, exist_ok=True)
    partial = archive_dir / (name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("entries.jsonl", entries_data)
        archive.writestr("subjects.jsonl", subjects_data)
        archive.writestr("segment.note", note)
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    partial.replace(archive_dir / name)
    rows.archived(Segment(number, start, end, name, note))
    return info


@dataclass(frozen=True)
class ArchivedEntry:
    seq: int
    body: bytes
    subjects: list[str]


def read_segment(
    archive_dir: Path,
    row: Any,
    verifier: Verifier | Iterable[Verifier],
    origin: str,
    previous_note: str | None,
) -> Iterator[ArchivedEntry]:
    """Yield a segment's entries after checking its signature, its links and its file digests.

    ``row`` is a ``ledger_archive`` row (segment, first_seq, end_seq, file, note).
    """
    try:
        opened = open_note(row.note, [verifier] if isinstance(verifier, Verifier) else list(verifier))
    except NoteError as exc:
        raise ArchiveError(f"segment {row.segment}: forged segment note: {exc}", "forged segment") from None
    info = SegmentInfo.parse(opened.text)
    expected_previous = note_digest(previous_note) if previous_note is not None else "-"
    if (info.origin, info.segment, info.first_seq, info.end_seq) != (
        origin,
        row.segment,
        row.first_seq,
        row.end_seq,
    ):
        raise ArchiveError(f"segment {row.segment}: the record differs from its signed note")
    if info.previous != expected_previous:
        raise ArchiveError(f"segment {row.segment}: does not follow the previous segment", "reordered")
    path = archive_dir / row.file
    try:
        with zipfile.ZipFile(path) as archive:
            entries_data = archive.read("entries.jsonl")
            subjects_data = archive.read("subjects.jsonl")
            stored_note = archive.read("segment.note").decode()
    except FileNotFoundError:
        raise ArchiveError(f"segment {row.segment}: file {path} is missing", "missing") from None
    except (OSError, zipfile.BadZipFile, KeyError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"segment {row.segment}: {path} is unreadable ({exc})") from None
    if stored_note != row.note:
        raise ArchiveError(f"segment {row.segment}: the file's note differs from the recorded note")
    if hashlib.sha256(entries_data).hexdigest() != info.entries_sha256:
        raise ArchiveError(f"segment {row.segment}: entries.jsonl was altered")
    if hashlib.sha256(subjects_data).hexdigest() != info.subjects_sha256:
        raise ArchiveError(f"segment {row.segment}: subjects.jsonl was altered")
    subjects: dict[int, list[str]] = {}
    for line in subjects_data.splitlines():
        seq, pin_hash = json.loads(line)
        subjects.setdefault(seq, []).append(pin_hash)
    for line in entries_data.splitlines():
        seq = json.loads(line)["seq"]
        yield ArchivedEntry(seq, line, subjects.get(seq, []))
