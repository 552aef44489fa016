"""The recorded outcomes of ``contracts check`` (table ``contract_check``): written once per service
per check, read as each service's latest state by the dashboard, ``/metrics`` and the scheduler."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Engine, func, insert, select

from sanarip_hub.domain.contract_drift import CheckStatus, Difference, ServiceCheck
from sanarip_hub.storage.models import ContractCheck


@dataclass(frozen=True)
class CheckedService:
    """A service's latest check and when it was made."""

    check: ServiceCheck
    checked_at: datetime


def record_checks(engine: Engine, checks: list[ServiceCheck], actor: str, at: datetime) -> None:
    """Store one check of each service, in one transaction."""
    rows = [
        {
            "checked_at": at,
            "actor": actor[:100],
            "name": check.name,
            "service": check.service[:300],
            "status": check.status.value,
            "breaking": len(check.breaking),
            "differences": json.dumps([asdict(d) for d in check.differences], ensure_ascii=False),
            "error": check.error[:1000],
        }
        for check in checks
    ]
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(ContractCheck), rows)


LATEST = select(ContractCheck).where(
    ContractCheck.id.in_(select(func.max(ContractCheck.id)).group_by(ContractCheck.name))
)


def latest_checks(engine: Engine) -> list[CheckedService]:
    """Each service's latest check, by ``[consumers]`` key."""
    with engine.connect() as connection:
        rows = connection.execute(LATEST.order_by(ContractCheck.name)).all()
    return [
        CheckedService(
            ServiceCheck(
                row.name,
                row.service,
                CheckStatus(row.status),
                tuple(Difference(**item) for item in json.loads(row.differences)),
                row.error,
            ),
            row.checked_at,
        )
        for row in rows
    ]
