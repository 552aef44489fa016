"""The auditor's pages: access-ledger search, unsealed entries, verification, bundles, agreements."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from sanarip_hub.console import queries
from sanarip_hub.console.gate import Context, Gate, R, log, parse_time


class AuditorPages(Gate):
    async def audit(self, context: Context) -> Response:
        where, raw = self._filter(
            context, {"pin": "pin", "client": "client", "agreement": "agreement", "denied": "denied"}
        )
        searched = any(raw.values())
        entries = []
        if searched:
            before = self._before(context)
            entries = await run_in_threadpool(
                queries.exchange_log, self.engine, self.keys.pin_key, where, before
            )
            if where.pin:
                await run_in_threadpool(
                    self.access, context, "audit.by-pin", [where.pin], "data-subject report"
                )
        values = {
            "f": {**raw, "denied": raw.get("denied") == "1"},
            "entries": entries,
            "entry_base": "auditor/entries",
        }
        return self.render(context, "audit.html", values, context._("Access ledger"))

    async def audit_entry(self, context: Context) -> Response:
        seq, row = await self._entry(context)
        pins = self.keys.pin_key.unseal(row.subjects_sealed) if row.subjects_sealed else []
        await run_in_threadpool(self.access, context, "audit.entry", pins, f"ledger entry {seq}")
        return self.entry_page(context, seq, row, ", ".join(pins) or "—")

    def _verify(self, actor: str) -> str:
        from sanarip_hub.ledger.verify import verify_and_record

        _ok, detail = verify_and_record(self.engine, self.settings, actor)
        return detail

    async def verify_page(self, context: Context) -> Response:
        row = await run_in_threadpool(queries.last_verification, self.engine)
        _ = context._
        result = (
            _("never verified")
            if row is None
            else f"{row.at.strftime('%Y-%m-%d %H:%M')} · {row.actor} · {row.detail}"
        )
        return self.render(context, "verify.html", {"result": result}, _("Verification"))

    async def verify_now(self, context: Context) -> Response:
        assert context.account is not None
        detail = await run_in_threadpool(self._verify, f"console:{context.account.username}")
        return self.render(
            context,
            "verify.html",
            {"result": detail, "message": context._("Verified now.")},
            context._("Verification"),
        )

    async def bundle(self, context: Context) -> Response:
        from sanarip_hub.ledger.bundle import export_bundle
        from sanarip_hub.ledger.store import Ledger

        pin = self.checked_pin(context, self.form(context, "pin"))
        since = parse_time(self.form(context, "since"))
        until = parse_time(self.form(context, "until"), end_of_day=True)
        if pin:
            await run_in_threadpool(self.access, context, "audit.bundle", [pin], "evidence bundle")
        workdir = Path(tempfile.mkdtemp(prefix="sanarip-bundle-"))
        target = workdir / "evidence.zip"
        ledger = Ledger.for_settings(self.engine, self.settings, self.keys)
        summary = await run_in_threadpool(
            partial(
                export_bundle,
                ledger,
                target,
                since,
                until,
                pin,
                self.keys.pin_key if pin else None,
                archive_dir=self.settings.home_path(self.settings.ledger.archive_dir),
            )
        )
        log.info("console.bundle", entries=summary.entries, pin=bool(pin))

        def cleanup() -> None:
            target.unlink(missing_ok=True)
            workdir.rmdir()

        name = f"sanarip-evidence-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.zip"
        return FileResponse(
            target, filename=name, media_type="application/zip", background=BackgroundTask(cleanup)
        )

    async def agreements(self, context: Context) -> Response:
        from sanarip_hub.producer.agreements import list_agreements

        rows = await run_in_threadpool(list_agreements, self.engine)
        can_revoke = context.account is not None and context.account.role is R.ADMINISTRATOR
        return self.render(
            context,
            "agreements.html",
            {"agreements": rows, "can_revoke": can_revoke},
            context._("Agreements"),
        )
