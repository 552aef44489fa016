"""The operator's pages: dashboard, exchange log and entries, sync runs, health."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from sanarip_hub.console.chart import chart_svg
from sanarip_hub.console.gate import Context, Gate
from sanarip_hub.ledger.keys import LedgerKeys
from sanarip_hub.storage import console_queries as queries

if TYPE_CHECKING:  # the engine is a handle passed to storage; no SQL is written here
    from sqlalchemy import Engine


class OperatorPages(Gate):
    async def dashboard(self, context: Context) -> Response:
        board = await run_in_threadpool(queries.dashboard, self.engine)
        _ = context._
        verification = board.verification
        state = "" if verification is None else (_("intact") if verification.ok else _("FAILED"))
        stats = {
            "fault_rate": board.fault_rate,
            "p50": board.p50 if board.p50 is not None else "—",
            "p95": board.p95 if board.p95 is not None else "—",
            "p99": board.p99 if board.p99 is not None else "—",
            "ledger_size": context.number(board.ledger_size),
            "last_checkpoint": context.when(board.last_checkpoint_ms or None),
            "verification_failed": verification is not None and not verification.ok,
            "verification": (
                _("never verified")
                if verification is None
                else f"{state} · {context.when(verification.at)} · {context.number(verification.size)}"
            ),
        }
        states = {
            "ok": _("matches our model"),
            "compatible": _("changed, compatible"),
            "drift": _("DRIFTED"),
            "unreachable": _("could not be checked"),
        }
        contracts = [
            {
                "name": checked.check.name,
                "service": checked.check.service,
                "status": checked.check.status.value,
                "state": states[checked.check.status.value],
                "failed": checked.check.failed,
                "at": context.when(checked.checked_at),
                "problems": [d.text() for d in checked.check.breaking]
                + [checked.check.error] * bool(checked.check.error),
            }
            for checked in board.contracts
        ]
        values = {
            "stats": stats,
            "contracts": contracts,
            "services": board.services,
            "clients": board.clients,
            "runs": board.runs,
            "open_by_lsg": board.open_by_lsg,
            "chart": chart_svg(board.series, board.hours),
        }
        return self.render(context, "dashboard.html", values, _("Dashboard"))

    async def exchanges(self, context: Context) -> Response:
        names = ("since", "until", "client", "service", "outcome", "message_id", "pin")
        where, raw = self._filter(context, {n: n for n in names})
        before = self._before(context)
        entries = await run_in_threadpool(queries.exchange_log, self.engine, self.keys.pin_key, where, before)
        known = await run_in_threadpool(queries.recent_services, self.engine)
        if where.pin:
            await run_in_threadpool(
                self.access, context, "exchanges.by-pin", [where.pin], "exchange log search"
            )
        next_before = entries[-1]["seq"] if len(entries) == queries.PAGE else None
        next_query = urlencode({**{k: v for k, v in raw.items() if v}, "before": next_before})
        values = {
            "f": raw,
            "entries": entries,
            "entry_base": "operator/exchanges",
            "next_before": next_before,
            "next_query": next_query,
            "known_services": known,
        }
        return self.render(context, "exchanges.html", values, context._("Exchange log"))

    async def exchange(self, context: Context) -> Response:
        seq, row = await self._entry(context)
        _ = context._
        subjects = _("sealed (auditors search by PIN)") if row.subjects_sealed else "—"
        return self.entry_page(context, seq, row, subjects)

    async def runs(self, context: Context) -> Response:
        runs = await run_in_threadpool(queries.runs, self.engine)
        return self.render(context, "runs.html", {"runs": runs}, context._("Sync runs"))

    async def health(self, context: Context) -> Response:
        checks = await run_in_threadpool(readiness, self.engine, self.keys)
        last = await run_in_threadpool(queries.last_verification, self.engine)
        _ = context._
        if last is None:
            checks.append((_("ledger verification"), False, _("never verified")))
        else:  # a failed verification is a failing check, whatever the database says
            checks.append(
                (_("ledger verification"), bool(last.ok), f"{last.at:%Y-%m-%d %H:%M} · {last.detail}")
            )
        return self.render(context, "health.html", {"checks": checks}, _("Health"))


def readiness(engine: Engine, keys: LedgerKeys | None, public: bool = False) -> list[tuple[str, bool, str]]:
    """The checks of ``/readyz`` and the health page: database, migrations, ledger key.

    ``public`` (``/readyz``, which needs no sign-in): the database is "reachable", never its URL."""
    from sanarip_hub.storage.migrate import database_checks

    checks = database_checks(engine, public)
    if keys is None:
        checks.append(("ledger key", False, "not loaded"))
    else:
        try:
            keys.signer.signature_line("readiness")
            checks.append(("ledger key", True, "loaded, signs"))
        except Exception as exc:
            checks.append(("ledger key", False, str(exc)))
    return checks
