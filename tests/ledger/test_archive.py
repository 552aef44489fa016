"""Retention: archived ranges still verify, the live chain continues, and tampering with segments is
named like tampering with rows."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from sanarip_hub.ledger.archive import archive_entries
from sanarip_hub.ledger.keys import init_keys
from sanarip_hub.ledger.note import Signer, sign
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.ledger.verify import LedgerIntegrityError, verify_ledger
from sanarip_hub.storage.models import LedgerArchive, LedgerEntryRow
from tests.conftest import HubDb
from tests.ledger.helpers import exchange, open_ledger

T0 = 1_700_000_000_000


@pytest.fixture
def ledger(hub_db: HubDb) -> Ledger:
    init_keys(hub_db.settings)
    lg = open_ledger(hub_db.settings)
    for n in range(40):
        base = exchange(n)
        lg.append(base.__class__(**{**base.__dict__, "time_ms": T0 + n * 1000}))
        if n in (14, 29):
            lg.checkpoint()
    return lg


def check(ledger: Ledger, archive_dir: Path) -> int:
    return verify_ledger(ledger.engine, ledger.keys.verifier, ledger.origin, 0, archive_dir).entries


def failure(ledger: Ledger, archive_dir: Path) -> LedgerIntegrityError:
    with pytest.raises(LedgerIntegrityError) as caught:
        check(ledger, archive_dir)
    return caught.value


def test_archived_ranges_verify_and_the_chain_continues(ledger: Ledger, tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    first = archive_entries(ledger, archive_dir, T0 + 10_000)
    assert first is not None
    assert (first.first_seq, first.end_seq) == (0, 10)
    # Only checkpointed entries move: the newest checkpoint covers 30, so a late cutoff stops there.
    second = archive_entries(ledger, archive_dir, T0 + 100_000)
    assert second is not None
    assert (second.first_seq, second.end_seq) == (10, 30)
    assert archive_entries(ledger, archive_dir, T0 + 100_000) is None
    with ledger.engine.connect() as connection:
        assert connection.execute(select(func.min(LedgerEntryRow.seq))).scalar_one() == 30
    assert check(ledger, archive_dir) == 40
    ledger.append(exchange(99))
    assert check(ledger, archive_dir) == 41
    assert sorted(p.name for p in archive_dir.iterdir()) == ["segment-000000.zip", "segment-000001.zip"]


def test_segments_are_bounded(ledger: Ledger, tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    ranges = []
    while (info := archive_entries(ledger, archive_dir, T0 + 100_000, max_entries=8)) is not None:
        ranges.append((info.first_seq, info.end_seq))
    assert ranges == [(0, 8), (8, 16), (16, 24), (24, 30)]
    assert check(ledger, archive_dir) == 40


def archived(ledger: Ledger, tmp_path: Path) -> Path:
    archive_dir = tmp_path / "archive"
    archive_entries(ledger, archive_dir, T0 + 10_000)
    archive_entries(ledger, archive_dir, T0 + 20_000)
    assert check(ledger, archive_dir) == 40
    return archive_dir


def test_a_missing_segment_file_is_named(ledger: Ledger, tmp_path: Path) -> None:
    archive_dir = archived(ledger, tmp_path)
    (archive_dir / "segment-000001.zip").unlink()
    problem = failure(ledger, archive_dir)
    assert (problem.seq, problem.kind) == (10, "missing")


def test_an_edited_segment_is_named(ledger: Ledger, tmp_path: Path) -> None:
    archive_dir = archived(ledger, tmp_path)
    path = archive_dir / "segment-000000.zip"
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["entries.jsonl"] = files["entries.jsonl"].replace(b'"out":"ok"', b'"out":"no"', 1)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    problem = failure(ledger, archive_dir)
    assert (problem.seq, problem.kind) == (0, "altered")


def test_a_forged_segment_note_is_named(ledger: Ledger, tmp_path: Path) -> None:
    archive_dir = archived(ledger, tmp_path)
    with ledger.engine.begin() as connection:
        note = connection.execute(select(LedgerArchive.note).where(LedgerArchive.segment == 1)).scalar_one()
        text = note[: note.index("\n\n") + 1]
        forged = sign(text, [Signer.generate(ledger.origin)])
        connection.execute(update(LedgerArchive).where(LedgerArchive.segment == 1).values(note=forged))
    problem = failure(ledger, archive_dir)
    assert (problem.seq, problem.kind) == (10, "forged segment")


def test_a_dropped_segment_record_is_named(ledger: Ledger, tmp_path: Path) -> None:
    archive_dir = archived(ledger, tmp_path)
    with ledger.engine.begin() as connection:
        connection.execute(delete(LedgerArchive).where(LedgerArchive.segment == 0))
    problem = failure(ledger, archive_dir)
    assert (problem.seq, problem.kind) == (0, "missing")
