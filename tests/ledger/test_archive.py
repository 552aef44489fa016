"""Retention: archived ranges still verify, the live chain continues, and tampering with segments is
named like tampering with rows."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update

from sanarip_hub.errors import LedgerIntegrityError
from sanarip_hub.ledger.archive import archive_entries
from sanarip_hub.ledger.keys import init_keys
from sanarip_hub.ledger.note import Signer, sign
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.ledger.verify import verify_ledger
from sanarip_hub.storage.models import LedgerArchive, LedgerEntryRow, LedgerSubject
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


def test_export_works_across_archived_ranges(ledger: Ledger, tmp_path: Path) -> None:
    """The audit: 'ledger export' after 'ledger archive' failed ('no consistency proof from size
    719'); proofs now come from the archive segments where the rows are gone, and an archived range
    can be exported too."""
    from sanarip_hub.ledger.bundle import export_bundle, verify_bundle

    archive_dir = tmp_path / "archive"
    assert archive_entries(ledger, archive_dir, T0 + 10_000) is not None  # 0..9
    assert archive_entries(ledger, archive_dir, T0 + 100_000) is not None  # 10..29
    whole = tmp_path / "whole.zip"
    assert export_bundle(ledger, whole, archive_dir=archive_dir).entries == 40
    assert verify_bundle(whole, ledger.keys.verifier).checkpoints == (40,)
    archived = tmp_path / "archived.zip"
    summary = export_bundle(ledger, archived, first_seq=5, end_seq=20, archive_dir=archive_dir)
    assert summary.entries == 15
    checked = verify_bundle(archived, ledger.keys.verifier)
    assert checked.checkpoints == (1, 40)  # the last checkpoint before the range, and the newest
    assert "proven: the bundle holds every entry numbered 5 to 19, none dropped" in checked.proven
    by_time = tmp_path / "by-time.zip"
    assert export_bundle(ledger, by_time, T0 + 3_000, T0 + 33_000, archive_dir=archive_dir).entries == 30
    verify_bundle(by_time, ledger.keys.verifier)


def test_archiving_never_overwrites_a_segment(ledger: Ledger, tmp_path: Path) -> None:
    """After an older backup is restored the database forgets newer segments; the next archive run
    must not write over the newer segment file that is still on disk."""
    from sanarip_hub.errors import ArchiveError

    archive_dir = tmp_path / "archive"
    with ledger.engine.connect() as connection:  # the "backup": rows as they are before archiving
        rows = [
            dict(r._mapping)
            for r in connection.execute(select(LedgerEntryRow).where(LedgerEntryRow.seq < 10))
        ]
        subjects = [
            dict(r._mapping) for r in connection.execute(select(LedgerSubject).where(LedgerSubject.seq < 10))
        ]
    first = archive_entries(ledger, archive_dir, T0 + 10_000)
    assert first is not None
    name = archive_dir / "segment-000000.zip"
    kept = name.read_bytes()
    with ledger.engine.begin() as connection:  # the "restore": rows back, no segment recorded
        connection.execute(delete(LedgerArchive))
        connection.execute(insert(LedgerEntryRow), rows)
        connection.execute(insert(LedgerSubject), subjects)
    with pytest.raises(ArchiveError, match="already exists"):
        archive_entries(ledger, archive_dir, T0 + 10_000)
    assert name.read_bytes() == kept
