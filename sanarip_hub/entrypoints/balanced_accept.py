"""``serve --workers N``: each new connection goes to the worker holding the fewest.

uvicorn's workers share one listening socket, and the worker that wakes first accepts everything
waiting.  A client that opens its connections at once and keeps them — an X-Road security server
filling its pool, wrk — found them nearly all in one worker (32/0 in
``tests/producer/test_worker_balance.py``; 25/7, 24/8, 19/13 of 32 under wrk), and a connection
stays with its worker for its life: one worker does the work of those connections while another may
idle (66% and 44% of a core at 25/7), and the split, so the tail, changed from run to run.  One
``SO_REUSEPORT`` listener per worker spreads connections by a hash of their addresses, at random
(14/18, 10/22, 15/17, 12/20 measured).

Here every worker accepts from the shared socket itself and keeps the number of connections it
holds in a table all workers of the host map (:class:`ConnectionBoard`, one integer per worker in a
file of the data directory).  A worker accepts, up to :data:`MOST_PER_WAKE` per turn of its loop,
while no other holds fewer than it by more than :data:`SLACK`; otherwise it leaves the waiting
connections for :data:`GRACE_S` to the others, and if they do not take them in that time (busy,
hung or gone), it takes them after all.  The balance is a preference: no connection waits longer
than :data:`GRACE_S` for it, and a worker that cannot open the table accepts whatever is waiting.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import mmap
import os
import socket
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors import multiprocess

from sanarip_hub.log import get_logger

log = get_logger("sanarip_hub.serve")

GRACE_S = 0.020  # how long a busier worker leaves waiting connections to a less busy one
SLACK = 1  # a worker accepts while no other holds fewer than it by more than this
MOST_PER_WAKE = 16  # connections accepted in one turn of the loop, at most
BOARD_FILE = "producer-workers.board"  # in the data directory: one per host
_SLOT = 8  # bytes per worker: a signed 64-bit count
_EXHAUSTED = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}  # accept again in a second


class ConnectionBoard:
    """How many connections each worker of this host holds: an mmap'd file, one int64 per worker.

    A worker claims its slot with a lock on that slot's first byte (``lockf``), which the kernel
    lets go when the process ends, so a restarted worker takes the slot of the one it replaces and
    starts it at zero.  Each slot has one writer; others only read it, and a stale count (a dead
    worker's) can only delay a connection by :data:`GRACE_S`."""

    def __init__(self, path: Path, workers: int) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = workers * _SLOT
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)
        self._map = mmap.mmap(self._fd, size)
        self._counts = memoryview(self._map).cast("q")
        self.slot = self._claim(workers)
        self.publish(0)

    def _claim(self, workers: int) -> int | None:
        for slot in range(workers):
            try:
                fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot * _SLOT)
            except OSError:
                continue
            return slot
        return None  # more workers than slots for a moment (one exiting): accept unconditionally

    def publish(self, count: int) -> None:
        if self.slot is not None:
            self._counts[self.slot] = count

    def fewer_elsewhere(self, count: int) -> bool:
        """Whether another worker holds fewer connections than ``count``."""
        if self.slot is None:
            return False
        return any(held < count for slot, held in enumerate(self._counts) if slot != self.slot)

    def close(self) -> None:
        self._counts.release()
        self._map.close()
        os.close(self._fd)  # lets go of the slot


