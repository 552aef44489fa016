"""What each certificate says, read from the household register (issue 16 §1).

Each certificate service answers ``{"certificate": content}``, the content fitting the service's
declared ``certificate`` record (:mod:`sanarip_hub.domain.hub_contract`), plus what the certificate's
header needs and the register does not repeat in the content: the issuing LSG body (name and СОАТЕ)
and, when the PIN asked is an old one, the subject's current PIN.  The producer grants, signs and
records; this module only reads.  It uses the household card and lookups of
:class:`~sanarip_hub.storage.service_data.HubData`, whose queries it shares.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from sanarip_hub.domain.hub_contract import BY_CODE, ResultCode
from sanarip_hub.storage.models import (
    Household,
    HouseholdLand,
    HouseholdLivestock,
    HouseholdMember,
    LandApplication,
    LandQueue,
    LsgBody,
    Person,
)
from sanarip_hub.storage.service_data import CURRENT_PIN, Answer, HouseholdCard, HubData


def _names(service: str, *path: str) -> tuple[str, ...]:
    """The declared field names of a certificate's record at ``path`` (the contract decides what a
    certificate may hold; the card holds more)."""
    fields = BY_CODE[service].fields[0].children
    for part in path:
        fields = next(f for f in fields if f.name == part).children
    return tuple(f.name for f in fields)


FAMILY_MEMBER = _names("familyComposition", "members")
RESIDENT = _names("residenceCertificate", "resident")
LOW_INCOME = _names("lowIncomeCertificate")


def _pick(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: record[name] for name in names if name in record}


class CertificateContent:
    """The content of the five kinds of certificate, one method per service."""

    def __init__(self, data: HubData) -> None:
        self.data = data

    # -- shared ----------------------------------------------------------------------------------

    @staticmethod
    def _current_pin(connection: Connection, pin: str) -> str | None:
        """The current PIN when ``pin`` is an old one (an alias), else None."""
        return connection.execute(CURRENT_PIN, {"pin": pin}).scalar()

    @staticmethod
    def _household_lsg(connection: Connection, household_id: int) -> tuple[str, str]:
        row = connection.execute(
            select(LsgBody.name_ky, LsgBody.soate_code)
            .join(Household, Household.lsg_id == LsgBody.id)
            .where(Household.id == household_id)
        ).one()
        return str(row.name_ky), str(row.soate_code)

    def _card(self, pin: str) -> tuple[Answer | None, HouseholdCard, str | None]:
        """The card and the current PIN, or the answer that refuses (PIN_NOT_FOUND, NO_HOUSEHOLD)."""
        code, card = self.data._card_by_pin(pin)
        if code is not ResultCode.OK:
            return Answer(code, subjects=(pin,)), card, None
        current = None
        if not any(member.get("pin") == pin for member in card["members"]):
            with self.data._read() as connection:  # an old PIN: the certificate names the current one
                current = self._current_pin(connection, pin)
        return None, card, current

    @staticmethod
    def _issuer(card: HouseholdCard) -> tuple[str, str]:
        return str(card["lsgName"]), str(card["lsgSoate"])

    # -- the five kinds --------------------------------------------------------------------------

    def family_composition(self, pin: str) -> Answer:
        """The household's living members (the register lists no deceased member)."""
        refused, card, current = self._card(pin)
        if refused is not None:
            return refused
        content = {
            "accountNo": card["accountNo"],
            "address": card["address"]["text"],
            "members": [_pick(member, FAMILY_MEMBER) for member in card["members"]],
        }
        subjects = (pin, *self.data._others(card, pin))
        return Answer(ResultCode.OK, {"certificate": content}, subjects, current_pin=current,
                      issuer=self._issuer(card))  # fmt: skip

    def residence(self, pin: str) -> Answer:
        """Where the person lives: their household's address, since when, and an absence the book
        records (a labour migrant still lives here in law)."""
        refused, card, current = self._card(pin)
        if refused is not None:
            return refused
        me = current or pin
        member = next((m for m in card["members"] if m.get("pin") == me), None)
        if member is None:  # not a listed member (deceased): nobody lives there under this PIN
            return Answer(ResultCode.NO_HOUSEHOLD, subjects=(pin,))
        with self.data._read() as connection:
            since = connection.execute(
                select(HouseholdMember.member_from)
                .join(Person, Person.id == HouseholdMember.person_id)
                .where(Person.pin == me, HouseholdMember.member_to.is_(None))
                .order_by(HouseholdMember.member_from.desc())
                .limit(1)
            ).scalar()
        content = {
            "resident": _pick(member, RESIDENT),
            "accountNo": card["accountNo"],
            "address": card["address"],
            "residentSince": since,
            "temporarilyAbsent": member.get("temporarilyAbsent"),
            "absenceReason": member.get("absenceReason"),
            "absenceCountry": member.get("absenceCountry"),
        }
        return Answer(ResultCode.OK, {"certificate": content}, (pin,), current_pin=current,
                      issuer=self._issuer(card))  # fmt: skip

    def household_plot(self, pin: str) -> Answer:
        """Land by category and right, and livestock, on 1 January of the latest year recorded."""
        refused, card, current = self._card(pin)
        if refused is not None:
            return refused
        with self.data._read() as connection:
            _, household_id = self.data._household(connection, current or pin)
            land_year = (
                select(func.max(HouseholdLand.year))
                .where(HouseholdLand.household_id == household_id)
                .scalar_subquery()
            )
            plots = [
                {"category": row.category, "right": row.land_right, "areaHa": round(float(row.area), 4)}
                for row in connection.execute(
                    select(
                        HouseholdLand.category,
                        HouseholdLand.land_right,
                        func.sum(HouseholdLand.area_ha).label("area"),
                    )
                    .where(HouseholdLand.household_id == household_id, HouseholdLand.year == land_year)
                    .group_by(HouseholdLand.category, HouseholdLand.land_right)
                    .order_by(HouseholdLand.category, HouseholdLand.land_right)
                )
            ]
            year = connection.execute(  # the card's livestock is of this year: the latest recorded
                select(func.max(HouseholdLivestock.year)).where(
                    HouseholdLivestock.household_id == household_id
                )
            ).scalar()
        content = {
            "accountNo": card["accountNo"],
            "address": card["address"]["text"],
            "land": plots,
            "landTotalHa": round(sum((plot["areaHa"] for plot in plots), 0.0), 4),
            "livestockOn": None if year is None else date(year, 1, 1),
            "livestock": card["livestock"],
        }
        return Answer(ResultCode.OK, {"certificate": content}, (pin,), current_pin=current,
                      issuer=self._issuer(card))  # fmt: skip

    def low_income(self, pin: str) -> Answer:
        """The family's social passport: its status and category, not its services."""
        passport = self.data.social_passport_by_pin(pin)
        if passport.code is not ResultCode.OK:
            return passport
        with self.data._read() as connection:
            current = self._current_pin(connection, pin)
            _, household_id = self.data._household(connection, pin)
            assert household_id is not None  # the passport was found through it
            issuer = self._household_lsg(connection, household_id)
        content = _pick(passport.values, LOW_INCOME)
        return Answer(ResultCode.OK, {"certificate": content}, (pin,), current_pin=current, issuer=issuer)

    def land_queue(self, pin: str) -> Answer:
        """The person's applications in land-plot queues (NOT_FOUND: in none).  Issued by the body
        of the person's household, or, for someone in no household, of their first application."""
        queue = self.data.land_queue_position(pin, None)
        if queue.code is not ResultCode.OK:
            return queue
        with self.data._read() as connection:
            current = self._current_pin(connection, pin)
            _, household_id = self.data._household(connection, pin)
            if household_id is not None:
                issuer = self._household_lsg(connection, household_id)
            else:
                row = connection.execute(
                    select(LsgBody.name_ky, LsgBody.soate_code)
                    .join(LandQueue, LandQueue.lsg_id == LsgBody.id)
                    .join(LandApplication, LandApplication.queue_id == LandQueue.id)
                    .join(Person, Person.id == LandApplication.applicant_person_id)
                    .where(Person.pin == (current or pin))
                    .order_by(LandApplication.reg_datetime)
                    .limit(1)
                ).one()
                issuer = (str(row.name_ky), str(row.soate_code))
        content = {"applications": queue.values["applications"]}
        return Answer(ResultCode.OK, {"certificate": content}, (pin,), current_pin=current, issuer=issuer)
