"""Standard interagency agreements: the import file's rules and the ``agreements`` commands."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sanarip_hub.domain.hub_contract import BY_CODE
from sanarip_hub.domain.xroad_identifiers import ClientId
from sanarip_hub.errors import AgreementError
from sanarip_hub.producer.agreements import AgreementBook, AgreementSpec, hub_today, read_import_file, store
from sanarip_hub.producer.field_grants import tree_of
from sanarip_hub.storage.agreements import AgreementTable
from tests.cli.test_cli import one_error_line, run
from tests.clock import ManualClock
from tests.conftest import HubDb

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

EXAMPLE = """
[[agreement]]
number = "SA-2026-001"
client = "SUBSYSTEM:central-server/GOV/70000003/sf-personal-data"
services = ["householdByPin", "familyComposition"]
purpose = "Pension eligibility checks"
fields = ["*"]            # or the list of response fields this client may receive
valid_from = 2026-01-01
valid_to = 2027-12-31
require_issue = true      # the default; false lets this client omit the issue header

[[agreement]]
number = "SA-2026-002"
client = "SUBSYSTEM:central-server/COM/60000002/bank-address"
services = ["householdByPin", "address-fact"]
purpose = "Address check with the subject's consent"
fields = ["address", "accountNo", "soate"]
valid_from = 2026-03-01
require_issue = false
"""

VALID = {
    "number": "SA-1",
    "client": "SUBSYSTEM:central-server/GOV/70000003/sf-personal-data",
    "services": ["householdByPin"],
    "purpose": "p",
    "valid_from": date(2026, 1, 1),
}


def test_the_issue_example_file_imports(tmp_path: Path) -> None:
    path = tmp_path / "agreements.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    first, second = read_import_file(path)
    assert first.fields == {"householdByPin": ("*",), "familyComposition": ("*",)}
    assert first.require_issue is True
    assert first.valid_to == date(2027, 12, 31)
    # a flat list where every name means one field: each service gets the names it has
    assert second.fields == {
        "householdByPin": ("address", "accountNo"),
        "address-fact": ("accountNo", "soate"),
    }
    assert second.require_issue is False
    assert second.valid_to is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"services": ["dropTables"]}, "unknown service(s) dropTables"),
        ({"services": []}, "unknown service(s) (none)"),
        ({"fields": ["members", "salary"]}, "field(s) salary not in the responses of householdByPin"),
        ({"fields": ["members.salary"]}, "field(s) members.salary not in the responses of householdByPin"),
        ({"fields": ["lsgName.x"]}, "field(s) lsgName.x not in the responses of householdByPin"),
        (
            {"fields": {"householdByPin": ["members.pin"], "findUsage": ["*"]}},
            "findUsage the agreement lacks",
        ),
        ({"fields": {"householdByPin": []}}, "fields.householdByPin must be a non-empty list"),
        (
            {"services": ["householdByPin", "socialPassportByPin"], "fields": ["members"]},
            "field members means different things in householdByPin, socialPassportByPin",
        ),
        (
            {"services": ["householdByPin", "socialPassportByPin"], "fields": {"householdByPin": ["*"]}},
            "fields must list every service of the agreement; add socialPassportByPin",
        ),
        ({"statistics": True}, "non-personal services only (regulation clause 27); householdByPin"),
        (
            {"services": ["municipalPropertyByEni"], "statistics": True, "fields": ["lessees.name"]},
            "cannot be granted municipalPropertyByEni lessees.name: it is personal data",
        ),
        ({"oversight": True, "statistics": True, "services": ["lsgPassport"]}, "not both oversight and"),
        ({"confidential_days": -1}, "confidential_days must be between 0 and 36500"),
        ({"confidential_days": True}, "confidential_days must be a int"),
        ({"client": "SUBSYSTEM:central-server/GOV/700 3/sf"}, "client: memberCode"),
        ({"client": "central-server"}, "not a client identifier"),
        ({"valid_to": date(2025, 1, 1)}, "valid_to must be a date not before valid_from"),
        ({"valid_from": "2026-01-01"}, "valid_from must be a date"),
        ({"require_issue": "no"}, "require_issue must be a bool"),
        ({"number": ""}, "number must be a non-empty string"),
        ({"colour": "red"}, "unknown key(s) colour"),
    ],
)
def test_a_bad_agreement_is_refused_naming_the_problem(change: dict[str, object], message: str) -> None:
    with pytest.raises(AgreementError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AgreementSpec.from_mapping({**VALID, **change})


def test_a_file_repeating_a_number_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text(EXAMPLE + EXAMPLE.split("[[agreement]]")[1].join(["[[agreement]]", ""]), encoding="utf-8")
    with pytest.raises(AgreementError, match="repeated: SA-2026-001"):
        read_import_file(path)


def test_the_agreement_commands(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert run(["db", "upgrade"], cli_env).returncode == 0
    path = tmp_path / "agreements.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    result = run(["agreements", "import", str(path)], cli_env)
    assert result.returncode == 0, result.stderr
    assert "2 agreement(s) added, 0 already present" in result.stdout
    again = run(["agreements", "import", str(path)], cli_env)
    assert "0 agreement(s) added, 2 already present" in again.stdout

    changed = tmp_path / "changed.toml"
    changed.write_text(EXAMPLE.replace("Pension eligibility checks", "Something else"), encoding="utf-8")
    refused = run(["agreements", "import", str(changed)], cli_env)
    assert refused.returncode == 1
    assert "SA-2026-001 already exists with different terms" in one_error_line(refused)

    added = run(
        ["agreements", "add", "--number", "SA-2026-003",
         "--client", "SUBSYSTEM:central-server/GOV/70000010/nsc",
         "--service", "statAggregates", "--service", "lsgPassport", "--purpose", "statistics",
         "--valid-from", "2026-01-01"],
        cli_env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    revoked = run(
        ["agreements", "revoke", "SA-2026-002", "--reason", "consent withdrawn", "--by", "admin"], cli_env
    )
    assert revoked.returncode == 0, revoked.stderr
    listed = run(["agreements", "list", "--format", "json", "--all"], cli_env)
    rows = {row["number"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert set(rows) == {"SA-2026-001", "SA-2026-002", "SA-2026-003"}
    assert rows["SA-2026-002"]["active"] is False
    assert rows["SA-2026-002"]["revoked_at"]
    assert rows["SA-2026-003"]["services"] == ["statAggregates", "lsgPassport"]
    in_force = run(["agreements", "list", "--format", "json"], cli_env)
    assert {json.loads(line)["number"] for line in in_force.stdout.splitlines()} == {
        "SA-2026-001",
        "SA-2026-003",
    }
    twice = run(["agreements", "revoke", "SA-2026-002", "--reason", "again"], cli_env)
    assert twice.returncode == 1
    assert "already revoked" in one_error_line(twice)


def test_grants_are_per_service_and_reach_into_records() -> None:
    """Granting the social passport's member count no longer releases member records elsewhere."""
    spec = AgreementSpec.from_mapping(
        {
            **VALID,
            "services": ["householdByPin", "socialPassportByPin"],
            "fields": {"householdByPin": ["lsgName", "members.relation"], "socialPassportByPin": ["members"]},
        }
    )
    assert spec.fields == {
        "householdByPin": ("lsgName", "members.relation"),
        "socialPassportByPin": ("members",),
    }
    household, passport = (tree_of(BY_CODE[s], spec.fields[s]) for s in spec.services)
    assert household == {"lsgName": None, "members": {"relation": None}}
    assert passport == {"members": None}
    assert tree_of(BY_CODE["householdByPin"], ("members", "members.pin")) == {"members": None}


