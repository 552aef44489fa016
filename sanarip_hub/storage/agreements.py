"""The agreements table: adding (idempotently), revoking and reading agreements."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import IntegrityError

from sanarip_hub.errors import AgreementError
from sanarip_hub.storage.models import Agreement

AGREEMENT: Table = Agreement.__table__  # type: ignore[assignment]


class AgreementTable:
    """The agreement store over the hub database (:class:`sanarip_hub.producer.agreements.AgreementStore`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, rows: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
        """Add agreements (each its column values) in one transaction; returns (added, unchanged).

        The same agreement twice adds nothing; an existing number with different terms is an
        error (an agreement's terms never change in place: revoke it and conclude a new one).
        """
        added = unchanged = 0
        with self.engine.begin() as connection:
            for values in rows:
                number = values["number"]
                existing = connection.execute(select(Agreement).where(Agreement.number == number)).first()
                if existing is not None:
                    if {key: getattr(existing, key) for key in values} == dict(values):
                        unchanged += 1
                        continue
                    raise AgreementError(
                        f"agreement {number} already exists with different terms; "
                        "revoke it and add a new number"
                    )
                try:
                    connection.execute(AGREEMENT.insert().values(**values))
                except IntegrityError:
                    raise AgreementError(f"agreement {number} already exists") from None
                added += 1
        return added, unchanged

    def revoke(self, number: str, by: str, reason: str, at: datetime) -> None:
        table = AGREEMENT
        with self.engine.begin() as connection:
            row = connection.execute(select(Agreement.revoked_at).where(Agreement.number == number)).first()
            if row is None:
                raise AgreementError(f"no agreement numbered {number}")
            if row.revoked_at is not None:
                raise AgreementError(
                    f"agreement {number} was already revoked at {row.revoked_at:%Y-%m-%d %H:%M}"
                )
            connection.execute(
                table.update()
                .where(table.c.number == number)
                .values(revoked_at=at, revoked_by=by, revoke_reason=reason, version=table.c.version + 1)
            )

    def rows(self) -> list[Any]:
        """Every agreement, revoked and expired ones too, by number."""
        with self.engine.connect() as connection:
            return list(connection.execute(select(AGREEMENT).order_by(Agreement.number)))
