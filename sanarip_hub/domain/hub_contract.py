"""The producer's service contract, declared once.

The WSDL in ``wsdl/``, the XML and JSON responses, the request readers and the field names an
interagency agreement may grant all come from the declarations here, so they cannot drift apart:
a field added to a service appears in the served WSDL, in zeep's view of the response and in the
set of names ``agreements import`` accepts, or nowhere.

A response is a ``resultCode`` (always sent: PR-MESS asks every data response to carry a non-empty
scalar so an empty answer is never mistaken for a silent failure) followed by the service's
top-level *fields*.  Agreements grant fields per service, down to the fields of a
record (:mod:`~sanarip_hub.producer.field_grants`); a field not granted is simply absent, which
the schema allows because every field is optional.
"""

from __future__ import annotations

from enum import StrEnum

from sanarip_hub.domain.contract import Contract, Field, Param, Service

NAMESPACE = "http://sanarip-aimak.gov.kg/xroad/producer/v1"
SERVICE_VERSION = "v1"


class ResultCode(StrEnum):
    """The business outcome carried in every response (technical errors are SOAP faults instead)."""

    OK = "OK"
    PIN_NOT_FOUND = "PIN_NOT_FOUND"  # no person with this PIN in the household register
    NO_HOUSEHOLD = "NO_HOUSEHOLD"  # the person is known but belongs to no current household
    NOT_FOUND = "NOT_FOUND"  # no object with this key (ENI, SOATE, registration number)


def _scalars(*names: str, type: str = "string") -> tuple[Field, ...]:
    return tuple(Field(name, type) for name in names)


PERSON = (
    *_scalars("pin", "surname", "givenName", "patronymic"),
    Field("birthDate", "date"),
    *_scalars("gender", "relation"),
    # a member away for a while (labour migration, study, army) is still a member: the book says so
    Field("temporarilyAbsent", "boolean"),
    *_scalars("absenceReason", "absenceCountry"),
)
ADDRESS = (*_scalars("soate", "settlement", "street", "house", "flat", "text"),)
PIN = (Param("pin"),)

# -- what each certificate holds (issue 16) ------------------------------------------------------
# A certificate service answers one signed ``certificate`` element (``xs:any`` in the WSDL: a
# receiver checks its signature, not its schema).  Its *content* is declared here as the field's
# children, so an agreement grants a certificate's parts like any other record's
# (``certificate.members.pin``) and the hub signs only what was granted.  The header every
# certificate carries (number, issuer, validity, recipient, purpose, subject) is not grantable: it
# is what makes the document a certificate (:mod:`sanarip_hub.domain.certificates`).
CERTIFIED_PERSON = (*_scalars("pin", "surname", "givenName", "patronymic"), Field("birthDate", "date"))
FAMILY_CONTENT = (
    Field("accountNo"),
    Field("address"),
    Field("members", item="member", children=(*CERTIFIED_PERSON, *_scalars("gender", "relation"))),
)
RESIDENCE_CONTENT = (
    Field("resident", children=CERTIFIED_PERSON),
    Field("accountNo"),
    Field("address", children=ADDRESS),
    Field("residentSince", "date"),
    Field("temporarilyAbsent", "boolean"),
    *_scalars("absenceReason", "absenceCountry"),
)
PLOT_CONTENT = (
    Field("accountNo"),
    Field("address"),
    Field(
        "land",
        item="plot",
        children=(*_scalars("category", "right"), Field("areaHa", "decimal")),
    ),
    Field("landTotalHa", "decimal"),
    Field("livestockOn", "date"),
    Field("livestock", item="animal", children=(Field("kind"), Field("headCount", "int"))),
)
LOW_INCOME_CONTENT = (
    *_scalars("passportNumber", "status", "welfareCategory", "incomeBand"),
    Field("belowGmi", "boolean"),
    Field("reviewedAt", "date"),
    Field("nextReviewDue", "date"),
    Field("members", "int"),
)
QUEUE_APPLICATION = (
    *_scalars("regNumber", "lsgName", "queue", "purpose", "status"),
    Field("position", "int"),
    Field("registeredAt", "dateTime"),
)
SIGNED = (
    "Signed with an enveloped XAdES signature (exclusive C14N, signing time and signing certificate) "
    "by the issuing LSG body's key (RSA-SHA256 or ECDSA-SHA256), or by the hub's when the body has "
    'none (signingKey holder="hub"). Every certificate names its number, issuer, issuedAt, '
    "dataValidOn, validUntil, recipient, purpose and the subject's current PIN; verifyCertificate "
    "checks it by number and digest (SHA-256 of its exclusive canonical form)."
)


def _certificate(code: str, title: dict[str, str], content: tuple[Field, ...], what: str) -> Service:
    return Service(
        code, title, PIN, (Field("certificate", "any", children=content),), personal=True,
        note=f"{what} {SIGNED}",
    )  # fmt: skip


