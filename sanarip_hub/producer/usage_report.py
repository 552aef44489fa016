"""``findUsage``: who received a person's data, told to the person, or to the oversight body.

Two audiences, two answers (issue 11 §1):

* **the data subject**, through a portal: the agreement grants ``findUsage`` and the request's
  ``userId`` names the person asked about (the PIN, or ``KG`` + PIN).  Each line says when, which
  body (its member name from the global configuration where known), which service, the purpose of
  the agreement it was given under, and the outcome.  Never another body's ``userId``, ``issue`` or
  message id (two people's reports sharing a message id told that they share a household); a look
  in the hub's console appears as "hub staff (role)" with its date, not the person's account.  A
  lookup under an agreement with ``confidential_days = N`` (law enforcement) stays out of this
  answer for N days.
* **the oversight body** (an agreement with ``oversight = true``): about any PIN, every column,
  confidential lookups included.

Anyone else is refused with ``Client.AccessDenied`` (by the dispatcher, which ledgers it).  The
auditor's console and ``ledger usage`` are not affected by ``confidential_days``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.domain.exchange import Direction
from sanarip_hub.ledger.query import Usage
from sanarip_hub.producer.agreements import Terms

REPORT_LIMIT = 100  # lines per answer, newest first
SCAN_LIMIT = 2000  # entries read to fill them (confidential ones are skipped for the subject)
PURPOSE_OF = {
    Direction.OUT.value: "Reconciliation of the household register with a state registry",
    Direction.INTERNAL.value: "Review in the hub's console",
}
ROLE_NAMES = {
    "operator": "operator",
    "auditor": "auditor",
    "lsg_user": "LSG clerk",
    "administrator": "administrator",
}


def names_the_subject(user_id: str | None, pin: str) -> bool:
    """A portal acting for the data subject names the person in ``userId``: the PIN or KG + PIN."""
    return user_id is not None and user_id.strip() in (pin, f"KG{pin}")


def _service_code(service_id: str) -> str:
    """``SERVICE:inst/class/code/sub/householdByPin/v1`` → ``householdByPin``."""
    kind, _, path = service_id.partition(":")
    if kind != "SERVICE":
        return service_id
    parts = path.split("/")
    return parts[4] if len(parts) >= 5 else service_id


class MemberDirectory(Protocol):
    """Member names as the X-Road instance publishes them (:class:`adapters.xroad.globalconf.MemberNames`)."""

    def name_of(self, identifier: str | None) -> str | None: ...


class UsageSource(Protocol):
    """The ledger's entries about a person (:class:`sanarip_hub.ledger.query.SubjectUsage`)."""

    def usages(self, pin: str, limit: int) -> list[Usage]: ...

    def console_roles(self, usernames: set[str]) -> dict[str, str]: ...


class UsageReport:
    """Builds both answers from the ledger's subject index."""

    def __init__(
        self,
        source: UsageSource,
        terms: Callable[[str], Terms | None],
        names: MemberDirectory,
        timezone: str = "Asia/Bishkek",
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.source = source
        self.terms = terms
        self.names = names
        self.zone = ZoneInfo(timezone)
        self.clock = clock

    def _roles(self, rows: list[Usage]) -> dict[str, str]:
        """Console accounts' roles, for the entries that are console views."""
        accounts = {
            r.user_id.removeprefix("console:") for r in rows if r.direction == "internal" and r.user_id
        }
        return self.source.console_roles(accounts)

    def _purpose(self, row: Usage) -> str | None:
        if row.agreement_id:
            terms = self.terms(row.agreement_id)
            return terms.purpose if terms else None
        return PURPOSE_OF.get(row.direction)

    def for_subject(self, pin: str) -> list[dict[str, Any]]:
        now_ms = int(self.clock.now().timestamp() * 1000)
        rows = self.source.usages(pin, SCAN_LIMIT)
        roles = self._roles(rows)
        report = []
        for row in rows:
            terms = self.terms(row.agreement_id) if row.agreement_id else None
            if (
                terms
                and terms.confidential_days
                and now_ms - row.time_ms < terms.confidential_days * 86_400_000
            ):
                continue
            moment = datetime.fromtimestamp(row.time_ms / 1000, UTC)
            line: dict[str, Any] = {"date": moment.astimezone(self.zone).date(), "outcome": row.outcome}
            if row.direction == Direction.INTERNAL.value:
                role = roles.get((row.user_id or "").removeprefix("console:"), "")
                line |= {
                    "client": row.client_id,
                    "clientName": f"hub staff ({ROLE_NAMES.get(role, 'staff')})",
                    "service": "console",
                }
            else:
                line |= {
                    "time": moment,
                    "client": row.client_id,
                    "clientName": self.names.name_of(row.client_id),
                    "service": _service_code(row.service_id),
                }
            line["purpose"] = self._purpose(row)
            report.append(line)
            if len(report) == REPORT_LIMIT:
                break
        return report

    def for_oversight(self, pin: str) -> list[dict[str, Any]]:
        rows = self.source.usages(pin, REPORT_LIMIT)
        return [
            {
                "time": (moment := datetime.fromtimestamp(row.time_ms / 1000, UTC)),
                "date": moment.astimezone(self.zone).date(),
                "client": row.client_id,
                "clientName": self.names.name_of(row.client_id),
                "service": row.service_id,
                "agreement": row.agreement_id,
                "purpose": self._purpose(row),
                "userId": row.user_id,
                "issue": row.issue,
                "outcome": row.outcome,
                "messageId": row.message_id,
            }
            for row in rows
        ]
