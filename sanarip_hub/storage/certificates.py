"""The register of issued certificates: written once per certificate, read by number or subject.

A certificate is recorded by the request that signs it, before the answer leaves: whoever is handed a
certificate can have it checked (``verifyCertificate``) as soon as they have it.  Revocation is the
only change a row ever sees, and only once (an UPDATE guarded by ``revoked_at IS NULL``, so two
officers revoking at once cannot overwrite each other's reason).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from sqlalchemy import Engine, Table, insert, select, update
from sqlalchemy.exc import DBAPIError

from sanarip_hub.domain.certificates import IssuedCertificate
from sanarip_hub.errors import CertificateError, DatabaseUnavailable
from sanarip_hub.storage.models import IssuedCertificateRow, LsgBody

COLUMNS = tuple(f.name for f in fields(IssuedCertificate))
TABLE: Table = IssuedCertificateRow.__table__  # type: ignore[assignment]
SUMMARY = tuple(c for c in COLUMNS if c != "document")  # listings leave the documents where they are


def _issued(row: object, document: bool = True) -> IssuedCertificate:
    values = {name: getattr(row, name) for name in (COLUMNS if document else SUMMARY)}
    return IssuedCertificate(**({"document": ""} | values))


class CertificateRegister:
    """Issued certificates in the hub database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, issued: IssuedCertificate) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(TABLE).values({name: getattr(issued, name) for name in COLUMNS}))
        except DBAPIError as exc:
            raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc

    def find(self, number: str) -> IssuedCertificate | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(TABLE).where(TABLE.c.number == number.strip())).first()
        return None if row is None else _issued(row)

    def listed(
        self, pin: str | None = None, kind: str | None = None, limit: int = 100
    ) -> list[IssuedCertificate]:
        """Newest first, without their documents; ``pin`` the subject's (current) PIN."""
        query = select(*(TABLE.c[name] for name in SUMMARY)).order_by(TABLE.c.issued_at.desc()).limit(limit)
        if pin is not None:
            query = query.where((TABLE.c.subject_pin == pin) | (TABLE.c.asked_pin == pin))
        if kind is not None:
            query = query.where(TABLE.c.kind == kind)
        with self.engine.connect() as connection:
            return [_issued(row, document=False) for row in connection.execute(query)]

    def revoke(self, number: str, reason: str, by: str, at: datetime) -> IssuedCertificate:
        """Withdraw a certificate; refused for an unknown number or one already revoked."""
        if not reason.strip():
            raise CertificateError("a revocation needs its reason (--reason)")
        with self.engine.begin() as connection:
            done = connection.execute(
                update(TABLE)
                .where(TABLE.c.number == number, TABLE.c.revoked_at.is_(None))
                .values(revoked_at=at, revoked_by=by, revocation_reason=reason.strip())
            ).rowcount
        issued = self.find(number)
        if issued is None:
            raise CertificateError(f"no certificate numbered {number} was issued here")
        if not done:
            raise CertificateError(
                f"certificate {number} was already revoked on {issued.revoked_at:%Y-%m-%d %H:%M} UTC "
                f"by {issued.revoked_by}: {issued.revocation_reason}"
            )
        return issued


def lsg_name(engine: Engine, soate: str) -> str | None:
    """The name of the LSG body with this СОАТЕ code (None: no such body in the register)."""
    with engine.connect() as connection:
        name = connection.execute(select(LsgBody.name_ky).where(LsgBody.soate_code == soate)).scalar()
    return None if name is None else str(name)
