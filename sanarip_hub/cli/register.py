"""``register export`` and ``register import``: the household books in the exchange format."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.register import run_export, run_import
from sanarip_hub.errors import RegisterInvalid
from sanarip_hub.register.exporter import FORMATS
from sanarip_hub.register.importer import REPORT_NAMES, ImportReport

SOATE = click.STRING
SHOWN_PROBLEMS = 50  # the terminal table's length; --report holds them all


@click.group()
def register() -> None:
    """Load and write the register (household books) in the exchange format (docs/register-format.md)."""


@register.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lsg", type=SOATE, default=None, help="Only this LSG body (its СОАТЕ code).")
@click.option(
    "--format",
    "kind",
    type=click.Choice(FORMATS),
    default="jsonl",
    show_default=True,
    help="JSON Lines, CSV sheets (households.csv, members.csv …) or one XLSX workbook per LSG body.",
)
@pass_hub
def export_command(hub: Hub, directory: Path, lsg: str | None, kind: str) -> None:
    """Write DIRECTORY/<LSG СОАТЕ>/households.jsonl (or its sheets) for every LSG body (or one)."""
    report = run_export(hub, directory, lsg, kind)
    if not report.households and not any(report.records.values()):
        click.echo("nothing to export")
        return
    click.echo(
        f"exported {report.households:,} households ({report.persons:,} persons), "
        + ", ".join(
            f"{count:,} {REPORT_NAMES[kind].replace('_', ' ')}" for kind, count in report.records.items()
        )
        + f" to {len(report.files)} files"
    )


@register.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--lsg", type=SOATE, default=None, help="Only records of this LSG body (its СОАТЕ code).")
@click.option("--dry-run", is_flag=True, help="Validate and report what would change; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Write the valid records, report the others.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the full report (problems included) as JSON to this file.")  # fmt: skip
@click.option("--close-missing", is_flag=True,
              help="Close (never delete) households of imported LSG bodies the files lack.")  # fmt: skip
@pass_hub
def import_command(
    hub: Hub, path: Path, lsg: str | None, dry_run: bool, skip_invalid: bool, report_file: Path | None,
    close_missing: bool,
) -> None:  # fmt: skip
    """Import a register file or an export directory: strict by default (one invalid record and
    nothing is written)."""
    try:
        report = run_import(hub, path, lsg, dry_run, skip_invalid, close_missing)
    except RegisterInvalid as exc:
        if isinstance(exc.report, ImportReport):
            _problems(exc.report)
            _save(exc.report, report_file)
        raise
    _problems(report)
    _save(report, report_file)
    for name, encoding in report.encodings.items():
        click.echo(f"{name}: read as {encoding}")
    click.echo(
        f"{report.records:,} records: {report.created:,} created, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged, {report.skipped:,} invalid skipped "
        f"({report.person_changes:,} person fields changed, nothing deleted)"
        + (" — dry run, nothing written" if dry_run else "")
    )
    for kind, counts in report.modules.items():
        if not counts.records and not counts.missing:
            continue
        what = REPORT_NAMES[kind].replace("_", " ")
        click.echo(
            f"{counts.records:,} {what}: {counts.created:,} created, {counts.updated:,} "
            f"updated, {counts.unchanged:,} unchanged"
        )
        if counts.missing:
            closed = (
                f"closed {counts.closed:,}"
                if counts.closed
                else "left as they are (--close-missing closes them)"
            )
            click.echo(f"{len(counts.missing):,} {what} missing from the files: {closed}")
    if report.missing:
        closed = f"closed {report.closed:,}" if report.closed else "left open (--close-missing closes them)"
        click.echo(f"{len(report.missing):,} households missing from the files: {closed}")
        for key in report.missing[:SHOWN_PROBLEMS]:
            click.echo(f"  {key}")


def _problems(report: ImportReport) -> None:
    if not report.problems:
        return
    rows = [("file", "line", "record", "field", "problem")] + [
        (p.file, str(p.line), p.key, p.field, p.problem) for p in report.problems[:SHOWN_PROBLEMS]
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[4]
        )
    if len(report.problems) > SHOWN_PROBLEMS:
        click.echo(f"… and {len(report.problems) - SHOWN_PROBLEMS:,} more (--report FILE lists them all)")


def _save(report: ImportReport, report_file: Path | None) -> None:
    if report_file is not None:
        report_file.write_text(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
