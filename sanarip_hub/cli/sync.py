"""``sanarip-hub sync run …`` and ``sanarip-hub mismatches list|show|resolve``."""

from __future__ import annotations

import json

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.domain.codes import MismatchStatus, SyncSource
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.jobs import calling, reconcile
from sanarip_hub.entrypoints.operator_access import record_cli_access


@click.group()
def sync() -> None:
    """Reconciliation with the civil registry and the tax service."""


@sync.command("run")
@click.argument("source", type=click.Choice([s.value for s in SyncSource]))
@click.option("--lsg", "lsg_soate", help="Only the people of this LSG body (СОАТЕ code).")
@click.option("--limit", type=click.IntRange(min=1), help="Check at most this many people.")
@pass_hub
def run_command(hub: Hub, source: str, lsg_soate: str | None, limit: int | None) -> None:
    """Run (or resume an interrupted) reconciliation; differences become open mismatches."""
    from sanarip_hub.entrypoints.progress import progress_bar
    from sanarip_hub.storage.people import count_to_check, lsg_id_of

    engine = hub.current_engine
    lsg_id = None
    if lsg_soate:
        try:
            lsg_id = lsg_id_of(engine, lsg_soate)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--lsg") from None
    total = count_to_check(engine, lsg_id, low_income_only=SyncSource(source) is SyncSource.TAX)
    click.echo(calling(hub.settings, SyncSource(source)))
    with progress_bar(f"reconciling with {source}", limit or total) as advance:
        report = reconcile(hub, SyncSource(source), lsg_id=lsg_id, limit=limit, progress=advance)
    if report.resumed and limit is not None and limit != report.person_limit:
        kept = "no limit" if report.person_limit is None else f"its limit {report.person_limit}"
        click.echo(f"run {report.run_id} was resumed with {kept}: --limit {limit} was ignored")
    click.echo(
        f"run {report.run_id}{' (resumed)' if report.resumed else ''}: checked {report.checked}, "
        f"matched {report.matched}, mismatched {report.mismatched}, failed {report.failed}, "
        f"new flags {report.new_flags}, withdrawn {report.withdrawn}, {report.duration_ms / 1000:.1f} s"
    )


@click.group()
def mismatches() -> None:
    """The actualization queue: differences the registries report."""


@mismatches.command("list")
@click.option("--status", type=click.Choice([s.value for s in MismatchStatus]), help="Only this status.")
@click.option("--source", type=click.Choice([s.value for s in SyncSource]))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True)
@pass_hub
def list_command(hub: Hub, status: str | None, source: str | None, fmt: str, limit: int) -> None:
    """List mismatches (JSON Lines with --format json: pin, field, source, status, values).

    The list shows people's data: an access-ledger entry (``cli:mismatches list``) names them first."""
    from sanarip_hub.storage.mismatches import list_mismatches

    rows = list_mismatches(hub.current_engine, status, source, limit)
    record_cli_access(hub.settings, hub.current_engine, "mismatches list", (row.pin for row in rows))
    if not rows and fmt == "table":
        click.echo(
            "no mismatches"
            + "".join(f" {k} {v}" for k, v in (("with status", status), ("from", source)) if v)
        )
        return
    if fmt == "table":
        click.echo(
            f"{'ID':>6} {'STATUS':<11} {'PIN':<14} {'FIELD':<16} {'SOURCE':<15} HUB VALUE → REGISTRY VALUE"
        )
    for row in rows:
        item = {
            "id": row.id, "pin": row.pin, "field": row.field, "source": row.source, "status": row.status,
            "hub_value": row.hub_value, "registry_value": row.registry_value, "message_id": row.message_id,
            "detected_at": row.detected_at.isoformat(),
        }  # fmt: skip
        if fmt == "json":
            click.echo(json.dumps(item, ensure_ascii=False))
        else:
            click.echo(
                f"{row.id:>6} {row.status:<11} {row.pin or 'no PIN':<14} {row.field:<16} {row.source:<15} "
                f"{row.hub_value!s} → {row.registry_value!s}"
            )


@mismatches.command("show")
@click.argument("mismatch_id", type=int)
@pass_hub
def show_command(hub: Hub, mismatch_id: int) -> None:
    """One mismatch with its history (an access-ledger entry, ``cli:mismatches show``, names whose)."""
    from sanarip_hub.errors import ActualizationError
    from sanarip_hub.storage.mismatches import mismatch_with_history

    found = mismatch_with_history(hub.current_engine, mismatch_id)
    if found is None:
        raise ActualizationError(f"no mismatch {mismatch_id}")
    row, events = found
    record_cli_access(hub.settings, hub.current_engine, "mismatches show", [row.pin], f"mismatch {row.id}")
    click.echo(
        f"mismatch {row.id}: {row.pin or 'no PIN'} {row.field} ({row.source}), {row.status}, "
        f"version {row.version}"
    )
    click.echo(f"  hub:      {row.hub_value}\n  registry: {row.registry_value}\n  message:  {row.message_id}")
    for event in events:
        why = f": {event.reason}" if event.reason else ""
        click.echo(
            f"  {event.at:%Y-%m-%d %H:%M} {event.from_status or '-'} → {event.to_status} "
            f"by {event.actor}{why}"
        )


@mismatches.command("resolve")
@click.argument("mismatch_id", type=int)
@click.option(
    "--to", "to", type=click.Choice(["in_review", "actualized", "rejected", "escalated"]), required=True
)
@click.option("--by", "actor", required=True, help="Who decides.")
@click.option("--reason", help="Why (required to reject or escalate).")
@click.option(
    "--value",
    help="A name to write in the register's script (the registry writes it in another); for a household_head "
    "flag, the new head: a living current member's PIN (id:<person id> for one without).",
)
@click.option(
    "--seen-version",
    type=int,
    help="The version `mismatches show` printed: refused if the mismatch changed since.",
)
@pass_hub
def resolve_command(
    hub: Hub,
    mismatch_id: int,
    to: str,
    actor: str,
    reason: str | None,
    value: str | None,
    seen_version: int | None,
) -> None:
    """Move a mismatch: review it, actualize the hub from the registry, reject, or escalate."""
    from sanarip_hub.actualization.workflow import move
    from sanarip_hub.storage.mismatches import MismatchTable

    result = move(
        MismatchTable(hub.current_engine),
        mismatch_id,
        MismatchStatus(to),
        actor,
        reason,
        seen_version=seen_version,
        value=value,
    )
    changed = f"; person's {result.changed_field} updated (old value kept)" if result.changed_field else ""
    click.echo(f"mismatch {mismatch_id}: {result.from_status} → {result.to_status}{changed}")


@click.command()
@click.option("--next", "show_next", is_flag=True, help="Print when each job runs next, and exit.")
@pass_hub
def scheduler(hub: Hub, show_next: bool) -> None:
    """Run the nightly reconciliation jobs and the ledger verification on their cron schedule (only
    one instance acts)."""
    from sanarip_hub.entrypoints.jobs import run_scheduler

    run_scheduler(hub, show_next)
