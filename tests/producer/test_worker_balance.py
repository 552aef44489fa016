"""Keep-alive connections are dealt evenly to the workers of ``serve --workers N``.

A client that opens its connections at once and keeps them (wrk, an X-Road security server filling
its pool) used to find most of them in one worker: uvicorn's workers share one listening socket and
the first to wake accepted everything waiting (measured 25/7, 24/8, 19/13 of 32), and a connection
stays with its worker for its life, so one worker's core was saturated while the other idled.  The
connections a worker holds are counted here from ``/proc``: the sockets in its descriptor table
that are established connections to the producer's port.
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import socket
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from sanarip_hub.entrypoints.balanced_accept import BOARD_FILE
from tests.producer.conftest import own_server

pytestmark = [
    pytest.mark.integration,  # servers and processes on loopback
    pytest.mark.skipif(sys.platform != "linux", reason="reads /proc"),
]

ESTABLISHED = "01"


def _established_inodes(port: int) -> set[str]:
    """Inodes of the server ends of established TCP connections on ``port`` (IPv4 loopback)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == ESTABLISHED:
            inodes.add(fields[9])
    return inodes


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def connections_by_worker(server_pid: int, port: int) -> Counter[int]:
    """How many established connections to ``port`` each child process of ``server_pid`` holds."""
    inodes = _established_inodes(port)
    held: Counter[int] = Counter()
    for child in _children(server_pid):
        held[child] += 0
        for fd in Path(f"/proc/{child}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:  # closed meanwhile
                continue
            match = re.fullmatch(r"socket:\[(\d+)\]", target)
            if match and match.group(1) in inodes:
                held[child] += 1
    return held


def wait_until_all_accept(home: Path, workers: int, timeout: float = 30) -> None:
    """Until every worker has claimed its slot of the board, which it does as it starts accepting
    (the first worker answers ``/healthz`` while the others may still be starting)."""
    deadline = time.monotonic() + timeout
    while True:
        with (home / BOARD_FILE).open("rb+") as board:
            taken = 0
            for slot in range(workers):
                try:
                    fcntl.lockf(board, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot * 8)
                except OSError:
                    taken += 1
                else:
                    fcntl.lockf(board, fcntl.LOCK_UN, 1, slot * 8)
        if taken == workers:
            return
        assert time.monotonic() < deadline, f"{taken} of {workers} workers accepting"
        time.sleep(0.1)


def _request(connection: socket.socket) -> None:
    connection.sendall(b"GET /healthz HTTP/1.1\r\nhost: hub\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = connection.recv(4096)
        assert chunk, "the server closed a keep-alive connection"
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:100]


def test_a_burst_of_keep_alive_connections_is_shared_evenly_by_two_workers(tmp_path: Path) -> None:
    with own_server("sqlite", tmp_path, env={"SANARIP_HUB_PRODUCER_WORKERS": "2"}) as served:
        port = int(served.url.rsplit(":", 1)[1])
        wait_until_all_accept(tmp_path, 2)
        # every connection is made before any request: they wait in the accept queue together
        connections = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(32)]
        try:
            for connection in connections:
                _request(connection)
            held = connections_by_worker(served.process.pid, port)
            workers = sorted(count for count in held.values() if count)
            assert sum(workers) == 32, held
            assert len(workers) == 2, f"connections per worker: {dict(held)}"
            assert workers[1] <= 18, f"connections per worker: {dict(held)}"
        finally:
            for connection in connections:
                connection.close()


def test_connections_keep_being_accepted_when_a_worker_is_killed(tmp_path: Path) -> None:
    """A worker killed with ``kill -9`` leaves its count on the board; the other worker defers to
    that stale count for no more than the grace, so new connections are still answered at once,
    and uvicorn's replacement takes the dead worker's slot."""
    with own_server("sqlite", tmp_path, env={"SANARIP_HUB_PRODUCER_WORKERS": "2"}) as served:
        port = int(served.url.rsplit(":", 1)[1])
        wait_until_all_accept(tmp_path, 2)
        kept = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(8)]
        for connection in kept:
            _request(connection)
        held = connections_by_worker(served.process.pid, port)
        victim = min((pid for pid, count in held.items() if count), key=lambda pid: held[pid])
        os.kill(victim, signal.SIGKILL)
        fresh: list[socket.socket] = []
        try:
            fresh += [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(8)]
            for connection in fresh:
                _request(connection)  # answered: by the survivor, or by the replacement
            wait_until_all_accept(tmp_path, 2)  # the replacement claimed the dead worker's slot
            after = connections_by_worker(served.process.pid, port)
            assert victim not in after
            assert sum(after.values()) == 8 + sum(1 for c in kept if _still_open(c)), after
        finally:
            for connection in kept + fresh:
                connection.close()


def _still_open(connection: socket.socket) -> bool:
    """Whether the server kept this connection (a dead worker's connections were reset)."""
    try:
        _request(connection)
    except (AssertionError, OSError):
        return False
    return True
