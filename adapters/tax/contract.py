"""Our model of the tax service's Tunduk service (FACTS §9.2).

The real service is ``GOV/70000002/gns-service`` ``tpDataByINNforBusinessActivity``; its request
element (``inn``, FACTS §2.3) and response field names (TIN, FullName, RayonCode, RayonName,
TaxActiveDate, TaxTypeCode, Farm) come from public client code, everything else (namespace, types,
optionality) is our assumption.
"""

from __future__ import annotations

from sanarip_hub.domain.contract import Contract, Field, Param, Service

GNS_NAMESPACE = "http://sanarip-aimak.gov.kg/xroad/model/gns-service"

TP_DATA = Service(
    "tpDataByINNforBusinessActivity",
    {
        "ky": "Салык төлөөчүнүн ишкердик маалыматы (ИНН боюнча)",
        "ru": "Данные налогоплательщика о предпринимательской деятельности по ИНН",
        "en": "Taxpayer business activity by TIN",
    },
    (Param("inn"),),  # FACTS §2.3: the request says inn, the answer TIN
    (
        Field("TIN"),
        Field("FullName"),
        Field("RayonCode"),
        Field("RayonName"),
        Field("TaxActiveDate", "date"),
        Field("TaxTypeCode"),
        Field("Farm", "boolean"),
    ),
    personal=True,
    note="Our model of the real service (FACTS 9.2); field names from public client code.",
)

GNS_CONTRACT = Contract(
    name="gnsService",
    namespace=GNS_NAMESPACE,
    version="v1",
    services=(TP_DATA,),
    comment=(
        " OUR MODEL of the tax service's Tunduk service GOV/70000002/gns-service (the real WSDL is not "
        "public; names from public client code, FACTS 9.2). Generated from adapters/tax/contract.py; "
        "do not edit by hand. "
    ),
)
