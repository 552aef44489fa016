"""``register import`` and ``register export`` with a progress bar, logged when done."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.progress import progress_bar
from sanarip_hub.log import get_logger
from sanarip_hub.register.exporter import ExportReport, export_register
from sanarip_hub.register.importer import ImportReport, import_register
from sanarip_hub.storage.register_books import RegisterBooks

log = get_logger("sanarip_hub.register")


def run_export(hub: Hub, directory: Path, lsg: str | None, kind: str = "jsonl") -> ExportReport:
    books = RegisterBooks(hub.engine)
    with progress_bar("exporting households", books.household_count(lsg)) as advance:
        report = export_register(books, directory, lsg, advance, kind)
    log.info("register.exported", households=report.households, files=len(report.files))
    return report


def run_import(
    hub: Hub,
    path: Path,
    lsg: str | None,
    dry_run: bool,
    skip_invalid: bool,
    close_missing: bool,
    today: date | None = None,
) -> ImportReport:
    report = import_register(
        RegisterBooks(hub.engine),
        path,
        today or date.today(),
        lsg=lsg,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        close_missing=close_missing,
        progress=progress_bar,
    )
    log.info(
        "register.imported",
        records=report.records,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped=report.skipped,
        closed=report.closed,
        dry_run=dry_run,
    )
    return report
