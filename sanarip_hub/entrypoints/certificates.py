"""The register of issued certificates for the people who keep it: list, show, revoke, print.

Showing or printing a certificate shows a person's data, so each is an access-ledger entry (who,
``cli:<user>``; what; whose), committed before anything is shown, as the console does for its pages.
Revoking is not personal data shown; it is logged and kept with the certificate (who, when, why).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.config import Settings
from sanarip_hub.domain.certificates import CertificateStatus, IssuedCertificate
from sanarip_hub.entrypoints.operator_access import record_cli_access
from sanarip_hub.errors import CertificateError
from sanarip_hub.producer.agreements import hub_today
from sanarip_hub.storage.certificates import CertificateRegister, lsg_name

if TYPE_CHECKING:  # made by storage.engine
    from sqlalchemy import Engine


class CertificateDesk:
    """The register, the ledger that records who looked, and the hub's day (for a status)."""

    def __init__(self, settings: Settings, engine: Engine, user: str, clock: Clock = SYSTEM_CLOCK) -> None:
        self.settings = settings
        self.engine = engine
        self.register = CertificateRegister(engine)
        self.user = user
        self.clock = clock

    def today(self) -> date:
        return hub_today(self.settings.hub.timezone, self.clock.now())

    def status(self, issued: IssuedCertificate) -> CertificateStatus:
        return issued.status(self.today())

    def find(self, number: str) -> IssuedCertificate:
        issued = self.register.find(number)
        if issued is None:
            raise CertificateError(f"no certificate numbered {number} was issued here")
        return issued

    def _access(self, what: str, subjects: set[str], issue: str | None = None) -> None:
        """The access-ledger entry of a command that shows these people's data (committed first)."""
        record_cli_access(self.settings, self.engine, f"certificates {what}", subjects, issue, self.user)

    def show(self, number: str) -> IssuedCertificate:
        issued = self.find(number)
        self._access("show", {issued.subject_pin, issued.asked_pin}, f"certificate {number}")
        return issued

    def listed(self, pin: str | None, kind: str | None, limit: int) -> list[IssuedCertificate]:
        found = self.register.listed(pin, kind, limit)
        self._access("list", {p for issued in found for p in (issued.subject_pin, issued.asked_pin)})
        return found

    def revoke(self, number: str, reason: str) -> IssuedCertificate:
        return self.register.revoke(number, reason, self.user, self.clock.now())

    def pdf(self, number: str, path: Path) -> IssuedCertificate:
        from adapters.certificate_pdf import render_pdf

        issued = self.find(number)
        data = render_pdf(issued, self.settings.certificates.font, ZoneInfo(self.settings.hub.timezone))
        self._access("pdf", {issued.subject_pin, issued.asked_pin}, f"certificate {number}")
        path.write_bytes(data)
        return issued

    def lsg_name(self, soate: str) -> str:
        """The LSG body a development key is made for (it must be in the register)."""
        name = lsg_name(self.engine, soate)
        if name is None:
            raise CertificateError(
                f"no LSG body with СОАТЕ {soate} in the register (see 'seed' or 'register import')"
            )
        return name