class BalancedAcceptor:
    """Accepts from ``listener`` on the running loop, one connection per wake-up, deferring to a
    less busy worker (see the module).  ``held`` counts the connections this worker holds."""

    def __init__(
        self, listener: socket.socket, server: BalancedServer, board: ConnectionBoard | None
    ) -> None:
        self.listener = listener
        self.server = server
        self.board = board
        self.loop = asyncio.get_running_loop()
        self._opening = 0  # accepted, protocol not yet made
        self._later: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopped = False
        listener.setblocking(False)
        self.loop.add_reader(listener.fileno(), self._readable)

    def held(self) -> int:
        return len(self.server.server_state.connections) + self._opening

    def _readable(self) -> None:
        """Accept while no other worker holds fewer than this one by more than :data:`SLACK`
        (at most :data:`MOST_PER_WAKE` at a time); then leave the rest to the others for the grace."""
        for _ in range(MOST_PER_WAKE):
            held = self.held()
            if self.board is not None:
                self.board.publish(held)
                if self.board.fewer_elsewhere(held - SLACK):
                    self._pause(GRACE_S)
                    return
            if not self._accept():
                return

    def _pause(self, seconds: float) -> None:
        self.loop.remove_reader(self.listener.fileno())
        self._later = self.loop.call_later(seconds, self._resume)

    def _resume(self) -> None:
        """After the grace: what another worker did not take in it is this one's."""
        self._later = None
        if self._stopped:
            return
        self.loop.add_reader(self.listener.fileno(), self._readable)
        self._accept()

    def _accept(self) -> bool:
        """Accept one waiting connection; False when there was none (or none can be taken now)."""
        try:
            connection, _ = self.listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return False  # another worker took it, or the client gave up
        except OSError as exc:
            if exc.errno not in _EXHAUSTED:
                raise
            log.warning("producer.accept_paused", reason=os.strerror(exc.errno or 0), seconds=1)
            if self._later is None:
                self._pause(1.0)
            return False
        connection.setblocking(False)
        self._opening += 1
        if self.board is not None:
            self.board.publish(self.held())
        task = self.loop.create_task(self._open(connection))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _open(self, connection: socket.socket) -> None:
        try:
            await self.loop.connect_accepted_socket(
                self.server.protocol, connection, ssl=self.server.config.ssl
            )
        except OSError:
            connection.close()  # reset before it was set up, or its TLS handshake failed
        finally:
            self._opening -= 1

    def stop(self) -> None:
        self._stopped = True
        if self._later is not None:
            self._later.cancel()
        else:
            self.loop.remove_reader(self.listener.fileno())


class BalancedServer(uvicorn.Server):
    """uvicorn's server, accepting through :class:`BalancedAcceptor` instead of a listener of its
    own; everything else (lifespan, the protocol, graceful shutdown) is uvicorn's."""

    config: BalancedConfig

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the lifespan and the server state, no listener
        board = None
        try:
            board = ConnectionBoard(self.config.board, self.config.workers)
        except OSError as exc:
            log.warning("producer.balance_off", reason=str(exc))
        self._board = board
        self._acceptors = [BalancedAcceptor(listener, self, board) for listener in sockets or []]

    def protocol(self) -> asyncio.Protocol:
        """A connection's protocol, made as uvicorn makes it for its own listeners."""
        return self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for acceptor in getattr(self, "_acceptors", ()):
            acceptor.stop()
        await super().shutdown(sockets=sockets)
        board: ConnectionBoard | None = getattr(self, "_board", None)
        if board is not None:
            board.close()


class BalancedConfig(uvicorn.Config):
    """uvicorn's configuration, and the board file the workers share."""

    def __init__(self, app: str, board: Path, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.board = board


class BalancedProcess(multiprocess.Process):
    """uvicorn's worker process, running a :class:`BalancedServer`."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = BalancedServer(config=self.config)
        return self._server


def run_balanced(config: BalancedConfig) -> None:
    """uvicorn's supervisor (restarts, signals, health checks) over :class:`BalancedProcess`
    workers on one shared listening socket.  The supervisor makes its workers through its module's
    ``Process``, with no hook to pass another class, so that name points at ours while it runs."""
    listener = config.bind_socket()
    listener.listen(config.backlog)  # connections queue from now, before the workers are up
    config.board.unlink(missing_ok=True)  # counts of a previous run mean nothing
    made = multiprocess.Process
    multiprocess.Process = BalancedProcess  # type: ignore[misc]
    try:
        multiprocess.Multiprocess(config, sockets=[listener]).run()
    finally:
        multiprocess.Process = made  # type: ignore[misc]
