"""Group commit: concurrent requests are acknowledged only after their shared transaction commits."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, StatementError

from sanarip_hub.ledger.keys import init_keys
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.ledger.verify import verify_ledger
from sanarip_hub.ledger.writer import GroupCommitWriter
from sanarip_hub.storage.models import LedgerEntryRow
from tests.conftest import HubDb
from tests.ledger.helpers import exchange, open_ledger


def batch_sizes(ledger: Ledger) -> list[int]:
    """The sizes of the batches ``ledger`` appends from now on, filled in as they are appended."""
    sizes: list[int] = []
    original = ledger.append_many

    def counting(exchanges):  # type: ignore[no-untyped-def]
        sizes.append(len(exchanges))
        return original(exchanges)

    ledger.append_many = counting  # type: ignore[method-assign]
    return sizes


def test_concurrent_requests_share_transactions(hub_db: HubDb) -> None:
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    writer = GroupCommitWriter(ledger, max_batch=50)
    transactions = 0
    original = ledger.append_many

    def counting(exchanges):  # type: ignore[no-untyped-def]
        nonlocal transactions
        transactions += 1
        return original(exchanges)

    ledger.append_many = counting  # type: ignore[method-assign]
    with ThreadPoolExecutor(max_workers=32) as pool:
        seqs = list(pool.map(lambda n: writer.record(exchange(n)), range(400)))
    writer.close()
    assert sorted(seqs) == list(range(400))
    assert transactions < 400  # batched: fewer commits than requests
    with ledger.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(LedgerEntryRow)).scalar_one() == 400
    assert verify_ledger(ledger.engine, ledger.keys.verifier, ledger.origin).entries == 400


def test_a_failed_batch_acknowledges_nothing(hub_db: HubDb) -> None:
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    writer = GroupCommitWriter(ledger)

    def broken(exchanges):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    ledger.append_many = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="disk full"):
        writer.record(exchange(1))
    writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit(exchange(2))
    with ledger.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(LedgerEntryRow)).scalar_one() == 0


HOSTILE_CLIENT = "SUBSYSTEM:central-server/GOV/" + "7" * 300 + "/sub"
HOSTILE_SERVICE = "SERVICE:central-server/GOV/70000050/sanaripaymak-service/" + "x" * 400


def test_over_long_values_fit_their_columns_and_the_batch_commits(hub_db: HubDb) -> None:
    """A 300-character memberCode or a 400-character service segment once overflowed varchar(300)
    on PostgreSQL and rolled back everybody's entries in the batch; now every value is cut to its
    column (marked with an ellipsis) before the batch, and the whole batch commits."""
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    hostile = [
        replace(exchange(100), client_id=HOSTILE_CLIENT),
        replace(exchange(101), service_id=HOSTILE_SERVICE),
        replace(exchange(102), message_id="m" * 5000, user_id="u" * 5000, issue="i" * 5000),
        replace(exchange(103), issue='Иш №15 — "ы" \\ ✓ 𝕂', user_id="\t<x>&'"),  # as written
    ]
    seqs = ledger.append_many([*(exchange(n) for n in range(12)), *hostile])
    assert seqs == list(range(16))
    with ledger.engine.connect() as connection:
        rows = {r.seq: r for r in connection.execute(select(LedgerEntryRow))}
    assert len(rows) == 16
    assert (rows[15].issue, rows[15].user_id) == ('Иш №15 — "ы" \\ ✓ 𝕂', "\t<x>&'")
    assert len(rows[12].client_id) == 300
    assert rows[12].client_id.endswith("…")
    assert rows[12].client_id.startswith(HOSTILE_CLIENT[:200])
    assert len(rows[13].service_id) == 300
    assert rows[13].service_id.endswith("…")
    assert (len(rows[14].message_id), len(rows[14].user_id), len(rows[14].issue)) == (200, 200, 300)
    assert verify_ledger(ledger.engine, ledger.keys.verifier, ledger.origin).entries == 16


def test_an_entry_that_cannot_be_stored_fails_alone(hub_db: HubDb) -> None:
    """A batch that still fails is retried entry by entry: only the bad entry's request fails,
    the others sharing its transaction are committed and acknowledged."""
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    gate, original = threading.Event(), ledger.append_many
    first_call = True

    def held(exchanges):  # type: ignore[no-untyped-def]
        nonlocal first_call
        if first_call:  # hold the writer so that everything submitted next forms one batch
            first_call = False
            gate.wait(10)
        return original(exchanges)

    ledger.append_many = held  # type: ignore[method-assign]
    writer = GroupCommitWriter(ledger)
    opening = writer.submit(exchange(0))
    good = [writer.submit(exchange(n)) for n in range(1, 13)]
    unstorable = [writer.submit(replace(exchange(50 + n), request_bytes=2**70)) for n in range(3)]
    gate.set()
    assert opening.result(10) == 0
    assert sorted(f.result(10) for f in good) == list(range(1, 13))
    for future in unstorable:
        with pytest.raises((DataError, OverflowError, StatementError)):  # the driver's own refusal
            future.result(10)
    writer.close()
    with ledger.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(LedgerEntryRow)).scalar_one() == 13
    assert verify_ledger(ledger.engine, ledger.keys.verifier, ledger.origin).entries == 13


def test_the_writer_waits_for_entries_of_requests_being_answered(hub_db: HubDb) -> None:
    """While a request is inside ``expecting()`` the writer lingers for its entry, so both go in one
    transaction; a lone entry, with nobody expected, is committed at once (not after the linger)."""
    import time

    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    writer = GroupCommitWriter(ledger, linger=30.0)
    batches = batch_sizes(ledger)
    started = time.monotonic()
    assert writer.record(exchange(0)) == 0  # nobody expected: no linger
    assert time.monotonic() - started < 15
    with writer.expecting():
        first = writer.submit(exchange(1))  # the writer now lingers for the expected request's entry
        time.sleep(0.3)
        assert not first.done()
        second = writer.submit(exchange(2))
    assert (first.result(10), second.result(10)) == (1, 2)
    writer.close()
    assert batches == [1, 2]


def test_requests_on_an_event_loop_get_their_sequence_numbers(hub_db: HubDb) -> None:
    """``submit_async``: the futures of a batch are settled on their loop, each with its own number
    (and the error, for an entry the database refuses)."""
    import asyncio

    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    writer = GroupCommitWriter(ledger)

    async def many() -> list[int]:
        return list(await asyncio.gather(*(writer.submit_async(exchange(n)) for n in range(50))))

    assert sorted(asyncio.run(many())) == list(range(50))

    async def refused() -> None:
        await writer.submit_async(replace(exchange(99), request_bytes=2**70))

    with pytest.raises((DataError, StatementError, OverflowError)):
        asyncio.run(refused())
    writer.close()
    assert verify_ledger(ledger.engine, ledger.keys.verifier, ledger.origin).entries == 50


def test_a_request_that_leaves_without_an_entry_ends_the_wait(hub_db: HubDb) -> None:
    """The writer lingers only while entries may still come: when the last request inside
    ``expecting()`` leaves (its entry submitted, or none at all), the batch commits at once."""
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    writer = GroupCommitWriter(ledger, linger=60.0)
    with writer.expecting():
        first = writer.submit(exchange(1))
        time.sleep(0.3)  # the writer is lingering for the request still inside
    assert first.result(15) == 0  # not after the 60 s linger
    writer.close()


def test_a_batch_does_not_wait_for_requests_that_arrive_while_it_lingers(hub_db: HubDb) -> None:
    """The writer waits for the requests that were being answered when its batch began, not for
    those that come later: under steady load requests keep coming, and a batch that waited for all
    of them would wait the whole ``linger`` every time (and answer every client that much later)."""
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    writer = GroupCommitWriter(ledger, linger=60.0)
    with writer.expecting():  # request A
        first = writer.submit(exchange(1))
        time.sleep(0.3)  # the writer's batch has begun and waits for A
        later = writer.expecting()  # request B arrives while the batch lingers
        later.__enter__()
    assert first.result(15) == 0  # A left: its batch commits without waiting 60 s for B
    with writer.expecting():  # a batch begun while B is still inside waits for B
        second = writer.submit(exchange(2))
        time.sleep(0.3)
    time.sleep(0.3)
    assert not second.done()
    third = writer.submit(exchange(3))
    later.__exit__(None, None, None)
    assert (second.result(15), third.result(15)) == (1, 2)
    writer.close()


def test_the_entries_of_one_turn_of_a_loop_reach_the_writer_as_one_item(hub_db: HubDb) -> None:
    """Eight requests answered in one turn of their event loop submit their entries together: the
    writer is handed them as one item, then the nudge that ends its linger (each entry handed over
    on its own woke the writer thread once per entry, to fight the loop for the interpreter), and
    they commit in one batch, numbered in the order submitted, without waiting out the linger."""
    import asyncio

    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    writer = GroupCommitWriter(ledger, linger=60.0)
    batches = batch_sizes(ledger)
    handed: list[object] = []
    put = writer._queue.put

    def counting_put(item, *args, **kwargs):  # type: ignore[no-untyped-def]
        handed.append(item)
        put(item, *args, **kwargs)

    writer._queue.put = counting_put  # type: ignore[method-assign]

    async def turn() -> list[int]:
        futures = []
        for n in range(8):  # eight requests answered in one turn, each leaving once its entry is in
            with writer.expecting():
                futures.append(writer.submit_async(exchange(n)))
        return list(await asyncio.wait_for(asyncio.gather(*futures), 15))

    started = time.monotonic()
    assert asyncio.run(turn()) == list(range(8))
    assert time.monotonic() - started < 15  # not after the 60 s linger
    writer.close()
    entries = [item for item in handed if isinstance(item, list)]
    assert [len(item) for item in entries] == [8], handed
    assert batches == [8]
