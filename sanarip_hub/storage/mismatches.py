"""Mismatches: flagged by the reconciliation (idempotently), moved by people, listed with their history.

The workflow's rules (which moves are allowed, what an actualization writes) are in
:mod:`sanarip_hub.actualization.workflow`; this module keeps them in the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, Table, case, func, insert, select, update

from sanarip_hub.domain.codes import MismatchStatus, PinStatus, Relation, SyncSource
from sanarip_hub.domain.field_text import field_text
from sanarip_hub.domain.identifiers import parse_pin
from sanarip_hub.errors import ActualizationError, DecisionOutdated
from sanarip_hub.storage.models import (
    Household,
    HouseholdMember,
    LsgBody,
    Mismatch,
    MismatchEvent,
    Person,
    PersonFieldHistory,
    PersonPinAlias,
)


def list_mismatches(engine: Engine, status: str | None, source: str | None, limit: int) -> list[Any]:
    """Mismatches in id order (each row: the mismatch's columns and ``pin``)."""
    query = select(Mismatch, Person.pin).join(Person, Person.id == Mismatch.person_id).order_by(Mismatch.id)
    if status:
        query = query.where(Mismatch.status == status)
    if source:
        query = query.where(Mismatch.source == source)
    with engine.connect() as connection:
        return list(connection.execute(query.limit(limit)))


def mismatch_with_history(engine: Engine, mismatch_id: int) -> tuple[Any, list[Any]] | None:
    """One mismatch (with ``pin``) and its events in order, or None."""
    with engine.connect() as connection:
        row = connection.execute(
            select(Mismatch, Person.pin)
            .join(Person, Person.id == Mismatch.person_id)
            .where(Mismatch.id == mismatch_id)
        ).first()
        if row is None:
            return None
        events = connection.execute(
            select(MismatchEvent).where(MismatchEvent.mismatch_id == mismatch_id).order_by(MismatchEvent.id)
        )
        return row, list(events)


def mismatch_counts(engine: Engine) -> Counter[tuple[str, str, str]]:
    """How many mismatches there are per (source, field, status)."""
    counted = select(Mismatch.source, Mismatch.field, Mismatch.status, func.count()).group_by(
        Mismatch.source, Mismatch.field, Mismatch.status
    )
    with engine.connect() as connection:
        return Counter({(str(s), str(f), str(t)): int(n) for s, f, t, n in connection.execute(counted)})


def busiest_lsg(engine: Engine) -> str | None:
    """The СОАТЕ code of the LSG body with the most mismatches (any LSG body when there are none)."""
    with engine.connect() as connection:
        busiest = connection.execute(
            select(LsgBody.soate_code)
            .join(Person, Person.lsg_id == LsgBody.id)
            .join(Mismatch, Mismatch.person_id == Person.id)
            .group_by(LsgBody.soate_code)
            .order_by(func.count().desc(), LsgBody.soate_code)
            .limit(1)
        ).scalar()
        return (
            busiest or connection.execute(select(LsgBody.soate_code).order_by(LsgBody.id).limit(1)).scalar()
        )


MISMATCH: Table = Mismatch.__table__  # type: ignore[assignment]
S = MismatchStatus
RECONCILIATION = "reconciliation"  # the actor of the moves the nightly jobs make themselves
# the reason recorded when a run closes a flag its registry now agrees with (the console words it)
STALE_REASON = "no longer differs: the registry agrees with the hub (run {run})"


class Flagged(StrEnum):
    NEW = "new"
    UNCHANGED = "unchanged"  # the same difference was already flagged
    UPDATED = "updated"  # still different, but the values changed since it was flagged


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
            .values(
                hub_value=hub_value,
                registry_value=registry_value,
                message_id=message_id,
                run_id=run_id,
                version=MISMATCH.c.version + 1,  # a page showing the old values is now stale
            )
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
        update(MISMATCH)
        .where(MISMATCH.c.id.in_(stale))
        .values(status=S.REJECTED, status_at=now, version=MISMATCH.c.version + 1)
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
                "reason": STALE_REASON.format(run=run_id),
            }
            for mismatch_id in stale
        ],
    )
    return len(stale)


