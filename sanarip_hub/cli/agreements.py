"""``sanarip-hub agreements add|list|revoke|import``: standard interagency agreements."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.log import get_logger
from sanarip_hub.producer.agreements import (
    AgreementSpec,
    hub_today,
    is_active,
    read_import_file,
    revoke,
    store,
)
from sanarip_hub.producer.field_grants import describe
from sanarip_hub.storage.agreements import AgreementTable

log = get_logger("sanarip_hub.cli")


@click.group()
def agreements() -> None:
    """Which client subsystem may call which service, for what purpose, receiving which fields."""


@agreements.command("add")
@click.option("--number", required=True, help="Agreement number, e.g. SA-2026-001.")
@click.option("--client", required=True, help="SUBSYSTEM:INSTANCE/CLASS/CODE/SUBSYSTEM of the caller.")
@click.option("--service", "services", multiple=True, required=True, help="A service it may call (repeat).")
@click.option("--purpose", required=True, help="The purpose the agreement states.")
@click.option(
    "--field",
    "fields",
    multiple=True,
    help="A response field it may receive, e.g. lsgName or members.relation (repeat; default all). "
    "Per service: SERVICE:FIELD.",
)
@click.option("--valid-from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--valid-to", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--no-issue-required", is_flag=True, help="Let this client omit the issue header.")
@click.option("--oversight", is_flag=True, help="The data-protection body: findUsage about anyone, in full.")
@click.option(
    "--confidential-days",
    type=click.IntRange(0, 36500),
    default=0,
    help="Keep this client's lookups out of the data subject's own report for N days.",
)
@click.option("--statistics", is_flag=True, help="The statistics body: non-personal services only.")
@pass_hub
def add(
    hub: Hub,
    number: str,
    client: str,
    services: tuple[str, ...],
    purpose: str,
    fields: tuple[str, ...],
    valid_from: object,
    valid_to: object,
    no_issue_required: bool,
    oversight: bool,
    confidential_days: int,
    statistics: bool,
) -> None:
    """Add one agreement."""
    spec = AgreementSpec.from_mapping(
        {
            "number": number,
            "client": client,
            "services": list(services),
            "purpose": purpose,
            "fields": field_option(fields, services),
            "valid_from": valid_from.date(),  # type: ignore[attr-defined]
            "valid_to": valid_to.date() if valid_to else None,  # type: ignore[attr-defined]
            "require_issue": not no_issue_required,
            "oversight": oversight,
            "confidential_days": confidential_days,
            "statistics": statistics,
        }
    )
    added, _ = store(AgreementTable(hub.current_engine), [spec])
    log.info("agreement.add", number=spec.number, client=spec.client)
    click.echo(f"agreement {spec.number} added" if added else f"agreement {spec.number} already present")


def field_option(fields: tuple[str, ...], services: tuple[str, ...]) -> object:
    """``--field`` values as the import file's ``fields``: a flat list, or (with ``SERVICE:FIELD``)
    a table per service in which services given no field get all of theirs."""
    if not fields:
        return ["*"]
    if not any(":" in f for f in fields):
        return list(fields)
    table: dict[str, list[str]] = {}
    for item in fields:
        service, sep, path = item.partition(":")
        if not sep:
            raise click.BadParameter(f"mix of flat and per-service fields: {item!r}", param_hint="--field")
        table.setdefault(service, []).append(path)
    return {**{s: ["*"] for s in services if s not in table}, **table}


@agreements.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_hub
def import_command(hub: Hub, file: Path) -> None:
    """Add every [[agreement]] of a TOML file (all or nothing; re-importing adds nothing)."""
    specs = read_import_file(file)
    added, unchanged = store(AgreementTable(hub.current_engine), specs)
    log.info("agreement.import", file=str(file), added=added, unchanged=unchanged)
    click.echo(f"{added} agreement(s) added, {unchanged} already present")


@agreements.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--all", "show_all", is_flag=True, help="Include revoked and expired agreements.")
@pass_hub
def list_command(hub: Hub, fmt: str, show_all: bool) -> None:
    """The agreements (in force only, unless --all)."""
    today = hub_today(hub.settings.hub.timezone)
    rows = [r for r in AgreementTable(hub.current_engine).rows() if show_all or is_active(r, today)]
    if fmt == "json":
        for r in rows:
            click.echo(
                json.dumps(
                    {
                        "number": r.number,
                        "client": r.client,
                        "services": r.services,
                        "purpose": r.purpose,
                        "fields": r.fields,
                        "valid_from": r.valid_from.isoformat(),
                        "valid_to": r.valid_to.isoformat() if r.valid_to else None,
                        "require_issue": bool(r.require_issue),
                        "oversight": bool(r.oversight),
                        "confidential_days": int(r.confidential_days),
                        "statistics": bool(r.statistics),
                        "active": is_active(r, today),
                        "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not rows:
        click.echo("no agreements" + ("" if show_all else " in force"))
    for r in rows:
        state = "active" if is_active(r, today) else ("revoked" if r.revoked_at else "not in force")
        terms = [
            t
            for t, on in (
                ("oversight", r.oversight),
                ("statistics", r.statistics),
                (f"confidential {r.confidential_days} days", r.confidential_days),
            )
            if on
        ]
        click.echo(
            f"{r.number:<16} {state:<12} {r.client}{' (' + ', '.join(terms) + ')' if terms else ''}\n"
            f"{'':<16} fields: {describe(r.fields)}\n"
            f"{'':<16} {r.valid_from} – {r.valid_to or 'open'}; "
            f"issue {'required' if r.require_issue else 'waived'}; "
            f"purpose: {r.purpose}"
        )


@agreements.command("revoke")
@click.argument("number")
@click.option("--reason", required=True, help="Why the agreement ends (kept with it).")
@click.option("--by", default=None, help="Who revokes it (default: the operating-system user).")
@pass_hub
def revoke_command(hub: Hub, number: str, reason: str, by: str | None) -> None:
    """Revoke an agreement: calls under it are refused from the next cache refresh on."""
    revoke(AgreementTable(hub.current_engine), number, by or getpass.getuser(), reason)
    log.info("agreement.revoke", number=number)
    click.echo(f"agreement {number} revoked")
