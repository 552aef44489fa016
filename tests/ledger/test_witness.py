"""Checkpoints outside the database, and witnesses (issue 12 §1).

The audit deleted checkpoint rows and then rewrote or cut everything after the newest remaining
one: ``ledger verify`` said OK, and deleting one checkpoint was never noticed.  With the
checkpoint log both are named; with a witness (another party's machine) even an attacker who also
holds the data directory, signing key included, is caught: the witness will not cosign a tree
inconsistent with the one it cosigned, and remembers the size it cosigned.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from sanarip_hub.config import load_settings
from sanarip_hub.ledger.frontier import Frontier
from sanarip_hub.ledger.keys import init_keys, ledger_origin, load_keys
from sanarip_hub.ledger.merkle import MerkleTree, leaf_hash
from sanarip_hub.ledger.note import Checkpoint, Cosigner, Signer, open_note, sign_checkpoint
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.ledger.witness import WitnessState, request_body
from sanarip_hub.storage.engine import make_engine
from sanarip_hub.storage.models import LedgerCheckpoint, LedgerEntryRow, LedgerHead, LedgerSubject
from tests.cli.test_cli import one_error_line, run
from tests.conftest import HubDb
from tests.ledger.helpers import exchange
from tests.producer.conftest import HUB, free_port, wait_until_serving

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


def make_witness(directory: Path, *logs: str) -> Cosigner:
    cosigner = Cosigner.generate("pdp.gov.kg/witness")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "witness.key").write_text(cosigner.encode() + "\n")
    (directory / "logs.txt").write_text("".join(f"{key}\n" for key in logs))
    return cosigner


def test_the_witness_checks_consistency_and_answers_in_the_protocols_codes(
    hub_db: HubDb, tmp_path: Path
) -> None:
    log_key = init_keys(hub_db.settings).signer
    origin = log_key.name
    witness = make_witness(tmp_path / "w", log_key.verifier().encode())
    state = WitnessState(tmp_path / "w", clock=lambda: 1_790_000_000)
    leaves = [leaf_hash(bytes([n])) for n in range(20)]
    tree = MerkleTree(leaves)

    def note(size: int, root: bytes, signer: Signer = log_key, name: str = origin) -> str:
        return sign_checkpoint(Checkpoint(name, size, root), signer)

    first = state.add_checkpoint(request_body(0, [], note(8, tree.root(8))))
    assert first.status == 200
    opened = open_note(note(8, tree.root(8)) + first.body.decode(), [log_key.verifier(), witness.verifier()])
    assert witness.name in opened.verified_by  # a cosignature the log and its auditors can check

    stale = state.add_checkpoint(request_body(0, [], note(20, tree.root(20))))
    assert (stale.status, stale.body, stale.content_type) == (409, b"8\n", "text/x.tlog.size")
    assert state.add_checkpoint(request_body(9, [], note(8, tree.root(8)))).status == 400
    forked = MerkleTree([leaf_hash(b"x"), *leaves[1:]])
    refused = state.add_checkpoint(request_body(8, tree.consistency_proof(8, 20), note(20, forked.root(20))))
    assert refused.status == 422  # the proof from what it cosigned does not reach this root
    assert state.add_checkpoint(request_body(8, [], note(8, forked.root(8)))).status == 409  # a fork
    stranger = Signer.generate("someone.else/log")
    assert (
        state.add_checkpoint(request_body(0, [], note(8, tree.root(8), stranger, stranger.name))).status
        == 404
    )
    forger = Signer.generate(origin)  # our origin, somebody else's key
    assert state.add_checkpoint(request_body(8, [], note(8, tree.root(8), forger))).status == 403
    assert (
        state.add_checkpoint(request_body(8, tree.consistency_proof(8, 20), note(20, tree.root(20)))).status
        == 200
    )
    assert WitnessState(tmp_path / "w").latest(origin) == (20, tree.root(20))  # persisted


def fill(env: dict[str, str], start: int, count: int) -> None:
    """Append entries without signing a checkpoint (the tests sign them with ``ledger checkpoint``)."""
    settings = load_settings(environ=env)
    ledger = Ledger(make_engine(settings), load_keys(settings), ledger_origin(settings), 10**10)
    ledger.append_many([exchange(start + n) for n in range(count)])
    ledger.engine.dispose()


def cut_tail(env: dict[str, str], keep: int) -> None:
    """What someone with write access to the database does: delete every entry from ``keep`` on and
    every checkpoint above it, and make the head row agree (the chain then ends cleanly)."""
    engine = make_engine(load_settings(environ=env))
    with engine.begin() as connection:
        hashes = [bytes(h) for h in connection.execute(
            select(LedgerEntryRow.entry_hash).where(LedgerEntryRow.seq < keep).order_by(LedgerEntryRow.seq)
        ).scalars()]  # fmt: skip
        frontier = Frontier()
        for digest in hashes:
            frontier.append(digest)
        connection.execute(delete(LedgerSubject).where(LedgerSubject.seq >= keep))
        connection.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq >= keep))
        connection.execute(delete(LedgerCheckpoint).where(LedgerCheckpoint.size > keep))
        connection.execute(
            update(LedgerHead).values(size=keep, last_hash=hashes[-1], frontier=frontier.encode())
        )
    engine.dispose()


def test_deleted_checkpoints_and_a_cut_tail_are_named_from_the_checkpoint_log(
    cli_env: dict[str, str],
) -> None:
    assert run(["db", "upgrade"], cli_env).returncode == 0
    assert run(["keys", "init"], cli_env).returncode == 0
    fill(cli_env, 0, 30)
    assert run(["ledger", "checkpoint"], cli_env).returncode == 0  # size 30
    fill(cli_env, 30, 10)
    assert run(["ledger", "checkpoint"], cli_env).returncode == 0  # size 40
    fill(cli_env, 40, 5)
    assert run(["ledger", "checkpoint"], cli_env).returncode == 0  # size 45
    verified = run(["ledger", "verify"], cli_env)
    assert verified.returncode == 0, verified.stderr
    assert "3 in the checkpoint log" in verified.stdout

    engine = make_engine(load_settings(environ=cli_env))  # one checkpoint row deleted
    with engine.begin() as connection:
        connection.execute(delete(LedgerCheckpoint).where(LedgerCheckpoint.size == 40))
    engine.dispose()
    one = run(["ledger", "verify"], cli_env)
    assert one.returncode == 1
    assert one_error_line(one) == (
        "sanarip-hub: error: ledger verification failed at seq 39: missing: the checkpoint of size 40 is in "
        "the checkpoint log but its database row is gone"
    )

    cut_tail(cli_env, 30)  # then everything after the newest remaining checkpoint cut away
    cut = run(["ledger", "verify"], cli_env)
    assert cut.returncode == 1
    assert "at seq 30: missing" in one_error_line(cut)
    assert "45 were recorded (truncated tail)" in one_error_line(cut)


@pytest.fixture
def witness_dir(tmp_path: Path) -> tuple[str, Path]:
    """``sanarip-hub witness init``: (its verifier key, its directory); it trusts no log yet."""
    directory = tmp_path / "witness"
    made = subprocess.run([*HUB, "witness", "init", "--dir", str(directory), "--name", "pdp.gov.kg/witness"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return made.stdout.strip().rsplit(" ", 1)[-1], directory


def start_witness(directory: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*HUB, "witness", "serve", "--dir", str(directory), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )


def test_a_witness_catches_a_rewrite_by_someone_holding_the_database_and_the_keys(
    cli_env: dict[str, str], witness_dir: tuple[str, Path]
) -> None:
    vkey, directory = witness_dir
    assert run(["db", "upgrade"], cli_env).returncode == 0
    assert run(["keys", "init"], cli_env).returncode == 0
    home = Path(cli_env["SANARIP_HUB_HOME"])
    command = [*HUB, "witness", "trust", "--dir", str(directory), str(home / "keys" / "ledger.vkey")]
    trusted = subprocess.run(command, capture_output=True, text=True, check=False)
    assert trusted.returncode == 0, trusted.stderr
    port = free_port()
    server = start_witness(directory, port)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", server)
        env = {**cli_env, "SANARIP_HUB_LEDGER_WITNESSES": f"http://127.0.0.1:{port} {vkey}"}
        fill(env, 0, 30)
        first = run(["ledger", "checkpoint"], env)
        assert first.returncode == 0, first.stderr
        assert "witness pdp.gov.kg/witness: cosigned size 30" in first.stdout
        fill(env, 30, 10)
        assert "cosigned size 40" in run(["ledger", "checkpoint"], env).stdout
        verified = run(["ledger", "verify"], env)
        assert verified.returncode == 0, verified.stderr
        assert "cosigned up to size 40" in verified.stdout
        assert "witness pdp.gov.kg/witness: consistent up to size 40" in verified.stdout

        # The attacker: the tail cut at 30 and rewritten with other entries, a fresh checkpoint of
        # size 40 signed with the stolen key, the checkpoint log and the cosignature rows emptied.
        cut_tail(env, 30)
        attacker = {k: v for k, v in env.items() if k != "SANARIP_HUB_LEDGER_WITNESSES"}
        settings = load_settings(environ=attacker)
        forged = Ledger.for_settings(make_engine(settings), settings)
        forged.append_many([exchange(1000 + n) for n in range(10)])
        forged.checkpoint()
        forged.engine.dispose()
        (home / "checkpoints.log").write_text("")
        engine = make_engine(settings)
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM ledger_cosignature")
        engine.dispose()
        assert run(["ledger", "verify"], attacker).returncode == 0  # nothing left inside the hub to tell
        caught = run(["ledger", "verify"], env)
        assert caught.returncode == 1
        assert (
            "altered: the tree is not consistent with what witness pdp.gov.kg/witness cosigned at size 40"
            in (one_error_line(caught))
        )
        cut_tail(env, 35)  # or simply cut below the cosigned size
        short = run(["ledger", "verify"], env)
        assert short.returncode == 1
        assert (
            "cosigned size 40; the ledger holds 35 entries (tail cut below a cosigned size)"
            in one_error_line(short)
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
