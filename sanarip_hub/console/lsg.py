"""The LSG user's pages: the actualization queue of their LSG body and its decisions."""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from sanarip_hub.actualization.workflow import MOVES, NAME_FIELDS, PIN_NAMESAKES, move
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

    def _choices(self, context: Context, row: Any) -> dict[str, Any]:
        """What an actualization chooses among, for the flags that need the clerk's choice: the
        household's living members for a new head, the registry's PINs for namesakes."""
        if row.field == HOUSEHOLD_HEAD:
            people = household_head_candidates(self.engine, row.hub_value or "")
            choices = []
            for c in people:
                names = " ".join(part for part in (c.surname, c.given_name, c.patronymic) if part)
                born = f"{c.birth_date}, {c.pin}" if c.pin else f"{c.birth_date}"
                choices.append((c.pin or f"id:{c.person_id}", f"{names} ({born})"))
            label = context._("New head of the household (a living current member)")
            return {"choices": choices, "choices_label": label}
        if row.field == PIN_NAMESAKES:
            pins = (row.registry_value or "").split(",")
            label = context._("The person's PIN, chosen from the birth act among the registry's namesakes")
            return {"choices": [(pin, pin) for pin in pins], "choices_label": label}
        return {"choices": None}

    async def mismatch_page(self, context: Context, message: str | None = None) -> Response:
        row, events = await run_in_threadpool(self._own_mismatch, context)
        await run_in_threadpool(self.access, context, "lsg.mismatch", [row.pin], f"mismatch {row.id}")
        values = {
            "m": row,
            "events": events,
            "moves": self._moves(context, row.status),
            "message": message,
            "name_field": row.field in NAME_FIELDS,
            **await run_in_threadpool(self._choices, context, row),
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
