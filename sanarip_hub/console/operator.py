"""The operator's pages: dashboard, exchange log and entries, sync runs, health."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from sanarip_hub.console.chart import chart_svg
from sanarip_hub.console.gate import Context, Gate
from sanarip_hub.console.i18n import translations
from sanarip_hub.console.labels import Issue, published_title
from sanarip_hub.domain.exchange import Direction, run_issue
from sanarip_hub.domain.hub_contract import BY_CODE
from sanarip_hub.domain.readiness import Check
from sanarip_hub.domain.xroad_identifiers import ServiceId
from sanarip_hub.errors import InvalidIdentifier, PageRefused
from sanarip_hub.ledger.keys import LedgerKeys
from sanarip_hub.storage import console_queries as queries

if TYPE_CHECKING:  # the engine is a handle passed to storage; no SQL is written here
    from sqlalchemy import Engine


FAILURES = "failures"  # the outcome filter's "failures only"


class OperatorPages(Gate):
    def _service_line(self, language: str) -> Callable[[str, str], str]:
        """How the dashboard names a service's line: a published service by its title in the page's
        language; every code a refused request made up on one line; a registry's service by its
        code and provider (the hub chose to call it)."""
        _ = translations(language).gettext
        other = _("other codes (not published: refused requests)")

        def line(direction: str, service_id: str) -> str:
            try:
                service = ServiceId.parse(service_id)
            except InvalidIdentifier:
                return other if direction == Direction.IN.value else service_id
            if direction != Direction.IN.value:
                provider = self.names.name_of(service_id) if self.names is not None else None
                titles = self.called_titles.get(service.service_code, {})
                called = titles.get(language) or titles.get("en") or service.service_code
                return f"{called} · {provider}" if provider else called
            published = BY_CODE.get(service.service_code)
            if published is None or str(service.client) != self.hub_client:
                return other
            return published_title(service.service_code, language)

        return line

    async def dashboard(self, context: Context) -> Response:
        line = self._service_line(context.language)
        board = await run_in_threadpool(partial(queries.dashboard, self.engine, service_name=line))
        _ = context._
        verification = board.verification
        state = "" if verification is None else (_("intact") if verification.ok else _("FAILED"))

        def figures(traffic: queries.Traffic) -> dict[str, Any]:
            return {
                "total": context.number(traffic.total),
                "fault_rate": context.number(round(traffic.fault_rate * 100, 1)),
                "latency": " / ".join(
                    "—" if v is None else context.number(v) for v in (traffic.p50, traffic.p95, traffic.p99)
                ),
                "services": traffic.services,
            }

        stats = {
            "ledger_size": context.number(board.ledger_size),
            "console_views": context.number(board.console_views),
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
        zone_name = datetime.now(self.zone).strftime("%Z")
        values = {
            "stats": stats,
            "served": figures(board.served),
            "called": figures(board.called),
            "contracts": contracts,
            "clients": board.clients,
            "runs": board.runs,
            "open_by_lsg": board.open_by_lsg,
            "chart": chart_svg(
                board.served.series,
                board.hours,
                self.zone,
                title=_("Exchanges served to other bodies per hour, by service"),
                y_axis=_("exchanges per hour"),
                x_axis=_("hour (%(zone)s)") % {"zone": zone_name},
            ),
        }
        return self.render(context, "dashboard.html", values, _("Dashboard"))

    async def exchanges(self, context: Context) -> Response:
        names = ("since", "until", "client", "service", "outcome", "message_id", "pin", "kind", "issue")
        where, raw = self._filter(context, {n: n for n in names})
        outcome = raw.get("outcome", "")
        kind = raw.get("kind", "")
        where = replace(
            where,
            outcome=None if outcome in ("", FAILURES) else outcome,
            denied=outcome == FAILURES,
            staff={"exchanges": False, "console": True}.get(kind),
            client_members=tuple(self.names.matching(where.client)) if where.client and self.names else (),
        )
        before = self._before(context)
        entries = await run_in_threadpool(queries.exchange_log, self.engine, self.keys.pin_key, where, before)
        services, outcomes = await run_in_threadpool(queries.recent_values, self.engine)
        if where.pin:
            await run_in_threadpool(
                self.access, context, "exchanges.by-pin", [where.pin], Issue.EXCHANGE_SEARCH
            )
        next_before = entries[-1]["seq"] if len(entries) == queries.PAGE else None
        next_query = urlencode({**{k: v for k, v in raw.items() if v}, "before": next_before})
        _ = context._
        values = {
            "f": raw,
            "entries": entries,
            "entry_base": "operator/exchanges",
            "next_before": next_before,
            "next_query": next_query,
            "known_services": services,
            "outcomes": [
                ("", _("all")),
                ("ok", context.label("outcome", "ok")),
                (FAILURES, _("failures only")),
            ]
            + [(code, context.label("outcome", code)) for code in outcomes],  # the code: the title
            "kinds": [
                ("", _("all")),
                ("exchanges", _("exchanges with other bodies")),
                ("console", _("console entries: views of personal data, refusals")),
            ],
        }
        return self.render(context, "exchanges.html", values, _("Exchange log"))

    async def exchange(self, context: Context) -> Response:
        seq, row = await self._entry(context)
        _ = context._
        subjects = _("sealed (auditors search by PIN)") if row.subjects_sealed else "—"
        return self.entry_page(context, seq, row, subjects)

    async def runs(self, context: Context) -> Response:
        runs = await run_in_threadpool(queries.runs, self.engine)
        return self.render(context, "runs.html", {"runs": runs}, context._("Sync runs"))

    async def run(self, context: Context) -> Response:
        run_id = int(context.request.path_params["id"])
        issue = run_issue(run_id)
        detail = await run_in_threadpool(queries.run_detail, self.engine, run_id, issue)
        _ = context._
        if detail is None:
            raise PageRefused(404, _("No such sync run."))
        values = {"d": detail, "run": detail.run, "issue": issue}
        return self.render(context, "run.html", values, _("Sync run") + f" {run_id}")

    async def health(self, context: Context) -> Response:
        checks = await run_in_threadpool(readiness, self.engine, self.keys)
        last = await run_in_threadpool(queries.last_verification, self.engine)
        _ = context._
        shown = [
            (context.label("check", check.name), check.ok, check_detail(context, check)) for check in checks
        ]
        if last is None:
            shown.append((_("ledger verification"), False, _("never verified")))
        else:  # a failed verification is a failing check, whatever the database says
            state = _("intact") if last.ok else f"{_('FAILED')}: {last.detail}"
            shown.append(
                (
                    _("ledger verification"),
                    bool(last.ok),
                    f"{state} · {context.when(last.at)} · {context.number(last.size)}",
                )
            )
        return self.render(context, "health.html", {"checks": shown}, _("Health"))


def check_detail(context: Context, check: Check) -> str:
    """A readiness check's detail in the page's language (``/readyz`` prints the English, which
    scripts read): its words translated, its values filled in; a URL or a driver's message passes
    as it is."""
    words = context.label("check", check.detail)
    return words % dict(check.values) if check.values else words


def readiness(engine: Engine, keys: LedgerKeys | None, public: bool = False) -> list[Check]:
    """The checks of ``/readyz`` and the health page: database, migrations, ledger key.

    ``public`` (``/readyz``, which needs no sign-in): the database is "reachable", never its URL."""
    from sanarip_hub.storage.migrate import database_checks

    checks = database_checks(engine, public)
    if keys is None:
        checks.append(Check("ledger key", False, "not loaded"))
    else:
        try:
            keys.signer.signature_line("readiness")
            checks.append(Check("ledger key", True, "loaded, signs"))
        except Exception as exc:
            checks.append(Check("ledger key", False, str(exc)))
    return checks
