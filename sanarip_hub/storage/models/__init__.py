"""The hub's tables, one module per Sanarip Aimak module (regulation clause 9).

Importing this package registers every table on :data:`Base.metadata`, which Alembic compares
against the migrations.
"""

from sanarip_hub.storage.base import Base
from sanarip_hub.storage.models.actualization import (
    Mismatch,
    MismatchEvent,
    PersonFieldHistory,
    SyncChunk,
    SyncRun,
)
from sanarip_hub.storage.models.agreement import Agreement
from sanarip_hub.storage.models.certificate import IssuedCertificateRow
from sanarip_hub.storage.models.console import ConsoleSession, ConsoleSignInFailure, ConsoleUser
from sanarip_hub.storage.models.contract_check import ContractCheck
from sanarip_hub.storage.models.household import (
    Address,
    Dwelling,
    Household,
    HouseholdLand,
    HouseholdLivestock,
    HouseholdMember,
    Person,
    PersonPinAlias,
)
from sanarip_hub.storage.models.land_queue import LandApplication, LandApplicationEvent, LandQueue
from sanarip_hub.storage.models.ledger import (
    LedgerArchive,
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerEntryRow,
    LedgerHead,
    LedgerSubject,
    LedgerTile,
    LedgerVerification,
)
from sanarip_hub.storage.models.lsg_passport import (
    LsgPassport,
    LsgPassportPopulation,
    LsgProblem,
    SocialObject,
)
from sanarip_hub.storage.models.municipal_property import MunicipalProperty, PropertyEvent, PropertyLease
from sanarip_hub.storage.models.reference import AteUnit, LsgBody
from sanarip_hub.storage.models.social_passport import (
    SocialPassport,
    SocialPassportMember,
    SocialServiceAccess,
)

__all__ = [
    "Address",
    "Agreement",
    "AteUnit",
    "Base",
    "ConsoleSession",
    "ConsoleSignInFailure",
    "ConsoleUser",
    "ContractCheck",
    "Dwelling",
    "Household",
    "HouseholdLand",
    "HouseholdLivestock",
    "HouseholdMember",
    "IssuedCertificateRow",
    "LandApplication",
    "LandApplicationEvent",
    "LandQueue",
    "LedgerArchive",
    "LedgerCheckpoint",
    "LedgerCosignature",
    "LedgerEntryRow",
    "LedgerHead",
    "LedgerSubject",
    "LedgerTile",
    "LedgerVerification",
    "LsgBody",
    "LsgPassport",
    "LsgPassportPopulation",
    "LsgProblem",
    "Mismatch",
    "MismatchEvent",
    "MunicipalProperty",
    "Person",
    "PersonFieldHistory",
    "PersonPinAlias",
    "PropertyEvent",
    "PropertyLease",
    "SocialObject",
    "SocialPassport",
    "SocialPassportMember",
    "SocialServiceAccess",
    "SyncChunk",
    "SyncRun",
]
