"""Shared definitions of the synthetic country: column layouts, national proportions, id counters.

The generator is a plain function of (seed, LSG, starting ids, PINs already taken): it never reads
the clock or the database, so the same inputs always give the same rows.  Rows are tuples in the
column order of :data:`COLUMNS`, because building millions of dicts or ORM objects would cost more
than the database needs to store them.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sanarip_hub.domain.codes import LandQueuePurpose

REFERENCE_DATE = date(2026, 1, 1)  # "today" of the synthetic country: the book's yearly snapshot
REFERENCE_YEAR = REFERENCE_DATE.year
GMI_SOM = 1000.0  # guaranteed minimum income per person per month (FACTS §3)


def _cols(names: str) -> tuple[str, ...]:
    return tuple(names.split())


# Column order of every generated table (also the COPY / INSERT column lists), parents first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "address": _cols("id soate_code street house flat text_raw"),
    "person": _cols(
        "id lsg_id pin pin_status surname given_name patronymic gender birth_date death_date marital_status "
        "nationality citizenship registered_soate registered_address"
    ),
    "person_pin_alias": _cols("id person_id pin kind source"),
    "household": _cols("id lsg_id book_no account_no address_id head_person_id household_type opened_at"),
    "household_member": _cols(
        "id household_id person_id relation_to_head member_from member_to is_temporarily_absent "
        "absence_reason absence_country"
    ),
    "dwelling": _cols(
        "id household_id eni_code dwelling_type ownership year_built area_total_m2 area_living_m2 rooms "
        "water sewerage gas heating electricity"
    ),
    "household_land": _cols("id household_id year parcel_no category area_ha irrigated land_right"),
    "household_livestock": _cols("id household_id year kind head_count"),
    "social_passport": _cols(
        "id lsg_id household_id number opened_at reviewed_at next_review_due status commission_decision_no "
        "commission_decision_date per_capita_income_som gmi_som_at_assessment is_below_gmi welfare_category "
        "land_ha livestock_units vehicles dwelling_condition"
    ),
    "social_passport_member": _cols(
        "id passport_id person_id relation employment disability_group income_monthly_som income_source"
    ),
    "social_service_access": _cols("id passport_id service status since source"),
    "land_queue": _cols("id lsg_id purpose name opened_at"),
    "land_application": _cols(
        "id queue_id reg_number reg_datetime applicant_person_id household_id priority_category "
        "has_own_housing has_land_plot residence_since status status_reason allocated_parcel_eni decision_no "
        "decision_date lease_term_years lease_area_ha"
    ),
    "land_application_event": _cols("id application_id at from_status to_status actor reason"),
    "municipal_property": _cols(
        "id lsg_id inventory_no eni_code kind name address_text area_m2 area_ha length_m year_built "
        "book_value_som residual_value_som valuation_date acquisition_basis acquisition_doc_no "
        "acquisition_doc_date use_status balance_holder"
    ),
    "property_lease": _cols(
        "id property_id lessee_inn lessee_name contract_no valid_from valid_to rent_som_month purpose"
    ),
    "property_event": _cols("id property_id at kind doc_no doc_date amount_som"),
    "social_object": _cols(
        "id lsg_id kind name address_id eni_code capacity actual_load condition year_built owner"
    ),
    "lsg_problem": _cols("id lsg_id sector title description priority estimated_cost_som status source"),
}
TABLE_ORDER: tuple[str, ...] = tuple(COLUMNS)

# Proportions per household, from FACTS §10 (national totals / 1.75 M households).
SOCIAL_PASSPORT_RATE = 120_000 / 1_750_000
LAND_APPLICATION_RATE = 200_000 / 1_750_000
MUNICIPAL_PROPERTY_RATE = 50_000 / 1_750_000
SOCIAL_OBJECT_RATE = 25_000 / 1_750_000
SECOND_PIN_RATE = 0.007  # FACTS §10: 0.5-1% have an old or duplicate PIN
NO_PIN_RATE = 0.002  # FACTS §10: 0.2% without a PIN
BLOCKED_PIN_RATE = 0.001

# LSG bodies are dealt round-robin into a fixed number of shards; shard s draws PIN serials
# 90000 + SHARDS*k + s only, so shards never collide and can be generated in parallel processes
# while the result stays the same whatever the number of processes.
SHARDS = 8
SERIALS_PER_SHARD = 10_000 // SHARDS

# The most rows one household (or one LSG body) can produce per table: each LSG body gets an id block
# this large, so ids are known before generation starts and never depend on which process ran it.
MAX_PER_HOUSEHOLD: dict[str, int] = {
    "address": 1, "person": 12, "person_pin_alias": 12, "household": 1, "household_member": 12,
    "dwelling": 1, "household_land": 2, "household_livestock": 9, "social_passport": 1,
    "social_passport_member": 12, "social_service_access": 5, "land_application": 1,
    "land_application_event": 2,
}  # fmt: skip

Emit = Callable[[str, tuple[Any, ...]], None]


def per_lsg_rows(households: int) -> dict[str, int]:
    """Rows per table one LSG body with ``households`` households produces at most (its id block)."""
    properties = max(5, round(households * MUNICIPAL_PROPERTY_RATE))
    bounds = {table: per * households for table, per in MAX_PER_HOUSEHOLD.items()}
    bounds.update(
        land_queue=2,
        municipal_property=properties,
        property_lease=properties,
        property_event=2 * properties,
        social_object=max(3, round(households * SOCIAL_OBJECT_RATE)),
        lsg_problem=15,
    )
    return bounds


class IdCounters:
    """Next free id per table; the generator takes ids from here so parents and children link up.

    Each table's ids come from an ``itertools.count``: ``counter(table)`` hands the hot path a bound
    C-level ``__next__`` instead of a Python method call per row.
    """

    def __init__(self, start: dict[str, int] | None = None) -> None:
        first = start or {}
        self._counters = {table: itertools.count(first.get(table, 1)) for table in COLUMNS}

    def counter(self, table: str) -> Callable[[], int]:
        return self._counters[table].__next__

    def take(self, table: str) -> int:
        return next(self._counters[table])


@dataclass
class LsgState:
    """Per-LSG counters that continue across chunks and ``--append`` runs."""

    lsg_id: int
    next_account: int = 1
    next_passport: int = 1
    next_application: int = 1
    next_inventory: int = 1
    queue_ids: dict[LandQueuePurpose, int] = field(default_factory=dict)


def lsg_random(seed: int, soate_code: str, part: str) -> random.Random:
    """An independent random stream per (seed, LSG, part).

    ``part`` includes where an ``--append`` run starts (the LSG's next account number), so appending
    adds new households instead of replaying the first run's.
    """
    return random.Random(f"{seed}:{soate_code}:{part}")


def eni(rng: random.Random) -> str:
    """A synthetic 18-digit ЕНИ (unique real-estate code, FACTS §1.4)."""
    return f"{rng.randrange(1, 10)}{rng.randrange(10**17):017d}"
