"""The register of issued certificates (issue 16 §4).

One row per certificate the hub signed, written with the answer that carried it and never
rewritten but for its revocation: number, kind, subject, recipient, purpose, the digest a holder's
copy must have, validity, and the signed document itself (for ``certificates show`` and the
printable copy).  ``verifyCertificate`` answers from it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.storage.base import Base, UTCDateTime


class IssuedCertificateRow(Base):
    __tablename__ = "issued_certificate"
    __table_args__ = (
        Index("ix_issued_certificate_subject", "subject_pin", "issued_at"),
        Index("ix_issued_certificate_issued_at", "issued_at"),
    )

    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # the service code
    subject_pin: Mapped[str] = mapped_column(String(14))  # the current PIN
    asked_pin: Mapped[str] = mapped_column(String(14))  # the PIN asked (an old one when it differs)
    lsg_soate: Mapped[str | None] = mapped_column(String(20))
    lsg_name: Mapped[str | None] = mapped_column(String(300))
    recipient: Mapped[str] = mapped_column(String(300))  # the client subsystem
    purpose: Mapped[str | None] = mapped_column(String(1000))  # the request's issue
    message_id: Mapped[str | None] = mapped_column(String(300))  # finds the ledger entry
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    data_valid_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    digest: Mapped[str] = mapped_column(String(64))
    key_holder: Mapped[str] = mapped_column(String(10))  # lsg or hub
    document: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revocation_reason: Mapped[str | None] = mapped_column(String(1000))
