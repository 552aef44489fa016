"""The ledger commands as an auditor runs them, in a subprocess."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest

from sanarip_hub.config import load_settings
from tests.cli.test_cli import one_error_line, run
from tests.ledger.helpers import exchange, open_ledger

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


def test_auditor_workflow(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert run(["db", "upgrade"], cli_env).returncode == 0
    init = run(["keys", "init"], cli_env)
    assert init.returncode == 0, init.stderr
    assert "all an auditor needs" in init.stdout
    again = run(["keys", "init"], cli_env)
    assert again.returncode == 1
    assert "already exist" in one_error_line(again)

    ledger = open_ledger(load_settings(environ=cli_env))
    ledger.append_many(
        [
            exchange(
                n,
                pins=("21705198091234",) if n % 2 else ("12902200091234",),
                outcome="ok" if n % 4 else "Server.ClientProxy.AccessDenied",
            )
            for n in range(12)
        ]
    )
    ledger.engine.dispose()

    verified = run(["ledger", "verify"], cli_env)
    assert verified.returncode == 0, verified.stderr
    assert "ledger OK: 12 entries verified" in verified.stdout

    usage = run(["ledger", "usage", "--pin", "21705198091234", "--format", "json"], cli_env)
    assert usage.returncode == 0
    assert len(usage.stdout.splitlines()) == 6
    denied = run(["ledger", "search", "--denied", "--format", "json"], cli_env)
    assert len(denied.stdout.splitlines()) == 3

    bundle = tmp_path / "bundle.zip"
    exported = run(
        [
            "ledger",
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--pin",
            "21705198091234",
            str(bundle),
        ],
        cli_env,
    )
    assert exported.returncode == 0, exported.stderr
    assert "6 entries" in exported.stdout

    # Offline: no database at all (the configured one is a closed port) and only the public key.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    offline = {
        "SANARIP_HUB_HOME": str(tmp_path / "auditor"),
        "SANARIP_HUB_DATABASE_URL": f"postgresql+psycopg://nobody@127.0.0.1:{port}/none",
    }
    public_key = Path(cli_env["SANARIP_HUB_HOME"]) / "keys" / "ledger.vkey"
    checked = run(["ledger", "verify", "--bundle", str(bundle), "--public-key", str(public_key)], offline)
    assert checked.returncode == 0, checked.stderr
    assert "bundle OK: 6 entries" in checked.stdout
    missing_key = run(["ledger", "verify", "--bundle", str(bundle)], offline)
    assert missing_key.returncode == 2


def test_verify_fails_with_exit_1_naming_the_entry(tmp_path: Path) -> None:
    env = {"SANARIP_HUB_HOME": str(tmp_path / "home")}
    assert run(["db", "upgrade"], env).returncode == 0
    assert run(["keys", "init"], env).returncode == 0
    ledger = open_ledger(load_settings(environ=env))
    ledger.append_many([exchange(n) for n in range(8)])
    ledger.engine.dispose()
    database = sqlite3.connect(tmp_path / "home" / "sanarip-hub.sqlite3")
    database.execute("DELETE FROM ledger_subject WHERE seq = 5")
    database.execute("DELETE FROM ledger_entry WHERE seq = 5")
    database.commit()
    database.close()
    result = run(["ledger", "verify"], env)
    assert result.returncode == 1
    assert one_error_line(result).endswith(
        "ledger verification failed at seq 5: missing: entry 5 is missing (the next stored entry is 6)"
    )
    from_seven = run(["ledger", "verify", "--from", "7"], env)
    assert from_seven.returncode == 1  # rebuilding the tree state before 7 still meets the gap
    assert "at seq 5" in one_error_line(from_seven)


def test_archive_command_then_verify(tmp_path: Path) -> None:
    env = {"SANARIP_HUB_HOME": str(tmp_path / "home"), "SANARIP_HUB_LEDGER_RETENTION_DAYS": "1"}
    assert run(["db", "upgrade"], env).returncode == 0
    assert run(["keys", "init"], env).returncode == 0
    ledger = open_ledger(load_settings(environ=env))
    old = exchange(0)
    ledger.append_many(
        [old.__class__(**{**old.__dict__, "time_ms": 1_600_000_000_000 + n}) for n in range(6)]
    )
    ledger.append_many([exchange(n) for n in range(6, 9)])  # recent: stays live
    ledger.checkpoint()
    ledger.engine.dispose()
    archived = run(["ledger", "archive"], env)  # default cutoff: now minus retention_days
    assert archived.returncode == 0, archived.stderr
    assert "archive segment 0: entries 0..5" in archived.stdout
    assert run(["ledger", "archive"], env).stdout.strip() == "nothing to archive"
    verified = run(["ledger", "verify"], env)
    assert verified.returncode == 0, verified.stderr
    assert "9 entries verified" in verified.stdout
    (tmp_path / "home" / "archive" / "segment-000000.zip").unlink()
    broken = run(["ledger", "verify"], env)
    assert broken.returncode == 1
    assert "at seq 0: missing" in one_error_line(broken)


def test_restore_then_archive_never_overwrites_evidence(cli_env: dict[str, str], tmp_path: Path) -> None:
    """An older backup restored, then 'ledger archive': the newer segment on disk is kept, the
    archive run refuses with a clear error, and export and backup never overwrite a file unasked."""
    from tests.ledger.test_witness import fill

    assert run(["db", "upgrade"], cli_env).returncode == 0
    assert run(["keys", "init"], cli_env).returncode == 0
    fill(cli_env, 0, 20)
    assert run(["ledger", "checkpoint"], cli_env).returncode == 0
    backup = tmp_path / "before-archive.backup"
    assert run(["backup", str(backup)], cli_env).returncode == 0
    archived = run(["ledger", "archive", "--before", "2100-01-01"], cli_env)
    assert archived.returncode == 0, archived.stderr
    segment = Path(cli_env["SANARIP_HUB_HOME"]) / "archive" / "segment-000000.zip"
    kept = segment.read_bytes()
    restored = run(["restore", "--force", str(backup)], cli_env)
    assert restored.returncode == 0, restored.stderr
    again = run(["ledger", "archive", "--before", "2100-01-01"], cli_env)
    assert again.returncode == 1
    assert "segment-000000.zip already exists and the database does not know it" in one_error_line(again)
    assert segment.read_bytes() == kept

    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(b"an earlier bundle")
    refused = run(["ledger", "export", "--from-seq", "0", "--to-seq", "5", str(bundle)], cli_env)
    assert refused.returncode == 1
    assert "exists; use --force" in one_error_line(refused)
    assert bundle.read_bytes() == b"an earlier bundle"
    nowhere = run(
        ["ledger", "export", "--from-seq", "0", "--to-seq", "5", str(tmp_path / "no" / "b.zip")], cli_env
    )
    assert nowhere.returncode == 1
    assert "does not exist" in one_error_line(nowhere)
    assert (
        run(
            ["ledger", "export", "--from-seq", "0", "--to-seq", "5", "--force", str(bundle)], cli_env
        ).returncode
        == 0
    )


def test_keys_rotate_keeps_the_evidence_searchable_and_verifiable(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """The audit: 'keys init --force' on a ledger with entries replaced the PIN key, and 'ledger
    usage --pin' then found nothing for a person with 8 entries, exit 0."""
    from tests.ledger.test_witness import fill

    pin = "21705198091234"  # exchange() names this PIN
    assert run(["db", "upgrade"], cli_env).returncode == 0
    assert run(["keys", "init"], cli_env).returncode == 0
    fill(cli_env, 0, 8)
    assert run(["ledger", "checkpoint"], cli_env).returncode == 0
    refused = run(["keys", "init", "--force"], cli_env)
    assert refused.returncode == 1
    assert "the ledger holds 8 entries signed and indexed with the current keys" in one_error_line(refused)

    keys_dir = Path(cli_env["SANARIP_HUB_HOME"]) / "keys"
    old_vkey = (keys_dir / "ledger.vkey").read_text()
    rotated = run(["keys", "rotate", "--pin-key"], cli_env)
    assert rotated.returncode == 0, rotated.stderr
    assert (keys_dir / "ledger.vkey").read_text() != old_vkey
    fill(cli_env, 8, 4)  # written under the new keys
    assert run(["ledger", "checkpoint"], cli_env).returncode == 0

    usage = run(["ledger", "usage", "--pin", pin, "--format", "json"], cli_env)
    assert usage.returncode == 0, usage.stderr
    assert len(usage.stdout.splitlines()) == 12  # before and after the rotation
    verified = run(["ledger", "verify"], cli_env)
    assert verified.returncode == 0, verified.stderr
    assert "2 signed checkpoints match" in verified.stdout  # one per key
    bundle = tmp_path / "person.zip"
    assert (
        run(
            ["ledger", "export", "--from-seq", "0", "--to-seq", "12", "--pin", pin, str(bundle)], cli_env
        ).returncode
        == 0
    )
    old_file, new_file = tmp_path / "old.vkey", keys_dir / "ledger.vkey"
    old_file.write_text(old_vkey)
    both = run(["ledger", "verify", "--bundle", str(bundle), "--public-key", str(old_file), "--public-key",
                str(new_file)], cli_env)  # fmt: skip
    assert both.returncode == 0, both.stderr
    assert "bundle OK: 12 entries" in both.stdout


