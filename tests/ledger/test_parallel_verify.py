"""Verification spread over processes says exactly what the one-process walk says.

Stretches are made small here (256 entries, from 100 entries on) so that a thousand entries take
several worker processes; each drill is checked against the sequential verification's verdict."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from sanarip_hub.config import Settings
from sanarip_hub.entrypoints.verification import parallel_for
from sanarip_hub.errors import LedgerIntegrityError
from sanarip_hub.ledger import verify
from sanarip_hub.ledger.keys import init_keys
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.ledger.verify import verify_ledger
from sanarip_hub.storage.models import LedgerEntryRow, LedgerSubject
from tests.conftest import HubDb
from tests.ledger.helpers import exchange, open_ledger


@pytest.fixture
def ledger(hub_db: HubDb, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    monkeypatch.setattr(verify, "PARALLEL_MIN", 100)
    monkeypatch.setattr(verify, "STRETCH", 256)
    init_keys(hub_db.settings)
    lg = open_ledger(hub_db.settings)
    for start in range(0, 1000, 100):
        lg.append_many([exchange(n, pins=(f"2170519809{n:04d}",)) for n in range(start, start + 100)])
        lg.checkpoint()  # checkpoints at 100, 200, … (and at 1, the first append's)
    return lg


def both(ledger: Ledger, settings: Settings) -> tuple[object, object]:
    """The verdict of the walk and of the stretches: the result, or the error's text."""
    verdicts = []
    for parallel in (None, parallel_for(settings)):
        try:
            result = verify_ledger(ledger.engine, ledger.keys.verifier, ledger.origin, parallel=parallel)
            verdicts.append((result.entries, result.size, result.checkpoints))
        except LedgerIntegrityError as problem:
            verdicts.append(str(problem))
    return verdicts[0], verdicts[1]


def test_an_intact_ledger_verifies_the_same_in_parallel(ledger: Ledger, hub_db: HubDb) -> None:
    walk, stretches = both(ledger, hub_db.settings)
    assert walk == stretches == (1000, 1000, 10)


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        ("a column edited", update(LedgerEntryRow).where(LedgerEntryRow.seq == 700).values(user_id="someone"),
         "at seq 700: altered: column user_id"),
        ("a row deleted mid-stretch", delete(LedgerEntryRow).where(LedgerEntryRow.seq == 600),
         "at seq 600: missing"),
        ("the last row of a stretch deleted", delete(LedgerEntryRow).where(LedgerEntryRow.seq == 511),
         "at seq 511: missing"),
        ("a subject removed from the index", delete(LedgerSubject).where(LedgerSubject.seq == 300),
         "at seq 300: altered: the data-subject index differs"),
        ("a stored hash replaced", update(LedgerEntryRow).where(LedgerEntryRow.seq == 800)
         .values(entry_hash=bytes(32)), "at seq 800: altered"),
    ],
)  # fmt: skip
def test_each_drill_is_named_the_same_in_parallel(
    ledger: Ledger, hub_db: HubDb, name: str, change: object, expected: str
) -> None:
    with ledger.engine.begin() as connection:
        connection.execute(change)  # type: ignore[arg-type]
    walk, stretches = both(ledger, hub_db.settings)
    assert walk == stretches, name
    assert expected in str(stretches)
