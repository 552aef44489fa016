"""Code lists of the Sanarip Aimak modules (FACTS §8), as string enums.

The values are what the database stores and what later services return; they are English
snake_case so they stay stable while the console translates them for people.
"""

from __future__ import annotations

from enum import StrEnum


class LsgKind(StrEnum):
    AYIL_OKMOTU = "ayil_okmotu"
    CITY_MAYORALTY = "city_mayoralty"


class UnitKind(StrEnum):
    COUNTRY = "country"
    OBLAST = "oblast"
    RAYON = "rayon"
    DISTRICT = "district"
    CITY = "city"
    TOWN = "town"
    AYIL_AIMAK = "ayil_aimak"
    VILLAGE = "village"
    PSEUDO = "pseudo"


class PinStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"
    DUPLICATE = "duplicate"
    NONE = "none"  # no PIN yet: newborn, undocumented


class PinAliasKind(StrEnum):
    OLD = "old"
    DUPLICATE = "duplicate"
    NEW = "new"


class Relation(StrEnum):
    """Relation to the head of household, as the register book records it."""

    HEAD = "head"
    SPOUSE = "spouse"
    SON = "son"
    DAUGHTER = "daughter"
    FATHER = "father"
    MOTHER = "mother"
    GRANDCHILD = "grandchild"
    DAUGHTER_IN_LAW = "daughter_in_law"  # келин
    SON_IN_LAW = "son_in_law"
    BROTHER = "brother"
    SISTER = "sister"
    OTHER_RELATIVE = "other_relative"
    NON_RELATIVE = "non_relative"


class AbsenceReason(StrEnum):
    LABOUR_MIGRATION = "labour_migration"
    STUDY = "study"
    ARMY = "army"
    OTHER = "other"


class HouseholdType(StrEnum):
    FAMILY = "family"
    SINGLE = "single"
    INSTITUTION = "institution"


class DwellingType(StrEnum):
    HOUSE = "house"
    FLAT = "flat"
    OTHER = "other"


class Ownership(StrEnum):
    OWN = "own"
    RENT = "rent"
    MUNICIPAL = "municipal"


class LandCategory(StrEnum):
    HOMESTEAD = "homestead"  # приусадебный
    ARABLE = "arable"  # пашня
    PERENNIAL = "perennial"  # многолетние насаждения
    HAYFIELD = "hayfield"  # сенокос
    PASTURE = "pasture"  # пастбище


class LandRight(StrEnum):
    OWN = "own"
    LEASE = "lease"
    USE = "use"


class LivestockKind(StrEnum):
    CATTLE = "cattle"
    COWS = "cows"
    SHEEP = "sheep"
    GOATS = "goats"
    HORSES = "horses"
    YAKS = "yaks"
    CAMELS = "camels"
    PIGS = "pigs"
    POULTRY = "poultry"
    BEES = "bees"


class SocialObjectKind(StrEnum):
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    FAP = "fap"  # feldsher-midwife post / family medicine centre
    HOSPITAL = "hospital"
    CLUB = "club"
    LIBRARY = "library"
    SPORTS = "sports"
    MOSQUE = "mosque"
    MARKET = "market"
    CEMETERY = "cemetery"
    WATER_SUPPLY = "water_supply"
    ROAD = "road"
    BRIDGE = "bridge"


class Condition(StrEnum):
    GOOD = "good"
    SATISFACTORY = "satisfactory"
    POOR = "poor"
    EMERGENCY = "emergency"


class ObjectOwner(StrEnum):
    MUNICIPAL = "municipal"
    STATE = "state"
    PRIVATE = "private"


class ProblemStatus(StrEnum):
    OPEN = "open"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SOLVED = "solved"


class ProblemSource(StrEnum):
    CITIZEN_MEETING = "citizen_meeting"
    KENESH = "kenesh"
    SURVEY = "survey"


class SocialPassportStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class WelfareCategory(StrEnum):
    EXTREME_POOR = "extreme_poor"
    POOR = "poor"
    VULNERABLE = "vulnerable"
    NOT_POOR = "not_poor"