def test_answers_are_complete_or_say_they_are_not(cli_env: dict[str, str]) -> None:
    """The audit: 'ledger usage' and 'ledger search' stopped at 100 rows silently, an invalid PIN
    gave 'no entries', archived entries were never mentioned."""
    from tests.ledger.test_witness import fill

    pin = "21705198091234"
    assert run(["db", "upgrade"], cli_env).returncode == 0
    assert run(["keys", "init"], cli_env).returncode == 0
    fill(cli_env, 0, 100)
    assert run(["ledger", "checkpoint"], cli_env).returncode == 0
    assert run(["ledger", "archive", "--before", "2100-01-01"], cli_env).returncode == 0  # 0..99
    fill(cli_env, 100, 150)

    def seqs(result: object) -> list[int]:
        return [json.loads(line)["seq"] for line in result.stdout.splitlines()]  # type: ignore[attr-defined]

    first = run(["ledger", "usage", "--pin", pin, "--format", "json"], cli_env)
    assert seqs(first) == list(range(249, 149, -1))
    assert first.stderr.strip().endswith(
        f"more: sanarip-hub ledger usage --pin {pin} --limit 100 --before 150"
    )
    second = run(["ledger", "usage", "--pin", pin, "--format", "json", "--before", "150"], cli_env)
    assert seqs(second) == list(range(149, 99, -1))
    assert "entries 0..99 are in archive segments and were not searched; add --archived" in second.stderr
    everything = run(["ledger", "usage", "--pin", pin, "--format", "json", "--all", "--archived"], cli_env)
    assert seqs(everything) == list(range(249, -1, -1))
    searched = run(["ledger", "search", "--client", exchange(0).client_id or "", "--all", "--format", "json"],
                   cli_env)  # fmt: skip
    assert len(seqs(searched)) == 150
    invalid = run(["ledger", "usage", "--pin", "21705198091"], cli_env)
    assert invalid.returncode == 2
    assert "PIN must have 14 digits" in invalid.stderr
