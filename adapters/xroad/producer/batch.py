"""Requests that arrive together are answered together.

Every request that reaches its handler in the same turn of the event loop joins one batch, answered
by one call at the end of that turn: the endpoint reads and authorises each, the data they need is
read in one statement, then each is answered.  A statement costs far more than the rows it returns
(a household card on PostgreSQL: ~210 µs of the hub's CPU alone, ~40 µs in a batch of eight), and
nothing waits longer than it would have: the batch runs as soon as the loop has nothing else ready,
which is when a lone request would have run anyway.

Where the database is on this host (``[producer] request_threads`` 0) the batch runs on the loop;
across a network it runs in a thread of the pool, so that the loop gathers the next batch while
this one waits for its round trips.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from anyio import to_thread

Request = TypeVar("Request")
Reply = TypeVar("Reply")


class Batch(Generic[Request, Reply]):
    """Collects the requests of one turn of the loop for ``handle_many``, which answers each (a
    request's fault is its reply; ``handle_many`` raising is a bug, handed to every waiter)."""

    def __init__(
        self, handle_many: Callable[[Sequence[Request]], list[Reply]], in_thread: bool = False
    ) -> None:
        self._handle_many = handle_many
        self._in_thread = in_thread
        self._waiting: list[tuple[Request, asyncio.Future[Reply]]] = []
        self._running: set[asyncio.Task[None]] = set()  # batches in threads (a reference keeps each)

    async def answer(self, request: Request) -> Reply:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Reply] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._run)
        self._waiting.append((request, future))
        return await future

    def _run(self) -> None:
        waiting, self._waiting = self._waiting, []
        if not self._in_thread:
            try:
                replies = self._handle_many([request for request, _ in waiting])
            except Exception as exc:
                _fail(waiting, exc)
            else:
                _settle(waiting, replies)
            return
        task = asyncio.ensure_future(self._run_in_thread(waiting))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run_in_thread(self, waiting: list[tuple[Request, asyncio.Future[Reply]]]) -> None:
        try:
            replies = await to_thread.run_sync(self._handle_many, [request for request, _ in waiting])
        except Exception as exc:
            _fail(waiting, exc)
        else:
            _settle(waiting, replies)


def _settle(waiting: list[tuple[Request, asyncio.Future[Reply]]], replies: list[Reply]) -> None:
    for (_, future), reply in zip(waiting, replies, strict=True):
        if not future.done():  # a cancelled waiter sends nothing, so nothing is disclosed
            future.set_result(reply)


def _fail(waiting: list[tuple[Request, asyncio.Future[Reply]]], exc: Exception) -> None:
    for _, future in waiting:
        if not future.done():
            future.set_exception(exc)