class Employment(StrEnum):
    EMPLOYED = "employed"
    SELF_EMPLOYED = "self_employed"
    UNEMPLOYED_REGISTERED = "unemployed_registered"
    STUDENT = "student"
    PENSIONER = "pensioner"
    CHILD = "child"
    DISABLED = "disabled"


class IncomeSource(StrEnum):
    SALARY = "salary"
    PENSION = "pension"
    BENEFIT = "benefit"
    AGRICULTURE = "agriculture"
    REMITTANCES = "remittances"
    OTHER = "other"
    NONE = "none"


class SocialService(StrEnum):
    UBK_BENEFIT = "ubk_benefit"  # үй-бүлөгө көмөк
    PENSION = "pension"
    DISABILITY_ALLOWANCE = "disability_allowance"
    HEALTH_INSURANCE = "health_insurance"
    KINDERGARTEN = "kindergarten"
    SCHOOL_MEALS = "school_meals"
    SOCIAL_CONTRACT = "social_contract"
    ENERGY_TARIFF = "energy_tariff"


class ServiceAccessStatus(StrEnum):
    RECEIVING = "receiving"
    ELIGIBLE_NOT_RECEIVING = "eligible_not_receiving"
    INELIGIBLE = "ineligible"
    APPLIED = "applied"


class ServiceSource(StrEnum):
    MLSP = "mlsp"
    SF = "sf"
    LOCAL = "local"


class LandQueuePurpose(StrEnum):
    HOUSING = "housing"  # individual housing construction
    LEASE = "lease"


class PriorityCategory(StrEnum):
    NONE = "none"
    LARGE_FAMILY = "large_family"
    DISABLED = "disabled"
    ORPHAN = "orphan"
    VETERAN = "veteran"
    DISASTER_VICTIM = "disaster_victim"
    CIVIL_SERVANT = "civil_servant"


class ApplicationStatus(StrEnum):
    REGISTERED = "registered"
    VERIFIED = "verified"
    REJECTED = "rejected"
    ALLOCATED = "allocated"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"

    @property
    def is_waiting(self) -> bool:
        """Applications in these states hold a place in the queue."""
        return self in (ApplicationStatus.REGISTERED, ApplicationStatus.VERIFIED)


class PropertyKind(StrEnum):
    BUILDING = "building"
    PREMISES = "premises"
    LAND = "land"
    ROAD = "road"
    NETWORK = "network"
    VEHICLE = "vehicle"
    EQUIPMENT = "equipment"
    OTHER = "other"


class AcquisitionBasis(StrEnum):
    STATE_TRANSFER = "state_transfer"
    CONSTRUCTION = "construction"
    PURCHASE = "purchase"
    DONATION = "donation"
    COURT = "court"


class UseStatus(StrEnum):
    IN_USE = "in_use"
    LEASED = "leased"
    FREE = "free"
    PRIVATISATION_PENDING = "privatisation_pending"
    WRITTEN_OFF = "written_off"


class PropertyEventKind(StrEnum):
    REGISTERED = "registered"
    REVALUED = "revalued"
    LEASED = "leased"
    PRIVATISED = "privatised"
    WRITTEN_OFF = "written_off"
    TRANSFERRED = "transferred"


class MismatchStatus(StrEnum):
    """The actualization workflow (regulation clause 22): a flagged difference is handled, never
    silently overwritten."""

    OPEN = "open"
    IN_REVIEW = "in_review"
    ACTUALIZED = "actualized"  # the hub was updated from the registry (old value kept in history)
    REJECTED = "rejected"  # the hub is right; the reason is recorded
    ESCALATED = "escalated"  # sent to the data holder (the registry) to correct its record


class SyncSource(StrEnum):
    CIVIL_REGISTRY = "civil-registry"
    TAX = "tax"


class SyncRunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class ConsoleRole(StrEnum):
    """Who uses the web console; each role sees only its own pages."""

    OPERATOR = "operator"  # exchange logs, fault rates, latency, sync runs, health
    AUDITOR = "auditor"  # the access ledger: search, verification, evidence bundles
    LSG_USER = "lsg_user"  # the actualization queue of one LSG body
    ADMINISTRATOR = "administrator"  # agreements and users
    OWNER = "owner"  # the system owner (regulation clause 15): unauthorized-access reports
