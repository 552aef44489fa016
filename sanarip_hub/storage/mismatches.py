"""The actualization queue as the command line lists it: mismatches with their person's PIN and history."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Engine, func, select

from sanarip_hub.storage.models import LsgBody, Mismatch, MismatchEvent, Person


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
