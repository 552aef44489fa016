"""What a certificate says besides its data: who issued it, for whom, why, for how long.

A certificate replaces a paper one (seed 000; the regulation's clauses 24–25): the receiving body
must see the issuing LSG body, when it was issued, the day its data describe, until when it may be
relied on, who it was issued to (the client subsystem) and for what (the request's ``issue``), and
whose it is — the subject's current PIN, and the PIN asked about when that was an old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class CertificateIssue:
    """The facts of one issued certificate that do not come from the register."""

    subject_pin: str  # the subject's current PIN
    asked_pin: str  # the PIN the request named (an old one when it differs from subject_pin)
    recipient: str  # the client subsystem the answer goes to
    purpose: str | None  # the request's issue header
    issued_at: datetime  # aware
    issuer_name: str | None = None  # the issuing LSG body
    issuer_soate: str | None = None

    def data_valid_on(self, zone: ZoneInfo) -> date:
        """The day the register's data describe: the issue day where the LSG body is."""
        return self.issued_at.astimezone(zone).date()

    def valid_until(self, zone: ZoneInfo, days: int) -> date:
        """The last day the certificate may be relied on: ``days`` after the issue day."""
        return self.data_valid_on(zone) + timedelta(days=days)

    @property
    def old_pin_asked(self) -> bool:
        return self.asked_pin != self.subject_pin


@dataclass(frozen=True)
class CertificateKind:
    """One kind of certificate: the service that issues it, its root element and number prefix."""

    service: str  # the X-Road service code
    element: str  # the signed document's root element
    prefix: str  # of its numbers: ``FC-20261203-1A2B3C4D``

    def number(self, issued_at: datetime, token: str) -> str:
        return f"{self.prefix}-{issued_at:%Y%m%d}-{token.upper()}"


KINDS: dict[str, CertificateKind] = {
    kind.service: kind
    for kind in (
        CertificateKind("familyComposition", "familyCompositionCertificate", "FC"),
        CertificateKind("residenceCertificate", "residenceCertificate", "RC"),
        CertificateKind("householdPlotCertificate", "householdPlotCertificate", "HP"),
        CertificateKind("lowIncomeCertificate", "lowIncomeCertificate", "LI"),
        CertificateKind("landQueueCertificate", "landQueueCertificate", "LQ"),
    )
}


class CertificateStatus(StrEnum):
    """What ``verifyCertificate`` says about a certificate someone was handed."""

    VALID = "valid"
    EXPIRED = "expired"  # its validUntil has passed
    REVOKED = "revoked"  # an LSG officer withdrew it (``certificates revoke``)
    UNKNOWN = "unknown"  # no certificate with this number and digest was ever issued here


@dataclass(frozen=True)
class IssuedCertificate:
    """A register entry: one certificate as it left the hub (written once, with its answer)."""

    number: str
    kind: str  # the service code
    subject_pin: str
    asked_pin: str
    lsg_soate: str | None
    lsg_name: str | None
    recipient: str
    purpose: str | None
    message_id: str | None
    issued_at: datetime
    data_valid_on: date
    valid_until: date
    digest: str  # SHA-256 (hex) of the signed element's exclusive canonical form
    key_holder: str  # "lsg": the body's own key; "hub": the hub's, for a body without one
    document: str  # the signed XML, for ``certificates show`` and the printable copy
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revocation_reason: str | None = None

    def status(self, today: date, digest: str | None = None) -> CertificateStatus:
        """Its status on ``today`` for someone holding a copy with ``digest`` (None: the register's)."""
        if digest is not None and digest.strip().lower() != self.digest:
            return CertificateStatus.UNKNOWN  # a copy that is not what was issued
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if today > self.valid_until:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID
