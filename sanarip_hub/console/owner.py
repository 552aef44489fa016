"""The system owner's page: every unauthorized attempt of a period (regulation clause 15.2).

The owner "may demand from the operator information on unauthorized access"; this page is that
information, read from the access ledger: X-Road calls that no agreement allowed and refusals at
the console's door (failed and locked sign-ins, pages of another role, forged forms).  The same
list is ``sanarip-hub ledger denied --from T1 --to T2``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from sanarip_hub.console.gate import Context, Gate, parse_time
from sanarip_hub.console.labels import console_issue
from sanarip_hub.ledger.query import Filter, search

PAGE_LIMIT = 1000
DAY_MS = 86_400_000


class OwnerPages(Gate):
    async def unauthorized(self, context: Context) -> Response:
        """The owner's list of unauthorized attempts; who and what are identifiers (an X-Road
        client by its member's name), shown as they were recorded."""
        params = context.request.query_params
        now = int(time.time() * 1000)
        since = parse_time(params.get("from", "").strip(), zone=context.zone) or now - 30 * DAY_MS
        until = parse_time(params.get("to", "").strip(), end_of_day=True, zone=context.zone) or now + 1
        rows = await run_in_threadpool(
            search,
            self.engine,
            None,
            Filter(unauthorized_only=True, since_ms=since, until_ms=until),
            PAGE_LIMIT,
        )
        attempts = [
            {
                "time": context.when(r.time_ms, seconds=True),
                "kind": context.label("outcome", r.outcome),
                "who": r.user_id if r.direction == "internal" else r.client_id,
                "what": r.service_id,
                "detail": console_issue(context.language, r.issue)
                if r.direction == "internal"
                else r.user_id,
                "internal": r.direction == "internal",
                "seq": r.seq,
            }
            for r in rows
        ]
        values = {
            "attempts": attempts,
            "since": datetime.fromtimestamp(since / 1000, UTC).date().isoformat(),
            "until": datetime.fromtimestamp((until - 1) / 1000, UTC).date().isoformat(),
            "capped": len(rows) == PAGE_LIMIT,
        }
        return self.render(context, "owner.html", values, context._("Unauthorized access"))