SERVICES: tuple[Service, ...] = (
    Service(
        "householdByPin",
        {
            "ky": "Жеке номер боюнча үй чарбасынын картасы",
            "ru": "Карточка домохозяйства по ПИН",
            "en": "Household card by PIN",
        },
        PIN,
        (
            *_scalars("lsgName", "accountNo", "householdType"),
            Field("address", children=ADDRESS),
            Field("members", item="member", children=PERSON),
            Field(
                "dwelling",
                children=(
                    *_scalars("type", "ownership"),
                    Field("areaTotalM2", "decimal"),
                    Field("rooms", "int"),
                    *_scalars("water", "gas", "electricity", type="boolean"),
                ),
            ),
            Field("landHa", "decimal"),
            Field("livestock", item="animal", children=(Field("kind"), Field("headCount", "int"))),
            Field("updatedAt", "dateTime"),
        ),
        personal=True,
    ),
    _certificate(
        "familyComposition",
        {
            "ky": "Үй-бүлөнүн курамы жөнүндө маалымкат (электрондук кол тамга менен)",
            "ru": "Справка о составе семьи (с электронной подписью)",
            "en": "Household-composition certificate (signed)",
        },
        FAMILY_CONTENT,
        "The household's living members from the household book.",
    ),
    _certificate(
        "residenceCertificate",
        {
            "ky": "Иш жүзүндө жашаган жери жөнүндө маалымкат",
            "ru": "Справка о месте фактического проживания",
            "en": "Certificate of actual residence",
        },
        RESIDENCE_CONTENT,
        "Where the person actually lives, from the household book (their household's address).",
    ),
    _certificate(
        "householdPlotCertificate",
        {
            "ky": "Үй чарбасынын жери жана мал-жандыгы жөнүндө маалымкат",
            "ru": "Справка о земле и поголовье скота личного подсобного хозяйства",
            "en": "Household plot and livestock certificate",
        },
        PLOT_CONTENT,
        "Land by category and livestock on 1 January of the latest year the book records, for "
        "subsidies, loans and pasture fees.",
    ),
    _certificate(
        "lowIncomeCertificate",
        {
            "ky": "Үй-бүлөнүн аз камсыз болгондугу жөнүндө маалымкат",
            "ru": "Справка о малообеспеченности семьи",
            "en": "Low-income family certificate",
        },
        LOW_INCOME_CONTENT,
        "The family's social-passport status (NOT_FOUND when it has no social passport).",
    ),
    _certificate(
        "landQueueCertificate",
        {
            "ky": "Жер участогуна кезекте тургандыгы жөнүндө маалымкат",
            "ru": "Справка о постановке в очередь на земельный участок",
            "en": "Land-plot queue certificate",
        },
        (Field("applications", item="application", children=QUEUE_APPLICATION),),
        "The person's applications in land-plot queues: position (while waiting) and date.",
    ),
    Service(
        "verifyCertificate",
        {
            "ky": "Маалымкаттын анык экендигин текшерүү",
            "ru": "Проверка подлинности справки",
            "en": "Verify a certificate",
        },
        (Param("number"), Param("digest")),
        (
            Field("status"),
            *_scalars("kind", "issuerSoate"),
            Field("issuedAt", "dateTime"),
            Field("validUntil", "date"),
            Field("revokedAt", "dateTime"),
        ),
        personal=False,
        note=(
            "Whether a certificate someone was handed is one the hub issued: status valid, expired, "
            "revoked or unknown (no certificate with this number and digest). The digest is the "
            "SHA-256 (hex) of the certificate element's exclusive canonical form (xml-exc-c14n)."
        ),
    ),
    Service(
        "socialPassportByPin",
        {
            "ky": "Аз камсыз болгон үй-бүлөнүн социалдык паспорту",
            "ru": "Социальный паспорт малообеспеченной семьи",
            "en": "Social passport of a low-income family",
        },
        PIN,
        (
            *_scalars("passportNumber", "status", "welfareCategory", "incomeBand"),
            Field("belowGmi", "boolean"),
            Field("reviewedAt", "date"),
            Field("nextReviewDue", "date"),
            Field("members", "int"),
            Field(
                "services",
                item="service",
                children=(Field("code"), Field("status"), Field("since", "date")),
            ),
        ),
        personal=True,
    ),
    Service(
        "landQueuePosition",
        {
            "ky": "Жер участогуна кезектеги орун",
            "ru": "Место в очереди на земельный участок",
            "en": "Position in the land-plot queue",
        },
        (Param("pin", required=False), Param("regNumber", required=False)),
        (Field("applications", item="application", children=QUEUE_APPLICATION),),
        personal=True,
        note="Give pin or regNumber.",
    ),
    Service(
        "municipalPropertyByEni",
        {
            "ky": "Муниципалдык мүлк (ЕНИ боюнча)",
            "ru": "Муниципальное имущество по ЕНИ",
            "en": "Municipal property by unique real-estate number (ENI)",
        },
        (Param("eni"),),
        (
            *_scalars("eni", "inventoryNo", "lsgName", "kind", "name", "address", "useStatus"),
            Field("areaM2", "decimal"),
            Field("areaHa", "decimal"),
            Field("yearBuilt", "int"),
            Field("balanceHolder"),
            Field(
                "lessees",
                item="lessee",
                children=(Field("inn"), Field("name"), Field("validTo", "date")),
                personal=True,
            ),
        ),
        personal=False,
        note="A lessee may be a person: lessees are granted explicitly and then need userId.",
    ),
    Service(
        "municipalPropertyList",
        {
            "ky": "Муниципалдык мүлктүн тизмеси",
            "ru": "Перечень муниципального имущества",
            "en": "Municipal property list",
        },
        (
            Param("soate"),
            Param("kind", required=False),
            Param("offset", "int", required=False),
            Param("limit", "int", required=False),
        ),
        (
            Field("total", "int"),
            Field(
                "items",
                item="property",
                children=(
                    *_scalars("eni", "inventoryNo", "kind", "name", "useStatus"),
                    Field("areaM2", "decimal"),
                    Field("areaHa", "decimal"),
                ),
            ),
        ),
        personal=False,
        note="Pages of at most 1000 items (limit, default 100), ordered by inventory number.",
    ),
    Service(
        "lsgPassport",
        {
            "ky": "Жергиликтүү өз алдынча башкаруу органынын паспорту",
            "ru": "Паспорт органа местного самоуправления",
            "en": "Passport of a local self-government body",
        },
        (Param("soate"), Param("period", required=False)),
        (
            *_scalars("lsgName", "soate", "period"),
            Field("areaKm2", "decimal"),
            *_scalars("settlements", "population", "households", "migrantsOut", "unemployed", type="int"),
            Field(
                "populationByAge",
                item="band",
                children=(Field("gender"), Field("ageBand"), Field("count", "int")),
            ),
            Field("socialObjects", item="object", children=(Field("kind"), Field("count", "int"))),
        ),
        personal=False,
        note="Aggregates only; people and households as LSG counts rounded to multiples of 10.",
    ),
    Service(
        "statAggregates",
        {
            "ky": "Статистикалык жыйынды көрсөткүчтөр",
            "ru": "Статистические агрегаты",
            "en": "Statistical aggregates",
        },
        (Param("indicator"), Param("soate")),
        (
            *_scalars("indicator", "soate"),
            Field(
                "cells",
                item="cell",
                children=(
                    *_scalars("soate", "dimension"),
                    Field("count", "int"),
                    Field("suppressed", "boolean"),
                ),
            ),
        ),
        personal=False,
        note=(
            "Counts only, with controlled rounding: each LSG body's count rounded to a multiple of 10, "
            "summed over the territory; a sum of 0 is suppressed. Never a PIN or a name."
        ),
    ),
    Service(
        "findUsage",
        {
            "ky": "Жеке маалыматтарымды ким, качан жана эмне үчүн алган",
            "ru": "Кто, когда и зачем получал мои персональные данные",
            "en": "Who received my personal data, when and why",
        },
        PIN,
        (
            Field(
                "usages",
                item="usage",
                children=(
                    Field("time", "dateTime"),
                    Field("date", "date"),
                    *_scalars("client", "clientName", "service", "agreement", "purpose"),
                    *_scalars("userId", "issue", "outcome", "messageId"),
                ),
            ),
        ),
        personal=True,
        note=(
            "Who received the person's data, newest first (at most 100). For the data subject (userId "
            "= the PIN or KG+PIN): date and time, body, service, purpose, outcome; console views by date "
            "only. For an oversight agreement: every column."
        ),
    ),
)

