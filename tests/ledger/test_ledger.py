"""The stored ledger: appends, checkpoints, and verification that names the first bad entry."""

from __future__ import annotations

import fcntl
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import OperationalError

from sanarip_hub.errors import LedgerIntegrityError
from sanarip_hub.ledger import store
from sanarip_hub.ledger.keys import init_keys, ledger_origin
from sanarip_hub.ledger.note import Checkpoint, Signer, sign_checkpoint
from sanarip_hub.ledger.store import CONTENDED_S, Ledger
from sanarip_hub.ledger.turn import decode_head, encode_head
from sanarip_hub.ledger.verify import verify_ledger
from sanarip_hub.storage.ledger_rows import LockedHead
from sanarip_hub.storage.models import LedgerCheckpoint, LedgerEntryRow, LedgerHead, LedgerSubject
from tests.conftest import HubDb
from tests.ledger.helpers import append_worker, exchange, open_ledger


@pytest.fixture
def ledger(hub_db: HubDb) -> Ledger:
    init_keys(hub_db.settings)
    return open_ledger(hub_db.settings)


def verify(ledger: Ledger, from_seq: int = 0) -> int:
    return verify_ledger(ledger.engine, ledger.keys.verifier, ledger.origin, from_seq).entries


def failure(ledger: Ledger) -> LedgerIntegrityError:
    with pytest.raises(LedgerIntegrityError) as caught:
        verify(ledger)
    return caught.value


def fill(ledger: Ledger, count: int = 20, checkpoint_at: tuple[int, ...] = (10, 20)) -> None:
    for n in range(count):
        ledger.append(exchange(n, pins=("21705198091234", f"1010119909{n:04d}")))
        if n + 1 in checkpoint_at:
            ledger.checkpoint()


def test_appends_are_numbered_chained_and_verify(ledger: Ledger) -> None:
    assert ledger.append_many([exchange(0), exchange(1)]) == [0, 1]
    assert ledger.append(exchange(2)) == 2
    assert ledger.checkpoint() is not None
    assert ledger.checkpoint() is None  # nothing new to sign
    assert verify(ledger) == 3
    assert verify(ledger, from_seq=2) == 1
    with ledger.engine.connect() as connection:
        rows = connection.execute(select(LedgerEntryRow).order_by(LedgerEntryRow.seq)).all()
        assert rows[1].prev_hash == rows[0].entry_hash
        pins = connection.execute(select(func.count()).select_from(LedgerSubject)).scalar_one()
    assert pins == 3
    assert b"21705198091234" not in b"".join(r.body for r in rows)  # no clear PIN in the ledger
    assert ledger.keys.pin_key.unseal(rows[0].subjects_sealed or "") == ["21705198091234"]


def test_checkpoints_are_standard_signed_notes(ledger: Ledger) -> None:
    fill(ledger, 5, checkpoint_at=(5,))
    with ledger.engine.connect() as connection:
        query = select(LedgerCheckpoint.note).where(LedgerCheckpoint.size == 5)
        note = connection.execute(query).scalar_one()
    lines = note.split("\n")
    assert lines[0] == ledger.origin == "central-server/GOV/70000050/sanaripaymak-service/ledger"
    assert lines[1] == "5"
    assert lines[4].startswith("\u2014 " + ledger.origin + " ")


def test_interval_checkpoints(hub_db: HubDb) -> None:
    init_keys(hub_db.settings)
    every_time = open_ledger(hub_db.settings, interval=0)
    for n in range(3):
        every_time.append(exchange(n))
    with every_time.engine.connect() as connection:
        sizes = list(
            connection.execute(select(LedgerCheckpoint.size).order_by(LedgerCheckpoint.size)).scalars()
        )
    assert sizes == [1, 2, 3]
    assert verify(every_time) == 3


def test_updated_column_is_named(ledger: Ledger) -> None:
    fill(ledger)
    with ledger.engine.begin() as connection:
        connection.execute(
            update(LedgerEntryRow).where(LedgerEntryRow.seq == 7).values(outcome="ok-but-hidden")
        )
    problem = failure(ledger)
    assert (problem.seq, problem.kind) == (7, "altered")
    assert "column outcome" in problem.detail