class MismatchTable:
    """The mismatch store over the hub database (``actualization.workflow.MismatchStore``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def move(
        self,
        mismatch_id: int,
        to: MismatchStatus,
        actor: str,
        reason: str | None,
        at: datetime,
        rule: Callable[[MismatchStatus, str, str | None, str | None], tuple[str, Any] | None],
        seen_version: int | None = None,
    ) -> tuple[MismatchStatus, str | None]:
        """Lock the mismatch, ask ``rule`` whether the move is allowed (and what an actualization
        writes), then write the person's field with its history, the status and the event: one
        transaction.  Returns (the status it had, the field written or None).

        Refused, with nothing written: a decision made on version ``seen_version`` of a mismatch that
        has moved or been re-flagged since (a second tab, a second clerk), and an actualization of a
        field whose value in the hub is no longer the one the mismatch recorded (nobody compared the
        value it would overwrite).  The person's row is written under its optimistic lock
        (``version``), so a writer between the read and the write cannot be overwritten either."""
        with self.engine.begin() as connection:
            row = connection.execute(
                select(Mismatch).where(Mismatch.id == mismatch_id).with_for_update()
            ).first()
            if row is None:
                raise ActualizationError(f"no mismatch {mismatch_id}")
            current = MismatchStatus(row.status)
            if seen_version is not None and row.version != seen_version:
                raise DecisionOutdated(
                    f"mismatch {mismatch_id} has changed since it was opened (it is now {current}, "
                    f"the registry's value {row.registry_value!r}): nothing was written; "
                    "open it again and decide on what it says now"
                )
            write = rule(current, row.field, row.hub_value, row.registry_value)
            changed = None
            if write is not None and write[0] == HOUSEHOLD_HEAD:
                _name_head(connection, row, write[1], at)
                changed = HOUSEHOLD_HEAD
            elif write is not None:
                field, value = write
                column = Person.__table__.c[field]  # a field the workflow's rule lets it write
                old, version, address = connection.execute(
                    select(column, Person.version, Person.registered_address).where(
                        Person.id == row.person_id
                    )
                ).one()
                if field_text(old) != row.hub_value:
                    raise DecisionOutdated(
                        f"the hub's {field} is now {field_text(old)}, not {row.hub_value} as when mismatch "
                        f"{mismatch_id} was flagged: nothing was written (the next reconciliation compares "
                        "the new value)"
                    )
                values = {column.key: value, "version": Person.__table__.c.version + 1, "updated_at": at}
                history = [(field, old, value)]
                if field == "pin":
                    _check_found_pin(connection, row.person_id, value)
                    values["pin_status"] = PinStatus.ACTIVE
                if field == "registered_soate" and address is not None:
                    # the old registration's free-text address no longer describes the new one
                    values["registered_address"] = None
                    history.append(("registered_address", address, None))
                written = connection.execute(
                    update(Person.__table__)  # type: ignore[arg-type]
                    .where(Person.__table__.c.id == row.person_id, Person.__table__.c.version == version)
                    .values(values)
                )
                if written.rowcount != 1:
                    raise DecisionOutdated(
                        f"the person of mismatch {mismatch_id} was changed by someone else just now: "
                        "nothing was written; try again"
                    )
                connection.execute(
                    insert(PersonFieldHistory.__table__),  # type: ignore[arg-type]
                    [
                        {
                            "person_id": row.person_id,
                            "field": name,
                            "old_value": field_text(before),
                            "new_value": field_text(after),
                            "changed_at": at,
                            "actor": actor,
                            "mismatch_id": mismatch_id,
                        }
                        for name, before, after in history
                    ],
                )
                changed = field
                if field == "death_date" and value is not None:
                    _end_memberships_at_death(connection, row, value)
            connection.execute(
                update(MISMATCH)
                .where(MISMATCH.c.id == mismatch_id)
                .values(status=to, status_at=at, version=MISMATCH.c.version + 1)
            )
            connection.execute(
                insert(MismatchEvent.__table__).values(  # type: ignore[arg-type]
                    mismatch_id=mismatch_id,
                    at=at,
                    from_status=current,
                    to_status=to,
                    actor=actor,
                    reason=reason,
                )
            )
        return current, changed


def _check_found_pin(connection: Connection, person_id: int, pin: str) -> None:
    """A PIN found by name and birth date is given only if it encodes the person's birth date and
    gender and nobody in the register holds it already (as a PIN or an old one): two records of one
    person are merged by a clerk who sees both, never by an actualization."""
    person = connection.execute(select(Person.birth_date, Person.gender).where(Person.id == person_id)).one()
    decoded = parse_pin(pin)
    if decoded.birth_date != person.birth_date or (decoded.gender not in (None, person.gender)):
        raise ActualizationError(
            f"the registry's PIN {pin} encodes another birth date or gender than the person's "
            f"({person.birth_date.isoformat()}, {person.gender}): nothing was written; escalate it"
        )
    holder = connection.execute(select(Person.id).where(Person.pin == pin)).scalar()
    if holder is None:
        holder = connection.execute(
            select(PersonPinAlias.person_id).where(PersonPinAlias.pin == pin)
        ).scalar()
    if holder is not None:
        raise ActualizationError(
            f"PIN {pin} already belongs to person {holder} in the register: nothing was written; "
            "escalate the mismatch so that the two records can be merged"
        )


HOUSEHOLD_HEAD = "household_head"  # the flag that asks the clerk to name a new head


def head_candidates(connection: Connection, household: str) -> list[Any]:
    """Who may be named head of ``household`` (``<LSG СОАТЕ>/<account>``, as a ``household_head``
    flag names it): its living current members, oldest first; each row has ``person_id``, ``pin``,
    the names and ``birth_date``.  Each is chosen by PIN, or as ``id:<person id>`` without one."""
    soate, _, account = household.partition("/")
    return list(
        connection.execute(
            select(HouseholdMember.person_id, Person.pin, Person.surname, Person.given_name,
                   Person.patronymic, Person.birth_date)
            .join(Person, Person.id == HouseholdMember.person_id)
            .join(Household, Household.id == HouseholdMember.household_id)
            .join(LsgBody, LsgBody.id == Household.lsg_id)
            .where(LsgBody.soate_code == soate, Household.account_no == account,
                   Household.closed_at.is_(None), HouseholdMember.member_to.is_(None),
                   Person.death_date.is_(None))
            .order_by(Person.birth_date, Person.id)
        )
    )  # fmt: skip


def household_head_candidates(engine: Engine, household: str) -> list[Any]:
    """:func:`head_candidates` on a connection of its own (the console's form lists them)."""
    with engine.connect() as connection:
        return head_candidates(connection, household)


def _name_head(connection: Connection, mismatch: Any, chosen: str, at: datetime) -> None:
    """The clerk's answer to a ``household_head`` flag (inside its transaction): the household's head
    becomes ``chosen`` (a PIN, or ``id:<person id>``), who must be a living current member, and their
    membership's relation becomes ``head``.  The others' relations are the book's to revise (they
    were relations to the old head); the next import of the book brings them.  Refused, with nothing
    written, when the household is closed or has had another head named since the flag."""
    household = mismatch.hub_value or ""
    found = connection.execute(
        select(Household.id, Household.head_person_id, Household.version)
        .join(LsgBody, LsgBody.id == Household.lsg_id)
        .where(LsgBody.soate_code == household.partition("/")[0],
               Household.account_no == household.partition("/")[2], Household.closed_at.is_(None))
    ).first()  # fmt: skip
    if found is None:
        raise ActualizationError(f"household {household} is not open any more: nothing was written")
    if found.head_person_id != mismatch.person_id:
        raise ActualizationError(
            f"household {household} has had a head named since this flag (person {found.head_person_id}): "
            "nothing was written"
        )
    candidates = head_candidates(connection, household)
    named = [c for c in candidates if chosen in (c.pin, f"id:{c.person_id}")]
    if not named:
        choices = ", ".join(c.pin or f"id:{c.person_id}" for c in candidates) or "none"
        raise ActualizationError(
            f"{chosen!r} is not a living current member of household {household}: nothing was written "
            f"(members who may be named: {choices})"
        )
    head = named[0].person_id
    written = connection.execute(
        update(Household)
        .where(Household.id == found.id, Household.version == found.version)
        .values(head_person_id=head, version=Household.version + 1, updated_at=at)
    )
    if written.rowcount != 1:
        raise ActualizationError(f"household {household} was changed by someone else just now: try again")
    connection.execute(
        update(HouseholdMember)
        .where(HouseholdMember.household_id == found.id, HouseholdMember.person_id == head,
               HouseholdMember.member_to.is_(None))
        .values(relation_to_head=Relation.HEAD)
    )  # fmt: skip


def _end_memberships_at_death(connection: Connection, mismatch: Any, died: date) -> None:
    """An actualized death (inside its transaction): the person's open memberships end at the date
    of death (not before they began), and each open household they headed is flagged
    ``household_head`` for the clerk, naming it as ``<LSG СОАТЕ>/<account>`` — a new head is a
    person's decision, never the hub's."""
    person_id = mismatch.person_id
    connection.execute(
        update(HouseholdMember)
        .where(HouseholdMember.person_id == person_id, HouseholdMember.member_to.is_(None))
        .values(member_to=case((HouseholdMember.member_from > died, HouseholdMember.member_from), else_=died))
    )
    headed = connection.execute(
        select(LsgBody.soate_code, Household.account_no)
        .join(LsgBody, LsgBody.id == Household.lsg_id)
        .where(Household.head_person_id == person_id, Household.closed_at.is_(None))
        .order_by(Household.id)
    )
    for soate, account in headed:
        flag(
            connection,
            person_id=person_id,
            field=HOUSEHOLD_HEAD,
            source=mismatch.source,
            hub_value=f"{soate}/{account}",
            registry_value=None,
            message_id=mismatch.message_id,
            run_id=mismatch.run_id,
        )
