"""Social passports of low-income families (regulation clause 23): composition, income, welfare category
and access to social services, reviewed on a schedule."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, SmallInteger, String, select
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.domain.codes import (
    Employment,
    IncomeSource,
    Relation,
    ServiceAccessStatus,
    ServiceSource,
    SocialPassportStatus,
    SocialService,
    WelfareCategory,
)
from sanarip_hub.storage.base import Base, Quantity, Timestamped, code_list, id_column


class SocialPassport(Timestamped, Base):
    """The social passport of one household, with the commission's assessment and the family's assets."""

    __tablename__ = "social_passport"
    __table_args__ = (Index("uq_social_passport_lsg_number", "lsg_id", "number", unique=True),)

    id: Mapped[int] = id_column()
    lsg_id: Mapped[int] = mapped_column(ForeignKey("lsg_body.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    number: Mapped[str] = mapped_column(String(30))
    opened_at: Mapped[date] = mapped_column(Date)
    reviewed_at: Mapped[date | None] = mapped_column(Date)
    next_review_due: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[SocialPassportStatus] = mapped_column(
        code_list(SocialPassportStatus, "social_passport_status")
    )
    commission_decision_no: Mapped[str | None] = mapped_column(String(30))
    commission_decision_date: Mapped[date | None] = mapped_column(Date)
    per_capita_income_som: Mapped[float] = mapped_column(Quantity(12, 2))
    gmi_som_at_assessment: Mapped[float] = mapped_column(Quantity(12, 2))
    is_below_gmi: Mapped[bool] = mapped_column(Boolean)
    welfare_category: Mapped[WelfareCategory] = mapped_column(code_list(WelfareCategory, "welfare_category"))
    land_ha: Mapped[float | None] = mapped_column(Quantity(10, 4))
    livestock_units: Mapped[float | None] = mapped_column(Quantity(8, 2))
    vehicles: Mapped[int | None] = mapped_column(SmallInteger)
    dwelling_condition: Mapped[str | None] = mapped_column(String(20))


class SocialPassportMember(Base):
    """A family member in a social passport, with employment and monthly income.  **PII**."""

    __tablename__ = "social_passport_member"

    id: Mapped[int] = id_column()
    passport_id: Mapped[int] = mapped_column(ForeignKey("social_passport.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    relation: Mapped[Relation] = mapped_column(code_list(Relation, "relation"))
    employment: Mapped[Employment] = mapped_column(code_list(Employment, "employment"))
    disability_group: Mapped[int | None] = mapped_column(SmallInteger)
    income_monthly_som: Mapped[float] = mapped_column(Quantity(12, 2))
    income_source: Mapped[IncomeSource] = mapped_column(code_list(IncomeSource, "income_source"))


class SocialServiceAccess(Base):
    """Whether the family receives, could receive or applied for one social service."""

    __tablename__ = "social_service_access"

    id: Mapped[int] = id_column()
    passport_id: Mapped[int] = mapped_column(ForeignKey("social_passport.id", ondelete="CASCADE"), index=True)
    service: Mapped[SocialService] = mapped_column(code_list(SocialService, "social_service"))
    status: Mapped[ServiceAccessStatus] = mapped_column(
        code_list(ServiceAccessStatus, "service_access_status")
    )
    since: Mapped[date | None] = mapped_column(Date)
    source: Mapped[ServiceSource] = mapped_column(code_list(ServiceSource, "service_source"))


# People in a household with an active social passport: the low-income families.  The tax job asks
# only about them (a new business changes a family's eligibility; nobody else's is the hub's concern).
LOW_INCOME_MEMBERS = (
    select(SocialPassportMember.person_id)
    .join(SocialPassport, SocialPassport.id == SocialPassportMember.passport_id)
    .where(SocialPassport.status == SocialPassportStatus.ACTIVE)
)
