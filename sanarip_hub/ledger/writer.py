"""Group commit: many concurrent requests share one ledger transaction.

A request that must be ledgered before it is answered calls :meth:`GroupCommitWriter.record`; the
entry joins a queue, a single writer thread appends everything queued (up to ``max_batch``) in one
transaction, and only after that commit does ``record`` return the entry's sequence number.  Nothing
is acknowledged before it is durable, so a crash can lose only requests that were never answered;
yet under load each request pays a share of one commit instead of a commit of its own.

One entry must not fail its neighbours: when a batch is refused for what it holds (a value the
database cannot store), each of its entries is tried again in a transaction of its own, so only the
offending request fails.  A batch lost with the connection is not retried: whether its commit
happened is unknown, and appending again could record an exchange twice.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass

from sanarip_hub.domain.exchange import Exchange
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.storage.ledger_rows import refused_for_content


@dataclass
class _Pending:
    exchange: Exchange
    future: Future[int]


class GroupCommitWriter:
    """A background writer that batches concurrent appends into shared transactions."""

    def __init__(self, ledger: Ledger, max_batch: int = 500) -> None:
        self.ledger = ledger
        self.max_batch = max_batch
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
        self._closed = False
        self._thread.start()

    def submit(self, exchange: Exchange) -> Future[int]:
        """Queue an entry; the future resolves to its sequence number once committed."""
        if self._closed:
            raise RuntimeError("the ledger writer is closed")
        future: Future[int] = Future()
        self._queue.put(_Pending(exchange, future))
        return future

    def record(self, exchange: Exchange, timeout: float | None = 30) -> int:
        """Append and wait for the commit: the call a request handler makes."""
        return self.submit(exchange).result(timeout)

    def close(self) -> None:
        """Commit everything queued, then stop the thread."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._append(batch)

    def _append(self, batch: list[_Pending]) -> None:
        try:
            seqs = self.ledger.append_many([pending.exchange for pending in batch])
        except BaseException as exc:  # nothing of the batch committed; no waiter is acknowledged
            if len(batch) > 1 and refused_for_content(exc):
                for pending in batch:
                    self._append([pending])
            else:
                for pending in batch:
                    pending.future.set_exception(exc)
            return
        for pending, seq in zip(batch, seqs, strict=True):
            pending.future.set_result(seq)