REST_SERVICES: tuple[Service, ...] = (
    Service(
        "address-fact",
        {"ky": "Иш жүзүндөгү дарек", "ru": "Фактический адрес", "en": "Actual address"},
        PIN,
        (*ADDRESS, Field("accountNo"), Field("updatedAt", "dateTime")),
        personal=True,
        note="The name Tunduk clients already call. 204 when the PIN is unknown.",
        rest_only=True,
    ),
    Service(
        "family-members",
        {"ky": "Үй-бүлө мүчөлөрү", "ru": "Члены семьи", "en": "Family members"},
        PIN,
        (Field("members", item="member", children=PERSON),),
        personal=True,
        note="The name Tunduk clients already call. 204 when the PIN is unknown; 404 NO_HOUSEHOLD.",
        rest_only=True,
    ),
)

BY_CODE: dict[str, Service] = {service.code: service for service in (*SERVICES, *REST_SERVICES)}

CONTRACT = Contract(
    name="sanaripaymak",
    namespace=NAMESPACE,
    version=SERVICE_VERSION,
    services=SERVICES,
    comment=(
        " Sanarip Aimak X-Road producer (Tunduk subsystem sanaripaymak-service), service version "
        f"{SERVICE_VERSION}. Generated from sanarip_hub/domain/hub_contract.py; do not edit by hand. "
    ),
    result_codes=tuple(code.value for code in ResultCode),
)
