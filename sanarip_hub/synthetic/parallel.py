"""Seeding PostgreSQL with several generator processes feeding one COPY transaction.

Python generation is the bottleneck of a national-size seed (about 100 µs per household on one
core).  Worker processes (``spawn``: no inherited database sockets) each run whole shards and format
their rows as COPY text; the parent only streams those bytes into the fresh-load transaction of
:class:`~sanarip_hub.storage.bulk.BulkWriter`, so the all-or-nothing guarantee is unchanged.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import traceback
from collections.abc import Callable
from typing import Any

from sanarip_hub.errors import SeedError
from sanarip_hub.storage.bulk import BulkWriter, CopyText
from sanarip_hub.synthetic.country import TABLE_ORDER
from sanarip_hub.synthetic.shards import LsgJob, run_shard

CHUNK_ROWS = 50_000


def _worker(seed: int, shard_jobs: list[tuple[int, list[LsgJob]]], taken: set[str], out: Any) -> None:
    """Generate the given shards, sending ``("rows", {table: bytes}, {table: n}, households)`` chunks."""
    parent = os.getppid()
    texts = {table: CopyText() for table in TABLE_ORDER}
    pending = 0
    households = 0

    def emit(table: str, row: tuple[Any, ...]) -> None:
        nonlocal pending
        texts[table].add(row)
        pending += 1

    def send() -> None:
        nonlocal pending, households
        chunks = {table: text.take() for table, text in texts.items() if text.rows}  # not the PINs `taken`
        data = {table: chunk for table, (chunk, _) in chunks.items()}
        counts = {table: rows for table, (_, rows) in chunks.items()}
        while True:
            try:
                out.put(("rows", data, counts, households), timeout=1)
                break
            except queue.Full:
                if os.getppid() != parent:  # the parent died: stop instead of blocking forever
                    raise SystemExit(1) from None
        pending = households = 0

    def tick(done: int) -> None:
        nonlocal households
        households += done
        if pending >= CHUNK_ROWS:
            send()

    try:
        for shard, jobs in shard_jobs:
            run_shard(seed, shard, jobs, set(taken), emit, tick)
        send()
        out.put(("done", None, None, 0))
    except BaseException:
        out.put(("error", traceback.format_exc(), None, 0))
        raise


def load_in_parallel(
    writer: BulkWriter,
    seed: int,
    shards: dict[int, list[LsgJob]],
    taken: set[str],
    workers: int,
    progress: Callable[[int], None] | None,
) -> None:
    """Run ``shards`` in ``workers`` processes and COPY their output through ``writer``."""
    context = mp.get_context("spawn")
    out = context.Queue(maxsize=4 * workers)
    assignment: list[list[tuple[int, list[LsgJob]]]] = [[] for _ in range(workers)]
    # Balance by households: biggest shards first, each to the least-loaded worker.
    load = [0] * workers
    for shard, jobs in sorted(shards.items(), key=lambda item: -sum(j.households for j in item[1])):
        target = load.index(min(load))
        assignment[target].append((shard, jobs))
        load[target] += sum(job.households for job in jobs)
    processes = [
        context.Process(target=_worker, args=(seed, work, taken, out), daemon=True)
        for work in assignment
        if work
    ]
    for process in processes:
        process.start()
    running = len(processes)
    try:
        while running:
            try:
                kind, data, counts, households = out.get(timeout=1)
            except queue.Empty:
                dead = [p for p in processes if p.exitcode not in (None, 0)]
                if dead:
                    raise SeedError(f"a seed worker died with exit status {dead[0].exitcode}") from None
                continue
            if kind == "rows":
                for table in TABLE_ORDER:
                    if table in data:
                        writer.copy_text(table, data[table], counts[table])
                if progress and households:
                    progress(households)
            elif kind == "done":
                running -= 1
            else:
                raise SeedError(f"a seed worker failed:\n{data}")
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join(timeout=10)
