"""The auditor's pages: access-ledger search, unsealed entries, verification, bundles, agreements."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from adapters.certificate_pdf import render_pdf
from sanarip_hub.console.gate import Context, Gate, R, log, parse_time
from sanarip_hub.console.labels import Issue, verification
from sanarip_hub.domain.certificates import CertificateStatus, IssuedCertificate
from sanarip_hub.domain.hub_contract import BY_CODE
from sanarip_hub.domain.identifiers import parse_pin
from sanarip_hub.errors import InvalidPin, PageRefused
from sanarip_hub.producer.agreements import hub_today
from sanarip_hub.storage import console_queries as queries
from sanarip_hub.storage.agreements import AgreementTable
from sanarip_hub.storage.certificates import CertificateRegister


@cache
def grantable_fields() -> list[tuple[str, list[str]]]:
    """Each published service with the field paths an agreement may grant in it (the contract's,
    fixed while the hub runs: worked out once, not on every view of the agreements page)."""
    from sanarip_hub.domain.hub_contract import BY_CODE
    from sanarip_hub.producer.field_grants import field_paths

    return [(code, field_paths(service)) for code, service in sorted(BY_CODE.items())]


class AuditorPages(Gate):
    async def audit(self, context: Context) -> Response:
        where, raw = self._filter(
            context, {"pin": "pin", "client": "client", "agreement": "agreement", "denied": "denied"}
        )
        searched = any(raw.values())
        params = context.request.query_params
        sections: list[dict[str, Any]] = []
        if searched:
            # a person's report keeps exchanges with other bodies apart from the hub's own staff
            # looking (a clerk's queue views once pushed a person's two disclosures off the page)
            kinds = [("exchanges", False), ("staff", True)] if where.pin else [("entries", None)]
            terms = await run_in_threadpool(self._purposes)
            for name, staff in kinds:
                cursor = params.get(f"{name}_before", "")
                if cursor and not cursor.isdigit():
                    raise PageRefused(400, "before must be a sequence number")
                rows = await run_in_threadpool(
                    queries.exchange_log,
                    self.engine,
                    self.keys.pin_key,
                    replace(where, staff=staff),
                    int(cursor) if cursor else None,
                )
                for row in rows:
                    row["purpose"] = terms.get(row["agreement_id"] or "", "")
                older = rows[-1]["seq"] if len(rows) == queries.PAGE else None
                link = (
                    urlencode({**{k: v for k, v in raw.items() if v}, f"{name}_before": older})
                    if older
                    else ""
                )
                sections.append({"name": name, "entries": rows, "older": link})
            if where.pin:
                await run_in_threadpool(
                    self.access, context, "audit.by-pin", [where.pin], Issue.SUBJECT_REPORT
                )
        titles = {
            "exchanges": context._("Exchanges with other bodies"),
            "staff": context._("Views by hub staff"),
            "entries": context._("Entries"),
        }
        values = {
            "f": {**raw, "denied": raw.get("denied") == "1"},
            "sections": [{**s, "title": titles[str(s["name"])]} for s in sections],
            "entry_base": "auditor/entries",
        }
        return self.render(context, "audit.html", values, context._("Access ledger"))

    def _purposes(self) -> dict[str, str]:
        return {row.number: row.purpose for row in AgreementTable(self.engine).rows()}

    async def verifier_key(self, context: Context) -> Response:
        """The log's verifier keys (current first, then retired): all an auditor needs offline."""
        from sanarip_hub.ledger.keys import load_verifiers

        keys = await run_in_threadpool(load_verifiers, self.settings)
        body = "".join(key.encode() + "\n" for key in keys)
        return Response(
            body,
            media_type="text/plain; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="sanarip-hub-ledger.vkey"'},
        )

    async def audit_entry(self, context: Context) -> Response:
        seq, row = await self._entry(context)
        pins = self.keys.pin_key.unseal(row.subjects_sealed) if row.subjects_sealed else []
        await run_in_threadpool(self.access, context, "audit.entry", pins, Issue.numbered(Issue.ENTRY, seq))
        return self.entry_page(context, seq, row, ", ".join(pins) or "—")

    def _verify(self, actor: str) -> tuple[bool, str]:
        from sanarip_hub.ledger.verify import verify_and_record

        return verify_and_record(self.engine, self.settings, actor, self.parallel)

    async def verify_page(self, context: Context) -> Response:
        row = await run_in_threadpool(queries.last_verification, self.engine)
        _ = context._
        if row is None:
            return self.render(context, "verify.html", {"result": _("never verified")}, _("Verification"))
        said, evidence = verification(context.language, row.detail)
        result = f"{_('intact') if row.ok else _('FAILED')} · {context.when(row.at)} · {row.actor} · {said}"
        values = {"result": result, "evidence": evidence, "ok": bool(row.ok)}
        return self.render(context, "verify.html", values, _("Verification"))

    async def verify_now(self, context: Context) -> Response:
        assert context.account is not None
        ok, detail = await run_in_threadpool(self._verify, f"console:{context.account.username}")
        message = context._("Verified now: intact.") if ok else context._("Verification FAILED.")
        said, evidence = verification(context.language, detail)
        return self.render(
            context,
            "verify.html",
            {"result": said, "evidence": evidence, "message": message, "ok": ok},
            context._("Verification"),
        )

    async def bundle(self, context: Context) -> Response:
        from sanarip_hub.ledger.bundle import export_bundle
        from sanarip_hub.ledger.store import Ledger

        pin = self.checked_pin(context, self.form(context, "pin"))
        since = parse_time(self.form(context, "since"), zone=context.zone)
        until = parse_time(self.form(context, "until"), end_of_day=True, zone=context.zone)
        if pin:
            await run_in_threadpool(self.access, context, "audit.bundle", [pin], Issue.BUNDLE)
        else:  # the whole ledger of a period leaves the hub: that is an access too
            await run_in_threadpool(self.access_all, context, "audit.bundle", Issue.BUNDLE_ALL)
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

    async def certificates(self, context: Context) -> Response:
        """The certificates issued about one person (current or old PIN), newest first; each with
        its status today and its printable copy.  Listing them is an access-ledger entry."""
        text = context.request.query_params.get("pin", "").strip()
        rows: list[IssuedCertificate] = []
        if text:
            try:
                pin = parse_pin(text).value
            except InvalidPin as exc:
                raise PageRefused(400, str(exc)) from None
            rows = await run_in_threadpool(CertificateRegister(self.engine).listed, pin, None, 200)
            await run_in_threadpool(self.access, context, "certificates.by-pin", [pin], Issue.CERTIFICATES)
        today = hub_today(self.settings.hub.timezone)
        _ = context._
        statuses = {
            CertificateStatus.VALID: _("valid"),
            CertificateStatus.EXPIRED: _("expired"),
            CertificateStatus.REVOKED: _("withdrawn"),
        }
        listed = [
            {"c": c, "title": BY_CODE[c.kind].title.get(context.language, c.kind),
             "status": statuses.get(status, status.value)}
            for c in rows
            for status in (c.status(today),)
        ]  # fmt: skip
        values = {"pin": text, "certificates": listed, "searched": bool(text)}
        return self.render(context, "certificates.html", values, _("Issued certificates"))

    async def certificate_pdf(self, context: Context) -> Response:
        """A certificate's printable copy (Kyrgyz and Russian, QR code): an access-ledger entry."""
        number = context.request.path_params["number"]
        issued = await run_in_threadpool(CertificateRegister(self.engine).find, number)
        if issued is None:
            raise PageRefused(404, "no such certificate")
        zone = ZoneInfo(self.settings.hub.timezone)
        data = await run_in_threadpool(render_pdf, issued, self.settings.certificates.font, zone)
        subjects = [issued.subject_pin, issued.asked_pin]
        await run_in_threadpool(
            self.access, context, "certificates.pdf", subjects, Issue.numbered(Issue.CERTIFICATE, number)
        )
        return Response(
            data,
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="{issued.number}.pdf"'},
        )

    async def agreements(
        self, context: Context, form: dict[str, Any] | None = None, status: int = 200
    ) -> Response:
        """The agreements (revoked ones with who, when and why); for an administrator, the form of a
        new one with the published services and each one's fields to choose from (``form``: a
        refused one's values and error, shown again)."""
        rows = await run_in_threadpool(AgreementTable(self.engine).rows)
        can_revoke = context.account is not None and context.account.role is R.ADMINISTRATOR
        query = context.request.query_params
        done = query.get("done", "") if query.get("done") in ("created", "revoked") else ""
        values = {
            "agreements": rows,
            "can_revoke": can_revoke,
            "services": grantable_fields() if can_revoke else [],  # the new agreement's form only
            "kept": {},
            "chosen": {},
            "done": done,
            "done_number": query.get("number", ""),
            **(form or {}),
        }
        return self.render(context, "agreements.html", values, context._("Agreements"), status)
