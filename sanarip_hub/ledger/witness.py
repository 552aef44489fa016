"""Witnesses (C2SP tlog-witness): other parties that cosign each checkpoint after checking that it
is consistent with the last one they saw.

A witness keeps, per log origin, the latest checkpoint it cosigned.  The log sends
``POST <witness>/add-checkpoint`` with ``old <size>``, a consistency proof from that size (base64
hash lines), a blank line and the signed checkpoint; the witness answers with cosignature lines
(200), or refuses: 404 unknown log, 403 no trusted signature, 400 old size above the checkpoint's,
409 its own size differs from ``old`` (the body names it, ``text/x.tlog.size``) or the same size
with another root, 422 the proof does not verify.

Because the witness is somebody else's machine, it is the evidence that survives someone with
write access to both the hub's database and its data directory: a rewritten or cut ledger cannot
produce a consistency proof from the size a witness cosigned.

* :class:`WitnessState` is the witness's side (the server in ``cli/witness.py`` wraps it): it checks
  and persists atomically (a lock, then the state file replaced via fsync'ed rename).
* :func:`submit` is the log's side: it learns the witness's size from a 409 when it does not know
  it, sends the proof from there, and checks the cosignature it gets back.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sanarip_hub.errors import NoteError, ProofError, WitnessError
from sanarip_hub.ledger.merkle import verify_consistency
from sanarip_hub.ledger.note import DASH, Checkpoint, CosignatureVerifier, Cosigner, Verifier, open_note

MAX_PROOF_LINES = 63
SIZE_TYPE = "text/x.tlog.size"


# -- the request body ------------------------------------------------------------------------------


def request_body(old: int, proof: Iterable[bytes], note: str) -> bytes:
    lines = [f"old {old}\n", *(base64.b64encode(p).decode() + "\n" for p in proof)]
    return ("".join(lines) + "\n" + note).encode()


@dataclass(frozen=True)
class Submission:
    old: int
    proof: list[bytes]
    note: str


def parse_request(body: bytes) -> Submission:
    """Read an ``add-checkpoint`` body; raise ``ValueError`` naming what is malformed."""
    text = body.decode("utf-8")
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise ValueError("no blank line before the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old ") or not first[4:].isdigit() or (first[4:] != "0" and first[4] == "0"):
        raise ValueError("the first line must be 'old <size>'")
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise ValueError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in proof_lines:
        value = base64.b64decode(line.encode("ascii"), validate=True)
        if len(value) != 32:
            raise ValueError("a proof line is not a 32-byte hash")
        proof.append(value)
    return Submission(int(first[4:]), proof, note)


# -- the witness's side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"


class WitnessState:
    """One witness: its cosigner key, the logs it trusts, the last checkpoint cosigned per log."""

    def __init__(self, directory: Path, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.cosigner = Cosigner.parse((directory / "witness.key").read_text(encoding="ascii"))
        self.logs = load_trusted_logs(directory / "logs.txt")
        self.clock = clock
        self._lock = threading.Lock()

    def _state_path(self, origin: str) -> Path:
        return self.directory / "state" / (hashlib.sha256(origin.encode()).hexdigest()[:32] + ".json")

    def latest(self, origin: str) -> tuple[int, bytes] | None:
        try:
            state = json.loads(self._state_path(origin).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return int(state["size"]), base64.b64decode(state["root"])

    def _persist(self, origin: str, checkpoint: Checkpoint, note: str) -> None:
        path = self._state_path(origin)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        data = json.dumps(
            {
                "origin": origin,
                "size": checkpoint.size,
                "root": base64.b64encode(checkpoint.root).decode(),
                "note": note,
            }
        ).encode()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(partial, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def add_checkpoint(self, body: bytes) -> Answer:
        """The whole ``add-checkpoint`` decision, checked and persisted atomically."""
        try:
            submission = parse_request(body)
            checkpoint = Checkpoint.parse(submission.note[: submission.note.rindex("\n\n") + 1])
        except (ValueError, UnicodeDecodeError, NoteError) as exc:
            return Answer(400, f"malformed request: {exc}\n".encode())
        verifiers = self.logs.get(checkpoint.origin)
        if verifiers is None:
            return Answer(404, f"unknown log {checkpoint.origin}\n".encode())
        try:
            open_note(submission.note, verifiers)
        except NoteError:
            return Answer(403, b"no signature by a trusted key of this log\n")
        if submission.old > checkpoint.size:
            return Answer(400, b"old size is above the checkpoint's size\n")
        lock_path = self.directory / "state.lock"
        with self._lock, lock_path.open("a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)  # one decision at a time, across processes too
            latest = self.latest(checkpoint.origin)
            size, known_root = latest if latest is not None else (0, b"")
            if submission.old != size:
                return Answer(409, f"{size}\n".encode(), SIZE_TYPE)
            if size == checkpoint.size:
                if submission.proof or known_root != checkpoint.root:
                    return Answer(409, f"{size}\n".encode(), SIZE_TYPE)
            elif size > 0:
                try:
                    verify_consistency(size, checkpoint.size, known_root, checkpoint.root, submission.proof)
                except ProofError as exc:
                    return Answer(422, f"the consistency proof does not verify: {exc}\n".encode())
            elif submission.proof:
                return Answer(422, b"the proof must be empty from size 0\n")
            self._persist(checkpoint.origin, checkpoint, submission.note)
        line = self.cosigner.cosignature_line(checkpoint.text(), int(self.clock()))
        return Answer(200, line.encode())


def load_trusted_logs(path: Path) -> dict[str, list[Verifier]]:
    """The logs a witness cosigns for: one verifier key per line (the key name is the origin)."""
    logs: dict[str, list[Verifier]] = {}
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        return logs
    for line in lines:
        if line.strip() and not line.startswith("#"):
            verifier = Verifier.parse(line)
            logs.setdefault(verifier.name, []).append(verifier)
    return logs


# -- the log's side --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WitnessEndpoint:
    """A witness as ``[ledger] witnesses`` names it: its URL and its cosigner verifier key."""

    url: str
    verifier: CosignatureVerifier

    @classmethod
    def parse(cls, text: str) -> WitnessEndpoint:
        url, _, key = text.strip().partition(" ")
        if not url.startswith(("http://", "https://")) or not key.strip():
            raise ValueError(f"a witness is 'URL VERIFIER-KEY', got {text!r}")
        return cls(url.rstrip("/"), CosignatureVerifier.parse(key.strip()))


def witness_endpoints(configured: Sequence[str]) -> tuple[WitnessEndpoint, ...]:
    """``[ledger] witnesses`` as endpoints (a malformed verifier key is a :class:`NoteError`)."""
    return tuple(WitnessEndpoint.parse(text) for text in configured)


def _post(url: str, body: bytes, timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(f"{url}/add-checkpoint", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


def submit(
    witness: WitnessEndpoint,
    note: str,
    size: int,
    proof_from: Callable[[int], list[bytes]],
    old: int = 0,
    timeout: float = 5.0,
) -> str:
    """Have ``witness`` cosign the signed checkpoint ``note`` (of ``size``); return its verified
    cosignature line.  ``old`` is the size the witness is believed to hold; if it holds another,
    the 409 names it and the proof is sent from there (once)."""
    for _attempt in range(2):
        proof = proof_from(old) if 0 < old < size else []
        try:
            status, answer = _post(witness.url, request_body(old, proof, note), timeout)
        except (OSError, urllib.error.URLError) as exc:
            raise WitnessError(f"witness {witness.url} unreachable: {exc}", "unreachable") from None
        if status == 200:
            lines = [line for line in answer.decode("utf-8", "replace").split("\n") if line.startswith(DASH)]
            for line in lines:
                try:
                    open_note(note + line + "\n", [witness.verifier])
                except NoteError:
                    continue
                return line + "\n"
            raise WitnessError(f"witness {witness.url} answered without a valid cosignature", "refused")
        if status == 409:
            text = answer.decode("ascii", "replace").strip()
            if not text.isdigit():
                raise WitnessError(f"witness {witness.url}: 409 without a size", "refused")
            theirs = int(text)
            if theirs > size:
                raise WitnessError(
                    f"witness {witness.url} has cosigned size {theirs}, beyond this ledger's {size}",
                    "ahead",
                    theirs,
                )
            if theirs == old:  # same size, another root: a fork
                raise WitnessError(
                    f"witness {witness.url} cosigned another tree of size {theirs}", "conflict", theirs
                )
            old = theirs
            continue
        if status == 422:
            raise WitnessError(
                f"witness {witness.url} refused: this tree is not consistent with the one it cosigned "
                f"at size {old}",
                "inconsistent",
                old,
            )
        message = answer.decode("utf-8", "replace").strip()[:200]
        raise WitnessError(f"witness {witness.url} refused ({status}): {message}", "refused")
    raise WitnessError(f"witness {witness.url} keeps changing its size", "refused")
