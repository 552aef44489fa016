"""Our model of the civil registry's Tunduk services (FACTS §2.3 and §9.2).

The real services are ``GOV/70000005/zags-service`` ``zagsDataByPin(pin, datetimeFormat)`` and
``GOV/70000005/asb-service`` ``asbAddress(pin)``, namespace
``http://tunduk-seccurity-infocom.x-road.fi/producer`` (sic, as public client code spells it).  Their
WSDLs are not public: the element names below are the ones public client code reads; types, order
and optionality are our assumptions.  The registry simulators serve these contracts and the
consumers call them, so when the real WSDLs arrive, only this file changes.
"""

from __future__ import annotations

from sanarip_hub.domain.contract import Contract, Field, Param, Service

INFOCOM = "http://tunduk-seccurity-infocom.x-road.fi/producer"
ADDRESS_PARTS = (
    "countryId", "regionId", "districtId", "aymakId", "villageId", "streetId",
    "houseId", "houseTxt", "flatId", "flatTxt", "code", "post",
)  # fmt: skip
MODEL_NOTE = "Our model of the real service (FACTS §2.3); field names from public client code."

ZAGS_DATA_BY_PIN = Service(
    "zagsDataByPin",
    {
        "ky": "Жеке номер боюнча жарандык абалдын актылары",
        "ru": "Данные ЗАГС по ПИН",
        "en": "Civil-status data by PIN",
    },
    (Param("pin"), Param("datetimeFormat", required=False)),
    (
        Field("pin"),
        Field("name"),
        Field("surname"),
        Field("patronymic"),
        Field("gender"),
        Field("maritalStatus", "int"),
        Field("nationality"),
        Field("citizenship"),
        Field("pinBlocked", "boolean"),
        Field("pinGenerationDate", "date"),
        Field("dateOfBirth", "date"),
        Field("deathDate", "date"),
        # a business error (blocked, not found …) comes in the body, not as a SOAP fault
        Field("faultcode"),
        Field("faultstring"),
    ),
    personal=True,
    note=MODEL_NOTE,
)

ZAGS_PINS_BY_NSP_DATE = Service(
    "zagsPinsByNSPDate",
    {
        "ky": "Аты-жөнү жана туулган күнү боюнча жеке номерлер",
        "ru": "ПИН по ФИО и дате рождения",
        "en": "PINs by name and birth date",
    },
    (Param("name"), Param("surname"), Param("patronymic", required=False), Param("birthdate", "date")),
    (
        # every PIN the registry holds for the name and date: none, one, or several namesakes
        Field("pins", item="pin"),
        Field("faultcode"),
        Field("faultstring"),
    ),
    personal=True,
    note="Our model of the real service (FACTS §2.3, §9.2: its name and parameters are public, its "
    "answer is not): the PINs found, as a list.",
)

ASB_ADDRESS = Service(
    "asbAddress",
    {"ky": "Катталган дарек", "ru": "Адрес регистрации (АСБ)", "en": "Registered address"},
    (Param("pin"),),
    (
        Field("error"),
        Field("address"),
        Field("dateAction", "dateTime"),
        Field("dateCreated", "dateTime"),
        Field(
            "addressArray",
            children=tuple(Field(name) for name in ADDRESS_PARTS),
        ),
    ),
    personal=True,
    note=MODEL_NOTE,
)

ZAGS_CONTRACT = Contract(
    name="zagsService",
    namespace=INFOCOM,
    version="v1",
    services=(ZAGS_DATA_BY_PIN, ZAGS_PINS_BY_NSP_DATE),
    comment=(
        " OUR MODEL of the civil registry's Tunduk service GOV/70000005/zags-service (the real WSDL is "
        "not public; names from public client code, FACTS 2.3). Generated from "
        "adapters/civil_registry/contract.py; do not edit by hand. "
    ),
)

ASB_CONTRACT = Contract(
    name="asbService",
    namespace=INFOCOM,
    version="v1",
    services=(ASB_ADDRESS,),
    comment=(
        " OUR MODEL of the address bureau's Tunduk service GOV/70000005/asb-service (the real WSDL is "
        "not public; names from public client code, FACTS 2.3). Generated from "
        "adapters/civil_registry/contract.py; do not edit by hand. "
    ),
)
