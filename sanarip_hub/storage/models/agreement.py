"""Standard interagency agreements: the legal basis on which a client subsystem receives data.

An agreement names one client subsystem, the services it may call, the purpose, the response
fields it may receive per service (``{"householdByPin": ["lsgName", "members.relation"]}``,
``["*"]`` for all of a service's fields) and its validity; ``oversight``, ``confidential_days`` and
``statistics`` are the terms of the protection agency, of law enforcement and of the statistics
body.  Agreements are never deleted, only revoked (with who and why), because the ledger entries
that cite an agreement's number must stay explainable for as long as the ledger is kept.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.storage.base import Base, Timestamped, UTCDateTime, id_column


class Agreement(Timestamped, Base):
    __tablename__ = "agreement"

    id: Mapped[int] = id_column()
    number: Mapped[str] = mapped_column(String(50), unique=True)
    client: Mapped[str] = mapped_column(String(300), index=True)  # SUBSYSTEM:INST/CLASS/CODE/SUB
    services: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(500))
    fields: Mapped[dict[str, list[str]]] = mapped_column(JSON)  # service -> field paths, or ["*"]
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    require_issue: Mapped[bool] = mapped_column(Boolean, server_default="1")
    oversight: Mapped[bool] = mapped_column(Boolean, server_default="0")  # findUsage about anyone
    confidential_days: Mapped[int] = mapped_column(Integer, server_default="0")  # hidden from subjects
    statistics: Mapped[bool] = mapped_column(Boolean, server_default="0")  # non-personal only (cl. 27)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoke_reason: Mapped[str | None] = mapped_column(String(500))
