"""The queue for municipal land plots, for individual housing and for lease (Government resolution
No. 177 of 2005).  Order is the registration time; every status change is an event, because
publishing the list and its changes is a legal duty."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.domain.codes import ApplicationStatus, LandQueuePurpose, PriorityCategory
from sanarip_hub.storage.base import Base, Quantity, Timestamped, UTCDateTime, code_list, id_column


class LandQueue(Base):
    """One queue of an LSG body: housing or lease."""

    __tablename__ = "land_queue"
    __table_args__ = (Index("uq_land_queue_lsg_purpose", "lsg_id", "purpose", unique=True),)

    id: Mapped[int] = id_column()
    lsg_id: Mapped[int] = mapped_column(ForeignKey("lsg_body.id"))
    purpose: Mapped[LandQueuePurpose] = mapped_column(code_list(LandQueuePurpose, "land_queue_purpose"))
    name: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[date] = mapped_column(Date)


class LandApplication(Timestamped, Base):
    """An application in a land queue.  Its place is set by ``reg_datetime`` (ties broken by id)."""

    __tablename__ = "land_application"
    __table_args__ = (
        Index("uq_land_application_queue_reg_number", "queue_id", "reg_number", unique=True),
        Index("ix_land_application_order", "queue_id", "status", "reg_datetime", "id"),
    )

    id: Mapped[int] = id_column()
    queue_id: Mapped[int] = mapped_column(ForeignKey("land_queue.id"))
    reg_number: Mapped[str] = mapped_column(String(30))
    reg_datetime: Mapped[datetime] = mapped_column(UTCDateTime())
    applicant_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    priority_category: Mapped[PriorityCategory] = mapped_column(
        code_list(PriorityCategory, "priority_category")
    )
    has_own_housing: Mapped[bool] = mapped_column(Boolean)
    has_land_plot: Mapped[bool] = mapped_column(Boolean)
    residence_since: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ApplicationStatus] = mapped_column(code_list(ApplicationStatus, "application_status"))
    status_reason: Mapped[str | None] = mapped_column(String(300))
    allocated_parcel_eni: Mapped[str | None] = mapped_column(String(18))
    decision_no: Mapped[str | None] = mapped_column(String(30))
    decision_date: Mapped[date | None] = mapped_column(Date)
    lease_term_years: Mapped[int | None] = mapped_column(SmallInteger)
    lease_area_ha: Mapped[float | None] = mapped_column(Quantity(10, 4))


class LandApplicationEvent(Base):
    """A status change of an application: who, when, from what to what, and why."""

    __tablename__ = "land_application_event"

    id: Mapped[int] = id_column()
    application_id: Mapped[int] = mapped_column(
        ForeignKey("land_application.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    from_status: Mapped[ApplicationStatus | None] = mapped_column(code_list(ApplicationStatus, "from_status"))
    to_status: Mapped[ApplicationStatus] = mapped_column(code_list(ApplicationStatus, "to_status"))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(300))
