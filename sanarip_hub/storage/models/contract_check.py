"""The outcome of each check of a consumed service's contract (``sanarip-hub contracts check``).

One row per service per check, never updated: the latest row of a service is its state (the
dashboard, ``/metrics`` and the scheduler's skip read it), the older ones its history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.storage.base import Base, UTCDateTime, id_column


class ContractCheck(Base):
    __tablename__ = "contract_check"
    __table_args__ = (Index("ix_contract_check_name_id", "name", "id"),)

    id: Mapped[int] = id_column()
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))  # "scheduler", or who ran the command
    name: Mapped[str] = mapped_column(String(40))  # the service's [consumers] key
    service: Mapped[str] = mapped_column(String(300))  # its X-Road identifier
    status: Mapped[str] = mapped_column(String(20))  # ok, compatible, drift, unreachable
    breaking: Mapped[int] = mapped_column(Integer)  # differences that break the consumer
    differences: Mapped[str] = mapped_column(Text)  # JSON list of every difference
    error: Mapped[str] = mapped_column(String(1000))  # why there was nothing to compare
