"""The ``sanarip-hub`` command as operators' scripts call it: a real subprocess, real databases.

Checks the contract of exit codes (0 ok, 1 failure with one line on stderr, 2 usage error), the
refusals that protect data, the unreachable-database deadline, and the backup/restore drill.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import drop_schema, hub_environment

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

SEED = ["seed", "--households", "300", "--lsg", "2", "--seed", "5"]


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SANARIP_HUB_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "sanarip_hub", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["db"],
        ["db", "upgrade"],
        ["db", "downgrade"],
        ["db", "current"],
        ["seed"],
        ["backup"],
        ["restore"],
        ["demo"],
    ],
)
def test_help_everywhere(args: list[str], tmp_path: Path) -> None:
    result = run([*args, "--help"], {"SANARIP_HUB_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "Usage: sanarip-hub" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["seed"], "Missing option '--households'"),
        (["seed", "--households", "0"], "--households"),
        (["frobnicate"], "No such command"),
        (["seed", "--households", "5", "--lsg", "999"], "--lsg"),
        (["backup"], "Missing argument"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    result = run(args, {"SANARIP_HUB_HOME": str(tmp_path)})
    assert result.returncode == 2
    assert message in result.stderr


def test_invalid_config_is_one_line_naming_key_and_file(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('[database]\nconnect_timeout = "soon"\n')
    result = run(["--config", str(config), "db", "current"], {"SANARIP_HUB_HOME": str(tmp_path)})
    assert result.returncode == 1
    line = one_error_line(result)
    assert "database.connect_timeout" in line
    assert str(config) in line


def test_invalid_environment_value(tmp_path: Path) -> None:
    result = run(
        ["db", "current"], {"SANARIP_HUB_HOME": str(tmp_path), "SANARIP_HUB_SCHEDULE_TIMEZONE": "Mars/Base"}
    )
    assert result.returncode == 1
    assert "schedule.timezone in SANARIP_HUB_SCHEDULE_TIMEZONE: unknown time zone" in one_error_line(result)


def test_refused_connection_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "SANARIP_HUB_HOME": str(tmp_path),
        "SANARIP_HUB_DATABASE_URL": f"postgresql+psycopg://hub@127.0.0.1:{port}/x",
    }
    started = time.monotonic()
    result = run(["db", "upgrade"], env)
    assert time.monotonic() - started < 10
    assert result.returncode == 1
    line = one_error_line(result)
    assert f"cannot reach the database at postgresql+psycopg://hub@127.0.0.1:{port}/x" in line
    assert "refused" in line.lower()


def test_silent_server_times_out_within_ten_seconds(tmp_path: Path) -> None:
    """A server that accepts TCP but never answers (a hung host) must not hang the CLI."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    env = {
        "SANARIP_HUB_HOME": str(tmp_path),
        "SANARIP_HUB_DATABASE_CONNECT_TIMEOUT": "3",
        "SANARIP_HUB_DATABASE_URL": f"postgresql+psycopg://hub:secret@127.0.0.1:{port}/x",
    }
    try:
        started = time.monotonic()
        result = run(["db", "current"], env, timeout=30)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
    assert elapsed < 10
    assert result.returncode == 1
    line = one_error_line(result)
    assert "cannot reach the database" in line
    assert "secret" not in line  # the password is masked
    assert "***" in line


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    env = {
        "SANARIP_HUB_HOME": str(tmp_path),
        "SANARIP_HUB_DATABASE_URL": "postgresql+psycopg://hub@127.0.0.1:1/x",
    }
    result = run(["--debug", "db", "current"], env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "cannot reach the database" in result.stderr.splitlines()[-1]


def test_seed_needs_upgrade_first(cli_env: dict[str, str]) -> None:
    result = run(SEED, cli_env)
    assert result.returncode == 1
    assert "run 'sanarip-hub db upgrade'" in one_error_line(result)


def test_upgrade_seed_refuse_append(cli_env: dict[str, str]) -> None:
    assert run(["db", "upgrade"], cli_env).returncode == 0
    assert run(["db", "upgrade"], cli_env).returncode == 0  # again: nothing to do, still success
    first = run(SEED, cli_env)
    assert first.returncode == 0, first.stderr
    assert "seeded 300 households" in first.stdout
    again = run(SEED, cli_env)
    assert again.returncode == 1
    assert "already holds 300 households; use --append" in one_error_line(again)
    appended = run([*SEED, "--append"], cli_env)
    assert appended.returncode == 0, appended.stderr


def test_demo_on_a_seeded_database_then_keeps_serving(tmp_path: Path) -> None:
    """``make demo`` (here with --serve: off a terminal it ends by itself): the producer answers a SOAP
    and a REST call, both ledgered; reconciliation runs; then the hub keeps serving the console whose
    URL and logins it printed, until Ctrl-C.  SQLite only: the demo is the default set-up."""
    import re
    import signal
    import urllib.request

    cli_env = hub_environment("sqlite", tmp_path / "home")
    assert run(["db", "upgrade"], cli_env).returncode == 0
    assert run(SEED, cli_env).returncode == 0
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SANARIP_HUB_")} | cli_env
    process = subprocess.Popen(
        [sys.executable, "-m", "sanarip_hub", "demo", "--serve"],
        env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        if "until Ctrl-C" in line:
            break
    said = "".join(lines)
    assert "until Ctrl-C" in said, said
    console = re.search(r"serving the console at (http://127\.0\.0\.1:\d+/console/)", said)
    assert console is not None
    with urllib.request.urlopen(console.group(1) + "login", timeout=10) as page:  # still served
        assert page.status == 200
    # the REST call it printed, spelled as clients must (not the SUBSYSTEM: form), answers as printed
    curl = re.search(r"curl ((?:-H '[^']+' )+)http://127\.0\.0\.1:\d+(/rest/\S+)", said)
    assert curl is not None, said
    headers = dict(h.split(": ", 1) for h in re.findall(r"-H '([^']+)'", curl.group(1)))
    assert headers["X-Road-Client"] == "central-server/GOV/70000003/sf-personal-data"
    base = console.group(1).removesuffix("/console/")
    request = urllib.request.Request(base + curl.group(2), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.loads(answer.read())["resultCode"] == "OK"
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=60)
    assert process.returncode in (0, 130), rest
    assert "demo stopped" in rest
    demo = said + rest
    assert "database already seeded" in demo
    assert "household " in demo
    assert "300" in demo
    # then the producer: demo agreements, a sample SOAP and REST call answered, and ledgered
    assert "demo agreements: 7 added" in demo
    assert "SOAP householdByPin for PIN" in demo
    assert "→ HTTP 200" in demo
    assert "<resultCode>OK</resultCode>" in demo or ":resultCode>OK<" in demo
    assert '"resultCode":"OK"' in demo
    usage = run(
        [
            "ledger",
            "usage",
            "--pin",
            demo.split("SOAP householdByPin for PIN ")[1].split()[0],
            "--format",
            "json",
        ],
        cli_env,
    )
    assert usage.returncode == 0, usage.stderr
    assert {"soap", "rest"} <= {json.loads(line)["channel"] for line in usage.stdout.splitlines()}
    # then reconciliation against the simulator, summarised
    assert "sync civil-registry: checked" in demo
    assert "sync tax: checked" in demo
    assert "Mismatches flagged for actualization" in demo
    assert "warning: demo agreement" not in demo  # none ends within the month


def test_logs_are_json_lines_off_a_terminal(cli_env: dict[str, str]) -> None:
    import json

    run(["db", "upgrade"], cli_env)
    result = run(SEED, cli_env)
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    done = [e for e in events if e["event"] == "seed.done"]
    assert done
    assert done[0]["households"] == 300
    assert done[0]["level"] == "info"
    assert "timestamp" in done[0]


def test_backup_restore_drill(cli_env: dict[str, str], tmp_path: Path) -> None:
    backup_file = tmp_path / "drill" / "hub.backup"
    assert run(["db", "upgrade"], cli_env).returncode == 0
    assert run(SEED, cli_env).returncode == 0
    before = run(["demo", "--no-producer"], cli_env).stdout
    missing_folder = run(["backup", str(backup_file)], cli_env)  # no folder is made silently
    assert missing_folder.returncode == 1
    assert f"folder {backup_file.parent} does not exist" in one_error_line(missing_folder)
    backup_file.parent.mkdir()
    result = run(["backup", str(backup_file)], cli_env)
    assert result.returncode == 0, result.stderr
    assert "warning: this file holds the database only" in result.stderr
    assert backup_file.stat().st_size > 0
    assert not backup_file.with_name("hub.backup.partial").exists()
    again = run(["backup", str(backup_file)], cli_env)  # never over an existing file unasked
    assert again.returncode == 1
    assert "exists; use --force to replace it" in one_error_line(again)
    assert run(["backup", "--force", str(backup_file)], cli_env).returncode == 0

    # A restore over the live data is refused and changes nothing.
    refused = run(["restore", str(backup_file)], cli_env)
    assert refused.returncode == 1
    assert "holds 300 households; restoring would replace them (use --force)" in one_error_line(refused)

    # Damage the database, then restore with --force: everything is back.
    assert run([*SEED, "--append"], cli_env).returncode == 0
    forced = run(["restore", "--force", str(backup_file)], cli_env)
    assert forced.returncode == 0, forced.stderr
    assert run(["demo", "--no-producer"], cli_env).stdout == before


def test_restore_into_an_empty_database(cli_env: dict[str, str], tmp_path: Path, backend: str) -> None:
    backup_file = tmp_path / "hub.backup"
    assert run(["db", "upgrade"], cli_env).returncode == 0
    assert run(SEED, cli_env).returncode == 0
    before = run(["demo", "--no-producer"], cli_env).stdout
    assert run(["backup", str(backup_file)], cli_env).returncode == 0
    fresh = hub_environment(backend, tmp_path / "fresh-home")
    if backend == "postgresql":
        fresh["SANARIP_HUB_DATABASE_SCHEMA"] = cli_env["SANARIP_HUB_DATABASE_SCHEMA"]
        drop_schema(fresh["SANARIP_HUB_DATABASE_SCHEMA"])
    result = run(["restore", str(backup_file)], fresh)
    assert result.returncode == 0, result.stderr
    assert run(["demo", "--no-producer"], fresh).stdout == before.replace(
        str(tmp_path / "home"), str(tmp_path / "fresh-home")
    )


def test_restore_rejects_a_file_that_is_not_a_backup(cli_env: dict[str, str], tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(b"this is not a database backup\n" * 10)
    assert run(["db", "upgrade"], cli_env).returncode == 0
    result = run(["restore", str(bogus)], cli_env)
    assert result.returncode == 1
    line = one_error_line(result)
    assert "not a SQLite backup" in line or "pg_restore failed" in line
    missing = run(["restore", str(tmp_path / "missing.backup")], cli_env)
    assert missing.returncode == 1
    assert "backup file not found" in one_error_line(missing)


def test_failures_at_the_edges_are_one_clear_error(cli_env: dict[str, str]) -> None:
    """Issue 17: an unknown migration, an unwritable backup target, a certificate key that is not a
    key and a busy port each printed ``unexpected <Exception>`` (or a traceback, or 'serving' first);
    each is now one ``sanarip-hub: error:`` line saying what to do, with exit 1."""
    import socket

    assert run(["db", "upgrade"], cli_env).returncode == 0
    unknown = run(["db", "upgrade", "9999"], cli_env)
    assert unknown.returncode == 1
    from sanarip_hub.storage.migrate import head_revision

    assert one_error_line(unknown) == (  # the newest revision named, whichever it is now
        f"sanarip-hub: error: no migration 9999: give a revision between 0001 and {head_revision()}, or head"
    )
    unwritable = run(["backup", "/proc/x"], cli_env)
    assert unwritable.returncode == 1
    assert one_error_line(unwritable).startswith("sanarip-hub: error: cannot write the backup to /proc/x: ")
    assert run(["keys", "init"], cli_env).returncode == 0
    key = Path(cli_env["SANARIP_HUB_HOME"]) / "keys" / "lsg-certificate.key"
    key.write_text("not a key\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    broken = run(["serve", "--port", str(port)], cli_env)
    assert broken.returncode == 1
    assert "serving" not in broken.stdout
    assert one_error_line(broken).startswith("sanarip-hub: error: unusable certificate key or certificate")
    assert run(["keys", "init", "--force"], cli_env).returncode == 0
    for name, command in (("ledger.skey", ["ledger", "checkpoint"]), ("ledger.vkey", ["ledger", "verify"])):
        ledger_key = Path(cli_env["SANARIP_HUB_HOME"]) / "keys" / name
        kept = ledger_key.read_bytes()
        ledger_key.write_text("garbage\n")
        damaged = run(command, cli_env)
        assert damaged.returncode == 1
        assert one_error_line(damaged).startswith(f"sanarip-hub: error: {ledger_key} is not a usable key (")
        assert one_error_line(damaged).endswith("restore it from the backup of the keys directory")
        ledger_key.write_bytes(kept)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        refused = run(["serve", "--host", "127.0.0.1", "--port", str(taken)], cli_env)
    assert refused.returncode == 1
    assert "serving" not in refused.stdout
    assert one_error_line(refused) == (
        f"sanarip-hub: error: port {taken} on 127.0.0.1 is in use: stop what holds it or give --port"
    )


def test_ctrl_c_exits_130(cli_env: dict[str, str]) -> None:
    """The README promises exit 130 on Ctrl-C; click turned the interrupt into Abort, which exited 1."""
    import signal
    import time

    assert run(["db", "upgrade"], cli_env).returncode == 0
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SANARIP_HUB_")} | cli_env
    process = subprocess.Popen(
        [sys.executable, "-m", "sanarip_hub", "seed", "--households", "200000"],
        env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # interrupt the seeding itself, not the imports: wait for 3 s of CPU time of the command and its
    # generator processes (imports take ~1 s; the seed of 200,000 households ~20 s), however busy the
    # machine is
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu_seconds(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks

    def workers() -> list[int]:
        try:
            return [
                int(pid)
                for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
            ]
        except FileNotFoundError:
            return []

    def alive(pid: int) -> bool:  # a zombie (its parent gone, nobody reaping here) does not count
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        return state not in ("Z", "X")

    deadline = time.monotonic() + 120
    seen: set[int] = set()
    while time.monotonic() < deadline and process.poll() is None:
        seen.update(workers())
        if cpu_seconds(process.pid) + sum(cpu_seconds(pid) for pid in seen) > 3:
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "sanarip-hub: interrupted"
    if cli_env.get("SANARIP_HUB_DATABASE_URL"):  # a fresh PostgreSQL load runs generator processes
        assert seen
    # none outlives the command (multiprocessing's resource tracker leaves when its pipe closes: a moment)
    gone_by = time.monotonic() + 10
    while [pid for pid in seen if alive(pid)] and time.monotonic() < gone_by:
        time.sleep(0.1)
    assert not [(pid, Path(f"/proc/{pid}/cmdline").read_bytes()[:120]) for pid in seen if alive(pid)]


def test_an_error_raised_while_unwinding_from_ctrl_c_still_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C can land while the driver is mid-command; the cleanup that unwinds from it (a
    rollback, a pool's reset) then fails, and its error hid the interrupt: CI saw ``seed`` exit 1
    with "unexpected OperationalError: … another command is already in progress" instead of 130."""
    from sanarip_hub.cli import main as entry

    def interrupted_then_cleanup_failed(**_: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            try:
                raise RuntimeError("sending query failed: another command is already in progress")
            except RuntimeError as cleanup:
                raise ValueError("and the pool's reset failed too") from cleanup

    def translated_from_an_unrelated_cause(**_: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:  # its __cause__ is another error; the interrupt is its __context__
            raise RuntimeError("rollback failed") from OSError("connection reset")

    for command in (interrupted_then_cleanup_failed, translated_from_an_unrelated_cause):
        monkeypatch.setattr(entry.cli, "main", command)
        with pytest.raises(SystemExit) as exited:
            entry.main(["seed"])
        assert exited.value.code == 130
        assert capsys.readouterr().err.strip() == "sanarip-hub: interrupted"
    monkeypatch.setattr(entry.cli, "main", lambda **_: (_ for _ in ()).throw(RuntimeError("plain")))
    with pytest.raises(SystemExit) as exited:
        entry.main(["seed"])
    assert exited.value.code == 1  # an error with no interrupt behind it is still an error
    assert "unexpected RuntimeError: plain" in capsys.readouterr().err