def test_updated_bytes_are_caught(ledger: Ledger) -> None:
    fill(ledger)
    with ledger.engine.begin() as connection:
        body = connection.execute(select(LedgerEntryRow.body).where(LedgerEntryRow.seq == 4)).scalar_one()
        connection.execute(
            update(LedgerEntryRow).where(LedgerEntryRow.seq == 4).values(body=body.replace(b'"ok"', b'"no"'))
        )
    problem = failure(ledger)
    assert (problem.seq, problem.kind) == (4, "altered")


def test_hidden_data_subject_is_caught(ledger: Ledger) -> None:
    fill(ledger)
    with ledger.engine.begin() as connection:
        victim = (
            connection.execute(select(LedgerSubject.pin_hash).where(LedgerSubject.seq == 12))
            .scalars()
            .first()
        )
        connection.execute(
            delete(LedgerSubject).where(LedgerSubject.seq == 12, LedgerSubject.pin_hash == victim)
        )
    problem = failure(ledger)
    assert (problem.seq, problem.kind) == (12, "altered")
    assert "data-subject index" in problem.detail


def test_deleted_row_is_named(ledger: Ledger) -> None:
    fill(ledger)
    with ledger.engine.begin() as connection:
        connection.execute(delete(LedgerSubject).where(LedgerSubject.seq == 9))
        connection.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq == 9))
    problem = failure(ledger)
    assert (problem.seq, problem.kind) == (9, "missing")


def test_an_entry_deleted_without_its_subject_rows_is_named(ledger: Ledger) -> None:
    """The subject index has no foreign key (migration 0019): deleting an entry leaves its subject
    rows behind instead of being refused or cascading; the entry is still named as missing."""
    fill(ledger)
    with ledger.engine.begin() as connection:
        connection.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq == 9))
        left = connection.execute(select(func.count()).where(LedgerSubject.seq == 9)).scalar_one()
    assert left > 0
    problem = failure(ledger)
    assert (problem.seq, problem.kind) == (9, "missing")


def test_a_subject_added_to_the_index_is_named(ledger: Ledger) -> None:
    """A person added to an entry's subjects (so that an audit by their PIN lists a call that did not
    concern them) differs from the entry's canonical bytes."""
    fill(ledger)
    with ledger.engine.begin() as connection:
        connection.execute(insert(LedgerSubject).values(pin_hash="0" * 64, seq=12))
    problem = failure(ledger)
    assert (problem.seq, problem.kind) == (12, "altered")
    assert "data-subject index" in problem.detail


def test_swapped_rows_are_named(ledger: Ledger) -> None:
    fill(ledger)
    columns = [c.name for c in LedgerEntryRow.__table__.columns if c.name != "seq"]
    with ledger.engine.begin() as connection:
        a = connection.execute(select(LedgerEntryRow).where(LedgerEntryRow.seq == 5)).one()
        b = connection.execute(select(LedgerEntryRow).where(LedgerEntryRow.seq == 6)).one()
        values_a = {c: getattr(a, c) for c in columns}
        values_b = {c: getattr(b, c) for c in columns}
        connection.execute(update(LedgerEntryRow).where(LedgerEntryRow.seq == 5).values(**values_b))
        connection.execute(update(LedgerEntryRow).where(LedgerEntryRow.seq == 6).values(**values_a))
    problem = failure(ledger)
    assert (problem.seq, problem.kind) == (5, "reordered")


def test_truncated_tail_is_named(ledger: Ledger) -> None:
    fill(ledger)  # a checkpoint covers all 20 entries
    with ledger.engine.begin() as connection:
        connection.execute(delete(LedgerSubject).where(LedgerSubject.seq >= 17))
        connection.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq >= 17))
        # A careful attacker also rewinds the head row...
        last = connection.execute(
            select(LedgerEntryRow.entry_hash).where(LedgerEntryRow.seq == 16)
        ).scalar_one()
        connection.execute(update(LedgerHead).values(size=17, last_hash=last))
    problem = failure(ledger)  # ...but the signed checkpoint of size 20 remembers
    assert (problem.seq, problem.kind) == (17, "missing")
    assert "truncated" in problem.detail


