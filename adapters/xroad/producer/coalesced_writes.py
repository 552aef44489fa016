"""One send per response: the writes a connection makes within one turn of the event loop leave
together.

uvicorn writes a response in two calls, its status line and headers when the application starts
the response and its body after, and asyncio sends each at once: two ``send`` system calls per
answer, and on loopback two wake-ups of the client.  py-spy under load (``bench/producer.py``,
PostgreSQL, 32 connections) found the headers' own send at 5% of a worker's CPU.  Here the first
write of a turn schedules one flush for the end of the turn, and everything written meanwhile goes
out joined; closing flushes first, so nothing written is lost or reordered.
"""

from __future__ import annotations

import asyncio
from typing import Any


class CoalescingTransport:
    """``transport`` with its writes of one event-loop turn sent as one."""

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))  # a copy of a mutable buffer, as asyncio's write keeps one

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Send what this turn wrote (nothing once the connection is closing, as asyncio does)."""
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(chunk) for chunk in self._pending)

    def __getattr__(self, name: str) -> Any:  # everything else is the transport's own
        return getattr(self._transport, name)
