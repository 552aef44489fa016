"""The host's turn: the ledger writers of one data directory append one after another, and each
leaves the head it wrote for the next.

``serve`` runs a writer in every worker process.  On PostgreSQL each appends in one statement
numbered from the head it last saw (:meth:`~sanarip_hub.ledger.store.Ledger.append_many`); with two
workers that head was stale at nearly every batch, so every batch missed, and then queued on the
head row's lock in a four-round-trip transaction (stop 31: ~1.6 ms of waiting per batch, and the
database's CPU for the extra round trips).  Here the writers of one host queue on an ``flock`` of a
file in the data directory instead — the kernel wakes the next waiter the moment the lock is let go,
and a killed process's lock goes with it — and the file holds the head the last writer left, so the
next one numbers its batch from the true head and lands in its one statement.

The file is only a hint.  The append statement lands only if the *whole* head it names is the one in
the database (size, last hash, frontier and checkpoint time), so a stale head (a writer killed
between its commit and the file, another host's append), a torn write or a hostile edit costs one
missed attempt, never a wrong chain or a wrong checkpoint root.  Writers on other hosts, with data
directories of their own, still race in the database, which keeps the chain whole between hosts.
"""

from __future__ import annotations

import fcntl
import os
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sanarip_hub.storage.ledger_rows import LockedHead

if TYPE_CHECKING:
    from sanarip_hub.config import Settings

TURN_FILE = "ledger-writers.turn"  # in the data directory: one per host (per ``hub.home``)
_HEADER = struct.Struct("<qq32sI")  # size, last checkpoint ms, last hash, frontier length
_MOST = _HEADER.size + 64 * 32  # a frontier holds at most one hash per bit of the size


def encode_head(head: LockedHead) -> bytes:
    """The file's bytes for ``head``."""
    header = _HEADER.pack(head.size, head.last_checkpoint_ms, head.last_hash, len(head.frontier))
    return header + head.frontier


def decode_head(data: bytes) -> LockedHead | None:
    """The head in ``data``, or None when it is not one whole head (empty, torn, foreign)."""
    if len(data) < _HEADER.size:
        return None
    size, checkpoint_ms, last_hash, length = _HEADER.unpack_from(data)
    frontier = data[_HEADER.size : _HEADER.size + length]
    if size < 0 or len(frontier) != length or length % 32:
        return None
    return LockedHead(size, last_hash, frontier, checkpoint_ms)


class Baton:
    """The turn while it is held: the head the last writer left, and the head this one leaves."""

    def __init__(self, handle: int) -> None:
        self._handle = handle

    def head(self) -> LockedHead | None:
        return decode_head(os.pread(self._handle, _MOST, 0))

    def leave(self, head: LockedHead) -> None:
        data = encode_head(head)
        os.pwrite(self._handle, data, 0)
        os.ftruncate(self._handle, len(data))


class HostTurn:
    """The turn of the ledger writers sharing ``path``'s directory (the processes of one host)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._threads = threading.Lock()  # an flock does not exclude threads sharing one open file

    @contextmanager
    def taken(self) -> Iterator[Baton]:
        """Wait for the turn; it passes on when the block ends, or when the process dies.

        The file is opened for each turn, not once: a process forked from one holding it open would
        share its lock instead of queueing for it."""
        with self._threads:
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
                yield Baton(handle)
            finally:
                os.close(handle)  # closing lets the lock go


def host_turn(settings: Settings) -> HostTurn | None:
    """The turn of this host's writers, where it helps: PostgreSQL (SQLite writers already queue on
    the database's write lock, behind an ``flock`` of their own)."""
    if not settings.database_url.startswith("postgresql"):
        return None
    return HostTurn(settings.hub.home / TURN_FILE)
