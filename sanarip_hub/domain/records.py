"""Typed records of every service answer, generated from the contracts by
``python -m sanarip_hub.contracts`` (do not edit by hand; a test keeps this file equal to its
rendering).

A ``<Service>Record`` is the answer of one service as a mapping from the contract's element names
to values: what the prepared consumer's reader and zeep's converted answer deliver for a registry
service, and what a handler hands the renderer for one of the hub's own services.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict


class HouseholdByPinAddress(TypedDict, total=False):
    """``address`` in :class:`HouseholdByPinRecord`."""

    soate: str | None
    settlement: str | None
    street: str | None
    house: str | None
    flat: str | None
    text: str | None


class HouseholdByPinMember(TypedDict, total=False):
    """``member`` in :class:`HouseholdByPinRecord`."""

    pin: str | None
    surname: str | None
    givenName: str | None
    patronymic: str | None
    birthDate: date | None
    gender: str | None
    relation: str | None
    temporarilyAbsent: bool | None
    absenceReason: str | None
    absenceCountry: str | None


class HouseholdByPinDwelling(TypedDict, total=False):
    """``dwelling`` in :class:`HouseholdByPinRecord`."""

    type: str | None
    ownership: str | None
    areaTotalM2: Decimal | float | None
    rooms: int | None
    water: bool | None
    gas: bool | None
    electricity: bool | None


class HouseholdByPinAnimal(TypedDict, total=False):
    """``animal`` in :class:`HouseholdByPinRecord`."""

    kind: str | None
    headCount: int | None


class HouseholdByPinRecord(TypedDict, total=False):
    """``householdByPin``'s answer (sanaripaymak)."""

    lsgName: str | None
    accountNo: str | None
    householdType: str | None
    address: HouseholdByPinAddress
    members: list[HouseholdByPinMember]
    dwelling: HouseholdByPinDwelling
    landHa: Decimal | float | None
    livestock: list[HouseholdByPinAnimal]
    updatedAt: datetime | None


class FamilyCompositionCertificateMember(TypedDict, total=False):
    """``member`` in :class:`FamilyCompositionCertificate`."""

    pin: str | None
    surname: str | None
    givenName: str | None
    patronymic: str | None
    birthDate: date | None
    gender: str | None
    relation: str | None


class FamilyCompositionCertificate(TypedDict, total=False):
    """``certificate`` in :class:`FamilyCompositionRecord`."""

    accountNo: str | None
    address: str | None
    members: list[FamilyCompositionCertificateMember]


class FamilyCompositionRecord(TypedDict, total=False):
    """``familyComposition``'s answer (sanaripaymak)."""

    certificate: FamilyCompositionCertificate


class ResidenceCertificateCertificateResident(TypedDict, total=False):
    """``resident`` in :class:`ResidenceCertificateCertificate`."""

    pin: str | None
    surname: str | None
    givenName: str | None
    patronymic: str | None
    birthDate: date | None


class ResidenceCertificateCertificateAddress(TypedDict, total=False):
    """``address`` in :class:`ResidenceCertificateCertificate`."""

    soate: str | None
    settlement: str | None
    street: str | None
    house: str | None
    flat: str | None
    text: str | None


class ResidenceCertificateCertificate(TypedDict, total=False):
    """``certificate`` in :class:`ResidenceCertificateRecord`."""

    resident: ResidenceCertificateCertificateResident
    accountNo: str | None
    address: ResidenceCertificateCertificateAddress
    residentSince: date | None
    temporarilyAbsent: bool | None
    absenceReason: str | None
    absenceCountry: str | None


class ResidenceCertificateRecord(TypedDict, total=False):
    """``residenceCertificate``'s answer (sanaripaymak)."""

    certificate: ResidenceCertificateCertificate


class HouseholdPlotCertificateCertificatePlot(TypedDict, total=False):
    """``plot`` in :class:`HouseholdPlotCertificateCertificate`."""

    category: str | None
    right: str | None
    areaHa: Decimal | float | None


class HouseholdPlotCertificateCertificateAnimal(TypedDict, total=False):
    """``animal`` in :class:`HouseholdPlotCertificateCertificate`."""

    kind: str | None
    headCount: int | None


