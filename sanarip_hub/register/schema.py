"""The JSON Schema of each register record type, built from the hub's code lists.

The enumerations come from :mod:`sanarip_hub.domain.codes`, so the schema and the database accept
the same codes; ``python -m sanarip_hub.register.schema`` writes the committed copies under
``docs/register/`` that an LSG office's tools can validate against (a test keeps them equal).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

from sanarip_hub.domain.codes import (
    AbsenceReason,
    AcquisitionBasis,
    ApplicationStatus,
    DwellingType,
    Employment,
    HouseholdType,
    IncomeSource,
    LandCategory,
    LandQueuePurpose,
    LandRight,
    LivestockKind,
    Ownership,
    PinAliasKind,
    PinStatus,
    PriorityCategory,
    PropertyEventKind,
    PropertyKind,
    Relation,
    ServiceAccessStatus,
    ServiceSource,
    SocialPassportStatus,
    SocialService,
    UseStatus,
    WelfareCategory,
)
from sanarip_hub.domain.identifiers import Gender

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE = "https://sanarip-hub.kg/register/"
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
SOATE = {"type": "string", "pattern": r"^\d{14}$"}
PIN = {"type": "string", "pattern": r"^\d{14}$"}
MOMENT = {"type": "string", "format": "date-time", "description": "RFC 3339 with its UTC offset"}
ENI = {"type": "string", "pattern": r"^\d{18}$", "description": "ЕНИ, the real-estate code, as 18 digits"}


def _text(limit: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit}


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _codes(codes: type[StrEnum]) -> dict[str, Any]:
    return {"enum": [code.value for code in codes]}


def _object(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


PERSON = _object(
    ["pin", "pin_status", "surname", "given_name", "gender", "birth_date"],
    {
        "pin": _optional(PIN),
        "pin_status": _codes(PinStatus),
        "surname": _text(100) | {"minLength": 1},
        "given_name": _text(100) | {"minLength": 1},
        "patronymic": _optional(_text(100)),
        "gender": _codes(Gender),
        "birth_date": DATE,
        "death_date": _optional(DATE),
        "marital_status": _optional({"type": "integer", "minimum": 0, "maximum": 3}),
        "nationality": _optional(_text(50)),
        "citizenship": _optional({"type": "string", "pattern": "^[A-Z]{3}$"}),
        "registered_soate": _optional(SOATE),  # прописка, which may differ from the household's place
        "registered_address": _optional(_text(400)),
        "aliases": {
            "type": "array",
            "items": _object(
                ["pin", "kind", "source"], {"pin": PIN, "kind": _codes(PinAliasKind), "source": _text(20)}
            ),
        },
    },
)

MEMBER = _object(
    ["person", "relation", "member_from"],
    {
        "person": PERSON,
        "relation": _codes(Relation),
        "member_from": DATE,
        "member_to": _optional(DATE),
        "temporarily_absent": {"type": "boolean"},
        "absence_reason": _optional(_codes(AbsenceReason)),
        "absence_country": _optional({"type": "string", "pattern": "^[A-Z]{3}$"}),
    },
)

AREA = {"type": "number", "minimum": 0}

HOUSEHOLD: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": SCHEMA_BASE + "household.schema.json",
    "title": "A household's account in an LSG body's register book, with its members and holdings",
    **_object(
        ["lsg", "account_no", "book_no", "household_type", "opened_at", "address", "members"],
        {
            "lsg": SOATE | {"description": "СОАТЕ code of the LSG body that keeps the book"},
            "account_no": _text(20)
            | {"minLength": 1, "description": "the account number within the LSG body"},
            "book_no": {"type": "integer", "minimum": 0},
            "household_type": _codes(HouseholdType),
            "opened_at": DATE,
            "closed_at": _optional(DATE),
            "close_reason": _optional(_text(200)),
            "address": _object(
                ["soate", "text"],
                {
                    "soate": SOATE,
                    "street": _optional(_text(200)),
                    "house": _optional(_text(20)),
                    "flat": _optional(_text(20)),
                    "text": _text(400),
                },
            ),
            "members": {"type": "array", "items": MEMBER},
            "dwellings": {
                "type": "array",
                "items": _object(
                    ["dwelling_type", "ownership"],
                    {
                        "eni_code": _optional(_text(18)),
                        "dwelling_type": _codes(DwellingType),
                        "ownership": _codes(Ownership),
                        "year_built": _optional({"type": "integer", "minimum": 1800, "maximum": 2100}),
                        "area_total_m2": _optional(AREA),
                        "area_living_m2": _optional(AREA),
                        "rooms": _optional({"type": "integer", "minimum": 0, "maximum": 100}),
                        **{
                            utility: {"type": "boolean"}
                            for utility in ("water", "sewerage", "gas", "heating", "electricity")
                        },
                    },
                ),
            },
            "land": {
                "type": "array",
                "items": _object(
                    ["year", "category", "area_ha", "land_right"],
                    {
                        "year": {"type": "integer", "minimum": 1991, "maximum": 2100},
                        "parcel_no": _optional(_text(40)),
                        "category": _codes(LandCategory),
                        "area_ha": AREA,
                        "irrigated": {"type": "boolean"},
                        "land_right": _codes(LandRight),
                    },
                ),
            },
            "livestock": {
                "type": "array",
                "items": _object(
                    ["year", "kind", "head_count"],
                    {
                        "year": {"type": "integer", "minimum": 1991, "maximum": 2100},
                        "kind": _codes(LivestockKind),
                        "head_count": {"type": "integer", "minimum": 0},
                    },
                ),
            },
        },
    ),
}

MONEY = {"type": "number", "minimum": 0}

SOCIAL_PASSPORT: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": SCHEMA_BASE + "social_passport.schema.json",
    "title": "A low-income family's social passport (regulation clause 23), its members and services",
    **_object(
        [
            "lsg", "number", "account_no", "opened_at", "status", "per_capita_income_som",
            "gmi_som_at_assessment", "is_below_gmi", "welfare_category", "members",
        ],
        {
            "lsg": SOATE | {"description": "СОАТЕ code of the LSG body that keeps the passport"},
            "number": _text(30) | {"minLength": 1, "description": "the passport's number in the LSG body"},
            "account_no": _text(20)
            | {"minLength": 1, "description": "the household's account number in the same LSG body"},
            "opened_at": DATE,
            "reviewed_at": _optional(DATE),
            "next_review_due": _optional(DATE),
            "status": _codes(SocialPassportStatus),
            "commission_decision_no": _optional(_text(30)),
            "commission_decision_date": _optional(DATE),
            "per_capita_income_som": MONEY,
            "gmi_som_at_assessment": MONEY,
            "is_below_gmi": {"type": "boolean"},
            "welfare_category": _codes(WelfareCategory),
            "land_ha": _optional(AREA),
            "livestock_units": _optional(AREA),
            "vehicles": _optional({"type": "integer", "minimum": 0, "maximum": 100}),
            "dwelling_condition": _optional(_text(20)),
            "members": {
                "type": "array",
                "minItems": 1,
                "items": _object(
                    ["surname", "given_name", "birth_date", "relation", "employment",
                     "income_monthly_som", "income_source"],
                    {
                        # the person: by PIN, or (no PIN) by name and birth date among the household's
                        # members; the names are the household file's, never changed from here
                        "pin": _optional(PIN),
                        "surname": _text(100) | {"minLength": 1},
                        "given_name": _text(100) | {"minLength": 1},
                        "birth_date": DATE,
                        "relation": _codes(Relation),
                        "employment": _codes(Employment),
                        "disability_group": _optional({"type": "integer", "minimum": 1, "maximum": 3}),
                        "income_monthly_som": MONEY,
                        "income_source": _codes(IncomeSource),
                    },
                ),
            },
            "services": {
                "type": "array",
                "items": _object(
                    ["service", "status", "source"],
                    {
                        "service": _codes(SocialService),
                        "status": _codes(ServiceAccessStatus),
                        "since": _optional(DATE),
                        "source": _codes(ServiceSource),
                    },
                ),
            },
        },
    ),
}  # fmt: skip

LAND_APPLICATION: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": SCHEMA_BASE + "land_application.schema.json",
    "title": "An application in an LSG body's queue for a municipal land plot, with its status events",
    **_object(
        [
            "lsg", "reg_number", "queue", "reg_datetime", "applicant", "priority_category",
            "has_own_housing", "has_land_plot", "status", "events",
        ],
        {
            "lsg": SOATE | {"description": "СОАТЕ code of the LSG body that keeps the queue"},
            "reg_number": _text(30) | {"minLength": 1, "description": "the registration number"},
            "queue": _object(
                ["purpose", "name", "opened_at"],
                {"purpose": _codes(LandQueuePurpose), "name": _text(200) | {"minLength": 1},
                 "opened_at": DATE},
            ),
            "reg_datetime": MOMENT | {"description": "when the application was registered: its place"},
            "applicant": _object(
                # by PIN, or (no PIN) by name and birth date among the members of account_no's household
                ["surname", "given_name", "birth_date"],
                {
                    "pin": _optional(PIN),
                    "surname": _text(100) | {"minLength": 1},
                    "given_name": _text(100) | {"minLength": 1},
                    "birth_date": DATE,
                },
            ),
            "account_no": _optional(_text(20) | {"minLength": 1}),
            "priority_category": _codes(PriorityCategory),
            "has_own_housing": {"type": "boolean"},
            "has_land_plot": {"type": "boolean"},
            "residence_since": _optional(DATE),
            "status": _codes(ApplicationStatus),
            "status_reason": _optional(_text(300)),
            "allocated_parcel_eni": _optional(ENI),
            "decision_no": _optional(_text(30)),
            "decision_date": _optional(DATE),
            "lease_term_years": _optional({"type": "integer", "minimum": 1, "maximum": 99}),
            "lease_area_ha": _optional(AREA),
            "events": {
                "type": "array",
                "items": _object(
                    ["at", "to_status", "actor"],
                    {
                        "at": MOMENT,
                        "from_status": _optional(_codes(ApplicationStatus)),
                        "to_status": _codes(ApplicationStatus),
                        "actor": _text(100) | {"minLength": 1},
                        "reason": _optional(_text(300)),
                    },
                ),
            },
        },
    ),
}  # fmt: skip

MUNICIPAL_PROPERTY: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": SCHEMA_BASE + "municipal_property.schema.json",
    "title": "An object of the LSG body's municipal property register, with its leases and events",
    **_object(
        [
            "lsg", "inventory_no", "kind", "name", "book_value_som", "residual_value_som",
            "acquisition_basis", "use_status", "leases", "events",
        ],
        {
            "lsg": SOATE | {"description": "СОАТЕ code of the LSG body that owns the object"},
            "inventory_no": _text(30) | {"minLength": 1, "description": "the inventory number"},
            "eni_code": _optional(ENI),
            "kind": _codes(PropertyKind),
            "name": _text(300) | {"minLength": 1},
            "address_text": _optional(_text(400)),
            "area_m2": _optional(AREA),
            "area_ha": _optional(AREA),
            "length_m": _optional(AREA),
            "year_built": _optional({"type": "integer", "minimum": 1800, "maximum": 2100}),
            "book_value_som": MONEY,
            "residual_value_som": MONEY,
            "valuation_date": _optional(DATE),
            "acquisition_basis": _codes(AcquisitionBasis),
            "acquisition_doc_no": _optional(_text(30)),
            "acquisition_doc_date": _optional(DATE),
            "use_status": _codes(UseStatus),
            "balance_holder": _optional(_text(200)),
            "leases": {
                "type": "array",
                "items": _object(
                    ["contract_no", "lessee_inn", "lessee_name", "valid_from", "valid_to", "rent_som_month"],
                    {
                        "contract_no": _text(30) | {"minLength": 1},
                        "lessee_inn": {"type": "string", "pattern": r"^\d{14}$"},
                        "lessee_name": _text(300) | {"minLength": 1},
                        "valid_from": DATE,
                        "valid_to": DATE,
                        "rent_som_month": MONEY,
                        "purpose": _optional(_text(200)),
                    },
                ),
            },
            "events": {
                "type": "array",
                "items": _object(
                    ["at", "kind"],
                    {
                        "at": MOMENT,
                        "kind": _codes(PropertyEventKind),
                        "doc_no": _optional(_text(30)),
                        "doc_date": _optional(DATE),
                        "amount_som": _optional(MONEY),
                    },
                ),
            },
        },
    ),
}  # fmt: skip

# Record type -> (file name in an export directory, schema).
RECORD_TYPES: dict[str, tuple[str, dict[str, Any]]] = {
    "household": ("households.jsonl", HOUSEHOLD),
    "social_passport": ("social_passports.jsonl", SOCIAL_PASSPORT),
    "land_application": ("land_applications.jsonl", LAND_APPLICATION),
    "municipal_property": ("municipal_property.jsonl", MUNICIPAL_PROPERTY),
}
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "register"


def schema_text(record_type: str) -> str:
    """The committed form of a record type's schema."""
    return json.dumps(RECORD_TYPES[record_type][1], ensure_ascii=False, indent=2) + "\n"


def main() -> None:  # pragma: no cover - the generator; tests compare its output
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for record_type in RECORD_TYPES:
        (SCHEMA_DIR / f"{record_type}.schema.json").write_text(schema_text(record_type), encoding="utf-8")
        print(f"wrote docs/register/{record_type}.schema.json", file=sys.stderr)


if __name__ == "__main__":
    main()