def test_forged_checkpoint_is_named(ledger: Ledger) -> None:
    fill(ledger)
    forger = Signer.generate(ledger.origin)
    with ledger.engine.begin() as connection:
        stored = connection.execute(select(LedgerCheckpoint).where(LedgerCheckpoint.size == 10)).one()
        forged = sign_checkpoint(Checkpoint(ledger.origin, 10, stored.root), forger)
        connection.execute(update(LedgerCheckpoint).where(LedgerCheckpoint.size == 10).values(note=forged))
    problem = failure(ledger)
    assert (problem.seq, problem.kind) == (9, "forged checkpoint")


def test_rewritten_history_with_a_consistent_chain_fails_the_checkpoint(ledger: Ledger) -> None:
    """An attacker who re-hashes the whole chain after an edit still cannot re-sign the checkpoint."""
    fill(ledger)
    import json

    from sanarip_hub.ledger.merkle import leaf_hash

    with ledger.engine.begin() as connection:
        rows = connection.execute(select(LedgerEntryRow).order_by(LedgerEntryRow.seq)).all()
        prev = bytes(32)
        for row in rows:
            body = json.loads(row.body)
            if row.seq == 3:
                body["out"] = "denied"
            body["prev"] = prev.hex()
            raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
            digest = leaf_hash(raw)
            connection.execute(
                update(LedgerEntryRow)
                .where(LedgerEntryRow.seq == row.seq)
                .values(body=raw, entry_hash=digest, prev_hash=prev, outcome=body["out"])
            )
            prev = digest
        connection.execute(update(LedgerHead).values(last_hash=prev))
    problem = failure(ledger)
    assert problem.kind == "altered"
    assert problem.seq == 9  # the first signed checkpoint (size 10) no longer matches
    assert "signed checkpoint" in problem.detail


