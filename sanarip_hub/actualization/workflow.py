"""The actualization workflow (regulation clause 22; the personal-data law).

Reconciliation only ever *flags* (:func:`sanarip_hub.storage.mismatches.flag`).  A person in the
LSG's office then moves the flag:

    open ──► in_review ──► actualized   (the hub takes the registry's value; the old one is kept)
      │          │    └──► rejected     (the hub is right; a reason is required)
      └──────────┴───────► escalated    (the data holder must correct its record; a reason is required)

Every move is a :class:`MismatchEvent` with who, when and why.  Flagging is idempotent: at most one
open flag per person, field and source exists (a partial unique index guarantees it even against
concurrent runs), and flagging the same difference again changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from mappings.normalize import same_surname, skeleton
from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.domain.codes import MismatchStatus
from sanarip_hub.domain.identifiers import parse_pin
from sanarip_hub.errors import ActualizationError, InvalidPin
from sanarip_hub.storage.mismatches import HOUSEHOLD_HEAD

S = MismatchStatus
MOVES: dict[MismatchStatus, frozenset[MismatchStatus]] = {
    S.OPEN: frozenset({S.IN_REVIEW, S.ACTUALIZED, S.REJECTED, S.ESCALATED}),
    S.IN_REVIEW: frozenset({S.ACTUALIZED, S.REJECTED, S.ESCALATED}),
    S.ACTUALIZED: frozenset(),
    S.REJECTED: frozenset(),
    S.ESCALATED: frozenset(),
}
NEEDS_REASON = frozenset({S.REJECTED, S.ESCALATED})


def _date(text: str | None) -> date | None:
    return None if text in (None, "") else date.fromisoformat(text)


def _int(text: str | None) -> int | None:
    return None if text in (None, "") else int(text)


# person fields an actualization may write, and how their text form is read back
PERSON_FIELDS: dict[str, Callable[[str | None], Any]] = {
    "surname": lambda v: v,
    "given_name": lambda v: v,
    "patronymic": lambda v: v or None,
    "birth_date": _date,
    "death_date": _date,
    "marital_status": _int,
    "nationality": lambda v: v or None,
    "citizenship": lambda v: v or None,
    "registered_soate": lambda v: v or None,  # the bureau's registration, read through its crosswalk
}


NAME_FIELDS = frozenset({"surname", "given_name", "patronymic"})
PIN_FOUND = "pin_found"  # the registry found a PIN for a person the book has none for
PIN_NAMESAKES = "pin_namesakes"  # it found several (namesakes born the same day): the clerk chooses


def _found_pin(registry: str | None, value: str | None) -> str:
    """The PIN an actualization of ``pin_found`` gives the person: the one the registry found,
    a valid PIN (the store checks that nobody else holds it and that it encodes the person's birth
    date)."""
    chosen = value if value is not None else registry
    if chosen is None or chosen != registry:
        raise ActualizationError(f"the PIN to write is the one the registry found ({registry}), not {chosen}")
    try:
        parse_pin(chosen)
    except InvalidPin as exc:
        raise ActualizationError(f"the registry's PIN {chosen} is not valid: {exc}; escalate it") from None
    return chosen


def _chosen_namesake(registry: str | None, value: str | None) -> str:
    """The PIN an actualization of ``pin_namesakes`` gives the person: the one of the registry's PINs
    the clerk chose from the person's birth act (the store checks it as for ``pin_found``)."""
    found = (registry or "").split(",")
    if value is None or value.strip() not in found:
        raise ActualizationError(
            f"choose the person's PIN among the registry's namesakes ({', '.join(found)}): the form's "
            "'value to write', `mismatches resolve --value PIN`; escalate if none is theirs"
        )
    return _found_pin(value.strip(), None)


_SCRIPTS = {"Cyrillic": re.compile("[\u0400-\u04ff]"), "Latin": re.compile("[A-Za-z]")}


def script_of(text: str | None) -> str | None:
    """``Cyrillic`` or ``Latin`` (a name with both letters counts as Cyrillic); None without letters."""
    for script, letters in _SCRIPTS.items():
        if text and letters.search(text):
            return script
    return None


