"""What loading a register needs from the database beyond the bulk rows: the territory and LSG
bodies (inserted when missing), where each LSG body's numbering stands, the PINs already taken,
and the LSG passports derived from the loaded book.  Used by the synthetic seed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select

from sanarip_hub.storage.models import (
    AteUnit,
    Household,
    LandApplication,
    LandQueue,
    LsgBody,
    MunicipalProperty,
    Person,
    PersonPinAlias,
    SocialPassport,
)
from sanarip_hub.storage.passport import derive_lsg_passports


@dataclass(frozen=True)
class LsgHoldings:
    """How many of each numbered record an LSG body holds, and its land queues by purpose."""

    lsg_id: int
    households: int
    passports: int
    properties: int
    applications: int
    queues: dict[str, int]


class RegisterLoad:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load_reference(self, units: list[dict[str, Any]], lsgs: list[dict[str, Any]]) -> dict[str, int]:
        """Insert the territorial units and LSG bodies whose СОАТЕ code is not there yet, in one
        transaction; every LSG body's id by code."""
        with self.engine.begin() as connection:
            present = set(connection.execute(select(AteUnit.soate_code)).scalars())
            fresh = [unit for unit in units if unit["soate_code"] not in present]
            if fresh:
                connection.execute(insert(AteUnit), fresh)
            known = dict(connection.execute(select(LsgBody.soate_code, LsgBody.id)).all())
            missing = [lsg for lsg in lsgs if lsg["soate_code"] not in known]
            if missing:
                connection.execute(insert(LsgBody), missing)
                known = dict(connection.execute(select(LsgBody.soate_code, LsgBody.id)).all())
        return {code: int(value) for code, value in known.items()}

    def lsg_holdings(self, lsg_id: int) -> LsgHoldings:
        def count(table: Any) -> int:
            return int(
                connection.execute(
                    select(func.count()).select_from(table).where(table.lsg_id == lsg_id)
                ).scalar_one()
            )

        with self.engine.connect() as connection:
            queues = {
                str(purpose): int(queue_id)
                for purpose, queue_id in connection.execute(
                    select(LandQueue.purpose, LandQueue.id).where(LandQueue.lsg_id == lsg_id)
                )
            }
            applications = connection.execute(
                select(func.count())
                .select_from(LandApplication)
                .join(LandQueue, LandQueue.id == LandApplication.queue_id)
                .where(LandQueue.lsg_id == lsg_id)
            ).scalar_one()
            return LsgHoldings(
                lsg_id,
                count(Household),
                count(SocialPassport),
                count(MunicipalProperty),
                int(applications),
                queues,
            )

    def taken_pins(self) -> set[str]:
        """Every PIN and alias PIN already in the database (an appended load must not reuse one)."""
        with self.engine.connect() as connection:
            pins = set(connection.execute(select(Person.pin).where(Person.pin.is_not(None))).scalars())
            pins.update(connection.execute(select(PersonPinAlias.pin)).scalars())
        return {pin for pin in pins if pin is not None}

    def derive_passports(self, lsg_ids: Sequence[int], period: str) -> None:
        """The LSG passports of ``period`` derived from the book, in their own transaction."""
        with self.engine.begin() as connection:
            derive_lsg_passports(connection, list(lsg_ids), period)