def test_parallel_writers_never_fork_the_chain(hub_db: HubDb) -> None:
    init_keys(hub_db.settings)
    processes, per_process = 4, 60
    context = mp.get_context("spawn")
    workers = [
        context.Process(target=append_worker, args=(hub_db.env, w, per_process, 7)) for w in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    ledger = open_ledger(hub_db.settings)
    assert verify(ledger) == processes * per_process
    with ledger.engine.connect() as connection:
        ids = list(connection.execute(select(LedgerEntryRow.message_id)).scalars())
    assert len(ids) == len(set(ids)) == processes * per_process


@pytest.mark.integration
def test_kill_9_during_appends_leaves_a_ledger_that_verifies(hub_db: HubDb, tmp_path: Path) -> None:
    init_keys(hub_db.settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANARIP_HUB_")} | hub_db.env
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.ledger.helpers", str(w), "1000000", "25"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for w in range(2)
    ]
    ledger = open_ledger(hub_db.settings)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # let them write for a while, mid-transaction at any moment
        with ledger.engine.connect() as connection:
            if connection.execute(select(LedgerHead.size)).scalar_one() >= 500:
                break
        time.sleep(0.1)
    for writer in writers:
        os.kill(writer.pid, signal.SIGKILL)
    for writer in writers:
        writer.wait(timeout=30)
        assert writer.returncode == -signal.SIGKILL, writer.stderr.read() if writer.stderr else ""
    # A PostgreSQL append is one statement in its own transaction: one the server was executing
    # when its client died still commits (unacknowledged, as a commit sent just before a kill
    # would).  Wait until the head stops moving before counting.
    settled, last = 0, -1
    while settled < 3:
        with ledger.engine.connect() as connection:
            size = connection.execute(select(LedgerHead.size)).scalar_one()
        settled, last = (settled + 1, last) if size == last else (0, size)
        time.sleep(0.2)
    for _ in range(50):  # PostgreSQL rolls back the killed sessions' open transactions
        try:
            entries = verify(ledger)
            break
        except Exception:
            time.sleep(0.2)
    else:
        entries = verify(ledger)
    assert entries >= 500
    with ledger.engine.connect() as connection:
        if ledger.engine.dialect.name == "postgresql":
            connection.execute(text("SELECT 1"))
        assert connection.execute(select(func.count()).select_from(LedgerEntryRow)).scalar_one() == entries
    ledger.append(exchange(99))  # and the chain goes on
    assert verify(ledger) == entries + 1


def test_origin_uses_the_hub_identity(hub_db: HubDb) -> None:
    assert ledger_origin(hub_db.settings) == "central-server/GOV/70000050/sanaripaymak-service/ledger"


# Values that spell the places a template cuts at, as a hostile caller could send them.
SLOT_LOOKALIKES = [',"prev":"",', ',"seq":0,', '\\","prev":"",', '","seq":0,"', ","]


def test_template_renders_exactly_the_canonical_json() -> None:
    import random

    from sanarip_hub.domain.exchange import KEYS, Template, canonical_json, entry_document

    rng = random.Random(3)
    for _ in range(200):
        values = {
            column: rng.choice([None, rng.randint(0, 10**12), f'Ү{rng.random()}"\\\n', *SLOT_LOOKALIKES])
            for column in KEYS
        }
        hashes = sorted(f"{rng.getrandbits(256):064x}" for _ in range(rng.randint(0, 3)))
        document = entry_document(values, hashes)
        seq, prev = rng.randint(0, 10**9), f"{rng.getrandbits(256):064x}"
        assert Template.of(document).render(seq, prev) == canonical_json(
            {**document, "seq": seq, "prev": prev}
        )


def test_a_writer_that_saw_an_old_head_numbers_its_batch_again(hub_db: HubDb) -> None:
    """Two writers alternate: each one's last-seen head is stale at every turn after the first.
    Each batch still lands once, numbered after the other's, and the chain verifies.  On PostgreSQL
    each writer is overtaken once (its conditional append misses), then queues on the head's lock
    and is not overtaken again: no batch is sent more than twice, and later ones once."""
    init_keys(hub_db.settings)
    first, second = open_ledger(hub_db.settings), open_ledger(hub_db.settings)
    counted = attempts_of(first, second)
    alternate(first, second)
    assert verify(first) == 18
    with first.engine.connect() as connection:
        ids = list(
            connection.execute(select(LedgerEntryRow.message_id).order_by(LedgerEntryRow.seq)).scalars()
        )
    assert ids == [exchange(turn * 10 + n).message_id for turn in range(6) for n in range(3)]
    # PostgreSQL: turns 0 and 1 race and land; 2 and 3 miss once, then lock; 4 and 5 lock at once
    assert (counted["misses"], counted["locks"]) == ((2, 4) if first.rows.conditional else (0, 6))


def attempts_of(*writers: Ledger) -> dict[str, int]:
    """Count the writers' conditional appends that missed and their appends under the head's lock."""
    counted = {"misses": 0, "locks": 0}
    for writer in writers:
        appending, racing = writer.rows.appending, writer.rows.append_if_head

        def counting(original=appending):  # type: ignore[no-untyped-def]
            counted["locks"] += 1
            return original()

        def conditional(*args, original=racing, **named):  # type: ignore[no-untyped-def]
            landed, head = original(*args, **named)
            counted["misses"] += not landed
            return landed, head

        writer.rows.appending = counting  # type: ignore[method-assign]
        writer.rows.append_if_head = conditional  # type: ignore[method-assign]
    return counted


def alternate(first: Ledger, second: Ledger) -> None:
    """Six batches of three, the writers taking turns; each batch lands numbered after the last."""
    seqs = []
    for turn in range(6):
        writer = first if turn % 2 == 0 else second
        seqs.append(writer.append_many([exchange(turn * 10 + n) for n in range(3)]))
    assert seqs == [[3 * turn, 3 * turn + 1, 3 * turn + 2] for turn in range(6)]


def test_writers_of_one_host_take_turns_and_are_never_overtaken(hub_db: HubDb) -> None:
    """Two writers of one data directory (a host's worker processes) take turns on the host's turn
    file and pass each other the head they left: on PostgreSQL every batch lands in its one-statement
    append, none misses, none queues on the database's head lock."""
    init_keys(hub_db.settings)
    first, second = (open_ledger(hub_db.settings, turn=True) for _ in range(2))
    counted = attempts_of(first, second)
    alternate(first, second)
    assert verify(first) == 18
    assert (counted["misses"], counted["locks"]) == ((0, 0) if first.rows.conditional else (0, 6))


def test_a_checkpoint_signed_in_the_turn_leaves_its_head_to_the_next_writer(hub_db: HubDb) -> None:
    """A checkpoint moves the head's checkpoint time under the head's lock; signed in the host's
    turn, it hands the new head on, so the next batch lands in its one statement without a miss."""
    init_keys(hub_db.settings)
    first, second = (open_ledger(hub_db.settings, turn=True) for _ in range(2))
    counted = attempts_of(first, second)
    first.append_many([exchange(n) for n in range(3)])  # the ledger's first batch signs a checkpoint
    assert first.append(exchange(3)) == 3
    assert second.checkpoint() is not None
    assert second.append(exchange(4)) == 4
    assert first.append(exchange(5)) == 5
    assert verify(first) == 6
    assert counted["misses"] == 0
    assert counted["locks"] == (1 if first.rows.conditional else 5)  # PostgreSQL: the checkpoint's own


@pytest.mark.parametrize("damage", ["frontier", "checkpoint time", "torn", "empty"])
def test_a_wrong_head_passed_between_turns_is_caught_by_the_database(hub_db: HubDb, damage: str) -> None:
    """The head a writer leaves for the next (a file beside the data) is a hint the database checks
    whole: size, last hash, frontier and checkpoint time.  A wrong frontier with the right size and hash
    would otherwise land, and every later checkpoint would sign a wrong root; an old checkpoint time
    would sign a checkpoint before the interval has passed; a torn or empty file is read as no hint.
    Each batch still lands once, the chain and the checkpoints verify, and no checkpoint is signed
    early."""
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings, interval=3600, turn=True)  # the first batch signs one
    ledger.append_many([exchange(n) for n in range(5)])
    if ledger.turn is None:
        pytest.skip("SQLite's writers queue on the database's write lock and pass no head")
    path = ledger.turn.path
    head = ledger.rows.current_head()
    if damage == "frontier":
        path.write_bytes(encode_head(replace(head, frontier=bytes(len(head.frontier)))))
    elif damage == "checkpoint time":
        path.write_bytes(encode_head(replace(head, last_checkpoint_ms=head.last_checkpoint_ms - 10**9)))
    elif damage == "torn":
        path.write_bytes(encode_head(head)[:50])
    else:
        path.write_bytes(b"")
    assert ledger.append_many([exchange(n) for n in range(5, 9)]) == [5, 6, 7, 8]
    assert ledger.append(exchange(9)) == 9
    assert decode_head(path.read_bytes()) == ledger.rows.current_head()
    assert ledger.checkpoint() is not None  # signs the root of the head's frontier
    assert verify(ledger) == 10
    with ledger.engine.connect() as connection:
        signed = connection.execute(select(LedgerCheckpoint.size).order_by(LedgerCheckpoint.size))
        assert list(signed.scalars()) == [5, 10]


