"""Group commit: many concurrent requests share one ledger transaction.

A request that must be ledgered before it is answered calls :meth:`GroupCommitWriter.record`; the
entry joins a queue, a single writer thread appends everything queued (up to ``max_batch``) in one
transaction, and only after that commit does ``record`` return the entry's sequence number.  Nothing
is acknowledged before it is durable, so a crash can lose only requests that were never answered;
yet under load each request pays a share of one commit instead of a commit of its own.

A batch is as large as the load makes it: the writer lingers a moment (at most ``linger``
seconds) for entries of requests already being answered when its batch began — those that entered
:meth:`expecting` before — and not at all when none is, so a lone request is never delayed.  It
does not wait for requests that arrive while it lingers: under steady load requests keep arriving,
and a writer that waited for all of them would always wait the whole ``linger``.  The requests of
one turn of the event loop are answered together and so leave together; their entries, committed
together, release their clients together, whose next requests again arrive together: batches stay
large at every load.  On PostgreSQL an append is one round trip
now, so without the pause each entry took a batch, and a commit, of its own: the per-batch cost
(a round trip, a wake-up of each thread involved) then dominated the hub's CPU.  Requests served on
an event loop wait with :meth:`GroupCommitWriter.submit_async`: each batch wakes each loop once,
not once per entry, and the entries a loop submits in one of its turns reach the writer as one item,
which wakes the writer once, not once per entry (each wake made the writer thread fight the loop for
the interpreter).

One entry must not fail its neighbours: when a batch is refused for what it holds (a value the
database cannot store), each of its entries is tried again in a transaction of its own, so only the
offending request fails.  A batch lost with the connection is not retried: whether its commit
happened is unknown, and appending again could record an exchange twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sanarip_hub.domain.exchange import Exchange
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.storage.ledger_rows import refused_for_content


@dataclass
class _Pending:
    exchange: Exchange
    future: Future[int] | asyncio.Future[int]
    loop: asyncio.AbstractEventLoop | None = None  # set: an event loop's future, settled on its loop


_NUDGE = _Pending(None, Future())  # type: ignore[arg-type]  # wakes a lingering writer; never appended


def _settle(outcomes: list[tuple[asyncio.Future[int], int | BaseException]]) -> None:
    """On the loop: hand each waiting request its sequence number or its error."""
    for future, outcome in outcomes:
        if future.cancelled():  # the client went away; the entry stands
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class GroupCommitWriter:
    """A background writer that batches concurrent appends into shared transactions."""

    def __init__(self, ledger: Ledger, max_batch: int = 500, linger: float = 0.010) -> None:
        self.ledger = ledger
        self.max_batch = max_batch
        self.linger = linger
        # Requests inside expecting(), by ticket (changed on one loop; the writer reads only ints):
        self._tickets = 0  # tickets handed out so far
        self._inside: deque[int] = deque()  # tickets not yet known to have left, oldest first
        self._left: set[int] = set()  # tickets that left while an older one was still inside
        self._oldest = 0  # the oldest ticket still inside (``_tickets`` when none is)
        self._waiting_for: int | None = None  # while lingering: tickets below this are waited for
        self._queue: queue.Queue[_Pending | list[_Pending] | None] = queue.Queue()
        # Entries submitted on a loop during its current turn, posted as one item at its end:
        self._outboxes: dict[asyncio.AbstractEventLoop, list[_Pending]] = {}
        self._nudge_after: set[asyncio.AbstractEventLoop] = set()  # a nudge to post after them
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

    @contextlib.contextmanager
    def expecting(self) -> Iterator[None]:
        """Around a request's work until its entry is submitted: a batch begun while the request
        is inside waits (up to ``linger``) for its entry rather than commit without it.  Called on
        one thread (the worker's event loop): the writer thread only reads the ints it leaves."""
        ticket = self._tickets
        self._tickets += 1
        self._inside.append(ticket)
        try:
            yield
        finally:
            inside = self._inside
            if inside[0] == ticket:
                inside.popleft()
                while inside and inside[0] in self._left:
                    self._left.remove(inside.popleft())
                self._oldest = inside[0] if inside else self._tickets
                waiting_for = self._waiting_for
                if waiting_for is not None and self._oldest >= waiting_for:  # all it waits for is in
                    self._nudge()
            else:
                self._left.add(ticket)

    def submit_async(self, exchange: Exchange) -> asyncio.Future[int]:
        """Queue an entry from a coroutine: await the result for its sequence number."""
        if self._closed:
            raise RuntimeError("the ledger writer is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        outbox = self._outboxes.get(loop)
        if outbox is None:
            outbox = self._outboxes[loop] = []
            loop.call_soon(self._post, loop)
        outbox.append(_Pending(exchange, future, loop))
        return future

    def _post(self, loop: asyncio.AbstractEventLoop) -> None:
        """On ``loop``, after the callbacks of its turn: the entries they submitted, as one item
        (then the nudge one of them left, which must come after them)."""
        outbox = self._outboxes.pop(loop, None)
        if outbox is not None:  # None: :meth:`close` posted it already
            self._queue.put(outbox)
        if loop in self._nudge_after:
            self._nudge_after.discard(loop)
            self._queue.put(_NUDGE)

    def _nudge(self) -> None:
        """Wake a lingering writer: now, or after this loop's unposted entries."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None and loop in self._outboxes:
            self._nudge_after.add(loop)
        else:
            self._queue.put(_NUDGE)

    def record(self, exchange: Exchange, timeout: float | None = 30) -> int:
        """Append and wait for the commit: the call a request handler makes."""
        return self.submit(exchange).result(timeout)

    def close(self) -> None:
        """Commit everything queued, then stop the thread."""
        if not self._closed:
            self._closed = True
            for loop in list(self._outboxes):  # submitted on a loop that has not run since
                self._post(loop)
            self._queue.put(None)
            self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _NUDGE:  # a late nudge: the batch it was for has gone
                continue
            if first is None:
                break
            batch = first if isinstance(first, list) else [first]
            deadline = time.monotonic() + self.linger
            waiting_for = self._tickets  # the requests inside now; not those that come later
            while len(batch) < self.max_batch:
                self._waiting_for = waiting_for  # before reading: a request leaving now nudges
                try:
                    wait = deadline - time.monotonic() if self._oldest < waiting_for else 0.0
                    item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                finally:
                    self._waiting_for = None
                if item is _NUDGE:
                    continue
                if item is None:
                    stopping = True
                    break
                if isinstance(item, list):
                    batch.extend(item)
                else:
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
                self._settle(batch, [exc] * len(batch))
            return
        self._settle(batch, seqs)

    @staticmethod
    def _settle(batch: list[_Pending], outcomes: Sequence[int | BaseException]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[int], int | BaseException]]]
        by_loop = defaultdict(list)
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.loop is not None:
                by_loop[pending.loop].append((pending.future, outcome))  # type: ignore[arg-type]
            elif isinstance(outcome, BaseException):
                pending.future.set_exception(outcome)
            else:
                pending.future.set_result(outcome)
        for loop, outcomes_there in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there any more
                loop.call_soon_threadsafe(_settle, outcomes_there)
