"""The unified register of municipal property (Law No. 37 of 2002): objects keyed by inventory number
and ЕНИ, with values, use status, leases and an event history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.domain.codes import AcquisitionBasis, PropertyEventKind, PropertyKind, UseStatus
from sanarip_hub.storage.base import Base, Quantity, Timestamped, UTCDateTime, code_list, id_column


class MunicipalProperty(Timestamped, Base):
    """One object of municipal property."""

    __tablename__ = "municipal_property"
    __table_args__ = (Index("uq_municipal_property_lsg_inventory", "lsg_id", "inventory_no", unique=True),)

    id: Mapped[int] = id_column()
    lsg_id: Mapped[int] = mapped_column(ForeignKey("lsg_body.id"))
    inventory_no: Mapped[str] = mapped_column(String(30))
    eni_code: Mapped[str | None] = mapped_column(String(18), index=True)
    kind: Mapped[PropertyKind] = mapped_column(code_list(PropertyKind, "property_kind"))
    name: Mapped[str] = mapped_column(String(300))
    address_text: Mapped[str | None] = mapped_column(String(400))
    area_m2: Mapped[float | None] = mapped_column(Quantity(12, 1))
    area_ha: Mapped[float | None] = mapped_column(Quantity(10, 4))
    length_m: Mapped[float | None] = mapped_column(Quantity(10, 1))
    year_built: Mapped[int | None] = mapped_column(SmallInteger)
    book_value_som: Mapped[float] = mapped_column(Quantity(16, 2))
    residual_value_som: Mapped[float] = mapped_column(Quantity(16, 2))
    valuation_date: Mapped[date | None] = mapped_column(Date)
    acquisition_basis: Mapped[AcquisitionBasis] = mapped_column(
        code_list(AcquisitionBasis, "acquisition_basis")
    )
    acquisition_doc_no: Mapped[str | None] = mapped_column(String(30))
    acquisition_doc_date: Mapped[date | None] = mapped_column(Date)
    use_status: Mapped[UseStatus] = mapped_column(code_list(UseStatus, "use_status"))
    balance_holder: Mapped[str | None] = mapped_column(String(200))


class PropertyLease(Base):
    """A lease of a municipal object; the lessee is an organisation INN or a person's PIN."""

    __tablename__ = "property_lease"

    id: Mapped[int] = id_column()
    property_id: Mapped[int] = mapped_column(
        ForeignKey("municipal_property.id", ondelete="CASCADE"), index=True
    )
    lessee_inn: Mapped[str] = mapped_column(String(14))
    lessee_name: Mapped[str] = mapped_column(String(300))
    contract_no: Mapped[str] = mapped_column(String(30))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    rent_som_month: Mapped[float] = mapped_column(Quantity(12, 2))
    purpose: Mapped[str | None] = mapped_column(String(200))


class PropertyEvent(Base):
    """Something that happened to a municipal object: registration, revaluation, lease, write-off…"""

    __tablename__ = "property_event"

    id: Mapped[int] = id_column()
    property_id: Mapped[int] = mapped_column(
        ForeignKey("municipal_property.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[PropertyEventKind] = mapped_column(code_list(PropertyEventKind, "property_event_kind"))
    doc_no: Mapped[str | None] = mapped_column(String(30))
    doc_date: Mapped[date | None] = mapped_column(Date)
    amount_som: Mapped[float | None] = mapped_column(Quantity(16, 2))
