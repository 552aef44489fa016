"""What a certificate says besides its data: who issued it, for whom, why, for how long.

A certificate replaces a paper one (seed 000; the regulation's clauses 24–25): the receiving body
must see the issuing LSG body, when it was issued, the day its data describe, until when it may be
relied on, who it was issued to (the client subsystem) and for what (the request's ``issue``), and
whose it is — the subject's current PIN, and the PIN asked about when that was an old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class CertificateIssue:
    """The facts of one issued certificate that do not come from the register."""

    subject_pin: str  # the subject's current PIN
    asked_pin: str  # the PIN the request named (an old one when it differs from subject_pin)
    recipient: str  # the client subsystem the answer goes to
    purpose: str | None  # the request's issue header
    issued_at: datetime  # aware

    def data_valid_on(self, zone: ZoneInfo) -> date:
        """The day the register's data describe: the issue day where the LSG body is."""
        return self.issued_at.astimezone(zone).date()

    def valid_until(self, zone: ZoneInfo, days: int) -> date:
        """The last day the certificate may be relied on: ``days`` after the issue day."""
        return self.data_valid_on(zone) + timedelta(days=days)

    @property
    def old_pin_asked(self) -> bool:
        return self.asked_pin != self.subject_pin
