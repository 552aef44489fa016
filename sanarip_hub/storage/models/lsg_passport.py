"""The electronic passport of an LSG body: counts derived from the book, social objects, problems.

Population counts are never typed in: :func:`sanarip_hub.storage.passport.derive_lsg_passports`
aggregates them from the register book for a period, so the passport cannot drift from the book.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.domain.codes import Condition, ObjectOwner, ProblemSource, ProblemStatus, SocialObjectKind
from sanarip_hub.domain.identifiers import Gender
from sanarip_hub.storage.base import Base, Quantity, Timestamped, UTCDateTime, code_list, id_column


class LsgPassport(Timestamped, Base):
    """One LSG body's passport for one period (a year, ``2026``, or a quarter, ``2026-Q1``)."""

    __tablename__ = "lsg_passport"
    __table_args__ = (Index("uq_lsg_passport_lsg_period", "lsg_id", "period", unique=True),)

    id: Mapped[int] = id_column()
    lsg_id: Mapped[int] = mapped_column(ForeignKey("lsg_body.id"))
    period: Mapped[str] = mapped_column(String(7))
    area_km2: Mapped[float | None] = mapped_column(Quantity(10, 2))
    settlements_count: Mapped[int] = mapped_column(Integer)
    population_total: Mapped[int] = mapped_column(Integer)
    households_total: Mapped[int] = mapped_column(Integer)
    migrants_out_count: Mapped[int] = mapped_column(Integer)
    unemployed_registered: Mapped[int] = mapped_column(Integer)
    derived_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LsgPassportPopulation(Base):
    """Population of a passport by sex and age band (0-2, 3-6, 7-15, 16-17, working age, pension age)."""

    __tablename__ = "lsg_passport_population"
    __table_args__ = (
        Index("uq_lsg_passport_population_cell", "passport_id", "gender", "age_band", unique=True),
    )

    id: Mapped[int] = id_column()
    passport_id: Mapped[int] = mapped_column(ForeignKey("lsg_passport.id", ondelete="CASCADE"))
    gender: Mapped[Gender] = mapped_column(code_list(Gender, "gender"))
    age_band: Mapped[str] = mapped_column(String(12))
    count: Mapped[int] = mapped_column(Integer)


class SocialObject(Base):
    """A school, clinic, club, road or other social object on the LSG body's territory."""

    __tablename__ = "social_object"

    id: Mapped[int] = id_column()
    lsg_id: Mapped[int] = mapped_column(ForeignKey("lsg_body.id"), index=True)
    kind: Mapped[SocialObjectKind] = mapped_column(code_list(SocialObjectKind, "social_object_kind"))
    name: Mapped[str] = mapped_column(String(300))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id"))
    eni_code: Mapped[str | None] = mapped_column(String(18))
    capacity: Mapped[int | None] = mapped_column(Integer)
    actual_load: Mapped[int | None] = mapped_column(Integer)
    condition: Mapped[Condition] = mapped_column(code_list(Condition, "condition"))
    year_built: Mapped[int | None] = mapped_column(SmallInteger)
    owner: Mapped[ObjectOwner] = mapped_column(code_list(ObjectOwner, "object_owner"))


class LsgProblem(Timestamped, Base):
    """A problem or need of the community, with priority, estimated cost and where it was raised."""

    __tablename__ = "lsg_problem"

    id: Mapped[int] = id_column()
    lsg_id: Mapped[int] = mapped_column(ForeignKey("lsg_body.id"), index=True)
    sector: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(SmallInteger)
    estimated_cost_som: Mapped[float | None] = mapped_column(Quantity(14, 2))
    status: Mapped[ProblemStatus] = mapped_column(code_list(ProblemStatus, "problem_status"))
    source: Mapped[ProblemSource] = mapped_column(code_list(ProblemSource, "problem_source"))
