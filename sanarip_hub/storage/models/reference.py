"""Reference data: СОАТЕ units (versioned, since the 2023-2025 reform renumbered them) and LSG bodies."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.domain.codes import LsgKind, UnitKind
from sanarip_hub.storage.base import Base, Timestamped, code_list, id_column


class AteUnit(Base):
    """One unit of the ГК СОАТЕ classifier, with validity dates and its successor after a merger."""

    __tablename__ = "ate_unit"
    __table_args__ = (CheckConstraint("length(soate_code) = 14", name="soate_length"),)

    soate_code: Mapped[str] = mapped_column(String(14), primary_key=True)
    name_ky: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(code_list(UnitKind, "unit_kind"))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("ate_unit.soate_code"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    replaced_by_code: Mapped[str | None] = mapped_column(ForeignKey("ate_unit.soate_code"))


class LsgBody(Timestamped, Base):
    """A local self-government body: an ayil okmotu or a city mayoralty, bound to its СОАТЕ unit."""

    __tablename__ = "lsg_body"

    id: Mapped[int] = id_column()
    soate_code: Mapped[str] = mapped_column(ForeignKey("ate_unit.soate_code"), unique=True)
    kind: Mapped[LsgKind] = mapped_column(code_list(LsgKind, "lsg_kind"))
    name_ky: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    tunduk_subsystem: Mapped[str | None] = mapped_column(String(200))
