"""The LSG user's pages: the actualization queue of their LSG body and its decisions."""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from sanarip_hub.actualization.workflow import MOVES, NAME_FIELDS, move
from sanarip_hub.console.gate import Context, Gate
from sanarip_hub.domain.codes import MismatchStatus
from sanarip_hub.errors import ActualizationError, PageRefused
from sanarip_hub.storage import console_queries as queries
from sanarip_hub.storage.mismatches import HOUSEHOLD_HEAD, MismatchTable, household_head_candidates


class LsgPages(Gate):
    async def queue(self, context: Context) -> Response:
        user = context.account
        assert user is not None
        assert user.lsg_id is not None
        rows = await run_in_threadpool(queries.queue, self.engine, user.lsg_id)
        await run_in_threadpool(
            self.access, context, "lsg.queue", [r.pin for r in rows], "actualization queue"
        )
        return self.render(
            context,
            "queue.html",
            {"mismatches": rows, "lsg_name": f"{user.lsg_name} ({user.lsg_soate})"},
            context._("Actualization queue"),
        )

    def _own_mismatch(self, context: Context) -> tuple[Any, list[Any]]:
        user = context.account
        assert user is not None
        found = queries.mismatch(self.engine, int(context.request.path_params["id"]))
        if found is None or found[0].lsg_id != user.lsg_id:  # another LSG's people are not shown
            raise PageRefused(404, context._("No such mismatch in your LSG body."))
        return found

    def _moves(self, context: Context, status: str) -> list[tuple[str, str]]:
        _ = context._
        labels = {
            MismatchStatus.IN_REVIEW: _("Take into review"),
            MismatchStatus.ACTUALIZED: _("Actualize: take the registry's value"),
            MismatchStatus.REJECTED: _("Reject: the hub is right"),
            MismatchStatus.ESCALATED: _("Escalate to the data holder"),
        }
        return [
            (to.value, labels[to]) for to in sorted(MOVES[MismatchStatus(status)], key=list(labels).index)
        ]

    async def mismatch_page(self, context: Context, message: str | None = None) -> Response:
        row, events = await run_in_threadpool(self._own_mismatch, context)
        await run_in_threadpool(self.access, context, "lsg.mismatch", [row.pin], f"mismatch {row.id}")
        values = {
            "m": row,
            "events": events,
            "moves": self._moves(context, row.status),
            "message": message,
            "name_field": row.field in NAME_FIELDS,
            "head_choices": (
                await run_in_threadpool(household_head_candidates, self.engine, row.hub_value or "")
                if row.field == HOUSEHOLD_HEAD
                else None
            ),
        }
        return self.render(context, "mismatch.html", values, context._("Mismatch") + f" {row.id}")

    async def resolve(self, context: Context) -> Response:
        row, _events = await run_in_threadpool(self._own_mismatch, context)
        assert context.account is not None
        target = self.form(context, "to")
        try:
            to = MismatchStatus(target)
        except ValueError:
            raise PageRefused(400, context._("Unknown decision.")) from None
        reason = self.form(context, "reason") or None
        seen = self.form(context, "version")
        spelled = (self.form(context, "value") or "").strip() or None
        if to is not MismatchStatus.ACTUALIZED:
            spelled = None  # the field is on the form for an actualization only
        try:
            await run_in_threadpool(
                partial(
                    move,
                    MismatchTable(self.engine),
                    row.id,
                    to,
                    context.account.username,
                    reason,
                    seen_version=int(seen) if seen and seen.isdigit() else None,
                    value=spelled,
                )
            )
        except ActualizationError as exc:
            raise PageRefused(409, str(exc)) from None
        await run_in_threadpool(
            self.access, context, f"lsg.resolve.{to.value}", [row.pin], f"mismatch {row.id}"
        )
        return RedirectResponse(f"{self.root}/lsg/mismatches/{row.id}?done={to.value}", 303)
