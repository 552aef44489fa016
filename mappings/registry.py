"""Declarative comparison of registry answers with the hub's record: one rule per field.

Each rule reads one value from the hub row and one from the registry answer, normalises both, and
says whether they differ; a difference carries both values as text for the actualization queue.
Spelling is never a difference (see :mod:`mappings.normalize`); facts are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

from mappings.address_codes import Crosswalk
from mappings.normalize import same_surname, skeleton
from sanarip_hub.domain.field_text import field_text
from sanarip_hub.domain.records import (
    AsbAddressRecord,
    TpDataByINNforBusinessActivityRecord,
    ZagsDataByPinRecord,
    ZagsPinsByNSPDateRecord,
)


@dataclass(frozen=True)
class Difference:
    field: str  # the hub's field name (as the truth labels and the mismatch table use it)
    hub_value: str | None
    registry_value: str | None


@dataclass(frozen=True)
class Rule:
    """Compare the hub row's attribute ``hub`` with the registry answer's element ``registry``."""

    field: str
    hub: str
    registry: str
    differs: Callable[[Any, Any], bool]
    registry_value: Callable[[Any], Any] = lambda value: value


def _given_differs(hub: str | None, registry: str | None) -> bool:
    return registry is not None and skeleton(hub or "") != skeleton(registry)


def _surname_differs(hub: str | None, registry: str | None) -> bool:
    return registry is not None and not same_surname(hub, registry)


def _present_and_different(hub: Any, registry: Any) -> bool:
    return registry is not None and hub != registry


def _blocked(value: Any) -> str | None:
    return "blocked" if value else None


CIVIL_REGISTRY_RULES: tuple[Rule, ...] = (
    Rule("surname", "surname", "surname", _surname_differs),
    Rule("given_name", "given_name", "name", _given_differs),
    Rule("birth_date", "birth_date", "dateOfBirth", _present_and_different),
    Rule("death_date", "death_date", "deathDate", _present_and_different),
    Rule("pin_status", "pin_status", "pinBlocked", lambda h, r: r == "blocked" and h != "blocked", _blocked),
)


Record = Mapping[str, Any]
"""A registry answer as both consumers deliver it (:mod:`adapters.xroad.consumer`): the contract's
element names to values (dates, booleans, numbers as declared; a nested record for a complex
element), absent elements left out.  Never a toolkit's object: nothing here knows zeep.  The
comparison rules take the service's own type from :mod:`sanarip_hub.domain.records`, generated
from the same declarations the reader reads by."""


class Comparison(NamedTuple):
    """What a comparison found, and which fields it really compared: a later run withdraws an
    open flag only on a field it compared (not ``registered_soate`` when the bureau sent no code or
    one its crosswalk does not map, nothing
    but ``pin`` when the registry does not know the PIN)."""

    differences: list[Difference]
    compared: frozenset[str]


def registry_knows(zags: ZagsDataByPinRecord | None) -> bool:
    """The civil registry answered with a person (an unknown PIN gets an empty answer)."""
    return zags is not None and zags.get("pin") is not None


_PIN_ONLY = frozenset({"pin"})
_CIVIL_FIELDS = frozenset({"pin", *(rule.field for rule in CIVIL_REGISTRY_RULES)})
_CIVIL_FIELDS_AND_ADDRESS = _CIVIL_FIELDS | {"registered_soate"}
_BUSINESS = frozenset({"business"})


# the hub row's values the rules read, fetched in one C call (attribute access on rows is slow)
_CIVIL_HUB = attrgetter("pin", "registered_soate", *(rule.hub for rule in CIVIL_REGISTRY_RULES))
_IDENTITY = Rule.registry_value


def compare_civil_registry(
    hub: Any,
    zags: ZagsDataByPinRecord | None,
    asb: AsbAddressRecord | None,
    crosswalk: Crosswalk | None = None,
) -> Comparison:
    """The person's differences against ``zagsDataByPin`` and ``asbAddress`` answers.

    The bureau's answer is the registered address (прописка): it is compared with the person's
    ``registered_soate``, not with the household they live in, once ``crosswalk`` turns the
    bureau's code into a СОАТЕ code (:mod:`mappings.address_codes`); without a crosswalk, or for a
    code it lacks, the registered address is not compared at all.

    Equal values are never a difference under any rule, so the rule runs only when the two sides
    are not already equal: most people match, and their comparison costs little more than reading.
    """
    registry: ZagsDataByPinRecord = {} if zags is None else zags
    pin = registry.get("pin")
    hub_pin, registered, *mine_all = _CIVIL_HUB(hub)
    if pin is None:  # the registry does not know this PIN
        return Comparison([Difference("pin", hub_pin, None)], _PIN_ONLY)
    found = [] if pin == hub_pin else [Difference("pin", hub_pin, pin)]  # an old second PIN
    for rule, mine in zip(CIVIL_REGISTRY_RULES, mine_all, strict=True):
        theirs: object = registry.get(rule.registry)  # a declared key (tests/test_records.py)
        if rule.registry_value is not _IDENTITY:
            theirs = rule.registry_value(theirs)
        if mine != theirs and rule.differs(mine, theirs):
            found.append(Difference(rule.field, field_text(mine), field_text(theirs)))
    if asb is not None and crosswalk is not None:
        address = asb.get("addressArray")
        code = None if address is None else address.get("code")
        soate = None if code is None else crosswalk.get(code)
        if soate is not None:
            if soate != registered:
                found.append(Difference("registered_soate", registered, soate))
            return Comparison(found, _CIVIL_FIELDS_AND_ADDRESS)
    return Comparison(found, _CIVIL_FIELDS)


PIN_FOUND = "pin_found"  # the flag that proposes the PIN the registry found for a person without one
PIN_NAMESAKES = "pin_namesakes"  # several PINs found (namesakes born the same day): the clerk chooses
_PIN_SEARCH = frozenset({PIN_FOUND, PIN_NAMESAKES})


def compare_pin_search(search: ZagsPinsByNSPDateRecord | None) -> Comparison:
    """A person the register has no PIN for, against ``zagsPinsByNSPDate`` (name and birth date).

    One PIN found is proposed to the clerk (``pin_found``); none is no difference.  Several PINs
    (namesakes born the same day) are no proposal, since no rule could choose among them: they are
    flagged ``pin_namesakes`` with every PIN found (sorted, comma-separated), for the clerk, who
    knows the person, to choose one from the birth act or to escalate.  Either answer withdraws the
    other kind's earlier flag (the registry's answer changed)."""
    pins = sorted(set([] if search is None else search.get("pins") or ()))
    if len(pins) > 1:
        return Comparison([Difference(PIN_NAMESAKES, None, ",".join(pins))], _PIN_SEARCH)
    return Comparison([Difference(PIN_FOUND, None, pins[0])] if pins else [], _PIN_SEARCH)


def compare_tax(hub: Any, gns: TpDataByINNforBusinessActivityRecord | None) -> Comparison:
    """A business the tax service knows and the hub does not (social-passport eligibility)."""
    tin = None if gns is None else gns.get("TIN")
    return Comparison([] if tin is None else [Difference("business", None, tin)], _BUSINESS)
