"""The actualization workflow (regulation clause 22; the personal-data law).

Reconciliation only ever *flags* (:func:`flag`).  A person in the LSG's office then moves the flag:

    open ──► in_review ──► actualized   (the hub takes the registry's value; the old one is kept)
      │          │    └──► rejected     (the hub is right; a reason is required)
      └──────────┴───────► escalated    (the data holder must correct its record; a reason is required)

Every move is a :class:`MismatchEvent` with who, when and why.  Flagging is idempotent: at most one
open flag per person, field and source exists (a partial unique index guarantees it even against
concurrent runs), and flagging the same difference again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert, select, update

from sanarip_hub.domain.codes import MismatchStatus, SyncSource
from sanarip_hub.errors import ActualizationError
from sanarip_hub.storage.models import Mismatch, MismatchEvent, Person, PersonFieldHistory

MISMATCH: Table = Mismatch.__table__  # type: ignore[assignment]
S = MismatchStatus
MOVES: dict[MismatchStatus, frozenset[MismatchStatus]] = {
    S.OPEN: frozenset({S.IN_REVIEW, S.ACTUALIZED, S.REJECTED, S.ESCALATED}),
    S.IN_REVIEW: frozenset({S.ACTUALIZED, S.REJECTED, S.ESCALATED}),
    S.ACTUALIZED: frozenset(),
    S.REJECTED: frozenset(),
    S.ESCALATED: frozenset(),
}
NEEDS_REASON = frozenset({S.REJECTED, S.ESCALATED})
RECONCILIATION = "reconciliation"  # the actor of the moves the nightly jobs make themselves


class Flagged(StrEnum):
    NEW = "new"
    UNCHANGED = "unchanged"  # the same difference was already flagged
    UPDATED = "updated"  # still different, but the values changed since it was flagged


def _date(text: str | None) -> date | None:
    return None if text in (None, "") else date.fromisoformat(text)


def _int(text: str | None) -> int | None:
    return None if text in (None, "") else int(text)


# person fields an actualization may write, and how their text form is read back
PERSON_FIELDS: dict[str, tuple[Any, Callable[[str | None], Any]]] = {
    "surname": (Person.surname, lambda v: v),
    "given_name": (Person.given_name, lambda v: v),
    "patronymic": (Person.patronymic, lambda v: v or None),
    "birth_date": (Person.birth_date, _date),
    "death_date": (Person.death_date, _date),
    "marital_status": (Person.marital_status, _int),
    "nationality": (Person.nationality, lambda v: v or None),
    "citizenship": (Person.citizenship, lambda v: v or None),
}


def _now() -> datetime:
    return datetime.now(UTC)


def flag(
    connection: Connection,
    *,
    person_id: int,
    field: str,
    source: SyncSource,
    hub_value: str | None,
    registry_value: str | None,
    message_id: str | None,
    run_id: int | None,
) -> Flagged:
    """Record a difference (inside the caller's transaction); idempotent per person/field/source."""
    existing = connection.execute(
        select(Mismatch.id, Mismatch.hub_value, Mismatch.registry_value).where(
            Mismatch.person_id == person_id,
            Mismatch.field == field,
            Mismatch.source == source,
            Mismatch.status.in_([S.OPEN, S.IN_REVIEW]),
        )
    ).first()
    now = _now()
    if existing is not None:
        if (existing.hub_value, existing.registry_value) == (hub_value, registry_value):
            return Flagged.UNCHANGED
        connection.execute(
            update(MISMATCH)
            .where(MISMATCH.c.id == existing.id)
            .values(hub_value=hub_value, registry_value=registry_value, message_id=message_id, run_id=run_id)
        )
        return Flagged.UPDATED
    mismatch_id = connection.execute(
        insert(MISMATCH)
        .values(
            person_id=person_id,
            field=field,
            source=source,
            hub_value=hub_value,
            registry_value=registry_value,
            message_id=message_id,
            run_id=run_id,
            detected_at=now,
            status=S.OPEN,
            status_at=now,
        )
        .returning(MISMATCH.c.id)
    ).scalar_one()
    connection.execute(
        insert(MismatchEvent.__table__).values(  # type: ignore[arg-type]
            mismatch_id=mismatch_id, at=now, from_status=None, to_status=S.OPEN, actor=RECONCILIATION
        )
    )
    return Flagged.NEW


def withdraw_stale(
    connection: Connection,
    *,
    source: SyncSource,
    compared: dict[int, tuple[frozenset[str], frozenset[str]]],
    run_id: int,
) -> int:
    """Close the open flags a run found no longer differing (inside the caller's transaction).

    ``compared`` maps a person to (the fields the run compared, the fields that differed).  An open
    flag on a compared field that no longer differs is moved to ``rejected`` by "reconciliation"
    — the hub's value stands; the registry now agrees — with the run named in the reason.  Flags
    in review are left to the person reviewing them; fields not compared (an unknown PIN, an
    address the bureau did not answer) are never touched.  Returns how many were closed.
    """
    if not compared:
        return 0
    rows = connection.execute(
        select(Mismatch.id, Mismatch.person_id, Mismatch.field).where(
            Mismatch.person_id.in_(list(compared)), Mismatch.source == source, Mismatch.status == S.OPEN
        )
    ).all()
    stale = [
        row.id
        for row in rows
        if row.field in compared[row.person_id][0] and row.field not in compared[row.person_id][1]
    ]
    if not stale:
        return 0
    now = _now()
    connection.execute(
        update(MISMATCH).where(MISMATCH.c.id.in_(stale)).values(status=S.REJECTED, status_at=now)
    )
    connection.execute(
        insert(MismatchEvent.__table__),  # type: ignore[arg-type]
        [
            {
                "mismatch_id": mismatch_id,
                "at": now,
                "from_status": S.OPEN,
                "to_status": S.REJECTED,
                "actor": RECONCILIATION,
                "reason": f"no longer differs: the registry agrees with the hub (run {run_id})",
            }
            for mismatch_id in stale
        ],
    )
    return len(stale)


@dataclass(frozen=True)
class Resolution:
    mismatch_id: int
    from_status: MismatchStatus
    to_status: MismatchStatus
    changed_field: str | None = None  # set when an actualization wrote the person's record


def move(
    engine: Engine, mismatch_id: int, to: MismatchStatus, actor: str, reason: str | None = None
) -> Resolution:
    """Move a mismatch along the workflow; an actualization also updates the person, keeping the
    old value in ``person_field_history``.  All in one transaction."""
    if to in NEEDS_REASON and not (reason and reason.strip()):
        raise ActualizationError(f"moving a mismatch to {to} needs a reason")
    if not actor.strip():
        raise ActualizationError("every move names who made it")
    with engine.begin() as connection:
        row = connection.execute(select(Mismatch).where(Mismatch.id == mismatch_id).with_for_update()).first()
        if row is None:
            raise ActualizationError(f"no mismatch {mismatch_id}")
        current = MismatchStatus(row.status)
        if to not in MOVES[current]:
            raise ActualizationError(f"mismatch {mismatch_id} is {current}; it cannot become {to}")
        now = _now()
        changed = None
        if to is S.ACTUALIZED:
            if row.field not in PERSON_FIELDS:
                raise ActualizationError(f"field {row.field} cannot be actualized automatically; escalate it")
            column, parse = PERSON_FIELDS[row.field]
            old = connection.execute(select(column).where(Person.id == row.person_id)).scalar()
            connection.execute(
                update(Person.__table__)  # type: ignore[arg-type]
                .where(Person.__table__.c.id == row.person_id)
                .values(
                    {
                        column.key: parse(row.registry_value),
                        "version": Person.__table__.c.version + 1,
                        "updated_at": now,
                    }
                )
            )
            connection.execute(
                insert(PersonFieldHistory.__table__).values(  # type: ignore[arg-type]
                    person_id=row.person_id,
                    field=row.field,
                    old_value=None if old is None else str(old),
                    new_value=row.registry_value,
                    changed_at=now,
                    actor=actor,
                    mismatch_id=mismatch_id,
                )
            )
            changed = row.field
        connection.execute(
            update(MISMATCH).where(MISMATCH.c.id == mismatch_id).values(status=to, status_at=now)
        )
        connection.execute(
            insert(MismatchEvent.__table__).values(  # type: ignore[arg-type]
                mismatch_id=mismatch_id, at=now, from_status=current, to_status=to, actor=actor, reason=reason
            )
        )
    return Resolution(mismatch_id, current, to, changed)
