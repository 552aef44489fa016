"""``sanarip-hub ledger verify``: recompute the chain, the Merkle tree and every checkpoint.

Each entry is checked against what was signed, in this order, and the first failure is reported
with its sequence number and why:

* **missing** — a sequence number is absent (a deleted row), or the ledger ends before its head or
  a signed checkpoint says it should (a truncated tail);
* **altered** — the stored hash does not match the stored bytes, a column differs from the hashed
  bytes (including the data-subject index), or the tree root at a checkpoint differs from the signed
  root;
* **reordered** — an entry's bytes carry another sequence number, or do not follow the previous
  entry's hash;
* **forged checkpoint** — a checkpoint's signature does not verify under the auditor's key, or it
  names another log.

Entries after the newest checkpoint are protected by the hash chain and the head row; checkpoints
(every ``ledger.checkpoint_interval`` seconds) bound what an attacker with database access could
silently cut from the tail.

Beyond the database, verification compares the tree with every checkpoint in the **checkpoint
log** (a logged checkpoint missing from the database, or a tree that does not match one, is
named), with every **cosignature** kept there or in the database (a tail cut below a cosigned size
is named), and with every **witness** it can reach: the newest checkpoint is submitted with a
consistency proof from the size the witness last cosigned, which a rewritten or forked tree
cannot produce.  Unreachable witnesses are reported, not failed.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from sanarip_hub.config import Settings
from sanarip_hub.domain.exchange import KEYS
from sanarip_hub.errors import LedgerIntegrityError, NoteError
from sanarip_hub.ledger.checkpoint_log import CheckpointLog
from sanarip_hub.ledger.frontier import Frontier
from sanarip_hub.ledger.merkle import leaf_hash
from sanarip_hub.ledger.note import Checkpoint, Verifier, open_checkpoint, open_note
from sanarip_hub.ledger.store import GENESIS_HASH
from sanarip_hub.ledger.verify_range import Parallel
from sanarip_hub.ledger.witness import WitnessEndpoint, witness_endpoints
from sanarip_hub.storage.ledger_rows import LedgerRows, Scan

if TYPE_CHECKING:  # handed to storage
    from sqlalchemy import Engine

CHUNK = 20_000
COLUMNS = KEYS  # columns compared with the hashed bytes: column name -> canonical key


_FIXED = ("seq", "prev_hash", "entry_hash", "body")
# Fetched per entry: seq, prev_hash, entry_hash, body, then the compared columns in COLUMNS order, so
# the check is one tuple comparison instead of one attribute lookup per column.
_KEYS = tuple(COLUMNS.values())
_FIRST = len(_FIXED)


@dataclass
class Verified:
    """What a successful verification covered."""

    entries: int
    checkpoints: int
    size: int
    last_checkpoint: Checkpoint | None = None
    logged: int = 0  # checkpoints of the checkpoint log that matched
    cosigned: int = 0  # the largest size any witness cosignature covers
    witnesses: list[str] = field(default_factory=list)  # one line per witness asked


class _Walk:
    """Follows the ledger entry by entry: sequence, chain, Merkle frontier and checkpoints."""

    def __init__(self, checkpoints: dict[int, Checkpoint], from_seq: int) -> None:
        self.checkpoints = checkpoints
        self.from_seq = from_seq
        self.frontier = Frontier()
        self.prev = GENESIS_HASH
        self.expected = 0
        self.checked = 0

    def visit(
        self, seq: int, digest: bytes, row: Sequence[Any] | None, archived: bytes | None, subjects: list[str]
    ) -> None:
        if seq != self.expected:
            raise LedgerIntegrityError(
                self.expected, "missing", f"entry {self.expected} is missing (the next stored entry is {seq})"
            )
        if seq >= self.from_seq:
            if row is not None:
                _check_entry(row, self.prev, subjects)
            else:
                assert archived is not None
                _check_bytes(seq, digest, archived, self.prev, self.prev, subjects)
            self.checked += 1
        self.prev = digest
        self.expected += 1
        self.grow([digest])

    def grow(self, leaves: list[bytes]) -> None:
        """Add checked leaves to the tree, comparing its root with each checkpoint reached."""
        frontier, checkpoints = self.frontier, self.checkpoints
        for digest in leaves:
            frontier.append(digest)
            signed = checkpoints.get(frontier.size)
            if signed is not None and frontier.root() != signed.root:
                raise LedgerIntegrityError(
                    frontier.size - 1,
                    "altered",
                    f"the tree of size {frontier.size} does not match its signed checkpoint",
                )


def verify_ledger(
    engine: Engine,
    verifier: Verifier | Iterable[Verifier],
    origin: str,
    from_seq: int = 0,
    archive_dir: Path | None = None,
    checkpoint_log: CheckpointLog | None = None,
    witnesses: Iterable[WitnessEndpoint] = (),
    parallel: Parallel | None = None,
) -> Verified:
    """Verify the stored ledger (archive segments first, then the live entries) against its own
    checkpoints, the checkpoint log and the witnesses; raise :class:`LedgerIntegrityError` on the
    first problem.  ``verifier`` may be several keys (the log's current and retired ones).
    Entries before ``from_seq`` are trusted: their stored hashes only rebuild the chain and tree.
    With ``parallel`` (the composition root's worker check and count), a large live ledger is
    checked in stretches by several processes (:mod:`.verify_range`)."""
    from sanarip_hub.errors import ArchiveError
    from sanarip_hub.ledger.archive import read_segment

    verifiers = [verifier] if isinstance(verifier, Verifier) else list(verifier)
    witnesses = list(witnesses)
    rows_of = LedgerRows(engine)
    head = rows_of.head()
    checkpoints: dict[int, Checkpoint] = {}
    for size, stored_root, note in rows_of.checkpoint_rows():
        try:
            checkpoint = open_checkpoint(note, verifiers, origin)
        except NoteError as exc:
            raise LedgerIntegrityError(
                max(size - 1, 0), "forged checkpoint", f"checkpoint of size {size}: {exc}"
            ) from None
        if checkpoint.size != size or checkpoint.root != stored_root:
            raise LedgerIntegrityError(
                max(size - 1, 0),
                "forged checkpoint",
                f"checkpoint row of size {size} differs from its signed note",
            )
        checkpoints[size] = checkpoint
    in_database = set(checkpoints)
    logged = _logged(checkpoint_log, verifiers, origin, checkpoints)
    cosigned = _cosigned(rows_of, checkpoint_log, verifiers, witnesses, origin)
    walk = _Walk(checkpoints, from_seq)
    with rows_of.scan() as scan:
        segments = rows_of.segments()
        previous_note: str | None = None
        for segment in segments:
            if archive_dir is None:
                raise LedgerIntegrityError(
                    segment.first_seq,
                    "missing",
                    "the ledger has archive segments; verification needs the archive directory",
                )
            if segment.first_seq != walk.expected:
                raise LedgerIntegrityError(
                    walk.expected,
                    "missing",
                    f"archive segment {segment.segment} starts at {segment.first_seq}",
                )
            try:
                for item in read_segment(archive_dir, segment, verifiers, origin, previous_note):
                    walk.visit(item.seq, leaf_hash(item.body), None, item.body, item.subjects)
            except ArchiveError as exc:
                raise LedgerIntegrityError(segment.first_seq, exc.kind, str(exc)) from None
            if walk.expected != segment.end_seq:
                raise LedgerIntegrityError(
                    walk.expected,
                    "missing",
                    f"archive segment {segment.segment} ends before {segment.end_seq}",
                )
            previous_note = segment.note

        live = head.size - walk.expected
        if parallel is not None and live >= PARALLEL_MIN and from_seq <= walk.expected:
            _walk_in_parallel(scan, parallel, walk, checkpoints)
        top = scan.top()
        window = walk.expected
        while top is not None and window <= top:
            rows = scan.entries(window, window + CHUNK)
            window += CHUNK
            if not rows:
                continue
            first, last = rows[0][0], rows[-1][0]
            subjects = scan.subjects(first, last)
            trusted = [row for row in rows if row[0] < from_seq] if first < from_seq else []
            for row in trusted:
                walk.visit(row[0], bytes(row[2]), row, None, subjects.get(row[0], []))
            rest = rows[len(trusted) :]
            if rest:
                leaves: list[bytes] = []
                walk.prev, expected = check_rows(rest, subjects, walk.prev, walk.expected, leaves)
                walk.checked += expected - walk.expected
                walk.expected = expected
                walk.grow(leaves)

    expected, prev = walk.expected, walk.prev
    top_cosigned = max(cosigned, default=0)
    if top_cosigned > expected:
        raise LedgerIntegrityError(
            expected,
            "missing",
            f"the ledger ends at {expected} entries but witness {cosigned[top_cosigned]} cosigned a tree of "
            f"{top_cosigned} (tail cut below a cosigned size)",
        )
    beyond = [size for size in checkpoints if size > expected]
    if head.size > expected or beyond:
        claimed = max([head.size, *beyond])
        raise LedgerIntegrityError(
            expected,
            "missing",
            f"the ledger ends at {expected} entries but {claimed} were recorded (truncated tail)",
        )
    if head.size != expected or head.last_hash != prev:
        raise LedgerIntegrityError(
            max(expected - 1, 0), "altered", "the head row does not match the last entry"
        )
    for size in logged:  # a checkpoint the log holds must still be in the database
        if size not in in_database:
            raise LedgerIntegrityError(
                max(size - 1, 0),
                "missing",
                f"the checkpoint of size {size} is in the checkpoint log but its database row is gone",
            )
    newest = checkpoints[max(in_database)] if in_database else None
    result = Verified(walk.checked, len(in_database), expected, newest, len(logged), top_cosigned)
    if newest is not None and witnesses:
        result.witnesses = _ask_witnesses(engine, archive_dir, witnesses, newest, expected)
    return result


PARALLEL_MIN = 100_000  # fewer live entries than this are quicker checked in one process
STRETCH = 1 << 16  # entries per worker task; a power of two, so that stretches are aligned subtrees


def _walk_in_parallel(
    scan: Scan, parallel: Parallel, walk: _Walk, checkpoints: dict[int, Checkpoint]
) -> None:
    """Check the live entries in stretches on every core and stitch them into ``walk``."""
    import concurrent.futures
    import itertools
    import multiprocessing

    top = scan.top()
    if top is None:
        return
    end = top + 1
    bounds = [walk.expected, *range((walk.expected // STRETCH + 1) * STRETCH, end, STRETCH), end]
    stretches = list(itertools.pairwise(bounds))
    sizes = sorted(checkpoints)
    context = multiprocessing.get_context("spawn")  # a server process has threads: never fork it
    with concurrent.futures.ProcessPoolExecutor(max_workers=parallel.workers, mp_context=context) as pool:
        futures = [
            pool.submit(parallel.check, start, stop, [s for s in sizes if start < s <= stop], STRETCH)
            for start, stop in stretches
        ]
        for (start, stop), future in zip(stretches, futures, strict=True):
            stretch = future.result()
            if stretch.error is not None:
                raise LedgerIntegrityError(*stretch.error)
            if stretch.end < stop:  # the stretch ran out before its end: name the gap as the walk does
                following = scan.next_from(stretch.end)
                if stretch.end == start or following is not None:
                    raise LedgerIntegrityError(
                        stretch.end,
                        "missing",
                        f"entry {stretch.end} is missing (the next stored entry is {following})",
                    )
            if stretch.first_prev != walk.prev:
                raise LedgerIntegrityError(
                    start, "reordered", "the entry does not follow the previous entry's hash"
                )
            for size, parts in stretch.at_sizes.items():
                at = walk.frontier.copy()
                for level, digest in parts:
                    at.append_subtree(level, digest)
                if at.root() != checkpoints[size].root:
                    raise LedgerIntegrityError(
                        size - 1, "altered", f"the tree of size {size} does not match its signed checkpoint"
                    )
            for level, digest in stretch.blocks:
                walk.frontier.append_subtree(level, digest)
            walk.checked += stretch.end - start
            walk.expected = stretch.end
            assert stretch.last_hash is not None
            walk.prev = stretch.last_hash


def _logged(
    checkpoint_log: CheckpointLog | None,
    verifiers: list[Verifier],
    origin: str,
    checkpoints: dict[int, Checkpoint],
) -> set[int]:
    """Sizes of the checkpoint log's checkpoints (added to ``checkpoints`` so the walk checks the
    tree against them); a logged note that does not verify, or differs from the database's
    checkpoint of its size, is named."""
    if checkpoint_log is None:
        return set()
    sizes: set[int] = set()
    for record in checkpoint_log.read():
        try:
            checkpoint = open_checkpoint(record.note, verifiers, origin)
        except NoteError as exc:
            raise LedgerIntegrityError(
                max(record.size - 1, 0), "forged checkpoint", f"checkpoint log line {record.line}: {exc}"
            ) from None
        known = checkpoints.get(checkpoint.size)
        if known is not None and known.root != checkpoint.root:
            raise LedgerIntegrityError(
                max(checkpoint.size - 1, 0),
                "altered",
                f"the checkpoint of size {checkpoint.size} in the database differs from the one in the "
                f"checkpoint log (line {record.line})",
            )
        checkpoints.setdefault(checkpoint.size, checkpoint)
        sizes.add(checkpoint.size)
    return sizes


def _cosigned(
    rows_of: LedgerRows,
    checkpoint_log: CheckpointLog | None,
    verifiers: list[Verifier],
    witnesses: list[WitnessEndpoint],
    origin: str,
) -> dict[int, str]:
    """Sizes some configured witness has (verifiably) cosigned → the witness's name."""
    if not witnesses:
        return {}
    keys = [w.verifier for w in witnesses]
    notes = [r.note for r in checkpoint_log.read()] if checkpoint_log is not None else []
    notes += rows_of.cosigned_notes()
    found: dict[int, str] = {}
    for note in notes:
        try:
            opened = open_note(note, [*verifiers, *keys])
        except NoteError:
            continue
        names = [name for name in opened.verified_by if name in {k.name for k in keys}]
        if names and origin in opened.verified_by:
            found[Checkpoint.parse(opened.text).size] = names[0]
    return found


def _ask_witnesses(
    engine: Engine, archive_dir: Path | None, witnesses: list[WitnessEndpoint], newest: Checkpoint, size: int
) -> list[str]:
    """Submit the newest checkpoint to each witness with a proof from what it last cosigned."""
    from sanarip_hub.errors import WitnessError
    from sanarip_hub.ledger.publish import CheckpointPublisher
    from sanarip_hub.ledger.witness import submit

    note = LedgerRows(engine).checkpoint_note(newest.size)
    publisher = CheckpointPublisher(engine, None, witnesses, archive_dir)
    tree: Any = None

    def proof_from(old: int) -> list[bytes]:
        nonlocal tree
        if tree is None:
            from sanarip_hub.ledger.tree import LedgerTree

            tree = LedgerTree(engine, archive_dir, newest.size)
        return list(tree.consistency_proof(old, newest.size))

    lines = []
    for witness in witnesses:
        name = witness.verifier.name
        try:
            submit(witness, note, newest.size, proof_from, publisher.last_cosigned(witness))
        except WitnessError as exc:
            if exc.kind == "unreachable":
                lines.append(f"witness {name}: not reachable ({exc})")
                continue
            if exc.kind == "ahead":
                cut = f"witness {name} cosigned size {exc.size}; the ledger holds {size} entries"
                raise LedgerIntegrityError(
                    size, "missing", cut + " (tail cut below a cosigned size)"
                ) from None
            if exc.kind in ("inconsistent", "conflict"):
                fork = f"the tree is not consistent with what witness {name} cosigned at size {exc.size}"
                raise LedgerIntegrityError(max((exc.size or 1) - 1, 0), "altered", fork) from None
            lines.append(f"witness {name}: refused ({exc})")
            continue
        lines.append(f"witness {name}: consistent up to size {newest.size}")
    return lines


def check_rows(
    rows: Sequence[Any],
    subjects: dict[int, list[str]],
    prev: bytes,
    expected: int,
    leaves: list[bytes] | None,
) -> tuple[bytes, int]:
    """Check stored rows in sequence order (one tight loop: a million entries go through it);
    returns the last hash and the next expected number, appends each leaf hash to ``leaves``.
    On the first doubt the slow checks run again on that row, to name exactly what is wrong."""
    sha256 = hashlib.sha256
    first = _FIRST
    columns_of = operator.itemgetter(*_KEYS)  # the hashed bytes' values, in column order, in one call
    loads = orjson.loads
    for row in rows:
        seq = row[0]
        if seq != expected:
            raise LedgerIntegrityError(
                expected, "missing", f"entry {expected} is missing (the next stored entry is {seq})"
            )
        raw, digest = row[3], row[2]
        listed = subjects.get(seq)
        try:
            body = loads(raw) if sha256(b"\x00" + raw).digest() == digest else None
            doubt = (
                body is None
                or body.get("seq") != seq
                or row[1] != prev
                or body.get("prev") != prev.hex()
                or (sorted(listed) if listed else []) != body.get("sub")
                or row[first:] != columns_of(body)
            )
        except (AttributeError, TypeError, ValueError, KeyError):
            doubt = True
        if doubt:
            _check_entry(row, prev, listed or [])  # raises, naming the problem
            raise LedgerIntegrityError(seq, "altered", "the entry does not match its hashed bytes")
        prev = digest
        expected += 1
        if leaves is not None:
            leaves.append(digest)
    return prev, expected


def _check_entry(row: Sequence[Any], prev: bytes, subject_index: list[str]) -> None:
    seq = row[0]
    body = _check_bytes(seq, bytes(row[2]), bytes(row[3]), prev, bytes(row[1]), subject_index)
    if tuple(row[_FIRST:]) != tuple(map(body.get, _KEYS)):
        for column, key, value in zip(COLUMNS, _KEYS, row[_FIRST:], strict=True):  # name the culprit
            if value != body.get(key):
                raise LedgerIntegrityError(seq, "altered", f"column {column} differs from the hashed entry")


def _check_bytes(
    seq: int, digest: bytes, raw: bytes, prev: bytes, prev_column: bytes, subject_index: list[str]
) -> dict[str, Any]:
    """Checks that need only the hashed bytes: hash, sequence, chain link, subject index."""
    if leaf_hash(raw) != digest:
        raise LedgerIntegrityError(seq, "altered", "the stored hash does not match the entry's bytes")
    try:
        body: dict[str, Any] = orjson.loads(raw)
    except (ValueError, orjson.JSONDecodeError):
        raise LedgerIntegrityError(seq, "altered", "the entry's bytes are not valid JSON") from None
    if body.get("seq") != seq:
        raise LedgerIntegrityError(seq, "reordered", f"the entry stored at {seq} is entry {body.get('seq')}")
    if body.get("prev") != prev.hex() or prev_column != prev:
        raise LedgerIntegrityError(seq, "reordered", "the entry does not follow the previous entry's hash")
    if sorted(subject_index) != body.get("sub"):
        raise LedgerIntegrityError(seq, "altered", "the data-subject index differs from the hashed entry")
    return body


def record_verification(engine: Engine, actor: str, ok: bool, size: int, detail: str) -> None:
    """Store a verification's outcome in ``ledger_verification`` (the dashboard shows the latest)."""
    from datetime import UTC, datetime

    LedgerRows(engine).record_verification(datetime.now(UTC), actor, ok, size, detail)


def verify_configured(
    engine: Engine, settings: Settings, from_seq: int = 0, parallel: Parallel | None = None
) -> Verified:
    """Verify as configured: every key the log has signed with, the archive directory, the
    checkpoint log and the witnesses of ``[ledger]``; spread over processes with ``parallel``."""
    from sanarip_hub.ledger.keys import ledger_origin, load_verifiers

    ledger = settings.ledger
    return verify_ledger(
        engine,
        load_verifiers(settings),
        ledger_origin(settings),
        from_seq,
        settings.home_path(ledger.archive_dir),
        CheckpointLog(settings.home_path(ledger.checkpoint_log)),
        witness_endpoints(ledger.witnesses),
        parallel=parallel,
    )


def summary(verified: Verified) -> str:
    """One line saying what a successful verification covered."""
    parts = [f"intact: {verified.size} entries, {verified.checkpoints} signed checkpoints"]
    if verified.logged:
        parts.append(f"{verified.logged} in the checkpoint log")
    if verified.cosigned:
        parts.append(f"cosigned up to size {verified.cosigned}")
    return ", ".join(parts)


def verify_and_record(
    engine: Engine, settings: Settings, actor: str, parallel: Parallel | None = None
) -> tuple[bool, str]:
    """Verify the whole ledger as configured and record the outcome; returns (ok, detail)."""
    import time

    started = time.perf_counter()
    try:
        verified = verify_configured(engine, settings, parallel=parallel)
        ok, size = True, verified.size
        detail = "; ".join([summary(verified), *verified.witnesses])
    except LedgerIntegrityError as problem:
        ok, size, detail = False, problem.seq, str(problem)
    detail += f" ({time.perf_counter() - started:.1f} s)"
    record_verification(engine, actor, ok, size, detail)
    return ok, detail