class HouseholdPlotCertificateCertificate(TypedDict, total=False):
    """``certificate`` in :class:`HouseholdPlotCertificateRecord`."""

    accountNo: str | None
    address: str | None
    land: list[HouseholdPlotCertificateCertificatePlot]
    landTotalHa: Decimal | float | None
    livestockOn: date | None
    livestock: list[HouseholdPlotCertificateCertificateAnimal]


class HouseholdPlotCertificateRecord(TypedDict, total=False):
    """``householdPlotCertificate``'s answer (sanaripaymak)."""

    certificate: HouseholdPlotCertificateCertificate


class LowIncomeCertificateCertificate(TypedDict, total=False):
    """``certificate`` in :class:`LowIncomeCertificateRecord`."""

    passportNumber: str | None
    status: str | None
    welfareCategory: str | None
    incomeBand: str | None
    belowGmi: bool | None
    reviewedAt: date | None
    nextReviewDue: date | None
    members: int | None


class LowIncomeCertificateRecord(TypedDict, total=False):
    """``lowIncomeCertificate``'s answer (sanaripaymak)."""

    certificate: LowIncomeCertificateCertificate


class LandQueueCertificateCertificateApplication(TypedDict, total=False):
    """``application`` in :class:`LandQueueCertificateCertificate`."""

    regNumber: str | None
    lsgName: str | None
    queue: str | None
    purpose: str | None
    status: str | None
    position: int | None
    registeredAt: datetime | None


class LandQueueCertificateCertificate(TypedDict, total=False):
    """``certificate`` in :class:`LandQueueCertificateRecord`."""

    applications: list[LandQueueCertificateCertificateApplication]


class LandQueueCertificateRecord(TypedDict, total=False):
    """``landQueueCertificate``'s answer (sanaripaymak)."""

    certificate: LandQueueCertificateCertificate


class VerifyCertificateRecord(TypedDict, total=False):
    """``verifyCertificate``'s answer (sanaripaymak)."""

    status: str | None
    kind: str | None
    issuerSoate: str | None
    issuedAt: datetime | None
    validUntil: date | None
    revokedAt: datetime | None


class SocialPassportByPinService(TypedDict, total=False):
    """``service`` in :class:`SocialPassportByPinRecord`."""

    code: str | None
    status: str | None
    since: date | None


class SocialPassportByPinRecord(TypedDict, total=False):
    """``socialPassportByPin``'s answer (sanaripaymak)."""

    passportNumber: str | None
    status: str | None
    welfareCategory: str | None
    incomeBand: str | None
    belowGmi: bool | None
    reviewedAt: date | None
    nextReviewDue: date | None
    members: int | None
    services: list[SocialPassportByPinService]


class LandQueuePositionApplication(TypedDict, total=False):
    """``application`` in :class:`LandQueuePositionRecord`."""

    regNumber: str | None
    lsgName: str | None
    queue: str | None
    purpose: str | None
    status: str | None
    position: int | None
    registeredAt: datetime | None


class LandQueuePositionRecord(TypedDict, total=False):
    """``landQueuePosition``'s answer (sanaripaymak)."""

    applications: list[LandQueuePositionApplication]


class MunicipalPropertyByEniLessee(TypedDict, total=False):
    """``lessee`` in :class:`MunicipalPropertyByEniRecord`."""

    inn: str | None
    name: str | None
    validTo: date | None


class MunicipalPropertyByEniRecord(TypedDict, total=False):
    """``municipalPropertyByEni``'s answer (sanaripaymak)."""

    eni: str | None
    inventoryNo: str | None
    lsgName: str | None
    kind: str | None
    name: str | None
    address: str | None
    useStatus: str | None
    areaM2: Decimal | float | None
    areaHa: Decimal | float | None
    yearBuilt: int | None
    balanceHolder: str | None
    lessees: list[MunicipalPropertyByEniLessee]


class MunicipalPropertyListProperty(TypedDict, total=False):
    """``property`` in :class:`MunicipalPropertyListRecord`."""

    eni: str | None
    inventoryNo: str | None
    kind: str | None
    name: str | None
    useStatus: str | None
    areaM2: Decimal | float | None
    areaHa: Decimal | float | None


class MunicipalPropertyListRecord(TypedDict, total=False):
    """``municipalPropertyList``'s answer (sanaripaymak)."""

    total: int | None
    items: list[MunicipalPropertyListProperty]


