"""The actualization queue as the command line lists it: mismatches with their person's PIN and history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from sanarip_hub.storage.models import Mismatch, MismatchEvent, Person


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
