"""``sanarip-hub register export|import`` as an operator runs them: messages, exit status, --report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import SEED, run

pytestmark = pytest.mark.integration  # processes on real databases


def test_export_then_import_into_an_empty_hub_and_a_refused_file_with_its_report(tmp_path: Path) -> None:
    source = {"SANARIP_HUB_HOME": str(tmp_path / "source")}
    target = {"SANARIP_HUB_HOME": str(tmp_path / "target")}
    for env in (source, target):
        assert run(["db", "upgrade"], env).returncode == 0
    assert run(SEED, source).returncode == 0
    exported = run(["register", "export", str(tmp_path / "out")], source)
    assert exported.returncode == 0, exported.stderr
    assert "exported 300 households" in exported.stdout

    files = sorted((tmp_path / "out").rglob("households.jsonl"))
    lines = files[0].read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["members"][0]["person"]["birth_date"] = "2999-01-01"
    broken = tmp_path / "broken" / "households.jsonl"
    broken.parent.mkdir()
    broken.write_text(
        "\n".join([json.dumps(record, ensure_ascii=False), *lines[1:]]) + "\n", encoding="utf-8"
    )
    report_file = tmp_path / "report.json"
    refused = run(["register", "import", str(broken), "--report", str(report_file)], target)
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith(f"sanarip-hub: error: 1 of {len(lines)} records are invalid")
    assert "nothing was written" in refused.stderr
    header, first = refused.stdout.splitlines()[:2]
    assert header.split() == ["file", "line", "record", "field", "problem"]
    assert first.startswith("households.jsonl  1 ")
    assert "members[0].person.birth_date  2999-01-01 is in the future" in refused.stdout
    saved = json.loads(report_file.read_text(encoding="utf-8"))
    assert saved["written"] is False
    assert {p["line"] for p in saved["problems"]} == {1}
    assert "members[0].person.birth_date" in {p["field"] for p in saved["problems"]}
    assert "the PIN holds birth date" in json.dumps(saved, ensure_ascii=False)  # the PIN disagrees too

    loaded = run(["register", "import", str(tmp_path / "out")], target)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("300 records: 300 created, 0 updated, 0 unchanged, 0 invalid skipped")
    again = run(["register", "import", str(tmp_path / "out"), "--dry-run"], target)
    assert "300 records: 0 created, 0 updated, 300 unchanged" in again.stdout
    assert "dry run, nothing written" in again.stdout