class LsgPassportBand(TypedDict, total=False):
    """``band`` in :class:`LsgPassportRecord`."""

    gender: str | None
    ageBand: str | None
    count: int | None


class LsgPassportObject(TypedDict, total=False):
    """``object`` in :class:`LsgPassportRecord`."""

    kind: str | None
    count: int | None


class LsgPassportRecord(TypedDict, total=False):
    """``lsgPassport``'s answer (sanaripaymak)."""

    lsgName: str | None
    soate: str | None
    period: str | None
    areaKm2: Decimal | float | None
    settlements: int | None
    population: int | None
    households: int | None
    migrantsOut: int | None
    unemployed: int | None
    populationByAge: list[LsgPassportBand]
    socialObjects: list[LsgPassportObject]


class StatAggregatesCell(TypedDict, total=False):
    """``cell`` in :class:`StatAggregatesRecord`."""

    soate: str | None
    dimension: str | None
    count: int | None
    suppressed: bool | None


class StatAggregatesRecord(TypedDict, total=False):
    """``statAggregates``'s answer (sanaripaymak)."""

    indicator: str | None
    soate: str | None
    cells: list[StatAggregatesCell]


class FindUsageUsage(TypedDict, total=False):
    """``usage`` in :class:`FindUsageRecord`."""

    time: datetime | None
    date: date | None
    client: str | None
    clientName: str | None
    service: str | None
    agreement: str | None
    purpose: str | None
    userId: str | None
    issue: str | None
    outcome: str | None
    messageId: str | None


class FindUsageRecord(TypedDict, total=False):
    """``findUsage``'s answer (sanaripaymak)."""

    usages: list[FindUsageUsage]


class ZagsDataByPinRecord(TypedDict, total=False):
    """``zagsDataByPin``'s answer (zagsService)."""

    pin: str | None
    name: str | None
    surname: str | None
    patronymic: str | None
    gender: str | None
    maritalStatus: int | None
    nationality: str | None
    citizenship: str | None
    pinBlocked: bool | None
    pinGenerationDate: date | None
    dateOfBirth: date | None
    deathDate: date | None
    faultcode: str | None
    faultstring: str | None


class ZagsPinsByNSPDateRecord(TypedDict, total=False):
    """``zagsPinsByNSPDate``'s answer (zagsService)."""

    pins: list[str]
    faultcode: str | None
    faultstring: str | None


class AsbAddressAddressArray(TypedDict, total=False):
    """``addressArray`` in :class:`AsbAddressRecord`."""

    countryId: str | None
    regionId: str | None
    districtId: str | None
    aymakId: str | None
    villageId: str | None
    streetId: str | None
    houseId: str | None
    houseTxt: str | None
    flatId: str | None
    flatTxt: str | None
    code: str | None
    post: str | None


class AsbAddressRecord(TypedDict, total=False):
    """``asbAddress``'s answer (asbService)."""

    error: str | None
    address: str | None
    dateAction: datetime | None
    dateCreated: datetime | None
    addressArray: AsbAddressAddressArray


class TpDataByINNforBusinessActivityRecord(TypedDict, total=False):
    """``tpDataByINNforBusinessActivity``'s answer (gnsService)."""

    TIN: str | None
    FullName: str | None
    RayonCode: str | None
    RayonName: str | None
    TaxActiveDate: date | None
    TaxTypeCode: str | None
    Farm: bool | None


class AddressFactRecord(TypedDict, total=False):
    """``address-fact``'s answer (sanaripaymak REST)."""

    soate: str | None
    settlement: str | None
    street: str | None
    house: str | None
    flat: str | None
    text: str | None
    accountNo: str | None
    updatedAt: datetime | None


class FamilyMembersMember(TypedDict, total=False):
    """``member`` in :class:`FamilyMembersRecord`."""

    pin: str | None
    surname: str | None
    givenName: str | None
    patronymic: str | None
    birthDate: date | None
    gender: str | None
    relation: str | None
    temporarilyAbsent: bool | None
    absenceReason: str | None
    absenceCountry: str | None


class FamilyMembersRecord(TypedDict, total=False):
    """``family-members``'s answer (sanaripaymak REST)."""

    members: list[FamilyMembersMember]
