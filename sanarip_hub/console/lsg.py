"""The LSG user's pages: the actualization queue of their LSG body and its decisions."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from sanarip_hub.actualization.workflow import MOVES, NAME_FIELDS, NEEDS_REASON, PIN_NAMESAKES, move
from sanarip_hub.console.gate import Context, Gate
from sanarip_hub.console.labels import Issue
from sanarip_hub.domain.codes import MismatchStatus, SyncSource
from sanarip_hub.errors import ActualizationError, DecisionOutdated, PageRefused
from sanarip_hub.storage import console_queries as queries
from sanarip_hub.storage.mismatches import (
    HOUSEHOLD_HEAD,
    STALE_REASON,
    MismatchTable,
    household_head_candidates,
)

AGES = (1, 7, 30)  # the queue's "older than" choices, in days
PLACE_FIELDS = frozenset({"registered_soate"})  # values that are СОАТЕ codes: shown as places


class LsgPages(Gate):
    def _queue_filter(self, context: Context, fields: list[str]) -> queries.QueueFilter:
        """The queue's filter from the query string; a value not offered by the form is ignored."""
        given = context.request.query_params
        history = given.get("view") == "history"
        statuses = queries.view_statuses(history)
        age = given.get("age", "")
        return queries.QueueFilter(
            history=history,
            field=given.get("field") if given.get("field") in fields else None,
            source=given.get("source") if given.get("source") in set(SyncSource) else None,
            status=given.get("status") if given.get("status") in set(statuses) else None,
            older_than_days=int(age) if age.isdigit() and int(age) in AGES else None,
            sort=given.get("sort", "") if given.get("sort") in queries.QUEUE_SORTS else "oldest",
        )

    async def queue(self, context: Context) -> Response:
        user = context.account
        assert user is not None
        assert user.lsg_id is not None
        _ = context._
        fields = await run_in_threadpool(queries.queue_fields, self.engine, user.lsg_id)
        wanted = self._queue_filter(context, fields)
        rows = await run_in_threadpool(
            partial(queries.queue, self.engine, user.lsg_id, wanted, now=self.sessions.clock.now())
        )
        purpose = Issue.HISTORY if wanted.history else Issue.QUEUE
        await run_in_threadpool(self.access, context, "lsg.queue", [r.pin for r in rows], purpose)
        statuses = queries.view_statuses(wanted.history)
        values = {
            "mismatches": rows,
            "lsg_name": f"{user.lsg_name} ({user.lsg_soate})",
            "f": wanted,
            "fields": [(code, context.label("field", code)) for code in fields],
            "sources": [(code.value, context.label("source", code.value)) for code in SyncSource],
            "statuses": [(code.value, context.label("status", code.value)) for code in statuses],
            "ages": [(str(days), _("older than {days} days").format(days=days)) for days in AGES],
            "sorts": [
                ("oldest", _("latest decision first") if wanted.history else _("oldest first")),
                ("newest", _("newest first")),
                ("field", _("by field")),
                ("name", _("by name")),
            ],
        }
        title = _("Decided mismatches") if wanted.history else _("Actualization queue")
        return self.render(context, "queue.html", values, title)

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

    async def mismatch_page(
        self,
        context: Context,
        error: str | None = None,
        draft: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        """One mismatch, side by side, with its history and the decision form.  ``draft``: the
        decision the clerk was writing (a refused decision, or one sent after the session ended),
        put back into the form so that nothing typed is lost; ``error`` says why it was not saved."""
        row, events = await run_in_threadpool(self._own_mismatch, context)
        await run_in_threadpool(
            self.access, context, "lsg.mismatch", [row.pin], Issue.numbered(Issue.MISMATCH, row.id)
        )
        if draft is None:
            draft = await run_in_threadpool(self.resumed_draft, context)
        places = {}
        if row.field in PLACE_FIELDS:
            codes = [value for value in (row.hub_value, row.registry_value) if value]
            places = await run_in_threadpool(queries.place_names, self.engine, codes, context.language)
        moves = self._moves(context, row.status)
        values = {
            "m": row,
            "events": [{**e._asdict(), "reason": _stale_reason(context, e.reason)} for e in events],
            "moves": moves,
            "needs_reason": sorted(str(to) for to in NEEDS_REASON),
            "error": error,
            "draft": draft or {},
            "places": places,
            "name_field": row.field in NAME_FIELDS,
            **await run_in_threadpool(self._choices, context, row),
        }
        return self.render(context, "mismatch.html", values, context._("Mismatch") + f" {row.id}", status)

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
        draft = {"to": target, "reason": reason or "", "value": spelled or ""}
        _ = context._
        if to in NEEDS_REASON and not (reason and reason.strip()):
            error = _("A reason is required to reject or to escalate. Nothing was saved.")
            return await self.mismatch_page(context, error, draft, 400)
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
        except DecisionOutdated:
            error = _(
                "Someone decided on this mismatch, or changed the person, after you opened it (another "
                "tab, a colleague or a new reconciliation run). Nothing was saved. Check what it says "
                "now; your decision is still in the form."
            )
            return await self.mismatch_page(context, error, draft, 409)
        except ActualizationError as exc:
            error = _("This decision cannot be saved: {detail}").format(detail=str(exc))
            return await self.mismatch_page(context, error, draft, 409)
        await run_in_threadpool(
            self.access, context, f"lsg.resolve.{to.value}", [row.pin], Issue.numbered(Issue.MISMATCH, row.id)
        )
        return RedirectResponse(f"{self.root}/lsg/mismatches/{row.id}?done={to.value}", 303)


_STALE = re.compile(re.escape(STALE_REASON).replace(re.escape("{run}"), r"(?P<run>\d+)") + "$")


def _stale_reason(context: Context, reason: str | None) -> str | None:
    """The reason the nightly run records (in English, as the history's evidence) when it closes a
    flag whose field no longer differs, in the page's language; a clerk's reason as it was typed."""
    if reason and (stale := _STALE.match(reason)):
        return context._("no longer differs: the registry agrees with the hub (run {run})").format(
            run=stale["run"]
        )
    return reason