def test_an_overtaken_writer_queues_on_the_head_lock_then_races_again(
    hub_db: HubDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once overtaken, a writer's batch lands under the head row's lock, which cannot be
    overtaken; for CONTENDED_S its next batches queue there too, then it races again."""
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    ledger.append(exchange(1))
    if not ledger.rows.conditional:
        pytest.skip("SQLite appends under the database write lock; there is nothing to overtake")
    attempts = 0
    clock = [1000.0]
    monkeypatch.setattr(store.time, "monotonic", lambda: clock[0])
    racing = ledger.rows.append_if_head

    def overtaken(expected, new, entries, subjects, checkpoint=None, **named):  # type: ignore[no-untyped-def]
        nonlocal attempts
        attempts += 1
        if attempts > 1:  # the race after the contended window lands
            return racing(expected, new, entries, subjects, checkpoint, **named)
        return False, ledger.rows.current_head()

    monkeypatch.setattr(ledger.rows, "append_if_head", overtaken)
    assert ledger.append_many([exchange(2), exchange(3)]) == [1, 2]
    assert attempts == 1
    clock[0] += CONTENDED_S / 2
    assert ledger.append(exchange(4)) == 3
    assert attempts == 1  # still contended: queued on the lock without racing
    clock[0] += CONTENDED_S
    assert ledger.append(exchange(5)) == 4
    assert attempts == 2
    assert verify(ledger) == 5


def test_a_conditional_append_that_lost_the_race_writes_nothing(hub_db: HubDb) -> None:
    """The one-statement append inserts nothing (entries, subjects, checkpoint) unless the head it
    expected is still there: an attempt from a stale head leaves the tables as they were."""
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    if not ledger.rows.conditional:
        pytest.skip("PostgreSQL only")
    ledger.append(exchange(1, pins=("21705198091234",)))
    stale = ledger.rows.current_head()
    ledger.append(exchange(2, pins=("21705198091234",)))
    now = ledger.rows.current_head()
    with ledger.engine.connect() as connection:
        checkpoints = connection.execute(select(func.count()).select_from(LedgerCheckpoint)).scalar_one()
    entry = {"seq": 1, "time_ms": 1, "direction": "in", "channel": "soap", "service_id": "x", "outcome": "ok"}
    entry |= {"prev_hash": stale.last_hash, "entry_hash": b"\x01" * 32, "body": b"{}"}
    moved_to = LockedHead(2, b"\x01" * 32, b"", stale.last_checkpoint_ms)
    landed, head = ledger.rows.append_if_head(
        stale, moved_to, [entry], [{"pin_hash": "f" * 64, "seq": 1}], (2, 1, b"\x02" * 32, "note")
    )
    assert not landed
    assert head == now
    with ledger.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(LedgerEntryRow)).scalar_one() == 2
        assert connection.execute(select(func.count()).select_from(LedgerSubject)).scalar_one() == 2
        assert (
            connection.execute(select(func.count()).select_from(LedgerCheckpoint)).scalar_one() == checkpoints
        )
    assert verify(ledger) == 2


def _turn_is_free(ledger: Ledger) -> bool:
    """Whether another writer of the host could take the turn now (a second open file's ``flock``)."""
    assert ledger.turn is not None
    handle = os.open(ledger.turn.path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(handle)
    return True


def test_a_writer_waits_for_the_disk_after_the_turn_and_before_it_acknowledges(
    hub_db: HubDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: the one-statement append commits without waiting for the disk; the writer lets
    the host's turn go, then waits until the commit is durable, and only then acknowledges the batch
    and publishes the checkpoint signed with it.  The next writer of the host numbers and sends its
    batch while this one's commit is written (two writers took turns no faster than one before:
    each held the turn through its own flush), and nothing acknowledged or published can vanish
    with a crash of the database: the commit that makes a batch durable makes every earlier one so."""
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings, interval=0, turn=True)
    if not ledger.rows.conditional:
        pytest.skip("SQLite commits under its write lock; PostgreSQL's one-statement append only")
    events: list[tuple[object, ...]] = []
    ledger.publisher = SimpleNamespace(  # type: ignore[assignment]
        published=lambda size, note, wait=False: events.append(("published", size))
    )
    durable = ledger.rows.made_durable

    def waiting(raw: object) -> None:
        with ledger.engine.connect() as other:
            visible = other.execute(select(func.count()).select_from(LedgerEntryRow)).scalar_one()
        events.append(("durable", _turn_is_free(ledger), visible))
        durable(raw)

    monkeypatch.setattr(ledger.rows, "made_durable", waiting)
    assert ledger.append_many([exchange(n) for n in range(3)]) == [0, 1, 2]
    assert events == [("durable", True, 3), ("published", 3)]
    assert verify(ledger) == 3


def test_a_batch_whose_durability_is_unknown_is_not_acknowledged_and_not_sent_again(
    hub_db: HubDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection is lost while the writer waits for its commit to reach the disk: the batch
    is not acknowledged (its requests fail, as with a commit lost in flight) and not appended
    again; the entries committed stand once, and the next batch is numbered after them."""
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings, turn=True)
    if not ledger.rows.conditional:
        pytest.skip("PostgreSQL's one-statement append only")
    ledger.append(exchange(0))

    def lost(raw: object) -> None:
        raise OperationalError("SELECT pg_logical_emit_message(…)", None, Exception("server closed"))

    monkeypatch.setattr(ledger.rows, "made_durable", lost)
    with pytest.raises(OperationalError):
        ledger.append_many([exchange(1), exchange(2)])
    monkeypatch.undo()
    assert ledger.append(exchange(3)) == 3
    assert verify(ledger) == 4
