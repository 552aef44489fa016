"""Group commit: concurrent requests are acknowledged only after their shared transaction commits."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from sanarip_hub.ledger.keys import init_keys
from sanarip_hub.ledger.verify import verify_ledger
from sanarip_hub.ledger.writer import GroupCommitWriter
from sanarip_hub.storage.models import LedgerEntryRow
from tests.conftest import HubDb
from tests.ledger.helpers import exchange, open_ledger


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
