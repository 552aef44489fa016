"""Declarative comparison of registry answers with the hub's record: one rule per field.

Each rule reads one value from the hub row and one from the registry answer, normalises both, and
says whether they differ; a difference carries both values as text for the actualization queue.
Spelling is never a difference (see :mod:`mappings.normalize`); facts are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from mappings.normalize import same_surname, skeleton


@dataclass(frozen=True)
class Difference:
    field: str  # the hub's field name (as the truth labels and the mismatch table use it)
    hub_value: str | None
    registry_value: str | None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Rule:
    field: str
    hub: Callable[[Any], Any]
    registry: Callable[[Any], Any]
    differs: Callable[[Any, Any], bool]


def _given_differs(hub: str | None, registry: str | None) -> bool:
    return registry is not None and skeleton(hub or "") != skeleton(registry)


def _surname_differs(hub: str | None, registry: str | None) -> bool:
    return registry is not None and not same_surname(hub, registry)


def _present_and_different(hub: Any, registry: Any) -> bool:
    return registry is not None and hub != registry


CIVIL_REGISTRY_RULES: tuple[Rule, ...] = (
    Rule("surname", lambda h: h.surname, lambda r: r.surname, _surname_differs),
    Rule("given_name", lambda h: h.given_name, lambda r: r.name, _given_differs),
    Rule("birth_date", lambda h: h.birth_date, lambda r: r.dateOfBirth, _present_and_different),
    Rule("death_date", lambda h: h.death_date, lambda r: r.deathDate, _present_and_different),
    Rule(
        "pin_status",
        lambda h: h.pin_status,
        lambda r: "blocked" if r.pinBlocked else None,
        lambda hub, registry: registry == "blocked" and hub != "blocked",
    ),
)


def compare_civil_registry(hub: Any, zags: Any, asb: Any) -> list[Difference]:
    """The person's differences against ``zagsDataByPin`` and ``asbAddress`` answers."""
    if zags is None or zags.pin is None:
        return [Difference("pin", hub.pin, None)]  # the registry does not know this PIN
    found = [
        Difference(rule.field, _text(rule.hub(hub)), _text(rule.registry(zags)))
        for rule in CIVIL_REGISTRY_RULES
        if rule.differs(rule.hub(hub), rule.registry(zags))
    ]
    code = None if asb is None or asb.addressArray is None else asb.addressArray.code
    if code is not None and hub.soate_code is not None and code != hub.soate_code:
        found.append(Difference("address", hub.soate_code, code))
    return found


def compare_tax(hub: Any, gns: Any) -> list[Difference]:
    """A business the tax service knows and the hub does not (social-passport eligibility)."""
    if gns is None or gns.TIN is None:
        return []
    return [Difference("business", None, gns.TIN)]