def test_a_statistics_agreement_gets_the_non_personal_fields_of_a_service_with_personal_ones() -> None:
    spec = AgreementSpec.from_mapping(
        {**VALID, "services": ["municipalPropertyByEni", "lsgPassport"], "fields": ["*"], "statistics": True}
    )
    assert "lessees" not in spec.fields["municipalPropertyByEni"]
    assert "eni" in spec.fields["municipalPropertyByEni"]
    assert spec.fields["lsgPassport"] == ("*",)


def test_agreement_days_are_days_in_the_hubs_time_zone(hub_db: HubDb) -> None:
    """An agreement valid to 1 December ended at midnight in Bishkek; counted in UTC days it still
    answered at 01:23 Bishkek time (19:23 UTC) on the 2nd."""
    store(
        AgreementTable(hub_db.engine), [AgreementSpec.from_mapping({**VALID, "valid_to": date(2026, 12, 1)})]
    )
    client = ClientId.parse(VALID["client"])
    evening = datetime(2026, 12, 1, 17, 59, tzinfo=UTC)  # 23:59 in Bishkek
    night = datetime(2026, 12, 1, 19, 23, tzinfo=UTC)  # 01:23 on the 2nd in Bishkek
    assert AgreementBook(AgreementTable(hub_db.engine), 0, "Asia/Bishkek", ManualClock(evening)).grant(
        client, "householdByPin"
    )
    at_night = AgreementBook(AgreementTable(hub_db.engine), 0, "Asia/Bishkek", ManualClock(night))
    assert at_night.grant(client, "householdByPin") is None
    utc_days = AgreementBook(AgreementTable(hub_db.engine), 0, "UTC", ManualClock(night))
    assert utc_days.grant(client, "householdByPin")  # the old bug: still answering
    assert hub_today("Asia/Bishkek", night) == date(2026, 12, 2)