def _in_register_script(field: str, hub: str | None, registry: str | None, value: str | None) -> str | None:
    """The name to write: the registry's, in the script the register writes it in.

    A passport's Latin spelling is never written over a Cyrillic name: when the registry's script
    differs from the hub's, the clerk gives the spelling (``value``), and it must be the registry's
    name (the same skeleton, :mod:`mappings.normalize`) in the hub's script."""
    ours, theirs = script_of(hub), script_of(registry)
    if value is None:
        if ours is None or theirs is None or ours == theirs:
            return registry
        raise ActualizationError(
            f"the registry writes {field} in {theirs} script ({registry!r}), the register writes it in "
            f"{ours} ({hub!r}): give the spelling to write in {ours} (the form's 'value to write', "
            "`mismatches resolve --value`)"
        )
    value = value.strip()
    if ours is not None and script_of(value) != ours:
        raise ActualizationError(f"{value!r} is not in {ours} script, as the register writes {field}")
    same = (
        same_surname(value, registry) if field == "surname" else skeleton(value) == skeleton(registry or "")
    )
    if not same:
        raise ActualizationError(f"{value!r} is not the registry's {registry!r} in another spelling")
    return value


@dataclass(frozen=True)
class Resolution:
    mismatch_id: int
    from_status: MismatchStatus
    to_status: MismatchStatus
    changed_field: str | None = None  # set when an actualization wrote the person's record


class MismatchStore(Protocol):
    """Where mismatches are kept (:class:`sanarip_hub.storage.mismatches.MismatchTable`)."""

    def move(
        self,
        mismatch_id: int,
        to: MismatchStatus,
        actor: str,
        reason: str | None,
        at: datetime,
        rule: Callable[[MismatchStatus, str, str | None, str | None], tuple[str, Any] | None],
        seen_version: int | None = None,
    ) -> tuple[MismatchStatus, str | None]: ...


def move(
    mismatches: MismatchStore,
    mismatch_id: int,
    to: MismatchStatus,
    actor: str,
    reason: str | None = None,
    clock: Clock = SYSTEM_CLOCK,
    seen_version: int | None = None,
    value: str | None = None,
) -> Resolution:
    """Move a mismatch along the workflow; an actualization also updates the person, keeping the
    old value in ``person_field_history``.  All in one transaction (the store's), under these rules.

    ``seen_version`` is the mismatch's version the decision was made on (the console's form and
    ``mismatches resolve --seen-version`` carry it): a mismatch moved or re-flagged since is refused.
    An actualization is refused, too, when the person's value is no longer the one the mismatch
    recorded.  ``value`` is the clerk's spelling of a name the registry writes in another script."""
    if to in NEEDS_REASON and not (reason and reason.strip()):
        raise ActualizationError(f"moving a mismatch to {to} needs a reason")
    if not actor.strip():
        raise ActualizationError("every move names who made it")

    if value is not None and to is not S.ACTUALIZED:
        raise ActualizationError("a value to write goes with an actualization only")

    def rule(
        current: MismatchStatus, field: str, hub_value: str | None, registry_value: str | None
    ) -> tuple[str, Any] | None:
        """Whether the move is allowed from ``current``; for an actualization, the value to write."""
        if to not in MOVES[current]:
            raise ActualizationError(f"mismatch {mismatch_id} is {current}; it cannot become {to}")
        if to is not S.ACTUALIZED:
            return None
        if field == PIN_FOUND:
            return "pin", _found_pin(registry_value, value)
        if field == PIN_NAMESAKES:
            return "pin", _chosen_namesake(registry_value, value)
        if field == HOUSEHOLD_HEAD:
            if not (value and value.strip()):
                raise ActualizationError(
                    "name the new head: the PIN of a living current member of the household (the form's "
                    "list, `mismatches resolve --value PIN`; `id:<person id>` for one without a PIN)"
                )
            return HOUSEHOLD_HEAD, value.strip()
        if field not in PERSON_FIELDS:
            raise ActualizationError(f"field {field} cannot be actualized automatically; escalate it")
        if field in NAME_FIELDS:
            return field, _in_register_script(field, hub_value, registry_value, value)
        if value is not None:
            raise ActualizationError(f"{field} is written as the registry gives it; no value to write")
        return field, PERSON_FIELDS[field](registry_value)

    current, changed = mismatches.move(mismatch_id, to, actor, reason, clock.now(), rule, seen_version)
    return Resolution(mismatch_id, current, to, changed)
