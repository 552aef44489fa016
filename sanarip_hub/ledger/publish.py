"""What happens to a checkpoint once it is signed: the checkpoint log, then the witnesses.

:class:`CheckpointPublisher` is called by the ledger after the transaction that signed a
checkpoint has committed.  It appends the note to the checkpoint log (fsync'ed, before the call
returns) and hands it to the witnesses: in the background for the request path (a witness's
latency must never hold up an exchange), or synchronously for ``ledger checkpoint`` and ``ledger
export`` (which want the cosignatures in hand).  Each witness's cosignature is checked, stored in
``ledger_cosignature`` and appended to the checkpoint log as the cosigned note.
"""

from __future__ import annotations

import base64
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sanarip_hub.errors import WitnessError
from sanarip_hub.ledger.checkpoint_log import CheckpointLog
from sanarip_hub.ledger.witness import WitnessEndpoint, submit
from sanarip_hub.log import get_logger
from sanarip_hub.storage.ledger_rows import LedgerRows

if TYPE_CHECKING:  # handed to storage
    from sqlalchemy import Engine

log = get_logger("sanarip_hub.ledger")


@dataclass(frozen=True)
class Outcome:
    """One witness's answer to one checkpoint."""

    witness: str
    ok: bool
    detail: str


class CheckpointPublisher:
    def __init__(
        self,
        engine: Engine,
        checkpoint_log: CheckpointLog | None,
        witnesses: Sequence[WitnessEndpoint] = (),
        archive_dir: Path | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.engine = engine
        self.checkpoint_log = checkpoint_log
        self.witnesses = tuple(witnesses)
        self.archive_dir = archive_dir
        self.timeout = timeout
        self._queue: queue.Queue[tuple[int, str] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def published(self, size: int, note: str, wait: bool = False) -> list[Outcome]:
        """Log the checkpoint now; cosign it now (``wait``) or in the background."""
        if self.checkpoint_log is not None:
            self.checkpoint_log.append(size, note)
        if not self.witnesses:
            return []
        if wait:
            return self.cosign(size, note)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="witnesses", daemon=True)
                self._thread.start()
        self._queue.put((size, note))
        return []

    def close(self) -> None:
        """Finish what is queued (the witnesses' timeouts bound it), then stop."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                self.cosign(*item)
            except Exception:  # a witness problem must never stop the hub; it is logged
                log.exception("ledger.witness_failed", size=item[0])

    def last_cosigned(self, witness: WitnessEndpoint) -> int:
        return LedgerRows(self.engine).last_cosigned(witness.verifier.name)

    def cosign(self, size: int, note: str) -> list[Outcome]:
        """Submit to every witness; store and log each cosignature; report each answer."""
        from sanarip_hub.ledger.tree import LedgerTree

        tree: LedgerTree | None = None

        def proof_from(old: int) -> list[bytes]:
            nonlocal tree
            if tree is None:
                tree = LedgerTree(self.engine, self.archive_dir, size)
            return tree.consistency_proof(old, size)

        outcomes = []
        for witness in self.witnesses:
            name = witness.verifier.name
            try:
                line = submit(witness, note, size, proof_from, self.last_cosigned(witness), self.timeout)
            except WitnessError as exc:
                level = log.warning if exc.kind == "unreachable" else log.error
                level("ledger.witness", witness=name, size=size, kind=exc.kind, error=str(exc))
                outcomes.append(Outcome(name, False, str(exc)))
                continue
            stamp = int.from_bytes(base64.b64decode(line.split(" ")[2])[4:12], "big")
            LedgerRows(self.engine).add_cosignature(size, name, stamp, line)
            if self.checkpoint_log is not None:
                self.checkpoint_log.append(size, note + line)
            log.info("ledger.cosigned", witness=name, size=size)
            outcomes.append(Outcome(name, True, f"cosigned size {size}"))
        return outcomes
