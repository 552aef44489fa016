"""Requests that arrive together are answered together, on the event loop.

When a request's database work runs on the event loop (``[producer] request_threads`` 0, the
default for a database on this host), every request that reaches its handler in the same turn of
the loop joins one batch, answered by one call at the end of that turn: the endpoint reads and
authorises each, the data they need is read in one statement, then each is answered.  A statement
costs the hub far more than the rows it returns (a household card on PostgreSQL: ~210 µs of CPU
alone, ~40 µs in a batch of eight), and nothing waits longer than it would have: the batch runs
as soon as the loop has nothing else ready, which is when a lone request would have run anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Request = TypeVar("Request")
Reply = TypeVar("Reply")


class Batch(Generic[Request, Reply]):
    """Collects the requests of one turn of the loop for ``handle_many``, which answers each (a
    request's fault is its reply; ``handle_many`` raising is a bug, handed to every waiter)."""

    def __init__(self, handle_many: Callable[[Sequence[Request]], list[Reply]]) -> None:
        self._handle_many = handle_many
        self._waiting: list[tuple[Request, asyncio.Future[Reply]]] = []

    async def answer(self, request: Request) -> Reply:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Reply] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._run)
        self._waiting.append((request, future))
        return await future

    def _run(self) -> None:
        waiting, self._waiting = self._waiting, []
        try:
            replies = self._handle_many([request for request, _ in waiting])
        except BaseException as exc:
            for _, future in waiting:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), reply in zip(waiting, replies, strict=True):
            if not future.done():  # a cancelled waiter sends nothing, so nothing is disclosed
                future.set_result(reply)
